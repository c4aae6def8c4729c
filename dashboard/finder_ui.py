"""UI pieces of the Work Group finder: headings, result cards, active-filter chips, the empty state.

Work Group titles, venues, eligibility and cost notes come from 40 hub websites, so they are untrusted:
they reach the page only through `md()` (every Markdown/HTML character backslash-escaped, and
shortcode colons broken) or `st.text`, never as HTML. Booking links must be http(s).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from functools import partial
from urllib.parse import quote

import polars as pl
import streamlit as st

from dashboard import vega
from dashboard.charts.finder import hubs_map_spec, outline_spec, results_map_spec, with_outlines
from dashboard.data import demand
from dashboard.data import finder as data
from dashboard.data.db import snapshot_path
from dashboard.data.finder import Place
from dashboard.data.finder_params import Filters, to_params
from dashboard.data.ics import ics_file_name, safe_url, work_group_ics
from dashboard.downloads import csv_bytes, offer, standard_notes, xlsx_bytes
from dashboard.vega import ALTAIR_LOCK
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


def and_list(items: list[str]) -> str:
    """["A", "B", "C"] -> "A, B and C": lists are written in words, never "A;B"."""
    items = [i for i in items if i]
    return " and ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)


def heading(
    n_near: int,
    n_online: int,
    f: Filters,
    place: Place | None,
    radius: int | None,
    year: int | None,
    current_year: int | None,
    hub_names: Mapping[str, str] | None = None,
    upcoming: bool = False,
) -> str:
    """What was found, in words whose counts add up: "12 secondary Work Groups within 20 miles of GL55,
    and 18 online"; "No face-to-face ... within 20 miles of TR18; 18 online"; "52 Work Groups from GLOW
    Maths Hub" (a hub filter names the hub instead of "in England")."""

    def what(n: int) -> str:
        words = (
            "upcoming" if upcoming else "",
            phase_words(f.phases),
            "Work Group" if n == 1 else "Work Groups",
        )
        return " ".join(w for w in words if w)

    when = "" if year == current_year else (f" in {year_label(year)}" if year else " in any year")
    hubs = and_list([(hub_names or {}).get(h, h) for h in f.hubs])
    if place is not None:
        near = f"within {radius} miles of {place.label}" + (f", from {hubs}" if hubs else "")
        if n_near == 0 and n_online:
            return f"No face-to-face {what(0)} {near}{when}; {n_online:,} online"
        if n_near == 0:
            return f"No {what(0)} {near}{when}"
        return f"{n_near:,} {what(n_near)} {near}{when}" + (f", and {n_online:,} online" if n_online else "")
    total = n_near + n_online
    return f"{f'{total:,}' if total else 'No'} {what(total)} {'from ' + hubs if hubs else 'in England'}{when}"


def dates_text(dates: list[date]) -> str:
    days = sorted(dates or [])
    if not days:
        return "Dates to be confirmed"
    shown = ", ".join(f"{d:%a} {d.day} {d:%b %Y}" for d in days)
    return f"{plural(len(days), 'session')}: {shown}"


def booking_state(row: Mapping, today: date) -> tuple[str, str, bool]:
    """One clear answer to "can I still book?": (words, badge colour, whether to offer a Book link).

    Closed and full groups get no Book link; a group that has held a session says when it started and
    whether a late place can still be booked (the hub still takes bookings: open with places left)."""
    status = str(row.get("status") or "")
    left = row.get("places_left")
    days = sorted(row.get("session_dates") or [])
    first, last = (days[0], days[-1]) if days else (None, None)
    started = f"Started on {first.day} {first:%b %Y}" if first and first < today else ""
    if last and last < today:
        return f"Finished on {last.day} {last:%b %Y}: no longer taking bookings", "gray", False
    if status == "closed":
        return (f"{started}: bookings closed" if started else "Bookings closed"), "gray", False
    if status == "full" or (status == "open" and left is not None and int(left) <= 0):
        return (f"{started}: full, no places left" if started else "Full: no places left"), "orange", False
    if status == "open":
        places = f"{plural(int(left), 'place')} left" if left is not None else "places not published"
        if started:
            held = sum(1 for d in days if d < today)
            return (
                f"{started}: late joining possible ({places}, {held} of {len(days)} sessions held)",
                "green",
                True,
            )
        return f"Open for booking: {places}", "green", True
    return "Ask the hub about booking", "gray", bool(row.get("booking_url") or row.get("hub_website"))


