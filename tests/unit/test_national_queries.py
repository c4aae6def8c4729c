"""The national pages' queries (dashboard/data/national_map.py, coverage.py, hub_profile.py,
about.py) against a real warehouse.

Every expected number is computed here with independent SQL on the base tables (llmes, not the
mart_active_llmes view; participations and work_groups, not schools_reached), never through the
functions under test.
"""

from __future__ import annotations

import duckdb
import polars as pl
import pytest
import streamlit as st

from dashboard import present, privacy
from dashboard.data import about, common, coverage, hub_profile, national_map
from pipelines.warehouse.store import current_snapshot
from tests.independent_sql import ACTIVE_BY_HUB, ACTIVE_IN_HUB, ACTIVE_LLMES

YEAR = 2026  # the current academic year for TODAY (2026-11-23)


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def sql(use_warehouse):
    """Run independent SQL on the warehouse file; returns all rows."""

    def run(query: str, params: dict | list | None = None) -> list[tuple]:
        with duckdb.connect(str(current_snapshot(use_warehouse)), read_only=True) as con:
            return con.sql(query, params=params).fetchall()

    return run


def one(rows: list[tuple]):
    return rows[0][0]


def test_disclose_is_the_single_privacy_gate_and_checks_its_columns():
    frame = pl.DataFrame({"hub": ["a", "b"], "n": [3, 7]})
    assert privacy.public_view is privacy.public_view
    exact = privacy.public_view(frame, ["n"], True)
    assert exact["n"].to_list() == [3, 7] and exact["n_shown"].to_list() == ["3", "7"]
    public = privacy.public_view(frame, ["n"], False)
    assert public["n"].to_list() == [None, 7] and public["n_shown"].to_list() == [privacy.SYMBOL, "7"]
    with pytest.raises(KeyError):
        privacy.public_view(frame, ["missing"], False)


def test_public_queries_hide_small_counts_and_exact_ones_do_not(use_warehouse):
    """Filtered coverage has small counts: exact viewers see them, the public sees "c"."""
    public = coverage.llme_matrix(YEAR, None, "community_lead", None, exact=False)
    exact = coverage.llme_matrix(YEAR, None, "community_lead", None, exact=True)
    small = exact.filter(pl.col("active_llmes").is_between(1, 4))
    assert small.height, "the sample has small counts to protect"
    assert not public.filter(pl.col("active_llmes").is_between(1, 4)).height
    assert set(public.filter(pl.col("active_llmes_hidden"))["active_llmes_shown"]) == {privacy.SYMBOL}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("136474", ("urn", "136474")),
        ("GL50", ("postcode", "GL50")),
        ("gl50 4ab", ("postcode", "GL50")),
        ("SW1A1AA", ("postcode", "SW1A")),
        ("M1 1AE", ("postcode", "M1")),
        ("  Cheltenham  ", ("name", "Cheltenham")),
        ("St  Mary's", ("name", "St Mary's")),
    ],
)
def test_parse_search(text, expected):
    assert national_map.parse_search(text) == expected


def test_escape_markdown_frame_escapes_text_columns_only():
    frame = present.escape_markdown_frame(pl.DataFrame({"t": ["_a_"], "n": [1]}))
    assert frame.row(0) == ("\\_a\\_", 1)


def test_key_stats_match_independent_counts(sql):
    stats = national_map.key_stats(YEAR, exact=True).rows_by_key("year_start", named=True, unique=True)
    for y in (YEAR - 1, YEAR):
        p = {"y": y}
        assert stats[y]["active_llmes"] == one(sql(ACTIVE_LLMES, p))
        assert stats[y]["work_groups"] == one(
            sql("SELECT count(*) FROM work_groups WHERE year_start = $y", p)
        )
        assert stats[y]["hubs_reporting"] == one(
            sql("SELECT count(DISTINCT hub_id) FROM work_groups WHERE year_start = $y", p)
        )
        reached = one(
            sql(
                "SELECT count(DISTINCT school_urn) FROM participations WHERE work_group_id IN "
                "(SELECT work_group_id FROM work_groups WHERE year_start = $y)",
                p,
            )
        )
        assert stats[y]["schools_reached"] == reached
        assert stats[y]["schools"] == one(sql("SELECT count(*) FROM schools"))
        assert stats[y]["reach_share"] == pytest.approx(reached / stats[y]["schools"])
        assert stats[y]["hubs"] == 40


