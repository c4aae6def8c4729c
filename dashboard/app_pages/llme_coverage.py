"""LLME coverage: active local leaders of maths education by hub and phase, against the targets."""

import polars as pl
import streamlit as st

from dashboard import coverage_text, present, url_state
from dashboard.auth import viewer
from dashboard.charts import national as charts
from dashboard.data import common, coverage
from dashboard.data.page_params import CoverageParams, slug
from dashboard.privacy import SYMBOL
from dashboard.ui import csv_download, table_expander
from dashboard.vega import chart_spec
from pipelines import domain

ALL_REGIONS = "All regions"
ANY = "Any"
exact = viewer().exact_numbers  # public viewers see small counts suppressed (dashboard/privacy.py)

years, current = common.year_choices()
roles = common.labels("role")
accreditations = common.labels("accreditation")
role_label = dict(zip(roles["code"], roles["label"], strict=True))
accreditation_label = dict(zip(accreditations["code"], accreditations["label"], strict=True))

st.title("LLME coverage")
st.markdown(
    f"Local leaders of maths education (LLMEs) lead every hub's Work Groups. The ambition is at least "
    f"{common.TARGET_PER_HUB} active LLMEs in every hub, {common.NATIONAL_TARGET:,} across England."
)

# The URL (?year=2024-25&region=north-west&role=work_group_lead) sets the widgets; the widgets write
# it back in that canonical form, codes not labels (dashboard/data/page_params.py).
regions = common.regions()
starts, this_year = [domain.parse_year(y) for y in years], domain.parse_year(current)
url = CoverageParams.from_params(url_state.raw(), years=starts, regions=regions)
url_state.seed(
    "coverage",
    {
        "year": domain.year_label(url.year or url_state.kept_year(starts, this_year)),
        "region": next((r for r in regions if slug(r) == url.region), ALL_REGIONS),
        "role": role_label.get(url.role, ANY),
        "accreditation": accreditation_label.get(url.accreditation, ANY),
    },
)
f1, f2, f3, f4 = st.columns(4)
year = f1.selectbox("Academic year", years, key="year")
region_choice = f2.selectbox("Region", [ALL_REGIONS, *regions], key="region")
role_choice = f3.selectbox("Role", [ANY, *role_label.values()], key="role")
accreditation_choice = f4.selectbox(
    "Accreditation", [ANY, *accreditation_label.values()], key="accreditation"
)

year_start = domain.parse_year(year)
year_file = year.replace("/", "-")  # in download file names
region = None if region_choice == ALL_REGIONS else region_choice
role = next((c for c, lbl in role_label.items() if lbl == role_choice), None)
accreditation = next((c for c, lbl in accreditation_label.items() if lbl == accreditation_choice), None)
state = CoverageParams(year_start, slug(region) if region else None, role, accreditation)
url_state.write("coverage", state.to_params(this_year), year_start)
filters = (region, role, accreditation)
filtered = any(f is not None for f in filters)

narrowed = role is not None or accreditation is not None  # who is counted, not which hubs
totals = coverage.llme_hub_totals(year_start, *filters, exact=exact)
matrix = coverage.llme_matrix(year_start, *filters, exact=exact)
trend = coverage.llme_trend(*filters, exact=exact)
phase_trend = coverage.llme_phase_trend(*filters, exact=exact)
# The target (50 per hub) applies to all active LLMEs: it is only ever compared with the total
# without the role and accreditation filters, never scaled to a filtered count.
all_totals = coverage.llme_hub_totals(year_start, region, None, None, exact=exact) if narrowed else totals
all_trend = coverage.llme_trend(region, None, None, exact=exact) if narrowed else trend


# --- Headline: the total in view against its target --------------------------------------------
in_data = trend.filter(pl.col("year_start") == year_start).height > 0
total = coverage_text.year_total(trend, year_start) if in_data else 0  # None: hidden (1-4)
everyone = coverage_text.year_total(all_trend, year_start) if in_data else 0
target = common.TARGET_PER_HUB * all_totals.height
previous = coverage_text.year_total(trend, year_start - 1)
scope = "nationally" if region is None else f"in {region}"
who_label = " and ".join(
    x for x in (role_choice if role else "", accreditation_choice if accreditation else "") if x
)
m1, m2, m3 = st.columns(3)
m1.metric(
    f"Active LLMEs {scope}" + (f": {who_label}" if narrowed else f" (target {target:,})"),
    SYMBOL if total is None else f"{total:,}",
    **present.metric_change(total, previous, "since last year"),
    border=True,
    help=f"LLMEs active in {year} in the hubs in view, each counted once."
    + (f" Only {who_label}s are counted; the target applies to all active LLMEs." if narrowed else ""),
)
m2.metric(
    f"All active LLMEs {scope}: share of the {target:,} target",
    SYMBOL if everyone is None else f"{everyone / target:.0%}" if target else "n/a",
    border=True,
    help=f"The target is {common.TARGET_PER_HUB} active LLMEs per hub, "
    "whatever their role or accreditation, so it "
    "is compared with the total without the role and accreditation filters.",
)
met = int((all_totals["active_llmes"] >= common.TARGET_PER_HUB).sum())
m3.metric(
    "Hubs at or above target",
    f"{met} of {all_totals.height}",
    border=True,
    help="Hubs with at least 50 active LLMEs of any role or accreditation.",
)
if everyone is not None:
    st.progress(
        min(everyone / target, 1.0) if target else 0.0,
        text=f"{everyone:,} of the {target:,} target (all active LLMEs {scope})",
    )
