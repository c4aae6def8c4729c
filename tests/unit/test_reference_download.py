"""`atlas reference --download` against a local server on 127.0.0.1 that serves the publishers' own
formats, built here from ../shared/data: a GIAS all-establishments extract (full column layout,
Windows-1252), a zipped NSPL, and an ArcGIS feature service answering GeoJSON pages with a paging flag.
A happy path, then each failure leaving the previous open data in use."""

from __future__ import annotations

import csv
import hashlib
import http.server
import io
import json
import threading
import urllib.parse
import zipfile
from datetime import timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from pipelines import download, reference
from pipelines.cli import app
from pipelines.config import OPEN_DATA_DIR, paths
from pipelines.warehouse.store import current_snapshot
from tests.conftest import TODAY, shared_open_data

# Fixtures come from ../shared/data, else from the shipped copy (the same schools and boundaries).
SOURCE = shared_open_data() or OPEN_DATA_DIR

# The column layout of the DfE's edubasealldata extract (every column, in order).
GIAS_HEADER = (
    "URN,LA (code),LA (name),EstablishmentNumber,EstablishmentName,TypeOfEstablishment (code),"
    "TypeOfEstablishment (name),EstablishmentTypeGroup (code),EstablishmentTypeGroup (name),"
    "EstablishmentStatus (code),EstablishmentStatus (name),ReasonEstablishmentOpened (code),"
    "ReasonEstablishmentOpened (name),OpenDate,ReasonEstablishmentClosed (code),"
    "ReasonEstablishmentClosed (name),"
    "CloseDate,PhaseOfEducation (code),PhaseOfEducation (name),StatutoryLowAge,StatutoryHighAge,"
    "Boarders (code),"
    "Boarders (name),NurseryProvision (name),OfficialSixthForm (code),OfficialSixthForm (name),Gender (code),"
    "Gender (name),ReligiousCharacter (code),ReligiousCharacter (name),ReligiousEthos (name),Diocese (code),"
    "Diocese (name),AdmissionsPolicy (code),AdmissionsPolicy (name),SchoolCapacity,SpecialClasses (code),"
    "SpecialClasses (name),CensusDate,NumberOfPupils,NumberOfBoys,NumberOfGirls,PercentageFSM,"
    "TrustSchoolFlag (code),TrustSchoolFlag (name),Trusts (code),Trusts (name),SchoolSponsorFlag (name),"
    "SchoolSponsors (name),FederationFlag (name),Federations (code),Federations (name),UKPRN,FEHEIdentifier,"
    "FurtherEducationType (name),OfstedLastInsp,LastChangedDate,Street,Locality,Address3,Town,County (name),"
    "Postcode,SchoolWebsite,TelephoneNum,HeadTitle (name),HeadFirstName,HeadLastName,HeadPreferredJobTitle,"
    "GOR (code),GOR (name),DistrictAdministrative (code),DistrictAdministrative (name),"
    "AdministrativeWard (code),AdministrativeWard (name),ParliamentaryConstituency (code),"
    "ParliamentaryConstituency (name),UrbanRural (code),UrbanRural (name),GSSLACode (name),Easting,Northing,"
    "MSOA (name),LSOA (name),SENStat,SENNoStat,PropsName,OfstedRating (name),RSCRegion (name),Country (name),"
    "UPRN,SiteName,MSOA (code),LSOA (code),FSM,AccreditationExpiryDate"
).split(",")
NSPL_HEADER = (
    "pcd,pcd2,pcds,dointr,doterm,usertype,oseast1m,osnrth1m,osgrdind,oa21,cty,ced,laua,ward,nhser,ctry,rgn,"
    "pcon,ttwa,itl,park,lsoa21,msoa21,wz11,sicbl,bua24,ruc21,oac11,lat,long,lep1,lep2,pfa,imd,icb"
).split(",")
TYPES = {  # census type group -> (GIAS type, GIAS type group) for the fixture rows
    "State-funded special school": ("Community special school", "Special schools"),
    "State-funded AP school": ("Pupil referral unit", "Local authority maintained schools"),
}
PAGE = 100  # features per feature-service page
SERVICE = "/arcgis/rest/services/LAD_BUC/FeatureServer/0/query"


def _csv_bytes(header: list[str], rows: list[dict], encoding: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding, errors="replace")


