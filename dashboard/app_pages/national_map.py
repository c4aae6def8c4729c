"""National map (home page): England's Maths Hubs at a glance, key figures and "find your hub"."""

import polars as pl
import streamlit as st

from dashboard import present, url_state
from dashboard.auth import viewer
from dashboard.cache import QUERY
from dashboard.charts import national as charts
from dashboard.data import common, national_map
from dashboard.data.page_params import HubParams, MapParams, slug
from dashboard.find_hub_ui import PROFILE, find_your_hub
from dashboard.privacy import SYMBOL
from dashboard.ui import csv_download
from dashboard.vega import prepared_chart, vega_lite_chart
from pipelines import domain

exact = viewer().exact_numbers  # public viewers see small counts suppressed (dashboard/privacy.py)


years, current = common.year_choices()
st.title("Maths Hubs in England")
st.markdown(
    "40 Maths Hubs lead maths professional development for schools and colleges across England. "
    "Click a hub on the map to open its profile."
)

# The URL (?year=2024-25&area=london&colour=reach&find=GL50) sets the widgets; the widgets write it
# back in that canonical form (dashboard/data/page_params.py). The year is kept across pages.
ENGLAND = "All of England"
regions = common.regions()
starts, this_year = [domain.parse_year(y) for y in years], domain.parse_year(current)
url = MapParams.from_params(url_state.raw(), years=starts, colours=charts.COLOUR_BY, regions=regions)
url_state.seed(
    "map",
    {
        "year": domain.year_label(url.year or url_state.kept_year(starts, this_year)),
        "area": next((r for r in regions if slug(r) == url.area), ENGLAND),
        "colour": charts.COLOUR_BY[url.colour],
        "find": url.find,
    },
)
left, middle, right = st.columns([1, 1, 2])
year = left.selectbox("Academic year", years, key="year")
# One region redrawn at full size: London's five hubs share a few millimetres of the England map.
area = middle.selectbox("Show", [ENGLAND, *regions], key="area")
region = None if area == ENGLAND else area
colour_label = right.radio(
    "Colour the map by", list(charts.COLOUR_BY.values()), horizontal=True, key="colour"
)
colour = next(k for k, v in charts.COLOUR_BY.items() if v == colour_label)
year_start = domain.parse_year(year)

# --- Key figures: this year against last year ---------------------------------------------------
stats = national_map.key_stats(year_start, exact=exact)
now, before = stats.row(-1, named=True), stats.row(0, named=True)
has_before = before["work_groups"] > 0 or before["active_llmes_shown"] != "0"
since = f"since {years[years.index(year) - 1]}" if has_before and years.index(year) > 0 else None


def change(key: str, unit: str = "") -> dict:
    return present.metric_change(now[key], before[key], since, unit)


tiles = st.columns(4)
tiles[0].metric(
    "Hubs running Work Groups",
    f"{now['hubs_reporting']} of {now['hubs']}",
    **change("hubs_reporting"),
    border=True,
    help="Maths Hubs with at least one Work Group recorded in the academic year, out of the 40 hubs.",
)
tiles[1].metric(
    f"Active LLMEs (target {common.NATIONAL_TARGET:,})",
    SYMBOL if now["active_llmes"] is None else f"{now['active_llmes']:,}",
    **change("active_llmes"),
    border=True,
    help="Local leaders of maths education (LLMEs) active in the academic year: they started on or before it "
    f"and had not stopped. The ambition is at least {common.TARGET_PER_HUB} per hub, "
    f"{common.NATIONAL_TARGET:,} nationally.",
)
tiles[2].metric(
    "State schools reached",
    SYMBOL if now["schools_reached_hidden"] else f"{(now['reach_share'] or 0):.1%}",
    **change("reach_share", "points "),
    border=True,
    help=f"Share of England's {now['schools']:,} state-funded schools "
    "that took part in at least one Maths Hub Work Group in the academic year.",
)
tiles[3].metric(
    "Work Groups",
    f"{now['work_groups']:,}",
    **change("work_groups"),
    border=True,
    help="Work Groups (sustained professional development groups of several schools) "
    "running in the academic year.",
)


# --- The map, with the hub table and "find your hub" beside it ----------------------------------
@st.cache_data(**QUERY)
def hub_frames(year_start: int, exact: bool) -> tuple[pl.DataFrame, pl.DataFrame, str | None]:
    """The hubs with the map's display columns, the hub table and its legend line: built once per
    (snapshot, year, exact) rather than in polars on every visit (~6 ms of a visit's server CPU)."""
    hubs = national_map.hub_summary(year_start, exact=exact)
    colours = charts.hub_colours(hubs["hub_id"].to_list(), national_map.hub_neighbours())
    hub_frame = charts.hub_map_frame(hubs, colours)
    table = present.table(
        hub_frame,
        "name",
        "active_llmes",
        "share_of_target",
        "reach_share",
        "schools_reached",
        "schools_in_area",
        "work_groups",
        "region",
        "lead_school",
        "point_source",
        "website",
        name="Hub",
        lead_school="Lead school",
        point_source="Map point",
        website="Website",
    )
    return hub_frame, table, present.legend(hubs)


hub_frame, table, legend = hub_frames(year_start, exact)
districts = national_map.districts()
has_boundaries = districts["geometry"].is_not_null().any()

map_col, side = st.columns([3, 2], gap="medium")
with map_col:
    # The chart is built, converted and encoded once per (snapshot, year, colour-by, exact, region):
    # hub_frame and districts follow from those. Each run sends the prepared element (dashboard/vega.py).
    chart = prepared_chart(
        "national-map",
        (year_start, colour, exact, region),
        lambda: charts.hub_map(districts, hub_frame, colour, region),
        charts.SELECTIONS,
    )
    if not has_boundaries:
        st.info(
            "District boundaries are not loaded, so this is a schematic map: "
            "each square is the centre of one local authority district. "
            "This build was made without open data (`atlas build --no-open-data`); "
            "a plain `atlas build` draws the real boundaries from the ONS data shipped with the product.",
            icon=":material/map:",
        )
    event = vega_lite_chart(chart, key="map")
    if legend:
        st.markdown(legend)
    picked = charts.selected_hub(event)
    if picked:
        st.switch_page(PROFILE, query_params=HubParams(picked, year_start).to_params(this_year))
    st.markdown(
        "Colours only tell neighbouring hubs apart when colouring by hub. Paler districts (dashed outline) "
        "are assigned to a hub by our estimate, not by the hub's own description of its area."
        if colour == "hub"
        else "Paler districts (dashed outline) are assigned to a hub by our estimate."
    )

with side:
    st.header("Find your hub")
    search = st.text_input(
        "School name, URN, postcode or town", key="find", placeholder="e.g. GL50 or Cheltenham"
    )
    state = MapParams(year_start, slug(region) if region else None, colour, search.strip())
    url_state.write("map", state.to_params(this_year), year_start)
    if search.strip():
        find_your_hub(search.strip(), year_start, this_year)

    st.header("All hubs")
    st.dataframe(
        table,
        hide_index=True,
        height=420,
        key="hub_table",
        column_config=present.percent_config(table, "% of target", "% reached")
        | {"Website": st.column_config.LinkColumn(display_text="website")},
    )
    if legend:
        st.markdown(legend)
    csv_download(
        table, f"maths-hubs-{year.replace('/', '-')}.csv", "Download the hub table (CSV)", key="hubs_csv"
    )
