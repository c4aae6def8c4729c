"""The file reader: encodings, delimiters, structural errors with line numbers, other formats."""

from __future__ import annotations

import json
from datetime import date, datetime

import polars as pl
import pytest

from pipelines.readers import ROW, ReadError, read_table


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_cp1252_smart_quotes_and_pound_sign(tmp_path):
    text = "title;cost_note\r\n\u201cMastering Number\u201d \u2013 KS2;\u00a30 \u2014 fully funded\r\n"
    table = read_table(write(tmp_path, "wg.csv", text.encode("cp1252")))
    assert table.encoding == "cp1252"
    assert table.delimiter == ";"
    assert table.frame.row(0, named=True) == {
        "title": "\u201cMastering Number\u201d \u2013 KS2",
        "cost_note": "\u00a30 \u2014 fully funded",
        ROW: 2,
    }


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("a,b\n1,caf\u00e9\n".encode(), "utf-8"),
        (b"\xef\xbb\xbf" + "a,b\n1,caf\u00e9\n".encode(), "utf-8-sig"),
        ("a,b\n1,caf\u00e9\n".encode("latin-1"), "cp1252"),
    ],
)
def test_encodings(tmp_path, data, encoding):
    table = read_table(write(tmp_path, "x.csv", data))
    assert table.encoding == encoding
    assert table.columns == ["a", "b"]
    assert table.frame["b"].to_list() == ["caf\u00e9"]


def test_tab_delimited_and_header_normalised(tmp_path):
    table = read_table(write(tmp_path, "x.tsv", b"Work Group ID\tSchool URN\nWG1\t100000\n"))
    assert table.columns == ["work_group_id", "school_urn"]
    assert table.frame["school_urn"].to_list() == ["100000"]


def test_ragged_rows_and_unterminated_quote_are_structural_with_line_numbers(tmp_path):
    data = b'a,b\n1,x\n2,"multi\nline"\n3,y,extra\n4,z\n5\n"6,unclosed\n7,w\n'
    table = read_table(write(tmp_path, "x.csv", data))
    assert table.frame.select("a", ROW).rows() == [("1", 2), ("2", 3), ("4", 6)]
    assert [(s.row, s.reason.split(" (")[0]) for s in table.structural] == [
        (5, "expected 2 fields, found 3"),
        (7, "expected 2 fields, found 1"),
        (8, "cannot be split into fields"),
    ]
    assert table.received == 6


def test_plain_fast_path_reports_ragged_lines(tmp_path):
    table = read_table(write(tmp_path, "x.csv", b"a,b\r\n1,2\r\n\r\n3\r\n4,5,6\r\n7,8"))
    assert table.frame.select("a", "b", ROW).rows() == [("1", "2", 2), ("7", "8", 6)]
    assert [s.row for s in table.structural] == [4, 5]


def test_empty_strings_become_missing_and_spaces_are_trimmed(tmp_path):
    table = read_table(write(tmp_path, "x.csv", b"a,b\n  1 , \n"))
    assert table.frame.select("a", "b").row(0) == ("1", None)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"\xff\xfea\x00,\x00b\x00", "UTF-16"),
        (b"\x00\x01\x02junk", "not a text file"),
        (b"a,a\n1,2\n", "appears more than once"),
        ("a,b\n1,\u6570\u5b66\n".encode("shift_jis"), "not UTF-8, Windows-1252 or Latin-1"),
    ],
)
def test_unreadable_files_are_rejected_with_one_message(tmp_path, data, message):
    with pytest.raises(ReadError, match=message):
        read_table(write(tmp_path, "bad.csv", data))


def test_json_list_of_records(tmp_path):
    records = [{"a": 1, "b": ["x", "y"]}, "oops", {"a": 2, "b": None}]
    table = read_table(write(tmp_path, "x.json", json.dumps(records).encode()))
    assert table.frame.select("a", "b", ROW).rows() == [("1", "x;y", 1), ("2", None, 3)]
    assert [(s.row, s.reason) for s in table.structural] == [(2, "record is str, not an object")]


def test_json_of_wrong_shape_is_rejected(tmp_path):
    with pytest.raises(ReadError, match="must be a list of records"):
        read_table(write(tmp_path, "x.json", b'{"a": 1}'))


