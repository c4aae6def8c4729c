"""Apply a validated load to an open (unpublished) snapshot: upsert, quarantine, log, geocode.

The quarantine is a queue, not a graveyard: after each load, rows waiting there leave it when their
key has now been loaded, or when their file has been loaded again (its new rows speak for it), and
participations that waited for their Work Group are retried once it arrives.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, datetime

import duckdb
import polars as pl

from pipelines.contracts import Context, Validation, module, record_key, validate
from pipelines.readers import ROW, RawTable
from pipelines.vocab import alias_key
from pipelines.warehouse.store import insert_frame

# Rules that depend on what else is in the warehouse: reloading the same file can change them.
WAREHOUSE_RULES = ("work_group_known_rule", "school_known_rule")


def _aliases(pairs: list[tuple[str, str]], suffix: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for ident, name in pairs:
        for text in (ident, name, name.removesuffix(suffix) if name else None):
            if text:
                plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
                out[alias_key(text)] = ident
                out[alias_key(plain)] = ident
    return out


def context(con: duckdb.DuckDBPyConnection) -> Context:
    with con.cursor() as cur:
        hubs = cur.sql("SELECT hub_id, name FROM hubs").fetchall()
        programmes = cur.sql("SELECT programme_id, name FROM programmes").fetchall()
        wg_ids = cur.sql("SELECT work_group_id FROM work_groups").pl()["work_group_id"]
        urns = cur.sql("SELECT urn FROM schools").pl()["urn"]
        foreign = cur.sql("SELECT district FROM postcode_districts WHERE country <> 'England'").pl()
        postcodes = cur.sql("SELECT DISTINCT postcode FROM schools WHERE postcode IS NOT NULL").pl()
        emails = cur.sql(
            "SELECT lower(trim(email)) AS email, min(llme_id) AS email_owner FROM llmes"
            " WHERE email IS NOT NULL GROUP BY 1"
        ).pl()
    return Context(
        hub_aliases=_aliases(hubs, " Maths Hub"),
        programme_aliases=_aliases(programmes, ""),
        work_group_ids=wg_ids,
        school_urns=urns,
        foreign_districts=foreign["district"],
        school_postcodes=postcodes["postcode"],
        llme_emails=emails,
    )


def next_run_id(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM load_log").fetchall()[0][0]


def upsert(con: duckdb.DuckDBPyConnection, v: Validation, run_id: int, is_sample: bool) -> None:
    """Replace rows with the same key, insert the rest (the file's rows are already de-duplicated)."""
    m = module(v.entity)
    source = v.good_table or "_incoming"  # validated in DuckDB: the rows are already there
    match = " AND ".join(f"t.{k} = i.{k}" for k in m.KEY)
    if v.staged:
        return _swap_in(con, v, run_id, is_sample, match)
    if v.good_table is None:
        con.register("_incoming", v.good)
    try:
        count = f"SELECT count(*) FROM {v.entity}"  # noqa: S608 - names from the contract
        delete = f"DELETE FROM {v.entity} AS t USING {source} AS i WHERE {match}"  # noqa: S608
        insert = "INSERT INTO {} BY NAME SELECT *, ? AS is_sample, ?::BIGINT AS run_id FROM {}"
        before = con.execute(count).fetchall()[0][0]
        deleted = con.execute(delete).fetchall()[0][0]
        if _REBUILD(v.loaded, before):
            _rebuild(con, v.entity, insert.format("{}", source), [is_sample, run_id])
        else:
            con.execute(insert.format(v.entity, source), [is_sample, run_id])
        after = con.execute(count).fetchall()[0][0]
        keys = ", ".join(m.KEY)
        distinct_keys = f"SELECT count(*) FROM (SELECT DISTINCT {keys} FROM {source})"  # noqa: S608
        # (validation may already have proven them distinct: then a second hash of every key is waste)
        distinct = v.loaded if v.keys_distinct else con.execute(distinct_keys).fetchall()[0][0]
    finally:
        if v.good_table is None:
            con.unregister("_incoming")
    # No duplicate key, proven by counting instead of grouping the whole table: the table had none,
    # the incoming keys are distinct, every stored row with an incoming key was deleted first, and
    # exactly the incoming rows were added.
    dupes = (v.loaded - distinct) + abs(after - (before - deleted + v.loaded))
    if dupes:  # never expected: the snapshot is discarded rather than published
        raise RuntimeError(f"{v.entity}: {dupes} duplicate keys after the upsert")


def _swap_in(con: duckdb.DuckDBPyConnection, v: Validation, run_id: int, is_sample: bool, match: str) -> None:
    """The rows to load are already in a new copy of the table (in_duckdb.Direct): add the stored
    rows they do not replace, swap the copy in, and leave `v.good_table` naming this run's rows."""
    table, staged = v.entity, v.good_table
    count = f"SELECT count(*) FROM {table}"  # noqa: S608 - names from the contract
    stamped = "run_id IS DISTINCT FROM ? OR is_sample IS DISTINCT FROM ?"
    mine = con.execute(f"SELECT count(*) FILTER (WHERE {stamped}) FROM {staged}", [run_id, is_sample])  # noqa: S608
    if mine.fetchall()[0][0]:
        raise RuntimeError(f"{table}: the staged rows were stamped for another run")
    before = con.execute(count).fetchall()[0][0]
    deleted = con.execute(f"DELETE FROM {table} AS t USING {staged} AS i WHERE {match}").fetchall()[0][0]  # noqa: S608
    con.execute(f"INSERT INTO {staged} SELECT * FROM {table}")  # noqa: S608 - same columns, same order
    con.execute(f"DROP TABLE {table}")
    con.execute(f"ALTER TABLE {staged} RENAME TO {table}")
    after = con.execute(count).fetchall()[0][0]
    v.good_table = "_atlas_good"
    this_run = f"SELECT * FROM {table} WHERE run_id = {int(run_id)}"  # noqa: S608 - internal names only
    con.execute(f"CREATE OR REPLACE TEMP VIEW {v.good_table} AS {this_run}")
    # The copy's keys are distinct (in_duckdb proved it) and every stored row with one was deleted.
    dupes = abs(after - (before - deleted + v.loaded))
    if dupes:  # never expected: the snapshot is discarded rather than published
        raise RuntimeError(f"{table}: {dupes} duplicate keys after the upsert")


def staged_table(con: duckdb.DuckDBPyConnection, entity: str, incoming: int) -> str | None:
    """Where in_duckdb may stage `incoming` rows directly (in_duckdb.Direct): a new copy of the
    table, for a load at least as big as the table (see _rebuild); None: the usual way."""
    stored = con.execute(f"SELECT count(*) FROM {module(entity).ENTITY}").fetchall()[0][0]  # noqa: S608
    return f"_atlas_new_{entity}" if _REBUILD(incoming, stored) else None


def _rebuild_when(incoming: int, stored: int) -> bool:
    """A load at least as big as the table it goes into is written to a new copy of the table."""
    return incoming >= stored


_REBUILD = _rebuild_when


def _rebuild(con: duckdb.DuckDBPyConnection, table: str, insert: str, params: list) -> None:
    """Replace `table` by a new one holding the incoming rows (`insert`, with `{}` for the table)
    and then the rows kept (already without the replaced keys).

    Why: DuckDB writes a bulk INSERT straight to disk, compressed, only when it is the first append
    to an empty table; appended to a table that has rows, the same rows are compressed again at the
    CHECKPOINT (200,000 Work Groups: +0.7 s CPU, as much as the insert itself). Copying the kept
    rows costs about as much as they are few. Same rows and constraints (the table's own DDL);
    only the rows' physical order changes (new first), which no query relies on."""
    ddl = con.execute(
        "SELECT sql FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = ?", [table]
    ).fetchall()[0][0]
    new = f"_atlas_new_{table}"
    prefix = f"CREATE TABLE {table}("
    if not ddl.startswith(prefix):
        raise RuntimeError(f"{table}: unexpected table definition {ddl[:80]!r}")
    con.execute(f"CREATE TABLE {new}(" + ddl.removeprefix(prefix))
    con.execute(insert.format(new), params)
    con.execute(f"INSERT INTO {new} SELECT * FROM {table}")  # noqa: S608 - internal names only
    con.execute(f"DROP TABLE {table}")
    con.execute(f"ALTER TABLE {new} RENAME TO {table}")


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Bring a snapshot made by an older version up to the current tables (idempotent)."""
    con.execute("ALTER TABLE load_log ADD COLUMN IF NOT EXISTS landed_file VARCHAR")
    con.execute("ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS record_key VARCHAR")
    con.execute(
        "CREATE TABLE IF NOT EXISTS quarantine_resolved AS"
        " SELECT *, NULL::BIGINT AS resolved_by_run FROM quarantine WHERE false"
    )


def apply(
    con: duckdb.DuckDBPyConnection,
    v: Validation,
    *,
    run_id: int,
    kind: str,
    file_name: str,
    sha256: str | None,
    started: datetime,
    duration_s: float,
    snapshot: str,
    is_sample: bool,
    landed_file: str | None = None,
) -> tuple[int, int]:
    """Upsert, log and quarantine one validated file, then settle the queue. Returns (retried,
    loaded of those) for participations retried because their Work Group arrived."""
    upsert(con, v, run_id, is_sample=is_sample)
    record(
        con,
        v,
        run_id=run_id,
        kind=kind,
        file_name=file_name,
        sha256=sha256,
        started=started,
        duration_s=duration_s,
        snapshot=snapshot,
        landed_file=landed_file,
    )
    settle(con, v.entity, run_id, file_name, v)
    if v.entity == "work_groups" and v.loaded:
        return retry_waiting(con, snapshot=snapshot)
    return 0, 0


def loaded_keys(con: duckdb.DuckDBPyConnection, v: Validation) -> pl.DataFrame:
    keys = module(v.entity).KEY
    if v.good_table is not None:  # record_key's text, in SQL
        joined = " || '|' || ".join(f"CAST({k} AS VARCHAR)" for k in keys)
        return con.sql(f"SELECT {joined} AS record_key FROM {v.good_table}").pl()  # noqa: S608
    return v.good.select(record_key([pl.col(k) for k in keys]).alias("record_key"))


def settle(con: duckdb.DuckDBPyConnection, entity: str, run_id: int, file_name: str, v: Validation) -> None:
    """Take out of the queue what this run answered: earlier rows of the same file (this load's
    rows now speak for that file) and rows whose key this run loaded."""
    waiting = con.execute("SELECT count(*) FROM quarantine WHERE entity = ? AND run_id < ?", [entity, run_id])
    if not waiting.fetchall()[0][0]:
        return  # nothing queued for this entity: skip matching every loaded key
    con.register("_loaded_keys", loaded_keys(con, v))
    try:
        answered = """
            entity = $entity AND run_id < $run AND (
                file_name = $file OR record_key IN (SELECT record_key FROM _loaded_keys)
            )"""
        params = {"entity": entity, "run": run_id, "file": file_name}
        resolve = f"INSERT INTO quarantine_resolved SELECT *, $run FROM quarantine WHERE {answered}"  # noqa: S608
        con.execute(resolve, params)
        con.execute(f"DELETE FROM quarantine WHERE {answered}", params)  # noqa: S608 - fixed text
    finally:
        con.unregister("_loaded_keys")


def retry_waiting(con: duckdb.DuckDBPyConnection, *, snapshot: str) -> tuple[int, int]:
    """Participations quarantined because their Work Group was not loaded yet: retry those whose
    Work Group now exists, through the same contract, as one `retry` run per original run."""
    waiting = con.sql(
        """
        SELECT DISTINCT q.run_id, q.file_name, q.row_number, q.raw
        FROM quarantine AS q
        JOIN work_groups AS w ON w.work_group_id = trim(json_extract_string(q.raw, '$.work_group_id'))
        WHERE q.entity = 'participations' AND q.rule = 'work_group_known_rule'
        ORDER BY q.run_id, q.row_number
        """
    ).pl()
    retried = loaded = 0
    for (source_run, file_name), rows in waiting.group_by("run_id", "file_name", maintain_order=True):
        records = [json.loads(r) for r in rows["raw"]]
        columns = list(dict.fromkeys(k for r in records for k in r))
        frame = pl.DataFrame(
            {c: [r.get(c) for r in records] for c in columns}, schema={c: pl.String for c in columns}
        ).with_columns(pl.Series(ROW, rows["row_number"], dtype=pl.Int64))
        v = validate("participations", RawTable(frame, columns), context(con), file_name)
        run_id = next_run_id(con)
        upsert(con, v, run_id, is_sample=False)
        message = (
            f"{rows.height} rows of run {source_run} retried now their Work Group exists:"
            f" {v.loaded} loaded, {v.quarantined_rows} still quarantined"
        )
        con.execute(
            "INSERT INTO load_log (run_id, kind, entity, file_name, started_at, duration_s, status,"
            " received, loaded, quarantined, message, snapshot)"
            " VALUES (?, 'retry', 'participations', ?, ?, 0, 'loaded', ?, ?, ?, ?, ?)",
            [
                run_id,
                file_name,
                datetime.now(UTC).replace(tzinfo=None),
                rows.height,
                v.loaded,
                v.quarantined_rows,
                message,
                snapshot,
            ],
        )
        # Every retried row leaves the queue as it was; rows that fail again come back with today's
        # reasons, still under their original run and file (so a reload of that file replaces them).
        con.register("_retried", rows.select("row_number"))
        try:
            where = "run_id = ? AND row_number IN (SELECT row_number FROM _retried)"
            resolved = f"INSERT INTO quarantine_resolved SELECT *, ? FROM quarantine WHERE {where}"  # noqa: S608
            con.execute(resolved, [run_id, source_run])
            con.execute(f"DELETE FROM quarantine WHERE {where}", [source_run])  # noqa: S608 - fixed text
        finally:
            con.unregister("_retried")
        if v.quarantine.height:
            again = v.quarantine.join(v.row_hubs, on="row_number", how="left").with_columns(
                run_id=pl.lit(source_run, pl.Int64),
                entity=pl.lit("participations"),
                file_name=pl.lit(file_name),
            )
            insert_frame(con, "quarantine", again)
        loaded += v.loaded
        retried += rows.height
    return retried, loaded


def record(
    con: duckdb.DuckDBPyConnection,
    v: Validation,
    *,
    run_id: int,
    kind: str,
    file_name: str,
    sha256: str | None,
    started: datetime,
    duration_s: float,
    snapshot: str,
    landed_file: str | None = None,
) -> None:
    """Write the run's quarantine rows and its load_log line."""
    if v.quarantine.height:
        rows = v.quarantine.join(v.row_hubs, on="row_number", how="left").with_columns(
            run_id=pl.lit(run_id, pl.Int64), entity=pl.lit(v.entity), file_name=pl.lit(file_name)
        )
        insert_frame(con, "quarantine", rows)
    con.execute(
        "INSERT INTO load_log (run_id, kind, entity, file_name, sha256, started_at, duration_s, status,"
        " received, loaded, quarantined, extra_columns, message, snapshot, landed_file)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, 'loaded', ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            kind,
            v.entity,
            file_name,
            sha256,
            started.astimezone(UTC).replace(tzinfo=None),
            duration_s,
            v.received,
            v.loaded,
            v.quarantined_rows,
            ";".join(v.extra_columns) or None,
            _summary(v),
            snapshot,
            landed_file,
        ],
    )


