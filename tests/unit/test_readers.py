"""The file reader: encodings, delimiters, structural errors with line numbers, other formats."""

from __future__ import annotations

import json

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