def test_hub_summary_matches_independent_counts(sql):
    summary = national_map.hub_summary(YEAR, exact=True)
    assert summary.height == 40
    llmes = dict(sql(ACTIVE_BY_HUB, {"y": YEAR}))
    groups = dict(sql("SELECT hub_id, count(*) FROM work_groups WHERE year_start = ? GROUP BY 1", [YEAR]))
    area = dict(sql("SELECT hub_id, count(*) FROM schools GROUP BY 1"))
    reached = dict(
        sql(
            "SELECT w.hub_id, count(DISTINCT p.school_urn) FROM participations p, work_groups w "
            "WHERE p.work_group_id = w.work_group_id AND w.year_start = ? GROUP BY 1",
            [YEAR],
        )
    )
    for row in summary.iter_rows(named=True):
        hub = row["hub_id"]
        assert row["active_llmes"] == llmes.get(hub, 0)
        assert row["work_groups"] == groups.get(hub, 0)
        assert row["schools_in_area"] == area.get(hub, 0)
        assert row["schools_reached"] == reached.get(hub, 0)
        assert row["share_of_target"] == pytest.approx(llmes.get(hub, 0) / common.TARGET_PER_HUB)
    assert summary["map_latitude"].is_not_null().all()


def test_districts_without_open_data_have_centres_but_no_boundaries(use_warehouse):
    districts = national_map.districts()
    assert districts.height == 296
    assert districts["geometry"].is_null().all()
    assert districts["centroid_lat"].is_not_null().all()
    assert set(districts["provenance"]) == {"declared", "estimated"}


def test_districts_with_open_data_have_every_boundary(warehouse_open, monkeypatch):
    monkeypatch.setenv("ATLAS_DATA_DIR", str(warehouse_open.data_dir))
    districts = national_map.districts()
    assert districts.height == 296
    assert districts["geometry"].is_not_null().all()
    assert districts["geometry"].str.starts_with('{"type":"MultiPolygon"').all()


def test_hub_neighbours_are_ordered_pairs_of_real_hubs(sql):
    pairs = national_map.hub_neighbours()
    hubs = {h for (h,) in sql("SELECT hub_id FROM hubs")}
    assert pairs.height > 40
    assert (pairs["hub_a"] < pairs["hub_b"]).all()
    assert set(pairs["hub_a"]) | set(pairs["hub_b"]) <= hubs


def test_find_hub_by_urn_name_town_and_postcode(sql):
    urn, name, town, postcode, hub = sql(
        "SELECT urn, name, town, postcode, hub_id FROM schools "
        "WHERE postcode IS NOT NULL ORDER BY urn LIMIT 1"
    )[0]
    by_urn = national_map.find_hub(str(urn))
    assert by_urn.height == 1 and by_urn["hub_id"][0] == hub and by_urn["matched_on"][0] == "URN"
    by_name = national_map.find_hub(name.upper())
    assert urn in by_name["urn"].to_list()
    by_town = national_map.find_hub(town)
    assert by_town.height > 0
    for school, school_town in by_town.select("school", "town").iter_rows():
        assert school_town.lower() == town.lower() or town.lower() in school.lower()
    district = postcode.split()[0]
    by_postcode = national_map.find_hub(postcode)
    expected = {
        u for (u,) in sql("SELECT urn FROM schools WHERE split_part(postcode, ' ', 1) = ?", [district])
    }
    assert set(by_postcode["urn"].drop_nulls()) <= expected
    assert by_postcode.height > 0
    assert set(by_postcode["hub_id"]) >= {hub}


@pytest.mark.parametrize("text", ["zzzz-no-such-school", "'; DROP TABLE hubs; --", "%", "_"])
def test_find_hub_treats_input_as_data(sql, text):
    found = national_map.find_hub(text)
    assert found.height <= 25
    assert one(sql("SELECT count(*) FROM hubs")) == 40
    if text.startswith("zzzz"):
        assert found.is_empty()


