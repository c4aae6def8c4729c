"""Privacy of the public view: every public page, in several filter states, and every public download,
shows none of the warehouse's LLME names or emails and no unsuppressed count of 1-4 of people or
schools (issue #3, "What each role sees"; the rule is dashboard/privacy.py, documented on About).

In scope (must never show 1-4): active LLMEs, schools reached (and schools at each stage of the
journey), rows loaded from files (received / loaded / quarantined) and warehouse row counts. Out of
scope, as the About page says: Work Groups and places on them (public events), schools in an area
(the public register of schools), hubs and districts (published facts).

Everything rendered is collected: markdown, titles, alerts, metric labels/values/deltas/help,
st.table and st.dataframe cells, every Vega-Lite spec (data included) and the CSV of every download
button, read by running the deferred download callable the page registered.
"""

from __future__ import annotations

import json
import re

import polars as pl
import pyarrow as pa
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from tests.apptest import pages
from tests.independent_sql import sql
from tests.spreadsheets import download_frames

PHASES = ["Early Years", "Primary", "Secondary", "Post-16"]
# Display columns (tables and CSVs) and Vega fields holding in-scope counts.
COUNT_COLUMNS = {
    "Active LLMEs",
    "Schools reached",
    "Rows received",
    "Rows loaded",
    "Rows set aside",
    "Rows",
    "Schools in area",
}
COUNT_FIELDS = {"active_llmes", "schools_reached", "schools", "schools_in_area"}
# Shares and shortfalls taken of a count: hidden wherever the count (or its denominator) is.
SHARE_COLUMNS = {
    "% of target": ("Active LLMEs",),
    "Short of target": ("Active LLMEs",),
    "% reached": ("Schools reached", "Schools in area"),
}
SHARE_FIELDS = {
    "share_of_target": "active_llmes",
    "short_of_target": "active_llmes",
    "reach_share": "schools_reached",
}
SMALL = {1, 2, 3, 4}


@pytest.fixture
def downloads(monkeypatch) -> dict:
    """Every deferred download callable a run registers (file_id -> callable)."""
    seen: dict = {}
    original = MediaFileManager.add_deferred

    def record(self, data_callable, *args, **kwargs):
        file_id = original(self, data_callable, *args, **kwargs)
        seen[file_id] = data_callable
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return seen


@pytest.fixture
def personal(use_warehouse) -> list[str]:
    """Every LLME name and email in the warehouse, read independently of the dashboard."""
    rows = sql(use_warehouse, "SELECT full_name, email FROM llmes")
    values = {v for row in rows for v in row if v}
    assert len(values) > 100
    return sorted(values)


def open_page(page: str, query: dict, coordinator: bool = False) -> AppTest:
    return pages.open_page(page, "coordinator" if coordinator else "public", timeout=90, **query)


def frames(at: AppTest, seen: dict) -> list[tuple[str, pl.DataFrame]]:
    """Every table on the page and every CSV download behind its download buttons."""
    out = [("dataframe", pl.from_pandas(d.value, include_index=False)) for d in at.dataframe]
    out += [("table", pl.from_pandas(t.value, include_index=False)) for t in at.table]
    for button in at.get("download_button"):
        file_id = button.proto.deferred_file_id
        if not file_id:
            continue
        data = seen[file_id]()
        if button.proto.label.startswith("Add to calendar"):
            out.append(("ics", pl.DataFrame({"text": [data.decode() if isinstance(data, bytes) else data]})))
            continue
        # CSV or XLSX, read back; the open-data zip: each CSV in it
        out += [(f"csv {button.proto.label}", frame) for frame in download_frames(data)]
    return out


def vega_specs(at: AppTest) -> list[dict]:
    """Each chart's spec with its data: inline values, and the named datasets Streamlit sends as Arrow."""
    specs = []
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        spec["_datasets"] = {
            d.name: pa.ipc.open_stream(d.data.data).read_all().to_pylist() for d in chart.proto.datasets
        }
        specs.append(spec)
    return specs


