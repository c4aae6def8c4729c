"""The contracts' rules compiled into one SQL pass inside DuckDB, for a CSV file staged there.

An entity module that declares `SQL_STEPS` (its parsing, as SQL over the trimmed text columns),
`SQL_RULES` (each named rule of its polars schema as the SQL condition a valid row meets),
`SQL_KEY` and `SQL_OUTPUT` can be validated here without the rows ever leaving DuckDB: the
valid rows stay in a temp view the loader inserts from (or, for a load at least as big as its
table, in a new copy of the table the loader swaps in: `Direct`, so the rows are written once),
and only what is quarantined (few rows) comes back to Python, where its record is built exactly
as `contracts.validate` builds it. The
outcome is the polars engine's, row for row and reason for reason (tests/unit/test_in_duckdb.py
proves it on the hostile corpus and on files that break every rule); `validate` there stays the
engine for other formats and for files the structural proof does not clear.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from pipelines import staging
from pipelines.contracts import DUPLICATE, QUARANTINE_SCHEMA, Context, Validation, module
from pipelines.contracts.common import sql_strip
from pipelines.readers import MAX_FIELD_BYTES, ROW
from pipelines.staging import identifier

CHECKED = "_atlas_checked"  # every record: trimmed text, parsed values, one flag per rule, _ok
GOOD = "_atlas_good"  # temp view: the entity's OUTPUT columns of the rows that load
SUPERSEDED = "_atlas_superseded"


@dataclass(frozen=True)
class Direct:
    """Stage the rows straight into `table`, a new copy of the entity's table that the loader swaps
    in (`loading.upsert`): the rows are written once, compressed, instead of into a temp table and
    then again by an INSERT from it. The rows that do not load are deleted from it and the helper
    columns dropped before the swap; its columns and constraints are then the entity table's."""

    table: str
    is_sample: bool
    run_id: int


def supports(entity: str) -> bool:
    return hasattr(module(entity), "SQL_RULES")


def text(column: str, plan: staging.Plan | None = None) -> str:
    """A staged field as the readers give it: surrounding whitespace off, empty means missing.

    polars' `strip_chars()` strips Unicode whitespace. A file the proof clears has no line break
    inside a field, so unless its bytes hold a wider space somewhere (`plan.wide`), the only
    whitespace a field can start or end with is the ASCII the file holds (`plan.spaces`): a prefix
    and suffix test per value picks the few values to trim (a pattern per value cost seconds)."""
    c = identifier(column)
    if plan is None or plan.wide:
        return f"nullif({sql_strip(c)}, '')"
    if not plan.spaces:  # the file holds no whitespace at all
        return f"nullif({c}, '')"
    chars = [_literal(ch) if ch == " " else f"chr({ord(ch)})" for ch in plan.spaces]
    edge = " OR ".join(f"starts_with({c}, {ch}) OR ends_with({c}, {ch})" for ch in chars)
    return f"nullif(CASE WHEN {edge} THEN trim({c}, {' || '.join(chars)}) ELSE {c} END, '')"


def validate(
    con: duckdb.DuckDBPyConnection,
    entity: str,
    plan: staging.Plan,
    ctx: Context,
    direct: Direct | None = None,
) -> Validation | None:
    """Read `plan`'s file and validate it in `con`; None when the file must go the exact way."""
    m = module(entity)
    if any(c not in plan.columns for c in m.REQUIRED):
        return None
    tables = m.sql_tables(ctx)
    functions = getattr(m, "SQL_FUNCTIONS", {})
    for name, table in tables.items():
        con.register(name, table)
    for name, (fn, argument, returns) in functions.items():
        con.create_function(
            name, fn, [argument], returns, type="native", null_handling="special", side_effects=False
        )
    try:
        return _validate(con, m, plan, ctx, direct)
    finally:
        for name in tables:
            con.unregister(name)
        for name in functions:
            con.remove_function(name)


