"""Unmet demand: Work Group finder searches that found nothing, for coordinators and hub leads.

Each row is a search (filters and the postcode district only, never a full postcode or the typed
text). Coordinators see every hub; a hub lead sees searches from their own hubs' areas and searches
filtered to their hubs.
"""

from datetime import UTC, datetime, timedelta

import polars as pl
import streamlit as st

from dashboard.auth import require
from dashboard.data import demand
from dashboard.data import finder as data
from dashboard.ui import csv_download

who = require("coordinator", "hub_lead")
look = data.cached_lookups()
hub_names = dict(look["hubs"].iter_rows())
labels = dict(look["vocab"].select("code", "label").iter_rows()) | dict(look["programmes"].iter_rows())

st.title("Unmet demand")
st.caption(
    "Searches in *Find a Work Group* that found nothing. Only the filters and the postcode district "
    "(e.g. GL55) are kept, never a full postcode or anything about the person searching. Use it to see "
    "where, and for what, teachers looked for a Work Group that was not there."
)

log = demand.read_demand()
if log.is_empty():
    st.info("No search has come back empty yet.", icon=":material/inbox:")
    st.stop()

allowed = list(hub_names) if who.role == "coordinator" else [h for h in who.hubs if h in hub_names]
left, right = st.columns(2)
chosen = left.multiselect(
    "Hub", allowed, format_func=hub_names.get, key="demand_hub", placeholder="All your hubs"
)
days = right.selectbox(
    "Period",
    [30, 90, 365, 0],
    format_func=lambda d: f"Last {d} days" if d else "All time",
    index=1,
    key="demand_days",
)
hubs = chosen or allowed
mine = pl.col("area_hub_id").is_in(hubs) | pl.col("hubs").list.eval(pl.element().is_in(hubs)).list.any()
rows = log.filter(mine if who.role != "coordinator" or chosen else pl.lit(True))
if days:
    rows = rows.filter(pl.col("logged_at") >= datetime.now(UTC).replace(tzinfo=None) - timedelta(days=days))

c1, c2, c3 = st.columns(3)
c1.metric("Empty searches", f"{rows.height:,}")
c2.metric("Postcode districts", f"{rows['postcode_district'].drop_nulls().n_unique():,}")
c3.metric("Without a place", f"{rows['postcode_district'].null_count():,}")


def named(frame: pl.DataFrame) -> pl.DataFrame:
    """Codes -> labels for display and download."""
    return frame.with_columns(
        pl.col("area_hub_id").replace_strict(hub_names, default=pl.col("area_hub_id")).alias("area_hub"),
        *[
            pl.col(c).str.split(", ").list.eval(pl.element().replace(labels)).list.join(", ").alias(c)
            for c in ("phases", "programmes", "delivery")
        ],
    ).drop("area_hub_id")


st.subheader("What was looked for, and where")
summary = named(demand.summarise(rows))
st.dataframe(
    summary.select(
        "area_hub", "postcode_district", "phases", "programmes", "delivery", "searches", "last_searched"
    ),
    hide_index=True,
    column_config={
        "area_hub": "Area's hub",
        "postcode_district": "District",
        "phases": "Phase",
        "programmes": "Programme",
        "delivery": "Delivery",
        "searches": st.column_config.NumberColumn("Searches", format="%d"),
        "last_searched": st.column_config.DatetimeColumn("Last searched", format="D MMM YYYY"),
    },
)
csv_download(summary, "unmet-demand-summary.csv", "Download summary (CSV)", key="demand_csv_summary")

with st.expander("Every empty search"):
    every = rows.with_columns(pl.col(c).list.join(", ") for c in ("phases", "programmes", "delivery", "hubs"))
    st.dataframe(named(every), hide_index=True)
    csv_download(named(every), "unmet-demand-searches.csv", "Download searches (CSV)", key="demand_csv_all")
