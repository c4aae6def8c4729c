"""`atlas reference --download`: fetch the publishers' own files and reduce them to the shipped form.

Three publishers' files, each in its own format:

- DfE Get Information about Schools, the daily all-establishments extract
  (`edubasealldataYYYYMMDD.csv`, Windows-1252, the full GIAS column layout): filtered to open
  state-funded schools of England and located by the postcode centroid from the NSPL;
- ONS Open Geography Portal, district boundaries (ultra generalised) as GeoJSON pages from the
  feature service's query API, followed while the service says `exceededTransferLimit`;
- ONS National Statistics Postcode Lookup (or the ONS Postcode Directory), a zip of CSV: postcode
  coordinates for the schools and the postcode-district centroids.

Everything is written to a new folder beside the cache (`<data dir>/open`), checked against its own
manifest, and only then swapped in: a download that fails, is truncated, or has the wrong columns
changes nothing, and the error names the file and the reason. The district lookup and the upper-tier
and region layers are kept from the copy in use (the shipped one by default).
"""

from __future__ import annotations

import http.client
import io
import json
import os
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl

from pipelines import reference
from pipelines.config import Paths

# Today's publisher addresses (settings: each can be overridden by its environment variable).
GIAS_URL = "https://ea-edubase-api-prod.azurewebsites.net/edubase/downloads/public/edubasealldata{date}.csv"
LAD_URL = (
    "https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services/"
    "Local_Authority_Districts_May_2024_Boundaries_UK_BUC/FeatureServer/0/query"
)
# National Statistics Postcode Lookup - 2021 Census (May 2025), the zip on the ONS portal.
NSPL_URL = "https://www.arcgis.com/sharing/rest/content/items/077631e063eb4e1ab43575d01381ec33/data"
MIRROR_NAMES = {"gias": "edubasealldata.csv", "lad": "lad_boundaries.geojson", "nspl": "nspl.zip"}

GIAS_COLUMNS = {
    "URN": "urn",
    "EstablishmentName": "name",
    "TypeOfEstablishment (name)": "type",
    "EstablishmentTypeGroup (name)": "type_group",
    "EstablishmentStatus (name)": "status",
    "PhaseOfEducation (name)": "phase",
    "Gender (name)": "gender",
    "OpenDate": "open_date",
    "LA (code)": "la_code",
    "LA (name)": "la_name",
    "Town": "town",
    "Postcode": "postcode",
    "NumberOfPupils": "pupils",
}
OPEN = ("Open", "Open, but proposed to close")
STATE_FUNDED_GROUPS = ("Local authority maintained schools", "Academies", "Free Schools", "Special schools")
AP_TYPES = (
    "Pupil referral unit",
    "Academy alternative provision converter",
    "Academy alternative provision sponsor led",
    "Free schools alternative provision",
)
COUNTRIES = {"E92000001": "England", "W92000004": "Wales", "S92000003": "Scotland"}
# ONS recoded two districts in 2025; the shipped boundaries and lookup use the 2024 codes.
RECODED = {"E08000038": "E08000016", "E08000039": "E08000019"}
SCHOOL_COLUMNS = [
    "urn",
    "name",
    "phase",
    "school_type_group",
    "gender",
    "open_date",
    "la_code",
    "la_name",
    "la_gss_code",
    "lad_code",
    "lad_name",
    "region_code",
    "region_name",
    "town",
    "postcode",
    "latitude",
    "longitude",
    "pupils",
    "enrichment",
]
CHUNK = 1 << 20
MAX_PAGES = 100


@dataclass(frozen=True)
class Sources:
    gias: str
    lad: str
    nspl: str
    gias_earlier: tuple[str, ...] = ()  # the extracts of the days before, tried if today's is not out yet

    @classmethod
    def from_settings(cls, base_url: str | None = None, today: date | None = None) -> Sources:
        """Publisher URLs from $ATLAS_GIAS_URL / $ATLAS_LAD_URL / $ATLAS_NSPL_URL or today's defaults;
        with a base URL, a mirror holding the publishers' files under fixed names."""
        if base_url:
            base = base_url.rstrip("/") + "/"
            return cls(*(base + MIRROR_NAMES[k] for k in ("gias", "lad", "nspl")))
        day = today or date.today()
        gias = os.environ.get("ATLAS_GIAS_URL") or GIAS_URL
        dated = [gias.replace("{date}", (day - timedelta(days=n)).strftime("%Y%m%d")) for n in range(3)]
        return cls(
            dated[0],
            os.environ.get("ATLAS_LAD_URL") or LAD_URL,
            os.environ.get("ATLAS_NSPL_URL") or NSPL_URL,
            tuple(dated[1:]) if "{date}" in gias else (),
        )


