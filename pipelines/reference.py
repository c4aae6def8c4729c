"""Open reference data (ONS boundaries and postcode districts, the DfE school register).

Three places can hold it, all in the same layout (`geo/...`, `schools/...`):

- the shipped copy, `data/opendata/` (committed; reduced from the publishers' files, with a
  `MANIFEST.json` giving each file's publisher, dataset, vintage, licence, attribution, rows and
  SHA-256): what a fresh clone builds with;
- the staged cache, `<data dir>/open/` (git-ignored): what `atlas reference --from` copies or
  `atlas reference --download` fetches from the publishers and reduces; it wins over the shipped copy;
- any folder laid out like `shared/data` (`--reference-dir` or `$ATLAS_REFERENCE_DIR`), read in place.

The school register is read as Parquet (shipped form) or CSV (`shared/data`). Without any of them
(`atlas build --no-open-data`) sample schools are generated and the map is schematic.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import polars as pl

from pipelines.config import OPEN_DATA_DIR, Paths
from pipelines.warehouse.store import insert_frame

FILES = {
    "lad_boundaries": "geo/england_lad.geojson",
    "postcode_districts": "geo/postcode_districts.csv",
    "schools": "schools/gias_open_schools.csv",
}
SCHOOLS_PARQUET = "schools/gias_open_schools.parquet"
OPTIONAL_FILES = ("geo/england_regions.geojson", "geo/england_ctyua.geojson", "geo/lad_to_region.csv")
MANIFEST = "MANIFEST.json"
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
OGL = "Open Government Licence v3.0"
ONS_BOUNDARIES = (
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0. "
    "Contains OS data © Crown copyright and database right 2024."
)
ONS_POSTCODES = (
    "Contains OS data © Crown copyright and database right 2025. Contains Royal Mail data © Royal Mail "
    "copyright and database right 2025. Source: Office for National Statistics licensed under the Open "
    "Government Licence v.3.0."
)
DFE_SCHOOLS = (
    "Contains public sector information from the Department for Education (Get Information about Schools; "
    "school performance tables) licensed under the Open Government Licence v3.0."
)
# Where each shipped file comes from (the provenance of the shared/data copies, per its README).
PROVENANCE = {
    "geo/england_lad.geojson": {
        "publisher": "Office for National Statistics (Open Geography Portal)",
        "dataset": "Local Authority Districts (May 2024) Boundaries UK BUC, England only",
        "vintage": "May 2024",
        "attribution": ONS_BOUNDARIES,
    },
    "geo/england_ctyua.geojson": {
        "publisher": "Office for National Statistics (Open Geography Portal)",
        "dataset": (
            "Counties and unitary authorities of England, dissolved from the May 2024 district boundaries"
        ),
        "vintage": "2024",
        "attribution": ONS_BOUNDARIES,
    },
    "geo/england_regions.geojson": {
        "publisher": "Office for National Statistics (Open Geography Portal)",
        "dataset": "Regions of England (ITL1), dissolved from the May 2024 district boundaries",
        "vintage": "2024",
        "attribution": ONS_BOUNDARIES,
    },
    "geo/lad_to_region.csv": {
        "publisher": "Office for National Statistics (via the DfE geo_hierarchy lookup)",
        "dataset": "Local authority district to upper tier to region lookup, 2024",
        "vintage": "2024",
        "attribution": ONS_BOUNDARIES,
    },
    "geo/postcode_districts.csv": {
        "publisher": "Office for National Statistics (Open Geography Portal)",
        "dataset": (
            "National Statistics Postcode Lookup - 2021 Census (May 2025), averaged by postcode district"
        ),
        "vintage": "May 2025",
        "attribution": ONS_POSTCODES,
    },
    SCHOOLS_PARQUET: {
        "publisher": "Department for Education (Get Information about Schools); ONS postcode coordinates",
        "dataset": "Open state-funded schools of England (GIAS, July 2025; number on roll from the "
        "January 2025 school census), located by the NSPL May 2025 centroid of each postcode",
        "vintage": "July 2025 (pupils January 2025)",
        "attribution": f"{DFE_SCHOOLS} {ONS_POSTCODES}",
    },
}
SHIPPED = (
    "geo/england_lad.geojson",
    "geo/england_ctyua.geojson",
    "geo/england_regions.geojson",
    "geo/lad_to_region.csv",
    "geo/postcode_districts.csv",
    SCHOOLS_PARQUET,
)


class ReferenceError(Exception):
    pass


def schools_file(folder: Path) -> Path:
    """The school register in `folder`: the shipped Parquet, else the CSV of shared/data."""
    parquet = folder / SCHOOLS_PARQUET
    return parquet if parquet.is_file() else folder / FILES["schools"]


def missing_files(folder: Path) -> list[str]:
    found = [rel for rel in FILES.values() if not (folder / rel).is_file()]
    if FILES["schools"] in found and (folder / SCHOOLS_PARQUET).is_file():
        found.remove(FILES["schools"])
    return found


def default_open_dir(p: Paths) -> Path:
    """The staged cache when `atlas reference` has filled it, else the shipped copy."""
    return p.open_data if not missing_files(p.open_data) else OPEN_DATA_DIR


def describe(folder: Path) -> dict[str, str]:
    """build_info rows naming the open data a build used: where it came from and each vintage
    (from the folder's manifest; a shared/data-like folder holds the data the provenance describes)."""
    manifest = folder / MANIFEST
    entries = json.loads(manifest.read_text(encoding="utf-8"))["files"] if manifest.is_file() else []
    by_path = {e["path"]: e for e in entries}

    def vintage(rel: str) -> str:
        return (by_path.get(rel) or PROVENANCE[rel])["vintage"]

    if folder.resolve() == OPEN_DATA_DIR.resolve():
        where = "the copy shipped with the product"
    elif any("retrieved" in e for e in entries):
        where = "the publishers' files, downloaded " + min(
            e["retrieved"][:10] for e in entries if "retrieved" in e
        )
    else:
        where = "a local folder of the same data (ATLAS_REFERENCE_DIR or --reference-dir)"
    return {
        "open_data_from": where,
        "open_data_boundaries": vintage("geo/england_lad.geojson"),
        "open_data_postcodes": vintage("geo/postcode_districts.csv"),
        "open_data_schools": vintage(SCHOOLS_PARQUET),
    }


def count_rows(path: Path) -> int:
    if path.suffix == ".geojson":
        return len(json.loads(path.read_text(encoding="utf-8"))["features"])
    if path.suffix == ".parquet":
        return pl.read_parquet(path).height
    return pl.read_csv(path, infer_schema_length=0).height


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest_entry(folder: Path, rel: str, **provenance: str) -> dict:
    path = folder / rel
    return {
        "path": rel,
        **PROVENANCE.get(rel, {}),
        "licence": OGL,
        **provenance,
        "rows": count_rows(path),
        "bytes": path.stat().st_size,
        "sha256": sha256(path),
    }


def write_manifest(folder: Path, entries: list[dict]) -> None:
    text = json.dumps({"files": entries}, indent=2, ensure_ascii=False) + "\n"
    (folder / MANIFEST).write_text(text, encoding="utf-8")


def manifest_problems(folder: Path) -> list[str]:
    """Every way the files in `folder` differ from its manifest (empty when they agree)."""
    if not (folder / MANIFEST).is_file():
        return [f"{folder / MANIFEST}: missing"]
    entries = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"]
    problems = []
    for e in entries:
        path = folder / e["path"]
        if not path.is_file():
            problems.append(f"{e['path']}: listed in the manifest but missing")
            continue
        for key in ("publisher", "dataset", "vintage", "licence", "attribution"):
            if not e.get(key):
                problems.append(f"{e['path']}: manifest has no {key}")
        if e.get("sha256") != sha256(path):
            problems.append(f"{e['path']}: SHA-256 differs from the manifest")
        if e.get("rows") != count_rows(path):
            problems.append(f"{e['path']}: {count_rows(path)} rows, manifest says {e.get('rows')}")
    listed = {e["path"] for e in entries}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and rel not in listed and rel not in (MANIFEST, "README.md"):
            problems.append(f"{rel}: not in the manifest")
    return problems


def ship_from_folder(src: Path, dest: Path) -> list[dict]:
    """Reduce a folder laid out like shared/data to the shipped form (schools as Parquet) + manifest."""
    missing = missing_files(src) + [rel for rel in OPTIONAL_FILES if not (src / rel).is_file()]
    if missing:
        raise ReferenceError(f"{src}: missing {', '.join(missing)} (expected the layout of shared/data)")
    for rel in SHIPPED:
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        if rel == SCHOOLS_PARQUET:
            write_schools(read_schools(schools_file(src)), dest / rel)
        else:
            shutil.copyfile(src / rel, dest / rel)
    entries = [manifest_entry(dest, rel, derived_from="shared/data (see its README)") for rel in SHIPPED]
    write_manifest(dest, entries)
    return entries


def read_schools(path: Path) -> pl.DataFrame:
    """The register with every column as text (as in the CSV), whichever form it is in."""
    if path.suffix == ".parquet":
        return pl.read_parquet(path).with_columns(pl.all().cast(pl.String))
    return pl.read_csv(path, infer_schema_length=0)


def write_schools(frame: pl.DataFrame, path: Path) -> None:
    typed = frame.with_columns(
        pl.col("urn").cast(pl.Int64),
        pl.col("latitude", "longitude").cast(pl.Float64),
        pl.col("pupils").cast(pl.Int32, strict=False),
    )
    # No statistics and a fixed compression level: the same rows give the same bytes (and SHA-256).
    typed.write_parquet(path, compression="zstd", compression_level=19, statistics=False)


def stage_from_folder(src: Path, dest: Path) -> list[str]:
    missing = missing_files(src)
    if missing:
        raise ReferenceError(f"{src}: missing {', '.join(missing)} (expected the layout of shared/data)")
    copied = []
    rels = [*FILES.values(), SCHOOLS_PARQUET, *OPTIONAL_FILES, MANIFEST]
    for rel in rels:
        if (src / rel).is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src / rel, dest / rel)
            copied.append(rel)
    # A stale copy in the other form must not shadow the one just staged.
    if (src / FILES["schools"]).is_file() and not (src / SCHOOLS_PARQUET).is_file():
        (dest / SCHOOLS_PARQUET).unlink(missing_ok=True)
    return copied


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

    raw = read_schools(schools_file(folder))
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
