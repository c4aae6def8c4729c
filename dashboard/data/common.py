"""Queries every page shares: build facts (sample data? open data loaded?), hubs list, years."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.data.db import query
from pipelines import domain


@st.cache_data(ttl="1h", max_entries=4)
def build_info() -> dict[str, str]:
    info = dict(query("SELECT key, value FROM build_info").iter_rows())
    info["has_sample"] = str(
        query(
            "SELECT (SELECT count(*) FROM llmes WHERE is_sample) + (SELECT count(*) FROM work_groups WHERE is_sample) AS n"
        ).item()
        > 0
    )
    info["last_load"] = str(query("SELECT max(started_at) FROM load_log").item() or "")
    return info


@st.cache_data(ttl="1h", max_entries=4)
def hubs() -> pl.DataFrame:
    return query("SELECT hub_id, name, region, website, lead_schools, town FROM hubs ORDER BY name")


@st.cache_data(ttl="1h", max_entries=4)
def academic_years() -> pl.DataFrame:
    return query("SELECT year_start, academic_year FROM academic_years ORDER BY year_start")


@st.cache_data(ttl="1h", max_entries=4)
def current_year_start() -> int:
    """The current academic year: `domain.current_year_start` of the build's "today"."""
    return domain.current_year_start(build_info().get("today"))


def current_year() -> str:
    """The current academic year's label ("2026/27")."""
    return domain.year_label(current_year_start())