def _validate(
    con: duckdb.DuckDBPyConnection,
    m,
    plan: staging.Plan,
    ctx: Context,
    direct: Direct | None,
    numbered: bool = False,
) -> Validation | None:
    """Stored per record: the entity's output columns, each key column the outputs do not hold as
    it is (`key:`), `_state` (STATE: NULL for a row that may load), and, `numbered`, its line.

    A record's line is needed only to quarantine it or to know which of two rows with one key
    comes last. Numbering the records is a window over the whole file, which DuckDB runs on one
    thread, so the first pass goes without (read and judged in parallel; DuckDB guarantees no row
    order across the joins of the rules, so a row's place in the stored table says nothing). Then:
    no row fails and no key repeats (a clean file): nothing needs a line. Rows fail but no key
    repeats: the file is read again, numbered, for the failing rows (as it always was, to word
    their quarantine record), and the stored failing rows are found by `_state`. A key repeats:
    everything again, numbered."""
    key = {k: next((o for o, sql in m.SQL_OUTPUT.items() if sql == k), "key:" + k) for k in m.SQL_KEY}
    helpers = {name: sql for sql, name in key.items() if name.startswith("key:")}
    full = _checked_select(m, plan, numbered=numbered)
    checked, table = CHECKED, None
    if direct is not None and (table := _stage(con, m, full, helpers, direct, numbered)) is not None:
        checked = direct.table
    else:
        kept = [f"{sql} AS {identifier(name)}" for name, sql in {**m.SQL_OUTPUT, **helpers}.items()]
        kept += [STATE] + ([ROW] if numbered else [])
        try:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {CHECKED} AS SELECT {', '.join(kept)} FROM ({full})")  # noqa: S608
        except duckdb.Error:
            return None  # DuckDB's strict reading refused a record: the exact reader words it
    keys = [identifier(key[k]) for k in m.SQL_KEY]
    keyed = " AND ".join(f"{k} IS NOT NULL" for k in keys) + " AND _state IS DISTINCT FROM 2"
    records, received, big, ok_rows, keyed_rows, keyed_hashes = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE _state IS DISTINCT FROM 2), bool_or(_state = 3),"  # noqa: S608
        f" count(*) FILTER (WHERE _state IS NULL), count(*) FILTER (WHERE {keyed}),"
        f" count(DISTINCT hash({', '.join(keys)})) FILTER (WHERE {keyed}) FROM {checked}"
    ).fetchall()[0]
    if records != plan.records or big or (not numbered and keyed_hashes != keyed_rows):
        if table is not None:
            con.execute(f"DROP TABLE {direct.table}")
        if records != plan.records or big:
            # Not one record per line (a record was dropped, merged or split), or a field over the
            # size limit (a structural issue): the exact reader words it.
            return None
        # As many distinct key hashes as keyed rows proves no key repeats (equal keys hash alike);
        # here one may: which row comes last is a question of lines.
        return _validate(con, m, plan, ctx, direct, numbered=True)
    known = set(m.REQUIRED) | set(m.OPTIONAL)
    extra = [c for c in plan.columns if c not in known]
    superseded = 0
    if numbered:
        # The grouping by the keys themselves, which finds the rows a later line supersedes, only
        # when the hashes say a key repeats.
        on = " AND ".join(f"c.{k} = d.{k}" for k in keys)
        repeated = (
            f"SELECT {', '.join(keys)}, max({ROW}) AS keep FROM {checked} WHERE {keyed}"  # noqa: S608
            " GROUP BY ALL HAVING count(*) > 1"
            if keyed_hashes != keyed_rows
            else f"SELECT {', '.join(keys)}, {ROW} AS keep FROM {checked} WHERE false"  # noqa: S608
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {SUPERSEDED} AS SELECT c.{ROW} FROM {checked} AS c"  # noqa: S608
            f" JOIN ({repeated}) AS d ON {on} WHERE c.{ROW} < d.keep"
        )
        superseded = con.execute(f"SELECT count(*) FROM {SUPERSEDED}").fetchall()[0][0]  # noqa: S608
    loads = "_state IS NULL"
    if superseded:  # (no anti-join over every row when no key repeats, the usual case)
        loads += f" AND {ROW} NOT IN (SELECT {ROW} FROM {SUPERSEDED})"  # noqa: S608
    good_rows = (
        con.execute(f"SELECT count(*) FROM {checked} WHERE {loads}").fetchall()[0][0]  # noqa: S608
        if superseded
        else ok_rows
    )
    # (the file read again for the failing rows is numbered: their lines come from there)
    reread = full if numbered else _checked_select(m, plan)
    quarantine, row_hubs = _quarantine(
        con, m, plan.columns, reread, superseded, checked if numbered else None, received - ok_rows
    )
    if table is not None:
        _finish_stage(con, direct.table, table, f"NOT ({loads})" if good_rows != records else None)
        good = direct.table
    else:
        selected = ", ".join(identifier(name) for name in m.SQL_OUTPUT)
        con.execute(f"CREATE OR REPLACE TEMP VIEW {GOOD} AS SELECT {selected} FROM {CHECKED} WHERE {loads}")  # noqa: S608
        good = GOOD
    # Keys of the rows that load are distinct: every other row of a repeated (non-NULL) key is
    # superseded, and a NULL key cannot load (the key columns are NOT NULL in the warehouse).
    v = Validation(
        m.ENTITY,
        received,
        None,
        quarantine,
        extra,
        row_hubs,
        good_table=good,
        good_rows=good_rows,
        keys_distinct=True,
        staged=table is not None,
    )
    assert v.loaded + v.quarantined_rows == v.received, "rows lost in validation"
    return v


