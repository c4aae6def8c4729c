"""The contracts compiled to SQL (contracts.in_duckdb) against the polars contracts they mirror.

Differential: the same file, the same warehouse, both engines; the loaded rows, the quarantine
(row, column, rule, reason, raw record), rows received, extra columns and each quarantined row's
hub and record key must be identical. Files: the whole hostile corpus (CSV cases the SQL engine
accepts; the rest must be handed back to the exact reader, never judged differently), files that
break every rule, and a large file whose bad rows sit across DuckDB's parallel reading chunks.
"""

from __future__ import annotations

import random

import duckdb
import polars as pl
import pytest

from pipelines.build import build
from pipelines.config import paths
from pipelines.contracts import FileRejected, in_duckdb, module, validate
from pipelines.readers import ReadError, read_table
from pipelines.staging import plan
from pipelines.warehouse import loading
from pipelines.warehouse.store import current_snapshot
from tests.conftest import TODAY
from tests.hardening.corpus import cases

SQL_ENTITIES = [e for e in ("participations", "work_groups", "llmes") if in_duckdb.supports(e)]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("in_duckdb")
    p = paths(root)
    build(p, sample_scale=0.2, today=TODAY)
    snapshot = current_snapshot(p)
    with duckdb.connect(str(snapshot), read_only=True) as con:
        wg_ids = [r[0] for r in con.execute("SELECT work_group_id FROM work_groups ORDER BY 1").fetchall()]
        urns = [r[0] for r in con.execute("SELECT urn FROM schools ORDER BY 1").fetchall()]
    return snapshot, {"work_group_id": wg_ids[0], "wg_ids": wg_ids, "urns": urns}


@pytest.fixture
def con(warehouse):
    with duckdb.connect(str(warehouse[0]), read_only=True) as c:
        yield c


def both(con, entity: str, path):
    """(SQL outcome or None when it hands the file back, polars outcome or the ReadError)."""
    ctx = loading.context(con)
    proof = plan(path, module(entity).REQUIRED)
    sql = in_duckdb.validate(con, entity, proof, ctx) if proof is not None else None
    try:
        exact = validate(entity, read_table(path, required=module(entity).REQUIRED), ctx, path.name)
    except (ReadError, FileRejected) as exc:
        exact = exc
    return sql, exact


def assert_same(con, sql, exact) -> None:
    assert not isinstance(exact, Exception), f"SQL judged a file the exact reader rejects: {exact}"
    assert (sql.received, sql.loaded, sql.quarantined_rows) == (
        exact.received,
        exact.loaded,
        exact.quarantined_rows,
    )
    assert sql.extra_columns == exact.extra_columns
    assert sql.reasons == exact.reasons
    assert sql.quarantine.rows() == exact.quarantine.rows()  # row, column, rule, reason, raw
    held = exact.quarantine.select("row_number").unique()
    hubs = [v.row_hubs.join(held, on="row_number").sort("row_number").rows() for v in (sql, exact)]
    assert hubs[0] == hubs[1]
    columns = list(exact.good.columns)
    loaded = con.sql(f"SELECT {', '.join(columns)} FROM {sql.good_table}").pl()  # noqa: S608
    key = list(module(exact.entity).KEY)
    assert loaded.sort(key).rows() == exact.good.sort(key).rows()


def write(tmp_path, name: str, text: str | bytes):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


HOSTILE = [c for c in cases() if c.entity in SQL_ENTITIES and c.file_name.lower().endswith(".csv")]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in HOSTILE])
def test_hostile_csv_cases_judged_alike_or_handed_back(case, con, warehouse, tmp_path):
    path = write(tmp_path, case.file_name, case.make(warehouse[1]))
    sql, exact = both(con, case.entity, path)
    if sql is not None:
        assert_same(con, sql, exact)


def test_the_sql_engine_takes_most_hostile_csv_cases(con, warehouse, tmp_path):
    """The differential above must not pass by handing every file back."""
    taken = 0
    for case in HOSTILE:
        path = write(tmp_path, case.file_name, case.make(warehouse[1]))
        proof = plan(path, module(case.entity).REQUIRED)
        taken += (
            proof is not None
            and in_duckdb.validate(con, case.entity, proof, loading.context(con)) is not None
        )
    assert taken >= len(HOSTILE) // 2, (taken, len(HOSTILE))