def rendered_text(at: AppTest, tables: list[tuple[str, pl.DataFrame]], specs: list[dict]) -> str:
    parts = []
    for kind in (
        "markdown",
        "title",
        "header",
        "subheader",
        "caption",
        "success",
        "info",
        "warning",
        "error",
    ):
        parts += [e.value for e in getattr(at, kind)]
    for m in at.metric:
        parts += [m.label, m.value, m.delta or "", m.help or ""]
    parts += [json.dumps(s) for s in specs]
    for _, frame in tables:
        parts += [" ".join(frame.columns)] + [str(v) for col in frame.iter_columns() for v in col.to_list()]
    return "\n".join(str(p) for p in parts)


def small_counts_in_tables(tables: list[tuple[str, pl.DataFrame]]) -> list:
    bad = []
    for where, frame in tables:
        columns = [c for c in frame.columns if c in COUNT_COLUMNS]
        if "Hub" in frame.columns and "Kind" not in frame.columns:  # the hub x phase matrix of LLMEs
            columns += [c for c in PHASES if c in frame.columns]
        if "Academic year" in frame.columns or "academic_year" in frame.columns:  # the school journey
            columns += [
                c for c in frame.columns if c in ("Readiness", "Exploring", "Embedding", "Sustaining")
            ]
        if "What" in frame.columns and "Rows" in frame.columns:
            columns = ["Rows"]
        for column in columns:
            for value in frame[column].to_list():
                if value is not None and str(value).strip() in {str(n) for n in SMALL}:
                    bad.append((where, column, value))
    return bad


def walk(node, path=""):
    """Every (key, value) pair in a JSON tree."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for item in node:
            yield from walk(item, path)


def small_counts_in_charts(specs: list[dict]) -> list:
    bad = []
    for spec in specs:
        for key, value in walk(spec):
            if key in COUNT_FIELDS and isinstance(value, (int, float)) and value in SMALL:
                bad.append((key, value))
            if (
                key in ("llmes_text", "reach_text")
                and isinstance(value, str)
                and re.match(r"[1-4] of ", value)
            ):
                bad.append((key, value))
    return bad


def derived_shares_in_tables(tables: list[tuple[str, pl.DataFrame]]) -> list:
    """A share or shortfall shown beside a hidden count (or a hidden denominator) gives it away."""
    bad = []
    for where, frame in tables:
        for share, counts in SHARE_COLUMNS.items():
            counts = [c for c in counts if c in frame.columns]
            if share not in frame.columns or not counts:
                continue
            for row in frame.select(*counts, share).iter_rows(named=True):
                shown = row[share] is not None and str(row[share]) not in ("c", "")
                if shown and any(str(row[c]) == "c" for c in counts):
                    bad.append((where, share, row))
    return bad


def records(node):
    """Every JSON object in a tree (chart data rows among them)."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from records(value)
    elif isinstance(node, list):
        for item in node:
            yield from records(item)


def derived_shares_in_charts(specs: list[dict]) -> list:
    """Chart rows: a hidden count is null, and so is every share taken of it."""
    bad = []
    for spec in specs:
        for value in records(spec):
            for count in COUNT_FIELDS:
                if value.get(f"{count}_hidden") is True:
                    if value.get(count) is not None:
                        bad.append((count, value.get(count)))
                    bad += [
                        (f, value[f])
                        for f, c in SHARE_FIELDS.items()
                        if c == count and value.get(f) is not None
                    ]
    return bad


def leftover(total: int, cells: list) -> tuple[int, int]:
    """A published total minus its visible parts, and how many parts are hidden."""
    visible = sum(int(str(v).replace(",", "")) for v in cells if v is not None and str(v) not in ("c", ""))
    return total - visible, sum(str(v) == "c" for v in cells)