def _llmes(sql, year: int) -> pl.DataFrame:
    rows = sql(
        "SELECT l.llme_id, l.hub_id, h.region, l.roles, l.phases, l.accreditations "
        "FROM llmes l JOIN hubs h USING (hub_id) WHERE first_year_start <= $y "
        "AND (last_year_start IS NULL OR last_year_start >= $y)",
        {"y": year},
    )
    return pl.DataFrame(
        rows, schema=["llme_id", "hub_id", "region", "roles", "phases", "accreditations"], orient="row"
    )


def _filtered(frame: pl.DataFrame, region, role, accreditation) -> pl.DataFrame:
    if region:
        frame = frame.filter(pl.col("region") == region)
    if role:
        frame = frame.filter(pl.col("roles").list.contains(role))
    if accreditation:
        frame = frame.filter(pl.col("accreditations").list.contains(accreditation))
    return frame


FILTERS = [
    (None, None, None),
    ("North West", None, None),
    (None, "work_group_lead", None),
    (None, None, "pd_lead"),
    ("London", "cohort_lead", "primary_mastery_specialist"),
]


@pytest.mark.parametrize(("region", "role", "accreditation"), FILTERS)
def test_llme_coverage_queries_follow_every_filter(sql, region, role, accreditation):
    expected = _filtered(_llmes(sql, YEAR), region, role, accreditation)
    totals = coverage.llme_hub_totals(YEAR, region, role, accreditation, exact=True)
    hubs_in_view = {
        h for (h,) in sql("SELECT hub_id FROM hubs WHERE $r::VARCHAR IS NULL OR region = $r", {"r": region})
    }
    assert set(totals["hub_id"]) == hubs_in_view
    per_hub = dict(expected.group_by("hub_id").len().iter_rows())
    assert dict(totals.select("hub_id", "active_llmes").iter_rows()) == {
        h: per_hub.get(h, 0) for h in hubs_in_view
    }

    matrix = coverage.llme_matrix(YEAR, region, role, accreditation, exact=True)
    assert matrix.height == 4 * len(hubs_in_view)  # every hub x phase, zeros kept
    by_phase = expected.explode("phases").group_by("hub_id", "phases").len()
    want = {(h, p): n for h, p, n in by_phase.iter_rows()}
    got = {(h, p): n for h, p, n in matrix.select("hub_id", "phase", "active_llmes").iter_rows()}
    assert {k: v for k, v in got.items() if v} == want

    trend = coverage.llme_trend(region, role, accreditation, exact=True)
    this_year = trend.filter(pl.col("year_start") == YEAR)
    assert this_year["active_llmes"][0] == expected.height
    assert this_year["target"][0] == common.TARGET_PER_HUB * len(hubs_in_view)
    earlier = _filtered(_llmes(sql, YEAR - 1), region, role, accreditation)
    assert trend.filter(pl.col("year_start") == YEAR - 1)["active_llmes"][0] == earlier.height

    roles = coverage.llme_breakdown("role", YEAR, region, role, accreditation, exact=True)
    want_roles = dict(expected.explode("roles").group_by("roles").len().iter_rows())
    assert {c: n for c, n in roles.select("code", "active_llmes").iter_rows() if n} == want_roles
    accs = coverage.llme_breakdown("accreditation", YEAR, region, role, accreditation, exact=True)
    none = accs.filter(pl.col("code") == "none")["active_llmes"][0]
    assert none == expected.filter(pl.col("accreditations").list.len() == 0).height


def test_breakdown_rejects_unknown_dimensions(use_warehouse):
    with pytest.raises(ValueError):
        coverage.llme_breakdown("full_name", YEAR, None, None, None, exact=True)
    with pytest.raises(ValueError):
        hub_profile.hub_llmes("glow", YEAR, "email", exact=True)


@pytest.fixture
def a_hub(sql) -> str:
    return one(sql("SELECT hub_id FROM work_groups GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"))


def test_hub_llmes_by_phase_role_and_accreditation(sql, a_hub):
    mine = _llmes(sql, YEAR).filter(pl.col("hub_id") == a_hub)
    for by, column in (("phase", "phases"), ("role", "roles"), ("accreditation", "accreditations")):
        frame = hub_profile.hub_llmes(a_hub, YEAR, by, exact=True)
        labels = {c for (c,) in sql("SELECT code FROM vocabularies WHERE vocabulary = ?", [by])}
        assert set(frame["code"]) == labels
        want = dict(mine.explode(column).drop_nulls(column).group_by(column).len().iter_rows())
        assert {c: n for c, n in frame.select("code", "active_llmes").iter_rows() if n} == want


