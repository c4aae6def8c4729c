"""Load the committed reference facts (hubs, hub areas, programmes, vocabularies) into a snapshot."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from pipelines.config import FACTS_DIR
from pipelines.warehouse.store import insert_frame


def _csv(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False).with_columns(
        pl.col(pl.String).str.strip_chars().replace("", None)
    )


def _split(column: str) -> pl.Expr:
    return (
        pl.col(column)
        .fill_null("")
        .str.split(";")
        .list.eval(pl.element().str.strip_chars().filter(pl.element() != ""))
    )


def load_facts(con: duckdb.DuckDBPyConnection, facts_dir: Path = FACTS_DIR) -> dict[str, int]:
    hubs = _csv(facts_dir / "hubs.csv").with_columns(
        pl.col("latitude", "longitude").cast(pl.Float64, strict=False)
    )
    areas = _csv(facts_dir / "hub_areas.csv").with_columns(
        pl.col("centroid_lat", "centroid_lon").cast(pl.Float64, strict=False)
    )
    programmes = _csv(facts_dir / "programmes.csv").with_columns(
        _split("phases").alias("phases"),
        _split("delivery").alias("delivery"),
        pl.col("typical_sessions").cast(pl.Int32, strict=False),
    )
    vocab = _csv(facts_dir / "vocabularies.csv").with_columns(pl.col("sort_order").cast(pl.Int32))
    con.execute("DELETE FROM hubs; DELETE FROM hub_areas; DELETE FROM programmes; DELETE FROM vocabularies")
    for table, frame in (
        ("hubs", hubs),
        ("hub_areas", areas),
        ("programmes", programmes),
        ("vocabularies", vocab),
    ):
        insert_frame(con, table, frame)
    # Where the map draws a hub: its lead school if known, else the mean centre of its districts.
    con.execute(
        """
        UPDATE hubs SET
            map_latitude = coalesce(hubs.latitude, c.lat),
            map_longitude = coalesce(hubs.longitude, c.lon),
            map_point_source = CASE WHEN hubs.latitude IS NOT NULL THEN 'lead school'
                                    ELSE 'estimated: centre of its districts' END
        FROM (
            SELECT hub_id, avg(centroid_lat) AS lat, avg(centroid_lon) AS lon FROM hub_areas GROUP BY hub_id
        ) AS c
        WHERE c.hub_id = hubs.hub_id
        """
    )
    return {"hubs": hubs.height, "hub_areas": areas.height, "programmes": programmes.height}
