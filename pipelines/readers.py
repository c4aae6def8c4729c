"""Read an import file (CSV, XLSX, JSON or Parquet) into an all-text frame with source row numbers.

Nothing here judges values: it only splits a file into rows and fields. Rows that cannot be split
(ragged rows, unterminated quotes, a NUL byte, a field over the size limit, an Excel error cell)
come back as structural issues with their line numbers, so a loader can quarantine them and
account for every row. Rows where every field is empty (formatted blank rows, lines of only
delimiters) are not records and are skipped. A file that cannot be read at all raises `ReadError`
with one plain message.

The header must be on row 1 (of the first sheet, for a workbook). When the caller names the
required columns and they are not there, the first rows (and the other sheets) are searched so
the rejection can say where the header really is; the data is never guessed from another place.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

ROW = "_row"  # the source row number column every frame carries
DELIMITERS = (",", ";", "\t")
MAX_FIELD_BYTES = 16 * 1024 * 1024
# The csv module must never stop inside a long field (it would resume mid-field and invent rows):
# it splits records whatever their size, and fields over MAX_FIELD_BYTES are quarantined after.
csv.field_size_limit(sys.maxsize)
HEADER_SEARCH_ROWS = 20  # rows searched for a misplaced header
# An XLSX sheet is read into a dense grid of its used range (about 32 bytes a cell before any
# text), so the range is measured from the zip first: one stray cell in XFD1048576 would ask for
# 512 GiB. 5,000,000 cells holds 200,000 Work Groups of 17 columns with room to spare.
MAX_XLSX_CELLS = 5_000_000
MAX_XLSX_XML_BYTES = 1 << 30  # uncompressed sheet XML
MAX_XLSX_STRINGS_BYTES = 256 << 20  # uncompressed shared strings


class ReadError(Exception):
    """The file cannot be read at all; the message says why in plain words."""


@dataclass(frozen=True)
class StructuralIssue:
    row: int
    reason: str
    raw: str
    rule: str = "structural"
    column: str = ""


@dataclass
class RawTable:
    frame: pl.DataFrame  # one String column per header name, plus ROW (Int64)
    columns: list[str]
    structural: list[StructuralIssue] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    row_label: str = "line"
    no_nul: bool = False  # set by a reader that saw every byte: there is no NUL anywhere
    short: bool = False  # ... and the whole file is shorter than MAX_FIELD_BYTES

    @property
    def received(self) -> int:
        return self.frame.height + len(self.structural)


def normalise_header(name: str) -> str:
    """`Work Group ID ` -> `work_group_id`: people's spreadsheets vary in case and spacing."""
    return re.sub(r"[\s\-]+", "_", str(name).strip().lstrip("\ufeff").strip().lower())


def read_table(path: Path, required: Sequence[str] = ()) -> RawTable:
    """Read `path`; `required` (normalised column names) lets a misplaced header be reported."""
    if not path.exists():
        raise ReadError(f"{path}: no such file")
    if path.is_dir():
        raise ReadError(f"{path}: is a folder, not a file")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _checked(_read_xlsx(path, required))
    if suffix == ".json":
        return _checked(_read_json(path))
    if suffix == ".parquet":
        return _checked(_read_parquet(path))
    if suffix in (".csv", ".txt", ".tsv", ""):
        return _checked(_read_csv(path, required))
    raise ReadError(f"{path.name}: unsupported file type '{suffix}' (use .csv, .xlsx, .json or .parquet)")


# --- CSV ---------------------------------------------------------------------------------------


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM), else Windows-1252 (a superset of Latin-1's
    printable characters, so Latin-1 files read the same). Anything else is refused rather than
    loaded as mojibake."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError(f"{name}: the file is UTF-16 encoded; save it as 'CSV UTF-8' and try again")
    # A NUL in the header line means binary data (or UTF-16 without its mark); a NUL further on
    # is one bad record, quarantined with its line like any other.
    if b"\x00" in data[: data.find(b"\n") if b"\n" in data[:65536] else 65536]:
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