@pytest.fixture(scope="module")
def publishers():
    """The three publishers' files, in their own formats, from a sample of the shared data."""
    shared = SOURCE
    schools = reference.read_schools(reference.schools_file(shared))
    sample = schools.gather_every(10).with_columns(pl.col(pl.String).fill_null(""))
    gias_rows = []
    for s in sample.iter_rows(named=True):
        kind, group = TYPES.get(
            s["school_type_group"], ("Community school", "Local authority maintained schools")
        )
        opened = "-".join(reversed(s["open_date"].split("-"))) if s["open_date"] else ""
        gias_rows.append(
            {
                "URN": s["urn"],
                "LA (code)": s["la_code"],
                "LA (name)": s["la_name"],
                "EstablishmentName": s["name"],
                "TypeOfEstablishment (name)": kind,
                "EstablishmentTypeGroup (name)": group,
                "EstablishmentStatus (name)": "Open",
                "OpenDate": opened,
                "PhaseOfEducation (name)": s["phase"],
                "Gender (name)": s["gender"],
                "NumberOfPupils": s["pupils"],
                "Town": s["town"],
                "Postcode": s["postcode"],
                "Country (name)": "United Kingdom",
            }
        )
    # Rows the filter must drop: independent schools of the 2017 register (only in ../shared/data),
    # a closed school and a non-maintained special school.
    register_2017 = shared / "schools" / "edubase_2017_sample.csv"
    independent = pl.DataFrame()
    if register_2017.is_file():
        independent = pl.read_csv(register_2017, infer_schema=False).filter(
            pl.col("Type of establishment") == "Other Independent School"
        )
    for o in independent.head(40).iter_rows(named=True):
        gias_rows.append(
            {
                "URN": o["URN"],
                "EstablishmentName": o["Establishment name"],
                "Postcode": o["Postcode"],
                "TypeOfEstablishment (name)": "Other independent school",
                "EstablishmentTypeGroup (name)": "Independent schools",
                "EstablishmentStatus (name)": "Open",
            }
        )
    closed = dict(gias_rows[0], URN="999001", **{"EstablishmentStatus (name)": "Closed"})
    nmss = dict(gias_rows[1], URN="999002", **{"TypeOfEstablishment (name)": "Non-maintained special school"})
    gias_rows += [closed, nmss]
    gias = _csv_bytes(GIAS_HEADER, gias_rows, "cp1252")

    located = sample.filter(pl.col("postcode") != "").unique("postcode", keep="first")
    nspl_rows = [
        {
            "pcd": r["postcode"],
            "pcds": r["postcode"],
            "ctry": "E92000001",
            "laua": r["lad_code"],
            "lat": r["latitude"],
            "long": r["longitude"],
        }
        for r in located.iter_rows(named=True)
    ]
    nspl_rows += [
        {"pcds": "EH1 1YZ", "ctry": "S92000003", "laua": "S12000036", "lat": "55.95", "long": "-3.19"},
        {"pcds": "BT1 1AA", "ctry": "N92000002", "laua": "N09000003", "lat": "54.6", "long": "-5.93"},
        {"pcds": "ZZ9 9ZZ", "ctry": "E92000001", "laua": "", "lat": "99.999999", "long": "0.000000"},
    ]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("Data/NSPL21_MAY_2025_UK.csv", _csv_bytes(NSPL_HEADER, nspl_rows, "utf-8"))
        z.writestr("User Guide/NSPL User Guide May 2025.pdf", b"%PDF-1.4 user guide")
    nspl = archive.getvalue()

    lad = json.loads((shared / "geo" / "england_lad.geojson").read_text(encoding="utf-8"))
    features = []
    for i, f in enumerate(lad["features"]):
        geometry = f["geometry"]
        # The service answers in RFC 7946 order (exteriors anticlockwise), the reverse of the shipped file.
        coords = [[ring[::-1] for ring in polygon] for polygon in geometry["coordinates"]]
        geometry = (
            {"type": "Polygon", "coordinates": coords[0]}
            if len(coords) == 1
            else {**geometry, "coordinates": coords}
        )
        props = {"FID": i + 1, "LAD24CD": f["properties"]["code"], "LAD24NM": f["properties"]["name"]}
        features.append({"type": "Feature", "id": i + 1, "geometry": geometry, "properties": props})
    wales = {
        "type": "Feature",
        "geometry": features[0]["geometry"],
        "properties": {"LAD24CD": "W06000001", "LAD24NM": "Isle of Anglesey"},
    }
    features.append(wales)
    return {"gias": gias, "nspl": nspl, "features": features, "sample": sample, "expected_lad": lad}


