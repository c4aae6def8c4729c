"""Small pieces of UI every page shares: the sample-data banner and formula-safe CSV downloads."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.data.common import build_info

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def sample_banner() -> None:
    info = build_info()
    if info.get("has_sample") == "True":
        st.warning(
            "**Sample data.** LLMEs, Work Groups and participations shown here are generated for "
            "demonstration, not real records. Hubs, areas and programmes are real published facts.",
            icon=":material/science:",
        )


def escape_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with an apostrophe (OWASP)."""
    text = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(
        pl.when(pl.any_horizontal(pl.col(c).str.starts_with(p) for p in FORMULA_PREFIXES))
        .then("'" + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in text
    )


def csv_download(
    frame: pl.DataFrame, file_name: str, label: str = "Download CSV", key: str | None = None
) -> None:
    st.download_button(
        label,
        data=lambda: escape_formulas(frame).write_csv().encode("utf-8"),
        file_name=file_name,
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        key=key,
    )