if narrowed:
    st.markdown(
        f"The target of {common.TARGET_PER_HUB} per hub applies to all active LLMEs, "
        "so it is not shown against "
        f"the {who_label} count: it is compared with the unfiltered total above."
    )

# --- Gaps in words ----------------------------------------------------------------------------
threshold = common.GAP_THRESHOLD
gap_lines, unknown = coverage_text.gap_lines(
    matrix, all_totals, everyone, threshold, who_label if narrowed else None
)
with st.container(border=True):
    st.markdown("**Gaps**" + (" (with the filters applied)" if filtered else ""))
    st.markdown(
        "\n".join(f"- {line}" for line in gap_lines) if gap_lines else "No gaps: every hub meets the targets."
    )
    if unknown:
        st.markdown(coverage_text.unknown_gaps(unknown, threshold))

# --- Hub x phase, per-hub totals, trend, breakdowns ---------------------------------------------
tab_matrix, tab_totals, tab_trend, tab_breakdown = st.tabs(
    ["Hub by phase", "Hubs against target", "Trend", "By role and accreditation"]
)
with tab_matrix:
    st.vega_lite_chart(
        chart_spec(
            "llme-heatmap",
            (year_start, *filters, exact, threshold),
            lambda: charts.llme_heatmap(matrix, threshold),
        )
    )
    present.show_legend(matrix)
    if unknown:  # suppression is deliberate: say why, and where the coarser (less hidden) counts are
        st.markdown(coverage_text.why_hidden(unknown, matrix.height))
    wide = present.readable(
        present.pivot(matrix, on="phase_label", index=["hub", "region"], values="active_llmes")
    )
    table_expander(
        "Table: active LLMEs by hub and phase", wide, f"llmes-by-hub-phase-{year_file}.csv", "matrix"
    )
    st.markdown(
        "An LLME who leads in two phases counts once in each, so the phases add up to more than the total."
    )

with tab_totals:
    goal = None if narrowed else common.TARGET_PER_HUB  # the target applies to all active LLMEs only
    st.vega_lite_chart(
        chart_spec(
            "llme-target-bars", (year_start, *filters, exact, goal), lambda: charts.target_bars(totals, goal)
        )
    )
    present.show_legend(totals)
    against = () if narrowed else ("target", "share_of_target", "short_of_target")
    table = present.table(totals, "hub", "region", "active_llmes", *against)
    table_expander(
        "Table: active LLMEs per hub" + ("" if narrowed else " against the target"),
        table,
        f"llmes-by-hub-{year_file}.csv",
        "totals",
        column_config=present.percent_config(table, "% of target"),
    )

with tab_trend:
    shown_trend = trend.drop("target") if narrowed else trend
    st.vega_lite_chart(chart_spec("llme-trend", (*filters, exact), lambda: charts.trend_chart(shown_trend)))
    present.show_legend(trend)
    by_year = present.table(shown_trend, "academic_year", "active_llmes", *(() if narrowed else ("target",)))
    table_expander("Table: active LLMEs by year", by_year, "llmes-by-year.csv", "trend")
    st.subheader("By phase")
    st.vega_lite_chart(
        chart_spec("llme-phase-trend", (*filters, exact), lambda: charts.phase_trend_chart(phase_trend))
    )
    present.show_legend(phase_trend)
    by_phase = present.readable(
        present.pivot(phase_trend, on="phase_label", index="academic_year", values="active_llmes")
    )
    table_expander(
        "Table: active LLMEs by phase and year", by_phase, "llmes-by-phase-and-year.csv", "phase_trend"
    )
    st.markdown("Each phase's active LLMEs year by year: an LLME who leads in two phases counts in each.")

with tab_breakdown:
    left, right = st.columns(2)
    for column, by, title in ((left, "role", "Role"), (right, "accreditation", "Accreditation")):
        frame = coverage.llme_breakdown(by, year_start, *filters, exact=exact)
        with column:
            st.subheader(f"By {by}")
            st.vega_lite_chart(
                chart_spec(
                    "llme-breakdown",
                    (by, year_start, *filters, exact),
                    lambda f=frame, t=title: charts.count_bars(f, "label", "active_llmes", t, "Active LLMEs"),
                )
            )
            present.show_legend(frame)
            shown = present.table(frame, "label", "active_llmes", label=title)
            st.dataframe(shown, hide_index=True, key=f"{by}_table")
            csv_download(shown, f"llmes-by-{by}-{year_file}.csv", key=f"{by}_csv")
    st.markdown("An LLME with two roles or accreditations counts under each.")
