"""The national query functions are plain functions of a DuckDB cursor: they run on a connection
opened here to the test warehouse, with no Streamlit runtime, no cache and no ATLAS_DATA_DIR (it
points at an empty directory, so anything that reached for the app's connection would fail).

Expected numbers come from independent SQL on the base tables (tests/independent_sql.py).
"""

from __future__ import annotations

import duckdb
import pytest
import streamlit as st

from dashboard.data import about, common, coverage, db, hub_profile, national_map
from pipelines import domain
from pipelines.warehouse.store import current_snapshot
from tests.independent_sql import ACTIVE_BY_HUB, ACTIVE_LLMES, sql

YEAR = 2026  # the current academic year for the test warehouse's build date


@pytest.fixture
def con(warehouse, tmp_path, monkeypatch):
    """A plain read-only connection to the warehouse; the app's own connection cannot be found."""
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    st.cache_resource.clear()
    with pytest.raises(db.NoWarehouse):
        db.cursor()
    with duckdb.connect(str(current_snapshot(warehouse)), read_only=True) as connection:
        yield connection
    st.cache_resource.clear()


def test_hub_summary_and_coverage_run_on_a_plain_connection(con, warehouse):
    summary = national_map.fetch_hub_summary(con, YEAR, exact=True)
    assert summary.height == 40
    llmes = dict(sql(warehouse, ACTIVE_BY_HUB, {"y": YEAR}))
    assert dict(summary.select("hub_id", "active_llmes").iter_rows()) == {
        h: llmes.get(h, 0) for h in summary["hub_id"]
    }
    totals = coverage.fetch_llme_hub_totals(con, YEAR, None, None, None, exact=True)
    assert totals["active_llmes"].sum() == sql(warehouse, ACTIVE_LLMES, {"y": YEAR})[0][0]


def test_the_privacy_gate_still_applies_in_the_pure_functions(con):
    """Small counts: exact viewers see them, the public gets them hidden (as the cached pages do)."""
    exact = coverage.fetch_llme_matrix(con, YEAR, None, "community_lead", None, exact=True)
    public = coverage.fetch_llme_matrix(con, YEAR, None, "community_lead", None, exact=False)
    small = exact["active_llmes"].is_between(1, 4)
    assert small.any()
    assert public.filter(small)["active_llmes"].is_null().all()
    assert "active_llmes_hidden" in public.columns


def test_reference_queries_and_compositions_use_the_given_cursor(con, warehouse):
    counts = dict(about.fetch_table_counts(con, exact=True).select("what", "n").iter_rows())
    assert counts["Maths Hubs"] == sql(warehouse, "SELECT count(*) FROM hubs")[0][0]
    years, default = common.fetch_year_choices(con)
    today = sql(warehouse, "SELECT value FROM build_info WHERE key = 'today'")[0][0]
    assert default == domain.year_label(domain.current_year_start(today)) and default in years
    a_hub = sql(warehouse, "SELECT hub_id FROM hubs ORDER BY hub_id LIMIT 1")[0][0]
    head = hub_profile.fetch_hub_headlines(con, a_hub, YEAR, exact=True)
    llmes = dict(sql(warehouse, ACTIVE_BY_HUB, {"y": YEAR})).get(a_hub, 0)
    assert head.filter(head["measure"] == "active_llmes")["hub"].item() == llmes


def test_cached_wrappers_return_what_the_pure_functions_do(use_warehouse):
    st.cache_data.clear()
    st.cache_resource.clear()
    with duckdb.connect(str(current_snapshot(use_warehouse)), read_only=True) as con:
        assert national_map.hub_summary(YEAR, exact=False).equals(
            national_map.fetch_hub_summary(con, YEAR, exact=False)
        )
        assert about.load_history(exact=False).equals(about.fetch_load_history(con, exact=False))
    st.cache_data.clear()
    st.cache_resource.clear()


def test_the_app_reads_the_snapshot_with_small_allocator_caches_and_one_thread(use_warehouse):
    st.cache_resource.clear()
    try:
        with db.cursor() as cur:
            got = dict(cur.sql("SELECT name, value FROM duckdb_settings()").fetchall())
        assert got["threads"] == "1"
        assert got["allocator_background_threads"] == "true"
        assert got["allocator_flush_threshold"] in {"4MB", "4.0 MiB", "4000000B", "4194304B"}, got
        # another reader of the same file in this process is not refused for its configuration
        with duckdb.connect(str(current_snapshot(use_warehouse)), read_only=True) as other:
            assert other.sql("SELECT count(*) FROM hubs").fetchall()[0][0] > 0
    finally:
        st.cache_resource.clear()