def test_hub_headlines_compare_with_the_median_of_40_hubs(sql, a_hub):
    head = hub_profile.hub_headlines(a_hub, YEAR, exact=True).rows_by_key("measure", named=True, unique=True)
    counts = [
        n
        for (n,) in sql(
            "SELECT count(l.llme_id) FROM hubs h LEFT JOIN llmes l ON l.hub_id = h.hub_id "
            "AND l.first_year_start <= $y "
            "AND (l.last_year_start IS NULL OR l.last_year_start >= $y) GROUP BY h.hub_id",
            {"y": YEAR},
        )
    ]
    assert head["active_llmes"]["national_median"] == pytest.approx(pl.Series(counts).median())
    assert head["active_llmes"]["hub"] == one(sql(ACTIVE_IN_HUB, {"h": a_hub, "y": YEAR}))
    assert head["work_groups"]["hub"] == one(
        sql("SELECT count(*) FROM work_groups WHERE hub_id = ? AND year_start = ?", [a_hub, YEAR])
    )


def test_hub_work_groups_and_provision_count_each_group_once_per_phase(sql, a_hub):
    want = one(
        sql(
            "SELECT count(*) FROM work_groups, unnest(phases) AS p(phase) "
            "WHERE hub_id = ? AND year_start = ?",
            [a_hub, YEAR],
        )
    )
    assert hub_profile.hub_work_groups(a_hub, YEAR)["work_groups"].sum() == want
    provision = hub_profile.hub_provision(a_hub, YEAR)
    assert provision["work_groups"].sum() == want
    assert set(hub_profile.ACME_KINDS.values()) <= set(provision["kind"])
    assert provision.height % 4 == 0  # every kind x the 4 phases
    by_kind = dict(
        sql(
            "SELECT coalesce(p.pd_kind, 'unclassified'), count(*) FROM work_groups w "
            "LEFT JOIN programmes p USING (programme_id), unnest(w.phases) AS ph(phase) "
            "WHERE w.hub_id = ? AND w.year_start = ? GROUP BY 1",
            [a_hub, YEAR],
        )
    )
    got = dict(provision.group_by("pd_kind").agg(pl.col("work_groups").sum()).iter_rows())
    assert {k: v for k, v in got.items() if v} == by_kind


def test_hub_reach_by_phase_and_local_authority(sql, a_hub):
    reached = {
        u
        for (u,) in sql(
            "SELECT DISTINCT p.school_urn FROM participations p JOIN work_groups w USING (work_group_id) "
            "WHERE w.hub_id = ? AND w.year_start = ?",
            [a_hub, YEAR],
        )
    }
    area = sql("SELECT urn, la_name FROM schools WHERE hub_id = ?", [a_hub])
    by_la = hub_profile.hub_reach_by_la(a_hub, YEAR, exact=True)
    assert by_la["schools_in_area"].sum() == len(area)
    assert by_la["schools_reached"].sum() == len(reached)
    for la, n_area, n_reached, share in by_la.select(
        "local_authority", "schools_in_area", "schools_reached", "reach_share"
    ).iter_rows():
        assert n_area == sum(1 for _, name in area if (name or "Unknown") == la)
        if n_area:
            assert share == pytest.approx(n_reached / n_area)
    by_phase = hub_profile.hub_reach_by_phase(a_hub, YEAR, exact=True)
    assert by_phase["schools_in_area"].sum() == len(area)
    assert by_phase["schools_reached"].sum() == len(reached)


def test_hub_journey_counts_schools_at_each_stage(sql, a_hub):
    journey = hub_profile.hub_journey(a_hub, exact=True)
    want = {
        (y, s): n
        for y, s, n in sql(
            "SELECT w.year_start, p.stage, count(DISTINCT p.school_urn) FROM participations p "
            "JOIN work_groups w USING (work_group_id) "
            "WHERE w.hub_id = ? AND p.stage IS NOT NULL GROUP BY 1, 2",
            [a_hub],
        )
    }
    assert {(y, s): n for y, s, n in journey.select("year_start", "stage", "schools").iter_rows()} == want


