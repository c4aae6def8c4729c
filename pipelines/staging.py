"""Stage a CSV file inside DuckDB as all-text rows with their line numbers, when its bytes prove it
is well-formed; otherwise say no, and the exact reader (`pipelines.readers`) takes the file.

DuckDB's `read_csv` alone is not trusted with a file: left to itself it can drop or merge a row
(an unterminated quote) without a word. So it is used only under a proof. The bytes show: UTF-8,
no NUL, no blank line, no line break but `\\n` or `\\r\\n`, a header that is one line. DuckDB
then reads in strict mode (a ragged row, a stray quote or an unterminated one is an error, never
a guess) and must return exactly one record per line after the header. A record can only end at a
line break, so that count leaves no room for a dropped, merged or split record: record i is line
i + 1, and its number is its line. Any doubt returns None and the exact reader decides, with line
numbers for every bad record.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipelines.readers import MAX_FIELD_BYTES, ReadError, check_header, sniff_delimiter


@dataclass(frozen=True)
class Plan:
    """What the bytes proved about a CSV file, enough to have DuckDB read it."""

    path: Path
    columns: list[str]  # normalised header names, in file order
    delimiter: str
    quoted: bool  # the file has a quote character somewhere
    records: int  # lines after the header: the rows DuckDB must return
    short: bool  # the whole file is under MAX_FIELD_BYTES (no field can be over it)
    spaces: str  # the ASCII whitespace characters (of space, tab, VT, FF) the file holds anywhere
    wide: bool  # the file may hold wider (Unicode) whitespace: False when its bytes prove it holds none


def csv_like(path: Path) -> bool:
    return path.suffix.lower() in (".csv", ".txt", ".tsv", "")


def plan(path: Path, required: Sequence[str] = (), data: bytes | None = None) -> Plan | None:
    """The proof from the file's bytes (`data`, when the caller already read them), or None when
    only the exact reader may read this file."""
    if not csv_like(path):
        return None
    data = path.read_bytes() if data is None else data
    if not data or data.isspace() or b"\x00" in data:
        return None  # the exact reader gives the empty-file message or quarantines the NUL
    ascii_only = data.isascii()
    if not ascii_only and not _looks_utf8(data):
        return None  # cp1252 and anything else: the exact reader decides (DuckDB checks every byte too)
    body = data.removeprefix(b"\xef\xbb\xbf")
    if b"\r" in body and body.count(b"\r") != body.count(b"\r\n") or body.startswith(b"\n"):
        return None  # a lone CR (another line break) or a blank line: line numbers need care
    b = np.frombuffer(body, dtype=np.uint8)
    breaks = np.flatnonzero(b == 10)  # (one vector pass: searching for "\n\n" and "\n\r\n" took two)
    gaps = np.diff(breaks)
    if (gaps == 1).any() or (b[breaks[:-1][gaps == 2] + 1] == 13).any():
        return None  # a blank line: "\n\n" or "\n\r\n"
    lines = len(breaks) + (0 if body.endswith(b"\n") else 1)
    header_line = body[: body.find(b"\n")] if b"\n" in body else body
    header_text = header_line.decode("utf-8").rstrip("\r")
    if lines < 2 or header_text.count('"') % 2:
        return None
    delimiter = sniff_delimiter(header_text)
    try:
        columns = check_header(next(csv.reader([header_text], delimiter=delimiter, strict=True)), path.name)
    except (csv.Error, StopIteration, ReadError):
        return None  # the exact reader words the rejection
    if any(r not in columns for r in required):
        return None  # ... and says where the header really is, or which column is missing
    quoted, short = b'"' in body, len(data) <= MAX_FIELD_BYTES
    spaces = "".join(c for c in ASCII_SPACES if c.encode() in body)
    wide = not ascii_only and _wide_space(b)
    return Plan(path, columns, delimiter, quoted, lines - 1, short, spaces, wide)


# The whitespace polars' str.strip_chars() strips (Unicode White_Space) that a field can hold under
# the proof: a line break cannot be inside a field (one record per line), so only these, and the
# wide ones `_wide_space` looks for.
ASCII_SPACES = " \t\x0b\x0c"


# Unicode whitespace beyond ASCII, as UTF-8: lead byte -> (second byte, allowed third bytes or None)
# for U+0085, U+00A0, U+1680, U+2000-200A, U+2028, U+2029, U+202F, U+205F, U+3000.
_WIDE_SPACE = {
    0xC2: ((0x85, None), (0xA0, None)),
    0xE1: ((0x9A, (0x80,)),),
    0xE2: ((0x80, (*range(0x80, 0x8B), 0xA8, 0xA9, 0xAF)), (0x81, (0x9F,))),
    0xE3: ((0x80, (0x80,)),),
}


def _wide_space(b: np.ndarray) -> bool:
    # Only the lead bytes of multi-byte characters (>= 0xC2) are visited, not the whole file again.
    at = np.flatnonzero(b >= 0xC2)
    for lead, tails in _WIDE_SPACE.items():
        lead_at = at[b[at] == lead]
        lead_at = lead_at[lead_at + 1 < len(b)]
        for second, thirds in tails:
            hit = lead_at[b[lead_at + 1] == second]
            if thirds is not None:
                hit = hit[hit + 2 < len(b)]
                hit = hit[np.isin(b[hit + 2], thirds)]
            if hit.size:
                return True
    return False


def _looks_utf8(data: bytes) -> bool:
    """Excel's cp1252 shows in its first non-ASCII bytes; DuckDB refuses any invalid UTF-8 later."""
    try:
        data[: 1 << 16].decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > (1 << 16) - 4  # only a character cut at the end of the sample
    return True


def source(p: Plan, numbered: bool = True) -> str:
    """The file as DuckDB reads it under the proof: `_row` (its line number; not with `numbered`
    False), then every column as text. The caller checks that exactly `p.records` rows came back
    (see the module note).

    The numbering is a window over the whole file, which DuckDB runs on one thread. Without it the
    file is read in parallel; a query that joins the rows keeps no order DuckDB guarantees, so an
    unnumbered reading serves only where no line is needed (see `in_duckdb._validate`)."""
    names = ", ".join(f"{_literal(c)}: 'VARCHAR'" for c in p.columns)
    quote = "'\"'" if p.quoted else "''"
    options = (
        f"header = true, auto_detect = false, all_varchar = true, strict_mode = true, "
        f"null_padding = false, ignore_errors = false, delim = {_literal(p.delimiter)}, "
        f"quote = {quote}, escape = {quote}, columns = {{{names}}}"
    )
    # row_number() over the file's own order (DuckDB keeps insertion order): record i -> line i + 1.
    if not numbered:
        return f"(SELECT * FROM read_csv({_literal(str(p.path))}, {options}))"  # noqa: S608
    return (
        f"(SELECT (row_number() OVER () + 1)::BIGINT AS _row, * "  # noqa: S608
        f"FROM read_csv({_literal(str(p.path))}, {options}))"
    )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
