"""Every figure on every page (titles, metrics, tables, chart data) against a committed baseline.

The baseline was captured from the app on the session warehouse (sample scale 0.2, "today" pinned,
no open data), so a refactor can prove that no figure moved. Each view is one readable text file in
tests/apptest/figures/; a failure prints the unified diff.

When a change is *meant* to move figures (e.g. a new definition agreed in an issue), regenerate and
review the diff before committing it:

    ATLAS_UPDATE_FIGURES=1 .venv/bin/python -m pytest tests/apptest/test_page_figures.py -q
    git diff tests/apptest/figures/

Values that change with every build (when it was built, load times) are left out.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

import polars as pl
import pytest

from tests.apptest.pages import csv_text, open_page, tables, vega_specs

FIGURES = Path(__file__).parent / "figures"
UPDATE = os.environ.get("ATLAS_UPDATE_FIGURES") == "1"
VOLATILE_METRICS = {"Warehouse built", "Last load"}
VOLATILE_COLUMNS = {"started_at", "Started (UTC)", "loaded_at", "at", "seconds", "run_id"}
PERSONAL_PAGES = {"hub_roster"}  # named LLMEs: only the page's counts go into a committed file

# name -> (page, viewer, query parameters)
VIEWS: dict[str, tuple[str, str, dict]] = {
    "map": ("national_map", "public", {}),
    "map-2024-exact": ("national_map", "coordinator", {"year": "2024/25"}),
    "coverage": ("llme_coverage", "public", {}),
    "coverage-filtered-exact": (
        "llme_coverage",
        "coordinator",
        {"year": "2025/26", "region": "North West", "role": "Work Group Lead"},
    ),
    "hub-glow": ("hub_profile", "public", {"hub": "glow"}),
    "hub-origin-2025-exact": ("hub_profile", "coordinator", {"hub": "origin", "year": "2025/26"}),
    "about": ("about_data", "public", {}),
    "finder": ("work_group_finder", "public", {}),
    "finder-secondary-all-years": (
        "work_group_finder",
        "public",
        {"phase": "secondary", "year": "all", "sort": "title"},
    ),
    "roster-origin": ("hub_roster", "coordinator", {"hub": "origin"}),
}


def _as_seen(frame: pl.DataFrame) -> pl.DataFrame:
    """Text as the reader sees it: Markdown escapes (st.table renders cells as Markdown) removed,
    so a change of escaper is not a change of figures."""
    return frame.with_columns(
        pl.col(c).str.replace_all(r"\\([^\w\s])", "$1").str.replace_all("\u200b", "", literal=True)
        for c, t in frame.schema.items()
        if t == pl.String
    )


def _round(value):
    """Floats to 9 significant digits, so the baseline does not depend on the last bit."""
    if isinstance(value, float):
        return float(f"{value:.9g}")
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items() if k != "geometry"}
    if isinstance(value, list):
        return [_round(v) for v in value]
    return value


def _chart_rows(spec: dict) -> list[dict]:
    rows = list(spec.get("data", {}).get("values", []) or [])
    for layer in spec.get("layer", []):
        rows += layer.get("data", {}).get("values", []) or []
    for values in spec.get("datasets", {}).values():
        rows += values
    for values in spec["_datasets"].values():
        rows += values
    if isinstance(spec.get("data", {}).get("values"), dict):  # GeoJSON: its features' properties
        rows = [f.get("properties", {}) for f in spec["data"]["values"].get("features", [])]
    return rows


def figures(page: str, who: str, params: dict) -> str:
    """The page's figures as text: one section per element, in page order within each kind."""
    at = open_page(page, who, timeout=120, **params)
    out = [f"# {page} as {who}, query {json.dumps(params, sort_keys=True)}"]
    out += [f"title: {t.value}" for t in at.title]
    for m in at.metric:
        value = "(varies)" if m.label in VOLATILE_METRICS else m.value
        out.append(f"metric: {m.label} | {value} | {m.delta or ''}")
    if page not in PERSONAL_PAGES:
        for i, (kind, frame) in enumerate(tables(at), 1):
            frame = _as_seen(frame.drop([c for c in frame.columns if c in VOLATILE_COLUMNS]))
            out.append(f"\n## {kind} {i}: {frame.height} rows")
            out.append(csv_text(frame).rstrip("\n"))
    for i, spec in enumerate(vega_specs(at), 1):
        rows = _chart_rows(spec)
        out.append(f"\n## chart {i}: {spec.get('description', '')}")
        # Row order inside a chart's data is not a figure (some builders group without order).
        out += sorted(json.dumps(_round(r), sort_keys=True, default=str) for r in rows)
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("view", list(VIEWS))
def test_page_figures_match_the_baseline(use_warehouse, view):
    page, who, params = VIEWS[view]
    got = figures(page, who, params)
    path = FIGURES / f"{view}.txt"
    if UPDATE or not path.exists():
        FIGURES.mkdir(exist_ok=True)
        path.write_text(got, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"no baseline for {view}: written {path}; review and commit it")
        return
    want = path.read_text(encoding="utf-8")
    if got != want:
        diff = difflib.unified_diff(
            want.splitlines(), got.splitlines(), f"baseline/{view}", f"now/{view}", lineterm="", n=1
        )
        lines = list(diff)
        more = f"\n... {len(lines) - 80} more diff lines" if len(lines) > 80 else ""
        pytest.fail(
            f"figures on {view} changed (ATLAS_UPDATE_FIGURES=1 to accept):\n" + "\n".join(lines[:80]) + more
        )
