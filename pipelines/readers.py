"""Read an import file (CSV, XLSX, JSON or Parquet) into an all-text frame with source row numbers.

Nothing here judges values: it only splits a file into rows and fields. Rows that cannot be split
(ragged rows, unterminated quotes) come back as structural issues with their line numbers, so a
loader can quarantine them and account for every row. A file that cannot be read at all raises
`ReadError` with one plain message.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

ROW = "_row"  # the source row number column every frame carries
DELIMITERS = (",", ";", "\t")
MAX_FIELD_BYTES = 16 * 1024 * 1024
csv.field_size_limit(MAX_FIELD_BYTES)


class ReadError(Exception):
    """The file cannot be read at all; the message says why in plain words."""


@dataclass(frozen=True)
class StructuralIssue:
    row: int
    reason: str
    raw: str


@dataclass
class RawTable:
    frame: pl.DataFrame  # one String column per header name, plus ROW (Int64)
    columns: list[str]
    structural: list[StructuralIssue] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    row_label: str = "line"

    @property
    def received(self) -> int:
        return self.frame.height + len(self.structural)


def normalise_header(name: str) -> str:
    """`Work Group ID ` -> `work_group_id`: people's spreadsheets vary in case and spacing."""
    return re.sub(r"[\s\-]+", "_", str(name).strip().lstrip("\ufeff").strip().lower())


def read_table(path: Path) -> RawTable:
    if not path.exists():
        raise ReadError(f"{path}: no such file")
    if path.is_dir():
        raise ReadError(f"{path}: is a folder, not a file")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix == ".json":
        return _read_json(path)
    if suffix == ".parquet":
        return _read_parquet(path)
    if suffix in (".csv", ".txt", ".tsv", ""):
        return _read_csv(path)
    raise ReadError(f"{path.name}: unsupported file type '{suffix}' (use .csv, .xlsx, .json or .parquet)")


# --- CSV ---------------------------------------------------------------------------------------


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM), else Windows-1252 (a superset of Latin-1's
    printable characters, so Latin-1 files read the same). Anything else is refused rather than
    loaded as mojibake."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError(f"{name}: the file is UTF-16 encoded; save it as 'CSV UTF-8' and try again")
    if b"\x00" in data[:65536]:
        raise ReadError(f"{name}: this is not a text file (it contains binary data)")
    try:
        return data.decode("utf-8-sig"), "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # Excel on Windows writes cp1252: smart quotes and the pound sign live in 0x80-0x9F.
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        # Bytes cp1252 leaves undefined are C1 controls in Latin-1, never real text: this is
        # another encoding (Shift-JIS, GB2312, ...).
        raise ReadError(
            f"{name}: byte {exc.start + 1} is not UTF-8, Windows-1252 or Latin-1 text; "
            "save the file as 'CSV UTF-8' and try again"
        ) from None


def sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(path: Path) -> RawTable:
    data = path.read_bytes()
    if not data.strip():
        raise ReadError(f"{path.name}: the file is empty")
    text, encoding = decode(data, path.name)
    first_line = text.split("\n", 1)[0].rstrip("\r")
    delimiter = sniff_delimiter(first_line)
    if '"' in text:
        fast = _split_quoted_fast(text, delimiter, path.name)
        columns, frame, issues = fast if fast is not None else _split_quoted(text, delimiter, path.name)
    else:
        columns, frame, issues = _split_plain(text, delimiter, path.name)
    return RawTable(frame, columns, issues, encoding=encoding, delimiter=delimiter, row_label="line")


def _check_header(raw: list[str], name: str) -> list[str]:
    columns = [normalise_header(c) for c in raw]
    if not any(columns):
        raise ReadError(f"{name}: the first line has no column names")
    if any(not c for c in columns):
        position = [i for i, c in enumerate(columns) if not c][0] + 1
        raise ReadError(f"{name}: line 1, column {position} has no name")
    dupes = sorted({c for c in columns if columns.count(c) > 1})
    if dupes:
        raise ReadError(f"{name}: line 1: column {', '.join(repr(d) for d in dupes)} appears more than once")
    return columns


def _frame(
    columns: list[str], values: dict[str, list[str | None]] | dict[str, pl.Series], rows
) -> pl.DataFrame:
    frame = pl.DataFrame({c: values[c] for c in columns}, schema={c: pl.String for c in columns})
    frame = frame.with_columns(pl.Series(ROW, rows, dtype=pl.Int64))
    # Surrounding spaces are never meaningful in these templates; empty means missing.
    return frame.with_columns(pl.col(c).str.strip_chars().replace("", None) for c in columns)


def _split_plain(
    text: str, delimiter: str, name: str
) -> tuple[list[str], pl.DataFrame, list[StructuralIssue]]:
    """Fast path for files without quotes: one line is one record, split with polars."""
    lines = pl.Series("line", text.split("\n"), dtype=pl.String).str.strip_suffix("\r")
    columns = _check_header(lines[0].split(delimiter), name)
    body = pl.DataFrame({"line": lines}).with_row_index(ROW, offset=1).slice(1)
    body = body.filter(pl.col("line").str.strip_chars() != "")
    body = body.with_columns(n=pl.col("line").str.count_matches(delimiter, literal=True) + 1)
    ragged = body.filter(pl.col("n") != len(columns))
    issues = [
        StructuralIssue(int(r), f"expected {len(columns)} fields, found {n}", line)
        for r, n, line in ragged.select(ROW, "n", "line").iter_rows()
    ]
    good = body.filter(pl.col("n") == len(columns))
    parts = good.select(pl.col("line").str.split(delimiter).list.to_struct(fields=columns)).unnest("line")
    return columns, _frame(columns, {c: parts[c] for c in columns}, good[ROW].cast(pl.Int64)), issues