def participation_lines(wg: str, other_wg: str, urn: int, urn2: int) -> list[str]:
    """One line per way to break each participation rule, and lines that must load."""
    nb = "\u00a0"
    return [
        f"{wg},{urn},2,embedding",  # loads
        f",{urn},2,embedding",  # work_group_id_present
        f"no-such-wg,{urn},2,",  # work_group_known_rule
        f"{wg},12345,1,",  # school_urn_format
        f"{wg},abcdef,1,",  # school_urn_format
        f"{wg},,1,",  # school_urn_format (missing)
        f"{wg},999999,1,",  # school_known_rule
        f"{wg},{urn2},0,",  # teachers_count
        f"{wg},{urn2},-1,",
        f"{wg},{urn2},x,",
        f"{wg},{urn2},,",
        f"{wg},{urn2},1.5,",
        f"{wg},{urn2},1234567890,",
        f"{wg},{urn2},3,bogus",  # stage_known
        f"{other_wg},{urn2},3, TfM Embedding ",  # loads: alias with spaces around
        f"{other_wg}, {urn} ,{nb}4{nb},Sustaining",  # loads: wide spaces trimmed
        ",,,\t",  # no value at all (with the notes column: ",,,\t,n" is a row)
        f"{wg},{urn2},1,readiness",  # superseded by the next line (same key)
        f"{wg},{urn2},2,development",
        f"no-such-wg,0{urn2 % 100000:05d}x,0,nope",  # every rule at once
        f"{other_wg},{urn2:06d},5,",
    ]


def test_every_participation_rule_broken_alike(con, warehouse, tmp_path):
    facts = warehouse[1]
    wg, other = facts["wg_ids"][0], facts["wg_ids"][1]
    lines = participation_lines(wg, other, facts["urns"][0], facts["urns"][1])
    path = write(
        tmp_path,
        "parts.csv",
        "work_group_id,school_urn,teachers,stage,notes\n" + "\n".join(f"{x},n" for x in lines),
    )
    sql, exact = both(con, "participations", path)
    assert sql is not None
    assert_same(con, sql, exact)
    assert set(exact.reasons) >= set(module("participations").rules.rules) | {"duplicate_key"}


def test_participations_without_the_optional_column_and_with_crlf(con, warehouse, tmp_path):
    facts = warehouse[1]
    lines = [f"{facts['wg_ids'][i % 3]},{facts['urns'][i]},{i % 3}" for i in range(40)]
    body = "\r\n".join([*lines[:20], ",,", *lines[20:]])  # line 22 has no value: not a row
    path = write(tmp_path, "p.csv", "Work Group ID;School URN;Teachers\r\n".replace(";", ",") + body + "\r\n")
    sql, exact = both(con, "participations", path)
    assert sql is not None
    assert_same(con, sql, exact)


def test_line_numbers_hold_across_duckdbs_parallel_chunks(con, warehouse, tmp_path):
    """120,000 rows (DuckDB splits them across threads and buffers): the bad rows, scattered,
    must come back with the same line numbers as the exact reader gives them."""
    facts = warehouse[1]
    rng = random.Random(13)
    rows = []
    for i in range(120_000):
        wg = facts["wg_ids"][i % len(facts["wg_ids"])]
        urn = facts["urns"][(i * 7) % len(facts["urns"])]
        bad = rng.random() < 0.001
        rows.append(f"{wg},{urn},{0 if bad else 1 + i % 3},{'' if i % 5 else 'embedding'}")
    path = write(tmp_path, "big.csv", "work_group_id,school_urn,teachers,stage\n" + "\n".join(rows) + "\n")
    sql, exact = both(con, "participations", path)
    assert sql is not None
    assert exact.quarantined_rows > 50
    assert_same(con, sql, exact)


@pytest.mark.parametrize(
    "content",
    [
        b'work_group_id,school_urn,teachers,stage\nwg,100000,"1\n2",\n',  # a field over two lines
        b'work_group_id,school_urn,teachers,stage\nwg,100000,1,"unclosed\n',  # unterminated quote
        b"work_group_id,school_urn,teachers,stage\nwg,100000,1\n",  # ragged
        b"work_group_id,school_urn,teachers,stage\n\nwg,100000,1,\n",  # blank line
        b"work_group_id,school_urn,teachers,stage\rwg,100000,1,\r",  # old Mac line breaks
        b"work_group_id,school_urn,teachers,stage\nwg,100000,1,\xe9t\xe9\n",  # cp1252
        b"work_group_id,school_urn,teachers,stage\nwg,100000,1,\x00\n",  # NUL
    ],
)
def test_files_the_proof_does_not_clear_go_the_exact_way(con, tmp_path, content):
    path = write(tmp_path, "x.csv", content)
    proof = plan(path, module("participations").REQUIRED)
    assert proof is None or in_duckdb.validate(con, "participations", proof, loading.context(con)) is None


