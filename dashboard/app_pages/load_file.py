"""Coordinators load an import file from the browser: the same `atlas ingest`, with its report."""

import tempfile
from pathlib import Path

import polars as pl
import streamlit as st

from dashboard.auth import require
from dashboard.downloads import offer
from pipelines.config import paths
from pipelines.contracts import ENTITIES
from pipelines.ingest import ingest

LABELS = {"work_groups": "Work Groups", "llmes": "LLMEs", "participations": "Participations"}
require("coordinator")
st.title("Load a file")
st.write(
    "Files follow the import templates (see the README). Valid rows are published in a new snapshot; "
    "rows that break a rule are set aside in the quarantine with the reason, and the page shows them. "
    "A file that cannot be read at all changes nothing."
)
entity = st.segmented_control(
    "What the file holds", ENTITIES, default=ENTITIES[0], format_func=LABELS.get,
    key="entity",
)  # fmt: skip
strict = st.toggle("Reject the whole file if any row breaks a rule", key="strict")
upload = st.file_uploader("Import file", type=["csv", "tsv", "txt", "xlsx", "json", "parquet"], key="upload")

if upload is not None and entity and st.button("Load", type="primary", icon=":material/upload:"):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        with st.spinner(f"Loading {upload.name}..."):
            result = ingest(paths(), entity, path, strict=strict)
    if result.status == "loaded" and result.quarantined:
        st.warning(f"{upload.name}: {result.message}. The rules each row broke are listed below.")
    elif result.status == "loaded":
        st.success(f"{upload.name}: {result.message}.")
    else:
        st.error(f"{upload.name} was rejected: {result.message}")
    c1, c2, c3 = st.columns(3)
    c1.metric("Rows received", f"{result.received:,}")
    c2.metric("Loaded", f"{result.loaded:,}")
    c3.metric("Quarantined", f"{result.quarantined:,}")
    if result.reasons:
        reasons = pl.DataFrame({"rule": list(result.reasons), "rows": list(result.reasons.values())})
        st.dataframe(reasons, hide_index=True)
        offer(reasons, "quarantine_reasons", "Download the reasons (CSV)", key="reasons_csv", exact=True)
    if result.extra_columns:
        st.info(f"Extra columns kept aside: {', '.join(result.extra_columns)}")