class Server:
    """The publishers on 127.0.0.1; `broken` makes one of them fail in a chosen way."""

    def __init__(self, files):
        self.files, self.broken, self.requests = files, {}, []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                server.requests.append(url.path)
                body, kind = server.answer(url)
                if body is None:
                    self.send_error(404, "Not Found")
                    return
                fault = server.broken.get(kind)
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2] if fault == "truncate" else body)

        self.http = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def answer(self, url) -> tuple[bytes | None, str]:
        if url.path.startswith("/edubase/downloads/public/edubasealldata"):
            if self.broken.get("gias") == "missing":
                return None, "gias"
            if self.broken.get("gias") == "not_out_yet" and url.path.endswith(f"{TODAY:%Y%m%d}.csv"):
                return None, "gias"
            body = self.files["gias"]
            if self.broken.get("gias") == "columns":
                body = body.replace(b"PhaseOfEducation (name)", b"Phase", 1)
            return body, "gias"
        if url.path == "/sharing/rest/content/items/nspl/data":
            if self.broken.get("nspl") == "missing":
                return None, "nspl"
            return (
                b"PK\x03\x04 not a zip" if self.broken.get("nspl") == "garbage" else self.files["nspl"]
            ), "nspl"
        if url.path == SERVICE:
            offset = int(urllib.parse.parse_qs(url.query).get("resultOffset", ["0"])[0])
            features = self.files["features"][offset : offset + PAGE]
            if self.broken.get("lad") == "short" and offset >= PAGE:
                features = features[:-1]
                more = False
            else:
                more = offset + PAGE < len(self.files["features"])
            page = {"type": "FeatureCollection", "features": features}
            if more:
                page["properties"] = {"exceededTransferLimit": True}
            return json.dumps(page).encode(), "lad"
        return None, "other"


@pytest.fixture
def server(publishers):
    s = Server(publishers)
    yield s
    s.http.shutdown()
    s.http.server_close()


@pytest.fixture
def sources(server, monkeypatch):
    monkeypatch.setenv("ATLAS_GIAS_URL", server.url + "/edubase/downloads/public/edubasealldata{date}.csv")
    monkeypatch.setenv("ATLAS_NSPL_URL", server.url + "/sharing/rest/content/items/nspl/data")
    monkeypatch.setenv("ATLAS_LAD_URL", server.url + SERVICE)
    return download.Sources.from_settings(today=TODAY)


def _without_repeats(geometry: dict) -> dict:
    """The shipped geometry with consecutive repeated points dropped (three rings have one)."""
    rings = [
        [[point for i, point in enumerate(ring) if i == 0 or point != ring[i - 1]] for ring in polygon]
        for polygon in geometry["coordinates"]
    ]
    return {**geometry, "coordinates": rings}


def _digest(folder: Path) -> dict[str, str]:
    return {
        f.relative_to(folder).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest()
        for f in sorted(folder.rglob("*"))
        if f.is_file()
    }


def test_download_reduces_the_publishers_files_to_the_shipped_form(publishers, server, sources, tmp_path):
    p = paths(tmp_path)
    seen = []
    done = download.refresh(p, sources, progress=lambda label, n, total: seen.append((label, n, total)))
    assert reference.manifest_problems(p.open_data) == []
    assert reference.default_open_dir(p) == p.open_data
    described = reference.describe(p.open_data)
    assert described["open_data_from"].startswith("the publishers' files, downloaded ")
    assert described["open_data_schools"] == f"GIAS extract edubasealldata{TODAY:%Y%m%d}.csv"
    assert f"/edubase/downloads/public/edubasealldata{TODAY:%Y%m%d}.csv" in server.requests
    assert server.requests.count(SERVICE) == 3  # 297 features in pages of 100, followed by the flag

    # Schools: only the open state-funded ones, each at its own postcode's coordinates.
    sample = publishers["sample"]
    schools = reference.read_schools(p.open_data / reference.SCHOOLS_PARQUET)
    assert done.schools == schools.height == sample.filter(pl.col("postcode") != "").height
    assert set(schools["urn"]) == set(sample.filter(pl.col("postcode") != "")["urn"])
    got = schools.select("urn", "latitude", "longitude", "lad_code", "la_gss_code", "pupils", "name")
    want = sample.select("urn", "latitude", "longitude", "lad_code", "la_gss_code", "pupils", "name")
    both = got.join(want, on="urn", suffix="_shared")
    for column in ("latitude", "longitude"):
        assert (both[column].cast(pl.Float64) == both[f"{column}_shared"].cast(pl.Float64)).all()
    assert (both["lad_code"] == both["lad_code_shared"]).all()
    assert (both["la_gss_code"] == both["la_gss_code_shared"]).all()
    # Windows-1252 decoded: a name with a degree sign survives when it is in the sample.
    degree = both.filter(pl.col("name_shared").str.contains("°"))
    assert (degree["name"] == degree["name_shared"]).all()

    # Boundaries: every English district, England only, wound as the shipped file (d3 order).
    lad = json.loads((p.open_data / "geo" / "england_lad.geojson").read_text(encoding="utf-8"))
    expected = publishers["expected_lad"]["features"]
    assert len(lad["features"]) == done.districts == 296
    assert [f["geometry"] for f in lad["features"]] == [_without_repeats(f["geometry"]) for f in expected]
    assert [f["properties"] for f in lad["features"]] == [f["properties"] for f in expected]

    # Postcode districts: the mean of their postcodes; no Northern Ireland, no postcode without coordinates.
    districts = pl.read_csv(p.open_data / "geo" / "postcode_districts.csv", infer_schema=False)
    assert set(districts["country"]) == {"England", "Scotland"}
    assert not districts.filter(pl.col("district").is_in(["BT1", "ZZ9"])).height
    assert districts.columns == pl.read_csv(SOURCE / "geo" / "postcode_districts.csv").columns

    # Progress: bytes and totals for every file.
    labels = {label for label, _, _ in seen}
    assert any(label.startswith("DfE GIAS") for label in labels) and any("NSPL" in label for label in labels)
    assert all(total and n <= total for _, n, total in seen)