def totals_against_visible_parts(at: AppTest, tables: list[tuple[str, pl.DataFrame]]) -> list:
    """Every published total checked against its visible parts: what they leave over is 0, or at
    least 5 spread over 2 or more hidden cells (never one hidden cell, never a small number)."""
    bad = []

    def check(where: str, total_text: str, cells: list) -> None:
        if total_text.replace(",", "").isdigit():
            rest, hidden = leftover(int(total_text.replace(",", "")), cells)
            if (hidden == 1 and rest) or 1 <= rest <= 4:
                bad.append((where, total_text, rest, hidden))

    metrics = {m.label: m.value for m in at.metric}
    llmes = next((v for k, v in metrics.items() if k.startswith("Active LLMEs") and ":" not in k), None)
    reached = metrics.get("Schools reached")
    for where, frame in tables:
        if where.startswith("csv"):
            continue  # the same tables as on screen
        columns = set(frame.columns)
        if llmes and {"Hub", "Active LLMEs"} <= columns and "Phase" not in columns and "Role" not in columns:
            check(f"{where}: hubs", llmes, frame["Active LLMEs"].to_list())
        if (
            reached
            and "Schools reached" in columns
            and ({"Phase"} & columns or {"Local authority"} & columns)
        ):
            check(f"{where}: schools reached", reached, frame["Schools reached"].to_list())
        if {"Rows received", "Rows loaded", "Rows set aside"} <= columns:
            for row in frame.iter_rows(named=True):
                check(
                    f"{where}: load", str(row["Rows received"]), [row["Rows loaded"], row["Rows set aside"]]
                )
    return bad


def small_counts_in_metrics(at: AppTest) -> list:
    people = ("Active LLMEs", "Schools reached", "State schools reached", "Share of target")
    return [
        (m.label, m.value)
        for m in at.metric
        if m.label.startswith(people) and m.value.replace(",", "").strip() in {str(n) for n in SMALL}
    ]


def assert_private(at: AppTest, seen: dict, personal: list[str]) -> None:
    tables = frames(at, seen)
    specs = vega_specs(at)
    text = rendered_text(at, tables, specs)
    leaked = [v for v in personal if v in text]
    assert not leaked, f"LLME names or emails on a public page: {leaked[:5]}"
    assert not small_counts_in_tables(tables)
    assert not small_counts_in_charts(specs)
    assert not small_counts_in_metrics(at)
    assert not derived_shares_in_tables(tables)
    assert not derived_shares_in_charts(specs)
    assert not totals_against_visible_parts(at, tables)
    assert not re.search(r"\b[1-4] active LLMEs of the target", text), "progress text gives a small count"


def smallest_hub(paths, year: int) -> str:
    """The hub with the fewest active LLMEs in a year (its breakdowns have the smallest numbers)."""
    return sql(
        paths,
        """
        SELECT h.hub_id FROM hubs h LEFT JOIN llmes l ON l.hub_id = h.hub_id AND l.first_year_start <= $y
          AND (l.last_year_start IS NULL OR l.last_year_start >= $y)
        GROUP BY 1 ORDER BY count(l.llme_id), 1 LIMIT 1
        """,
        {"y": year},
    )[0][0]


def a_town(paths) -> str:
    return sql(paths, "SELECT town FROM schools WHERE town IS NOT NULL ORDER BY urn LIMIT 1")[0][0]


def a_district(paths) -> str:
    return sql(paths, "SELECT postcode_district FROM hub_areas WHERE lad_name = 'Hartlepool'")[0][0]


STATES = [
    ("national_map", {}),
    ("national_map", {"year": "2023/24", "colour": "Active LLMEs vs target"}),
    ("national_map", {"colour": "Share of schools reached", "find": "TOWN"}),
    ("llme_coverage", {}),
    ("llme_coverage", {"year": "2025/26", "region": "London", "role": "Cohort Lead"}),
    ("llme_coverage", {"year": "2022/23", "accreditation": "PD Lead"}),
    (
        "llme_coverage",
        {"region": "South West", "role": "Community Lead", "accreditation": "School Development Lead"},
    ),
    ("hub_profile", {"hub": "glow"}),
    ("hub_profile", {"hub": "SMALLEST", "year": "2023/24"}),
    ("hub_profile", {"hub": "SMALLEST", "print": "true"}),
    ("work_group_finder", {}),
    ("work_group_finder", {"phase": "secondary", "place": "DISTRICT", "open": "1"}),
    ("about_data", {}),
]


