"""UI pieces of the Work Group finder: headings, result cards, active-filter chips, the empty state.

Work Group titles, venues, eligibility and cost notes come from 40 hub websites, so they are untrusted:
they reach the page only through `md()` (every Markdown/HTML character backslash-escaped, and
shortcode colons broken) or `st.text`, never as HTML. Booking links must be http(s).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date

import polars as pl
import streamlit as st

from dashboard.charts.finder import hubs_map, outline_spec, results_map, with_outlines
from dashboard.data import demand
from dashboard.data import finder as data
from dashboard.data.db import snapshot_path
from dashboard.data.finder import Place
from dashboard.data.finder_params import Filters, to_params
from dashboard.data.ics import ics_file_name, safe_url, work_group_ics
from dashboard.downloads import offer
from pipelines.domain import md, year_label
from pipelines.vocab import vocab

PREFIX = "finder_"


class FinderState:
    """The finder's session state, under "finder_" keys: other pages key their widgets "year" too,
    and Streamlit's session state is shared by every page of a session."""

    def key(self, name: str) -> str:
        return PREFIX + name

    def __getitem__(self, name: str):
        return st.session_state[PREFIX + name]

    def __setitem__(self, name: str, value) -> None:
        st.session_state[PREFIX + name] = value

    def __contains__(self, name: str) -> bool:
        return PREFIX + name in st.session_state

    def get(self, name: str, default=None):
        return st.session_state.get(PREFIX + name, default)

    def pop(self, name: str, default=None):
        return st.session_state.pop(PREFIX + name, default)

    def update(self, values: Mapping[str, object]) -> None:
        st.session_state.update({PREFIX + k: v for k, v in values.items()})

    def setdefault(self, name: str, default):
        return st.session_state.setdefault(PREFIX + name, default)


state = FinderState()
MAP_LIMIT = 600  # more venues than this are drawn as one bubble per hub


def note(text: str) -> None:
    """Secondary text as plain Markdown (st.caption's grey fails WCAG AA contrast, 3.9:1), escaped."""
    st.markdown(f"*{md(text)}*")


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def phase_words(phases: tuple[str, ...]) -> str:
    labels = vocab("phase").labels
    words = [labels.get(p, p).lower() for p in phases]
    return " and ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)


def heading(n_near: int, n_online: int, f: Filters, place: Place | None, radius: int | None,
            year: int | None, current_year: int | None) -> str:  # fmt: skip
    """ "34 secondary Work Groups within 20 miles of GL55" (or "in England" without a place)."""
    what = " ".join(w for w in (phase_words(f.phases), "Work Group" if n_near == 1 else "Work Groups") if w)
    when = "" if year == current_year else (f" in {year_label(year)}" if year else " in any year")
    if place is not None:
        return f"{n_near:,} {what} within {radius} miles of {place.label}{when}"
    return f"{n_near + n_online:,} {what} in England{when}"


def dates_text(dates: list[date]) -> str:
    days = sorted(dates or [])
    if not days:
        return "Dates to be confirmed"
    shown = ", ".join(f"{d:%a} {d.day} {d:%b %Y}" for d in days)
    return f"{plural(len(days), 'session')}: {shown}"


def status_text(row: Mapping, labels: Mapping[str, str]) -> tuple[str, str]:
    status = str(row.get("status") or "")
    label = labels.get(status, status.capitalize() or "Status unknown")
    colour = {"open": "green", "full": "orange"}.get(status, "gray")
    left = row.get("places_left")
    if status == "open" and left is not None:
        label = f"{label} · {plural(int(left), 'place')} left"
    return label, colour