def test_before_todays_extract_is_out_the_previous_days_is_used(server, sources, tmp_path):
    server.broken["gias"] = "not_out_yet"
    p = paths(tmp_path)
    download.refresh(p, sources)
    yesterday = f"edubasealldata{TODAY - timedelta(days=1):%Y%m%d}.csv"
    assert any(r.endswith(yesterday) for r in server.requests)
    manifest = json.loads((p.open_data / reference.MANIFEST).read_text(encoding="utf-8"))["files"]
    schools = next(e for e in manifest if e["path"] == reference.SCHOOLS_PARQUET)
    assert schools["vintage"] == f"GIAS extract {yesterday}"


def test_cli_download_from_a_mirror_then_rebuilds(publishers, tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "edubasealldata.csv").write_bytes(publishers["gias"])
    (mirror / "nspl.zip").write_bytes(publishers["nspl"])
    page = {"type": "FeatureCollection", "features": publishers["features"]}
    (mirror / "lad_boundaries.geojson").write_text(json.dumps(page), encoding="utf-8")
    server = Server({})
    server.answer = lambda url: ((mirror / url.path.lstrip("/")).read_bytes(), "file")
    monkeypatch.setenv("ATLAS_TODAY", TODAY.isoformat())
    try:
        args = ["reference", "--download", "--base-url", server.url, "--sample-scale", "0.02"]
        result = CliRunner().invoke(app, [*args, "--data-dir", str(tmp_path / "data")])
    finally:
        server.http.shutdown()
        server.http.server_close()
    assert result.exit_code == 0, result.output
    assert "296 districts" in result.output
    with duckdb.connect(str(current_snapshot(paths(tmp_path / "data"))), read_only=True) as con:
        n = con.execute("SELECT count(*) FROM schools WHERE source = 'dfe_gias'").fetchall()[0][0]
    assert n == publishers["sample"].filter(pl.col("postcode") != "").height


@pytest.mark.parametrize(
    ("publisher", "fault", "message"),
    [
        ("gias", "truncate", r"DfE GIAS all-establishments extract \(http.*\): truncated: got \d"),
        ("gias", "missing", r"DfE GIAS all-establishments extract \(http.*\): the server answered HTTP 404"),
        ("gias", "columns", r"DfE GIAS all-establishments extract: wrong columns: missing PhaseOfEducation"),
        ("nspl", "truncate", r"ONS postcode lookup \(NSPL\) zip \(http.*\): truncated"),
        ("nspl", "garbage", r"ONS postcode lookup \(NSPL\) zip: not a readable zip"),
        ("lad", "truncate", r"ONS district boundaries \(feature service\), page 1 \(http.*\): truncated"),
        (
            "lad",
            "short",
            r"ONS district boundaries \(feature service\): \d+ districts of the lookup are missing",
        ),
    ],
)
def test_a_failed_download_changes_nothing(server, sources, tmp_path, publisher, fault, message):
    p = paths(tmp_path)
    download.refresh(p, sources)  # a first, good refresh: the data in use
    before = _digest(p.open_data)
    server.broken[publisher] = fault
    with pytest.raises(download.DownloadError, match=message):
        download.refresh(p, sources)
    assert _digest(p.open_data) == before
    assert sorted(x.name for x in tmp_path.iterdir()) == ["open"]  # no half-written folder left


def test_cli_failure_says_which_file_and_keeps_the_shipped_data(server, sources, tmp_path):
    server.broken["nspl"] = "missing"
    result = CliRunner().invoke(app, ["reference", "--download", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "ONS postcode lookup (NSPL) zip" in result.output and "HTTP 404" in result.output
    assert "Nothing changed" in result.output
    assert not (tmp_path / "open").exists()
    assert reference.default_open_dir(paths(tmp_path)).name == "opendata"
