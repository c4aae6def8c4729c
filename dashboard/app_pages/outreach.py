"""Outreach for hub leads (own hubs) and coordinators (all hubs): the schools in a hub's area that took
part in no Work Group in the last 1, 3 or 5 academic years, how far each is from this year's nearest
Work Group of its phase, a cold-spot map and mail-merge downloads. Not public: every view and
download is recorded in the access log."""

import streamlit as st

from dashboard import downloads
from dashboard.auth import require
from dashboard.charts.outreach import cold_spot_map
from dashboard.data import audit, outreach
from dashboard.data.common import hubs
from dashboard.vega import chart_spec
from pipelines.vocab import vocab

who = require("hub_lead", "coordinator")
names = dict(hubs().select("hub_id", "name").iter_rows())
allowed = list(names) if who.role == "coordinator" else [h for h in who.hubs if h in names]

st.title("Outreach: schools not yet reached")
requested = st.query_params.get("hub")
if requested and requested not in names:
    st.error("No Maths Hub has that id: choose one from the list.")
    requested = None
if requested and requested not in allowed:
    st.error(f"You need to sign in as the hub lead of {names.get(requested, 'that hub')} to see its schools.")
    st.stop()
if not allowed:
    st.info("Your sign-in is not linked to a hub yet. Ask the national team to add you to the access list.")
    st.stop()

c1, c2, c3 = st.columns([3, 2, 2], vertical_alignment="bottom")
hub_id = c1.selectbox(
    "Hub",
    allowed,
    index=allowed.index(requested) if requested else 0,
    format_func=names.get,
    key="outreach_hub",
)
st.query_params["hub"] = hub_id
phase_labels = vocab("phase").labels
phases = outreach.hub_phases(hub_id)
if not phases:
    st.info(f"No schools are recorded in the {names[hub_id]} area.")
    st.stop()
phase = c2.selectbox(
    "Phase",
    phases,
    index=phases.index("primary") if "primary" in phases else 0,
    format_func=lambda p: phase_labels.get(p, p),
    key="phase",
    bind="query-params",
)
years = c3.segmented_control(
    "Not reached in the last",
    outreach.YEAR_CHOICES,
    default=3,
    format_func=lambda n: f"{n} year{'s' if n > 1 else ''}",
    key="years",
    bind="query-params",
    required=True,
)
label = phase_labels.get(phase, phase)
st.caption(
    "Schools are state-funded schools in the hub's districts (DfE register). Taking part means a school "
    "sent teachers to any Work Group, of any hub. School-level reach is not published: this page is for "
    "signed-in hub leads and coordinators, and every view and download is recorded in the access log."
)

every = outreach.schools(hub_id, phase)
gone = outreach.unreached(every, years)
# One access-log entry per list a person opens (hub, phase, years) in a session: a rerun that shows
# the same list again (a click elsewhere on the page) is not a new view.
seen = st.session_state.setdefault("_outreach_logged", set())
if (hub_id, phase, years) not in seen:
    audit.record(who.email or "", who.role, "view", "outreach_unreached", [hub_id], gone.height)
    seen.add((hub_id, phase, years))
this_year = every["this_year_start"][0] if every.height else None

if this_year is None:
    st.info(f"No {label.lower()} schools are recorded in the {names[hub_id]} area.")
    st.stop()
st.markdown(outreach.in_words(gone, names[hub_id], label, this_year, years))
far = gone.filter(gone["nearest_miles"] > outreach.FAR_MILES).height
m1, m2, m3, m4 = st.columns(4)
m1.metric(f"{label} schools in the area", f"{every.height:,}", border=True)
m2.metric(f"Not reached in {years} year{'s' if years > 1 else ''}", f"{gone.height:,}", border=True)
m3.metric(
    "Share reached",
    f"{1 - gone.height / every.height:.0%}",
    border=True,
    help="Schools that took part in at least one Work Group in the period, of all the area's schools.",
)
m4.metric(
    f"More than {outreach.FAR_MILES} miles away",
    f"{far:,}",
    border=True,
    help=f"Schools not reached whose nearest face-to-face {label.lower()} Work Group this year is farther.",
)

st.subheader("Cold spots")
districts = outreach.district_reach(every, outreach.district_outlines(hub_id), years)
spec = chart_spec(
    "outreach_map",
    (hub_id, phase, years),
    lambda: cold_spot_map(districts, gone, outreach.venues(hub_id, phase)),
)
st.vega_lite_chart(spec, key="outreach_map")

st.subheader(f"Schools not reached ({gone.height:,})")
shown = outreach.table(gone, label)
st.dataframe(
    shown,
    hide_index=True,
    key="outreach_table",
    column_config={
        "school": "School",
        "urn": st.column_config.NumberColumn("URN", format="%d"),
        "phase": "Phase",
        "la": "Local authority",
        "pupils": st.column_config.NumberColumn("Pupils", format="%d"),
        "postcode": "Postcode",
        "nearest_miles": st.column_config.NumberColumn("Miles to nearest", format="%.1f"),
        "nearest_work_group": "Nearest face-to-face Work Group this year",
        "online_available": st.column_config.CheckboxColumn("Online one exists"),
        "last_took_part": "Last took part",
    },
)
downloads.offer(
    shown,
    f"outreach_{hub_id}_{phase}_{years}y",
    "Download the list (CSV)",
    key="outreach_csv",
    log=downloads.Logged("outreach_unreached", (hub_id,)),
    exact=True,
    title=f"{label} schools in the {names[hub_id]} area not reached in the last {years} academic years",
)