class DownloadError(reference.ReferenceError):
    """One file could not be fetched or read; the message names it and says why."""


Progress = Callable[[str, int, int | None], None]  # (label, bytes so far, total or None)


def fetch(url: str, target: Path, label: str, progress: Progress | None = None) -> Path:
    """Stream `url` to `target`; a short read (fewer bytes than Content-Length) is an error."""
    request = urllib.request.Request(url, headers={"User-Agent": "maths-hubs-atlas (atlas reference)"})
    received = 0
    try:
        with urllib.request.urlopen(request, timeout=120) as response, open(target, "wb") as out:  # noqa: S310
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            while chunk := response.read(CHUNK):
                out.write(chunk)
                received += len(chunk)
                if progress:
                    progress(label, received, total)
    except http.client.IncompleteRead as exc:
        raise DownloadError(
            f"{label} ({url}): truncated: got {received + len(exc.partial):,} bytes, "
            f"expected {received + len(exc.partial) + (exc.expected or 0):,}"
        ) from None
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"{label} ({url}): the server answered HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadError(f"{label} ({url}): could not download: {reason}") from None
    if total is not None and received != total:
        raise DownloadError(f"{label} ({url}): truncated: got {received:,} bytes, expected {total:,}")
    if received == 0:
        raise DownloadError(f"{label} ({url}): the file is empty")
    return target


def _require(label: str, columns: list[str], needed: list[str]) -> None:
    missing = [c for c in needed if c not in columns]
    if missing:
        raise DownloadError(f"{label}: wrong columns: missing {', '.join(missing)}")


# --- ONS postcode lookup ------------------------------------------------------------------------


def read_postcodes(zip_path: Path, work: Path, label: str) -> pl.DataFrame:
    """Every postcode with coordinates from an NSPL/ONSPD zip: postcode, outward code, lat, lon,
    country and district code."""
    try:
        with zipfile.ZipFile(zip_path) as z:
            csvs = [n for n in z.namelist() if n.lower().endswith(".csv") and "/data/" in f"/{n.lower()}"]
            single = [n for n in csvs if "multi_csv" not in n.lower()]
            members = single[:1] or sorted(n for n in csvs if "multi_csv" in n.lower())
            if not members:
                raise DownloadError(f"{label}: the zip holds no Data/*.csv (is it the NSPL or ONSPD?)")
            paths = [Path(z.extract(m, work)) for m in members]
    except (zipfile.BadZipFile, EOFError) as exc:
        raise DownloadError(f"{label}: not a readable zip ({exc}); the download may be truncated") from None
    header = paths[0].open(encoding="utf-8-sig", errors="replace").readline().strip().split(",")
    header = [h.strip('"') for h in header]
    district = "laua" if "laua" in header else "oslaua"
    _require(label, header, ["pcds", "lat", "long", "ctry", district])
    frame = (
        pl.scan_csv(paths, infer_schema=False)
        .select(
            pl.col("pcds").str.strip_chars().str.to_uppercase().alias("postcode"),
            pl.col("lat").cast(pl.Float64, strict=False).alias("latitude"),
            pl.col("long").cast(pl.Float64, strict=False).alias("longitude"),
            pl.col("ctry").alias("country_code"),
            pl.col(district).replace(RECODED).alias("lad_code"),
        )
        # 99.999999 is the lookup's "no grid reference"; Northern Ireland is not released under the OGL.
        .filter(pl.col("latitude").is_between(49, 61) & ~pl.col("postcode").str.starts_with("BT"))
        .with_columns(pl.col("postcode").str.split(" ").list.first().alias("district"))
        .collect()
    )
    if frame.is_empty():
        raise DownloadError(f"{label}: no postcode with coordinates")
    return frame