def _where(row: Mapping, delivery_labels: Mapping[str, str]) -> str:
    """ "Online", or the venue and how it is delivered: never "Online · Online"."""
    if row.get("is_online"):
        return "Online"
    venue = (
        ", ".join(md(row[k]) for k in ("venue_name", "venue_postcode") if row.get(k))
        or "Venue to be confirmed"
    )
    delivery = row.get("delivery")
    if delivery == "blended":
        return f"{venue} · blended: some sessions online"
    return f"{venue} · {md(delivery_labels.get(delivery, delivery or '')).lower() or 'face-to-face'}"


def card(
    row: Mapping,
    labels: Mapping[str, Mapping[str, str]],
    today: date,
    *,
    focused: bool = False,
    key: str = "",
) -> None:
    """One Work Group as a bordered card in three elements (one Markdown block, the calendar button, in
    a bordered container): every field the issue lists, one "can I still book?" answer, the booking
    link, a calendar file built on download.

    Three, not six: each element is a message with its own bookkeeping on the server, and a page of
    twenty cards was a third of a search's messages (issue 13). The title is a heading inside the
    Markdown, without an anchor link (no extra tab stop per card); the Book link is a Markdown link
    (it opens in a new tab, as every Markdown link does) that FINDER_CSS draws as a button. The Book
    and calendar labels end in the Work Group's title, visually hidden (CSS below) so screen readers
    name the group."""
    wg = row["work_group_id"]
    with st.container(border=True, key=f"card-{key}{wg}"):
        answer, colour, can_book = booking_state(row, today)
        # Badges in words only: an icon's ligature name ("near_me") would be read out by screen readers.
        # The answer is our own text (no untrusted part), kept readable: md() would break its colons.
        badges = [":violet-badge[Selected]"] if focused else []
        badges.append(f":{colour}-badge[{answer.replace('[', '(').replace(']', ')')}]")
        if row.get("is_online"):
            badges.append(":blue-badge[Online]")
        elif row.get("distance_miles") is not None:
            badges.append(f":gray-badge[{row['distance_miles']:.1f} miles away]")
        code = f" · {md(row['project_code'])}" if row.get("project_code") else ""
        phases = and_list([labels["phase"].get(p, p) for p in row.get("phases") or []])
        hidden = f" *for {md(row['title'])}*"  # read by screen readers, hidden on screen by FINDER_CSS
        url = safe_url(row.get("booking_url")) or safe_url(row.get("hub_website"))
        book = ""
        if url and can_book:
            late = "Book a late place" if row.get("has_started") else "Book"
            book = f'\n\n[{late} on the hub\'s site{hidden}]({link_target(url)} "{BOOK_HELP}")'
        st.markdown(
            f"### {md(row['title'])}\n\n"
            + " ".join(badges)
            + f"  \n{md(row['programme_name'])}{code} · {md(row['hub_name'])}  \n"
            f"**Where:** {_where(row, labels['delivery'])}  \n**Phase:** {md(phases)}  \n"
            f"**When:** {md(dates_text(row.get('session_dates') or []))}  \n"
            f"**Cost:** {md(row.get('cost_note') or 'Ask the hub')}  \n"
            f"**Who it's for:** {md(row.get('eligibility') or 'See the hub page')}" + book,
            anchors=False,
        )
        if row.get("session_dates"):
            st.download_button(
                f"Add to calendar (.ics){hidden}",
                data=lambda r=dict(row): work_group_ics(r),
                file_name=ics_file_name(row),
                mime="text/calendar",
                on_click="ignore",
                icon=":material/event:",
                key=f"ics-{key}{wg}",
            )


BOOK_HELP = "Opens the hub's own page in a new tab"


def link_target(url: str) -> str:
    """`url` (already http(s), see `safe_url`) as a Markdown link destination: the characters that would
    end or break one are percent-encoded, so a link from a hub's site cannot smuggle Markdown."""
    return url.translate(LINK_ESCAPES)


