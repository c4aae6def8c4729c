"""Coordinators' ingest report: every load, the rows set aside with reasons, rejected files,
and the access log of named data."""

import polars as pl
import streamlit as st

from dashboard import downloads
from dashboard.auth import require
from dashboard.data import audit, restricted

require("coordinator")
st.title("Ingest report")

runs = restricted.load_runs()
held = restricted.quarantine(None)
rejected = restricted.rejected_runs()
c1, c2, c3 = st.columns(3)
c1.metric("Loads published", f"{runs.height:,}")
c2.metric(
    "Rows quarantined",
    f"{held.select(pl.struct('run_id', 'row_number').n_unique()).item() if held.height else 0:,}",
)
c3.metric("Files rejected", f"{rejected.height:,}")

st.subheader("Loads")
st.dataframe(runs, hide_index=True)
downloads.offer(runs, "load_log", "Download loads (CSV)", key="runs_csv", exact=True)

st.subheader("Quarantined rows")
rules = sorted(held["rule"].unique().to_list()) if held.height else []
chosen = st.multiselect("Rule", rules, key="rule", placeholder="All rules")
shown = held.filter(pl.col("rule").is_in(chosen)) if chosen else held
if held.height:
    by_rule = (
        held.group_by("entity", "rule", "reason").agg(pl.len().alias("rows")).sort("rows", descending=True)
    )
    st.dataframe(by_rule, hide_index=True)
    downloads.offer(
        by_rule, "quarantine_by_rule", "Download the summary (CSV)", key="by_rule_csv", exact=True
    )
st.dataframe(shown, hide_index=True)
downloads.offer(
    shown,
    "quarantine",
    "Download quarantined rows (CSV)",
    key="held_csv",
    exact=True,
    log=downloads.Logged("quarantine", ()),
)

st.subheader("Rejected files")
if rejected.height:
    st.dataframe(rejected, hide_index=True)
    downloads.offer(
        rejected, "rejected_files", "Download rejected files (CSV)", key="rejected_csv", exact=True
    )
else:
    st.write("No file has been rejected.")

st.subheader("Access log (named LLME data)")
accesses = audit.read()
st.dataframe(accesses, hide_index=True)
downloads.offer(
    accesses,
    "access_log",
    "Download the access log (CSV)",
    key="access_csv",
    exact=True,
    log=downloads.Logged("access_log", ()),
)
