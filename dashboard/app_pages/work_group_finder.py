"""Find a Work Group: one search across all 40 hubs by phase, place and format (issue #2).

The URL is the search: `dashboard/finder_state.py` turns it into the widgets' state and the search,
and writes it back. Widgets are not `bind="query-params"` because bound widgets write their *labels*
(phase=Post-16) and the public interface uses codes.

The page body is a fragment, and the results (list and map) a fragment inside it: a filter change
reruns the finder without the app's navigation, and choosing a venue or an online group reruns only
the results (issue 13). The filters sit behind a labelled "Filters" button that closes when applied
(`dashboard/finder_filters.py`); on a phone a list / map switch shows one of the two stacked columns
(issue 16).
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import polars as pl
import streamlit as st

from dashboard import finder_state, run_gate
from dashboard import finder_ui as ui
from dashboard.data import finder as data
from dashboard.data.finder_params import (
    MAX_PAGE,
    PAGE_SIZE,
    RADII,
    Filters,
    year_start_for,
)
from dashboard.finder_filters import filters_panel
from pipelines.domain import year_label

ss = ui.state  # session state under "finder_" keys (other pages use "year" too)
look = data.cached_labels()
vocab, programmes, hub_names = look.vocab, look.programmes, look.hubs
current, today = data.cached_current_year(), data.cached_today()
years = sorted({*look.years, current}, reverse=True)  # the current year always
labels = {"status": vocab["status"], "phase": vocab["phase"], "delivery": vocab["delivery"]}
names = {**vocab["phase"], **vocab["delivery"], **programmes, **hub_names}
DEFAULTS = {
    "phase": [],
    "programme": [],
    "delivery": [],
    "hub": [],
    "year": current,
    "from": None,
    "to": None,
    "open": False,
    "places": False,
    "started": False,
    "place": "",
    "radius": None,
    "sort": None,
}
ui.page_styles()


def update(**values):
    """A callback that sets widget state (chips, empty-state links, 'show more', map focus)."""
    return lambda: ss.update(values)


@st.fragment
@run_gate.gated
def finder() -> None:
    raw = finder_state.url_params()
    finder_state.seed_from_url(raw, hub_names=hub_names, programmes=programmes, years=years, current=current)
    found = data.cached_place(ss["place"]) if ss["place"].strip() else None
    place = found if isinstance(found, data.Place) else None
    problem = found if isinstance(found, data.PlaceProblem) else None
    f = finder_state.resolve(raw, place, current)
    frame, near, online = data.cached_results(f, place)
    year, upcoming = year_start_for(f.year, current), data.cached_hides_started(f, place)
    title = ui.heading(near.height, online.height, f, place, ss["radius"], year, current, hub_names, upcoming)
    st.title(title, anchor=False)
    ui.announce(title)
    top = st.columns([3, 1, 1, 1], vertical_alignment="bottom")
    top[0].text_input(
        "Place: a postcode, postcode district or town",
        key=ss.key("place"),
        max_chars=60,
        placeholder="e.g. GL55 6LH, GL55 or Cheltenham",
    )
    top[1].selectbox(
        "Radius",
        RADII,
        key=ss.key("radius"),
        format_func=lambda r: f"{r} miles",
        disabled=place is None,
        placeholder="Enter a place",
        help="Online Work Groups are included whatever the radius.",
    )
    top[2].selectbox(
        "Sort by",
        list(finder_state.SORTS) if place else ["start", "title"],
        key=ss.key("sort"),
        format_func=finder_state.SORTS.get,
    )
    with top[3]:
        filters_panel(frame.height, vocab, programmes, hub_names, years)
    if problem:
        st.error(problem.message, icon=":material/wrong_location:")
        row = st.container(horizontal=True, gap="small")
        for town in problem.suggestions:
            label = ui.md(town) if problem.ambiguous else f"Did you mean {ui.md(town)}?"
            row.button(label, key=f"sugg-{town}", on_click=update(place=town))
    ui.chips(
        [
            (ui.md(names[v]), update(**{k: [x for x in ss[k] if x != v]}))
            for k in ("phase", "delivery", "programme", "hub")
            for v in ss[k]
        ]
        + ([("All years" if year is None else year_label(year), update(year=current))] if f.year else [])
        + ([(f"From {f.date_from:%d/%m/%Y}", update(**{"from": None}))] if f.date_from else [])
        + ([(f"To {f.date_to:%d/%m/%Y}", update(to=None))] if f.date_to else [])
        + ([("Open for booking", update(open=False))] if f.open_only else [])
        + ([("Has places", update(places=False))] if f.has_places else [])
        + ([("Including started", update(started=False))] if f.started else [])
        + ([(f"Near {ui.md(place.label)}", update(place="", radius=None))] if place else []),
        update(**DEFAULTS),
    )
    ui.place_notes(place, problem, online.height, look.have_directory)
    started = data.cached_count(replace(f, started=True), place) - frame.height if upcoming else 0
    if started:
        st.markdown(
            f"Sorted by start date, so only Work Groups that have not started yet are listed. "
            f"{ui.plural(started, 'more Work Group has', 'more Work Groups have')} already started."
        )
        st.button(
            f"Include the {started:,} that have started", key="include-started", on_click=update(started=True)
        )
    if place is not None and near.is_empty() and not online.is_empty():
        ui.wider_radius(f, place, ss["radius"], update, online=False)
    if frame.is_empty():
        if not started:  # nothing at all, not just nothing upcoming: say why and count the search
            ui.empty_state(f, place, ss["radius"], update, DEFAULTS, names, year, upcoming)
            ui.note_unmet_demand(f, year, place, ss["radius"])
            ui.note(
                "Searches that find nothing are counted (filters and postcode district only, never a full "
                "postcode) so hubs can see where Work Groups are wanted."
            )
        return
    results(f, place)
    if not st.context.is_embedded:
        with st.expander("Embed this search on your hub's website", icon=":material/code:"):
            st.markdown(
                "Paste this into a page of your website: it shows this search, kept up to date, "
                "without the Atlas's menus."
            )
            st.code(ui.embed_snippet(ss["_written"]), language="html", wrap_lines=True)


@st.fragment
@run_gate.gated
def results(f: Filters, place) -> None:
    """The list and the map: a choice on the map or in the online list reruns only this part.

    It takes the search's key, not its frames: a fragment keeps its arguments for the session's life
    (and 2 minutes after the tab closes), so frames passed in stayed alive once per session after the
    shared cache had let them go (server memory under load, issue 13)."""
    frame, near, online = data.cached_results(f, place)
    ss.setdefault("view", "list")
    st.segmented_control(
        "Show",
        ["list", "map"],
        key=ss.key("view"),
        required=True,
        format_func={"list": "List", "map": "Map"}.get,
    )
    view = ss.get("view") or "list"
    focus = ss.get("_focus") if ss.get("_focus") in frame["work_group_id"] else None
    chosen = frame.filter(pl.col("work_group_id") == focus).row(0, named=True) if focus else None
    ui.announce(f"Showing {chosen['title']} first, as chosen." if chosen else "")
    listing, side = st.columns([3, 2], gap="large")
    with side, st.container(key=f"finder-side-{view}"):
        ui.side_panel(f, near, online, place, ss["radius"], vocab["status"], ss.get("_map_gen", 0))
    with listing, st.container(key=f"finder-listing-{view}"):
        st.header(
            {"distance": "Nearest first", "start": "Starting soonest first", "title": "By title, A to Z"}[
                data.effective_sort(f, place)
            ],
            anchor=False,
        )
        shown = frame.head(PAGE_SIZE * f.page)
        if chosen:
            source = "on the map" if ss.get("_focus_from") == "map" else "in the online list"
            with st.container(key="finder-chosen"):
                st.markdown(f"**You chose this Work Group {source}:** it is shown first.")
                ui.card(chosen, labels, today, focused=True, key="focus-")
            st.button(
                "Clear the choice",
                icon=":material/close:",
                type="tertiary",
                on_click=update(_focus=None, _map_gen=ss.get("_map_gen", 0) + 1),
            )
            shown = shown.filter(pl.col("work_group_id") != focus)
            if ss.get("_scroll", 0) != ss.get("_scrolled", 0):
                ss["_scrolled"] = ss.get("_scroll", 0)
                ui.scroll_to_focused(ss["_scrolled"])
        for row in shown.iter_rows(named=True):
            ui.card(row, labels, today)
        ui.showing_note(min(frame.height, PAGE_SIZE * f.page), near.height, online.height, place)
        if frame.height > PAGE_SIZE * f.page and f.page < MAX_PAGE:
            st.button(
                f"Show {min(PAGE_SIZE, frame.height - PAGE_SIZE * f.page)} more",
                icon=":material/expand_more:",
                on_click=update(_page=f.page + 1),
            )
        ui.results_downloads(partial(data.cached_results, f, place), labels, today)


finder()
