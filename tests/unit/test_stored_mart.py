"""The finder's mart stored as a table at publish (`store.publish`, issue 13): the same rows as the
view, every search the same from either, and a load's change reaches the stored copy. Real DuckDB on
built warehouses; no mocks."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import duckdb
import pytest

from dashboard.data import finder as F
from dashboard.data.finder_params import ALL_YEARS, Filters
from pipelines.warehouse import store

ROWS = "SELECT * FROM {} ORDER BY work_group_id"


def _same_rows(con) -> bool:
    view = con.execute(ROWS.format("mart_work_group_search")).fetchall()
    return view == con.execute(ROWS.format("mart_work_group_search_stored")).fetchall()


def test_a_built_snapshot_stores_the_mart_with_the_views_rows(warehouse):
    with duckdb.connect(str(store.current_snapshot(warehouse)), read_only=True) as con:
        assert F.has_stored_mart(con) and F.build_dates(con).stored
        assert con.execute("SELECT count(*) FROM mart_work_group_search_stored").fetchall()[0][0] > 0
        assert _same_rows(con)


@pytest.mark.parametrize(
    "filters, where",
    [
        (Filters(), None),
        (Filters(phases=("primary",), started=True), None),
        (Filters(sort="title", year=ALL_YEARS, open_only=True), None),
        (Filters(radius=20), "B91 3PD"),
        (Filters(delivery=("face_to_face", "blended"), date_to=date(2027, 3, 1)), "Leeds"),
    ],
)
def test_searches_of_the_stored_mart_equal_searches_of_the_view(warehouse_open, filters, where):
    with duckdb.connect(str(store.current_snapshot(warehouse_open)), read_only=True) as con:
        stored = F.build_dates(con)
        view = replace(stored, stored=False)
        place = F.resolve_place(con, where) if where else None
        assert place is None or isinstance(place, F.Place)
        found = F.search(con, filters, place, stored)
        assert found.height > 0 and found.equals(F.search(con, filters, place, view))
        assert F.radius_counts(con, filters, place, stored) == F.radius_counts(con, filters, place, view)
        hubs = F.hubs_with_matches(con, filters, place, 4, stored)
        assert hubs.equals(F.hubs_with_matches(con, filters, place, 4, view))


def test_a_published_change_reaches_the_stored_mart(fresh_warehouse):
    snap = store.start_snapshot(fresh_warehouse, fresh=False)
    with duckdb.connect(str(snap)) as con:
        victim = con.execute("SELECT min(work_group_id) FROM work_groups").fetchall()[0][0]
        con.execute("DELETE FROM work_groups WHERE work_group_id = ?", [victim])
        con.execute(
            "UPDATE work_groups SET title = 'Renamed' "
            "WHERE work_group_id = (SELECT max(work_group_id) FROM work_groups)"
        )
    store.publish(fresh_warehouse, snap)
    with duckdb.connect(str(store.current_snapshot(fresh_warehouse)), read_only=True) as con:
        assert _same_rows(con)
        stored = con.execute("SELECT work_group_id, title FROM mart_work_group_search_stored").fetchall()
    assert victim not in {w for w, _ in stored} and "Renamed" in {t for _, t in stored}


def test_a_snapshot_without_the_stored_mart_is_searched_through_the_view(warehouse, tmp_path):
    """A snapshot published by older code has no stored copy: the finder reads the view."""
    copy = tmp_path / "old.duckdb"
    copy.write_bytes(store.current_snapshot(warehouse).read_bytes())
    with duckdb.connect(str(copy)) as con:
        con.execute("DROP TABLE mart_work_group_search_stored")
        dates = F.build_dates(con)
        assert not dates.stored
        assert F.search(con, Filters(), None, dates).height > 0


def test_a_snapshot_changed_after_publishing_is_searched_through_the_view(warehouse, tmp_path):
    """Written in place after its publish (as some tests do), the stored copy is stale: not used."""
    copy = tmp_path / "changed.duckdb"
    copy.write_bytes(store.current_snapshot(warehouse).read_bytes())
    with duckdb.connect(str(copy)) as con:
        assert F.has_stored_mart(con)
        con.execute(
            "UPDATE work_groups SET title = 'Changed' "
            "WHERE work_group_id = (SELECT min(work_group_id) FROM work_groups)"
        )
        assert not F.has_stored_mart(con)
        assert "Changed" in F.search(con, Filters(year=ALL_YEARS, started=True), None)["title"].to_list()