def test_good_rows_match_the_table_types(con, warehouse, tmp_path):
    facts = warehouse[1]
    path = write(
        tmp_path, "p.csv", f"work_group_id,school_urn,teachers\n{facts['wg_ids'][0]},{facts['urns'][0]},2\n"
    )
    sql, _ = both(con, "participations", path)
    types = dict(con.sql(f"SELECT * FROM {sql.good_table}").pl().schema)  # noqa: S608
    assert types == {
        "work_group_id": pl.String,
        "school_urn": pl.Int64,
        "teachers": pl.Int64,
        "stage": pl.String,
    }


WG_HEADER = (
    "work_group_id,hub,academic_year,project_code,programme,title,phases,delivery,venue_name,venue_postcode,"
    "session_dates,capacity,places_left,status,booking_url,cost_note,eligibility,internal_note"
)


def wg_line(i: int, **changes: str) -> str:
    row = {
        "work_group_id": f"diff-{i:03d}",
        "hub": "Origin Maths Hub",
        "academic_year": "2026/27",
        "project_code": "ncp26-06",
        "programme": "Mastering Number at KS2",
        "title": f"Group {i}",
        "phases": "Primary; KS3 ;primary",
        "delivery": "Face-to-face",
        "venue_name": "Tudor Grange Academy",
        "venue_postcode": "b91  3pd",
        "session_dates": "2026-10-14;18/11/2026; 2026-09-30",
        "capacity": "20",
        "places_left": "4",
        "status": "Open",
        "booking_url": "https://example.org/book",
        "cost_note": "Free",
        "eligibility": "",
        "internal_note": "x",
    }
    row.update(changes)
    return ",".join(
        f'"{v}"' if ("," in v or '"' in v) else v for v in (x.replace('"', '""') for x in row.values())
    )


WG_BREAKS: list[dict[str, str]] = [
    {},  # loads
    {"work_group_id": ""},
    {"work_group_id": "has space"},
    {"work_group_id": "x" * 65},
    {"hub": ""},
    {"hub": "Atlantis Maths Hub"},
    {"academic_year": "2026"},
    {"academic_year": ""},
    {"academic_year": "2026-2027"},  # loads
    {"academic_year": "2026 / 27"},  # loads
    {"academic_year": "2026/2028"},
    {"academic_year": "20\u0662\u0666/27"},  # Arabic-Indic digits: Python reads 2026 (loads)
    {"academic_year": "2026/28"},
    {"academic_year": " 2025 - 2026 "},  # loads
    {"project_code": "NCP 26"},
    {"project_code": "x"},
    {"programme": ""},
    {"programme": "p" * 201},
    {"title": ""},
    {"title": "t" * 301},
    {"phases": ""},
    {"phases": "Primary;Sixth form;Nursery"},
    {"phases": " ; ;"},
    {"delivery": "carrier pigeon"},
    {"delivery": "online", "venue_postcode": "", "venue_name": ""},  # loads
    {"delivery": "blended", "venue_postcode": ""},
    {"venue_postcode": "NOT A POSTCODE"},
    {"venue_postcode": "EH1 1YZ"},  # Scotland
    {"venue_postcode": "cf10 1aa"},  # Wales
    {"venue_postcode": "B9"},
    {"session_dates": ""},
    {"session_dates": "2026-02-30"},
    {"session_dates": "31/02/2027;2026-10-01"},
    {"session_dates": "2026-10-14;tomorrow"},
    {"session_dates": "2027-09-01"},
    {"session_dates": "2026-08-31"},
    {"capacity": "-1", "places_left": "0"},
    {"capacity": "twenty"},
    {"capacity": "1.5"},
    {"places_left": "-2"},
    {"places_left": "30"},
    {"capacity": "", "places_left": "3"},  # loads
    {"status": "maybe"},
    {"booking_url": "javascript:alert(1)"},
    {"booking_url": "https://exa mple.org"},
    {"booking_url": "http://ok.example/x"},  # loads
    {"booking_url": "https://" + "u" * 500},  # loads
    {"booking_url": "https://" + "u" * 501},
    {"booking_url": "http://" + "u" * 500},  # loads
    {"booking_url": "http://" + "u" * 501},
    {"booking_url": "https://ab"},
    {"venue_name": "v" * 301},
    {"cost_note": "c" * 2001},
    {"eligibility": "e" * 2001},
    {"title": "\u00a0Spaced\u2009title\u3000", "hub": " origin ", "status": "FULL"},  # loads, trimmed
    {"title": 'A "quoted", title'},  # loads
    {
        "work_group_id": "",
        "hub": "nowhere",
        "academic_year": "soon",
        "phases": "x",
        "delivery": "y",
        "session_dates": "z",
        "status": "w",
    },  # many rules at once
    {"work_group_id": "diff-dup"},  # superseded by the next line
    {"work_group_id": "diff-dup", "title": "Second copy wins"},
]