def test_xlsx_and_parquet(tmp_path):
    frame = pl.DataFrame({"Work Group ID": ["WG1", "WG2"], "Capacity": [20, 30]})
    frame.write_excel(tmp_path / "x.xlsx")
    frame.write_parquet(tmp_path / "x.parquet")
    xlsx = read_table(tmp_path / "x.xlsx")
    assert xlsx.frame.select("work_group_id", "capacity", ROW).rows() == [("WG1", "20", 2), ("WG2", "30", 3)]
    parquet = read_table(tmp_path / "x.parquet")
    assert parquet.frame.select("work_group_id", "capacity", ROW).rows() == [
        ("WG1", "20", 1),
        ("WG2", "30", 2),
    ]


def test_truncated_xlsx_is_rejected(tmp_path):
    pl.DataFrame({"a": [1]}).write_excel(tmp_path / "ok.xlsx")
    data = (tmp_path / "ok.xlsx").read_bytes()
    with pytest.raises(ReadError, match="not a readable Excel workbook"):
        read_table(write(tmp_path, "cut.xlsx", data[: len(data) // 2]))


def test_quoted_fast_path_matches_the_exact_path(tmp_path):
    """Files with quotes on one line per record take polars' reader; the result must be what the
    csv module gives, and files it cannot prove safe still get the exact path."""
    from pipelines.readers import _split_quoted, _split_quoted_fast

    text = 'a,b,c\r\n1,"x, y",""\r\n2,"say ""hi""",z\r\n3,,"  w  "\r\n'
    fast = _split_quoted_fast(text, ",", "f.csv")
    exact = _split_quoted(text, ",", "f.csv")
    assert fast is not None
    assert fast[0] == exact[0]
    assert fast[1].equals(exact[1])
    assert fast[1]["b"].to_list() == ["x, y", 'say "hi"', None]
    assert _split_quoted_fast('a,b\n1,"two\nlines"\n', ",", "f.csv") is None  # a field spans lines
    assert _split_quoted_fast('a,b\n1,"x",extra\n', ",", "f.csv") is None  # ragged
    assert _split_quoted_fast('a,b\n1,"x"\n\n2,"y"\n', ",", "f.csv") is None  # blank line inside


def test_a_field_over_the_limit_in_a_multiline_file_quarantines_only_its_record(tmp_path):
    """The csv module used to stop inside the huge field and resume mid-field, inventing a record."""
    from pipelines.readers import MAX_FIELD_BYTES

    big = "x" * (MAX_FIELD_BYTES + 10)
    data = f'a,b\n1,"q\nr"\n2,"{big}\nmore"\n3,"z"\n4,w\n'.encode()
    table = read_table(write(tmp_path, "x.csv", data))
    assert table.frame.select("a", ROW).rows() == [("1", 2), ("3", 6), ("4", 7)]
    assert [(s.row, s.reason) for s in table.structural] == [(4, "a field is longer than the 16 MB limit")]
    assert table.received == 4


@pytest.mark.parametrize("quoted", [False, True])
def test_a_nul_byte_anywhere_quarantines_only_its_record(tmp_path, quoted):
    q = '"' if quoted else ""
    filler = "".join(f"{i},{q}{'y' * 300}{q}\n" for i in range(300))  # pushes the NUL past 64 KB
    data = f"a,b\n1,{q}x\x00y{q}\n{filler}2,{q}late\x00{q}\n3,z\n".encode()
    table = read_table(write(tmp_path, "x.csv", data))
    assert [s.row for s in table.structural] == [2, 303]
    assert all("NUL" in s.reason for s in table.structural)
    assert table.frame.height == 301
    assert not table.frame["b"].str.contains("\x00", literal=True).any()


def test_empty_rows_are_not_records(tmp_path):
    table = read_table(write(tmp_path, "x.csv", b"a,b,c\n1,2,3\n,,\n , ,\n,,,,\n4,5,6\n"))
    assert table.frame.select("a", ROW).rows() == [("1", 2), ("4", 6)]
    assert table.received == 2


def test_xlsx_row_numbers_survive_blank_rows_and_errors_name_the_cell(tmp_path):
    from tests.hardening.corpus import STYLED_BLANK, Err, workbook

    data = workbook(
        (
            "Sheet1",
            [
                ["id", "when", "n"],
                ["a", date(2026, 10, 14), 4.0],
                [STYLED_BLANK] * 3,
                [],
                ["b", datetime(2026, 10, 15, 0, 0), Err("#REF!", "=#REF!")],
                ["c", None, 7],
            ],
        )
    )
    table = read_table(write(tmp_path, "x.xlsx", data))
    assert table.frame.select("id", "when", "n", ROW).rows() == [
        ("a", "2026-10-14", "4", 2),
        ("c", None, "7", 6),
    ]
    assert [(s.row, s.rule, s.column) for s in table.structural] == [(5, "excel_error", "n")]
    assert "cell C5 (n) holds the Excel error #REF!" in table.structural[0].reason
    assert table.received == 3


def test_xlsx_with_a_stray_cell_far_away_is_rejected_before_reading(tmp_path):
    from tests.hardening.corpus import WG_COLUMNS, _stray_cell_workbook

    data = _stray_cell_workbook(WG_COLUMNS)
    assert len(data) < 20_000
    with pytest.raises(ReadError, match=r"sheet too large: .* span A1:XFD1048576"):
        read_table(write(tmp_path, "x.xlsx", data))


def test_whole_number_floats_from_parquet_and_json_are_integers(tmp_path):
    frame = pl.DataFrame(
        {"n": [4.0, None, 2.5], "when": [datetime(2026, 10, 14), None, datetime(2026, 1, 1, 9)]}
    )
    frame.write_parquet(tmp_path / "x.parquet")
    assert read_table(tmp_path / "x.parquet").frame.select("n", "when").rows() == [
        ("4", "2026-10-14"),
        ("2.5", "2026-01-01 09:00:00"),
    ]
    table = read_table(write(tmp_path, "x.json", b'[{"n": 4.0}, {"n": 100000.0}, {"n": 1.5}]'))
    assert table.frame["n"].to_list() == ["4", "100000", "1.5"]


@pytest.mark.parametrize(
    "text",
    [
        "a,b,c\r\n1,x,\r\n2, y ,z\r\n3,,w\r\n",  # the fast path
        "a,b,c\n1,x,\n2,y\n3,,w,v\n",  # ragged lines: counts differ, the line path decides
        "a,b,c\n1,x,\n\n3,,w\n",  # a blank line
        "a,b,c\n1,x,\n,,\n3,,w",  # a line of only delimiters, no final newline
    ],
)
def test_plain_fast_path_matches_the_line_path(tmp_path, text):
    """UTF-8 files without quotes take polars' reader when byte counts prove one record per line;
    whatever the path, rows, line numbers and structural issues are the line path's."""
    from pipelines.readers import _split_plain, _split_plain_fast

    table = read_table(write(tmp_path, "x.csv", text.encode()))
    columns, frame, issues = _split_plain(text, ",", "x.csv")
    assert table.frame.equals(frame.filter(~pl.all_horizontal(pl.col(c).is_null() for c in columns)))
    assert [(s.row, s.reason) for s in table.structural] == [(s.row, s.reason) for s in issues]
    assert (_split_plain_fast(text.encode(), ",", "x.csv") is not None) == (
        "\n\n" not in text and "y\n" not in text
    )


def test_duckdb_read_csv_alone_misreads_an_unterminated_quote_that_our_reader_accounts_for(tmp_path):
    """Why a structural pass of our own comes before any fast reader: DuckDB's read_csv, left to
    itself, does not give back the three well-formed records with the bad one set aside (it reads
    the file as one column, drops or merges a row, or refuses the file), while our reader loads
    the good records and quarantines the bad one with its line."""
    import duckdb

    path = write(tmp_path, "x.csv", b'a,b\n1,"x, y"\n2,"unclosed\n3,y\n4,z\n')
    try:
        rows = duckdb.sql("SELECT * FROM read_csv(?)", params=[str(path)]).fetchall()
    except duckdb.Error:
        rows = None
    assert rows != [(1, "x, y"), (3, "y"), (4, "z")] and rows != [("1", "x, y"), ("3", "y"), ("4", "z")]
    table = read_table(path)
    assert table.frame.select("a", ROW).rows() == [("1", 2)]
    assert [s.row for s in table.structural] == [3]
    assert table.received == 2  # the unclosed quote runs to the end of the file: one record, not three