def postcode_districts(postcodes: pl.DataFrame, lookup: pl.DataFrame) -> pl.DataFrame:
    """Outward codes with the plain mean of their postcodes' coordinates; English ones take the
    district holding most of their postcodes, and its upper tier and region."""
    counts = postcodes.group_by("district", "lad_code").len()
    main = counts.sort(["len", "lad_code"], descending=[True, False]).unique("district", keep="first")
    frame = (
        postcodes.group_by("district")
        .agg(
            pl.col("latitude").mean().round(5),
            pl.col("longitude").mean().round(5),
            pl.len().alias("n_postcodes"),
            pl.col("country_code").mode().first(),
        )
        .with_columns(
            pl.col("district").str.extract(r"^([A-Z]+)").alias("area"),
            pl.col("country_code").replace_strict(COUNTRIES, default=None).alias("country"),
        )
        .filter(pl.col("country").is_not_null())
        .join(main.select("district", "lad_code"), on="district", how="left")
    )
    english = pl.col("country") == "England"
    frame = frame.with_columns(pl.when(english).then(pl.col("lad_code")).alias("lad_code")).join(
        lookup.select("lad_code", "lad_name", "ctyua_code", "ctyua_name", "region_code", "region_name"),
        on="lad_code",
        how="left",
    )
    return frame.select(
        "district",
        "area",
        "latitude",
        "longitude",
        "n_postcodes",
        "country",
        "lad_code",
        "lad_name",
        "ctyua_code",
        "ctyua_name",
        "region_code",
        "region_name",
    ).sort("district")


# --- DfE GIAS -------------------------------------------------------------------------------------


def read_gias(path: Path, label: str) -> pl.DataFrame:
    """The extract's columns we keep, decoded from Windows-1252 (the register's encoding)."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    header = next(iter(io.StringIO(text))).strip().split(",")
    _require(label, [h.strip('"') for h in header], list(GIAS_COLUMNS))
    try:
        frame = pl.read_csv(io.StringIO(text), infer_schema=False, columns=list(GIAS_COLUMNS))
    except pl.exceptions.PolarsError as exc:
        raise DownloadError(f"{label}: not a readable CSV: {str(exc).splitlines()[0]}") from None
    return frame.rename(GIAS_COLUMNS).with_columns(pl.col(pl.String).str.strip_chars().replace("", None))


def open_state_schools(gias: pl.DataFrame, postcodes: pl.DataFrame, lookup: pl.DataFrame) -> pl.DataFrame:
    """Open state-funded schools of England, each located by its postcode's centroid."""
    kept = gias.filter(
        pl.col("status").is_in(OPEN)
        & pl.col("type_group").is_in(STATE_FUNDED_GROUPS)
        & (pl.col("type") != "Non-maintained special school")
    )
    phase = pl.col("phase")
    group = (
        pl.when(phase == "Nursery")
        .then(pl.lit("State-funded nursery"))
        .when(pl.col("type").is_in(AP_TYPES))
        .then(pl.lit("State-funded AP school"))
        .when(pl.col("type").str.to_lowercase().str.contains("special"))
        .then(pl.lit("State-funded special school"))
        .when(phase.is_in(["Primary", "Middle deemed primary"]))
        .then(pl.lit("State-funded primary"))
        .when(phase.is_in(["Secondary", "Middle deemed secondary", "All-through", "16 plus"]))
        .then(pl.lit("State-funded secondary"))
    )
    # The upper tier of each DfE LA number (the lookup's dfe_la_code), for la_gss_code and region.
    las = lookup.select(
        pl.col("dfe_la_code").alias("la_code"),
        pl.col("ctyua_code").alias("la_gss_code"),
        "region_code",
        "region_name",
    ).unique("la_code")
    located = postcodes.select("postcode", "latitude", "longitude", "lad_code")
    schools = (
        kept.with_columns(
            pl.col("urn").cast(pl.Int64, strict=False),
            pl.col("postcode").str.to_uppercase().str.replace_all(r"\s+", " "),
            pl.col("open_date").str.to_date("%d-%m-%Y", strict=False).cast(pl.String),
            pl.col("pupils").cast(pl.Int32, strict=False),
            group.alias("school_type_group"),
            pl.lit("gias").alias("enrichment"),
        )
        .join(las, on="la_code", how="left")
        .join(located, on="postcode", how="left")
        .join(lookup.select("lad_code", "lad_name"), on="lad_code", how="left")
    )
    return schools.select(SCHOOL_COLUMNS).sort("urn")


