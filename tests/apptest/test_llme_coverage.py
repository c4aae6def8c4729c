"""LLME coverage page: every filter (year, region, role, accreditation) changes the numbers exactly
as independent SQL on the warehouse says, whether set in the URL or by the user."""

from __future__ import annotations

import json

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.privacy import suppress, suppress_total
from tests.apptest.pages import open_page
from tests.independent_sql import sql

PAGE = "app_pages/llme_coverage.py"


def coverage(coordinator: bool = False, **query_params) -> AppTest:
    """The page as the public sees it, or signed in as a national coordinator (exact numbers)."""
    return open_page("llme_coverage", "coordinator" if coordinator else "public", **query_params)


def expected(paths, year: int, region=None, role=None, accreditation=None) -> dict:
    """Active LLMEs per hub (in the region) with independent SQL on the llmes table."""
    rows = sql(
        paths,
        """
        SELECT h.name, count(l.llme_id)
        FROM hubs h LEFT JOIN llmes l ON l.hub_id = h.hub_id
          AND l.first_year_start <= $y AND (l.last_year_start IS NULL OR l.last_year_start >= $y)
          AND ($role::VARCHAR IS NULL OR list_contains(l.roles,
            (SELECT code FROM vocabularies WHERE vocabulary = 'role' AND label = $role)))
          AND ($acc::VARCHAR IS NULL OR list_contains(l.accreditations,
            (SELECT code FROM vocabularies WHERE vocabulary = 'accreditation' AND label = $acc)))
        WHERE $region::VARCHAR IS NULL OR h.region = $region
        GROUP BY 1
        """,
        {"y": year, "region": region, "role": role, "acc": accreditation},
    )
    return dict(rows)


def totals_table(at: AppTest) -> dict:
    frame = next(d.value for d in at.dataframe if {"Hub", "Active LLMEs"} <= set(d.value.columns))
    return {hub: str(n) for hub, n in zip(frame["Hub"], frame["Active LLMEs"], strict=True)}


def suppressed(paths, want_all: dict, hubs_in_view: set) -> dict:
    """The public expectation: the per-hub counts after the suppression rule, run over all 40 hubs
    with England's and each region's totals published, then the hubs in view."""
    regions = dict(sql(paths, "SELECT name, region FROM hubs"))
    frame = pl.DataFrame(
        {"hub": list(want_all), "region": [regions[h] for h in want_all], "n": list(want_all.values())}
    ).sort("hub")  # ties: by name, as the page
    out = suppress(frame, "n", totals_over=[[], ["region"]])
    return {h: n for h, n in zip(out["hub"], out["n_shown"], strict=True) if h in hubs_in_view}


def headline(at: AppTest):
    return next(m for m in at.metric if m.label.startswith("Active LLMEs"))


def check(at: AppTest, paths, year: int, region=None, role=None, accreditation=None, exact=False) -> dict:
    want = expected(paths, year, region, role, accreditation)
    everyone = expected(paths, year, region)  # the target applies to all active LLMEs
    if exact:
        shown = {h: str(n) for h, n in want.items()}
        shown_all = {h: str(n) for h, n in everyone.items()}
    else:
        shown = suppressed(paths, expected(paths, year, None, role, accreditation), set(want))
        shown_all = suppressed(paths, expected(paths, year), set(want))
    assert totals_table(at) == shown
    total = sum(want.values())
    assert headline(at).value == (f"{total:,}" if exact else suppress_total(total))
    target = 50 * len(want)
    if role or accreditation:
        # Not scaled to the filtered count: the target is given against the unfiltered total.
        assert "target" not in headline(at).label
        assert f"{role or accreditation}" in headline(at).label
    else:
        assert f"(target {target:,})" in headline(at).label
    share = next(m for m in at.metric if "share of the" in m.label)
    assert f"share of the {target:,} target" in share.label
    assert share.value == f"{sum(everyone.values()) / target:.0%}"
    hubs_met = sum(n >= 50 and shown_all[h] != "c" for h, n in everyone.items())
    assert (
        next(m for m in at.metric if m.label == "Hubs at or above target").value
        == f"{hubs_met} of {len(want)}"
    )
    return want


def test_default_view_is_this_year_nationally(use_warehouse):
    at = coverage()
    want = check(at, use_warehouse, 2026)
    assert len(want) == 40
    assert "nationally" in headline(at).label
    below = sum(n < 50 for n in want.values())
    gaps = " ".join(m.value for m in at.markdown)
    if below:
        assert f"{below} of 40 hubs" in gaps


