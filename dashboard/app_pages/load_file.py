"""Coordinators load an import file from the browser: the same ingest as `atlas ingest`, with its report.

The web server never reads the file itself: the upload is registered in the ops store and ingested
by the loader in a child process with memory and time limits (here, or in a separate loader process
when ATLAS_LOADER=external), so no file can take the dashboard down; the page says what happened.
"""

import polars as pl
import streamlit as st

from dashboard.auth import require
from dashboard.downloads import offer
from pipelines.config import paths
from pipelines.contracts import ENTITIES
from pipelines.ops import loader, uploads

LABELS = {"work_groups": "Work Groups", "llmes": "LLMEs", "participations": "Participations"}
who = require("coordinator")
st.title("Load a file")
st.write(
    "Files follow the import templates (see the README). Valid rows are published in a new snapshot; "
    "rows that break a rule are set aside in the quarantine with the reason, and the page shows them. "
    "A file that cannot be read at all changes nothing."
)
entity = st.segmented_control(
    "What the file holds",
    ENTITIES,
    default=ENTITIES[0],
    format_func=LABELS.get,
    key="entity",
)
strict = st.toggle("Reject the whole file if any row breaks a rule", key="strict")
upload = st.file_uploader("Import file", type=["csv", "tsv", "txt", "xlsx", "json", "parquet"], key="upload")

if upload is not None and entity and st.button("Load", type="primary", icon=":material/upload:"):
    p = paths()
    job = uploads.submit(
        p, entity, upload.name, upload.getvalue(), strict=strict, uploaded_by=who.email or ""
    )
    with st.spinner(f"Loading {upload.name}..."):
        claimed = None if loader.external() else uploads.claim(p, job.upload_id)
        if claimed is not None:
            job = loader.run_job(p, claimed)
        else:
            job = uploads.wait(p, job.upload_id, timeout_s=loader.time_limit_s() + 120)
    result = job.outcome
    if not job.finished:
        st.info(f"{upload.name} is still waiting for the loader; the ingest report will show the outcome.")
        st.stop()
    if job.status == "failed":
        st.error(job.message, icon=":material/error:")
        st.stop()
    if result["status"] == "loaded" and result["quarantined"]:
        st.warning(f"{upload.name}: {result['message']}. The rules each row broke are listed below.")
    elif result["status"] == "loaded":
        st.success(f"{upload.name}: {result['message']}.")
    else:
        st.error(f"{upload.name} was rejected: {result['message']}")
    c1, c2, c3 = st.columns(3)
    c1.metric("Rows received", f"{result['received']:,}")
    c2.metric("Loaded", f"{result['loaded']:,}")
    c3.metric("Quarantined", f"{result['quarantined']:,}")
    if result["reasons"]:
        reasons = pl.DataFrame({"rule": list(result["reasons"]), "rows": list(result["reasons"].values())})
        st.dataframe(reasons, hide_index=True)
        offer(reasons, "quarantine_reasons", "Download the reasons (CSV)", key="reasons_csv", exact=True)
    if result["extra_columns"]:
        st.info(f"Extra columns kept aside: {', '.join(result['extra_columns'])}")
