"""The finder's page state: what the URL says becomes the widgets' state, the widgets' state becomes
the search's `Filters`, and the search is written back to the URL in its canonical form.

The URL is the search (`dashboard/data/finder_params.py` is its codec). Widgets are seeded from the
URL whenever it did not come from this page (first load, a shared link, a link from another page);
radius and sort follow what was typed until the teacher picks something else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import streamlit as st

from dashboard.data.finder import Place
from dashboard.data.finder_params import ALL_YEARS, RADII, Filters, default_sort, parse_params, to_params
from dashboard.finder_ui import state as ss

SORTS = {"distance": "Distance", "start": "Starting soonest", "title": "Title (A to Z)"}


def url_params() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params}


def seed_from_url(
    raw: Mapping[str, list[str]],
    *,
    hub_names: Mapping[str, str],
    programmes: Mapping[str, str],
    years: list[int],
    current: int,
) -> None:
    """Set the widgets from the URL unless this page wrote that URL itself."""
    if ss.get("_written") != to_params(parse_params(raw)) or "phase" not in ss:
        u = parse_params(raw)  # from outside this page: the URL wins; unknown codes and years are dropped
        ss.update(
            {
                "phase": list(u.phases),
                "delivery": list(u.delivery),
                "hub": [h for h in u.hubs if h in hub_names],
                "programme": [p for p in u.programmes if p in programmes],
                "open": u.open_only,
                "places": u.has_places,
                "started": u.started,
                "to": u.date_to,
                "place": u.place,
                "year": u.year if u.year == ALL_YEARS or u.year in years else current,
                "from": u.date_from,
                "radius": u.radius,
                "sort": u.sort,
                "_page": u.page,
            }
        )
        ss.pop("_search", None)


def resolve(raw: Mapping[str, list[str]], place: Place | None, current: int) -> Filters:
    """The search the widgets describe (with its page), written back to the URL if that differs."""
    # Radius and sort follow what was typed until the teacher picks something else.
    auto_radius, auto_sort = (place.default_radius if place else None), default_sort(place is not None)
    if place is None or ss["radius"] not in RADII or ss["radius"] == ss.get("_auto_radius", auto_radius):
        ss["radius"] = auto_radius
    if (
        ss["sort"] not in SORTS
        or (place is None and ss["sort"] == "distance")
        or ss["sort"] == ss.get("_auto_sort")
    ):
        ss["sort"] = auto_sort
    ss["_auto_radius"], ss["_auto_sort"] = auto_radius, auto_sort
    f = Filters(
        phases=tuple(ss["phase"]),
        programmes=tuple(ss["programme"]),
        delivery=tuple(ss["delivery"]),
        hubs=tuple(ss["hub"]),
        year=None if ss["year"] == current else ss["year"],
        date_from=ss["from"],
        date_to=ss["to"],
        open_only=ss["open"],
        has_places=ss["places"],
        started=ss["started"],
        place=ss["place"].strip(),
        radius=ss["radius"] if place and ss["radius"] != auto_radius else None,
        sort=None if ss["sort"] == auto_sort else ss["sort"],
    )
    if "_search" in ss and ss["_search"] != replace(f, sort=None):  # a new search: page 1, nothing focused
        ss["_page"], ss["_map_gen"] = 1, ss.get("_map_gen", 0) + 1
        ss.pop("_focus", None)
    ss["_search"], f = replace(f, sort=None), replace(f, page=ss.get("_page", 1))
    ss["_written"] = to_params(f)
    if raw != {k: v if isinstance(v, list) else [v] for k, v in ss["_written"].items()}:
        st.query_params.from_dict(ss["_written"])

    return f
