"""Display helpers for the national pages: hidden counts as "c" with the legend line, readable
column names, whole-percent shares, metric deltas, Markdown-safe tables and the About tables in
words. The UI side of dashboard/data/: frames in, frames (or Streamlit column settings) out."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import privacy
from dashboard.data.common import DERIVED, any_hidden
from pipelines import domain

ABOUT_SMALL_NUMBERS = "about#small-numbers"


def legend(*frames: pl.DataFrame) -> str | None:
    """The legend line under a chart or table with hidden numbers, linking to the rule."""
    if any(
        any_hidden(f, *[c.removesuffix("_hidden") for c in f.columns if c.endswith("_hidden")])
        for f in frames
    ):
        return f"{privacy.LEGEND} [How small numbers are protected]({ABOUT_SMALL_NUMBERS})"
    return None


def show_legend(*frames: pl.DataFrame) -> None:
    """The legend line (`legend`) under a chart or table, when any of its numbers are hidden."""
    if note := legend(*frames):
        st.markdown(note)


def shown(frame: pl.DataFrame) -> pl.DataFrame:
    """Counts (and shares derived from them) as text with "c" where hidden, when any are hidden;
    numbers stay numbers otherwise. The helper columns are dropped."""
    hidden = [c.removesuffix("_hidden") for c in frame.columns if c.endswith("_hidden")]
    texts = [c for c in hidden if frame[f"{c}_hidden"].any()]
    derived = [d for d, c in DERIVED.items() if c in texts and d in frame.columns]
    frame = frame.with_columns(
        *[pl.col(f"{c}_shown").alias(c) for c in texts],
        *[
            pl.when(pl.col(f"{DERIVED[d]}_hidden"))
            .then(pl.lit(privacy.SYMBOL))
            .otherwise(pl.col(d).cast(pl.String))
            .alias(d)
            for d in derived
        ],
    )
    return frame.drop([f"{c}_{s}" for c in hidden for s in ("shown", "hidden")])


def pivot(frame: pl.DataFrame, on: str, index: str | list[str], values: str) -> pl.DataFrame:
    """A wide table of a suppressed count (text with "c" when any cell is hidden)."""
    column = f"{values}_shown" if any_hidden(frame, values) else values
    return frame.pivot(on=on, index=index, values=column, sort_columns=False)


def escape_markdown_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column made inert (`domain.md`), for st.table (which renders cells as Markdown)."""
    # Built in Python, not with map_elements (Python called from polars' worker threads deadlocked the
    # server under load: benchmarks/README.md, "Stalls under load"). Nulls stay null, as with map_elements.
    return frame.with_columns(
        pl.Series(c, [None if v is None else domain.md(v) for v in frame[c].to_list()], dtype=pl.String)
        for c, t in frame.schema.items()
        if t == pl.String
    )


def change_text(value: float | None, context: str) -> str | None:
    """A metric delta with its context inside the chip ("+46 since 2025/26"): st.metric's separate
    delta_description is drawn in a grey too faint for WCAG AA contrast."""
    if value is None:
        return None
    if value == 0:
        return f"no change {context}"
    number = f"{value:+,.1f}".removesuffix(".0") if isinstance(value, float) else f"{value:+,}"
    return f"{number} {context}"


# Column names as shown in tables and CSV downloads.
COLUMN_LABELS = {
    "hub": "Hub",
    "region": "Region",
    "programme": "Programme",
    "phase": "Phase",
    "kind": "Kind",
    "work_groups": "Work Groups",
    "active_llmes": "Active LLMEs",
    "target": "Target",
    "share_of_target": "% of target",
    "short_of_target": "Short of target",
    "academic_year": "Academic year",
    "local_authority": "Local authority",
    "schools_in_area": "Schools in area",
    "schools_reached": "Schools reached",
    "reach_share": "% reached",
}


def metric_change(now: float | None, before: float | None, since: str | None, unit: str = "") -> dict:
    """st.metric delta arguments for this year against last (`since`: "since 2025/26", or None when
    there is no earlier year to compare); a share (`unit` "points ") changes in percentage points.
    No arrow when nothing changed, and no delta at all when either value is hidden."""
    if since is None or now is None or before is None:
        return {}
    delta = now - before
    delta = round(delta * 100, 1) if unit else int(delta)
    return {
        "delta": change_text(delta, f"{unit}{since}"),
        "delta_arrow": "auto" if delta else "off",
        "delta_color": "normal" if delta else "off",
    }


