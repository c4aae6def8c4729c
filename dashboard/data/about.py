"""Queries for About the data: definitions, the load log, hub facts provenance, table counts; and two
pure summaries of their results (the kinds of professional development, the confidence sentence).

Each query is a plain function of a DuckDB cursor (`fetch_*`), so tests run it on any warehouse
file without Streamlit; the cached wrapper of the same name without `fetch_` is what pages call."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import privacy
from dashboard.cache import QUERY as CACHE
from dashboard.data.common import any_hidden
from dashboard.data.db import as_frame, run

disclose = privacy.public_view  # the one gate; short name used by every query below


def fetch_definitions(cur) -> pl.DataFrame:
    """Labels and descriptions of the phases, roles, accreditations and stages."""
    return as_frame(
        cur,
        """
        SELECT vocabulary, label, description FROM vocabularies
        WHERE vocabulary IN ('phase', 'role', 'accreditation', 'stage', 'pd_kind', 'target')
        ORDER BY vocabulary, sort_order
        """,
    )


@st.cache_data(**CACHE)
def definitions() -> pl.DataFrame:
    return run(fetch_definitions)


LOAD_COUNTS = ["received", "loaded", "quarantined"]


def fetch_load_history(cur, limit: int = 50, *, exact: bool) -> pl.DataFrame:
    """The newest loads from the load log (no file contents, no personal data). Rows of a file are
    records of people or schools, so the counts are suppressed (received = loaded + quarantined is
    a published total within each load); the free-text message is for exact viewers only."""
    frame = as_frame(
        cur,
        """
        SELECT run_id, started_at, kind, entity, file_name, status, received, loaded, quarantined, message
        FROM load_log ORDER BY started_at DESC, run_id DESC LIMIT ?
        """,
        [limit],
    ).with_row_index("_load")
    if frame.is_empty():
        return frame.select("started_at", "kind", "entity", "file_name", "status", *LOAD_COUNTS)
    long = frame.unpivot(LOAD_COUNTS, index="_load", variable_name="measure", value_name="n")
    long = disclose(long, ["n"], exact, totals_over=[["_load"]])
    counts = pl.col("n_shown") if any_hidden(long, "n") else pl.col("n")
    wide = long.select("_load", "measure", counts.alias("n")).pivot(on="measure", index="_load", values="n")
    frame = frame.drop(LOAD_COUNTS).join(wide, on="_load", how="left")
    keep = ["started_at", "kind", "entity", "file_name", "status", *LOAD_COUNTS] + (
        ["message"] if exact else []
    )
    return frame.select(keep)


@st.cache_data(**CACHE)
def load_history(limit: int = 50, *, exact: bool) -> pl.DataFrame:
    return run(fetch_load_history, limit, exact=exact)


def fetch_provenance_summary(cur) -> pl.DataFrame:
    """Per hub: how sure the published facts are, where its map point comes from, and how many of
    its districts are declared by a published source versus estimated by us."""
    return as_frame(
        cur,
        """
        SELECT h.name AS hub, h.region, h.confidence, h.status, h.map_point_source,
               count(a.lad_code) AS districts,
               count(a.lad_code) FILTER (WHERE a.provenance = 'declared') AS declared,
               count(a.lad_code) FILTER (WHERE a.provenance = 'estimated') AS estimated
        FROM hubs AS h LEFT JOIN hub_areas AS a USING (hub_id)
        GROUP BY ALL
        ORDER BY h.name
        """,
    )


@st.cache_data(**CACHE)
def provenance_summary() -> pl.DataFrame:
    return run(fetch_provenance_summary)


def fetch_table_counts(cur, *, exact: bool) -> pl.DataFrame:
    """Row counts of the public tables behind these pages (each a national total: 1-4 hidden)."""
    frame = as_frame(
        cur,
        """
        SELECT 'Maths Hubs' AS what, count(*) AS n FROM hubs
        UNION ALL SELECT 'Districts (local authority districts) assigned to a hub', count(*) FROM hub_areas
        UNION ALL SELECT 'District boundaries loaded', count(*) FROM lad_boundaries
        UNION ALL SELECT 'Postcode districts loaded', count(*) FROM postcode_districts
        UNION ALL SELECT 'Schools', count(*) FROM schools
        UNION ALL SELECT 'Programmes', count(*) FROM programmes
        UNION ALL SELECT 'LLMEs (any year)', count(*) FROM llmes_public
        UNION ALL SELECT 'Work Groups (any year)', count(*) FROM work_groups
        UNION ALL SELECT 'School participations', count(*) FROM participations
        """,
    )
    return disclose(frame, ["n"], exact)


@st.cache_data(**CACHE)
def table_counts(*, exact: bool) -> pl.DataFrame:
    return run(fetch_table_counts, exact=exact)


def pd_kinds(terms: pl.DataFrame) -> tuple[list[str], list[str]]:
    """The kinds of professional development (vocabulary `pd_kind` of `definitions()`): those on ACME's
    2013 list, and ours (their descriptions say which)."""
    kinds = terms.filter(pl.col("vocabulary") == "pd_kind")
    on_acme = pl.col("description").str.starts_with("On ACME's list")
    return kinds.filter(on_acme)["label"].to_list(), kinds.filter(~on_acme)["label"].to_list()


def confidence_line(prov: pl.DataFrame) -> str:
    """How many hubs' published facts have each confidence, as a sentence (from provenance_summary())."""
    confidence = prov.group_by("confidence").len("hubs").sort("confidence")
    return (
        "Confidence in each hub's published facts: "
        + ", ".join(
            f"**{row['confidence'] or 'unknown'}** {row['hubs']}" for row in confidence.iter_rows(named=True)
        )
        + " hubs."
    )
