"""Derive `data/reference/hub_areas.csv` and refresh the lead-school locations in `hubs.csv`.

Which Maths Hub serves which part of England is known only from scattered public sources (collected in
the project's research notes, `hub_areas.md`). This script turns that research into one row per 2024
local authority district (296 in England), so that the dashboard can colour a district map and count
schools per hub.

Inputs (read in place from the open-data folder: the shipped `data/opendata/` by default):

- `<reference-dir>/geo/lad_to_region.csv`: the 296 districts with upper tier and region (ONS 2024);
- `<reference-dir>/geo/england_lad.geojson`: district polygons, for centroids, adjacency and area;
- `<reference-dir>/geo/postcode_districts.csv`: postcode outward codes with the district holding them;
- `<reference-dir>/schools/gias_open_schools.parquet` (shipped) or `.csv` (shared/data): the DfE register,
  for lead-school postcodes;
- `data/reference/hubs.csv` (committed, written by hand from the research): the 40 hubs;
- `data/reference/hub_area_assignments.csv` (committed, written by hand from the research): which hub
  each area goes to.

The hub of each area is NOT computed from data: it is the hand-made assignments table, one row per
upper-tier authority or per district (for split counties), each with its provenance:

- `declared`: a source names that district or its upper-tier authority for that hub (its URL and date
  are kept, with whether it is a 2014-2019 source and whether the research calls the current area
  unverified);
- `estimated`: no source does, and a documented rule assigned it (the rule text says which).

Confidence follows one rule (`confidence_for`, stated in data/reference/README.md). The geometric
estimation rules (split counties, nearest hub base) are re-checked against the geometry on every run,
and the script stops if the table and the rule disagree.

The script fails loudly (exit status 1, message on stderr) if any district is unassigned or assigned
twice, an area name is unknown, a hub_id is not in `hubs.csv`, a hub is left without a district, a
recorded lead-school URN is missing from the register, or a hub's `region` is not the region holding
most of its area.

Outputs:

- `hub_areas.csv`: lad_code, lad_name, ctyua_code, ctyua_name, region_code, region_name, hub_id,
  provenance, rule, source_url, confidence, centroid_lat, centroid_lon, postcode_district.
  `centroid_*` is the area-weighted centroid of the district's polygons (shoelace formula over every
  ring in the lon/lat plane, holes subtracted; 5 decimals). `postcode_district` is the outward code
  with the most postcode units whose centroid lies in the district, preferring codes still in use by
  at least one open school in the register (this drops terminated codes such as SO2 or L41).
- `hubs.csv` is rewritten with `lead_school_postcode`, `latitude`, `longitude` and `location_source`
  refreshed from the register for the first URN in `lead_school_urns` (emptied where there is none).
  Every other column is kept as written by hand.

Usage (Python 3.11+; standard library, plus polars to read the shipped Parquet):

    python -m pipelines.tools.derive_reference                      # the shipped open data
    python -m pipelines.tools.derive_reference --reference-dir ../shared/data
    python -m pipelines.tools.derive_reference --check    # exit 1 if the committed files are stale

`--out-dir` (default: the repository's `data/reference`) is where `hubs.csv` is read and both files
are written.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT_DIR = REPO_ROOT / "data" / "reference"

HUB_COLUMNS = [
    "hub_id",
    "name",
    "former_names",
    "lead_schools",
    "lead_school_urns",
    "lead_school_source",
    "town",
    "region",
    "website",
    "website_source",
    "lead_school_postcode",
    "latitude",
    "longitude",
    "location_source",
    "areas_summary",
    "status",
    "confidence",
    "source_urls",
    "notes",
]
AREA_COLUMNS = [
    "lad_code",
    "lad_name",
    "ctyua_code",
    "ctyua_name",
    "region_code",
    "region_name",
    "hub_id",
    "provenance",
    "rule",
    "source_url",
    "confidence",
    "centroid_lat",
    "centroid_lon",
    "postcode_district",
]

# --------------------------------------------------------------------------------------------------
# The assignment table (data/reference/hub_area_assignments.csv)
# --------------------------------------------------------------------------------------------------

ASSIGNMENT_COLUMNS = [
    "level",
    "area",
    "hub_id",
    "provenance",
    "source_url",
    "source_date",
    "dated",
    "current_area_unverified",
    "rule",
]
# Declarations read from these pages count as high confidence (the current NCETM hub pages).
NCETM_PREFIXES = ("https://www.ncetm.org.uk/hubs/", "https://www.ncetm.org.uk/maths-hubs/find-your-hub/")


@dataclass(frozen=True)
class Assignment:
    """One upper-tier authority (level "ctyua": all its districts) or one district (level "lad")."""

    level: str  # "ctyua" or "lad"
    area: str  # exactly as `ctyua_name` / `lad_name` in lad_to_region.csv
    hub_id: str
    provenance: str  # "declared" or "estimated"
    source_url: str
    source_date: str  # as the source gives it ("14 May 2024", "c.2018/19 (undated)", "as read 1 Oct 2026")
    dated: str  # "yes": the source was written in 2014-2019 (true then, not confirmed as current)
    current_area_unverified: str  # "yes": the research calls the hub's current area unverified
    rule: str
    line: int = 0


def read_assignments(path: Path) -> list[Assignment]:
    """The hand-made table, checked cell by cell (file, line, column and reason on failure)."""
    if not path.is_file():
        raise DerivationError(f"missing {path}")
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != ASSIGNMENT_COLUMNS:
            raise DerivationError(f"{path.name}: header must be {ASSIGNMENT_COLUMNS}, is {reader.fieldnames}")
        rows = list(reader)
    errors = []
    out = []
    allowed = {
        "level": ("ctyua", "lad"),
        "provenance": ("declared", "estimated"),
        "dated": ("yes", "no"),
        "current_area_unverified": ("yes", "no"),
    }
    for line, row in enumerate(rows, start=2):
        for column, values in allowed.items():
            if row[column] not in values:
                errors.append(f"{path.name} line {line}, {column}: {row[column]!r} is not one of {values}")
        for column in ("area", "hub_id", "source_url", "rule"):
            if not row[column].strip():
                errors.append(f"{path.name} line {line}, {column}: empty")
        if row["provenance"] == "declared" and not row["source_date"].strip():
            errors.append(f"{path.name} line {line}, source_date: a declaration needs the source's date")
        years = [int(y) for y in re.findall(r"\b(20\d\d)\b", row["source_date"])]
        if row["dated"] == "yes" and not any(2014 <= y <= 2019 for y in years):
            errors.append(f"{path.name} line {line}, dated: 'yes' needs a 2014-2019 source_date")
        if row["dated"] == "no" and years and max(years) <= 2019:
            errors.append(f"{path.name} line {line}, dated: a source from {max(years)} is dated")
        out.append(Assignment(**{c: row[c] for c in ASSIGNMENT_COLUMNS}, line=line))
    if errors:
        raise DerivationError("hub area assignments are invalid:\n  " + "\n  ".join(errors))
    return out


# The computed checks behind the split-county and nearest-hub-base rules.
LANCS_HUBS = ("abacus-nw", "north-north-west")
DEVON_AREA = ("Devon", "Plymouth", "Torbay")  # upper-tier names making up the ceremonial county


class DerivationError(RuntimeError):
    """A check failed: the reference files must not be written."""


# --------------------------------------------------------------------------------------------------
# Geometry (plain Python)
# --------------------------------------------------------------------------------------------------


def _ring_terms(ring: list[list[float]]) -> tuple[float, float, float]:
    """Shoelace terms of one ring: twice the signed area and the centroid numerators."""
    a2 = cx = cy = 0.0
    n = len(ring)
    for i in range(n):
        x0, y0 = ring[i][0], ring[i][1]
        x1, y1 = ring[(i + 1) % n][0], ring[(i + 1) % n][1]
        cross = x0 * y1 - x1 * y0
        a2 += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return a2, cx, cy


def centroid(multipolygon: list) -> tuple[float, float]:
    """Area-weighted centroid (lat, lon) of a GeoJSON MultiPolygon's coordinates.

    Every ring contributes its signed area, so holes (wound opposite to exterior rings) are subtracted.
    """
    a2 = cx = cy = 0.0
    for polygon in multipolygon:
        for ring in polygon:
            r_a2, r_cx, r_cy = _ring_terms(ring)
            a2 += r_a2
            cx += r_cx
            cy += r_cy
    if a2 == 0:
        raise DerivationError("degenerate polygon (zero area)")
    return cy / (3 * a2), cx / (3 * a2)


def area_km2(multipolygon: list) -> float:
    """Approximate area: shoelace on lon/lat scaled to km at each ring's mean latitude."""
    total = 0.0
    for polygon in multipolygon:
        for ring in polygon:
            lat0 = math.radians(sum(p[1] for p in ring) / len(ring))
            kx, ky = 111.32 * math.cos(lat0), 110.57
            total += _ring_terms([[p[0] * kx, p[1] * ky] for p in ring])[0] / 2
    return abs(total)