def _read_csv(path: Path, required: Sequence[str] = ()) -> RawTable:
    data = path.read_bytes()
    if not data or data.isspace():  # (isspace stops at the first other byte; strip would copy)
        raise ReadError(f"{path.name}: the file is empty")
    text, encoding = decode(data, path.name)
    first_line = text.split("\n", 1)[0].rstrip("\r")
    delimiter = sniff_delimiter(first_line)
    if required:
        _csv_header_in_place(text, delimiter, path.name, required)
    if '"' in text:
        fast = _split_quoted_fast(text, delimiter, path.name, data if encoding.startswith("utf-8") else None)
        columns, frame, issues = fast if fast is not None else _split_quoted(text, delimiter, path.name)
    else:
        fast = _split_plain_fast(data, delimiter, path.name) if encoding.startswith("utf-8") else None
        columns, frame, issues = fast if fast is not None else _split_plain(text, delimiter, path.name)
    table = RawTable(frame, columns, issues, encoding=encoding, delimiter=delimiter, row_label="line")
    table.no_nul, table.short = b"\x00" not in data, len(data) <= MAX_FIELD_BYTES
    return table


def _csv_header_in_place(text: str, delimiter: str, name: str, required: Sequence[str]) -> None:
    """A title line above the header: say where the header is rather than 'column missing'."""
    head = text[: 1 << 20].split("\n")[: HEADER_SEARCH_ROWS + 1]
    lines = [line.rstrip("\r") for line in head]
    first_lines = lines if len(lines) <= HEADER_SEARCH_ROWS else lines[:-1]
    try:
        rows = list(csv.reader(first_lines, delimiter=sniff_delimiter(first_lines[0]) or delimiter))
    except csv.Error:
        return
    if _has_columns(rows[0] if rows else [], required):
        return
    for i, row in enumerate(rows[1:], start=2):
        if _has_columns(row, required):
            raise ReadError(f"{name}: the header must be on line 1; found the template header on line {i}")


def _has_columns(cells: Sequence[object], required: Sequence[str]) -> bool:
    names = {normalise_header(c) for c in cells if c is not None}
    return all(r in names for r in required)


def _checked(table: RawTable) -> RawTable:
    """Every format: skip rows with no value at all, and quarantine a record with a NUL byte or a
    field over MAX_FIELD_BYTES (a NUL would reach the warehouse; a huge field is junk)."""
    frame, columns = table.frame, table.columns
    if not columns or not frame.height:
        return table
    text = [pl.col(c) for c in columns]
    frame = frame.filter(~pl.all_horizontal(c.is_null() for c in text))
    # A check the file's bytes already settle (no NUL anywhere; shorter than the limit) is skipped.
    no = pl.lit(False)
    bad_nul = (
        no
        if table.no_nul
        else pl.any_horizontal(c.str.contains("\x00", literal=True).fill_null(False) for c in text)
    )
    bad_size = (
        no
        if table.short
        else pl.any_horizontal((c.str.len_bytes() > MAX_FIELD_BYTES).fill_null(False) for c in text)
    )
    if table.no_nul and table.short:
        table.frame = frame
        return table
    flagged = frame.with_columns(_nul=bad_nul, _big=bad_size).filter(pl.col("_nul") | pl.col("_big"))
    issues = list(table.structural)
    if flagged.height:
        for row in flagged.iter_rows(named=True):
            raw = (table.delimiter or ",").join(row[c] or "" for c in columns).replace("\x00", "\\0")
            reason = (
                f"a field is longer than the {MAX_FIELD_BYTES // (1024 * 1024)} MB limit"
                if row["_big"]
                else "contains a NUL byte (binary data inside a text field)"
            )
            issues.append(StructuralIssue(row[ROW], reason, raw[:500]))
        frame = frame.filter(~pl.col(ROW).is_in(flagged[ROW].implode()))
        issues.sort(key=lambda s: s.row)
    table.frame, table.structural = frame, issues
    return table


