"""Queries behind sign-in: named LLME rosters, quarantine rows, the load log.

Only pages that have checked the viewer's role call these; public pages never do. Each query is a
plain function of a DuckDB cursor (`fetch_*`); the cached wrapper without `fetch_` is what pages call.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.cache import SIGNED_IN
from dashboard.data.db import as_frame, run
from pipelines.config import paths
from pipelines.ops import journal
from pipelines.vocab import vocab


def _labelled(frame: pl.DataFrame, column: str, vocabulary: str) -> pl.Expr:
    labels = vocab(vocabulary).labels
    return pl.col(column).list.eval(pl.element().replace_strict(labels, default=pl.element()))


def fetch_roster(cur, hub_ids: tuple[str, ...], year_start: int) -> pl.DataFrame:
    """Named LLMEs of the given hubs (no emails: the roster's purpose is checking who and what)."""
    frame = as_frame(
        cur,
        """
        SELECT l.llme_id, h.name AS hub, l.full_name, l.school_name, l.roles, l.phases, l.accreditations,
               l.first_active_year, l.last_active_year,
               llme_active_in(l.first_year_start, l.last_year_start, $year) AS active
        FROM llmes AS l JOIN hubs AS h USING (hub_id)
        WHERE list_contains($hubs, l.hub_id)
        ORDER BY h.name, active DESC, l.full_name
        """,
        {"hubs": list(hub_ids), "year": year_start},
    )
    return frame.with_columns(
        _labelled(frame, "roles", "role"),
        _labelled(frame, "phases", "phase"),
        _labelled(frame, "accreditations", "accreditation"),
    )


@st.cache_data(**SIGNED_IN)
def roster(hub_ids: tuple[str, ...], year_start: int) -> pl.DataFrame:
    return run(fetch_roster, hub_ids, year_start)


def fetch_quarantine(cur, hub_ids: tuple[str, ...] | None) -> pl.DataFrame:
    """Quarantined rows with reasons; None = every hub (coordinators)."""
    return as_frame(
        cur,
        """
        SELECT q.run_id, l.started_at AS loaded_at, q.entity, q.file_name, q.row_number, q.column_name,
               q.rule, q.reason, q.hub_id, q.raw
        FROM quarantine AS q LEFT JOIN load_log AS l USING (run_id)
        WHERE $all OR list_contains($hubs, q.hub_id)
        ORDER BY q.run_id DESC, q.row_number
        """,
        {"all": hub_ids is None, "hubs": list(hub_ids or ())},
    )


@st.cache_data(**SIGNED_IN)
def quarantine(hub_ids: tuple[str, ...] | None) -> pl.DataFrame:
    return run(fetch_quarantine, hub_ids)


def fetch_load_runs(cur) -> pl.DataFrame:
    return as_frame(
        cur,
        "SELECT run_id, kind, entity, file_name, started_at, round(duration_s, 2) AS seconds,"
        " status, received,"
        " loaded, quarantined, extra_columns, message FROM load_log ORDER BY run_id DESC",
    )


@st.cache_data(**SIGNED_IN)
def load_runs() -> pl.DataFrame:
    return run(fetch_load_runs)


def rejected_runs(limit: int = 200) -> pl.DataFrame:
    """Rejected loads never reach a snapshot; the load journal in the ops store keeps them."""
    frame = journal.runs(paths(), limit=limit, status="rejected")
    return frame.select(pl.col("finished_at").alias("at"), "entity", "file", "message", "upload_id")