def vertices(multipolygon: list) -> set[tuple[float, float]]:
    return {(p[0], p[1]) for polygon in multipolygon for ring in polygon for p in ring}


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lat, lon) points."""
    la1, lo1, la2, lo2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


# --------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise DerivationError(f"missing input file: {path}")
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read_schools(reference_dir: Path) -> list[dict[str, str]]:
    """The register as text rows: the shipped Parquet (read with polars) or the shared/data CSV."""
    parquet = reference_dir / "schools" / "gias_open_schools.parquet"
    if not parquet.is_file():
        return read_csv(reference_dir / "schools" / "gias_open_schools.csv")
    import polars as pl  # only for the shipped form; the CSV path stays standard library

    frame = pl.read_parquet(parquet).with_columns(pl.all().cast(pl.String).fill_null(""))
    # Coordinates as the CSV writes them (5 decimals), so both forms derive the same files.
    frame = frame.with_columns(
        pl.col("latitude", "longitude").cast(pl.Float64).map_elements(lambda v: f"{v:.5f}", pl.String)
    )
    return frame.to_dicts()


def read_geometry(path: Path) -> dict[str, list]:
    if not path.is_file():
        raise DerivationError(f"missing input file: {path}")
    with path.open(encoding="utf-8") as f:
        collection = json.load(f)
    out: dict[str, list] = {}
    for feature in collection["features"]:
        geometry = feature["geometry"]
        coords = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            coords = [coords]
        out[feature["properties"]["code"]] = coords
    return out


# --------------------------------------------------------------------------------------------------
# Derivation
# --------------------------------------------------------------------------------------------------


def confidence_for(a: Assignment) -> str:
    """The one confidence rule (stated in data/reference/README.md and checked by a test):
    estimated -> low; declared by a current NCETM hub page -> high; declared only by a 2014-2019
    source where the research calls the hub's current area unverified -> low; any other declaration
    -> medium (so a 2014-2019 source gives medium at most)."""
    if a.provenance == "estimated":
        return "low"
    if a.provenance != "declared":
        raise DerivationError(f"unknown provenance {a.provenance!r}")
    if a.source_url.startswith(NCETM_PREFIXES):
        return "high"
    if a.dated == "yes" and a.current_area_unverified == "yes":
        return "low"
    return "medium"


def expand_assignments(
    lads: list[dict[str, str]], hub_ids: set[str], assignments: list[Assignment]
) -> dict[str, Assignment]:
    """Map every district code to its one assignment; fail on gaps, overlaps and unknown names/hubs."""
    by_ctyua: dict[str, list[str]] = defaultdict(list)
    by_lad: dict[str, str] = {}
    for row in lads:
        by_ctyua[row["ctyua_name"]].append(row["lad_code"])
        if row["lad_name"] in by_lad:
            raise DerivationError(f"district name {row['lad_name']!r} is not unique")
        by_lad[row["lad_name"]] = row["lad_code"]

    errors: list[str] = []
    result: dict[str, Assignment] = {}
    assigned_by: dict[str, list[str]] = defaultdict(list)
    for a in assignments:
        if a.hub_id not in hub_ids:
            errors.append(f"unknown hub_id {a.hub_id!r} for {a.area!r}")
        if a.provenance not in ("declared", "estimated"):
            errors.append(f"bad provenance {a.provenance!r} for {a.area!r}")
        if not a.rule or not a.source_url:
            errors.append(f"assignment for {a.area!r} lacks a rule or a source_url")
        if a.level == "ctyua":
            codes = by_ctyua.get(a.area)
        elif a.level == "lad":
            codes = [by_lad[a.area]] if a.area in by_lad else None
        else:
            codes = None
            errors.append(f"bad level {a.level!r} for {a.area!r}")
        if not codes:
            errors.append(f"unknown {a.level} name {a.area!r}")
            continue
        for code in codes:
            assigned_by[code].append(f"{a.area} -> {a.hub_id}")
            result[code] = a

    for code, by in sorted(assigned_by.items()):
        if len(by) > 1:
            errors.append(f"district {code} assigned more than once: {by}")
    names = {row["lad_code"]: row["lad_name"] for row in lads}
    for code in sorted(set(names) - set(result)):
        errors.append(f"district {code} {names[code]} is not assigned to any hub")
    unused = sorted(hub_ids - {a.hub_id for a in result.values()})
    if unused:
        errors.append(f"hubs without any district: {unused}")
    if errors:
        raise DerivationError("hub assignment table is inconsistent:\n  " + "\n  ".join(errors))
    return result


def live_outward_codes(schools: list[dict[str, str]]) -> set[str]:
    return {row["postcode"].split()[0].upper() for row in schools if row.get("postcode", "").strip()}


def main_postcode_districts(rows: list[dict[str, str]], live: set[str]) -> dict[str, str]:
    """District code -> outward code with the most postcode units (codes in current use preferred)."""
    candidates: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for row in rows:
        if row.get("country") == "England" and row.get("lad_code"):
            candidates[row["lad_code"]].append((float(row["n_postcodes"] or 0), row["district"]))
    out = {}
    for lad, items in candidates.items():
        in_use = [item for item in items if item[1] in live] or items
        out[lad] = min(in_use, key=lambda item: (-item[0], item[1]))[1]
    return out


def check_rules(
    lads: list[dict[str, str]],
    assignment: dict[str, Assignment],
    cents: dict[str, tuple[float, float]],
    geometry: dict[str, list],
    hub_points: dict[str, tuple[float, float]],
) -> None:
    """Re-derive the geometric estimation rules and fail if the table disagrees with them."""
    errors: list[str] = []
    row_of = {row["lad_code"]: row for row in lads}
    by_name = {row["lad_name"]: row["lad_code"] for row in lads}

    # Lancashire: nearer lead school of the two hubs sharing the county.
    for hub in LANCS_HUBS:
        if hub not in hub_points:
            errors.append(f"Lancashire rule needs a lead-school location for {hub}")
    if not errors:
        for code, row in row_of.items():
            if row["ctyua_name"] == "Lancashire":
                want = min(LANCS_HUBS, key=lambda h: km(cents[code], hub_points[h]))
                if assignment[code].hub_id != want:
                    errors.append(f"Lancashire rule gives {row['lad_name']} -> {want}")

    # Hampshire: districts sharing a boundary (two or more vertices) with Surrey.
    surrey = set().union(*(vertices(geometry[c]) for c, r in row_of.items() if r["ctyua_name"] == "Surrey"))
    for code, row in row_of.items():
        if row["ctyua_name"] == "Hampshire":
            want = "north-east-hants-surrey" if len(vertices(geometry[code]) & surrey) >= 2 else "solent"
            if assignment[code].hub_id != want:
                errors.append(f"Hampshire rule gives {row['lad_name']} -> {want}")

    # Devon ceremonial county: West Devon and anything whose centroid lies further west go to CODE.
    west_devon_lon = cents[by_name["West Devon"]][1]
    for code, row in row_of.items():
        if row["ctyua_name"] in DEVON_AREA:
            want = "code" if cents[code][1] <= west_devon_lon else "jurassic"
            if assignment[code].hub_id != want:
                errors.append(f"Devon rule gives {row['lad_name']} -> {want}")

    # Nearest hub base.
    def nearest(code: str, pool: list[str]) -> str:
        return min(pool, key=lambda other: km(cents[code], cents[other]))

    walsall = by_name["Walsall"]
    declared = [c for c, a in assignment.items() if a.provenance == "declared"]
    near = nearest(walsall, declared)
    if assignment[near].hub_id != assignment[walsall].hub_id:
        errors.append(
            f"nearest declared district to Walsall is {row_of[near]['lad_name']} ({assignment[near].hub_id})"
        )
    near_lead = min(hub_points, key=lambda h: km(cents[walsall], hub_points[h]))
    if near_lead != assignment[walsall].hub_id:
        errors.append(f"nearest lead school to Walsall is {near_lead}'s")
    scilly = by_name["Isles of Scilly"]
    near = nearest(scilly, [c for c in assignment if c != scilly])
    if assignment[near].hub_id != assignment[scilly].hub_id:
        errors.append(f"nearest district to the Isles of Scilly is {row_of[near]['lad_name']}")

    if errors:
        raise DerivationError("estimation rules disagree with the table:\n  " + "\n  ".join(errors))


def split_positions(cell: str) -> list[str]:
    """`;`-separated items, empties kept: lead schools and URNs are paired by position."""
    return [item.strip() for item in cell.split(";")] if cell.strip() else []


def refresh_hubs(hubs: list[dict[str, str]], schools: list[dict[str, str]]) -> list[dict[str, str]]:
    """Fill postcode/lat/lon/location_source from the register for the first lead school with a URN."""
    by_urn = {row["urn"].strip(): row for row in schools}
    errors = []
    out = []
    for hub in hubs:
        hub = dict(hub)
        urns = [u for u in split_positions(hub["lead_school_urns"]) if u]
        for urn in urns:
            if urn not in by_urn:
                errors.append(f"{hub['hub_id']}: URN {urn} is not in the GIAS register file")
        if urns and urns[0] in by_urn:
            school = by_urn[urns[0]]
            hub["lead_school_postcode"] = school["postcode"]
            hub["latitude"] = f"{float(school['latitude']):.5f}"
            hub["longitude"] = f"{float(school['longitude']):.5f}"
            hub["location_source"] = f"DfE GIAS URN {urns[0]}"
        elif not urns:
            for column in ("lead_school_postcode", "latitude", "longitude", "location_source"):
                hub[column] = ""
        out.append(hub)
    if errors:
        raise DerivationError("lead-school URNs not found:\n  " + "\n  ".join(errors))
    return out


def hub_confidence(hub: dict[str, str]) -> str:
    """The hubs.csv confidence rule (data/reference/README.md): `dated`, `inferred` and `not_found`
    rows are low; a confirmed row is high when a current NCETM hub page is among its sources and
    its list is not marked as possibly partial ('includes'), else medium."""
    if hub["status"] != "confirmed":
        return "low"
    ncetm = any(u.startswith(NCETM_PREFIXES) for u in hub["source_urls"].split(";"))
    return "high" if ncetm and "'includes'" not in hub["notes"] else "medium"


def check_hubs(hubs: list[dict[str, str]], header: list[str], regions: set[str]) -> None:
    errors = []
    if header != HUB_COLUMNS:
        errors.append(f"hubs.csv header differs from {HUB_COLUMNS}")
    ids = [h["hub_id"] for h in hubs]
    if len(ids) != 40 or len(set(ids)) != 40:
        errors.append(f"hubs.csv must hold 40 unique hub_ids (has {len(ids)}, {len(set(ids))} unique)")
    for h in hubs:
        if h["region"] not in regions:
            errors.append(f"{h['hub_id']}: unknown region {h['region']!r}")
        if h["status"] not in ("confirmed", "dated", "inferred", "not_found"):
            errors.append(f"{h['hub_id']}: bad status {h['status']!r}")
        if h["confidence"] not in ("high", "medium", "low"):
            errors.append(f"{h['hub_id']}: bad confidence {h['confidence']!r}")
        if not h["source_urls"]:
            errors.append(f"{h['hub_id']}: no source_urls")
        if h["confidence"] != hub_confidence(h):
            errors.append(
                f"{h['hub_id']}: confidence {h['confidence']!r}, the rule gives {hub_confidence(h)!r}"
            )
        schools, urns = split_positions(h["lead_schools"]), split_positions(h["lead_school_urns"])
        if urns and len(urns) != len(schools):
            errors.append(f"{h['hub_id']}: {len(schools)} lead schools but {len(urns)} URN positions")
        for column, source in (("lead_schools", "lead_school_source"), ("website", "website_source")):
            if bool(h[column]) != bool(h[source]):
                errors.append(f"{h['hub_id']}: {column} and {source} must both be filled or both empty")
            elif h[source] and h[source] not in h["source_urls"].split(";"):
                errors.append(f"{h['hub_id']}: {source} is not among its source_urls")
    if errors:
        raise DerivationError("hubs.csv is invalid:\n  " + "\n  ".join(errors))


def check_regions(hubs: list[dict[str, str]], rows: list[dict[str, str]], areas: dict[str, float]) -> None:
    """Each hub's `region` must be the region holding most of its (assigned) area."""
    by_hub: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        by_hub[row["hub_id"]][row["region_name"]] += areas[row["lad_code"]]
    errors = []
    for hub in hubs:
        top = by_hub[hub["hub_id"]].most_common(1)[0][0]
        if hub["region"] != top:
            errors.append(f"{hub['hub_id']}: region {hub['region']!r}, but most of its area is in {top!r}")
    if errors:
        raise DerivationError("hub regions disagree with the district assignment:\n  " + "\n  ".join(errors))