def test_every_work_group_rule_broken_alike(con, tmp_path):
    lines = [wg_line(i, **changes) for i, changes in enumerate(WG_BREAKS)]
    lines.insert(5, ",,,,,,,,,,,,,,,,,")  # no value at all: not a row
    path = write(tmp_path, "wg.csv", WG_HEADER + "\n" + "\n".join(lines) + "\n")
    sql, exact = both(con, "work_groups", path)
    assert sql is not None
    assert_same(con, sql, exact)
    assert set(exact.reasons) >= set(module("work_groups").rules.rules) | {"duplicate_key"}
    assert sql.loaded >= 8


def test_the_whitespace_trim_is_sound(tmp_path):
    """The fields DuckDB gives under the proof, trimmed by `in_duckdb.text` (the cheap ASCII test,
    or the full pattern when the bytes may hold a wider space), equal polars' `strip_chars()` of the
    csv module's own reading: random CSV files (quotes, escaped quotes, delimiters and every kind of
    whitespace inside and around quoted fields)."""
    import csv
    import io

    from pipelines.staging import source

    rng = random.Random(7)
    ascii_pieces = ["a", "b", " ", ",", '"', "\t", "\x0b", "\x0c", "x y"]
    wide_pieces = [*ascii_pieces, "é", "\u00a0", "\u2019", "\u3000"]
    checked = wide = fields_checked = 0
    with duckdb.connect() as db:
        for i in range(400):
            pieces = rng.choice([ascii_pieces, wide_pieces])  # (one wide space sends a file the slow way)
            rows = [
                ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 4))) for _ in range(3)]
                for _ in range(rng.randint(1, 16))
            ]
            out = io.StringIO()
            csv.writer(out, lineterminator=rng.choice(["\n", "\r\n"])).writerows([["h1", "h2", "h3"], *rows])
            path = tmp_path / f"{i}.csv"
            path.write_bytes(out.getvalue().encode())
            proof = plan(path)
            if proof is None:
                continue
            fields = [f for r in csv.reader(io.StringIO(out.getvalue()), strict=True) for f in r][3:]
            expected = pl.Series(fields, dtype=pl.String).str.strip_chars().replace("", None).to_list()
            select = ", ".join(in_duckdb.text(c, proof) for c in proof.columns)
            read = db.sql(f"SELECT {select} FROM {source(proof)} ORDER BY _row")  # noqa: S608
            got = [v for r in read.fetchall() for v in r]
            assert got == expected, out.getvalue()
            checked, wide, fields_checked = checked + 1, wide + proof.wide, fields_checked + len(fields)
    assert checked > 350 and 80 < wide < checked - 80 and fields_checked > 10_000, (checked, wide)


@pytest.mark.parametrize("repeat", [False, True])
def test_lines_come_from_a_numbered_reading_whichever_way_the_file_goes(
    con, warehouse, tmp_path, monkeypatch, repeat
):
    """The first pass stores no line numbers (DuckDB reads in parallel and keeps no row order across
    the rules' joins): failing rows get their lines from the numbered re-reading, and a repeated key
    sends the whole file through the numbered way. Both alike the exact reader, line for line."""
    facts = warehouse[1]
    rows = [
        f"{facts['wg_ids'][i % len(facts['wg_ids'])]},{facts['urns'][i]},{0 if i % 97 == 5 else 2},"
        for i in range(3000)
    ]
    if repeat:
        rows.append(rows[10].replace(",2,", ",3,"))  # the same key again, later: it wins
    path = write(tmp_path, "p.csv", "work_group_id,school_urn,teachers,stage\n" + "\n".join(rows) + "\n")
    numbered = []
    real = in_duckdb._validate

    def spy(*args, **kwargs):
        numbered.append(kwargs.get("numbered", False))
        return real(*args, **kwargs)

    monkeypatch.setattr(in_duckdb, "_validate", spy)
    sql, exact = both(con, "participations", path)
    assert sql is not None and exact.quarantined_rows >= 30
    assert numbered == ([False, True] if repeat else [False])
    assert_same(con, sql, exact)