# Why a record does not load, in one small column (NULL, the usual case, costs next to nothing to
# store): 1 a rule failed, 2 no value at all (not a row), 3 a field over the size limit.
STATE = "(CASE WHEN _big THEN 3 WHEN _empty THEN 2 WHEN NOT _ok THEN 1 END)::UTINYINT AS _state"


def _stage(
    con: duckdb.DuckDBPyConnection, m, full: str, helpers: dict[str, str], direct: Direct, numbered: bool
) -> list[tuple[str, bool]] | None:
    """Every record into `direct.table`: the entity table's columns (without their NOT NULL yet:
    failing rows are there until `_finish_stage`), then the helper columns. Returns the table's
    (column, nullable) list, or None when this file must be staged the usual way."""
    columns = con.execute(
        "SELECT column_name, data_type, is_nullable FROM duckdb_columns()"
        " WHERE schema_name = 'main' AND table_name = ? ORDER BY column_index",
        [m.ENTITY],
    ).fetchall()
    names = {c for c, _, _ in columns}
    if names & {*helpers, "_state", ROW} or not set(m.SQL_OUTPUT) <= names:
        return None  # a helper column would clash with a table column
    other = con.execute(
        "SELECT (SELECT count(*) FROM duckdb_constraints() WHERE schema_name = 'main' AND table_name = $t"
        " AND constraint_type <> 'NOT NULL') + (SELECT count(*) FROM duckdb_indexes() WHERE table_name = $t)"
        " + (SELECT count(*) FROM duckdb_columns() WHERE table_name = $t AND column_default IS NOT NULL)",
        {"t": m.ENTITY},
    ).fetchall()[0][0]
    if other:
        return None  # a key, index or default (an older snapshot's table): only NOT NULL is rebuilt here
    fixed = {"is_sample": f"{bool(direct.is_sample)}", "run_id": f"{int(direct.run_id)}::BIGINT"}
    values = [
        f"CAST({m.SQL_OUTPUT[c]} AS {t})" if c in m.SQL_OUTPUT else fixed.get(c, f"NULL::{t}")
        for c, t, _ in columns
    ]
    select = [f"{value} AS {identifier(c)}" for value, (c, _, _) in zip(values, columns, strict=True)]
    select += [f"{sql} AS {identifier(name)}" for name, sql in helpers.items()] + [STATE]
    select += [ROW] if numbered else []
    try:
        con.execute(f"CREATE TABLE {direct.table} AS SELECT {', '.join(select)} FROM ({full})")  # noqa: S608
    except duckdb.Error:
        # A strict-reading refusal, or a failing row's value that does not fit the column's type:
        # the temp-table way decides (and words a refusal).
        con.execute(f"DROP TABLE IF EXISTS {direct.table}")
        return None
    return [(c, nullable) for c, _, nullable in columns]


def _finish_stage(
    con: duckdb.DuckDBPyConnection, table: str, columns: list[tuple[str, bool]], drop: str | None
) -> None:
    """Leave in the staged table only the rows that load, with the entity table's columns and NOT
    NULL constraints (a row that loads with a NULL there fails here, as its INSERT would)."""
    if drop is not None:
        con.execute(f"DELETE FROM {table} WHERE {drop}")  # noqa: S608
    names = {c for c, _ in columns}
    staged = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
    for helper in [c for c in staged if c not in names]:
        con.execute(f"ALTER TABLE {table} DROP COLUMN {identifier(helper)}")
    for c, nullable in columns:
        if not nullable:
            con.execute(f"ALTER TABLE {table} ALTER COLUMN {identifier(c)} SET NOT NULL")


def _hub(m) -> list[str]:
    return ["hub_id"] if any("hub_id" in step for step in m.SQL_STEPS) else []


def _checked_select(m, plan: staging.Plan, numbered: bool = True) -> str:
    """One pass over the file: trimmed text, each parsing step, every rule's flag and their AND.
    A record with no value at all is not a row (`_empty`), as in the readers; `_big` marks a field
    over the size limit (a structural issue). `numbered`: with each record's line (`_row`)."""
    trimmed = [f"{text(c, plan)} AS {identifier(c)}" for c in plan.columns]
    trimmed += [f"NULL::VARCHAR AS {identifier(c)}" for c in m.OPTIONAL if c not in plan.columns]
    empty = " AND ".join(f"{identifier(c)} IS NULL" for c in plan.columns)
    big = " OR ".join(f"coalesce(strlen({identifier(c)}) > {MAX_FIELD_BYTES}, false)" for c in plan.columns)
    line = [ROW] if numbered else []
    sql = f"SELECT {', '.join(line + trimmed)} FROM {staging.source(plan, numbered)}"  # noqa: S608
    sql = f"SELECT *, {empty} AS _empty, {'false' if plan.short else big} AS _big FROM ({sql})"  # noqa: S608
    for step in m.SQL_STEPS:
        derived = ", ".join(f"{expr} AS {name}" for name, expr in step.items())
        sql = f"SELECT *, {derived} FROM ({sql})"  # noqa: S608
    flags = [f"coalesce({expr}, true) AS {identifier('ok:' + name)}" for name, expr in m.SQL_RULES.items()]
    ok = " AND ".join(identifier("ok:" + name) for name in m.SQL_RULES)
    return f"SELECT *, {ok} AS _ok FROM (SELECT *, {', '.join(flags)} FROM ({sql}))"  # noqa: S608


