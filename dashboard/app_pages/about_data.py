"""About the data: definitions, methodology, sources and licences, data as at, hub facts provenance."""

import polars as pl
import streamlit as st

from dashboard import present, privacy
from dashboard.auth import viewer
from dashboard.data import about, common
from dashboard.data.db import snapshot_path
from dashboard.data.release import release_zip
from dashboard.ui import csv_download, table_expander
from pipelines.definitions import DFE_SCHOOLS, ONS_BOUNDARIES, ONS_POSTCODES

info = common.build_info()
exact = viewer().exact_numbers  # public viewers see small counts suppressed (dashboard/privacy.py)
held = about.table_counts(exact=exact)
counts = dict(zip(held["what"], held["n"], strict=True))
open_data = info.get("open_data") == "loaded"

st.title("About the data")

# --- Data as at -------------------------------------------------------------------------------
st.header("Data as at")
a1, a2, a3 = st.columns(3)
a1.metric(
    "Warehouse built",
    (info.get("built_at") or "unknown")[:16].replace("T", " "),
    border=True,
    help="When the data behind every page was last rebuilt (UTC).",
)
a2.metric(
    "Last load",
    (info.get("last_load") or "none")[:16],
    border=True,
    help="The newest entry in the load log: a file ingested, or the sample data generated.",
)
a3.metric(
    "Current academic year",
    common.current_year() or "none",
    border=True,
    help=f"The newest academic year that had started on {info.get('today', 'the build date')}.",
)
if info.get("has_sample") == "True":
    st.markdown(
        f"This build shows **sample data** (scale {info.get('sample_scale', '?')}): "
        "LLMEs, Work Groups and school participations are generated for demonstration. "
        "Hubs, their areas and programmes are real published facts."
    )
st.markdown(
    f"Open data (ONS boundaries and postcodes, DfE schools): **{'loaded' if open_data else 'not loaded'}**"
    + (f", from {info['open_data_from']}. " if open_data and info.get("open_data_from") else ". ")
    + (
        ""
        if open_data
        else "This build was made without it (`atlas build --no-open-data`): schools are sample schools and "
        "the map is schematic. A plain `atlas build` uses the open data shipped with the product."
    )
)
loads = about.load_history(exact=exact)
table_expander(f"Load log (newest {loads.height})", present.load_table(loads), "load-log.csv", "loads")

# --- Definitions ------------------------------------------------------------------------------
st.header("Definitions")
terms = about.definitions()
# The target's citation is a reference fact (data/reference/vocabularies.csv, vocabulary "target").
target = " ".join(terms.filter(pl.col("vocabulary") == "target")["description"].to_list())
st.markdown(
    f"""
- **Maths Hub**: one of the 40 school-led hubs, funded by the Department for Education and coordinated by the
  NCETM, that lead maths professional development for the schools and colleges in an area of England.
- **LLME**: a local leader of mathematics education, an experienced teacher who leads the hub's Work Groups
  and other professional development.
- **Active LLME** in an academic year: an LLME whose first active year is on or before it and who had not
  stopped before it. Each LLME belongs to one hub. In phase, role and accreditation breakdowns an LLME counts
  once in each phase, role or accreditation they hold, so the parts add up to more than the total.
- **Target**: at least
  **{common.TARGET_PER_HUB} active LLMEs per hub, {common.NATIONAL_TARGET:,} nationally**:
  {target} The Maths Hubs annual report 2024/25 gave 1,945 active LLMEs nationally.
- **Work Group**: a group of schools working together on one focus over most of a school year, led by an LLME.
- **School reached** in a year: a state-funded school that took part in at least one Maths Hub Work Group that
  year. A hub's share is the schools its Work Groups reached divided by the state-funded schools in its area.
  Schools may work with any hub, so a few may be reached by a hub outside their own area.
- **Gap**: a hub with fewer than {common.GAP_THRESHOLD} active LLMEs in a phase, or a kind of professional
  development a hub does not offer in a year.
"""
)
titles = {
    "phase": "Phases",
    "stage": "Teaching for mastery stages",
    "role": "LLME roles",
    "accreditation": "Accreditations",
}
cols = st.columns(2)
for i, vocabulary in enumerate(titles):
    rows = terms.filter(pl.col("vocabulary") == vocabulary)
    with cols[i % 2]:
        st.subheader(titles[vocabulary])
        terms_table = rows.select(pl.col("label").alias("Term"), pl.col("description").alias("Meaning"))
        st.table(present.escape_markdown_frame(terms_table), hide_index=True)
