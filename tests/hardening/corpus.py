"""The hostile-input corpus: files a hub's spreadsheet or CRM export might really send us.

Each case is generated here (no committed blobs) with the outcome it must have: loaded, partly
quarantined with the expected rules, or rejected with the expected message. Write the files out
to look at them with `python -m tests.hardening.corpus --out DIR`.
"""

from __future__ import annotations

import argparse
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
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
        "work_group_id": f"hostile-{i:03d}", "hub": "Origin Maths Hub", "academic_year": "2026/27",
        "project_code": "NCP26-06", "programme": "Mastering Number at KS2", "title": f"Hostile test group {i}",
        "phases": "Primary", "delivery": "Face-to-face", "venue_name": "Tudor Grange Academy",
        "venue_postcode": "B91 3PD", "session_dates": "2026-10-14;18/11/2026", "capacity": "20",
        "places_left": "4", "status": "Open", "booking_url": "https://example.org/book", "cost_note": "Fully funded",
        "eligibility": "Year 4 and 5 teachers",
    }  # fmt: skip
    return {**row, **changes}


def llme(i: int, **changes: str) -> dict[str, str]:
    row = {
        "llme_id": f"hostile-L{i:03d}", "hub": "origin", "full_name": "Ada Tangent", "email": f"ada{i}@example.org",
        "school_urn": "", "school_name": "", "roles": "Work Group Lead", "phases": "Primary",
        "accreditations": "", "first_active_year": "2024/25", "last_active_year": "",
    }  # fmt: skip
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
    add("welsh_and_accented_names", "llmes", "a.csv",
        lambda f: csv_bytes(L, [llme(3, full_name="Gw\u0177neth ap Dafydd"), llme(4, full_name="Zo\u00eb Br\u00f6nte"),
                                llme(5, full_name="Jos\u00e9 N\u00fa\u00f1ez")]), "loaded", 3)  # fmt: skip
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
    add("zero_teachers_bad_stage", "participations", "a.csv",
        lambda f: _participations(f, [(f["work_group_id"], f["urns"][2], 0, ""), (f["work_group_id"], f["urns"][3], 1, "done")]),
        "loaded", 0, {"teachers_count": 1, "stage_known": 1})  # fmt: skip
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
