"""Every table a person can take away: CSV and XLSX, formula-safe, logged when the data is named.

Streamlit's own table toolbar export is turned off (client.disableDataExport in
streamlit_config.toml) because it bypasses all of this; pages offer `offer(...)` instead.

- CSV is UTF-8 with a byte-order mark, so Excel opens "Möbius" as Möbius, not MÃ¶bius.
- Formula safety (OWASP CSV injection): a text cell starting with = + - @ tab or CR is prefixed
  with an apostrophe in CSV; in XLSX it is written as a text cell with Excel's quote prefix
  (shown as typed, never run, and it stays text when edited). No XLSX cell is ever a formula.
- XLSX is a real workbook: a "Data" sheet with typed columns (numbers as numbers, dates as dates,
  and counts published as text because some are suppressed as "c" written as numbers where they
  are numbers) and a "Notes" sheet: source, data as at, definitions, the suppression symbol.
- A download of named data (`log=`) is written to the access log when the file is fetched.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl
import streamlit as st
import xlsxwriter

from dashboard import privacy
from pipelines.definitions import definition

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_WHOLE = re.compile(r"^(0|[1-9][0-9]{0,14})$")  # no leading zeros: "0123" stays text


@dataclass(frozen=True)
class Logged:
    """A download of named data: what it is and which hubs, for the access log."""

    what: str
    hub_ids: tuple[str, ...]


def flatten(frame: pl.DataFrame) -> pl.DataFrame:
    """List columns as '; '-joined text (a spreadsheet cell holds one value)."""
    lists = [c for c, t in frame.schema.items() if isinstance(t, pl.List)]
    return frame.with_columns(pl.col(c).cast(pl.List(pl.String)).list.join("; ") for c in lists)


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


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """UTF-8 with BOM, lists joined, formulas escaped."""
    return escape_formulas(flatten(frame)).write_csv(include_bom=True).encode("utf-8")


def _numeric_text(series: pl.Series) -> bool:
    """A published count column: every value a whole number or the suppression symbol."""
    values = series.drop_nulls()
    return values.len() > 0 and all(v == privacy.SYMBOL or _WHOLE.match(v) for v in values.to_list())


def xlsx_bytes(frame: pl.DataFrame, notes: Sequence[tuple[str, str]] = (), sheet: str = "Data") -> bytes:
    """A workbook: the data (typed, formula-safe) and a Notes sheet of (heading, text) rows plus
    each column's definition."""
    frame = flatten(frame)
    buffer = io.BytesIO()
    # Never turn text into formulas, links or numbers behind our back.
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    quoted = book.add_format({"quote_prefix": True})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    data = book.add_worksheet(sheet[:31])
    for j, name in enumerate(frame.columns):
        data.write_string(0, j, name, bold)
        series = frame[name]
        dtype = series.dtype
        as_number = dtype == pl.String and _numeric_text(series)
        width = max([len(name)] + [len(str(v)) for v in series.head(200).to_list() if v is not None])
        data.set_column(j, j, min(max(width, 6) + 2, 60))
        for i, value in enumerate(series.to_list(), start=1):
            if value is None:
                continue
            if isinstance(value, bool):
                data.write_boolean(i, j, value)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                if value == value and value not in (float("inf"), float("-inf")):  # NaN/inf stay empty
                    data.write_number(i, j, value)
            elif isinstance(value, datetime):
                data.write_datetime(i, j, value.replace(tzinfo=None), stamp)
            elif isinstance(value, date):
                data.write_datetime(i, j, datetime(value.year, value.month, value.day), day)
            else:
                text = str(value)
                if as_number and text != privacy.SYMBOL:
                    data.write_number(i, j, int(text))
                elif text.startswith(FORMULA_PREFIXES):
                    data.write_string(i, j, text, quoted)
                else:
                    data.write_string(i, j, text)
    data.freeze_panes(1, 0)
    if frame.columns:
        data.autofilter(0, 0, max(frame.height, 1), len(frame.columns) - 1)
    sheet_notes = book.add_worksheet("Notes")
    sheet_notes.set_column(0, 0, 28)
    sheet_notes.set_column(1, 1, 100)
    rows = list(notes) + [("Columns", "")]
    rows += [(c, definition(c) or "See the page this file was downloaded from.") for c in frame.columns]
    for i, (heading, text) in enumerate(rows):
        cell = str(text)
        sheet_notes.write_string(i, 0, str(heading), bold)
        sheet_notes.write_string(i, 1, cell, quoted if cell.startswith(FORMULA_PREFIXES) else wrap)
    book.close()
    return buffer.getvalue()


def standard_notes(exact: bool, title: str = "") -> list[tuple[str, str]]:
    """Source, data as at and the suppression rule for this viewer, from the current build."""
    from dashboard.data.common import build_info  # a query: only when a file is actually built

    info = build_info()
    source = "Maths Hubs Atlas: Maths Hubs' returns on LLMEs, Work Groups and school participations"
    if info.get("has_sample") == "True":
        source += " (SAMPLE DATA: LLMEs, Work Groups and participations are generated, not real records)"
    source += "; DfE Get Information about Schools and ONS geography (Open Government Licence v3.0)."
    rows = [("Title", title)] if title else []
    rows += [
        ("Source", source),
        (
            "Data as at",
            f"warehouse built {info.get('built_at', 'unknown')}; last load {info.get('last_load') or '-'}",
        ),
        (
            "Suppression symbol",
            "None: exact numbers (signed-in view; do not publish small counts)."
            if exact
            else f"{privacy.SYMBOL}: {privacy.LEGEND}",
        ),
    ]
    return rows


def _logged(fetch: Callable[[], bytes], log: Logged | None, rows: int) -> Callable[[], bytes]:
    if log is None:
        return fetch
    from dashboard.auth import viewer
    from dashboard.data import audit

    # Who is asked now, during the script run: the file itself is built later, when the browser
    # fetches it, outside any session context.
    who = viewer()

    def logged() -> bytes:
        # Record first: named data never leaves without a record of it.
        audit.record(who.email or "", who.role, "download", log.what, list(log.hub_ids), rows)
        return fetch()

    return logged


def offer(
    frame: pl.DataFrame,
    file_name: str,
    label: str = "Download CSV",
    key: str | None = None,
    *,
    log: Logged | None = None,
    exact: bool | None = None,
    title: str = "",
    container=None,
) -> None:
    """A CSV and an XLSX download button side by side. `file_name` may end in .csv or have no suffix;
    `label` names the CSV ("... (CSV)"), the XLSX label is derived from it."""
    if exact is None:
        from dashboard.auth import viewer

        exact = viewer().exact_numbers
    stem = file_name.removesuffix(".csv")
    csv_label = label if "CSV" in label else f"{label} (CSV)"
    xlsx_label = csv_label.replace("CSV", "XLSX")
    row = (container or st).container(horizontal=True, gap="small")
    row.download_button(
        csv_label,
        data=_logged(lambda: csv_bytes(frame), log, frame.height),
        file_name=f"{stem}.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        key=key,
    )
    row.download_button(
        xlsx_label,
        data=_logged(lambda: xlsx_bytes(frame, standard_notes(exact, title or stem)), log, frame.height),
        file_name=f"{stem}.xlsx",
        mime=XLSX_MIME,
        on_click="ignore",
        icon=":material/table_view:",
        key=f"{key}_xlsx" if key else None,
    )
