"""LLME coverage: active local leaders of maths education by hub and phase, against the targets."""

import polars as pl
import streamlit as st

from dashboard.auth import viewer
from dashboard.charts import national as charts
from dashboard.data import national as data
from dashboard.privacy import SYMBOL
from dashboard.ui import csv_download
from dashboard.vega import chart_spec
from pipelines import domain

ALL_REGIONS = "All regions"
ANY = "Any"
exact = viewer().exact_numbers  # public viewers see small counts suppressed (dashboard/privacy.py)

years, current = data.year_choices()
roles = data.labels("role")
accreditations = data.labels("accreditation")
role_label = dict(zip(roles["code"], roles["label"], strict=True))
accreditation_label = dict(zip(accreditations["code"], accreditations["label"], strict=True))

st.title("LLME coverage")
st.markdown(
    f"Local leaders of maths education (LLMEs) lead every hub's Work Groups. The ambition is at least "
    f"{data.TARGET_PER_HUB} active LLMEs in every hub, {data.NATIONAL_TARGET:,} across England."
)

f1, f2, f3, f4 = st.columns(4)
year = f1.selectbox("Academic year", years, index=years.index(current), key="year", bind="query-params")
region_choice = f2.selectbox("Region", [ALL_REGIONS, *data.regions()], key="region", bind="query-params")
role_choice = f3.selectbox("Role", [ANY, *role_label.values()], key="role", bind="query-params")
accreditation_choice = f4.selectbox(
    "Accreditation", [ANY, *accreditation_label.values()], key="accreditation", bind="query-params"
)

year_start = domain.parse_year(year)
region = None if region_choice == ALL_REGIONS else region_choice
role = next((c for c, lbl in role_label.items() if lbl == role_choice), None)
accreditation = next((c for c, lbl in accreditation_label.items() if lbl == accreditation_choice), None)
filters = (region, role, accreditation)
filtered = any(f is not None for f in filters)

totals = data.llme_hub_totals(year_start, *filters, exact=exact)
matrix = data.llme_matrix(year_start, *filters, exact=exact)
trend = data.llme_trend(*filters, exact=exact)


def year_total(start: int) -> int | None:
    """The total in view for a year (None if hidden or not a year in the data)."""
    rows = trend.filter(pl.col("year_start") == start)["active_llmes"]
    return rows[0] if rows.len() else None


# --- Headline: the total in view against its target --------------------------------------------
this_year = trend.filter(pl.col("year_start") == year_start)
total = year_total(year_start) if this_year.height else 0  # None: hidden (1-4)
target = data.TARGET_PER_HUB * totals.height
previous = year_total(year_start - 1)
changed = total is not None and previous is not None and total != previous
scope = "nationally" if region is None else f"in {region}"
m1, m2, m3 = st.columns(3)
m1.metric(
    f"Active LLMEs {scope} (target {target:,})", SYMBOL if total is None else f"{total:,}",
    delta=data.change_text(total - previous, "since last year") if total is not None and previous is not None else None,
    delta_arrow="auto" if changed else "off", delta_color="normal" if changed else "off", border=True,
    help=f"LLMEs active in {year} in the hubs in view, each counted once. Target: {data.TARGET_PER_HUB} per hub"
    + (" (role and accreditation filters narrow who is counted)." if role or accreditation else "."),
)  # fmt: skip
m2.metric(
    "Share of target", SYMBOL if total is None else f"{total / target:.0%}" if target else "n/a", border=True
)
met = int((totals["active_llmes"] >= data.TARGET_PER_HUB).sum())
m3.metric("Hubs at or above target", f"{met} of {totals.height}", border=True)
if total is not None:
    st.progress(min(total / target, 1.0) if target else 0.0, text=f"{total:,} of the {target:,} target")

# --- Gaps in words ----------------------------------------------------------------------------
threshold = data.GAP_THRESHOLD
gap_lines = []
for (phase_label,), rows in matrix.sort("sort_order").group_by("phase_label", maintain_order=True):
    # A hidden count (c) may be a gap: it is counted with the gaps, never told apart from them.
    short = rows.filter((pl.col("active_llmes") < threshold) | pl.col("active_llmes_hidden"))
    if short.height:
        small = f" or a number shown as {SYMBOL}" if short["active_llmes_hidden"].any() else ""
        gap_lines.append(
            f"**{short.height} {'hub has' if short.height == 1 else 'hubs have'}** fewer than {threshold} "
            f"active {phase_label} LLMEs{small}."
        )
