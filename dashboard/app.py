"""Maths Hubs Atlas: the entrypoint builds the navigation; each page lives in app_pages/."""

from pathlib import Path

import streamlit as st

from dashboard import run_gate, url_state
from dashboard.auth import sign_in_controls, viewer
from dashboard.data.db import NoWarehouse, follow_current
from dashboard.ui import sample_banner

HERE = Path(__file__).parent
PAGES = HERE / "app_pages"

SITE = "Maths Hubs Atlas"
st.set_page_config(page_title=SITE, page_icon=str(HERE / "static" / "favicon.png"), layout="wide")
who = viewer()


def restricted(file: str, title: str, icon: str, url_path: str, roles: tuple[str, ...]) -> st.Page:
    # Pages a viewer may not open stay routable but hidden, and refuse with a message themselves.
    visible = "visible" if who.role in roles else "hidden"
    return st.Page(PAGES / file, title=title, icon=icon, url_path=url_path, visibility=visible)


public = [
    st.Page(PAGES / "national_map.py", title="National map", icon=":material/map:", default=True),
    st.Page(PAGES / "llme_coverage.py", title="LLME coverage", icon=":material/groups:", url_path="coverage"),
    st.Page(PAGES / "hub_profile.py", title="Hub profile", icon=":material/school:", url_path="hub"),
    st.Page(
        PAGES / "work_group_finder.py", title="Find a Work Group", icon=":material/search:", url_path="finder"
    ),
    st.Page(PAGES / "about_data.py", title="About the data", icon=":material/info:", url_path="about"),
]
pages = public + [
    restricted("hub_roster.py", "LLME roster", ":material/badge:", "roster", ("hub_lead", "coordinator")),
    restricted("ingest_report.py", "Ingest report", ":material/fact_check:", "ingest", ("coordinator",)),
    restricted("load_file.py", "Load a file", ":material/upload_file:", "load", ("coordinator",)),
    restricted("outreach.py", "Outreach", ":material/campaign:", "outreach", ("hub_lead", "coordinator")),
    restricted(
        "unmet_demand.py", "Unmet demand", ":material/search_off:", "demand", ("hub_lead", "coordinator")
    ),
]
# Embedded in a hub's website (?embed=true, issue 15): the page alone, without the Atlas's menu.
page = st.navigation(pages, position="hidden" if st.context.is_embedded else "top")
# Each page has its own browser title ("Find a Work Group: Maths Hubs Atlas"), so tabs, history and
# screen readers tell the pages apart (WCAG 2.4.2).
st.set_page_config(page_title=f"{page.title}: {SITE}")
st.html(HERE / "static" / "site.css")  # focus ring, chart text, metric labels, phone headings
sign_in_controls(who)
# The academic year is chosen once and kept across pages: a year in any page's URL becomes the
# session's, and each page offers it by default (dashboard/url_state.py).
url_state.remember_year_from_url()

try:
    follow_current()
    sample_banner()
except NoWarehouse as exc:
    st.error(str(exc))
    st.stop()
run_gate.run(page, gated=public)  # a bound on memory under load
