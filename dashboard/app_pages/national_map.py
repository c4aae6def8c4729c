"""National map (home page): England's Maths Hubs at a glance, key figures and "find your hub"."""

import polars as pl
import streamlit as st

from dashboard import present, url_state
from dashboard.auth import viewer
from dashboard.charts import national as charts
from dashboard.data import common, national_map
from dashboard.data.page_params import HubParams, MapParams, slug
from dashboard.privacy import SYMBOL
from dashboard.ui import csv_download, in_words
from dashboard.vega import chart_spec
from pipelines import domain
from pipelines.domain import md

PROFILE = "app_pages/hub_profile.py"
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
    """st.metric delta arguments for this year against last (no arrow when nothing changed)."""
    if since is None or now[key] is None or before[key] is None:
        return {}
    delta = now[key] - before[key]
    delta = round(delta * 100, 1) if unit else int(delta)
    return {
        "delta": present.change_text(delta, f"{unit}{since}"),
        "delta_arrow": "auto" if delta else "off",
        "delta_color": "normal" if delta else "off",
    }


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
hubs = national_map.hub_summary(year_start, exact=exact)
colours = charts.hub_colours(hubs["hub_id"].to_list(), national_map.hub_neighbours())
hub_frame = charts.hub_map_frame(hubs, colours)
districts = national_map.districts()
has_boundaries = districts["geometry"].is_not_null().any()

map_col, side = st.columns([3, 2], gap="medium")
with map_col:
    # The chart is built and converted once per (snapshot, year, colour-by, exact): hub_frame and
    # districts follow from those.
    build = charts.district_map if has_boundaries else charts.fallback_map
    spec = chart_spec(
        f"national-{build.__name__}",
        (year_start, colour, exact, region),
        lambda: build(districts, hub_frame, colour, region),
    )
    if not has_boundaries:
        st.info(
            "District boundaries are not loaded, so this is a schematic map: "
            "each square is the centre of one local authority district. "
            "This build was made without open data (`atlas build --no-open-data`); "
            "a plain `atlas build` draws the real boundaries from the ONS data shipped with the product.",
            icon=":material/map:",
        )
    event = st.vega_lite_chart(spec, key="map", on_select="rerun", selection_mode=list(charts.SELECTIONS))
    if note := present.legend(hubs):
        st.markdown(note)
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
        found = national_map.find_hub(search.strip())
        answer, others = national_map.hub_answer(found, search)
        if found.is_empty():
            st.warning(
                "No school, postcode district, town or council area matched. Try part of the school's name "
                "or its postcode."
            )
        elif answer is None:
            # Several places or schools match: a short list to choose from (as GIAS does), never the
            # first hit.
            n = others.height
            more = found.filter(pl.col("kind") == others["kind"][0]).height > n
            labels = [f"{r['label']}: {r['hub_name']}" for r in others.iter_rows(named=True)]
            pick = st.radio(
                f"{n} {'places' if others['kind'][0] == 'place' else 'schools'} match "
                f"“{search.strip()}”{' (the first ' + str(n) + ')' if more else ''}. Which do you mean?",
                labels,
                index=None,
                key="find_choice",
            )
            answer = None if pick is None else others.row(labels.index(pick), named=True)
            others = others.head(0)
            if more:
                st.markdown("Type more of the name, the town or the postcode to narrow the list.")
        if answer is not None:
            where = (
                f"**{md(answer['school'])}** "
                f"({md(answer['town'] or answer['la_name'])}, {md(answer['postcode'])}) is"
                if answer["kind"] == "school"
                else f"**{md(answer['label'])}** is"
            )
            st.success(
                f"{where} in the area of **{md(answer['hub_name'])}**. "
                f"Lead school: {md(in_words(answer['lead_schools']) or 'not known')}.",
                icon=":material/location_on:",
            )
            link_cols = st.columns(2)
            link_cols[0].page_link(
                PROFILE,
                label=f"Open the {answer['hub_name']} profile",
                icon=":material/school:",
                query_params=HubParams(answer["hub_id"], year_start).to_params(this_year),
            )
            if answer["website"]:
                link_cols[1].link_button("Hub website", answer["website"], icon=":material/open_in_new:")
            if others.height:
                also = [f"{md(r['label'])} ({md(r['hub_name'])})" for r in others.iter_rows(named=True)]
                st.markdown(f"Other places called “{md(search.strip())}”: {in_words(also)}.")
            st.markdown(
                "Schools may work with any Maths Hub, not only the one for their area. "
                + (
                    "A postcode district's centre can be a few miles from a given address."
                    if answer["postcode"] and answer["kind"] == "place"
                    else ""
                )
            )
        schools = found.filter((pl.col("kind") == "school") & (pl.col("matched_on") != "URN"))
        if schools.height and found["kind"][0] == "place":
            within = "in" if schools["matched_on"][0] == "postcode district" else "whose name contains"
            with st.expander(f"Schools {within} “{search.strip()}” ({schools.height})"):
                st.dataframe(
                    schools.select("school", "town", "postcode", "hub_name"),
                    hide_index=True,
                    height=180,
                    key="find_schools",
                    column_config={
                        "school": "School",
                        "town": "Town",
                        "postcode": "Postcode",
                        "hub_name": "Hub",
                    },
                )
                csv_download(
                    schools.select("school", "town", "postcode", "hub_name"),
                    "schools-found.csv",
                    "Download these schools (CSV)",
                    key="find_schools_csv",
                )

    st.header("All hubs")
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
    st.dataframe(
        table,
        hide_index=True,
        height=420,
        key="hub_table",
        column_config=present.percent_config(table, "% of target", "% reached")
        | {"Website": st.column_config.LinkColumn(display_text="website")},
    )
    if note := present.legend(hubs):
        st.markdown(note)
    csv_download(
        table, f"maths-hubs-{year.replace('/', '-')}.csv", "Download the hub table (CSV)", key="hubs_csv"
    )