below = totals.filter((pl.col("active_llmes") < data.TARGET_PER_HUB) | pl.col("active_llmes_hidden"))
if below.height:
    # Short of target = targets of the hubs below it - (total - the hubs at or above it, all shown),
    # so no hidden count is used; left out when the total itself is hidden.
    above = int(
        totals.filter(~pl.col("active_llmes_hidden") & (pl.col("active_llmes") >= data.TARGET_PER_HUB))[
            "active_llmes"
        ].sum()
    )
    short_by = (
        ""
        if total is None
        else f"; together they are {data.TARGET_PER_HUB * below.height - (total - above):,} short"
    )
    gap_lines.append(
        f"**{below.height} of {totals.height} hubs** are below {data.TARGET_PER_HUB} active LLMEs{short_by}."
    )
with st.container(border=True):
    st.markdown("**Gaps**" + (" (with the filters applied)" if filtered else ""))
    st.markdown(
        "\n".join(f"- {line}" for line in gap_lines) if gap_lines else "No gaps: every hub meets the targets."
    )

# --- Hub x phase, per-hub totals, trend, breakdowns ---------------------------------------------
tab_matrix, tab_totals, tab_trend, tab_breakdown = st.tabs(
    ["Hub by phase", "Hubs against target", "Trend", "By role and accreditation"]
)
with tab_matrix:
    st.vega_lite_chart(chart_spec("llme-heatmap", (year_start, *filters, exact, threshold),
                                  lambda: charts.llme_heatmap(matrix, threshold)))  # fmt: skip
    if note := data.legend(matrix):
        st.markdown(note)
    wide = data.readable(data.pivot(matrix, on="phase_label", index=["hub", "region"], values="active_llmes"))
    with st.expander("Table: active LLMEs by hub and phase"):
        st.dataframe(wide, hide_index=True, key="matrix_table")
        csv_download(wide, f"llmes-by-hub-phase-{year.replace('/', '-')}.csv", key="matrix_csv")
    st.markdown(
        "An LLME who leads in two phases counts once in each, so the phases add up to more than the total."
    )

with tab_totals:
    st.vega_lite_chart(chart_spec("llme-target-bars", (year_start, *filters, exact, data.TARGET_PER_HUB),
                                  lambda: charts.target_bars(totals, data.TARGET_PER_HUB)))  # fmt: skip
    if note := data.legend(totals):
        st.markdown(note)
    table = data.table(
        totals, "hub", "region", "active_llmes", "target", "share_of_target", "short_of_target"
    )
    with st.expander("Table: active LLMEs per hub against the target"):
        st.dataframe(
            table,
            hide_index=True,
            key="totals_table",
            column_config=data.percent_config(table, "% of target"),
        )
        csv_download(table, f"llmes-by-hub-{year.replace('/', '-')}.csv", key="totals_csv")

with tab_trend:
    st.vega_lite_chart(chart_spec("llme-trend", (*filters, exact), lambda: charts.trend_chart(trend)))
    if note := data.legend(trend):
        st.markdown(note)
    with st.expander("Table: active LLMEs by year"):
        by_year = data.table(trend, "academic_year", "active_llmes", "target")
        st.dataframe(by_year, hide_index=True, key="trend_table")
        csv_download(by_year, "llmes-by-year.csv", key="trend_csv")

with tab_breakdown:
    left, right = st.columns(2)
    for column, by, title in ((left, "role", "Role"), (right, "accreditation", "Accreditation")):
        frame = data.llme_breakdown(by, year_start, *filters, exact=exact)
        with column:
            st.subheader(f"By {by}")
            st.vega_lite_chart(chart_spec(
                "llme-breakdown", (by, year_start, *filters, exact),
                lambda f=frame, t=title: charts.count_bars(f, "label", "active_llmes", t, "Active LLMEs"),
            ))  # fmt: skip
            if note := data.legend(frame):
                st.markdown(note)
            shown = data.table(frame, "label", "active_llmes", label=title)
            st.dataframe(shown, hide_index=True, key=f"{by}_table")
            csv_download(shown, f"llmes-by-{by}-{year.replace('/', '-')}.csv", key=f"{by}_csv")
    st.markdown("An LLME with two roles or accreditations counts under each.")