@pytest.mark.parametrize(
    ("params", "year", "region", "role", "accreditation"),
    [
        ({"year": "2023/24"}, 2023, None, None, None),
        ({"region": "North West"}, 2026, "North West", None, None),
        ({"role": "Work Group Lead"}, 2026, None, "Work Group Lead", None),
        ({"accreditation": "PD Lead"}, 2026, None, None, "PD Lead"),
        (
            {
                "year": "2025/26",
                "region": "London",
                "role": "Cohort Lead",
                "accreditation": "Primary Mastery Specialist",
            },
            2025,
            "London",
            "Cohort Lead",
            "Primary Mastery Specialist",
        ),
    ],
)
def test_filters_from_the_url(use_warehouse, params, year, region, role, accreditation):
    at = coverage(**params)
    for key, value in params.items():
        assert at.selectbox(key=key).value == value
    check(at, use_warehouse, year, region, role, accreditation)


def test_a_signed_in_coordinator_sees_exact_numbers(use_warehouse):
    params = {"year": "2025/26", "region": "London", "role": "Cohort Lead"}
    at = coverage(coordinator=True, **params)
    want = check(at, use_warehouse, 2025, "London", "Cohort Lead", exact=True)
    assert any(0 < n < 5 for n in want.values()), "the filter gives small numbers to compare"
    assert not any("c = fewer than 5" in m.value for m in at.markdown)
    public = coverage(**params)
    assert any("c = fewer than 5" in m.value for m in public.markdown), "the public sees the legend line"


def test_each_filter_changed_by_the_user(use_warehouse):
    at = coverage()
    at.selectbox(key="region").set_value("South West").run()
    check(at, use_warehouse, 2026, "South West")
    at.selectbox(key="role").set_value("Community Lead").run()
    check(at, use_warehouse, 2026, "South West", "Community Lead")
    at.selectbox(key="accreditation").set_value("School Development Lead").run()
    check(at, use_warehouse, 2026, "South West", "Community Lead", "School Development Lead")
    at.selectbox(key="year").set_value("2022/23").run()
    check(at, use_warehouse, 2022, "South West", "Community Lead", "School Development Lead")


def test_gaps_are_called_out_in_words(use_warehouse):
    at = coverage(coordinator=True)
    short_ey = sql(
        use_warehouse,
        """
        SELECT count(*) FROM hubs h WHERE (
            SELECT count(*) FROM llmes l WHERE l.hub_id = h.hub_id AND list_contains(l.phases, 'early_years')
            AND l.first_year_start <= 2026 AND (l.last_year_start IS NULL OR l.last_year_start >= 2026)) < 3
        """,
    )[0][0]
    text = " ".join(m.value for m in at.markdown)
    if short_ey:
        noun = "hub has" if short_ey == 1 else "hubs have"
        assert f"**{short_ey} {noun}** fewer than 3 active Early Years LLMEs" in text
    else:
        assert "Early Years" not in text


def test_public_gaps_are_only_counts_known_to_be_under_3(use_warehouse):
    """Issue 16: a gap is a count known to be under 3. A hidden cell (c: 1 to 4, or hidden only to
    protect a total) is not counted as a gap, and the page says how many such cells there are."""
    at = coverage()
    matrix = next(d.value for d in at.dataframe if "Early Years" in d.value.columns)
    cells = [str(v) for v in matrix["Early Years"]]
    gaps = sum(v in ("0", "1", "2") for v in cells)
    assert "c" in cells, "the sample has hidden early years cells to leave out"
    text = " ".join(m.value for m in at.markdown)
    noun = "hub has" if gaps == 1 else "hubs have"
    assert gaps > 0, "the sample has known early years gaps to call out"
    assert f"**{gaps} {noun}** fewer than 3 active Early Years LLMEs" in text
    hidden = sum(str(v) == "c" for p in ("Early Years", "Primary", "Secondary", "Post-16") for v in matrix[p])
    assert f"{hidden} hub and phase counts are shown as c" in text