st.subheader("Kinds of professional development")
acme, ours = about.pd_kinds(terms)
st.markdown(
    "The provision audit on each hub profile groups Work Groups by the kinds of professional development "
    "listed by ACME (the Advisory Committee on Mathematics Education) in *Empowering teachers: success for "
    "learners* (2013), as the Maths Memos article on Maths Hubs gives them: "
    + ", ".join(k.lower() for k in acme)
    + ". Kinds that are ours, not ACME's: "
    + ", ".join(k.lower() for k in ours)
    + "."
)

# --- Methodology ------------------------------------------------------------------------------
st.header("Methodology")
st.markdown(
    """
- **Hub areas.** Every English local authority district is assigned to exactly one hub. *Declared* districts
  are named by a published source (NCETM's hub pages, a hub's website, a DfE answer, local press), kept with
  its date; *estimated* districts are our assignment where no source names them, and are drawn paler on the
  map. Confidence: high for NCETM hub pages, medium for other sources (2014-2019 sources at most), low for
  estimates and for old sources whose current area is unverified.
- **Map points.** A hub is drawn at its lead school when we know it; otherwise at the centre of its districts.
- **Counting.** All figures are counted from the warehouse at the time shown above. No public page shows
  names or email addresses of LLMEs; every count of people or schools passes through one suppression step
  (see [Small numbers](#small-numbers)).
- **Year-on-year changes** compare an academic year with the one before. The current year is still in
  progress, so its counts can rise until the summer.
"""
)

# --- Small numbers: the one suppression rule (dashboard/privacy.py) ---------------------------
st.header("Small numbers", anchor="small-numbers")
st.markdown(privacy.RULE)
st.markdown(
    f"""
- **Symbol:** {privacy.LEGEND}
- **Where:** every public table, chart, map tooltip, headline figure and CSV download on the national map,
  LLME coverage, hub profiles and this page. Charts leave hidden numbers out and say so under the chart.
- **Not suppressed:** counts of Work Groups and of places left on them (the Work Group finder, provision
  audits) describe advertised public events, not people; counts of schools in an area come from the public
  register of schools (Get Information about Schools); counts of hubs and districts are published facts.
"""
)

# --- Sources and licences ---------------------------------------------------------------------
st.header("Sources and licences")
st.markdown(
    f"""
- **Maths Hubs, hub areas and programmes**: published facts gathered from NCETM, hub websites and other
  public sources (source links are kept with each fact in the warehouse). The LLME target: "Local Leaders of
  Mathematics Education" (NCETM).
- **Local authority district boundaries and lookups** (ONS, {info.get("open_data_boundaries", "May 2024")}):
  {ONS_BOUNDARIES}
- **Postcode districts** (ONS Postcode Lookup, {info.get("open_data_postcodes", "May 2025")}) and school
  coordinates, which come from postcodes: {ONS_POSTCODES}
- **Schools** (DfE, {info.get("open_data_schools", "July 2025")}): {DFE_SCHOOLS}
"""
)

# --- Open data: the same files `atlas export` writes (pipelines/export.py) -----------------------
st.header("Open data", anchor="open-data")
st.markdown(
    "The public figures behind these pages as a dataset: active LLMEs by hub, phase and year; Work Groups "
    "by hub, programme, phase and year; schools reached by hub, phase, local authority and year. CSV and "
    "Parquet, small numbers suppressed exactly as on these pages, with a data dictionary and a metadata "
    "file (source snapshot, data as at, licence, attribution). The same files as `atlas export --out DIR`."
)
snapshot = str(snapshot_path())  # the zip is built when asked for, from the snapshot this page showed
st.download_button(
    "Download the open data (zip: CSV, Parquet, data dictionary, metadata)",
    data=lambda: release_zip(snapshot),
    file_name="maths-hubs-atlas-open-data.zip",
    mime="application/zip",
    on_click="ignore",
    icon=":material/dataset:",
    key="open_data_zip",
)

# --- Hub facts provenance ---------------------------------------------------------------------
st.header("How sure are the hub facts?")
prov = about.provenance_summary()
p1, p2, p3 = st.columns(3)
p1.metric(
    "Districts declared by a source",
    f"{int(prov['declared'].sum())} of "
    f"{counts.get('Districts (local authority districts) assigned to a hub', 0)}",
    border=True,
)
p2.metric("Districts estimated", int(prov["estimated"].sum()), border=True)
p3.metric(
    "Hubs drawn at their lead school",
    f"{(prov['map_point_source'] == 'lead school').sum()} of {prov.height}",
    border=True,
)
st.markdown(about.confidence_line(prov))
provenance = present.provenance_table(prov)
st.dataframe(provenance, hide_index=True, key="provenance_table")
csv_download(provenance, "hub-provenance.csv", key="provenance_csv")

with st.expander("What the warehouse holds"):
    st.dataframe(present.readable(held, what="What", n="Rows"), hide_index=True, key="counts")
    csv_download(present.readable(held, what="What", n="Rows"), "warehouse-counts.csv", key="counts_csv")
