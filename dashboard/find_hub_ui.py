"""The national map's "Find your hub": a school, postcode, town or council area typed by a teacher,
answered with the hub whose area it is in, a link to that hub's profile and, when several places or
schools match, a short list to choose from (never the first hit)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.data import national_map
from dashboard.data.page_params import HubParams
from dashboard.ui import csv_download, in_words
from pipelines.domain import md

PROFILE = "app_pages/hub_profile.py"


def find_your_hub(search: str, year_start: int, this_year: int) -> None:
    """Look `search` up and show the answer; links keep the page's academic year."""
    found = national_map.find_hub(search)
    answer, others = national_map.hub_answer(found, search)
    if found.is_empty():
        st.warning(
            "No school, postcode district, town or council area matched. Try part of the school's name "
            "or its postcode."
        )
    elif answer is None:
        # Several places or schools match: a short list to choose from (as GIAS does), never the
        # first hit.
        n = others.height
        more = found.filter(pl.col("kind") == others["kind"][0]).height > n
        labels = [f"{r['label']}: {r['hub_name']}" for r in others.iter_rows(named=True)]
        pick = st.radio(
            f"{n} {'places' if others['kind'][0] == 'place' else 'schools'} match "
            f"“{search}”{' (the first ' + str(n) + ')' if more else ''}. Which do you mean?",
            labels,
            index=None,
            key="find_choice",
        )
        answer = None if pick is None else others.row(labels.index(pick), named=True)
        others = others.head(0)
        if more:
            st.markdown("Type more of the name, the town or the postcode to narrow the list.")
    if answer is not None:
        where = (
            f"**{md(answer['school'])}** "
            f"({md(answer['town'] or answer['la_name'])}, {md(answer['postcode'])}) is"
            if answer["kind"] == "school"
            else f"**{md(answer['label'])}** is"
        )
        st.success(
            f"{where} in the area of **{md(answer['hub_name'])}**. "
            f"Lead school: {md(in_words(answer['lead_schools']) or 'not known')}.",
            icon=":material/location_on:",
        )
        link_cols = st.columns(2)
        link_cols[0].page_link(
            PROFILE,
            label=f"Open the {answer['hub_name']} profile",
            icon=":material/school:",
            query_params=HubParams(answer["hub_id"], year_start).to_params(this_year),
        )
        if answer["website"]:
            link_cols[1].link_button("Hub website", answer["website"], icon=":material/open_in_new:")
        if others.height:
            also = [f"{md(r['label'])} ({md(r['hub_name'])})" for r in others.iter_rows(named=True)]
            st.markdown(f"Other places called “{md(search)}”: {in_words(also)}.")
        st.markdown(
            "Schools may work with any Maths Hub, not only the one for their area. "
            + (
                "A postcode district's centre can be a few miles from a given address."
                if answer["postcode"] and answer["kind"] == "place"
                else ""
            )
        )
    schools = found.filter((pl.col("kind") == "school") & (pl.col("matched_on") != "URN"))
    if schools.height and found["kind"][0] == "place":
        within = "in" if schools["matched_on"][0] == "postcode district" else "whose name contains"
        with st.expander(f"Schools {within} “{search}” ({schools.height})"):
            st.dataframe(
                schools.select("school", "town", "postcode", "hub_name"),
                hide_index=True,
                height=180,
                key="find_schools",
                column_config={
                    "school": "School",
                    "town": "Town",
                    "postcode": "Postcode",
                    "hub_name": "Hub",
                },
            )
            csv_download(
                schools.select("school", "town", "postcode", "hub_name"),
                "schools-found.csv",
                "Download these schools (CSV)",
                key="find_schools_csv",
            )