def _summary(v: Validation) -> str:
    parts = [f"{v.loaded} loaded", f"{v.quarantined_rows} quarantined"]
    if v.extra_columns:
        parts.append(f"extra columns kept aside: {', '.join(v.extra_columns)}")
    return "; ".join(parts)


def refresh_locations(con: duckdb.DuckDBPyConnection) -> None:
    """Give each in-person Work Group venue coordinates: the school register's exact postcode first,
    else the ONS postcode district centroid, else (no open data) the centre of a district that the
    reference facts tie to that postcode district."""
    con.execute(
        """
        UPDATE work_groups AS w SET
            venue_latitude = g.lat, venue_longitude = g.lon, venue_location_source = g.source
        FROM (
            SELECT w.work_group_id,
                coalesce(s.lat, d.latitude, a.lat) AS lat,
                coalesce(s.lon, d.longitude, a.lon) AS lon,
                CASE WHEN s.lat IS NOT NULL THEN 'school postcode'
                     WHEN d.latitude IS NOT NULL THEN 'postcode district centre'
                     WHEN a.lat IS NOT NULL THEN 'district centre (approximate)' END AS source
            FROM work_groups AS w
            LEFT JOIN (SELECT postcode, any_value(latitude) AS lat, any_value(longitude) AS lon
                       FROM schools GROUP BY postcode) AS s ON s.postcode = w.venue_postcode
            LEFT JOIN postcode_districts AS d ON d.district = split_part(w.venue_postcode, ' ', 1)
            LEFT JOIN (SELECT postcode_district, avg(centroid_lat) AS lat, avg(centroid_lon) AS lon
                       FROM hub_areas GROUP BY postcode_district) AS a
                   ON a.postcode_district = split_part(w.venue_postcode, ' ', 1)
            WHERE w.venue_postcode IS NOT NULL
        ) AS g
        WHERE g.work_group_id = w.work_group_id
            -- (only rows whose location changes: the stored ones already have theirs)
            AND (w.venue_latitude IS DISTINCT FROM g.lat OR w.venue_longitude IS DISTINCT FROM g.lon
                 OR w.venue_location_source IS DISTINCT FROM g.source)
        """
    )
