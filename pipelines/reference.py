"""Open reference data (ONS boundaries and postcode districts, the DfE school register).

`stage` copies the files from a folder laid out like shared/data (or downloads them from a base
URL) into the data directory's git-ignored `open/` cache; `load_open_data` loads that cache into a
snapshot. Without it the product still works: sample schools are generated and the map falls back
to hub points.
"""

from __future__ import annotations

import json
import shutil
import urllib.request
from pathlib import Path

import duckdb
import polars as pl

from pipelines.warehouse.store import insert_frame

FILES = {
    "lad_boundaries": "geo/england_lad.geojson",
    "postcode_districts": "geo/postcode_districts.csv",
    "schools": "schools/gias_open_schools.csv",
}
OPTIONAL_FILES = ("geo/england_regions.geojson", "geo/england_ctyua.geojson", "geo/lad_to_region.csv")
GIAS_PHASES = {
    "Nursery": "early_years",
    "Primary": "primary",
    "Middle deemed primary": "primary",
    "Secondary": "secondary",
    "Middle deemed secondary": "secondary",
    "All-through": "secondary",
    "16 plus": "post16",
}
ENGLAND = {"lat": (49.8, 55.9), "lon": (-6.5, 1.9)}


class ReferenceError(Exception):
    pass


def missing_files(folder: Path) -> list[str]:
    return [rel for rel in FILES.values() if not (folder / rel).is_file()]


def stage_from_folder(src: Path, dest: Path) -> list[str]:
    missing = missing_files(src)
    if missing:
        raise ReferenceError(f"{src}: missing {', '.join(missing)} (expected the layout of shared/data)")
    copied = []
    for rel in [*FILES.values(), *OPTIONAL_FILES]:
        if (src / rel).is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src / rel, dest / rel)
            copied.append(rel)
    return copied


def stage_by_download(base_url: str, dest: Path, progress=None) -> list[str]:
    """Fetch each file from `base_url` + its relative path (a mirror laid out like shared/data)."""
    fetched = []
    for rel in [*FILES.values(), *OPTIONAL_FILES]:
        url = base_url.rstrip("/") + "/" + rel
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with (
                urllib.request.urlopen(url, timeout=60) as resp,
                open(target.with_suffix(".part"), "wb") as out,
            ):  # noqa: S310
                shutil.copyfileobj(resp, out)
        except OSError as exc:
            if rel in OPTIONAL_FILES:
                continue
            raise ReferenceError(f"could not download {url}: {exc}") from None
        target.with_suffix(".part").replace(target)
        fetched.append(rel)
        if progress:
            progress(rel)
    return fetched


def load_open_data(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, int]:
    """Load boundaries, postcode districts and schools; returns row counts (and rows set aside)."""
    if missing_files(folder):
        raise ReferenceError(f"{folder}: missing {', '.join(missing_files(folder))}")
    counts = {}
    features = json.loads((folder / FILES["lad_boundaries"]).read_text(encoding="utf-8"))["features"]
    bounds = pl.DataFrame(
        {
            "lad_code": [f["properties"]["code"] for f in features],
            "lad_name": [f["properties"]["name"] for f in features],
            "geometry": [json.dumps(f["geometry"], separators=(",", ":")) for f in features],
        }
    )
    con.execute("DELETE FROM lad_boundaries")
    insert_frame(con, "lad_boundaries", bounds)
    counts["lad_boundaries"] = bounds.height

    districts = pl.read_csv(folder / FILES["postcode_districts"], infer_schema_length=0).select(
        pl.col("district").str.strip_chars().str.to_uppercase(),
        pl.col("latitude").cast(pl.Float64),
        pl.col("longitude").cast(pl.Float64),
        "country",
        "lad_code",
        "lad_name",
        "region_name",
    )
    con.execute("DELETE FROM postcode_districts")
    insert_frame(con, "postcode_districts", districts)
    counts["postcode_districts"] = districts.height

    raw = pl.read_csv(folder / FILES["schools"], infer_schema_length=0)
    schools = raw.select(
        pl.col("urn").cast(pl.Int64, strict=False),
        "name",
        pl.col("phase").replace_strict(GIAS_PHASES, default=None).alias("phase"),
        pl.col("phase").alias("gias_phase"),
        "school_type_group",
        "town",
        "postcode",
        "la_name",
        "lad_code",
        "region_name",
        pl.col("latitude").cast(pl.Float64, strict=False),
        pl.col("longitude").cast(pl.Float64, strict=False),
        pl.col("pupils").cast(pl.Int32, strict=False),
    )
    inside = (
        pl.col("urn").is_not_null()
        & pl.col("latitude").is_between(*ENGLAND["lat"])
        & pl.col("longitude").is_between(*ENGLAND["lon"])
    )
    counts["schools_set_aside"] = schools.filter(~inside.fill_null(False)).height
    schools = schools.filter(inside.fill_null(False)).unique("urn", keep="last", maintain_order=True)
    con.execute("DELETE FROM schools")
    # Each school belongs to the hub of its district (hub_areas must be loaded first).
    with_hub = schools.join(con.sql("SELECT lad_code, hub_id FROM hub_areas").pl(), on="lad_code", how="left")
    insert_frame(con, "schools", with_hub.with_columns(source=pl.lit("dfe_gias"), is_sample=pl.lit(False)))
    counts["schools"] = schools.height
    return counts
