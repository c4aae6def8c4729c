"""Named LLME roster for hub leads (own hubs) and coordinators, with the hub's quarantined rows."""

import polars as pl
import streamlit as st

from dashboard import downloads
from dashboard.auth import require
from dashboard.data import audit, restricted
from dashboard.data.common import current_year_start, hubs

who = require("hub_lead", "coordinator")
names = dict(hubs().select("hub_id", "name").iter_rows())
allowed = list(names) if who.role == "coordinator" else [h for h in who.hubs if h in names]

st.title("LLME roster")
requested = st.query_params.get("hub")
if requested and requested not in allowed:
    st.error(f"You need to sign in as the hub lead of {names.get(requested, 'that hub')} to see its roster.")
    st.stop()
if not allowed:
    st.info("Your sign-in is not linked to a hub yet. Ask the national team to add you to the access list.")
    st.stop()

hub_id = st.selectbox(
    "Hub",
    allowed,
    index=allowed.index(requested) if requested else 0,
    format_func=names.get,
    key="roster_hub",
)
st.query_params["hub"] = hub_id
year = current_year_start()
st.caption(
    "Personal data: names of the hub's local leaders of mathematics education. Every view and download is "
    "recorded in the access log. Emails are not shown."
)

st.subheader(names[hub_id])
people = restricted.roster((hub_id,), year)
audit.record(who.email or "", who.role, "view", "llme_roster", [hub_id], people.height)
active = people.filter(pl.col("active"))
c1, c2 = st.columns(2)
c1.metric(
    "Active LLMEs this year",
    f"{active.height:,}",
    help="Active = first active year <= this year, and no last year or a last year >= it.",
)
c2.metric("On the roster (all years)", f"{people.height:,}")
st.dataframe(
    people,
    hide_index=True,
    column_config={
        "llme_id": "ID",
        "full_name": "Name",
        "school_name": "School",
        "roles": st.column_config.ListColumn("Roles"),
        "phases": st.column_config.ListColumn("Phases"),
        "accreditations": st.column_config.ListColumn("Accreditations"),
        "active": st.column_config.CheckboxColumn("Active this year"),
    },
)

downloads.offer(
    people,
    f"llme_roster_{hub_id}",
    "Download roster (CSV)",
    key="roster_csv",
    log=downloads.Logged("llme_roster", (hub_id,)),
    exact=True,
    title=f"LLME roster: {names[hub_id]}",
)

st.subheader("Rows set aside from files about this hub")
held = restricted.quarantine((hub_id,))
if held.height:
    st.write(
        f"{held.height:,} problems in rows that name this hub. Fix them in the source file and load it again."
    )
    st.dataframe(held.drop("hub_id"), hide_index=True)
    downloads.offer(
        held.drop("hub_id"),
        f"quarantine_{hub_id}",
        "Download these rows (CSV)",
        key="held_csv",
        log=downloads.Logged("quarantine", (hub_id,)),
        exact=True,
    )
else:
    st.success("No quarantined rows name this hub.")