def _quarantine(
    con: duckdb.DuckDBPyConnection,
    m,
    columns: list[str],
    full: str,
    superseded_rows: int,
    checked: str | None,
    failed_rows: int,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The quarantine rows, built from the few failing records as `contracts.validate` builds them:
    the file (`full`, numbered) is read again for those rows only, with their text, hub, key and
    every rule's flag. The rows: those `checked` (a numbered table) has failing or superseded, or
    without it, those failing in the reading itself; `failed_rows` failed in the first reading."""
    rules = m.rules.rules
    if checked is not None:
        superseded = f"{ROW} IN (SELECT {ROW} FROM {SUPERSEDED})" if superseded_rows else "false"  # noqa: S608
        failing = con.sql(
            f"SELECT {ROW}, {superseded} AS _dup FROM {checked}"  # noqa: S608
            f" WHERE _state IS DISTINCT FROM 2 AND ({superseded} OR _state = 1)"
        ).pl()
    else:
        failing = pl.DataFrame({ROW: [], "_dup": []}, schema={ROW: pl.Int64, "_dup": pl.Boolean})
    hub = _hub(m)[0] if _hub(m) else "NULL::VARCHAR"
    record_key = " || '|' || ".join(f"CAST({k} AS VARCHAR)" for k in m.SQL_KEY)
    if not (failing.height if checked is not None else failed_rows):
        empty = pl.DataFrame(schema={"row_number": pl.Int64, "hub_id": pl.String, "record_key": pl.String})
        return pl.DataFrame(schema=QUARANTINE_SCHEMA), empty
    flags = ", ".join(identifier("ok:" + r) for r in m.SQL_RULES)
    fields = ", ".join(identifier(c) for c in columns)
    selected = f"{hub} AS hub_id, {record_key} AS record_key, {flags}, {fields}"
    if checked is None:
        held = con.sql(
            f"SELECT {ROW}, false AS _dup, {selected} FROM ({full})"  # noqa: S608
            f" WHERE NOT _empty AND NOT _ok ORDER BY {ROW}"
        ).pl()
        expected = failed_rows
    else:
        con.register("_atlas_failing", failing)
        try:
            held = con.sql(
                f"SELECT f.{ROW}, f._dup, {selected}"  # noqa: S608
                f" FROM ({full}) AS c JOIN _atlas_failing AS f ON f.{ROW} = c.{ROW} ORDER BY f.{ROW}"
            ).pl()
        finally:
            con.unregister("_atlas_failing")
        expected = failing.height
    if held.height != expected:  # the file changed under us: never load a guess
        raise RuntimeError(f"{m.ENTITY}: the file changed while it was being read")
    row_hubs = held.select(pl.col(ROW).alias("row_number"), pl.col("hub_id").cast(pl.String), "record_key")
    raws = held.with_columns(pl.col(c).cast(pl.String) for c in columns).select(
        ROW, _raw=pl.struct(columns).struct.json_encode()
    )
    dup = held.filter(pl.col("_dup")).select(
        pl.col(ROW).alias("row_number"),
        pl.lit(",".join(m.KEY)).alias("column_name"),
        pl.lit(DUPLICATE.name).alias("rule"),
        pl.lit(DUPLICATE.reason).alias("reason"),
    )
    long = (
        held.filter(~pl.col("_dup"))
        .unpivot(index=ROW, on=[f"ok:{r}" for r in m.SQL_RULES], variable_name="rule", value_name="ok")
        .filter(~pl.col("ok"))
        .with_columns(pl.col("rule").str.strip_prefix("ok:"))
    )
    meta = pl.DataFrame(
        {
            "rule": list(rules),
            "column_name": [r.column for r in rules.values()],
            "reason": [r.reason for r in rules.values()],
        }
    )
    failed = long.join(meta, on="rule", how="left").select(
        pl.col(ROW).alias("row_number"), "column_name", "rule", "reason"
    )
    quarantine = (
        pl.concat([failed, dup])
        .join(raws.rename({ROW: "row_number", "_raw": "raw"}), on="row_number", how="left")
        .select(list(QUARANTINE_SCHEMA))
        .cast(QUARANTINE_SCHEMA)
        .sort("row_number", "rule")
    )
    return quarantine, row_hubs


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
