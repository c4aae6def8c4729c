"""About the data: definitions, methodology, the required attribution texts, data as at, provenance."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.apptest.pages import open_page
from tests.independent_sql import sql

PAGE = "app_pages/about_data.py"

# The statements shared/data/README.md requires the product to show, verbatim.
ATTRIBUTIONS = [
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0. "
    "Contains OS data © Crown copyright and database right 2024.",
    "Contains OS data © Crown copyright and database right 2025. Contains Royal Mail data © Royal Mail "
    "copyright and database right 2025. Source: Office for National Statistics licensed under the Open "
    "Government Licence v.3.0.",
    "Contains public sector information from the Department for Education (Get Information about Schools; "
    "school performance tables) licensed under the Open Government Licence v3.0.",
]


def about() -> AppTest:
    return open_page("about_data")


def text(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown).replace("\n  ", " ").replace("\n", " ")


def test_attributions_definitions_and_methodology(use_warehouse):
    at = about()
    body = " ".join(text(at).split())
    for statement in ATTRIBUTIONS:
        assert statement in body
    for term in ("Active LLME", "School reached", "Target", "Work Group", "Gap"):
        assert f"**{term}**" in body
    assert "50 active LLMEs per hub, 2,000 nationally" in body
    assert "*Declared* districts" in body and "*estimated* districts" in body
    headers = {h.value for h in at.header}
    assert {
        "Data as at",
        "Definitions",
        "Methodology",
        "Sources and licences",
        "How sure are the hub facts?",
    } <= headers
    phases = {
        row.replace("\\", "") for t in at.table for row in t.value["Term"]
    }  # cells are markdown-escaped
    assert {"Early Years", "Primary", "Secondary", "Post-16", "Readiness", "Sustaining"} <= phases


def test_data_as_at_and_provenance_counts(use_warehouse):
    at = about()
    built = sql(use_warehouse, "SELECT value FROM build_info WHERE key = 'built_at'")[0][0]
    assert next(m for m in at.metric if m.label == "Warehouse built").value == built[:16].replace("T", " ")
    last = sql(use_warehouse, "SELECT max(started_at) FROM load_log")[0][0]
    assert next(m for m in at.metric if m.label == "Last load").value == str(last)[:16]
    declared, estimated = sql(
        use_warehouse,
        "SELECT count(*) FILTER (WHERE provenance = 'declared'), "
        "count(*) FILTER (WHERE provenance = 'estimated') "
        "FROM hub_areas",
    )[0]
    assert (
        next(m for m in at.metric if m.label == "Districts declared by a source").value
        == f"{declared} of 296"
    )
    assert next(m for m in at.metric if m.label == "Districts estimated").value == str(estimated)
    lead = sql(use_warehouse, "SELECT count(*) FROM hubs WHERE map_point_source = 'lead school'")[0][0]
    assert next(m for m in at.metric if m.label.startswith("Hubs drawn")).value == f"{lead} of 40"
    provenance = next(d.value for d in at.dataframe if "Declared by a source" in d.value.columns)
    assert len(provenance) == 40 and provenance["Estimated"].sum() == estimated
    # Issue 16: labels, never column or status names (map_point_source, not_found).
    shown = " ".join(provenance.columns) + " " + " ".join(str(v) for v in provenance.to_numpy().ravel())
    for raw in ("map_point_source", "not_found", "estimated: centre", "confidence", "status"):
        assert raw not in shown
    loads = next(d.value for d in at.dataframe if "Rows received" in d.value.columns)
    assert "kind" not in loads.columns and "sample" not in set(loads["What"])
    assert len(loads) == sql(use_warehouse, "SELECT count(*) FROM load_log")[0][0]
    assert "not loaded" in text(at)  # this warehouse has no open data
    assert "sample data" in text(at)


def test_open_data_build_says_loaded(warehouse_open, monkeypatch):
    monkeypatch.setenv("ATLAS_DATA_DIR", str(warehouse_open.data_dir))
    at = about()
    assert "**loaded**" in text(at)
