"""Hub profile (?hub=<hub_id>): one hub's LLMEs, Work Groups, reach and provision, printable."""

from pathlib import Path
from urllib.parse import urlsplit

import polars as pl
import streamlit as st

from dashboard import present, url_state
from dashboard.auth import viewer
from dashboard.charts import national as charts
from dashboard.data import common, hub_profile
from dashboard.data.page_params import HubParams
from dashboard.privacy import SYMBOL
from dashboard.ui import csv_download, in_words
from dashboard.vega import chart_spec
from pipelines import domain
from pipelines.domain import md

PRINT_CSS = Path(__file__).parent.parent / "static" / "hub_print.css"  # print: one clean hub report

hubs = common.hubs()
ids = hubs["hub_id"].to_list()
names = dict(zip(ids, hubs["name"], strict=True))
years, current = common.year_choices()
exact = viewer().exact_numbers  # public viewers see small counts suppressed (dashboard/privacy.py)

st.html(PRINT_CSS)
# The URL (?hub=glow&year=2024-25&print=1) sets the widgets, which write it back in that canonical
# form: the hub as its id, never its name (dashboard/data/page_params.py).
starts, this_year = [domain.parse_year(y) for y in years], domain.parse_year(current)
url = HubParams.from_params(url_state.raw(), years=starts, hubs=names)
shown_year = domain.year_label(url.year or url_state.kept_year(starts, this_year))
url_state.seed("hub", {"hub_select": url.hub or ids[0], "print": url.printing, "year": shown_year})
with st.container(key="controls"):
    c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="bottom")
    hub_id = c1.selectbox("Hub", ids, format_func=names.get, key="hub_select")
    year = c2.selectbox("Academic year", years, key="year")
    printing = c3.toggle(
        "Print view",
        key="print",
        help="A plain one-page layout: tables instead of interactive grids, no buttons. "
        "Then use your browser's Print.",
    )
year_start = domain.parse_year(year)
url_state.write("hub", HubParams(hub_id, year_start, printing).to_params(this_year), year_start)
slug = f"{hub_id}-{year.replace('/', '-')}"


def show_table(frame: pl.DataFrame, title: str, name: str, **labels: str) -> None:
    """The table alternative to a chart: static in print view, else a sortable grid and a CSV.
    Hidden counts show as "c", with the legend line under the table."""
    note = present.legend(frame)
    frame = present.readable(frame, **labels)
    if note:
        st.markdown(note)
    if printing:
        st.table(present.escape_markdown_frame(frame), hide_index=True)
        return
    with st.expander(f"Table: {title}"):
        config = present.percent_config(frame, "% reached")
        st.dataframe(frame, hide_index=True, key=f"{name}_table", column_config=config)
        csv_download(frame, f"{name}-{slug}.csv", key=f"{name}_csv")


def chart(name: str, build, shown: pl.Series | None = None) -> None:
    """The chart `build()` returns, unless every value it would draw is hidden (`shown` all null): then a
    sentence, not an empty chart (an empty mark group also fails screen readers: axe svg-img-alt).

    Its spec is built once per snapshot, hub, year and viewer kind (`dashboard.vega.chart_spec`): Altair
    building and converting the page's seven charts was a third of a fresh visit's server time."""
    if shown is not None and shown.drop_nulls().len() == 0:
        st.markdown(
            f"No bars to draw: every number here is fewer than 5 or hidden ({SYMBOL}); see the table."
        )
        return
    st.vega_lite_chart(chart_spec(f"hub-{name}", (hub_id, year_start, exact), build))


facts = hub_profile.hub_facts(hub_id)
st.title(facts["name"])
info = common.build_info()
as_at = (info.get("built_at") or "unknown")[:10]
# The website's address is written out (not only linked), so a printed report still gives it; the
# escaper's zero-width space after "https:" would break a copied address, and "://" starts no directive.
website_text = md(facts["website"]).replace(":\u200b//", "://")
st.markdown(
    f"{md(facts['region'])} · Lead school: {md(in_words(facts['lead_schools']) or 'not known')} · "
    + (f"Hub website: [{website_text}]({facts['website']})" if facts["website"] else "No website recorded")
    + f" · Data as at {as_at}"
)
sources = ", ".join(
    f"[{urlsplit(u).netloc.removeprefix('www.')}]({u})" for u in facts.get("declared_sources") or []
)
st.markdown(
    f"Area: {md(in_words(facts['areas_summary']) or 'not described')} ({facts['districts']} districts: "
    f"{facts['districts_declared']} declared by a source{f' ({sources})' if sources else ''}, "
    f"{facts['districts_estimated']} estimated). "
    f"Published facts confidence: {facts['confidence'] or 'unknown'}. Figures for {year}."
)