def to_csv(columns: list[str], rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def derive(reference_dir: Path, out_dir: Path) -> dict[str, str]:
    """Return {file name: new CSV text} for hub_areas.csv and hubs.csv (nothing is written here)."""
    lads = read_csv(reference_dir / "geo" / "lad_to_region.csv")
    geometry = read_geometry(reference_dir / "geo" / "england_lad.geojson")
    postcodes = read_csv(reference_dir / "geo" / "postcode_districts.csv")
    schools = read_schools(reference_dir)

    hubs_path = out_dir / "hubs.csv"
    if not hubs_path.is_file():
        raise DerivationError(f"missing {hubs_path} (written by hand from the research)")
    with hubs_path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header = list(reader.fieldnames or [])
        hubs = list(reader)

    if len(lads) != 296 or len({r["lad_code"] for r in lads}) != 296:
        raise DerivationError(f"expected 296 unique districts in lad_to_region.csv, found {len(lads)}")
    missing_geo = sorted({r["lad_code"] for r in lads} - set(geometry))
    if missing_geo:
        raise DerivationError(f"districts without a polygon: {missing_geo}")
    regions = {r["region_name"] for r in lads}
    check_hubs(hubs, header, regions)
    hubs = refresh_hubs(hubs, schools)

    assignments = read_assignments(out_dir / "hub_area_assignments.csv")
    assignment = expand_assignments(lads, {h["hub_id"] for h in hubs}, assignments)
    cents = {code: centroid(geometry[code]) for code in geometry}
    areas = {code: area_km2(geometry[code]) for code in geometry}
    hub_points = {
        h["hub_id"]: (float(h["latitude"]), float(h["longitude"]))
        for h in hubs
        if h["latitude"] and h["longitude"]
    }
    check_rules(lads, assignment, cents, geometry, hub_points)
    outward = main_postcode_districts(postcodes, live_outward_codes(schools))

    rows = []
    for lad in sorted(lads, key=lambda r: r["lad_code"]):
        a = assignment[lad["lad_code"]]
        lat, lon = cents[lad["lad_code"]]
        rows.append(
            {
                "lad_code": lad["lad_code"],
                "lad_name": lad["lad_name"],
                "ctyua_code": lad["ctyua_code"],
                "ctyua_name": lad["ctyua_name"],
                "region_code": lad["region_code"],
                "region_name": lad["region_name"],
                "hub_id": a.hub_id,
                "provenance": a.provenance,
                "rule": a.rule,
                "source_url": a.source_url,
                "confidence": confidence_for(a),
                "centroid_lat": f"{lat:.5f}",
                "centroid_lon": f"{lon:.5f}",
                "postcode_district": outward.get(lad["lad_code"], ""),
            }
        )
    check_regions(hubs, rows, areas)
    return {"hub_areas.csv": to_csv(AREA_COLUMNS, rows), "hubs.csv": to_csv(HUB_COLUMNS, hubs)}


def summary(text: str) -> str:
    rows = list(csv.DictReader(io.StringIO(text)))
    prov = Counter(r["provenance"] for r in rows)
    conf = Counter(r["confidence"] for r in rows)
    hubs = len({r["hub_id"] for r in rows})
    return (
        f"{len(rows)} districts, {hubs} hubs; provenance {dict(sorted(prov.items()))}; "
        f"confidence {dict(sorted(conf.items()))}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--reference-dir",
        type=Path,
        default=os.environ.get("ATLAS_REFERENCE_DIR") or REPO_ROOT / "data" / "opendata",
        help="folder laid out like the shared open data (geo/, schools/); default $ATLAS_REFERENCE_DIR, "
        "else the shipped copy data/opendata",
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=DEFAULT_OUT_DIR,
        help=f"folder holding hubs.csv and receiving hub_areas.csv (default {DEFAULT_OUT_DIR})",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if the files on disk differ from a fresh derivation",
    )
    args = parser.parse_args(argv)
    if not args.reference_dir:
        parser.error("give --reference-dir or set ATLAS_REFERENCE_DIR")
    reference_dir = Path(args.reference_dir).resolve()
    out_dir = Path(args.out_dir).resolve()
    try:
        outputs = derive(reference_dir, out_dir)
    except DerivationError as exc:
        print(f"derive_reference: ERROR: {exc}", file=sys.stderr)
        return 1

    stale = []
    for name, text in outputs.items():
        path = out_dir / name
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current != text:
            stale.append(name)
            if not args.check:
                path.write_text(text, encoding="utf-8", newline="")
    print(summary(outputs["hub_areas.csv"]))
    if args.check:
        if stale:
            print(f"derive_reference: stale: {', '.join(stale)}", file=sys.stderr)
            return 1
        print("up to date")
    else:
        print(f"wrote {', '.join(stale) or 'nothing (already up to date)'} in {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