def test_about_queries(sql):
    prov = about.provenance_summary()
    assert prov.height == 40
    assert prov["declared"].sum() == one(sql("SELECT count(*) FROM hub_areas WHERE provenance = 'declared'"))
    assert prov["estimated"].sum() == one(
        sql("SELECT count(*) FROM hub_areas WHERE provenance = 'estimated'")
    )
    loads = about.load_history(exact=True)
    assert loads.height == min(50, one(sql("SELECT count(*) FROM load_log")))
    counts = dict(about.table_counts(exact=True).select("what", "n").iter_rows())
    assert counts["Maths Hubs"] == 40 and counts["District boundaries loaded"] == 0
    assert set(about.definitions()["vocabulary"]) == {
        "phase",
        "role",
        "accreditation",
        "stage",
        "pd_kind",
        "target",
    }


def test_no_national_query_returns_personal_data(use_warehouse, a_hub):
    frames = [
        national_map.hub_summary(YEAR, exact=True),
        coverage.llme_hub_totals(YEAR, None, None, None, exact=True),
        coverage.llme_matrix(YEAR, None, None, None, exact=True),
        hub_profile.hub_llmes(a_hub, YEAR, "role", exact=True),
        national_map.find_hub("school"),
        about.provenance_summary(),
        about.load_history(exact=True),
    ]
    for frame in frames:
        assert not {"full_name", "email", "llme_id"} & set(frame.columns)


@pytest.fixture
def open_warehouse(monkeypatch, warehouse_open):
    monkeypatch.setenv("ATLAS_DATA_DIR", str(warehouse_open.data_dir))
    return warehouse_open


@pytest.mark.parametrize(
    ("text", "hub"),
    [
        ("Lincoln", "East Midlands East Maths Hub"),
        ("Warrington", "Turing NW Maths Hub"),
        ("Cheltenham", "GLOW Maths Hub"),
        ("gl50 4ab", "GLOW Maths Hub"),
    ],
)
def test_find_hub_a_town_beats_a_school_name(open_warehouse, text, hub):
    """Issue 16: "Lincoln" answered with a Scunthorpe college, "Warrington" with a Widnes nursery on
    Warrington Road. A town, council area or postcode is the answer; school names come after."""
    found = national_map.find_hub(text)
    answer, _ = national_map.hub_answer(found, text)
    assert answer is not None and answer["kind"] == "place"
    assert answer["hub_name"] == hub
    with duckdb.connect(str(current_snapshot(open_warehouse)), read_only=True) as con:
        in_town = con.sql(
            "SELECT DISTINCT h.name FROM schools s JOIN hubs h USING (hub_id) "
            "WHERE lower(s.la_name) = lower(?) "
            "OR lower(s.town) = lower(?) GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
            params=[text, text],
        ).fetchall()
    if not any(ch.isdigit() for ch in text):
        assert in_town[0][0] == hub  # the hub of most of the schools in that town


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("Richmond", {"Yorkshire Ridings Maths Hub", "London South West Maths Hub"}),
        ("St Ives", {"Cambridge Maths Hub", "CODE Maths Hub"}),
    ],
)
def test_find_hub_offers_a_list_when_towns_share_a_name(open_warehouse, text, places):
    found = national_map.find_hub(text)
    answer, choices = national_map.hub_answer(found, text)
    assert answer is None, "never the first hit"
    assert set(choices["hub_name"]) == places
    assert all("," in label for label in choices["label"]), "each with its county or borough"


def test_find_hub_lists_schools_when_only_school_names_match(open_warehouse):
    found = national_map.find_hub("Academy")
    answer, choices = national_map.hub_answer(found, "Academy")
    assert answer is None and 1 < choices.height <= 10
    assert set(choices["kind"]) == {"school"}