def check_header(raw: list[str], name: str) -> list[str]:
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


def _split_plain_fast(
    data: bytes, delimiter: str, name: str
) -> tuple[list[str], pl.DataFrame, list[StructuralIssue]] | None:
    """polars' multi-threaded reader for a UTF-8 file without quotes, used only when byte counts
    prove one record per line: no blank line, and exactly (width - 1) delimiters per line on
    average while polars refuses any line with more, so every line has exactly that many. Rows
    then map to lines 2, 3, ... Otherwise None: the line-by-line path decides, with line numbers."""
    body = data.removeprefix(b"\xef\xbb\xbf")
    lines = body.count(b"\n") + (0 if body.endswith(b"\n") else 1)
    if lines < 2 or b"\n\n" in body or b"\n\r\n" in body or body.startswith((b"\n", b"\r\n")):
        return None
    header = body[: body.find(b"\n")].decode("utf-8").rstrip("\r")
    columns = check_header(header.split(delimiter), name)
    if body.count(delimiter.encode()) != lines * (len(columns) - 1):
        return None
    try:
        frame = pl.read_csv(body, separator=delimiter, quote_char=None, infer_schema=False, has_header=True)
    except pl.exceptions.PolarsError:
        return None
    if frame.height != lines - 1 or frame.width != len(columns):
        return None
    frame.columns = columns
    return columns, _frame(columns, {c: frame[c] for c in columns}, range(2, frame.height + 2)), []


def _split_plain(
    text: str, delimiter: str, name: str
) -> tuple[list[str], pl.DataFrame, list[StructuralIssue]]:
    """Fast path for files without quotes: one line is one record, split with polars."""
    lines = pl.Series("line", text.split("\n"), dtype=pl.String).str.strip_suffix("\r")
    columns = check_header(lines[0].split(delimiter), name)
    body = pl.DataFrame({"line": lines}).with_row_index(ROW, offset=1).slice(1)
    # Blank lines and lines of only delimiters (an Excel export of formatted empty rows) are not records.
    body = body.filter(pl.col("line").str.replace_all(delimiter, "", literal=True).str.strip_chars() != "")
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
    text: str, delimiter: str, name: str, data: bytes | None = None
) -> tuple[list[str], pl.DataFrame, list[StructuralIssue]] | None:
    """polars' reader for quoted files, used only when every record is provably one well-formed
    line: an even number of quotes on each line (no field spans lines), the right number of
    delimiters outside quotes (no ragged rows) and no blank lines. Otherwise None: the exact path
    decides, with line numbers."""
    lines = pl.Series("line", text.split("\n"), dtype=pl.String).str.strip_suffix("\r")
    trailing = 0
    while lines.len() > 1 and lines[-1].strip() == "":
        lines, trailing = lines.head(-1), trailing + 1
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
    columns = check_header(raw_header, name)
    if data is None or trailing > 1:  # the UTF-8 bytes as they are, unless blank lines end the file
        data = "\n".join([header, *body.to_list()]).encode("utf-8")
    source = data.removeprefix(b"\xef\xbb\xbf")
    frame = pl.read_csv(source, separator=delimiter, infer_schema=False, quote_char='"', has_header=True)
    if frame.height != body.len():
        return None
    frame.columns = columns
    return columns, _frame(columns, {c: frame[c] for c in columns}, range(2, frame.height + 2)), []


