"""LLME coverage: active local leaders of maths education by hub and phase, against the targets."""

import polars as pl
import streamlit as st

from dashboard.charts import national as charts
from dashboard.data import national as data
from dashboard.ui import csv_download

ALL_REGIONS = "All regions"
ANY = "Any"

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

year_start = data.year_start_of(year)
region = None if region_choice == ALL_REGIONS else region_choice
role = next((c for c, lbl in role_label.items() if lbl == role_choice), None)
accreditation = next((c for c, lbl in accreditation_label.items() if lbl == accreditation_choice), None)
filters = (region, role, accreditation)
filtered = any(f is not None for f in filters)

totals = data.llme_hub_totals(year_start, *filters)
matrix = data.llme_matrix(year_start, *filters)
trend = data.llme_trend(*filters)

# --- Headline: the total in view against its target --------------------------------------------
total = int(trend.filter(pl.col("year_start") == year_start)["active_llmes"].sum())
target = data.TARGET_PER_HUB * totals.height
previous = trend.filter(pl.col("year_start") == year_start - 1)["active_llmes"]
scope = "nationally" if region is None else f"in {region}"
m1, m2, m3 = st.columns(3)
m1.metric(
    f"Active LLMEs {scope} (target {target:,})", f"{total:,}",
    delta=data.change_text(total - int(previous[0]), "since last year") if previous.len() else None,
    delta_arrow="auto" if previous.len() and total != previous[0] else "off",
    delta_color="normal" if previous.len() and total != previous[0] else "off", border=True,
    help=f"LLMEs active in {year} in the hubs in view, each counted once. Target: {data.TARGET_PER_HUB} per hub"
    + (" (role and accreditation filters narrow who is counted)." if role or accreditation else "."),
)  # fmt: skip
m2.metric("Share of target", f"{total / target:.0%}" if target else "n/a", border=True)
met = int((totals["active_llmes"] >= data.TARGET_PER_HUB).sum())
m3.metric("Hubs at or above target", f"{met} of {totals.height}", border=True)
st.progress(min(total / target, 1.0) if target else 0.0, text=f"{total:,} of the {target:,} target")

# --- Gaps in words ----------------------------------------------------------------------------
threshold = data.GAP_THRESHOLD
gap_lines = []
for (phase_label,), rows in matrix.sort("sort_order").group_by("phase_label", maintain_order=True):
    short = rows.filter(pl.col("active_llmes") < threshold)
    if short.height:
        gap_lines.append(
            f"**{short.height} {'hub has' if short.height == 1 else 'hubs have'}** fewer than {threshold} "
            f"active {phase_label} LLMEs."
        )
below = totals.filter(pl.col("active_llmes") < data.TARGET_PER_HUB)
if below.height:
    gap_lines.append(
        f"**{below.height} of {totals.height} hubs** are below {data.TARGET_PER_HUB} active LLMEs; together they are "
        f"{int(below['short_of_target'].sum()):,} short."
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
    heat = charts.llme_heatmap(matrix, threshold)
    st.altair_chart(heat)
    wide = data.readable(
        matrix.pivot(on="phase_label", index=["hub", "region"], values="active_llmes", sort_columns=False)
    )
    with st.expander("Table: active LLMEs by hub and phase"):
        st.dataframe(wide, hide_index=True, key="matrix_table")
        csv_download(wide, f"llmes-by-hub-phase-{year.replace('/', '-')}.csv", key="matrix_csv")
    st.markdown(
        "An LLME who leads in two phases counts once in each, so the phases add up to more than the total."
    )

with tab_totals:
    bars = charts.target_bars(totals, data.TARGET_PER_HUB)
    st.altair_chart(bars)
    table = data.readable(
        totals.select("hub", "region", "active_llmes", "target", "share_of_target", "short_of_target")
    )
    with st.expander("Table: active LLMEs per hub against the target"):
        st.dataframe(
            table, hide_index=True, key="totals_table",
            column_config={"% of target": st.column_config.NumberColumn(format="%d%%")},
        )  # fmt: skip
        csv_download(table, f"llmes-by-hub-{year.replace('/', '-')}.csv", key="totals_csv")

with tab_trend:
    line = charts.trend_chart(trend)
    st.altair_chart(line)
    with st.expander("Table: active LLMEs by year"):
        by_year = data.readable(trend.select("academic_year", "active_llmes", "target"))
        st.dataframe(by_year, hide_index=True, key="trend_table")
        csv_download(by_year, "llmes-by-year.csv", key="trend_csv")

with tab_breakdown:
    left, right = st.columns(2)
    for column, by, title in ((left, "role", "Role"), (right, "accreditation", "Accreditation")):
        frame = data.llme_breakdown(by, year_start, *filters)
        with column:
            st.subheader(f"By {by}")
            chart = charts.count_bars(frame, "label", "active_llmes", title, "Active LLMEs")
            st.altair_chart(chart)
            shown = data.readable(frame.select("label", "active_llmes"), label=title)
            st.dataframe(shown, hide_index=True, key=f"{by}_table")
            csv_download(shown, f"llmes-by-{by}-{year.replace('/', '-')}.csv", key=f"{by}_csv")
    st.markdown("An LLME with two roles or accreditations counts under each.")