def _split_quoted_fast(
    text: str, delimiter: str, name: str
) -> tuple[list[str], pl.DataFrame, list[StructuralIssue]] | None:
    """polars' reader for quoted files, used only when every record is provably one well-formed
    line: an even number of quotes on each line (no field spans lines), the right number of
    delimiters outside quotes (no ragged rows) and no blank lines. Otherwise None: the exact path
    decides, with line numbers."""
    lines = pl.Series("line", text.split("\n"), dtype=pl.String).str.strip_suffix("\r")
    while lines.len() > 1 and lines[-1].strip() == "":
        lines = lines.head(-1)
    header, body = lines[0], lines.slice(1)
    try:
        raw_header = next(csv.reader([header], delimiter=delimiter, strict=True))
    except csv.Error:
        return None
    width = len(raw_header)
    outside_quotes = body.str.replace_all(r'"(?:[^"]|"")*"', "")
    safe = (
        (body.str.count_matches('"', literal=True) % 2 == 0).all()
        and (outside_quotes.str.count_matches(delimiter, literal=True) == width - 1).all()
        and (body.str.strip_chars() != "").all()
    )
    if not safe:
        return None
    columns = _check_header(raw_header, name)
    data = "\n".join([header, *body.to_list()]).encode("utf-8")
    frame = pl.read_csv(data, separator=delimiter, infer_schema=False, quote_char='"', has_header=True)
    frame.columns = columns
    return columns, _frame(columns, {c: frame[c] for c in columns}, range(2, frame.height + 2)), []


def _split_quoted(
    text: str, delimiter: str, name: str
) -> tuple[list[str], pl.DataFrame, list[StructuralIssue]]:
    """Exact path for quoted files: the csv module knows where each record starts and ends."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        columns = _check_header(next(reader), name)
    except csv.Error as exc:
        raise ReadError(f"{name}: line 1: the header cannot be read ({exc})") from None
    values: dict[str, list[str | None]] = {c: [] for c in columns}
    rows: list[int] = []
    issues: list[StructuralIssue] = []
    width = len(columns)
    last_line = reader.line_num
    while True:
        start = last_line + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            lines = text.split("\n")
            issues.append(
                StructuralIssue(start, f"cannot be split into fields ({exc})", lines[start - 1][:500])
            )
            last_line = reader.line_num
            continue
        last_line = reader.line_num
        if not record or (len(record) == 1 and not record[0].strip()):
            continue
        if len(record) != width:
            raw = delimiter.join(record)
            issues.append(StructuralIssue(start, f"expected {width} fields, found {len(record)}", raw[:500]))
            continue
        rows.append(start)
        for c, v in zip(columns, record, strict=True):
            values[c].append(v)
    return columns, _frame(columns, values, rows), issues


# --- Other formats -----------------------------------------------------------------------------


def _all_text(df: pl.DataFrame, name: str, first_row: int, label: str) -> RawTable:
    columns = _check_header([str(c) for c in df.columns], name)
    df.columns = columns
    cast = []
    for c, dtype in df.schema.items():
        if dtype == pl.List(pl.String) or isinstance(dtype, pl.List):
            cast.append(pl.col(c).cast(pl.List(pl.String)).list.join(";").alias(c))
        elif dtype in (pl.Date, pl.Datetime) or isinstance(dtype, pl.Datetime):
            cast.append(pl.col(c).dt.strftime("%Y-%m-%d").alias(c))
        else:
            cast.append(pl.col(c).cast(pl.String).alias(c))
    df = df.with_columns(cast) if cast else df
    rows = pl.int_range(first_row, first_row + df.height, eager=True)
    return RawTable(_frame(columns, {c: df[c] for c in columns}, rows), columns, row_label=label)


def _read_xlsx(path: Path) -> RawTable:
    try:
        df = pl.read_excel(path, engine="calamine", infer_schema_length=0)
    except Exception as exc:  # fastexcel raises its own types for truncated or non-XLSX files
        raise ReadError(f"{path.name}: not a readable Excel workbook ({type(exc).__name__})") from None
    return _all_text(df, path.name, 2, "row")


def _read_json(path: Path) -> RawTable:
    try:
        records = json.loads(decode(path.read_bytes(), path.name)[0])
    except json.JSONDecodeError as exc:
        raise ReadError(
            f"{path.name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    if not isinstance(records, list):
        raise ReadError(f"{path.name}: JSON must be a list of records, found {type(records).__name__}")
    issues: list[StructuralIssue] = []
    good: list[dict] = []
    rows: list[int] = []
    for i, rec in enumerate(records, start=1):
        if not isinstance(rec, dict):
            issues.append(
                StructuralIssue(i, f"record is {type(rec).__name__}, not an object", json.dumps(rec)[:500])
            )
            continue
        good.append(rec)
        rows.append(i)
    names: list[str] = []
    for rec in good:
        names.extend(k for k in rec if k not in names)
    if not names and not issues:
        raise ReadError(f"{path.name}: the JSON list has no records")

    def text(v: object) -> str | None:
        if v is None:
            return None
        if isinstance(v, list):
            return ";".join(str(x) for x in v)
        if isinstance(v, dict):
            return json.dumps(v)
        return str(v)

    columns = _check_header(names, path.name) if names else []
    values = {c: [text(rec.get(n)) for rec in good] for c, n in zip(columns, names, strict=True)}
    return RawTable(_frame(columns, values, rows), columns, issues, row_label="record")


def _read_parquet(path: Path) -> RawTable:
    try:
        df = pl.read_parquet(path)
    except Exception as exc:  # polars raises ComputeError/OSError variants for bad files
        raise ReadError(f"{path.name}: not a readable Parquet file ({type(exc).__name__})") from None
    return _all_text(df, path.name, 1, "record")