def _hidden_share(at: AppTest) -> tuple[int, int, float]:
    """Hidden cells and all cells of the hub-by-phase matrix, and the share hidden in the phase trend."""
    matrix = next(
        d.value for d in at.dataframe if "Hub" in d.value.columns and "Early Years" in d.value.columns
    )
    trend = next(
        d.value for d in at.dataframe if "Academic year" in d.value.columns and "Primary" in d.value.columns
    )
    hidden = sum(str(v) == "c" for p in PHASES for v in matrix[p])
    coarse = sum(str(v) == "c" for p in PHASES for v in trend[p]) / (len(trend) * len(PHASES))
    return hidden, len(matrix) * len(PHASES), coarse


PHASES = ("Early Years", "Primary", "Secondary", "Post-16")


@pytest.mark.parametrize("params", [{}, {"region": "north-west"}])
def test_hidden_cells_are_explained_with_where_the_coarser_counts_are(use_warehouse, params):
    """Most single-hub phase counts are c at sample scale: the page says why (how many, and the rule)
    and points to the phase counts of England or of the chosen region, which are hidden less often."""
    at = coverage(**params)
    hidden, cells, coarse = _hidden_share(at)
    assert hidden > 0, "the sample has hidden hub and phase counts"
    why = next(m.value for m in at.markdown if m.value.startswith("**Why"))
    assert f"**Why {hidden} of these {cells} counts are c:**" in why
    assert "fewer than 5" in why and "**Trend** tab under *By phase*" in why and "**Region**" in why
    assert coarse < hidden / cells, "the coarser view it points to hides less"
    if not params:
        assert coarse == 0, "England's phase counts are all large enough to show"
    assert not any(m.value.startswith("**Why") for m in coverage(coordinator=True, **params).markdown)


def test_heatmap_outlines_only_known_gaps(use_warehouse):
    """The red gap outline is drawn for visible counts under 3, never for a hidden (null) cell."""
    at = coverage()
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    filters = [t["filter"] for layer in spec["layer"] for t in layer.get("transform", []) if "filter" in t]
    assert any("isValid(datum.active_llmes)" in str(f) for f in filters)


def test_target_is_never_scaled_to_a_filtered_count(use_warehouse):
    """Issue 16: "7 of target 300" for London post-16 Mastery Specialists is meaningless. With a
    role or accreditation filter no chart, table or figure sets the filtered count against a target."""
    at = coverage(region="London", accreditation="Post-16 Mastery Specialist")
    assert "target" not in headline(at).label
    assert not any("Target" in d.value.columns for d in at.dataframe)
    assert not any("% of target" in d.value.columns for d in at.dataframe)
    text = " ".join(m.value for m in at.markdown)
    assert "applies to all active LLMEs" in text
    for chart in at.get("vega_lite_chart"):
        assert "Target met" not in chart.proto.spec and "Target " not in chart.proto.spec


def test_phase_trend_gives_each_phase_over_the_years(use_warehouse):
    at = coverage(coordinator=True)
    table = next(d.value for d in at.dataframe if {"Academic year", "Primary"} <= set(d.value.columns))
    want = dict(
        sql(
            use_warehouse,
            """
            SELECT y.academic_year, count(l.llme_id) FROM academic_years y LEFT JOIN llmes l
              ON list_contains(l.phases, 'primary') AND l.first_year_start <= y.year_start
              AND (l.last_year_start IS NULL OR l.last_year_start >= y.year_start)
            GROUP BY 1
            """,
        )
    )
    assert dict(zip(table["Academic year"], table["Primary"].astype(int), strict=True)) == want
    assert any(
        "phase_label" in c.proto.spec and "academic_year" in c.proto.spec for c in at.get("vega_lite_chart")
    )


def test_matrix_trend_and_breakdowns_have_tables_and_downloads(use_warehouse):
    at = coverage()
    frames = [d.value for d in at.dataframe]
    matrix = next(f for f in frames if "Early Years" in f.columns)
    assert len(matrix) == 40
    trend = next(f for f in frames if "Academic year" in f.columns)
    years = sql(use_warehouse, "SELECT count(*) FROM academic_years")[0][0]
    assert len(trend) == years
    roles = next(f for f in frames if "Role" in f.columns)
    wgl = sql(
        use_warehouse,
        "SELECT count(*) FROM llmes WHERE list_contains(roles, 'work_group_lead') "
        "AND first_year_start <= 2026 AND (last_year_start IS NULL OR last_year_start >= 2026)",
    )[0][0]
    assert str(dict(zip(roles["Role"], roles["Active LLMEs"], strict=True))["Work Group Lead"]) == str(wgl)
    assert len(at.get("download_button")) >= 5
    assert len(at.get("vega_lite_chart")) >= 5
