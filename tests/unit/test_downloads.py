"""Downloads (dashboard/downloads.py): formula-safe (OWASP ASVS 1.2.10) CSV with a BOM and real XLSX
workbooks (typed data sheet + notes sheet), and the served config that turns Streamlit's own
table export off. Files are read back with independent readers (polars CSV, openpyxl)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime

import polars as pl
import pytest

from dashboard.downloads import FORMULA_PREFIXES, csv_bytes, escape_formulas, xlsx_bytes
from pipelines.config import REPO_ROOT
from tests.spreadsheets import download_frame, workbook

HOSTILE = [
    '=HYPERLINK("http://evil.example","x")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1",
    "\r=1",
]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Mastering Number", "Mastering Number"),
        ("a=b", "a=b"),
        (None, None),
    ],
)
def test_text_cells_starting_with_a_formula_character_are_escaped(cell, expected):
    frame = pl.DataFrame({"title": [cell], "n": [-3]}, schema={"title": pl.String, "n": pl.Int64})
    out = escape_formulas(frame)
    assert out["title"][0] == expected
    assert out["n"][0] == -3  # numbers are numbers, not formulas


def sample_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "title": ["Möbius strips in Year 5", *HOSTILE],
            "urn": [100001, 100002, 100003, 100004, 100005, 100006, 100007],
            "nearest_miles": [1.5, 2.25, None, 4.0, 5.0, 6.0, 7.0],
            "schools_reached_shown": ["12", "c", "0", "7", "c", "30", "5"],
            "code": ["0123", "7", "8", "9", "10", "11", "12"],
            "online_available": [True, False, True, True, False, True, None],
            "first_session": [date(2026, 10, 14)] * 7,
            "loaded_at": [datetime(2026, 11, 23, 9, 30)] * 7,
            "phases": [["primary", "=1+1"]] * 7,
        }
    )


def test_csv_is_utf8_with_bom_so_excel_reads_accents():
    data = csv_bytes(sample_frame())
    assert data.startswith(b"\xef\xbb\xbf")
    back = download_frame(data)
    assert back["title"][0] == "Möbius strips in Year 5"
    assert back.columns[0] == "title"  # the BOM is not glued to the first header
    assert back["phases"][0] == "primary; =1+1"  # a list is one cell


def test_every_csv_cell_is_formula_safe():
    back = download_frame(csv_bytes(sample_frame()))
    for column in back.columns:
        for value in back[column].drop_nulls():
            assert not value.startswith(FORMULA_PREFIXES), (column, value)
    assert back["title"][1] == "'" + HOSTILE[0]  # escaped, not dropped


def test_xlsx_has_typed_data_and_a_notes_sheet():
    notes = [
        ("Source", "Sample source"),
        ("Data as at", "2026-11-23"),
        ("Suppression symbol", "c: fewer than 5"),
    ]
    book = workbook(xlsx_bytes(sample_frame(), notes))
    assert book.sheetnames == ["Data", "Notes"]
    data = book["Data"]
    header = [c.value for c in data[1]]
    assert header == sample_frame().columns
    row = {h: c for h, c in zip(header, data[2], strict=True)}
    assert row["title"].value == "Möbius strips in Year 5" and row["title"].data_type == "s"
    assert row["urn"].value == 100001 and row["urn"].data_type == "n"
    assert row["nearest_miles"].value == 1.5
    assert row["online_available"].value is True
    assert row["first_session"].is_date and row["first_session"].value.date() == date(2026, 10, 14)
    assert row["loaded_at"].value == datetime(2026, 11, 23, 9, 30)
    # Published counts: numbers where they are numbers, the symbol as text.
    shown = [r[3] for r in data.iter_rows(min_row=2)]
    assert [c.value for c in shown] == [12, "c", 0, 7, "c", 30, 5]
    assert [r[4].value for r in data.iter_rows(min_row=2)][:2] == ["0123", "7"]  # codes stay text
    assert data.cell(4, 3).value is None  # a missing distance stays empty
    text = {r[0].value: r[1].value for r in book["Notes"].iter_rows()}
    assert text["Source"] == "Sample source" and text["Suppression symbol"].startswith("c")
    assert "unique reference number" in text["urn"]  # each column's definition


def test_no_xlsx_cell_is_a_formula_and_formula_like_text_is_quoted():
    data = xlsx_bytes(sample_frame(), [("Title", "=evil()")])
    book = workbook(data)
    assert b"<f>" not in data and b"<f " not in data  # no formula element anywhere in the file
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    # openpyxl leaves Excel's escape for a carriage return (_x000D_) as it is; Excel decodes it.
    text = {c: c.value.replace("_x000D_", "\r") for c in cells if isinstance(c.value, str)}
    risky = [c for c, value in text.items() if value.startswith(FORMULA_PREFIXES)]
    assert {text[c] for c in risky} >= set(HOSTILE) | {"=evil()"}  # the text itself is kept
    assert all(c.quotePrefix for c in risky), [c.value for c in risky if not c.quotePrefix]


def test_served_config_turns_off_streamlits_own_table_export():
    shown = subprocess.run(
        [sys.executable, "-m", "streamlit", "config", "show"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert "\ndisableDataExport = true" in shown
