"""Expected numbers computed straight from the warehouse file, never through the app's queries."""

from __future__ import annotations

import duckdb

from pipelines.warehouse.store import current_snapshot

ACTIVE = "first_year_start <= $y AND (last_year_start IS NULL OR last_year_start >= $y)"
ACTIVE_LLMES = f"SELECT count(*) FROM llmes WHERE {ACTIVE}"  # noqa: S608 - constant text
ACTIVE_IN_HUB = f"SELECT count(*) FROM llmes WHERE hub_id = $h AND {ACTIVE}"  # noqa: S608
ACTIVE_BY_HUB = f"SELECT hub_id, count(*) FROM llmes WHERE {ACTIVE} GROUP BY 1"  # noqa: S608


def sql(paths, query: str, params=None) -> list[tuple]:
    with duckdb.connect(str(current_snapshot(paths)), read_only=True) as con:
        return con.sql(query, params=params).fetchall()
