"""Small pieces of UI every page shares: the sample-data banner and table downloads (CSV + XLSX)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.data.common import build_info
from dashboard.downloads import escape_formulas, offer

__all__ = ["csv_download", "escape_formulas", "sample_banner"]


def sample_banner() -> None:
    info = build_info()
    if info.get("has_sample") == "True":
        st.warning(
            "**Sample data.** LLMEs, Work Groups and participations shown here are generated for "
            "demonstration, not real records. Hubs, areas and programmes are real published facts.",
            icon=":material/science:",
        )


def csv_download(
    frame: pl.DataFrame, file_name: str, label: str = "Download CSV", key: str | None = None
) -> None:
    """CSV and XLSX downloads of a public (already suppressed) table: see dashboard/downloads.py."""
    offer(frame, file_name, label, key=key)
