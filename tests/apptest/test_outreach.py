"""Outreach page (issue 15, item 1): who may open it, the unreached count and three schools'
nearest Work Group against independent SQL (tests/outreach_sql.py), the totals in words, the map
layers, the access log and the downloads."""

from __future__ import annotations

import pytest
import streamlit as st

from dashboard.data import audit
from tests.apptest.pages import open_page
from tests.outreach_sql import nearest, unreached_urns


@pytest.fixture(autouse=True)
def _clean(use_warehouse):
    st.cache_data.clear()
    st.cache_resource.clear()


def refused(at) -> bool:
    return any("You need to sign in as" in e.value for e in at.error)


@pytest.mark.parametrize(
    ("who", "allowed"), [("public", False), ("stranger", False), ("hub_lead", True), ("coordinator", True)]
)
def test_only_hub_leads_and_coordinators_see_school_level_reach(who, allowed):
    at = open_page("outreach", who)
    assert refused(at) is not allowed
    assert bool(at.dataframe) is allowed


def test_a_hub_lead_cannot_open_another_hubs_schools():
    at = open_page("outreach", "hub_lead", hub="boolean")
    assert any("hub lead of Boolean Maths Hub" in e.value for e in at.error)
    assert not at.dataframe


def metric(at, starts: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(starts))


def test_unreached_count_and_nearest_work_groups_match_independent_sql(use_warehouse):
    at = open_page("outreach", "hub_lead", hub="origin")
    table = at.dataframe[0].value
    expected = unreached_urns(use_warehouse, "origin", "primary", 3)
    assert expected, "the sample has unreached schools to check"
    assert set(table["urn"]) == expected
    assert metric(at, "Not reached in 3") == f"{len(expected):,}"
    picks = table.iloc[[0, len(table) // 2, len(table) - 1]]
    for _, row in picks.iterrows():
        miles, title = nearest(use_warehouse, int(row["urn"]))
        assert row["nearest_miles"] == pytest.approx(round(miles, 1), abs=0.051), row["school"]
        assert row["nearest_work_group"] == title
    words = at.markdown[0].value if at.markdown else ""
    assert any(f"{len(expected):,} primary schools" in m.value for m in at.markdown), words


def test_changing_the_years_and_phase_changes_the_list(use_warehouse):
    at = open_page("outreach", "coordinator", hub="origin")
    at.segmented_control(key="years").set_value(1).run()
    assert set(at.dataframe[0].value["urn"]) == unreached_urns(use_warehouse, "origin", "primary", 1)
    at.selectbox(key="phase").set_value("secondary").run()
    assert set(at.dataframe[0].value["urn"]) == unreached_urns(use_warehouse, "origin", "secondary", 1)
    assert any("secondary schools" in m.value for m in at.markdown)


def test_map_has_districts_unreached_schools_and_venues(use_warehouse):
    at = open_page("outreach", "hub_lead", hub="origin")
    [chart] = at.get("vega_lite_chart")
    spec = chart.proto.spec
    assert "Share of schools reached" in spec
    assert "School not reached" in spec and "Work Group venue this year" in spec


def test_views_and_downloads_are_in_the_access_log(use_warehouse):
    before = audit.read(limit=100000).height
    at = open_page("outreach", "hub_lead", hub="origin")
    log = audit.read(limit=100000)
    assert log.height > before
    newest = log.row(0, named=True)
    assert (newest["action"], newest["what"], newest["hub_ids"]) == ("view", "outreach_unreached", ["origin"])
    assert newest["email"] == "origin.lead@example.org"
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download the list (CSV)", "Download the list (XLSX)"]


@pytest.mark.parametrize(
    "query",
    [
        {"hub": "<script>alert(1)</script>"},
        {"hub": "origin", "phase": "'; DROP TABLE schools; --", "years": "99"},
        {"hub": "origin", "phase": "Secondary", "years": "-1"},
        {"hub": "origin", "years": "1e309", "phase": ""},
    ],
)
def test_hostile_query_parameters_are_refused_or_ignored(query):
    at = open_page("outreach", "coordinator", check=False, **query)
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["hub"] in ("origin", "abacus-nw")  # an unknown hub is replaced by the first one
    assert at.dataframe, "the list is shown with defaults for what could not be read"
    assert "<script>" not in " ".join(m.value for m in at.markdown)