@pytest.mark.parametrize(("page", "query"), STATES, ids=[f"{p}-{i}" for i, (p, _) in enumerate(STATES)])
def test_public_pages_show_no_personal_data_and_no_small_counts(
    use_warehouse, personal, downloads, page, query
):
    fill = {
        "TOWN": a_town(use_warehouse),
        "DISTRICT": a_district(use_warehouse),
        "SMALLEST": smallest_hub(use_warehouse, 2023),
    }
    query = {k: fill.get(v, v) for k, v in query.items()}
    at = open_page(page, query)
    assert_private(at, downloads, personal)
    if page in ("national_map", "llme_coverage", "hub_profile", "about_data") and not query.get("print"):
        assert at.get("download_button"), "the page's downloads were checked"


def test_the_name_check_would_catch_a_name(use_warehouse, personal, downloads):
    """The coordinator-only roster shows names: the same collector finds them there."""
    at = open_page("hub_roster", {"hub": "glow"}, coordinator=True)
    tables = frames(at, downloads)
    assert any(v in rendered_text(at, tables, vega_specs(at)) for v in personal)


def test_the_checks_would_catch_a_small_count(use_warehouse, downloads):
    """The same filter state signed in as a coordinator shows exact small numbers: the switch works,
    and the checks above are not vacuous."""
    query = {"year": "2025/26", "region": "London", "role": "Cohort Lead"}
    at = open_page("llme_coverage", query, coordinator=True)
    tables = frames(at, downloads)
    assert small_counts_in_tables(tables), "a coordinator sees exact counts of 1-4"
    assert any(w.startswith("csv") for w, *_ in small_counts_in_tables(tables)), "exact downloads too"
    assert small_counts_in_charts(vega_specs(at))


def test_the_rule_is_documented_on_the_about_page(use_warehouse):
    from dashboard.privacy import LEGEND

    at = open_page("about_data", {})
    assert any(h.value == "Small numbers" for h in at.header)
    text = " ".join(m.value for m in at.markdown)
    assert "between 1 and 4 are shown as **c**" in text and LEGEND in text
    coverage = open_page("llme_coverage", {"region": "London", "role": "Cohort Lead"})
    legend = [m.value for m in coverage.markdown if LEGEND in m.value]
    assert legend and all("about#small-numbers" in line for line in legend)


def test_the_share_and_total_checks_would_catch_a_leak():
    """The checks above are not vacuous: a share beside a hidden count, and a total whose visible
    parts leave one hidden cell (or a small remainder), are reported."""
    leak = pl.DataFrame({"Hub": ["a", "b"], "Active LLMEs": ["c", "40"], "% of target": ["4", "80"]})
    assert derived_shares_in_tables([("dataframe", leak)])
    assert leftover(44, ["c", "40"]) == (4, 1)
    assert leftover(42, ["c", "c", "40"]) == (2, 2)  # two hidden cells adding up to 2: both are 1


def test_glow_profile_hides_small_denominators_with_open_data(
    warehouse_open, monkeypatch, personal, downloads
):
    """Issue 16: the GLOW profile said "1 school in area, c reached". With the real register a phase
    with 1 to 4 schools in GLOW's area is hidden with its schools reached and its share, and what
    the visible phases leave of the hub's total is never a small number."""
    monkeypatch.setenv("ATLAS_DATA_DIR", str(warehouse_open.data_dir))
    small_phases = sql(
        warehouse_open,
        "SELECT count(*) FROM "
        "(SELECT phase FROM schools WHERE hub_id = 'glow' GROUP BY phase HAVING count(*) < 5)",
    )[0][0]
    at = open_page("hub_profile", {"hub": "glow"})
    assert_private(at, downloads, personal)
    by_phase = next(
        d.value for d in at.dataframe if "Phase" in d.value.columns and "Schools in area" in d.value.columns
    )
    assert not {str(n) for n in SMALL} & {str(v) for v in by_phase["Schools in area"]}
    if small_phases:
        assert (by_phase["Schools in area"].astype(str) == "c").sum() >= 2
