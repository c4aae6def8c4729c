"""The hostile-input corpus: files a hub's spreadsheet or CRM export might really send us.

Each case is generated here (no committed blobs) with the outcome it must have: loaded, partly
quarantined with the expected rules, or rejected with the expected message. Write the files out
to look at them with `python -m tests.hardening.corpus --out DIR`.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import polars as pl

WG_COLUMNS = (
    "work_group_id,hub,academic_year,project_code,programme,title,phases,delivery,venue_name,venue_postcode,"
    "session_dates,capacity,places_left,status,booking_url,cost_note,eligibility"
).split(",")
LLME_COLUMNS = (
    "llme_id,hub,full_name,email,school_urn,school_name,roles,phases,accreditations,first_active_year,last_active_year"
).split(",")


def wg(i: int, **changes: str) -> dict[str, str]:
    row = {
        "work_group_id": f"hostile-{i:03d}",
        "hub": "Origin Maths Hub",
        "academic_year": "2026/27",
        "project_code": "NCP26-06",
        "programme": "Mastering Number at KS2",
        "title": f"Hostile test group {i}",
        "phases": "Primary",
        "delivery": "Face-to-face",
        "venue_name": "Tudor Grange Academy",
        "venue_postcode": "B91 3PD",
        "session_dates": "2026-10-14;18/11/2026",
        "capacity": "20",
        "places_left": "4",
        "status": "Open",
        "booking_url": "https://example.org/book",
        "cost_note": "Fully funded",
        "eligibility": "Year 4 and 5 teachers",
    }
    return {**row, **changes}


def llme(i: int, **changes: str) -> dict[str, str]:
    row = {
        "llme_id": f"hostile-L{i:03d}",
        "hub": "origin",
        "full_name": "Ada Tangent",
        "email": f"ada{i}@example.org",
        "school_urn": "",
        "school_name": "",
        "roles": "Work Group Lead",
        "phases": "Primary",
        "accreditations": "",
        "first_active_year": "2024/25",
        "last_active_year": "",
    }
    return {**row, **changes}


def csv_bytes(columns, rows, sep=",", newline="\n", encoding="utf-8", bom=False) -> bytes:
    out = io.StringIO()
    frame = pl.DataFrame(
        [{c: r.get(c) for c in columns} for r in rows], schema={c: pl.String for c in columns}
    )
    frame.write_csv(out, separator=sep, line_terminator=newline, quote_style="necessary")
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(columns, rows) -> bytes:
    buf = io.BytesIO()
    pl.DataFrame(
        [{c: r.get(c) for c in columns} for r in rows], schema={c: pl.String for c in columns}
    ).write_excel(buf)
    return buf.getvalue()


def parquet_bytes(columns, rows) -> bytes:
    buf = io.BytesIO()
    pl.DataFrame(
        [{c: r.get(c) for c in columns} for r in rows], schema={c: pl.String for c in columns}
    ).write_parquet(buf)
    return buf.getvalue()


@dataclass(frozen=True)
class Err:
    """An Excel error cell: a formula whose cached value is the error."""

    text: str
    formula: str = "=1/0"


STYLED_BLANK = object()  # a formatted cell with nothing in it (what "format to the bottom" leaves)


def workbook(*sheets: tuple[str, list[list[object]]]) -> bytes:
    """An XLSX as Excel writes it: real date cells, numeric cells, error cells, styled blanks."""
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    for name, rows in sheets:
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if value is STYLED_BLANK:
                    sheet.write_blank(r, c, None, date_format)
                elif isinstance(value, Err):
                    sheet.write_formula(r, c, value.formula, None, value.text)
                elif isinstance(value, datetime | date):
                    sheet.write_datetime(r, c, value, date_format)
                elif isinstance(value, int | float):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, value)
    book.close()
    return buf.getvalue()


def typed_wg(i: int, **changes: object) -> list[object]:
    """A Work Group row as a person types it into Excel: a real date, numbers as numbers."""
    row: dict[str, object] = {
        **wg(i),
        "session_dates": datetime(2026, 10, 14),
        "capacity": 20,
        "places_left": 4,
    }
    row.update(changes)
    return [row[c] for c in WG_COLUMNS]


def replace_member(xlsx: bytes, member: str, edit: Callable[[bytes], bytes]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info.filename, edit(data) if info.filename == member else data)
    return out.getvalue()


SHEET_OPEN = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)


def compressed_workbook(rows: int = 1_048_576, columns: int = 6) -> bytes:
    """Over a million rows of tiny numbers in a couple of MB: the sheet XML is streamed into the zip."""
    skeleton = workbook(("Work Groups", [["x"]]))
    src = zipfile.ZipFile(io.BytesIO(skeleton))
    out = io.BytesIO()
    cells = "<c><v>1</v></c>" * columns  # cell references are optional in the format
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info.filename, src.read(info))
                continue
            with dst.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
                f.write(SHEET_OPEN)
                for start in range(1, rows + 1, 4096):
                    f.write(
                        "".join(
                            f'<row r="{r}">' + cells + "</row>"
                            for r in range(start, min(start + 4096, rows + 1))
                        ).encode()
                    )
                f.write(b"</sheetData></worksheet>")
    return out.getvalue()


@dataclass(frozen=True)
class Case:
    name: str
    entity: str
    file_name: str
    make: Callable[[dict], bytes]  # gets facts about the warehouse (an existing work_group_id and URN)
    outcome: str  # loaded | rejected
    loaded: int = 0
    reasons: dict[str, int] = field(default_factory=dict)  # rule -> quarantined rows
    message: str = ""  # for rejected files: part of the message
    slow: bool = False


def _participations(facts: dict, rows: list[tuple]) -> bytes:
    lines = ["work_group_id,school_urn,teachers,stage"] + [",".join(map(str, r)) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def _big_participations(facts: dict, target_bytes: int = 50 * 1024 * 1024) -> bytes:
    """About 50 MB of distinct, valid (Work Group, school) pairs."""
    wgs, urns = facts["wg_ids"], facts["urns"]
    lines, size, i = ["work_group_id,school_urn,teachers,stage"], 0, 0
    while size < target_bytes:
        line = f"{wgs[i % len(wgs)]},{urns[(i // len(wgs)) % len(urns)]},{i % 3 + 1},embedding"
        lines.append(line)
        size += len(line) + 1
        i += 1
    return ("\n".join(lines) + "\n").encode()


def _stray_cell_workbook(columns) -> bytes:
    """Valid data, and one space typed far away in the last cell a sheet can have."""
    rows: list[list[object]] = [list(columns), typed_wg(64)]
    book = workbook(("Work Groups", rows))

    def add_cell(xml: bytes) -> bytes:
        cell = (
            b'<row r="1048576"><c r="XFD1048576" t="inlineStr">'
            b'<is><t xml:space="preserve"> </t></is></c></row>'
        )
        xml = xml.replace(b"</sheetData>", cell + b"</sheetData>")
        return re.sub(rb'<dimension ref="[^"]*"/>', b"", xml)

    return replace_member(book, "xl/worksheets/sheet1.xml", add_cell)


def _float_parquet(columns) -> bytes:
    """pandas-style: integer columns with a gap become float (20.0, NaN)."""
    frame = pl.DataFrame(
        [wg(406), wg(407, capacity="", places_left="")], schema={c: pl.String for c in columns}
    )
    frame = frame.with_columns(
        pl.col("capacity", "places_left").replace("", None).cast(pl.Float64),
        pl.lit(datetime(2026, 10, 14)).alias("session_dates"),
    )
    buf = io.BytesIO()
    frame.write_parquet(buf)
    return buf.getvalue()


def cases() -> list[Case]:
    W, L = WG_COLUMNS, LLME_COLUMNS
    c: list[Case] = []

    def add(*args, **kwargs):
        c.append(Case(*args, **kwargs))

    # Encodings, delimiters, line endings
    add("utf8", "work_groups", "a.csv", lambda f: csv_bytes(W, [wg(1, title="Café maths")]), "loaded", 1)
    add("utf8_bom", "work_groups", "a.csv", lambda f: csv_bytes(W, [wg(2)], bom=True), "loaded", 1)
    add(
        "cp1252_smart_quotes",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes(W, [wg(3, title="\u201cNumber\u201d \u2013 \u00a30")], encoding="cp1252"),
        "loaded",
        1,
    )
    add(
        "latin1",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes(W, [wg(4, venue_name="Ysgol D\u00e9")], encoding="latin-1"),
        "loaded",
        1,
    )
    add(
        "utf16",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes(W, [wg(5)], encoding="utf-16"),
        "rejected",
        message="UTF-16",
    )
    add(
        "shift_jis",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes(W, [wg(6, title="\u6570\u5b66\u306e\u6388\u696d")], encoding="shift_jis"),
        "rejected",
        message="not UTF-8, Windows-1252 or Latin-1",
    )
    add("crlf", "work_groups", "a.csv", lambda f: csv_bytes(W, [wg(7), wg(8)], newline="\r\n"), "loaded", 2)
    add(
        "semicolon",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes(W, [wg(9, title="A, B and C")], sep=";"),
        "loaded",
        1,
    )
    add("tab", "work_groups", "a.tsv", lambda f: csv_bytes(W, [wg(10)], sep="\t"), "loaded", 1)
    # Columns
    add(
        "missing_column",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes([x for x in W if x != "status"], [wg(11)]),
        "rejected",
        message="required column 'status' is missing",
    )
    add(
        "extra_column",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes([*W, "notes"], [{**wg(12), "notes": "x"}]),
        "loaded",
        1,
    )
    add(
        "renamed_column",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes(W, [wg(13)]).replace(b"work_group_id", b"group", 1),
        "rejected",
        message="required column 'work_group_id' is missing",
    )
    add(
        "duplicated_column",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes(W, [wg(14)]).replace(b"cost_note", b"title", 1),
        "rejected",
        message="appears more than once",
    )
    # Whole-file junk
    add("empty_file", "work_groups", "a.csv", lambda f: b"", "rejected", message="the file is empty")
    add("header_only", "work_groups", "a.csv", lambda f: (",".join(W) + "\n").encode(), "loaded", 0)
    add(
        "binary_junk",
        "work_groups",
        "a.csv",
        lambda f: bytes(range(256)) * 40,
        "rejected",
        message="not a text file",
    )
    add(
        "truncated_xlsx",
        "work_groups",
        "a.xlsx",
        lambda f: xlsx_bytes(W, [wg(15)])[:900],
        "rejected",
        message="not a readable Excel workbook",
    )
    add(
        "json_wrong_shape",
        "work_groups",
        "a.json",
        lambda f: json.dumps({"rows": [wg(16)]}).encode(),
        "rejected",
        message="must be a list of records",
    )
    add(
        "json_mixed_records",
        "work_groups",
        "a.json",
        lambda f: json.dumps([wg(17), [1, 2], wg(18)]).encode(),
        "loaded",
        2,
        {"structural": 1},
    )
    add("xlsx", "work_groups", "a.xlsx", lambda f: xlsx_bytes(W, [wg(19), wg(20)]), "loaded", 2)
    add("parquet", "work_groups", "a.parquet", lambda f: parquet_bytes(W, [wg(21)]), "loaded", 1)
    add("json_records", "llmes", "a.json", lambda f: json.dumps([llme(1), llme(2)]).encode(), "loaded", 2)
    # Structure inside a file
    add(
        "ragged_rows",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes(W, [wg(22)]) + b"too,few,fields\n" + csv_bytes(W, [wg(23)]).split(b"\n", 1)[1],
        "loaded",
        2,
        {"structural": 1},
    )
    add(
        "unterminated_quote",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes(W, [wg(24)]) + b'"hostile-025,origin\n',
        "loaded",
        1,
        {"structural": 1},
    )
    add(
        "field_of_1mb",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes(W, [wg(26, title="x" * 1_048_576), wg(27)]),
        "loaded",
        1,
        {"title_length": 1},
    )
    add(
        "duplicate_keys",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes(W, [wg(28), wg(29), wg(28, title="last wins")]),
        "loaded",
        2,
        {"duplicate_key": 1},
    )
    # Values
    add(
        "unknown_hub",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes(W, [wg(30, hub="Atlantis Maths Hub"), wg(31)]),
        "loaded",
        1,
        {"hub_known": 1},
    )
    add(
        "impossible_date_uk",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes(W, [wg(32, session_dates="31/02/2027")]),
        "loaded",
        0,
        {"session_dates_valid": 1},
    )
    add(
        "impossible_date_iso",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes(W, [wg(33, session_dates="2026-13-01")]),
        "loaded",
        0,
        {"session_dates_valid": 1},
    )
    add(
        "date_outside_year",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes(W, [wg(34, session_dates="2026-08-31")]),
        "loaded",
        0,
        {"session_dates_in_year": 1},
    )
    add(
        "negative_capacity",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes(W, [wg(35, capacity="-5")]),
        "loaded",
        0,
        {"capacity_count": 1},
    )
    add(
        "non_numeric_capacity",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes(W, [wg(36, capacity="twenty")]),
        "loaded",
        0,
        {"capacity_count": 1},
    )
    add(
        "places_over_capacity",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes(W, [wg(37, places_left="25")]),
        "loaded",
        0,
        {"places_left_within_capacity": 1},
    )
    add(
        "malformed_postcode",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes(W, [wg(38, venue_postcode="B91")]),
        "loaded",
        0,
        {"venue_postcode_valid": 1},
    )
    add(
        "venue_outside_england",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes(W, [wg(39, venue_postcode="EH1 1YZ")]),
        "loaded",
        0,
        {"venue_in_england": 1},
    )
    add(
        "javascript_url",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes(W, [wg(40, booking_url="javascript:alert(1)")]),
        "loaded",
        0,
        {"booking_url_web": 1},
    )
    # Payloads that must load as plain text (escaped on export, shown as text)
    add(
        "formula_hyperlink",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes(W, [wg(41, title='=HYPERLINK("http://evil.example","Click")')]),
        "loaded",
        1,
    )
    add(
        "formula_plus_cmd",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes(W, [wg(42, venue_name="+cmd|' /C calc'!A0")]),
        "loaded",
        1,
    )
    add(
        "formula_at_sum",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes(W, [wg(43, eligibility="@SUM(1+1)*cmd")]),
        "loaded",
        1,
    )
    add(
        "script_tag",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes(W, [wg(44, title="<script>alert('x')</script> Maths")]),
        "loaded",
        1,
    )
    add(
        "sql_payload",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes(W, [wg(45, title="'; DROP TABLE work_groups; --", work_group_id="hostile-045")]),
        "loaded",
        1,
    )
    add(
        "emoji",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes(W, [wg(46, title="Maths \U0001f9ee for all \u2728")]),
        "loaded",
        1,
    )
    add(
        "welsh_and_accented_names",
        "llmes",
        "a.csv",
        lambda f: csv_bytes(
            L,
            [
                llme(3, full_name="Gw\u0177neth ap Dafydd"),
                llme(4, full_name="Zo\u00eb Br\u00f6nte"),
                llme(5, full_name="Jos\u00e9 N\u00fa\u00f1ez"),
            ],
        ),
        "loaded",
        3,
    )
    add(
        "llme_years_reversed",
        "llmes",
        "a.csv",
        lambda f: csv_bytes(L, [llme(6, first_active_year="2025/26", last_active_year="2023/24")]),
        "loaded",
        0,
        {"active_years_ordered": 1},
    )
    add(
        "llme_bad_email_and_role",
        "llmes",
        "a.csv",
        lambda f: csv_bytes(L, [llme(7, email="not an email"), llme(8, roles="Wizard")]),
        "loaded",
        0,
        {"email_format": 1, "roles_known": 1},
    )
    add(
        "unknown_school",
        "participations",
        "a.csv",
        lambda f: _participations(
            f, [(f["work_group_id"], f["urns"][0], 2, ""), (f["work_group_id"], 999998, 1, "")]
        ),
        "loaded",
        1,
        {"school_known_rule": 1},
    )
    add(
        "unknown_work_group",
        "participations",
        "a.csv",
        lambda f: _participations(f, [("no-such-wg", f["urns"][1], 1, "")]),
        "loaded",
        0,
        {"work_group_known_rule": 1},
    )
    add(
        "zero_teachers_bad_stage",
        "participations",
        "a.csv",
        lambda f: _participations(
            f, [(f["work_group_id"], f["urns"][2], 0, ""), (f["work_group_id"], f["urns"][3], 1, "done")]
        ),
        "loaded",
        0,
        {"teachers_count": 1, "stage_known": 1},
    )
    # Excel as people make it (issue 10 item 2)
    title = ["Origin Maths Hub: Work Groups 2026/27"]
    add(
        "xlsx_typed_dates_and_numbers",
        "work_groups",
        "a.xlsx",
        lambda f: workbook(("Work Groups", [W, typed_wg(50), typed_wg(51, session_dates=date(2026, 11, 4))])),
        "loaded",
        2,
    )
    add(
        "xlsx_datetime_with_a_time_is_not_a_date",
        "work_groups",
        "a.xlsx",
        lambda f: workbook(("Work Groups", [W, typed_wg(52, session_dates=datetime(2026, 10, 14, 9, 30))])),
        "loaded",
        0,
        {"session_dates_valid": 1},
    )
    add(
        "xlsx_error_cells",
        "work_groups",
        "a.xlsx",
        lambda f: workbook(
            (
                "Work Groups",
                [
                    W,
                    typed_wg(53, capacity=Err("#REF!", "=#REF!+1")),
                    typed_wg(54, title=Err("#N/A", "=NA()")),
                    typed_wg(55),
                    typed_wg(56, places_left=Err("#VALUE!", '="a"+1')),
                ],
            )
        ),
        "loaded",
        1,
        {"excel_error": 3},
    )
    add(
        "xlsx_formatted_empty_rows",
        "work_groups",
        "a.xlsx",
        lambda f: workbook(
            (
                "Work Groups",
                [
                    W,
                    typed_wg(57),
                    [STYLED_BLANK] * len(W),
                    [None],
                    typed_wg(58),
                    *[[STYLED_BLANK] * len(W)] * 30,
                ],
            )
        ),
        "loaded",
        2,
    )
    add(
        "csv_lines_of_only_delimiters",
        "work_groups",
        "a.csv",
        lambda f: (
            csv_bytes(W, [wg(59)])
            + b",,,,,,,,,,,,,,,,\n,,,\n  \n"
            + csv_bytes(W, [wg(60)]).split(b"\n", 1)[1]
        ),
        "loaded",
        2,
    )
    add(
        "xlsx_title_row_above_header",
        "work_groups",
        "a.xlsx",
        lambda f: workbook(("Work Groups", [title, [], W, typed_wg(61)])),
        "rejected",
        message="the header must be on row 1 of the first sheet; found the template header on row 3 of sheet "
        "'Work Groups'",
    )
    add(
        "xlsx_data_on_second_sheet",
        "work_groups",
        "a.xlsx",
        lambda f: workbook(("Read me", [["Fill in the next sheet"]]), ("Work Groups", [W, typed_wg(62)])),
        "rejected",
        message="found the template header on row 1 of sheet 'Work Groups'",
    )
    add(
        "csv_title_line_above_header",
        "work_groups",
        "a.csv",
        lambda f: b"Work Groups 2026/27,,,\n\n" + csv_bytes(W, [wg(63)]),
        "rejected",
        message="the header must be on line 1; found the template header on line 3",
    )
    # Workbooks that would exhaust memory (issue 10 item 1)
    add(
        "xlsx_one_space_in_xfd1048576",
        "work_groups",
        "a.xlsx",
        lambda f: _stray_cell_workbook(W),
        "rejected",
        message="sheet too large",
    )
    add(
        "xlsx_declared_range_absurd",
        "work_groups",
        "a.xlsx",
        lambda f: replace_member(
            workbook(("Work Groups", [W, typed_wg(65)])),
            "xl/worksheets/sheet1.xml",
            lambda x: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', x),
        ),
        "rejected",
        message="sheet too large",
    )
    add(
        "xlsx_million_rows_in_2mb",
        "work_groups",
        "a.xlsx",
        lambda f: compressed_workbook(),
        "rejected",
        message="sheet too large",
        slow=True,
    )
    # Whole numbers written as floats (issue 10 item 2)
    add("parquet_integers_as_floats", "work_groups", "a.parquet", lambda f: _float_parquet(W), "loaded", 2)
    add(
        "json_integers_as_floats",
        "participations",
        "a.json",
        lambda f: json.dumps(
            [
                {
                    "work_group_id": f["work_group_id"],
                    "school_urn": float(f["urns"][5]),
                    "teachers": 2.0,
                    "stage": None,
                }
            ]
        ).encode(),
        "loaded",
        1,
    )
    # One person, one LLME (issue 10 item 5)
    add(
        "llme_same_person_under_two_ids",
        "llmes",
        "a.csv",
        lambda f: csv_bytes(L, [llme(9, email="Twin@Example.org"), llme(10, email=" twin@example.ORG")]),
        "loaded",
        1,
        {"same_person": 1},
    )
    # The CSV reader never invents or swallows rows (issue 10 item 3)
    add(
        "csv_nul_byte_early",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes(W, [wg(66), wg(67, title="bad\x00title"), wg(68)]),
        "loaded",
        2,
        {"structural": 1},
    )
    add(
        "csv_nul_byte_late",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes(
            W,
            [wg(70 + i % 300, title=f"t{i} " + "x" * 200) for i in range(300)]
            + [wg(400, venue_name="Hall\x00B"), wg(401)],
        ),
        "loaded",
        301,
        {"structural": 1},
    )
    add(
        "csv_field_over_limit",
        "work_groups",
        "a.csv",
        lambda f: csv_bytes(
            W,
            [
                wg(402, cost_note="multi\nline"),
                wg(403, eligibility="y" * (17 << 20) + "\nz"),
                wg(404, cost_note="after\nthe big one"),
                wg(405),
            ],
        ),
        "loaded",
        3,
        {"structural": 1},
        slow=True,
    )
    add("file_of_50mb", "participations", "big.csv", _big_participations, "loaded", -1, slow=True)
    return c


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    facts = {
        "work_group_id": "origin-26-0001",
        "wg_ids": [f"origin-26-{i:04d}" for i in range(1, 50)],
        "urns": [100000 + i for i in range(40000)],
    }
    for case in cases():
        (args.out / f"{case.name}__{case.file_name}").write_bytes(case.make(facts))
    print(f"wrote {len(cases())} files to {args.out}")


if __name__ == "__main__":
    main()
