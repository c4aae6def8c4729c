"""Read back what a download button serves (CSV with BOM, or an XLSX workbook), independently of
dashboard/downloads.py, so tests check the bytes people actually get."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import polars as pl

XLSX_MAGIC = b"PK\x03\x04"  # an XLSX file is a zip


def is_zip(data: bytes) -> bool:
    return data[:4] == XLSX_MAGIC


def is_xlsx(data: bytes) -> bool:
    if not is_zip(data):
        return False
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "xl/workbook.xml" in archive.namelist()


def workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def xlsx_frame(data: bytes, sheet: str = "Data") -> pl.DataFrame:
    """The data sheet as text cells (like a CSV read without schema inference)."""
    rows = list(workbook(data)[sheet].iter_rows(values_only=True))
    if not rows:
        return pl.DataFrame()
    header = [str(h) for h in rows[0]]
    body = [[None if v is None else str(v) for v in row] for row in rows[1:]]
    return pl.DataFrame(body, schema={h: pl.String for h in header}, orient="row")


def download_frame(data: bytes | str) -> pl.DataFrame:
    """A CSV (UTF-8, BOM optional) or XLSX download as a frame of text."""
    if isinstance(data, bytes) and is_xlsx(data):
        return xlsx_frame(data)
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.removeprefix("\ufeff")
    return pl.read_csv(io.StringIO(text), infer_schema=False)


def download_frames(data: bytes | str) -> list[pl.DataFrame]:
    """Every table in a download: one for a CSV or XLSX, each CSV inside a zip (the open data)."""
    if isinstance(data, bytes) and is_zip(data) and not is_xlsx(data):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [download_frame(archive.read(n)) for n in archive.namelist() if n.endswith(".csv")]
    return [download_frame(data)]