@pytest.mark.parametrize("role", [None, "cohort_lead"])
def test_no_view_total_minus_other_views_reveals_a_hidden_count(use_warehouse, role):
    """Issue 16 item 8 across pages: England's count (any view) minus the nine regions' visible counts
    (the region filter) is never a lone hidden region or a small number; the map and the coverage
    page hide the same hubs; hub-level phase cells leave no small remainder of a region's phase total."""
    regions = common.regions()
    national_trend = coverage.llme_trend(None, role, None, exact=False)
    per_region = {r: coverage.llme_trend(r, role, None, exact=False) for r in regions}
    exact = coverage.llme_trend(None, role, None, exact=True)
    for year in exact["year_start"]:
        total = exact.filter(pl.col("year_start") == year)["active_llmes"][0]
        if not national_trend.filter(pl.col("year_start") == year)["active_llmes_hidden"][0]:
            rows = [f.filter(pl.col("year_start") == year) for f in per_region.values()]
            hidden = sum(r["active_llmes_hidden"][0] for r in rows)
            visible = sum(r["active_llmes"][0] or 0 for r in rows)
            assert hidden != 1 and not 1 <= total - visible <= 4, (year, hidden, total - visible)
    if role is None:
        on_map = national_map.hub_summary(YEAR, exact=False).select("hub_id", "active_llmes_hidden")
        on_coverage = coverage.llme_hub_totals(YEAR, None, None, None, exact=False)
        assert dict(on_map.iter_rows()) == dict(
            on_coverage.select("hub_id", "active_llmes_hidden").iter_rows()
        )
    for region in regions:
        matrix = coverage.llme_matrix(YEAR, region, role, None, exact=False)
        phase = coverage.llme_phase_trend(region, role, None, exact=True).filter(pl.col("year_start") == YEAR)
        public = coverage.llme_phase_trend(region, role, None, exact=False).filter(
            pl.col("year_start") == YEAR
        )
        shown = dict(public.select("phase", "active_llmes_hidden").iter_rows())
        for code, region_total in phase.select("phase", "active_llmes").iter_rows():
            if shown[code]:
                continue  # the region's phase total is itself "c" on the page
            cells = matrix.filter(pl.col("phase") == code)
            left = region_total - (cells["active_llmes"].sum() or 0)
            assert cells["active_llmes_hidden"].sum() != 1 or left == 0
            assert not 1 <= left <= 4, (region, code, left)


@pytest.mark.parametrize(
    ("now", "before", "since", "unit", "want"),
    [
        (375, 366, "since 2025/26", "", {"delta": "+9 since 2025/26", "arrow": "auto"}),
        (0.25, 0.236, "since 2025/26", "points ", {"delta": "+1.4 points since 2025/26", "arrow": "auto"}),
        (40, 40, "since 2025/26", "", {"delta": "no change since 2025/26", "arrow": "off"}),
        (None, 366, "since 2025/26", "", None),  # hidden this year: no change can be shown
        (375, None, "since 2025/26", "", None),
        (375, 366, None, "", None),  # no earlier year in the data
    ],
)
def test_metric_change_against_last_year(now, before, since, unit, want):
    got = present.metric_change(now, before, since, unit)
    if want is None:
        assert got == {}
    else:
        assert got["delta"] == want["delta"] and got["delta_arrow"] == want["arrow"]
        assert got["delta_color"] == ("normal" if want["arrow"] == "auto" else "off")


@pytest.mark.parametrize(
    ("row", "value", "delta", "arrow"),
    [
        (
            {"measure": "active_llmes", "hub": 41, "national_median": 46.0, "hidden": False},
            "41",
            "-5 vs median 46",
            "auto",
        ),
        (
            {"measure": "work_groups", "hub": 47, "national_median": 49.5, "hidden": False},
            "47",
            "-2.5 vs median 49.5",
            "auto",
        ),
        (
            {"measure": "reach_share", "hub": 0.34, "national_median": 0.44, "hidden": False},
            "34%",
            "-10 pts vs median 44%",
            "auto",
        ),
        (
            {"measure": "active_llmes", "hub": 46, "national_median": 46.0, "hidden": False},
            "46",
            "no change vs median 46",
            "off",
        ),
        ({"measure": "active_llmes", "hub": None, "national_median": 46.0, "hidden": True}, "c", None, "off"),
        (
            {"measure": "work_groups", "hub": None, "national_median": None, "hidden": False},
            "n/a",
            None,
            "off",
        ),
    ],
)
def test_headline_against_the_national_median(row, value, delta, arrow):
    got = present.against_median(row)
    assert (got["value"], got["delta"], got["delta_arrow"]) == (value, delta, arrow)
