"""About the data and the hub profile say where the facts come from (issue 12): the LLME target's
article, the ACME kinds of PD and ours, and "declared by a source" with the source named."""

from __future__ import annotations

from pathlib import Path

from pipelines.config import REPO_ROOT
from tests.apptest.test_about_data import about, text
from tests.apptest.test_hub_profile import profile


def test_about_the_data_cites_the_target_article_and_labels_our_kinds(use_warehouse):
    body = " ".join(text(about()).split())
    assert "Local Leaders of Mathematics Education" in body
    assert "at least 50 active LLMEs in every Maths Hub" in body and "2,000 nationally" in body
    assert "wording" not in body.lower()
    assert "Kinds that are ours, not ACME's: research groups (ours, not acme)" in body
    assert "sustained work groups" in body.split("Kinds that are ours")[0]


def test_no_page_or_readme_says_the_target_wording_was_not_found():
    files = [REPO_ROOT / "README.md", REPO_ROOT / "data" / "reference" / "README.md"]
    files += sorted(Path(REPO_ROOT / "dashboard").rglob("*.py"))
    for f in files:
        assert "wording" not in f.read_text(encoding="utf-8").lower(), f


def test_hub_profile_names_the_declaring_source(use_warehouse):
    at = profile(hub="great-north")
    body = " ".join(m.value for m in at.markdown)
    assert "declared by a source (" in body and "parallelparliament.co.uk" in body
    assert "greatnorthmathshub.co.uk" in body
    assert "declared by the hub" not in body


def test_about_the_data_names_the_open_data_in_use_and_its_vintages(warehouse_open, monkeypatch):
    monkeypatch.setenv("ATLAS_DATA_DIR", str(warehouse_open.data_dir))
    body = " ".join(text(about()).split())
    assert "**loaded**, from " in body
    assert "(ONS, May 2024)" in body and "(ONS Postcode Lookup, May 2025)" in body
    assert "(DfE, July 2025 (pupils January 2025))" in body