LINK_ESCAPES = str.maketrans({c: f"%{ord(c):02X}" for c in ' ()<>"\\\n\r\t'})


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
    "phases": ("any phase", ("phase",)),
    "programmes": ("any programme", ("programme",)),
    "delivery": ("any delivery", ("delivery",)),
    "hubs": ("any hub", ("hub",)),
    "date_from": ("no earliest start date", ("from",)),
    "date_to": ("no latest start date", ("to",)),
    "open_only": ("closed and full ones too", ("open",)),
    "has_places": ("ones without places too", ("places",)),
    "year": ("all academic years", ("year",)),
    "started": ("ones that have already started", ("started",)),
}


def why_nothing(
    f: Filters,
    place: Place | None,
    radius: int | None,
    labels: Mapping[str, str],
    year: int | None,
    upcoming: bool = False,
) -> str:
    """The search in words: "No Work Groups are post-16, face-to-face and open for booking, within ..."."""
    parts = [
        phase_words(f.phases) if f.phases else "",
        " or ".join(labels.get(d, d).lower() for d in f.delivery),
        "in " + " or ".join(labels.get(p, p) for p in f.programmes) if f.programmes else "",
        "run by " + " or ".join(labels.get(h, h) for h in f.hubs) if f.hubs else "",
        "open for booking" if f.open_only else "",
        "with places left" if f.has_places else "",
        f"starting on or after {f.date_from:%d/%m/%Y}" if f.date_from else "",
        f"starting on or before {f.date_to:%d/%m/%Y}" if f.date_to else "",
        "not yet started" if upcoming else "",
    ]
    parts = [p for p in parts if p]
    what = (", ".join(parts[:-1]) + " and " + parts[-1]) if len(parts) > 1 else "".join(parts) or "listed"
    where = f" within {radius} miles of {md(place.label)}" if place else ""
    when = f" in {year_label(year)}" if year else ""
    return f"**No Work Groups{when} are {md(what)}{where}.** Each filter narrows the search."


def wider_radius(
    f: Filters,
    place: Place,
    radius: int | None,
    update: Callable[..., Callable[[], None]],
    *,
    online: bool = True,
) -> None:
    """One-click wider radii with what each would find (`online`: counting online groups too)."""
    counts = data.cached_radius_counts(f, place)
    wider = [r for r in (5, 10, 20, 50) if r > (radius or 0)]
    if wider:
        st.markdown("**A wider radius**" if online else "**Face-to-face Work Groups further away**")
        row = st.container(horizontal=True, gap="small")
        for r in wider:
            n = counts[f"r{r}"] - (0 if online else counts["online"])
            row.button(f"{r} miles ({n:,})", key=f"wider-{r}", disabled=not n, on_click=update(radius=r))
    if counts["unplaced"]:
        note(
            f"{plural(counts['unplaced'], 'Work Group')} matching your filters "
            "have no known venue location, so a place search cannot include them."
        )


def empty_state(
    f: Filters,
    place: Place | None,
    radius: int | None,
    update: Callable[..., Callable[[], None]],
    defaults: Mapping[str, object],
    labels: Mapping[str, str],
    year: int | None,
    upcoming: bool = False,
) -> None:
    """Why nothing matched, and one-click ways out: wider radius, online, fewer filters, nearby hubs."""
    st.markdown(why_nothing(f, place, radius, labels, year, upcoming))
    st.header("Try one of these", anchor=False)
    if place is not None:
        wider_radius(f, place, radius, update)
    if f.delivery and "online" not in f.delivery:
        n = data.cached_count(replace(f, delivery=(*f.delivery, "online")), place)
        st.button(
            f"Include online Work Groups ({n:,})",
            key="include-online",
            disabled=not n,
            on_click=update(delivery=[*f.delivery, "online"]),
        )
    relax = data.cached_relaxations(f, place)
    if relax:
        st.markdown("**Fewer filters**")
        row = st.container(horizontal=True, gap="small")
        for name, n in relax:
            label, keys = RELAX_LABELS[name]
            values = (
                {"year": "all"}
                if name == "year"
                else {"started": True}
                if name == "started"
                else {k: defaults[k] for k in keys}
            )
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
                row.button(
                    f"{md(name)} ({n:,}){away}",
                    key=f"hub-{hub_id}",
                    icon=":material/arrow_forward:",
                    on_click=update(hub=[hub_id], place="", radius=None),
                    help="Search this hub's Work Groups, wherever they are",
                )
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


