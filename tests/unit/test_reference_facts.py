"""The committed reference facts: 40 hubs, every English district with exactly one hub, sources."""

from __future__ import annotations

import csv

import pytest

from pipelines.config import FACTS_DIR
from pipelines.vocab import vocab
from tests.conftest import shared_open_data


def rows(name: str) -> list[dict[str, str]]:
    with open(FACTS_DIR / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_forty_hubs_with_unique_ids_and_sources():
    hubs = rows("hubs.csv")
    assert len(hubs) == 40
    assert len({h["hub_id"] for h in hubs}) == 40
    assert all(h["source_urls"].startswith("http") for h in hubs)
    assert {h["confidence"] for h in hubs} <= {"high", "medium", "low"}
    origin = next(h for h in hubs if h["hub_id"] == "origin")
    assert origin["region"] == "West Midlands"  # the 2020 West Midlands hub (hub_areas.md)


def test_unknown_facts_stay_empty():
    east = next(h for h in rows("hubs.csv") if h["hub_id"] == "east-midlands-east")
    assert east["lead_schools"] == ""
    assert east["latitude"] == ""


def test_every_district_appears_exactly_once_with_a_known_hub():
    areas = rows("hub_areas.csv")
    hub_ids = {h["hub_id"] for h in rows("hubs.csv")}
    codes = [a["lad_code"] for a in areas]
    assert len(codes) == len(set(codes)) == 296
    assert {a["hub_id"] for a in areas} == hub_ids  # every hub has a district, every district a hub
    assert {a["provenance"] for a in areas} == {"declared", "estimated"}
    assert all(a["source_url"] or a["rule"] for a in areas)


def test_districts_match_the_ons_list_when_available():
    ref = shared_open_data()
    if ref is None:
        pytest.skip("open data not available")
    with open(ref / "geo" / "lad_to_region.csv", newline="", encoding="utf-8") as f:
        ons = {r["lad_code"]: r["lad_name"] for r in csv.DictReader(f)}
    assert {a["lad_code"]: a["lad_name"] for a in rows("hub_areas.csv")} == ons


def test_split_counties_are_split_at_district_level():
    by_name = {a["lad_name"]: a["hub_id"] for a in rows("hub_areas.csv")}
    assert by_name["Ashfield"] == by_name["Broxtowe"] == "east-midlands-west"
    assert by_name["Mansfield"] != "east-midlands-west"
    assert by_name["King's Lynn and West Norfolk"] == "cambridge"
    assert by_name["Norwich"] != "cambridge"


def test_programmes_use_the_vocabularies():
    phases, delivery = set(vocab("phase").codes), set(vocab("delivery").codes)
    for p in rows("programmes.csv"):
        assert set(filter(None, p["phases"].split(";"))) <= phases, p["programme_id"]
        assert set(filter(None, p["delivery"].split(";"))) <= delivery, p["programme_id"]
    years58 = next(p for p in rows("programmes.csv") if "5-8" in p["name"] or "5–8" in p["name"])
    assert years58["phases"].split(";") == ["primary", "secondary"]


@pytest.mark.parametrize(
    ("vocabulary", "typed", "code"),
    [
        ("phase", "EYFS", "early_years"),
        ("phase", "Reception", "early_years"),
        ("phase", "KS1", "primary"),
        ("phase", "KS2", "primary"),
        ("phase", "KS3", "secondary"),
        ("phase", "KS4", "secondary"),
        ("phase", "Post-16", "post16"),
        ("phase", "post 16", "post16"),
        ("phase", "FE", "post16"),
        ("phase", "16-19", "post16"),
        ("delivery", "F2F", "face_to_face"),
        ("delivery", "Zoom", "online"),
        ("delivery", "remote", "online"),
        ("role", "WGL", "work_group_lead"),
        ("status", "Fully booked", "full"),
        ("accreditation", "PD Lead", "pd_lead"),
        ("phase", "Martian", None),
    ],
)
def test_aliases_people_type(vocabulary, typed, code):
    assert vocab(vocabulary).normalise(typed) == code