def card(
    row: Mapping, labels: Mapping[str, Mapping[str, str]], *, focused: bool = False, key: str = ""
) -> None:
    """One Work Group as a bordered card: every field the issue lists, booking link, calendar file."""
    wg = row["work_group_id"]
    with st.container(border=True, key=f"card-{key}{wg}"):
        badges = st.container(horizontal=True, gap="small")
        status, colour = status_text(row, labels["status"])
        if focused:
            badges.badge("Selected", icon=":material/location_on:", color="violet")
        badges.badge(status, color=colour)
        if row.get("is_online"):
            badges.badge("Online", icon=":material/videocam:", color="blue")
        elif row.get("distance_miles") is not None:
            badges.badge(f"{row['distance_miles']:.1f} miles", icon=":material/near_me:", color="gray")
        st.markdown(f"### {md(row['title'])}")
        code = f" · {md(row['project_code'])}" if row.get("project_code") else ""
        st.markdown(f"{md(row['programme_name'])}{code} · {md(row['hub_name'])}")
        phases = ", ".join(labels["phase"].get(p, p) for p in row.get("phases") or [])
        delivery = labels["delivery"].get(row["delivery"], row["delivery"])
        venue = "Online" if row.get("is_online") else ", ".join(
            md(row[k]) for k in ("venue_name", "venue_postcode") if row.get(k)) or "Venue to be confirmed"  # fmt: skip
        st.markdown(
            f"**Where:** {venue} · {md(delivery)}  \n**Phase:** {md(phases)}  \n"
            f"**When:** {md(dates_text(row.get('session_dates') or []))}  \n"
            f"**Cost:** {md(row.get('cost_note') or 'Ask the hub')}  \n"
            f"**Who it's for:** {md(row.get('eligibility') or 'See the hub page')}"
        )
        actions = st.container(horizontal=True, gap="small")
        url = safe_url(row.get("booking_url")) or safe_url(row.get("hub_website"))
        if url:
            actions.link_button("Book on the hub's site", url, icon=":material/open_in_new:",
                                help="Opens the hub's own page in a new tab")  # fmt: skip
        if row.get("session_dates"):
            actions.download_button(
                "Add to calendar (.ics)", data=lambda r=dict(row): work_group_ics(r), file_name=ics_file_name(row),
                mime="text/calendar", on_click="ignore", icon=":material/event:", key=f"ics-{key}{wg}",
            )  # fmt: skip


def chips(items: list[tuple[str, Callable[[], None]]], clear_all: Callable[[], None]) -> None:
    """Active filters, each a one-click remove button, and "Clear all"."""
    if not items:
        return
    row = st.container(horizontal=True, gap="small")
    row.markdown("**Active filters:**")
    for i, (label, remove) in enumerate(items):
        row.button(f"{label} ✕", key=f"chip-{i}", on_click=remove, help=f"Remove {label}", type="secondary")
    row.button("Clear all", key="chip-clear", on_click=clear_all, type="tertiary", icon=":material/close:")


# --- Empty state ---------------------------------------------------------------------------------

RELAX_LABELS = {  # filter -> (what the button says, the widget keys to reset)
    "phases": ("any phase", ("phase",)), "programmes": ("any programme", ("programme",)),
    "delivery": ("any delivery", ("delivery",)), "hubs": ("any hub", ("hub",)),
    "date_from": ("no earliest start date", ("from",)), "date_to": ("no latest start date", ("to",)),
    "open_only": ("closed and full ones too", ("open",)), "has_places": ("ones without places too", ("places",)),
    "year": ("all academic years", ("year",)),
}  # fmt: skip


def why_nothing(f: Filters, place: Place | None, radius: int | None, labels: Mapping[str, str],
                year: int | None) -> str:  # fmt: skip
    """The search in words: "No Work Groups are post-16, face-to-face and open for booking, within ..."."""
    parts = [phase_words(f.phases) if f.phases else "",
             " or ".join(labels.get(d, d).lower() for d in f.delivery),
             "in " + " or ".join(labels.get(p, p) for p in f.programmes) if f.programmes else "",
             "run by " + " or ".join(labels.get(h, h) for h in f.hubs) if f.hubs else "",
             "open for booking" if f.open_only else "", "with places left" if f.has_places else "",
             f"starting on or after {f.date_from:%d/%m/%Y}" if f.date_from else "",
             f"starting on or before {f.date_to:%d/%m/%Y}" if f.date_to else ""]  # fmt: skip
    parts = [p for p in parts if p]
    what = (", ".join(parts[:-1]) + " and " + parts[-1]) if len(parts) > 1 else "".join(parts) or "listed"
    where = f" within {radius} miles of {md(place.label)}" if place else ""
    when = f" in {year_label(year)}" if year else ""
    return f"**No Work Groups{when} are {md(what)}{where}.** Each filter narrows the search."


