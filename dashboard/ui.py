"""Small pieces of UI every page shares: the sample-data banner, lists in words and table downloads
(CSV + XLSX)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.data.common import build_info
from dashboard.downloads import escape_formulas, offer

__all__ = ["csv_download", "escape_formulas", "in_words", "sample_banner", "table_expander"]


def sample_banner() -> None:
    info = build_info()
    if info.get("has_sample") == "True":
        st.warning(
            "**Sample data.** LLMEs, Work Groups and participations shown here are generated for "
            "demonstration, not real records. Hubs, areas and programmes are real published facts.",
            icon=":material/science:",
        )


def in_words(items: str | list[str] | None, separator: str = ";", conjunction: str = "and") -> str:
    """A list as a person writes it: "A", "A and B", "A, B and C". Text is split on `separator`
    (the reference files' list separator), so "A;B" never reaches the screen."""
    if items is None:
        return ""
    parts = items.split(separator) if isinstance(items, str) else list(items)
    parts = [p.strip() for p in parts if p and p.strip()]
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {conjunction} {parts[-1]}"


def csv_download(
    frame: pl.DataFrame, file_name: str, label: str = "Download CSV", key: str | None = None
) -> None:
    """CSV and XLSX downloads of a public (already suppressed) table: see dashboard/downloads.py."""
    offer(frame, file_name, label, key=key)


def table_expander(title: str, frame: pl.DataFrame, file_name: str, key: str, **grid) -> None:
    """The table behind a chart, folded under it: a sortable grid (key `<key>_table`, `grid` passed to
    st.dataframe) and its CSV + XLSX downloads (key `<key>_csv`)."""
    with st.expander(title):
        st.dataframe(frame, hide_index=True, key=f"{key}_table", **grid)
        csv_download(frame, file_name, key=f"{key}_csv")
