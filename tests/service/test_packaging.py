"""Packaging: the lock file matches pyproject.toml (so `make run`/`make test` install what is
declared), numpy is declared, and the chart path survives losing Streamlit's private converter."""

from __future__ import annotations

import re
import tomllib

import altair as alt
import polars as pl

from dashboard import vega
from pipelines.config import REPO_ROOT


def _declared() -> set[tuple[str, str, str]]:
    """(name, specifier, extra) for every requirement in pyproject.toml ("" for the runtime set)."""
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = [("", r) for r in project["dependencies"]]
    for extra, extra_reqs in project.get("optional-dependencies", {}).items():
        reqs += [(extra, r) for r in extra_reqs]
    out = set()
    for extra, req in reqs:
        m = re.match(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?\s*(.*)$", req)
        out.add((m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", ""), extra))
    return out


def test_uv_lock_is_in_step_with_pyproject_and_declares_numpy():
    lock = tomllib.loads((REPO_ROOT / "uv.lock").read_text(encoding="utf-8"))
    me = next(p for p in lock["package"] if p["name"] == "maths-hubs-atlas")
    locked = {
        (r["name"], r.get("specifier", ""), re.sub(r"^extra == '(.*)'$", r"\1", r.get("marker", "")))
        for r in me["metadata"]["requires-dist"]
    }
    assert locked == _declared(), "uv.lock is stale: run `uv lock` after changing pyproject.toml"
    names = {p["name"] for p in lock["package"]}
    assert {"numpy", "psycopg", "psycopg-pool", "streamlit", "duckdb"} <= names
    assert ("numpy", ">=2", "") in _declared()


def test_charts_still_convert_without_streamlits_private_function(monkeypatch):
    chart = alt.Chart(pl.DataFrame({"x": [1, 2], "y": [3, 4]})).mark_bar().encode(x="x:Q", y="y:Q")
    with_private = vega.altair_spec(chart)
    monkeypatch.setattr(vega, "_streamlit_convert", None)
    fallback = vega.altair_spec(chart)
    assert fallback["mark"]["type"] == with_private["mark"]["type"] == "bar"
    assert fallback["encoding"]["x"]["field"] == "x"
    values = next(iter(fallback["datasets"].values()))
    assert values == [{"x": 1, "y": 3}, {"x": 2, "y": 4}]
