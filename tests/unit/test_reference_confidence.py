"""Reference facts true to their sources: one confidence rule over every row, sources in each row,
lead schools paired with their URNs, the LLME target's citation and the ACME kinds of PD."""

from __future__ import annotations

import csv
import re

import pytest

from pipelines.config import FACTS_DIR
from pipelines.tools import derive_reference as derive
from pipelines.vocab import vocab

NCETM_HUB_PAGES = ("https://www.ncetm.org.uk/hubs/", "https://www.ncetm.org.uk/maths-hubs/find-your-hub/")
TARGET_ARTICLE = "Local Leaders of Mathematics Education"


def rows(name: str) -> list[dict[str, str]]:
    with open(FACTS_DIR / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def readme() -> str:
    return (FACTS_DIR / "README.md").read_text(encoding="utf-8")


def area_rule(assignment: dict[str, str]) -> str:
    """The README's rule for hub_areas.csv, written out again independently of the script."""
    if assignment["provenance"] == "estimated":
        return "low"
    if assignment["source_url"].startswith(NCETM_HUB_PAGES):
        return "high"
    if assignment["dated"] == "yes" and assignment["current_area_unverified"] == "yes":
        return "low"
    return "medium"


def hub_rule(hub: dict[str, str]) -> str:
    if hub["status"] != "confirmed":
        return "low"
    ncetm = any(u.startswith(NCETM_HUB_PAGES) for u in hub["source_urls"].split(";"))
    return "high" if ncetm and "'includes'" not in hub["notes"] else "medium"


def test_every_district_row_follows_the_readme_confidence_rule():
    assignments = rows("hub_area_assignments.csv")
    by_lad = {a["area"]: a for a in assignments if a["level"] == "lad"}
    by_ctyua = {a["area"]: a for a in assignments if a["level"] == "ctyua"}
    areas = rows("hub_areas.csv")
    assert len(areas) == 296
    for row in areas:
        a = by_lad.get(row["lad_name"]) or by_ctyua[row["ctyua_name"]]
        assert (row["hub_id"], row["provenance"], row["source_url"]) == (
            a["hub_id"],
            a["provenance"],
            a["source_url"],
        ), row["lad_name"]
        assert row["confidence"] == area_rule(a), row["lad_name"]
        years = [int(y) for y in re.findall(r"\b(20\d\d)\b", a["source_date"])]
        if a["dated"] == "yes":  # a 2014-2019 source is never more than medium
            assert any(2014 <= y <= 2019 for y in years) and row["confidence"] != "high", row["lad_name"]
    # The rule's words are the README's.
    assert "Confidence rule (hub_areas.csv)" in readme() and "Confidence rule (hubs.csv)" in readme()


def test_old_sources_for_unverified_areas_are_low_and_the_rest_medium_at_most():
    by_name = {a["lad_name"]: a for a in rows("hub_areas.csv")}
    for district in ("St Albans", "Cheltenham", "Worcester"):  # Matrix (2014), GLOW (2015)
        assert by_name[district]["confidence"] == "low"
    assert by_name["Dorset"]["confidence"] == "medium"  # 2014, not called unverified
    assert by_name["Gateshead"]["provenance"] == "declared"
    assert by_name["Gateshead"]["source_url"] == "https://www.greatnorthmathshub.co.uk/new-year-newsletter/"
    assert (
        by_name["Trafford"]["source_url"]
        == "https://www.ncetm.org.uk/news/maths-hub-renamed-to-honour-alan-turing/"
    )
    assert by_name["Warrington"]["provenance"] == "estimated" and "no source" in by_name["Warrington"]["rule"]
    assert by_name["Cornwall"]["source_url"] == "https://www.truroschool.com/?p=155953"
    assert by_name["Bournemouth, Christchurch and Poole"]["source_url"] == (
        "http://www.jctsa.org.uk/2014/06/national-math-hub/"
    )
    assert "2014" in by_name["Bournemouth, Christchurch and Poole"]["rule"]


def test_every_hub_row_follows_the_readme_confidence_rule():
    hubs = rows("hubs.csv")
    assert len(hubs) == 40
    for hub in hubs:
        assert hub["confidence"] == hub_rule(hub), hub["hub_id"]
    turing = next(h for h in hubs if h["hub_id"] == "turing-nw")
    assert (turing["status"], turing["confidence"]) == ("inferred", "low")


def test_lead_schools_and_urns_are_paired_by_position_and_every_fact_has_its_source():
    for hub in rows("hubs.csv"):
        schools = derive.split_positions(hub["lead_schools"])
        urns = derive.split_positions(hub["lead_school_urns"])
        assert not urns or len(urns) == len(schools), hub["hub_id"]
        sources = hub["source_urls"].split(";")
        for fact, source in (("lead_schools", "lead_school_source"), ("website", "website_source")):
            assert bool(hub[fact]) == bool(hub[source]), (hub["hub_id"], fact)
            assert not hub[source] or hub[source] in sources, (hub["hub_id"], source)
    abacus = next(h for h in rows("hubs.csv") if h["hub_id"] == "abacus-nw")
    pairs = dict(zip(abacus["lead_schools"].split(";"), abacus["lead_school_urns"].split(";"), strict=True))
    assert pairs == {"Cardinal Newman College": "", "Our Lady's Catholic High School": "119779"}


def test_a_bad_assignment_row_is_refused_with_its_line_and_column(tmp_path):
    text = (FACTS_DIR / "hub_area_assignments.csv").read_text(encoding="utf-8").splitlines()
    text[1] = text[1].replace(",declared,", ",rumoured,", 1)
    (tmp_path / "hub_area_assignments.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(derive.DerivationError, match=r"line 2, provenance: 'rumoured'"):
        derive.read_assignments(tmp_path / "hub_area_assignments.csv")


def test_the_llme_target_cites_its_article():
    rows_ = [r for r in rows("vocabularies.csv") if r["vocabulary"] == "target"]
    assert len(rows_) == 1
    cited = rows_[0]["label"] + " " + rows_[0]["description"]
    assert TARGET_ARTICLE in cited and "50" in cited and "2,000" in cited
    assert TARGET_ARTICLE in readme() and "50 active LLMEs per hub (2,000 nationally)" in readme()


def test_kinds_of_pd_are_acmes_list_and_ours_are_labelled():
    kinds = [r for r in rows("vocabularies.csv") if r["vocabulary"] == "pd_kind"]
    acme = [k for k in kinds if k["description"].startswith("On ACME's list")]
    ours = [k for k in kinds if not k["description"].startswith("On ACME's list")]
    assert len(acme) == 9  # the nine activities of the Maths Memos article's list
    assert all("ours, not ACME" in k["label"] for k in ours) and ours
    assert all("(ours" not in k["label"] for k in acme)
    codes = set(vocab("pd_kind").codes)
    for p in rows("programmes.csv"):
        assert p["pd_kind"] in codes, p["programme_id"]
        assert p["source_urls"].startswith("http"), p["programme_id"]
    names = {p["name"] for p in rows("programmes.csv")}
    assert {
        "NCETM Professional Development Lead Programme",
        "NCETM School Development Lead Programme",
    } <= names


def test_the_derived_files_are_up_to_date():
    assert derive.main(["--check"]) == 0