def empty_state(f: Filters, place: Place | None, radius: int | None, update: Callable[..., Callable[[], None]],
                defaults: Mapping[str, object], labels: Mapping[str, str], year: int | None) -> None:  # fmt: skip
    """Why nothing matched, and one-click ways out: wider radius, online, fewer filters, nearby hubs."""
    st.markdown(why_nothing(f, place, radius, labels, year))
    st.header("Try one of these")
    if place is not None:
        counts = data.cached_radius_counts(f, place)
        wider = [r for r in (5, 10, 20, 50) if r > (radius or 0)]
        if wider:
            st.markdown("**A wider radius**")
            row = st.container(horizontal=True, gap="small")
            for r in wider:
                row.button(f"{r} miles ({counts[f'r{r}']:,})", key=f"wider-{r}", disabled=not counts[f"r{r}"],
                           on_click=update(radius=r))  # fmt: skip
        if counts["unplaced"]:
            note(f"{plural(counts['unplaced'], 'Work Group')} matching your filters "
                       "have no known venue location, so a place search cannot include them.")  # fmt: skip
    if f.delivery and "online" not in f.delivery:
        n = data.cached_count(replace(f, delivery=(*f.delivery, "online")), place)
        st.button(f"Include online Work Groups ({n:,})", key="include-online", disabled=not n,
                  on_click=update(delivery=[*f.delivery, "online"]))  # fmt: skip
    relax = data.cached_relaxations(f, place)
    if relax:
        st.markdown("**Fewer filters**")
        row = st.container(horizontal=True, gap="small")
        for name, n in relax:
            label, keys = RELAX_LABELS[name]
            values = {"year": "all"} if name == "year" else {k: defaults[k] for k in keys}
            row.button(f"Show {label} ({n:,})", key=f"relax-{name}", on_click=update(**values))
    if place is not None or f.hubs:
        hubs = data.cached_hubs_with_matches(f, place)
        if not hubs.is_empty():
            st.markdown(
                "**Nearby hubs with matching Work Groups**" if place else "**Other hubs with matches**"
            )
            row = st.container(horizontal=True, gap="small")
            for hub_id, name, n, miles in hubs.select(
                "hub_id", "hub_name", "matches", "hub_distance_miles"
            ).iter_rows():
                away = f", {miles:.0f} miles away" if miles is not None else ""
                row.button(f"{md(name)} ({n:,}){away}", key=f"hub-{hub_id}", icon=":material/arrow_forward:",
                           on_click=update(hub=[hub_id], place="", radius=None),
                           help="Search this hub's Work Groups, wherever they are")  # fmt: skip
    if not (place or f.delivery or relax or f.hubs):
        st.markdown("There are no Work Groups in this build yet.")


def note_unmet_demand(f: Filters, year: int | None, place: Place | None, radius: int | None) -> None:
    """Log a zero-result search once per session: filters and the postcode district, never the place text."""
    district = place.district if place else None
    key = str(sorted(to_params(replace(f, page=1, sort=None, place=district or "")).items()))
    logged = state.setdefault("_logged", set())
    if key not in logged:
        logged.add(key)
        demand.log_zero_result(
            f, year, district, place.area_hub_id if place else None, radius if place else None
        )


# --- Map and online list -------------------------------------------------------------------------


def _picker(name: str, key: str, picked: str | None) -> None:
    """Focus follows whichever picker (map, online list) changed last; a re-keyed picker is not a change."""
    ss = state
    seen_key, seen = ss.get(f"_seen_{name}", (None, None))
    if (key, picked) != (seen_key, seen):
        ss[f"_seen_{name}"] = (key, picked)
        if picked or seen_key == key:
            ss["_focus"] = picked


@st.cache_resource(ttl="1h", max_entries=32, show_spinner=False)
def _outline_spec(
    snapshot: str, where: tuple[float, float] | None, radius: int | None, step: int
) -> dict | None:
    """The district outlines as a Vega-Lite layer, built once per snapshot and area: they are the bulk
    of the map and do not depend on the filters. Shared, not copied (`with_outlines` does not mutate it)."""
    del snapshot  # part of the cache key only
    outlines = (
        data.cached_outlines(where[0], where[1], radius * 1.6 + 10)
        if where
        else data.cached_outlines(None, None, 0)
    )
    return outline_spec(outlines, step)