# --- Headline numbers against the national median ----------------------------------------------
head = hub_profile.hub_headlines(hub_id, year_start, exact=exact)
cols = st.columns(head.height)
for col, row in zip(cols, head.iter_rows(named=True), strict=True):
    col.metric(
        row["label"],
        **present.against_median(row),
        border=True,
        help=f"{row['label']}: this hub against the national median, the middle value of the 40 hubs.",
    )

# --- LLMEs ----------------------------------------------------------------------------------
st.header("LLMEs")
llmes = next(r for r in head.iter_rows(named=True) if r["measure"] == "active_llmes")
if llmes["hidden"]:  # a bar's length would give the hidden number away
    st.markdown(f"**{SYMBOL}** active LLMEs of the target of {common.TARGET_PER_HUB}.")
else:
    active = int(llmes["hub"] or 0)
    st.progress(
        min(active / common.TARGET_PER_HUB, 1.0),
        text=f"{active} active LLMEs of the target of {common.TARGET_PER_HUB}",
    )
llme_cols = st.columns(3)
for column, by, title in zip(
    llme_cols, ("phase", "role", "accreditation"), ("Phase", "Role", "Accreditation"), strict=True
):
    frame = hub_profile.hub_llmes(hub_id, year_start, by, exact=exact)
    with column:
        st.subheader(f"By {by}")
        chart(
            f"llmes-by-{by}",
            lambda f=frame, t=title: charts.count_bars(f, "label", "active_llmes", t, "Active LLMEs"),
            frame["active_llmes"],
        )
        show_table(frame.drop("code", "sort_order"), f"active LLMEs by {by}", f"llmes-by-{by}", label=title)
st.markdown("An LLME who leads in two phases (or holds two roles) counts in each.")

# --- Work Groups ----------------------------------------------------------------------------
st.header("Work Groups")
groups = hub_profile.hub_work_groups(hub_id, year_start)
if groups.is_empty():
    st.info(f"No Work Groups recorded for {year}.")
else:
    chart("work-groups", lambda: charts.work_group_bars(groups))
    show_table(groups.drop("sort_order"), "Work Groups by programme and phase", "work-groups")

# --- Schools reached ------------------------------------------------------------------------
st.header("Schools reached")
st.markdown(
    "Schools that took part in at least one of the hub's Work Groups this year, as a share of the "
    "state-funded schools in the hub's area."
)
by_phase = hub_profile.hub_reach_by_phase(hub_id, year_start, exact=exact)
by_la = hub_profile.hub_reach_by_la(hub_id, year_start, exact=exact)
r1, r2 = st.columns(2)
with r1:
    st.subheader("By phase")
    chart("reach-by-phase", lambda: charts.reach_bars(by_phase, "phase", "Phase"), by_phase["reach_share"])
    show_table(by_phase.drop("sort_order"), "schools reached by phase", "reach-by-phase")
with r2:
    st.subheader("By local authority")
    chart(
        "reach-by-la",
        lambda: charts.reach_bars(by_la, "local_authority", "Local authority"),
        by_la["reach_share"],
    )
    show_table(by_la, "schools reached by local authority", "reach-by-la")

st.subheader("The school journey")
stages = common.labels("stage")["label"].to_list()
journey = hub_profile.hub_journey(hub_id, exact=exact)
if journey.is_empty():
    st.info("No teaching-for-mastery stages recorded for this hub's schools.")
else:
    chart("journey", lambda: charts.journey_chart(journey, stages), journey["schools"])
    wide = present.pivot(journey, on="stage_label", index="academic_year", values="schools")
    if note := present.legend(journey):
        st.markdown(note)
    show_table(
        wide.select("academic_year", *[s for s in stages if s in wide.columns]),
        "schools by stage and year",
        "journey",
    )
st.markdown(
    " -> ".join(stages) + ": schools in the hub's teaching-for-mastery Work Groups at each stage, by year."
)

# --- Provision audit ------------------------------------------------------------------------
st.header("Provision audit")
st.markdown(
    "The hub's Work Groups this year by kind of professional development (ACME 2013, \"Empowering "
    "teachers: success for learners\", and two kinds of ours, labelled so) and phase. 'none' marks a gap "
    "in the offer."
)
provision = hub_profile.hub_provision(hub_id, year_start)
chart("provision", lambda: charts.provision_heatmap(provision))
missing = (
    provision.group_by("kind", maintain_order=True)
    .agg(pl.col("work_groups").sum())
    .filter(pl.col("work_groups") == 0)
)
if missing.height:
    st.markdown("**Not offered this year:** " + ", ".join(missing["kind"].to_list()) + ".")
audit = provision.pivot(on="phase_label", index="kind", values="work_groups", sort_columns=False)
show_table(audit, "Work Groups by kind and phase", "provision")