# --- ONS district boundaries ------------------------------------------------------------------


def fetch_boundaries(url: str, work: Path, label: str, progress: Progress | None) -> list[dict]:
    """Every feature of the query, page after page while the service reports more."""
    features: list[dict] = []
    for page in range(MAX_PAGES):
        query = {
            "where": "1=1",
            "outFields": "*",
            "outSR": "4326",
            "f": "geojson",
            "resultOffset": str(len(features)),
        }
        sep = "&" if urllib.parse.urlsplit(url).query else "?"
        page_url, page_label = url + sep + urllib.parse.urlencode(query), f"{label}, page {page + 1}"
        target = fetch(page_url, work / f"lad_{page}.geojson", page_label, progress)
        try:
            body = json.loads(target.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DownloadError(f"{label}: page {page + 1} is not JSON ({exc}); truncated?") from None
        if "error" in body:
            raise DownloadError(f"{label}: the service answered: {body['error']}")
        if not isinstance(body.get("features"), list):
            raise DownloadError(f"{label}: page {page + 1} is not a GeoJSON FeatureCollection")
        features += body["features"]
        more = body.get("exceededTransferLimit") or (body.get("properties") or {}).get(
            "exceededTransferLimit"
        )
        if not more:
            return features
        if not body["features"]:
            raise DownloadError(f"{label}: the service reports more features but sent none")
    raise DownloadError(f"{label}: more than {MAX_PAGES} pages")


def _ring_area(ring: list[list[float]]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True))


def _round_ring(ring: list, exterior: bool) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y, *_ in ring:
        point = [round(x, 5), round(y, 5)]
        if not out or out[-1] != point:
            out.append(point)
    if out[0] != out[-1]:
        out.append(out[0])
    # d3 / Vega convention (as the shipped file): exterior rings clockwise, holes anticlockwise.
    clockwise = _ring_area(out) < 0
    return out if clockwise == exterior else out[::-1]


def reduce_boundaries(features: list[dict], lookup: pl.DataFrame, label: str) -> dict:
    rows = {r["lad_code"]: r for r in lookup.iter_rows(named=True)}
    out = []
    for f in features:
        props = f.get("properties") or {}
        code_key = next((k for k in props if k.upper().startswith("LAD") and k.upper().endswith("CD")), None)
        if code_key is None:
            raise DownloadError(f"{label}: wrong columns: no LADyyCD property in {sorted(props)}")
        code = RECODED.get(props[code_key], props[code_key])
        if not str(code).startswith("E"):
            continue  # England only
        geometry = f.get("geometry") or {}
        polygons = (
            [geometry["coordinates"]] if geometry.get("type") == "Polygon" else geometry.get("coordinates")
        )
        if not polygons:
            raise DownloadError(f"{label}: district {code} has no polygon")
        row = rows.get(code)
        if row is None:
            raise DownloadError(f"{label}: district {code} is not in the district lookup (a new vintage?)")
        coordinates = [[_round_ring(r, i == 0) for i, r in enumerate(p)] for p in polygons]
        properties = {
            k: row[k] for k in ("ctyua_code", "ctyua_name", "dfe_la_code", "region_code", "region_name")
        }
        out.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": row["lad_name"], **properties},
                "geometry": {"type": "MultiPolygon", "coordinates": coordinates},
            }
        )
    missing = sorted(set(rows) - {f["properties"]["code"] for f in out})
    if missing:
        raise DownloadError(
            f"{label}: {len(missing)} districts of the lookup are missing, e.g. {missing[:3]}"
        )
    out.sort(key=lambda f: f["properties"]["code"])
    return {"type": "FeatureCollection", "features": out}


# --- The whole refresh --------------------------------------------------------------------------


@dataclass
class Refreshed:
    folder: Path
    schools: int
    not_located: int
    districts: int
    postcode_districts: int


