"""One read-only DuckDB connection on the current snapshot, and a cursor per query.

DuckDB 2 refuses concurrent calls on one connection, so each query takes its own cursor. The
connection follows the CURRENT pointer: when a load publishes a new snapshot, the next query
opens the new file (a new name, so DuckDB's same-process instance cache cannot serve stale data)
and the cached query results are cleared.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import streamlit as st

from pipelines.config import paths
from pipelines.warehouse.store import current_snapshot

# Server memory (issue 13): under 20 simulated users at scale 10, closing this connection freed ~86 MB
# although duckdb_memory() reported 18 MB in use: memory DuckDB's allocator kept in per-thread caches
# (up to 128 MiB by default) for the many threads Streamlit runs queries on. With a 4 MB flush
# threshold, background purging and one worker thread it freed ~30 MB. One thread: the queries are
# small, and Streamlit already runs one per session in parallel on the machine's cores.
READER_CONFIG = {"allocator_flush_threshold": "4MB", "allocator_background_threads": True, "threads": 1}


class NoWarehouse(RuntimeError):
    """No snapshot has been published yet."""


@dataclass(frozen=True)
class Handle:
    path: Path
    con: duckdb.DuckDBPyConnection


def snapshot_path() -> Path | None:
    return current_snapshot(paths())


def _still_current(handle: Handle) -> bool:
    return handle.path == snapshot_path()


@st.cache_resource(validate=_still_current, on_release=lambda h: h.con.close(), max_entries=1)
def _handle() -> Handle:
    path = snapshot_path()
    if path is None:
        raise NoWarehouse("No warehouse has been built yet. Run `make run` (or `atlas build`) first.")
    st.cache_data.clear()  # results cached from the previous snapshot are stale now
    con = duckdb.connect(str(path), read_only=True)
    # SET rather than connect(config=...): another connection to the same file in this process (a
    # test's, a download's) would otherwise be refused for its different configuration.
    for name, value in READER_CONFIG.items():  # our own constants, not input
        con.execute(f"SET {name} = '{value}'")
    return Handle(path, con)


def follow_current() -> Path:
    """Called at the start of every script run: if a load has published a new snapshot since the
    last run, switch to it now (and drop every cached result), rather than when the cached results
    expire. Reading the pointer costs microseconds; replicas on a shared volume all follow it."""
    return _handle().path


def cursor() -> duckdb.DuckDBPyConnection:
    """A fresh cursor on the current snapshot (close it: `with cursor() as cur`). Query functions
    take it as their first argument, so tests run them on any DuckDB file without Streamlit."""
    return _handle().con.cursor()


def run(fn, *args, **kwargs):
    """`fn(cursor, *args, **kwargs)` on a fresh cursor: what each cached wrapper calls."""
    with cursor() as cur:
        return fn(cur, *args, **kwargs)


def as_frame(cur: duckdb.DuckDBPyConnection, sql: str, params: list | dict | None = None) -> pl.DataFrame:
    """Parameterised SQL on the given cursor as a polars frame: what the pure query functions use."""
    return cur.sql(sql, params=params).pl()


def query(sql: str, params: list | dict | None = None) -> pl.DataFrame:
    """Run parameterised SQL on a fresh cursor and return a polars frame."""
    with cursor() as cur:
        return as_frame(cur, sql, params)