def pick(name: str, key: str, ids: list[str] | None = None) -> None:
    """Callback of a picker (the venue map, the online list): the chosen Work Group becomes the focused
    card, the phone view switches to the list, and the page scrolls to the card and says so. Clearing
    a picker clears the focus only if that picker set it."""
    ss = state
    selection = st.session_state[key].selection
    if ids is None:  # the map: the point's work_group_id
        picked = next((p["work_group_id"] for p in selection.get("pick", [])), None)
    else:  # the online table: a row number
        picked = ids[selection.rows[0]] if selection.rows else None
    if picked:
        ss.update(
            {"_focus": picked, "_focus_from": name, "_scroll": ss.get("_scroll", 0) + 1, "view": "list"}
        )
    elif ss.get("_focus_from") == name:
        ss.update({"_focus": None, "_focus_from": None})


@st.cache_resource(ttl=data.HOUR, max_entries=32, show_spinner=False)
def _outline_spec(
    snapshot: str, where: tuple[float, float] | None, radius: int | None, hubs: tuple[str, ...], step: int
) -> dict | None:
    """The district outlines (and the chosen hubs' districts, which draw the hub boundary) as Vega-Lite
    layers, built once per snapshot and area: they are the bulk of the map and do not depend on the other
    filters. Shared, not copied (`with_outlines` does not mutate it)."""
    del snapshot  # part of the cache key only
    if where:
        outlines = data.cached_outlines(where[0], where[1], radius * 1.6 + 10)
    elif hubs:
        outlines = data.cached_hub_outlines(hubs)
    else:
        outlines = data.cached_outlines(None, None, 0)
    if hubs and not outlines.is_empty():
        outlines = outlines.with_columns(in_hub=pl.col("hub_id").is_in(list(hubs)))
    with ALTAIR_LOCK:  # Altair's globals are Streamlit's while another session draws a chart
        return outline_spec(outlines, step)


def _outlines(where: tuple[float, float, str] | None, radius: int | None, hubs: tuple[str, ...], step: int):
    return _outline_spec(
        str(snapshot_path()), (where[0], where[1]) if where else None, radius if where else None, hubs, step
    )


def side_panel(
    f: Filters,
    near: pl.DataFrame,
    online: pl.DataFrame,
    place: Place | None,
    radius: int | None,
    status_labels: Mapping[str, str],
    gen: int,
) -> None:
    """The map of venues over district outlines (and the chosen hub's boundary), or of hubs when there are
    too many venues, and the online Work Groups. Pickers are keyed by `gen`, which the page bumps to clear
    them; their callbacks set the focused card."""
    ss = state
    mapped = near.drop_nulls("venue_latitude")
    if mapped.height > MAP_LIMIT:
        st.markdown(
            f"**{mapped.height:,} venues, too many to map one by one.** Each bubble is a hub: click one "
            "to filter by it, or enter a place."
        )
        by_hub = mapped.group_by("hub_id", "hub_name", "hub_latitude", "hub_longitude").agg(
            pl.len().alias("matches")
        )
        key = ss.key(f"hubs-{gen}")
        with ALTAIR_LOCK:  # the template is built by Altair's to_dict on first use
            spec = hubs_map_spec(by_hub.sort("hub_id"))
        vega.vega_lite_chart(
            vega.PreparedChart(with_outlines(spec, _outlines(None, None, (), 4)), None),
            key=key,
            on_select=lambda: ss.update(
                {
                    "hub": [p["hub_id"] for p in st.session_state[key].selection.get("hub_pick", [])][:1]
                    or ss["hub"]
                }
            ),
        )
    elif mapped.height:
        where = (place.latitude, place.longitude, place.label) if place else None
        with ALTAIR_LOCK:  # the template is built by Altair's to_dict on first use
            spec = results_map_spec(mapped, where, radius if place else None, dict(status_labels))
        spec = with_outlines(spec, _outlines(where, radius, f.hubs, 1 if where else 3))
        key = ss.key(f"map-{gen}")
        vega.vega_lite_chart(vega.PreparedChart(spec, None), key=key, on_select=partial(pick, "map", key))
        note(
            "Choose a venue to show its Work Group first in the list. Several Work Groups can share a venue."
            + (" The dark outline is the hub's area." if f.hubs else "")
        )
    if online.height:
        st.header(f"Online ({online.height:,})", anchor=False)
        note(
            "Not on the map. Choose one to show it first in the list."
            + (" Your area's hub comes first, then the nearest hubs." if place else "")
        )
        table = online.select("work_group_id", "title", "hub_name")
        key = ss.key(f"online-{gen}")
        # Our own escaped download beside it: the table toolbar's export is off (it exported live formulas).
        offer(
            table.drop("work_group_id"),
            "online-work-groups",
            "Download this list (CSV)",
            key=ss.key(f"online-csv-{gen}"),
        )
        st.dataframe(
            table,
            hide_index=True,
            on_select=partial(pick, "online", key, table["work_group_id"].to_list()),
            selection_mode="single-row",
            key=key,
            height=min(38 + 35 * table.height, 320),
            width="stretch",
            column_config={
                "work_group_id": None,
                "title": st.column_config.TextColumn("Work Group", width="medium"),
                "hub_name": st.column_config.TextColumn("Hub", width="small"),
            },
        )