def refresh(p: Paths, sources: Sources, progress: Progress | None = None) -> Refreshed:
    """Download, reduce, check, then swap the new files in as the cache; on any error nothing changes."""
    current = reference.default_open_dir(p)
    p.data_dir.mkdir(parents=True, exist_ok=True)
    new = Path(tempfile.mkdtemp(prefix="open.new-", dir=p.data_dir))
    work = Path(tempfile.mkdtemp(prefix="open.download-", dir=p.data_dir))
    try:
        lookup = pl.read_csv(current / "geo" / "lad_to_region.csv", infer_schema=False)
        gias_label = "DfE GIAS all-establishments extract"
        nspl_label = "ONS postcode lookup (NSPL) zip"
        lad_label = "ONS district boundaries (feature service)"
        gias_file, gias_url = _fetch_gias(sources, work / "edubasealldata.csv", gias_label, progress)
        nspl_file = fetch(sources.nspl, work / "nspl.zip", nspl_label, progress)
        features = fetch_boundaries(sources.lad, work, lad_label, progress)

        postcodes = read_postcodes(nspl_file, work, nspl_label)
        all_schools = open_state_schools(read_gias(gias_file, gias_label), postcodes, lookup)
        if all_schools.is_empty():
            raise DownloadError(f"{gias_label}: no open state-funded school in the extract")
        schools = all_schools.filter(pl.col("latitude").is_not_null())
        districts = postcode_districts(postcodes, lookup)
        boundaries = reduce_boundaries(features, lookup, lad_label)

        for rel in reference.SHIPPED:
            (new / rel).parent.mkdir(parents=True, exist_ok=True)
        reference.write_schools(schools, new / reference.SCHOOLS_PARQUET)
        districts.write_csv(new / "geo" / "postcode_districts.csv")
        text = json.dumps(boundaries, separators=(",", ":"), ensure_ascii=False)
        (new / "geo" / "england_lad.geojson").write_text(text, encoding="utf-8")
        kept = ("geo/england_ctyua.geojson", "geo/england_regions.geojson", "geo/lad_to_region.csv")
        for rel in kept:
            shutil.copyfile(current / rel, new / rel)
        retrieved = datetime.now(UTC).isoformat(timespec="seconds")
        old = _old_manifest(current)
        entries = [
            reference.manifest_entry(
                new, "geo/england_lad.geojson", source_url=sources.lad, retrieved=retrieved
            ),
            reference.manifest_entry(
                new,
                "geo/postcode_districts.csv",
                source_url=sources.nspl,
                retrieved=retrieved,
                vintage=f"edition downloaded {retrieved[:10]}",
            ),
            reference.manifest_entry(
                new,
                reference.SCHOOLS_PARQUET,
                source_url=f"{gias_url} ; {sources.nspl}",
                retrieved=retrieved,
                vintage=f"GIAS extract {gias_url.rsplit('/', 1)[-1]}",
                not_located=all_schools.height - schools.height,
                dataset="Open state-funded schools of England (DfE GIAS all-establishments extract), "
                "located by "
                "the ONS postcode lookup centroid of each postcode",
            ),
            *[old.get(rel) or reference.manifest_entry(new, rel) for rel in kept],
        ]
        reference.write_manifest(new, entries)
        problems = reference.manifest_problems(new) + reference.missing_files(new)
        if problems:
            raise DownloadError("the reduced files fail their checks: " + "; ".join(problems))
        _swap(new, p.open_data)
        return Refreshed(
            p.open_data,
            schools.height,
            all_schools.height - schools.height,
            len(boundaries["features"]),
            districts.height,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(new, ignore_errors=True)


def _fetch_gias(sources: Sources, target: Path, label: str, progress: Progress | None) -> tuple[Path, str]:
    """Today's extract, else (HTTP 404: not published yet) the one of the day before, and so on."""
    urls = [sources.gias, *sources.gias_earlier]
    for url in urls[:-1]:
        try:
            return fetch(url, target, label, progress), url
        except DownloadError as exc:
            if "HTTP 404" not in str(exc):
                raise
    return fetch(urls[-1], target, label, progress), urls[-1]


def _old_manifest(folder: Path) -> dict[str, dict]:
    path = folder / reference.MANIFEST
    if not path.is_file():
        return {}
    return {e["path"]: e for e in json.loads(path.read_text(encoding="utf-8"))["files"]}


def _swap(new: Path, target: Path) -> None:
    """Replace `target` by `new` with two renames (the old cache is removed only once the new is in)."""
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)
