"""Apply a validated load to an open (unpublished) snapshot: upsert, quarantine, log, geocode."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

import duckdb
import polars as pl

from pipelines.contracts import Context, Validation, module
from pipelines.vocab import alias_key
from pipelines.warehouse.store import insert_frame


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
    return Context(
        hub_aliases=_aliases(hubs, " Maths Hub"),
        programme_aliases=_aliases(programmes, ""),
        work_group_ids=wg_ids,
        school_urns=urns,
        foreign_districts=foreign["district"],
        school_postcodes=postcodes["postcode"],
    )


def next_run_id(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM load_log").fetchall()[0][0]


def upsert(con: duckdb.DuckDBPyConnection, v: Validation, run_id: int, is_sample: bool) -> None:
    """Replace rows with the same key, insert the rest (the file's rows are already de-duplicated)."""
    m = module(v.entity)
    incoming = v.good.with_columns(is_sample=pl.lit(is_sample), run_id=pl.lit(run_id, pl.Int64))
    match = " AND ".join(f"t.{k} = i.{k}" for k in m.KEY)
    con.register("_incoming", incoming)
    try:
        con.execute(f"DELETE FROM {v.entity} AS t USING _incoming AS i WHERE {match}")  # noqa: S608 - names from the contract
        con.execute(f"INSERT INTO {v.entity} BY NAME SELECT * FROM _incoming")  # noqa: S608
    finally:
        con.unregister("_incoming")
    keys = ", ".join(m.KEY)
    dupes = con.execute(
        f"SELECT count(*) FROM (SELECT {keys} FROM {v.entity} GROUP BY {keys} HAVING count(*) > 1)"  # noqa: S608
    ).fetchall()[0][0]
    if dupes:  # never expected: the snapshot is discarded rather than published
        raise RuntimeError(f"{v.entity}: {dupes} duplicate keys after the upsert")


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
) -> None:
    """Write the run's quarantine rows and its load_log line."""
    if v.quarantine.height:
        rows = v.quarantine.join(v.row_hubs, on="row_number", how="left").with_columns(
            run_id=pl.lit(run_id, pl.Int64), entity=pl.lit(v.entity), file_name=pl.lit(file_name)
        )
        insert_frame(con, "quarantine", rows)
    con.execute(
        "INSERT INTO load_log VALUES (?, ?, ?, ?, ?, ?, ?, 'loaded', ?, ?, ?, ?, ?, ?)",
        [
            run_id, kind, v.entity, file_name, sha256, started.astimezone(UTC).replace(tzinfo=None), duration_s,
            v.received, v.good.height, v.quarantined_rows, ";".join(v.extra_columns) or None,
            _summary(v), snapshot,
        ],
    )  # fmt: skip


def _summary(v: Validation) -> str:
    parts = [f"{v.good.height} loaded", f"{v.quarantined_rows} quarantined"]
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
        """
    )