# --- Page furniture: styles, live region, scrolling, embedding, downloads ---------------------------

# Why each rule (the focus ring on every control is app.py's, for all pages): the
# italic end of a card's Book/calendar label is the Work Group's title for screen readers only; the
# list/map switch is for phones, where the two columns stack and the map would sit below 20 cards.
FINDER_CSS = """<style>
[class*="st-key-card-"] [data-testid="stMarkdownContainer"] a em,
[class*="st-key-card-"] [data-testid="stDownloadButton"] em {
  position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
/* A card's Book link (the last paragraph of its Markdown, nothing else in it) drawn as a button. */
[class*="st-key-card-"] [data-testid="stMarkdownContainer"] p:last-child > a:only-child {
  display: inline-block; padding: 0.25rem 0.75rem; border: 1px solid rgba(49, 51, 63, 0.2);
  border-radius: 0.5rem; color: inherit; text-decoration: none; line-height: 1.6; }
[class*="st-key-card-"] [data-testid="stMarkdownContainer"] p:last-child > a:only-child:hover {
  border-color: currentColor; }
[class*="st-key-card-"] [data-testid="stMarkdownContainer"] p:last-child > a:only-child::after {
  content: " \\2197" / ""; }  /* an arrow: it leaves the Atlas (empty alternative text: not read out) */
.st-key-finder-chosen { scroll-margin-top: 4rem; }  /* clear of the fixed header when scrolled to */
.finder-sr {
  position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap;
}
@media (min-width: 641px) { .st-key-finder_view { display: none; } }
@media (max-width: 640px) { .st-key-finder-side-list, .st-key-finder-listing-map { display: none; } }
</style>"""


def page_styles() -> None:
    st.html(FINDER_CSS)


def place_notes(place: Place | None, problem: object, n_online: int, have_directory: bool) -> None:
    """How the place was placed (and its caveats), or what the page does without one."""
    if place:
        outside = (
            ""
            if place.country in (None, "England")
            else (f" {place.label} is in {place.country}: Maths Hubs serve England.")
        )
        note(place.note + outside + " Online Work Groups are listed whatever the distance.")
    elif problem:
        note("Showing Work Groups anywhere in England until the place is corrected.")
    elif have_directory:
        note("Enter a place to see the nearest Work Groups first.")
    else:
        note(
            "Enter a town or council area to see the nearest Work Groups first. "
            "The postcode directory is not "
            "loaded in this build, so most postcodes can't be placed: the filters work as usual."
        )


def showing_note(shown: int, n_near: int, n_online: int, place: Place | None) -> None:
    """ "Showing 20 of 136 Work Groups: the 11 within reach first, then 125 online": counts that add up."""
    total = n_near + n_online
    parts = (
        f": the {n_near:,} near you first, then {n_online:,} online" if place and n_near and n_online else ""
    )
    note(f"Showing {shown:,} of {plural(total, 'Work Group')}{parts}.")