def _split_quoted(
    text: str, delimiter: str, name: str
) -> tuple[list[str], pl.DataFrame, list[StructuralIssue]]:
    """Exact path for quoted files: the csv module knows where each record starts and ends."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        columns = check_header(next(reader), name)
    except csv.Error as exc:
        raise ReadError(f"{name}: line 1: the header cannot be read ({exc})") from None
    values: dict[str, list[str | None]] = {c: [] for c in columns}
    rows: list[int] = []
    issues: list[StructuralIssue] = []
    width = len(columns)
    last_line = reader.line_num
    lines: list[str] | None = None
    while True:
        start = last_line + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            lines = lines if lines is not None else text.split("\n")
            issues.append(
                StructuralIssue(start, f"cannot be split into fields ({exc})", lines[start - 1][:500])
            )
            last_line = reader.line_num
            continue
        last_line = reader.line_num
        if not record or all(not v.strip() for v in record):
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


MIDNIGHT = r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00(?:\.0+)?$"


def _all_text(df: pl.DataFrame, name: str, first_row: int, label: str) -> RawTable:
    columns = check_header([str(c) for c in df.columns], name)
    df.columns = columns
    cast = []
    for c, dtype in df.schema.items():
        if dtype == pl.List(pl.String) or isinstance(dtype, pl.List):
            cast.append(pl.col(c).cast(pl.List(pl.String)).list.join(";").alias(c))
        elif dtype == pl.Date:
            cast.append(pl.col(c).dt.strftime("%Y-%m-%d").alias(c))
        elif isinstance(dtype, pl.Datetime):
            # A date typed into a spreadsheet is a datetime at midnight; a real time stays visible
            # (and fails the date rule) rather than being cut off.
            at_midnight = pl.col(c).dt.time() == pl.time(0)
            text = pl.col(c).dt.strftime("%Y-%m-%d %H:%M:%S")
            cast.append(pl.when(at_midnight).then(pl.col(c).dt.strftime("%Y-%m-%d")).otherwise(text).alias(c))
        elif dtype.is_float():
            # pandas writes an integer column with gaps as float: 4.0 means 4.
            whole = pl.col(c).is_finite() & (pl.col(c) == pl.col(c).round(0)) & (pl.col(c).abs() < 1e15)
            as_int = pl.col(c).cast(pl.Int64, strict=False).cast(pl.String)
            cast.append(pl.when(whole).then(as_int).otherwise(pl.col(c).cast(pl.String)).alias(c))
        else:
            cast.append(pl.col(c).cast(pl.String).alias(c))
    df = df.with_columns(cast) if cast else df
    rows = pl.int_range(first_row, first_row + df.height, eager=True)
    return RawTable(_frame(columns, {c: df[c] for c in columns}, rows), columns, row_label=label)


# --- XLSX --------------------------------------------------------------------------------------


@dataclass
class SheetScan:
    """What the zip says about one sheet before any cell is read."""

    name: str
    member: str
    declared: str | None = None  # the <dimension ref="A1:Q200"/> the writer declared
    min_row: int = 0  # used range of cells holding a value (0 = none)
    max_row: int = 0
    min_col: int = 0
    max_col: int = 0
    errors: list[tuple[int, int, str]] = field(default_factory=list)  # row, column, "#REF!"


_CELL = re.compile(rb'<c\b[^>]*?\sr="([A-Z]{1,3})([0-9]{1,7})"[^>]*?(?<!/)>')
_CELL_COLUMN = re.compile(rb'<c\b[^>]*?\sr="([A-Z]{1,3})[0-9]')
_ROW = re.compile(rb'<row\b[^>]*?\sr="([0-9]{1,7})"')
_ERROR_CELL = re.compile(
    rb'<c\b[^>]*?\sr="([A-Z]{1,3})([0-9]{1,7})"[^>]*?\st="e"[^>]*>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)?<v>([^<]*)</v>'
)
_DIMENSION = re.compile(rb'<dimension\s+ref="([A-Z]{1,3}[0-9]{1,7})(?::([A-Z]{1,3}[0-9]{1,7}))?"')


def column_number(letters: str | bytes) -> int:
    n = 0
    for ch in letters.decode() if isinstance(letters, bytes) else letters:
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _cell_ref(ref: bytes) -> tuple[int, int]:
    m = re.match(rb"([A-Z]+)([0-9]+)", ref)
    return int(m.group(2)), column_number(m.group(1))  # type: ignore[union-attr]


def _sheets(zf: zipfile.ZipFile, name: str) -> list[SheetScan]:
    """Sheets in workbook order, with the zip member holding each."""
    try:
        book = zf.read("xl/workbook.xml")[: 1 << 20].decode("utf-8", "replace")
        rels = zf.read("xl/_rels/workbook.xml.rels")[: 1 << 20].decode("utf-8", "replace")
    except KeyError:
        raise ReadError(f"{name}: not a readable Excel workbook (no workbook part)") from None
    targets = {}
    for rel in re.finditer(r"<Relationship\b[^>]*>", rels):
        rid = re.search(r'\bId="([^"]+)"', rel.group(0))
        target = re.search(r'\bTarget="([^"]+)"', rel.group(0))
        if rid and target:
            t = target.group(1).lstrip("/")
            targets[rid.group(1)] = t if t.startswith("xl/") else f"xl/{t}"
    sheets = []
    for sheet in re.finditer(r"<sheet\b[^>]*>", book):
        title = re.search(r'\bname="([^"]*)"', sheet.group(0))
        rid = re.search(r'\br:id="([^"]+)"', sheet.group(0)) or re.search(r'\bid="([^"]+)"', sheet.group(0))
        member = targets.get(rid.group(1)) if rid else None
        if title and member:
            sheets.append(SheetScan(_xml_unescape(title.group(1)), member))
    if not sheets:
        raise ReadError(f"{name}: the workbook has no sheets")
    return sheets


def _xml_unescape(text: str) -> str:
    for entity, ch in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
        text = text.replace(entity, ch)
    return text


def _scan_sheet(zf: zipfile.ZipFile, sheet: SheetScan, name: str) -> SheetScan:
    """Stream the sheet XML once: the declared and used ranges and every error cell. Rejects a
    sheet whose range could not be held in memory, before the Excel reader ever sees it."""
    try:
        info = zf.getinfo(sheet.member)
    except KeyError:
        raise ReadError(f"{name}: not a readable Excel workbook (sheet '{sheet.name}' is missing)") from None
    if info.file_size > MAX_XLSX_XML_BYTES:
        raise ReadError(_too_large(name, sheet, f"its XML is {info.file_size / 2**20:,.0f} MB"))
    size, tail, first, cells = 0, b"", True, 0
    rows: list[int] = []
    cols: set[bytes] = set()
    with zf.open(info) as f:
        while True:
            chunk = f.read(4 << 20)
            size += len(chunk)
            if size > MAX_XLSX_XML_BYTES:
                raise ReadError(_too_large(name, sheet, "its XML is over 1 GB"))
            buf = tail + chunk
            if first:
                first = False
                dim = _DIMENSION.search(buf[:4096])
                if dim:
                    sheet.declared = b":".join(g for g in dim.groups() if g).decode()
                    _check_declared(sheet, name)
            cut = buf.rfind(b"<c") if chunk else len(buf)
            if cut <= 0 or len(buf) - cut > (64 << 20):
                cut = len(buf)
            body, tail = buf[:cut], buf[cut:]
            # Rows come in ascending order (the format requires it): the first and last value
            # cells of a chunk bound its rows. Columns: every letter pair seen, as a set (C speed).
            cols.update(_CELL_COLUMN.findall(body))
            for pattern in (_CELL, _ROW):
                head = pattern.search(body)
                if head:
                    rows.append(int(head.group(2 if pattern is _CELL else 1)))
                    last = pattern.findall(body[-(1 << 16) :]) or pattern.findall(body)
                    rows.append(int(last[-1][1] if pattern is _CELL else last[-1]))
            cells += body.count(b"<c>") + body.count(b"<c ")
            if cells > MAX_XLSX_CELLS:
                raise ReadError(_too_large(name, sheet, f"it holds over {MAX_XLSX_CELLS:,} cells"))
            if b't="e"' in body:
                sheet.errors += [
                    (int(r), column_number(c), v.decode()) for c, r, v in _ERROR_CELL.findall(body)
                ]
            if not chunk:
                break
    if rows:
        numbers = [column_number(c) for c in cols] or [1]
        sheet.min_row, sheet.max_row = min(rows), max(rows)
        sheet.min_col, sheet.max_col = min(numbers), max(numbers)
        dense = (sheet.max_row - sheet.min_row + 1) * (sheet.max_col - sheet.min_col + 1)
        if dense > MAX_XLSX_CELLS:
            used = (
                f"{column_letters(sheet.min_col)}{sheet.min_row}:"
                f"{column_letters(sheet.max_col)}{sheet.max_row}"
            )
            raise ReadError(_too_large(name, sheet, f"its cells span {used} ({dense:,} cells)"))
    return sheet


def _check_declared(sheet: SheetScan, name: str) -> None:
    refs = [_cell_ref(r.encode()) for r in (sheet.declared or "").split(":")]
    if len(refs) == 2:
        (r1, c1), (r2, c2) = refs
        cells = (abs(r2 - r1) + 1) * (abs(c2 - c1) + 1)
        if cells > MAX_XLSX_CELLS:
            raise ReadError(
                _too_large(name, sheet, f"it declares the range {sheet.declared} ({cells:,} cells)")
            )


def _too_large(name: str, sheet: SheetScan, what: str) -> str:
    return (
        f"{name}: sheet too large: in sheet '{sheet.name}' {what}; the limit is {MAX_XLSX_CELLS:,} cells. "
        "Delete stray cells far below or right of the data (Ctrl+End shows the last one) or save as CSV"
    )


def _check_strings(zf: zipfile.ZipFile, name: str) -> None:
    """Shared strings are read whole by the Excel reader: bound them (the zip header may lie)."""
    try:
        info = zf.getinfo("xl/sharedStrings.xml")
    except KeyError:
        return
    size = info.file_size
    if size <= MAX_XLSX_STRINGS_BYTES:
        size = 0
        with zf.open(info) as f:
            while chunk := f.read(1 << 22):
                size += len(chunk)
                if size > MAX_XLSX_STRINGS_BYTES:
                    break
    if size > MAX_XLSX_STRINGS_BYTES:
        raise ReadError(f"{name}: sheet too large: its text is over {MAX_XLSX_STRINGS_BYTES >> 20} MB")


def _load_sheet(path: Path, index: int, n_rows: int | None = None) -> pl.DataFrame:
    """Every cell as text, row i of the frame = row i+1 of the sheet (nothing skipped)."""
    import fastexcel

    try:
        reader = fastexcel.read_excel(path)
        sheet = reader.load_sheet(index, header_row=None, skip_rows=0, n_rows=n_rows, dtypes="string")
        return sheet.to_polars()
    except Exception as exc:  # fastexcel raises its own types for truncated or non-XLSX files
        raise ReadError(f"{path.name}: not a readable Excel workbook ({type(exc).__name__})") from None


def _read_xlsx(path: Path, required: Sequence[str] = ()) -> RawTable:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ReadError(f"{path.name}: not a readable Excel workbook ({type(exc).__name__})") from None
    with zf:
        try:
            sheets = _sheets(zf, path.name)
            first = _scan_sheet(zf, sheets[0], path.name)
            _check_strings(zf, path.name)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
            raise ReadError(f"{path.name}: not a readable Excel workbook ({type(exc).__name__})") from None
        grid = _load_sheet(path, 0) if first.max_row else pl.DataFrame()
        header = list(grid.row(0)) if grid.height else []
        if required and not _has_columns(header, required):
            _xlsx_header_elsewhere(path, zf, sheets, grid, required)
    if not grid.height:
        raise ReadError(f"{path.name}: the first sheet '{first.name}' is empty")
    offset = max(first.min_col, 1)  # the grid starts at the first column holding a value
    cells = [None if v is None else str(v) for v in header]
    while cells and (cells[-1] is None or not cells[-1].strip()):
        cells.pop()  # trailing columns with no header and no data are not columns
    grid = grid.select(grid.columns[: len(cells)]) if cells else grid
    columns = check_header([c if c is not None else "" for c in cells], path.name)
    body = grid.slice(1)
    body.columns = columns
    # Dates typed into Excel arrive as datetimes at midnight: keep the date.
    body = body.with_columns(pl.col(c).str.replace(MIDNIGHT, "${1}") for c in columns)
    rows = pl.int_range(2, 2 + body.height, eager=True)
    table = RawTable(_frame(columns, {c: body[c] for c in columns}, rows), columns, row_label="row")
    if first.errors:
        table = _quarantine_errors(table, first, offset)
    return table


def _quarantine_errors(table: RawTable, sheet: SheetScan, offset: int) -> RawTable:
    """An error cell (#REF!, #N/A, #VALUE!...) reads as empty: quarantine its row, naming the error."""
    by_row: dict[int, list[tuple[int, str]]] = {}
    for row, col, text in sheet.errors:
        index = col - offset
        if row >= 2 and 0 <= index < len(table.columns):
            by_row.setdefault(row, []).append((index, text))
    if not by_row:
        return table
    held = table.frame.filter(pl.col(ROW).is_in(list(by_row)))
    issues = list(table.structural)
    for rec in held.iter_rows(named=True):
        errs = sorted(by_row[rec[ROW]])
        values = {c: rec[c] for c in table.columns}
        for index, text in errs:
            values[table.columns[index]] = text
        where = ", ".join(f"{column_letters(i + offset)}{rec[ROW]} ({table.columns[i]})" for i, _ in errs)
        kinds = ", ".join(dict.fromkeys(t for _, t in errs))
        issues.append(
            StructuralIssue(
                rec[ROW],
                f"cell {where} holds the Excel error {kinds}, not a value "
                "(fix the formula or type the value)",
                json.dumps(values, ensure_ascii=False)[:500],
                rule="excel_error",
                column=",".join(table.columns[i] for i, _ in errs),
            )
        )
    table.frame = table.frame.filter(~pl.col(ROW).is_in(list(by_row)))
    table.structural = sorted(issues, key=lambda s: s.row)
    return table


def _xlsx_header_elsewhere(
    path: Path, zf: zipfile.ZipFile, sheets: list[SheetScan], grid: pl.DataFrame, required: Sequence[str]
) -> None:
    """Raise naming the row and sheet where the template header is, if it is anywhere near the top."""
    for index, sheet in enumerate(sheets):
        if index == 0:
            top = grid.head(HEADER_SEARCH_ROWS)
        else:
            try:
                scan = _scan_sheet(zf, sheet, path.name)
            except ReadError:
                continue  # a huge other sheet is not where we would look
            if not scan.max_row:
                continue
            top = _load_sheet(path, index, n_rows=HEADER_SEARCH_ROWS)
        for i, row in enumerate(top.iter_rows(), start=1):
            if _has_columns(row, required) and (index, i) != (0, 1):
                raise ReadError(
                    f"{path.name}: the header must be on row 1 of the first sheet; "
                    f"found the template header on row {i} of sheet '{sheet.name}'"
                )


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
        if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
            return str(int(v))  # 4.0 from a pandas export of an integer column with gaps
        return str(v)

    columns = check_header(names, path.name) if names else []
    values = {c: [text(rec.get(n)) for rec in good] for c, n in zip(columns, names, strict=True)}
    return RawTable(_frame(columns, values, rows), columns, issues, row_label="record")


def _read_parquet(path: Path) -> RawTable:
    try:
        df = pl.read_parquet(path)
    except Exception as exc:  # polars raises ComputeError/OSError variants for bad files
        raise ReadError(f"{path.name}: not a readable Parquet file ({type(exc).__name__})") from None
    return _all_text(df, path.name, 1, "record")