def _outlines(where: tuple[float, float, str] | None, radius: int | None, step: int) -> dict | None:
    return _outline_spec(
        str(snapshot_path()), (where[0], where[1]) if where else None, radius if where else None, step
    )


@st.cache_data(ttl="10m", max_entries=64)
def _venues_spec(points: pl.DataFrame, where: tuple[float, float, str] | None, radius: int | None,
                 status_labels: dict[str, str]) -> dict:  # fmt: skip
    """The venues, place and ring as a Vega-Lite spec (without the outlines), cached: building and
    validating the Altair chart costs more than the rest of a rerun."""
    return results_map(points, None, where, radius, status_labels).to_dict()


@st.cache_data(ttl="10m", max_entries=64)
def _hubs_spec(by_hub: pl.DataFrame) -> dict:
    return hubs_map(by_hub, None).to_dict()


def side_panel(near: pl.DataFrame, online: pl.DataFrame, place: Place | None, radius: int | None,
               status_labels: Mapping[str, str], gen: int) -> str | None:  # fmt: skip
    """The map of venues (or of hubs when there are too many) and the online Work Groups; returns the
    focused Work Group id. Pickers are keyed by `gen`, which the page bumps to clear them."""
    ss = state
    mapped = near.drop_nulls("venue_latitude")
    if mapped.height > MAP_LIMIT:
        st.markdown(f"**{mapped.height:,} venues, too many to map one by one.** Each bubble is a hub: click one "
                    "to filter by it, or enter a place.")  # fmt: skip
        by_hub = mapped.group_by("hub_id", "hub_name", "hub_latitude", "hub_longitude").agg(
            pl.len().alias("matches")
        )
        key = ss.key(f"hubs-{gen}")
        st.vega_lite_chart(with_outlines(_hubs_spec(by_hub.sort("hub_id")), _outlines(None, None, 4)), key=key, on_select=lambda: ss.update(
            {"hub": [p["hub_id"] for p in st.session_state[key].selection.get("hub_pick", [])][:1] or ss["hub"]}))  # fmt: skip
    elif mapped.height:
        points = mapped.select("work_group_id", "title", "hub_name", "venue_name", "venue_latitude",
                               "venue_longitude", "status", "distance_miles")  # fmt: skip
        where = (place.latitude, place.longitude, place.label) if place else None
        spec = _venues_spec(points, where, radius if place else None, dict(status_labels))
        spec = (
            with_outlines(spec, _outlines(where, radius, 1)) if where else spec
        )  # no outlines without a place
        event = st.vega_lite_chart(spec, key=ss.key(f"map-{gen}"), on_select="rerun")
        _picker(
            "map", f"map-{gen}", next((p["work_group_id"] for p in event.selection.get("pick", [])), None)
        )
        note("Click a venue to show its Work Group first in the list. Several Work Groups can share a venue.")
    if online.height:
        st.header(f"Online ({online.height:,})")
        note("Not on the map. Select one to show it first in the list."
             + (" Your area's hub comes first, then the nearest hubs." if place else ""))  # fmt: skip
        table = online.select("work_group_id", "title", "hub_name")
        event = st.dataframe(
            table, hide_index=True, on_select="rerun", selection_mode="single-row", key=ss.key(f"online-{gen}"),
            height=min(38 + 35 * table.height, 320), width="stretch",
            column_config={"work_group_id": None, "title": st.column_config.TextColumn("Work Group", width="medium"),
                           "hub_name": st.column_config.TextColumn("Hub", width="small")},
        )  # fmt: skip
        # Our own escaped download: the table toolbar's export is off (it exported live formulas).
        offer(table, "online-work-groups", "Download this list (CSV)", key=ss.key(f"online-csv-{gen}"))
        rows = event.selection.rows
        _picker("online", f"online-{gen}", table["work_group_id"][rows[0]] if rows else None)
    return ss.get("_focus")
