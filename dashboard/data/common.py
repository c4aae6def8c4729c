"""Queries every page shares: build facts (sample data? open data loaded?), hubs list, years.

Each query is a plain function of a DuckDB cursor (`fetch_*`), so tests run it on any warehouse
file without Streamlit; the cached wrapper of the same name without `fetch_` is what pages call."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.cache import REFERENCE
from dashboard.data.db import as_frame, run
from pipelines import domain


def fetch_build_info(cur) -> dict[str, str]:
    info = dict(as_frame(cur, "SELECT key, value FROM build_info").iter_rows())
    info["has_sample"] = str(
        as_frame(
            cur,
            "SELECT (SELECT count(*) FROM llmes WHERE is_sample) "
            "+ (SELECT count(*) FROM work_groups WHERE is_sample) AS n",
        ).item()
        > 0
    )
    info["last_load"] = str(as_frame(cur, "SELECT max(started_at) FROM load_log").item() or "")
    return info


@st.cache_data(**REFERENCE)
def build_info() -> dict[str, str]:
    return run(fetch_build_info)


def fetch_hubs(cur) -> pl.DataFrame:
    return as_frame(cur, "SELECT hub_id, name, region, website, lead_schools, town FROM hubs ORDER BY name")


@st.cache_data(**REFERENCE)
def hubs() -> pl.DataFrame:
    return run(fetch_hubs)


def fetch_academic_years(cur) -> pl.DataFrame:
    return as_frame(cur, "SELECT year_start, academic_year FROM academic_years ORDER BY year_start")


@st.cache_data(**REFERENCE)
def academic_years() -> pl.DataFrame:
    return run(fetch_academic_years)


def fetch_current_year_start(cur) -> int:
    """The current academic year: `domain.current_year_start` of the build's "today"."""
    return domain.current_year_start(fetch_build_info(cur).get("today"))


@st.cache_data(**REFERENCE)
def current_year_start() -> int:
    return run(fetch_current_year_start)


def current_year() -> str:
    """The current academic year's label ("2026/27")."""
    return domain.year_label(current_year_start())


TARGET_PER_HUB = 50


NATIONAL_TARGET = 2_000


GAP_THRESHOLD = 3  # "fewer than 3 active LLMEs in a phase" is called out as a gap


# Shares and shortfalls computed from a count: hidden ("c") wherever that count is hidden.
DERIVED = {
    "share_of_target": "active_llmes",
    "short_of_target": "active_llmes",
    "reach_share": "schools_reached",
}


def any_hidden(frame: pl.DataFrame, *counts: str) -> bool:
    """Whether any of these counts is hidden in the frame (then the page shows the legend line)."""
    return any(f"{c}_hidden" in frame.columns and frame[f"{c}_hidden"].any() for c in counts)


def fetch_labels(cur, vocabulary: str) -> pl.DataFrame:
    """code, label, sort_order for one controlled vocabulary (phase, role, accreditation, stage)."""
    return as_frame(
        cur,
        "SELECT code, label, sort_order FROM vocabularies WHERE vocabulary = ? ORDER BY sort_order, code",
        [vocabulary],
    )


@st.cache_data(**REFERENCE)
def labels(vocabulary: str) -> pl.DataFrame:
    return run(fetch_labels, vocabulary)


def fetch_regions(cur) -> list[str]:
    return as_frame(cur, "SELECT DISTINCT region FROM hubs WHERE region IS NOT NULL ORDER BY region")[
        "region"
    ].to_list()


@st.cache_data(**REFERENCE)
def regions() -> list[str]:
    return run(fetch_regions)


def fetch_year_choices(cur) -> tuple[list[str], str]:
    """The academic years to offer, oldest first, and the default: the current one
    (`domain.current_year_start`), offered even before any LLME or Work Group of it is loaded."""
    current = fetch_current_year_start(cur)
    starts = {*fetch_academic_years(cur)["year_start"].to_list(), current}
    return [domain.year_label(y) for y in sorted(starts)], domain.year_label(current)


@st.cache_data(**REFERENCE)
def year_choices() -> tuple[list[str], str]:
    return run(fetch_year_choices)