def announce(text: str) -> None:
    """A polite live region: screen readers hear the new result count (WCAG 4.1.3). It stays at the
    same place in the page, so a rerun updates its text rather than inserting a new region."""
    st.html(f'<div class="finder-sr" role="status" aria-live="polite">{html.escape(text)}</div>')


def scroll_to_focused(nonce: int) -> None:
    """Bring the chosen Work Group's card into view and move focus to its heading (the nonce makes each
    choice a new script, so choosing the same venue twice scrolls twice). The script is a constant."""
    st.html(
        f"""<script data-nonce="{int(nonce)}">
        setTimeout(() => {{
          const card = document.querySelector(".st-key-finder-chosen");
          if (!card) return;
          card.scrollIntoView({{behavior: "instant", block: "start"}});
          const h = card.querySelector("h3");
          if (h) {{ h.setAttribute("tabindex", "-1"); h.focus({{preventScroll: true}}); }}
        }}, 150);
        </script>""",
        unsafe_allow_javascript=True,
    )


def embed_snippet(params: Mapping[str, str | list[str]]) -> str:
    """An iframe a hub can paste into its website: this search, without the app's chrome."""
    if "_base_url" not in state:  # st.context.url parses the request each call: once per session
        state["_base_url"] = (st.context.url or "").split("?")[0] or "https://YOUR-ATLAS-ADDRESS/finder"
    base = state["_base_url"]
    query = "&".join(
        f"{k}={quote(v)}"
        for k, vs in {"embed": "true", **params}.items()
        for v in ([vs] if isinstance(vs, str) else vs)
    )
    return (
        f'<iframe src="{html.escape(base)}?{html.escape(query)}" title="Find a Maths Hubs Work Group" '
        'width="100%" height="900" style="border:0" loading="lazy"></iframe>'
    )


def results_table(frame: pl.DataFrame, labels: Mapping[str, Mapping[str, str]], today: date) -> pl.DataFrame:
    """The results as a table for download: lists in words, the booking answer of each card."""
    rows = [
        {
            "Work Group": r["title"],
            "Hub": r["hub_name"],
            "Programme": r["programme_name"],
            "Project code": r.get("project_code"),
            "Phases": and_list([labels["phase"].get(p, p) for p in r.get("phases") or []]),
            "Where": "Online"
            if r.get("is_online")
            else ", ".join(str(r[k]) for k in ("venue_name", "venue_postcode") if r.get(k)),
            "Delivery": labels["delivery"].get(r["delivery"], r["delivery"]),
            "Miles away": None if r.get("distance_miles") is None else round(r["distance_miles"], 1),
            "Session dates": ", ".join(f"{d.day} {d:%b %Y}" for d in sorted(r.get("session_dates") or [])),
            "Can I book?": booking_state(r, today)[0],
            "Booking link": safe_url(r.get("booking_url")) or safe_url(r.get("hub_website")),
        }
        for r in frame.iter_rows(named=True)
    ]
    return pl.DataFrame(rows, infer_schema_length=None)


def results_downloads(
    found: Callable[[], tuple[pl.DataFrame, ...]], labels: Mapping[str, Mapping[str, str]], today: date
) -> None:
    """The results as CSV (UTF-8 with a byte-order mark, so Excel reads "Möbius") and XLSX, formula-safe
    (the shared downloads module); the table is built only when a file is downloaded, not every rerun.

    `found()` gives the search's frames (the shared cache) at download time: a callback holding the
    frame itself kept it alive in every session until its next rerun."""
    row = st.container(horizontal=True, gap="small")
    table = lambda: results_table(found()[0], labels, today)  # noqa: E731
    row.download_button(
        "Download these results (CSV)",
        data=lambda: csv_bytes(table()),
        file_name="work-groups.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        key="results-csv",
    )
    row.download_button(
        "Download these results (XLSX)",
        on_click="ignore",
        icon=":material/download:",
        key="results-xlsx",
        data=lambda: xlsx_bytes(table(), standard_notes(True, "Work Groups")),
        file_name="work-groups.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