def against_median(row: dict) -> dict:
    """st.metric value and delta for a hub's headline against the national median (a row of
    hub_profile.hub_headlines: measure, hub, national_median, hidden). A share is shown in percent and
    compared in points; a hidden value shows as c; no arrow when the hub is at the median."""
    share = row["measure"] == "reach_share"
    value, median = row["hub"], row["national_median"]
    shown = (
        privacy.SYMBOL
        if row["hidden"]
        else "n/a"
        if value is None
        else f"{value:.0%}"
        if share
        else f"{value:,.0f}"
    )
    delta = None if value is None or median is None else round((value - median) * (100 if share else 1), 1)
    if median is None:
        versus = privacy.SYMBOL
    else:
        versus = f"{median:.0%}" if share else f"{median:,.1f}".removesuffix(".0")
    return {
        "value": shown,
        "delta": change_text(delta, f"{'pts ' if share else ''}vs median {versus}"),
        "delta_arrow": "auto" if delta else "off",
        "delta_color": "normal" if delta else "off",
    }


def readable(frame: pl.DataFrame, **labels: str) -> pl.DataFrame:
    """A frame ready to show or download: shares as whole percentages, hidden counts as "c"
    (see `shown`), columns with display names."""
    shares = [c for c in ("share_of_target", "reach_share") if c in frame.columns]
    frame = shown(frame.with_columns((pl.col(c) * 100).round(0).cast(pl.Int64) for c in shares))
    names = COLUMN_LABELS | labels
    return frame.rename({c: names[c] for c in frame.columns if c in names})


def table(frame: pl.DataFrame, *columns: str, **labels: str) -> pl.DataFrame:
    """`readable` of some columns (with their privacy helper columns, so hidden counts show "c")."""
    helpers = [f"{c}_{s}" for c in columns for s in ("shown", "hidden") if f"{c}_{s}" in frame.columns]
    derived = [
        f"{DERIVED[c]}_{s}"
        for c in columns
        if c in DERIVED
        for s in ("shown", "hidden")
        if f"{DERIVED[c]}_{s}" in frame.columns
    ]
    keep = list(dict.fromkeys([*columns, *helpers, *derived]))
    out = readable(frame.select(keep), **labels)
    names = COLUMN_LABELS | labels
    return out.select([names.get(c, c) for c in columns])


def percent_config(frame: pl.DataFrame, *names: str) -> dict:
    """Whole-percent formatting for share columns that are still numbers (not "c" text)."""
    return {
        n: st.column_config.NumberColumn(format="%d%%")
        for n in names
        if n in frame.columns and frame.schema[n].is_numeric()
    }


# Words for the codes in the reference and load-log tables, so About the data never shows a raw
# status or column name (`not_found`, `map_point_source`).
STATUS_LABELS = {
    "confirmed": "Confirmed by a current source",
    "dated": "From an older source (not confirmed as current)",
    "inferred": "Inferred from two or more sources",
    "not_found": "No source found for the area or lead school",
}


POINT_LABELS = {
    "lead school": "Lead school",
    "estimated: centre of its districts": "Centre of its area (no lead school found)",
}


LOAD_KINDS = {
    "ingest": "File loaded",
    "sample": "Sample data generated",
    "build": "Warehouse built",
    "reference": "Open data loaded",
}


LOAD_ENTITIES = {"llmes": "LLMEs", "work_groups": "Work Groups", "participations": "School participations"}


LOAD_STATUS = {"loaded": "Loaded", "rejected": "Rejected"}


LOAD_COLUMNS = {
    "started_at": "Started (UTC)",
    "kind": "What",
    "entity": "Data",
    "file_name": "File",
    "status": "Result",
    "received": "Rows received",
    "loaded": "Rows loaded",
    "quarantined": "Rows set aside",
    "message": "Message",
}


def _words(column: str, labels: dict[str, str]) -> pl.Expr:
    """A code column in words (an unknown code is shown as written, with spaces for underscores)."""
    return pl.col(column).replace_strict(
        labels, default=pl.col(column).str.replace_all("_", " "), return_dtype=pl.String
    )


def provenance_table(prov: pl.DataFrame) -> pl.DataFrame:
    """`provenance_summary` ready to show or download: labels for every column and code."""
    return prov.select(
        pl.col("hub").alias("Hub"),
        pl.col("region").alias("Region"),
        pl.col("confidence").str.to_titlecase().alias("Confidence"),
        _words("status", STATUS_LABELS).alias("Source"),
        _words("map_point_source", POINT_LABELS).alias("Map point"),
        pl.col("districts").alias("Districts"),
        pl.col("declared").alias("Declared by a source"),
        pl.col("estimated").alias("Estimated"),
    )


def load_table(loads: pl.DataFrame) -> pl.DataFrame:
    """`load_history` ready to show or download: words for kinds, data and results; labelled columns."""
    codes = {"kind": LOAD_KINDS, "entity": LOAD_ENTITIES, "status": LOAD_STATUS}
    frame = loads.with_columns(_words(c, labels) for c, labels in codes.items() if c in loads.columns)
    if "started_at" in frame.columns:
        frame = frame.with_columns(pl.col("started_at").cast(pl.String).str.slice(0, 16))
    return frame.rename({c: LOAD_COLUMNS[c] for c in frame.columns if c in LOAD_COLUMNS})
