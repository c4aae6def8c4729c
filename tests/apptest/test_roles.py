"""Role matrix: for each restricted page x role, what is shown or refused (AppTest, real warehouse).

Sign-in is simulated the way Streamlit documents it: an [auth] secrets section plus AppTest.user.
"""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.apptest.pages import USERS, open_page


@pytest.fixture(autouse=True)
def _clean_caches(use_warehouse):
    st.cache_data.clear()
    st.cache_resource.clear()


def run(page: str, who: str, query: dict | None = None, auth: bool = True) -> AppTest:
    return open_page(page, who, auth=auth, **(query or {}))


def texts(at: AppTest) -> str:
    return " ".join(
        [e.value for e in at.error]
        + [e.value for e in at.title]
        + [e.value for e in at.subheader]
        + [m.label for m in at.metric]
    )


REFUSED = "You need to sign in as"


@pytest.mark.parametrize(
    ("page", "who", "allowed"),
    [
        ("hub_roster", "public", False),
        ("hub_roster", "stranger", False),
        ("hub_roster", "hub_lead", True),
        ("hub_roster", "coordinator", True),
        ("ingest_report", "public", False),
        ("ingest_report", "stranger", False),
        ("ingest_report", "hub_lead", False),
        ("ingest_report", "coordinator", True),
    ],
)
def test_restricted_pages_by_role(page, who, allowed):
    at = run(page, who)
    shown = texts(at)
    if allowed:
        assert REFUSED not in shown
        assert at.metric, "the page's numbers are shown"
    else:
        assert REFUSED in shown
        assert not at.metric and not at.dataframe  # the message and nothing else


def test_hub_lead_cannot_open_another_hubs_roster_by_url():
    at = run("hub_roster", "hub_lead", {"hub": "boolean"})
    assert "You need to sign in as the hub lead of Boolean Maths Hub" in texts(at)
    assert not at.dataframe


def test_hub_lead_sees_own_roster_and_coordinator_any():
    own = run("hub_roster", "hub_lead", {"hub": "origin"})
    assert "Origin Maths Hub" in texts(own)
    anyone = run("hub_roster", "coordinator", {"hub": "boolean"})
    assert "Boolean Maths Hub" in texts(anyone)


def test_without_auth_configuration_nobody_gets_in():
    at = run("hub_roster", "coordinator", auth=False)  # an email alone is not a sign-in
    assert REFUSED in texts(at)
    buttons = [b.label for b in at.sidebar.button]
    assert any("not configured" in label for label in buttons)


@pytest.mark.parametrize("who", list(USERS))
@pytest.mark.parametrize(
    "page", ["national_map", "llme_coverage", "hub_profile", "work_group_finder", "about_data"]
)
def test_public_pages_open_for_every_role(page, who):
    at = run(page, who)
    assert REFUSED not in texts(at)
    assert at.title or at.header, "the page rendered its heading"


@pytest.mark.parametrize(("who", "allowed"), [("public", False), ("hub_lead", True), ("coordinator", True)])
def test_unmet_demand_and_load_pages_by_role(who, allowed):
    demand = run("unmet_demand", who)
    assert (REFUSED not in texts(demand)) == allowed
    load = run("load_file", who)
    assert (REFUSED not in texts(load)) == (who == "coordinator")
