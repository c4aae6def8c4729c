"""Unmet demand: finder searches that found nothing, logged anonymously for hub coordinators.

What is kept: the filters (codes), the radius, the postcode *district* (never a full postcode or the
typed text) and the hub whose area that district lies in, with a timestamp. No session or browser
detail. It lives in the ops store (`pipelines.ops.store`), shared by every replica. A search is
queued for a background writer, so logging never holds up or breaks the finder.
"""

from __future__ import annotations

import logging
from datetime import datetime

import polars as pl

from dashboard.data.finder_params import ALL_YEARS, Filters
from pipelines.ops.store import OpsStore, get_store, now, replica_name

_LOG = logging.getLogger(__name__)

SCHEMA = {
    "logged_at": pl.Datetime("us"),
    "phases": pl.List(pl.String),
    "programmes": pl.List(pl.String),
    "delivery": pl.List(pl.String),
    "hubs": pl.List(pl.String),
    "year_start": pl.Int32,
    "date_from": pl.Date,
    "date_to": pl.Date,
    "open_only": pl.Boolean,
    "has_places": pl.Boolean,
    "postcode_district": pl.String,  # outward code only, e.g. GL55; never a full postcode
    "area_hub_id": pl.String,  # the hub whose area the district lies in
    "radius_miles": pl.Int32,
    "replica": pl.String,
}
_INSERT = f"INSERT INTO unmet_demand ({', '.join(SCHEMA)}) VALUES ({', '.join('?' * len(SCHEMA))})"  # noqa: S608


def log_zero_result(
    f: Filters,
    year_start: int | None,
    district: str | None,
    area_hub_id: str | None,
    radius: int | None,
    when: datetime | None = None,
    store: OpsStore | None = None,
) -> bool:
    """Queue one zero-result search for the background writer (the page never waits for it).
    Returns False (and logs a warning) if it could not even be queued."""
    if district is not None and (len(district) > 4 or " " in district):
        raise ValueError("only a postcode district (outward code) may be logged")
    row = [
        when.replace(tzinfo=None) if when else now(),
        list(f.phases),
        list(f.programmes),
        list(f.delivery),
        list(f.hubs),
        None if f.year == ALL_YEARS else year_start,
        f.date_from,
        f.date_to,
        bool(f.open_only),
        bool(f.has_places),
        district,
        area_hub_id,
        radius if district else None,
        replica_name(),
    ]
    try:
        (store or get_store()).submit(_INSERT, row)
    except Exception as exc:  # noqa: BLE001 - logging demand must never break the finder
        _LOG.warning("unmet demand not logged: %s", exc)
        return False
    return True


def read_demand(store: OpsStore | None = None) -> pl.DataFrame:
    """Every logged zero-result search, newest first (an empty frame when nothing is logged yet)."""
    try:
        s = store or get_store()
        s.flush(timeout_s=2)  # include searches still on their way to the store
        return s.frame(f"SELECT {', '.join(SCHEMA)} FROM unmet_demand ORDER BY logged_at DESC", [], SCHEMA)  # noqa: S608
    except Exception as exc:  # noqa: BLE001 - an unreadable log shows as empty, with a warning
        _LOG.warning("unmet demand not readable: %s", exc)
        return pl.DataFrame(schema=SCHEMA)


def summarise(frame: pl.DataFrame) -> pl.DataFrame:
    """Searches grouped by area hub, district and what was asked for, most frequent first."""
    if frame.is_empty():
        return pl.DataFrame(
            schema={
                "area_hub_id": pl.String,
                "postcode_district": pl.String,
                "phases": pl.String,
                "programmes": pl.String,
                "delivery": pl.String,
                "searches": pl.UInt32,
                "last_searched": pl.Datetime,
            }
        )
    joined = frame.with_columns(
        pl.col(c).list.sort().list.join(", ").alias(c) for c in ("phases", "programmes", "delivery")
    )
    return (
        joined.group_by("area_hub_id", "postcode_district", "phases", "programmes", "delivery")
        .agg(pl.len().alias("searches"), pl.col("logged_at").max().alias("last_searched"))
        .sort(["searches", "last_searched"], descending=[True, True])
    )
