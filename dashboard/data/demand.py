"""Unmet demand: finder searches that found nothing, logged anonymously for hub coordinators.

What is kept: the filters (codes), the radius, the postcode *district* (never a full postcode or the
typed text) and the hub whose area that district lies in, with a timestamp. No session or browser
detail. The warehouse snapshot is read-only to the app, so the log is its own small DuckDB file,
`<ATLAS_DATA_DIR>/warehouse/demand.duckdb`, opened read-write for each statement under a lock.
Logging never breaks the finder: if the file is locked by another process, the row is skipped.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from dashboard.data.finder_params import ALL_YEARS, Filters
from pipelines.config import paths

_LOCK = threading.Lock()
_LOG = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS unmet_demand (
    logged_at TIMESTAMP NOT NULL,
    phases VARCHAR[] NOT NULL,
    programmes VARCHAR[] NOT NULL,
    delivery VARCHAR[] NOT NULL,
    hubs VARCHAR[] NOT NULL,
    year_start INTEGER,          -- NULL: all years
    date_from DATE,
    date_to DATE,
    open_only BOOLEAN NOT NULL,
    has_places BOOLEAN NOT NULL,
    postcode_district VARCHAR,   -- outward code only, e.g. GL55; never a full postcode
    area_hub_id VARCHAR,         -- the hub whose area the district lies in
    radius_miles INTEGER
)
"""
_COLUMNS = ("logged_at", "phases", "programmes", "delivery", "hubs", "year_start", "date_from", "date_to",
            "open_only", "has_places", "postcode_district", "area_hub_id", "radius_miles")  # fmt: skip


def demand_path() -> Path:
    return paths().warehouse / "demand.duckdb"


def log_zero_result(
    f: Filters,
    year_start: int | None,
    district: str | None,
    area_hub_id: str | None,
    radius: int | None,
    when: datetime | None = None,
    path: Path | None = None,
) -> bool:
    """Append one zero-result search. Returns False (and logs a warning) if it could not be written."""
    if district is not None and (len(district) > 4 or " " in district):
        raise ValueError("only a postcode district (outward code) may be logged")
    row = [
        (when or datetime.now(UTC)).replace(tzinfo=None), list(f.phases), list(f.programmes), list(f.delivery),
        list(f.hubs), None if f.year == ALL_YEARS else year_start, f.date_from, f.date_to, f.open_only,
        f.has_places, district, area_hub_id, radius if district else None,
    ]  # fmt: skip
    target = path or demand_path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with _LOCK, duckdb.connect(str(target)) as con:
            con.execute(SCHEMA)
            con.execute(f"INSERT INTO unmet_demand VALUES ({', '.join('?' * len(_COLUMNS))})", row)  # noqa: S608
    except (duckdb.Error, OSError) as exc:
        _LOG.warning("unmet demand not logged: %s", exc)
        return False
    return True


def read_demand(path: Path | None = None) -> pl.DataFrame:
    """Every logged zero-result search, newest first (an empty frame when nothing is logged yet)."""
    target = path or demand_path()
    empty = pl.DataFrame(schema={c: pl.String for c in _COLUMNS})
    if not target.exists():
        return empty
    try:
        with _LOCK, duckdb.connect(str(target)) as con:
            con.execute(SCHEMA)
            return con.sql("SELECT * FROM unmet_demand ORDER BY logged_at DESC").pl()
    except (duckdb.Error, OSError) as exc:
        _LOG.warning("unmet demand not readable: %s", exc)
        return empty


def summarise(frame: pl.DataFrame) -> pl.DataFrame:
    """Searches grouped by area hub, district and what was asked for, most frequent first."""
    if frame.is_empty():
        return pl.DataFrame(
            schema={"area_hub_id": pl.String, "postcode_district": pl.String, "phases": pl.String,
                    "programmes": pl.String, "delivery": pl.String, "searches": pl.UInt32,
                    "last_searched": pl.Datetime})  # fmt: skip
    joined = frame.with_columns(
        pl.col(c).list.sort().list.join(", ").alias(c) for c in ("phases", "programmes", "delivery")
    )
    return (
        joined.group_by("area_hub_id", "postcode_district", "phases", "programmes", "delivery")
        .agg(pl.len().alias("searches"), pl.col("logged_at").max().alias("last_searched"))
        .sort(["searches", "last_searched"], descending=[True, True])
    )
