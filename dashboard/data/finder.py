"""SQL for the Work Group finder: place resolution, the search, and the empty-state helpers.

The core functions take a DuckDB connection (or cursor) and plain values, so tests run them on a
real warehouse without Streamlit; the `cached_*` wrappers at the bottom are what the page calls.
Every statement takes its inputs as parameters. The only SQL text chosen at run time is the ORDER
BY clause, and that comes from the SORT_ORDERS allow-list, never from the URL.

Distances are great-circle miles from the snapshot's `haversine_miles` macro (pipelines/domain.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

import polars as pl
import streamlit as st

from dashboard.data.finder_params import (
    ALL_YEARS,
    RADII,
    Filters,
    PlaceQuery,
    classify_place,
    default_radius,
    year_start_for,
)
from pipelines import domain

# TTLs in seconds, not "10m": Streamlit parses a string TTL with pandas on every cached call (~0.7 ms).
TEN_MINUTES, HOUR = 600, 3600
CACHE = {"ttl": TEN_MINUTES, "max_entries": 256}


@dataclass(frozen=True)
class Place:
    """Where the teacher searched from, and how precisely we could place it."""

    query: PlaceQuery
    label: str  # what the heading says: "GL55 6LH", "GL55", "Cheltenham"
    latitude: float
    longitude: float
    precision: str  # postcode | district | council | schools | town
    note: str  # the caveat said on screen
    district: str | None = None  # the postcode district, the only place detail ever logged
    country: str | None = None
    lad_code: str | None = None
    area_hub_id: str | None = None

    @property
    def coarse(self) -> bool:
        return self.precision == "council"

    @property
    def default_radius(self) -> int:
        return default_radius(self.query, coarse=self.coarse)


@dataclass(frozen=True)
class PlaceProblem:
    """The place could not be used: a plain message, and maybe some towns it could have meant."""

    text: str
    message: str
    suggestions: tuple[str, ...] = ()
    ambiguous: bool = False  # several places share the name: the suggestions are the choices


# --- Place resolution ----------------------------------------------------------------------------


def _rows(con, sql: str, params: dict | list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()  # fetch all: DuckDB 2 results stream


def _area_hub(con, lad_code: str | None) -> str | None:
    if not lad_code:
        return None
    rows = _rows(con, "SELECT hub_id FROM hub_areas WHERE lad_code = ?", [lad_code])
    return rows[0][0] if rows else None


def _district_point(con, district: str) -> tuple | None:
    """(lat, lon, precision, country, lad_code) for a postcode district, best source first."""
    rows = _rows(
        con,
        "SELECT latitude, longitude, country, lad_code FROM postcode_districts WHERE district = ?",
        [district],
    )
    if rows:
        lat, lon, country, lad = rows[0]
        return lat, lon, "district", country, lad
    rows = _rows(
        con,
        "SELECT centroid_lat, centroid_lon, lad_code FROM hub_areas WHERE postcode_district = ? "
        "AND centroid_lat IS NOT NULL ORDER BY lad_code LIMIT 1",
        [district],
    )
    if rows:
        lat, lon, lad = rows[0]
        return lat, lon, "council", "England", lad
    rows = _rows(
        con,
        "SELECT avg(latitude), avg(longitude), mode(lad_code), count(*) FROM schools "
        "WHERE postcode LIKE ? || ' %' AND latitude IS NOT NULL",
        [district],
    )
    if rows and rows[0][3]:
        lat, lon, lad, _ = rows[0]
        return lat, lon, "schools", "England", lad
    return None


def _have_postcode_directory(con) -> bool:
    return bool(_rows(con, "SELECT count(*) FROM postcode_districts")[0][0])


def resolve_place(con, text: str) -> Place | PlaceProblem | None:
    """A full postcode, a postcode district or a town -> a point. None when nothing was typed."""
    q = classify_place(text)
    if q.kind == "empty":
        return None
    if q.kind == "invalid":
        return PlaceProblem(
            q.text,
            f"“{q.text}” doesn't look like a UK postcode or a town. Try a full postcode (GL55 6LH), "
            "a postcode district (GL55) or a town (Cheltenham).",
        )
    if q.kind == "postcode":
        rows = _rows(
            con,
            "SELECT latitude, longitude, lad_code FROM schools WHERE replace(upper(postcode), ' ', '') = ? "
            "AND latitude IS NOT NULL LIMIT 1",
            [q.text.replace(" ", "")],
        )
        if rows:
            lat, lon, lad = rows[0]
            return Place(
                q,
                q.text,
                lat,
                lon,
                "postcode",
                f"Distances are measured from {q.text}.",
                q.district,
                "England",
                lad,
                _area_hub(con, lad),
            )
    if q.kind in {"postcode", "district"}:
        point = _district_point(con, q.district)
        if point is None:
            missing = (
                ""
                if _have_postcode_directory(con)
                else (
                    " The postcode directory is not loaded in this build, so only some districts are known: "
                    "try a town or council area, or use the filters without a place."
                )
            )
            return PlaceProblem(q.text, f"We couldn't find the postcode district {q.district}.{missing}")
        lat, lon, precision, country, lad = point
        if precision == "district":
            note = (
                f"Distances are measured from the centre of postcode district {q.district}, "
                "which can be a few miles from a given address."
            )
        elif precision == "council":
            note = (
                f"The postcode directory is not loaded, so {q.district} is placed at the centre of its "
                "council district: distances are approximate (several miles)."
            )
        else:
            note = (
                f"{q.district} is placed at the average position of its schools: distances are approximate."
            )
        return Place(q, q.text, lat, lon, precision, note, q.district, country, lad, _area_hub(con, lad))
    return _resolve_town(con, q)


SAME_PLACE_MILES = 15.0  # schools of one postal town further apart than this are in different places


def _town_groups(con, town: str, qualifier: str | None) -> list[tuple]:
    """Schools whose postal town is `town`, grouped by county (upper-tier authority), biggest first:
    (county, district name, lad_code, label, n, lat, lon). `qualifier` keeps one county or district."""
    return _rows(
        con,
        """
        SELECT CASE WHEN a.region_name = 'London' THEN 'London' ELSE coalesce(a.ctyua_name, s.la_name, '') END
                   AS county, mode(a.lad_name) AS district,
               mode(s.lad_code) AS lad_code,
               coalesce(mode(s.town) FILTER (WHERE s.town <> upper(s.town)), mode(s.town)) AS label,
               count(*) AS n, avg(s.latitude) AS lat, avg(s.longitude) AS lon
        FROM schools AS s LEFT JOIN hub_areas AS a USING (lad_code)
        WHERE replace(lower(s.town), '.', '') = replace(lower(?), '.', '') AND s.latitude IS NOT NULL
          AND (? IS NULL OR lower(a.ctyua_name) = lower(?) OR lower(a.lad_name) = lower(?)
               OR lower(s.la_name) = lower(?) OR (lower(?) = 'london' AND a.region_name = 'London'))
        GROUP BY ALL ORDER BY n DESC, county
        """,
        [town, qualifier, qualifier, qualifier, qualifier, qualifier],
    )


def _miles(con, lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle miles by the snapshot's one `haversine_miles` definition."""
    return _rows(con, "SELECT haversine_miles(?, ?, ?, ?)", [lat1, lon1, lat2, lon2])[0][0]


def town_places(con, town: str, qualifier: str | None = None) -> list[dict]:
    """The distinct places called `town`: its schools grouped by county, and counties whose schools lie
    within SAME_PLACE_MILES of a bigger group's centre joined to it (a postal town crossing a county
    line). Two places are never averaged: "St Ives" is one in Cornwall and one in Cambridgeshire."""
    places: list[dict] = []
    for county, district, lad, label, n, lat, lon in _town_groups(con, town, qualifier):
        home = next(
            (p for p in places if _miles(con, p["lat"], p["lon"], lat, lon) <= SAME_PLACE_MILES), None
        )
        if home is None:
            places.append(
                {
                    "county": county,
                    "district": district,
                    "lad_code": lad,
                    "label": label,
                    "n": n,
                    "lat": lat,
                    "lon": lon,
                    "sum_lat": lat * n,
                    "sum_lon": lon * n,
                }
            )
        else:  # the same town across a county line: one place, weighted by schools
            home["n"] += n
            home["sum_lat"] += lat * n
            home["sum_lon"] += lon * n
            home["lat"], home["lon"] = home["sum_lat"] / home["n"], home["sum_lon"] / home["n"]
    return places


def _resolve_town(con, q: PlaceQuery) -> Place | PlaceProblem:
    town, _, qualifier = q.text.partition(",")
    town, qualifier = town.strip(), qualifier.strip() or None
    places = town_places(con, town, qualifier)
    for p in places:  # as typed ("St Ives"), unless the register has it in another case ("Ashby-de-la-Zouch")
        p["label"] = town if town.lower() != town and town.upper() != town else p["label"]
    if len(places) > 1:
        options = tuple(f"{p['label']}, {p['county'] or p['district']}" for p in places)
        return PlaceProblem(
            q.text,
            f"There is more than one {places[0]['label']}: which one do you mean? "
            + " or ".join(options)
            + ".",
            options,
            ambiguous=True,
        )
    if places:
        p = places[0]
        name, lat, lon, lad = p["label"], p["lat"], p["lon"], p["lad_code"]
        label = f"{name}, {p['county']}" if qualifier and p["county"] else name
        precision = "town"
    else:
        rows = _rows(
            con,
            "SELECT lad_name, centroid_lat, centroid_lon, lad_code FROM hub_areas "
            "WHERE lower(lad_name) = lower(?) AND centroid_lat IS NOT NULL",
            [q.text],
        )
        if not rows:
            return PlaceProblem(
                q.text, f"We couldn't find a town called “{q.text}”.", town_suggestions(con, q.text)
            )
        name, lat, lon, lad = rows[0]
        label = name
        precision = "council"
    district = _nearest_district(con, lat, lon)
    note = f"Distances are measured from the centre of {label} (the average position of its schools)."
    if precision == "council":
        note = f"Distances are measured from the centre of the council district {name}."
    return Place(
        replace(q, district=district),
        label,
        lat,
        lon,
        precision,
        note,
        district,
        "England",
        lad,
        _area_hub(con, lad),
    )


def _nearest_district(con, lat: float, lon: float) -> str | None:
    rows = _rows(
        con,
        "SELECT district FROM postcode_districts "
        "ORDER BY (latitude - ?) ** 2 + ((longitude - ?) * 0.62) ** 2 "
        "LIMIT 1",
        [lat, lon],
    )
    return rows[0][0] if rows else None


def town_suggestions(con, text: str, limit: int = 3) -> tuple[str, ...]:
    rows = _rows(
        con,
        """
        SELECT name FROM (
            SELECT DISTINCT town AS name FROM schools WHERE town IS NOT NULL
            UNION SELECT lad_name FROM hub_areas
        )
        WHERE jaro_winkler_similarity(lower(name), lower(?)) >= 0.85
        ORDER BY jaro_winkler_similarity(lower(name), lower(?)) DESC, name
        LIMIT ?
        """,
        [text, text, limit * 2],
    )
    names: dict[str, str] = {}
    for (name,) in rows:  # the register spells some towns in capitals: prefer the mixed-case one
        if name.lower() not in names or names[name.lower()].isupper():
            names[name.lower()] = name
    return tuple(names.values())[:limit]


# --- The search ----------------------------------------------------------------------------------

# Every column a card, the map, the online list, a download or a calendar file shows; not the ones
# only the mart's other readers use (the cached searches hold every row of each result).
_MATCHES = """
WITH matches AS (
    SELECT
        s.* EXCLUDE (academic_year, pd_kind, venue_location_source, n_sessions, last_session, capacity,
                     is_sample, programme_id),
        s.delivery = 'online' AS is_online,
        CASE WHEN s.delivery <> 'online' AND $lat IS NOT NULL AND s.venue_latitude IS NOT NULL
             THEN haversine_miles($lat, $lon, s.venue_latitude, s.venue_longitude) END AS distance_miles,
        CASE WHEN $lat IS NOT NULL AND h.map_latitude IS NOT NULL
             THEN haversine_miles($lat, $lon, h.map_latitude, h.map_longitude) END AS hub_distance_miles,
        s.hub_id = $area_hub AS is_area_hub,
        s.first_session < $today AS has_started,
        len(list_filter(s.session_dates, lambda d: d < $today)) AS sessions_held,
        h.map_latitude AS hub_latitude, h.map_longitude AS hub_longitude
    FROM mart_work_group_search AS s
    LEFT JOIN hubs AS h USING (hub_id)
    WHERE (len($phases) = 0 OR list_has_any(s.phases, $phases))
      AND (len($programmes) = 0 OR list_contains($programmes, s.programme_id))
      AND (len($delivery) = 0 OR list_contains($delivery, s.delivery))
      AND (len($hubs) = 0 OR list_contains($hubs, s.hub_id))
      AND ($year IS NULL OR s.year_start = $year)
      AND ($date_from IS NULL OR s.first_session >= $date_from)
      AND ($date_to IS NULL OR s.first_session <= $date_to)
      AND (NOT $open_only OR s.status = 'open')
      -- "Has places left" is what a card says a teacher can book: open for booking with places left.
      AND (NOT $has_places OR (s.status = 'open' AND s.places_left > 0))
      AND (NOT $hide_started OR s.first_session IS NULL OR s.first_session >= $today)
)"""  # noqa: S608 - constant text; every value is a $parameter

_IN_RADIUS = "($lat IS NULL OR is_online OR distance_miles <= $radius)"

# The allow-list: the URL's `sort` picks a key here; nothing else reaches ORDER BY.
SORT_ORDERS = {
    "distance": "is_online, distance_miles NULLS LAST, is_area_hub DESC NULLS LAST, "
    "hub_distance_miles NULLS LAST, first_session NULLS LAST, title, work_group_id",
    "start": "first_session NULLS LAST, distance_miles NULLS LAST, title, work_group_id",
    "title": "lower(title), first_session NULLS LAST, work_group_id",
}
_SEARCH_SQL = {
    key: f"{_MATCHES}\nSELECT * EXCLUDE (is_area_hub), coalesce(is_area_hub, false) AS is_area_hub "
    f"FROM matches WHERE {_IN_RADIUS} ORDER BY {order}"  # noqa: S608 - allow-listed ORDER BY only
    for key, order in SORT_ORDERS.items()
}
_COUNTS_SQL = (
    f"{_MATCHES}\nSELECT count(*) FILTER (WHERE is_online) AS online, "  # noqa: S608 - constant text
    + ", ".join(f"count(*) FILTER (WHERE is_online OR distance_miles <= {r}) AS r{r}" for r in RADII)
    + ", count(*) FILTER (WHERE NOT is_online AND distance_miles IS NULL) AS unplaced, count(*) AS anywhere "
    "FROM matches"
)
_COUNT_NAMES = ("online", *(f"r{r}" for r in RADII), "unplaced", "anywhere")  # _COUNTS_SQL's columns
_BY_HUB_SQL = f"""{_MATCHES}
SELECT hub_id, any_value(hub_name) AS hub_name, count(*) AS matches,
       min(hub_distance_miles) AS hub_distance_miles
FROM matches GROUP BY hub_id
ORDER BY hub_distance_miles NULLS LAST, matches DESC, hub_name"""  # noqa: S608 - constant text


def current_year_start(con) -> int:
    """The current academic year (`domain.current_year_start` of the build's "today")."""
    rows = _rows(con, "SELECT value FROM build_info WHERE key = 'today'")
    return domain.current_year_start(rows[0][0] if rows else None)


def effective_year(con, filters: Filters, current: int | None = None) -> int | None:
    """The year start the search uses: the chosen one, none for "all", else the current year
    (`current` when the caller knows it, else read from the build)."""
    if filters.year == ALL_YEARS or isinstance(filters.year, int):
        return year_start_for(filters.year, None)
    if current is None and con is not None:
        current = current_year_start(con)
    return current


def build_today(con) -> date:
    """The build's "today" (pinned for reproducible runs), else the real date."""
    rows = _rows(con, "SELECT try_cast(value AS DATE) FROM build_info WHERE key = 'today'")
    return rows[0][0] if rows and rows[0][0] else date.today()


@dataclass(frozen=True)
class BuildDates:
    """The build's "today" and current academic year: constant for a snapshot. The page reads them once
    per snapshot (`cached_dates`) and passes them in, rather than two or three small queries per search."""

    today: date
    current: int | None


def build_dates(con) -> BuildDates:
    return BuildDates(build_today(con), current_year_start(con))


def hides_started(con, f: Filters, place: Place | None, dates: BuildDates | None = None) -> bool:
    """Sorted by start date ("Starting soonest"), only groups that have not started are listed unless the
    teacher asks for the others (`started`); a past year's groups have all started, so none are hidden."""
    if f.started or effective_sort(f, place) != "start":
        return False
    current = dates.current if dates else current_year_start(con)
    year = effective_year(con, f, current)
    return year is None or current is None or year >= current


def _params(con, sql: str, f: Filters, place: Place | None, dates: BuildDates | None = None) -> dict:
    """The named parameters `sql` uses (DuckDB refuses unused ones)."""
    dates = dates or build_dates(con)
    values = {
        "today": dates.today,
        "hide_started": hides_started(con, f, place, dates),
        "phases": list(f.phases),
        "programmes": list(f.programmes),
        "delivery": list(f.delivery),
        "hubs": list(f.hubs),
        "year": effective_year(con, f, dates.current),
        "date_from": f.date_from,
        "date_to": f.date_to,
        "open_only": f.open_only,
        "has_places": f.has_places,
        "lat": place.latitude if place else None,
        "lon": place.longitude if place else None,
        "area_hub": place.area_hub_id if place else None,
        "radius": float(f.radius or (place.default_radius if place else RADII[-1])),
    }
    return {k: v for k, v in values.items() if f"${k}" in sql}


def effective_sort(f: Filters, place: Place | None) -> str:
    if f.sort in SORT_ORDERS and not (f.sort == "distance" and place is None):
        return f.sort
    return "distance" if place is not None else "start"


def search(con, f: Filters, place: Place | None, dates: BuildDates | None = None) -> pl.DataFrame:
    """Every matching Work Group (in-person ones within the radius, online ones always), sorted."""
    sql = _SEARCH_SQL[effective_sort(f, place)]
    return con.sql(sql, params=_params(con, sql, f, place, dates)).pl()


def radius_counts(con, f: Filters, place: Place | None, dates: BuildDates | None = None) -> dict[str, int]:
    """Matches at each offered radius (online ones included), online alone, unplaced, and anywhere."""
    params = _params(con, _COUNTS_SQL, f, place, dates)
    return {k: int(v or 0) for k, v in zip(_COUNT_NAMES, _rows(con, _COUNTS_SQL, params)[0], strict=True)}


def count(con, f: Filters, place: Place | None, dates: BuildDates | None = None) -> int:
    radius = f.radius or (place.default_radius if place else None)
    counts = radius_counts(con, f, place, dates)
    return counts[f"r{radius}"] if place else counts["anywhere"]


def hubs_with_matches(
    con, f: Filters, place: Place | None, limit: int = 4, dates: BuildDates | None = None
) -> pl.DataFrame:
    """Hubs with matches for these filters anywhere (ignoring place and hub), nearest hub first."""
    params = _params(con, _BY_HUB_SQL, replace(f, hubs=()), place, dates)
    frame = con.sql(_BY_HUB_SQL, params=params).pl()
    return frame.filter(~pl.col("hub_id").is_in(list(f.hubs))).head(limit)


# Filters the empty state offers to drop, one at a time: (field, how the relaxed filters look).
_RELAX = {
    "phases": ("phases", ()),
    "programmes": ("programmes", ()),
    "delivery": ("delivery", ()),
    "hubs": ("hubs", ()),
    "date_from": ("date_from", None),
    "date_to": ("date_to", None),
    "open_only": ("open_only", False),
    "has_places": ("has_places", False),
}


def relaxations(
    con, f: Filters, place: Place | None, dates: BuildDates | None = None
) -> list[tuple[str, int]]:
    """For each active filter: how many would match without it (only those that help)."""
    dates = dates or build_dates(con)
    out = []
    for name, (field, empty) in _RELAX.items():
        if getattr(f, field) not in ((), None, False):
            n = count(con, replace(f, **{field: empty}), place, dates)
            if n:
                out.append((name, n))
    if f.year != ALL_YEARS:
        n = count(con, replace(f, year=ALL_YEARS), place, dates)
        if n:
            out.append(("year", n))
    if hides_started(con, f, place, dates):
        n = count(con, replace(f, started=True), place, dates)
        if n:
            out.append(("started", n))
    return out


def lookups(con) -> dict[str, pl.DataFrame]:
    """Option lists for the filters: vocabulary labels, programmes and hubs that have Work Groups."""
    vocab = con.sql(
        "SELECT vocabulary, code, label FROM vocabularies "
        "WHERE vocabulary IN ('phase', 'delivery', 'status') "
        "ORDER BY vocabulary, sort_order, code"
    ).pl()
    return {
        "vocab": vocab,
        "programmes": con.sql(
            "SELECT programme_id, any_value(programme_name) AS name FROM mart_work_group_search "
            "WHERE programme_id IS NOT NULL GROUP BY programme_id ORDER BY name"
        ).pl(),
        "hubs": con.sql("SELECT hub_id, name FROM hubs ORDER BY name").pl(),
        "years": con.sql(
            "SELECT year_start, academic_year FROM academic_years ORDER BY year_start DESC"
        ).pl(),
        "postcode_directory": pl.DataFrame({"loaded": [_have_postcode_directory(con)]}),
    }


def district_outlines(con, lat: float, lon: float, miles: float) -> pl.DataFrame:
    """Council-district outlines (GeoJSON text) whose centre lies within `miles` of a point."""
    return con.sql(
        """
        SELECT b.lad_code, b.lad_name, b.geometry, a.hub_id
        FROM lad_boundaries AS b JOIN hub_areas AS a USING (lad_code)
        WHERE a.centroid_lat IS NOT NULL
          AND haversine_miles($lat, $lon, a.centroid_lat, a.centroid_lon) <= $miles
        """,
        params={"lat": lat, "lon": lon, "miles": miles},
    ).pl()


def hub_outlines(con, hubs: list[str]) -> pl.DataFrame:
    """The districts of the chosen hubs and their neighbours (centres within a margin of the hubs'
    districts), so the hub boundary is drawn in its surroundings."""
    return con.sql(
        """
        WITH box AS (
            SELECT min(centroid_lat) - 0.25 AS s, max(centroid_lat) + 0.25 AS n,
                   min(centroid_lon) - 0.4 AS w, max(centroid_lon) + 0.4 AS e
            FROM hub_areas WHERE list_contains($hubs, hub_id)
        )
        SELECT b.lad_code, b.lad_name, b.geometry, a.hub_id
        FROM lad_boundaries AS b JOIN hub_areas AS a USING (lad_code), box
        WHERE a.centroid_lat BETWEEN box.s AND box.n AND a.centroid_lon BETWEEN box.w AND box.e
        """,
        params={"hubs": hubs},
    ).pl()


def all_outlines(con) -> pl.DataFrame:
    return con.sql(
        "SELECT b.lad_code, b.lad_name, b.geometry, a.hub_id FROM lad_boundaries AS b "
        "LEFT JOIN hub_areas AS a USING (lad_code)"
    ).pl()


# --- Cached wrappers for the page ------------------------------------------------------------------


def _with_cursor(fn, *args):
    from dashboard.data import db

    return db.run(fn, *args)  # db.py's one connection, a cursor per call


@st.cache_data(**CACHE)
def cached_place(text: str) -> Place | PlaceProblem | None:
    return _with_cursor(resolve_place, text)


def cached_results(f: Filters, place: Place | None) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(all, face-to-face, online) for a search, whatever page of it is shown."""
    from dashboard.data import db

    return _results(str(db.snapshot_path()), replace(f, page=1), place)


# The most recent searches, shared and never copied: polars frames are immutable, and a cache_data entry
# is pickled when written (a fifth of a new search's Python time in a py-spy profile, ~7 ms at scale 10)
# and unpickled on every hit. Few entries (an unfiltered national search holds ~20 MB at scale 10); an
# older search is run again. Keyed on the snapshot: db.py clears cache_data, not cache_resource, when a
# load publishes a new one.
@st.cache_resource(ttl=TEN_MINUTES, max_entries=8, show_spinner=False)
def _results(
    snapshot: str, f: Filters, place: Place | None
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    del snapshot  # part of the cache key only
    frame = _with_cursor(search, f, place, cached_dates())
    return frame, frame.filter(~pl.col("is_online")), frame.filter(pl.col("is_online"))


@st.cache_data(**CACHE)
def cached_count(f: Filters, place: Place | None) -> int:
    return _with_cursor(count, replace(f, page=1), place, cached_dates())


@st.cache_data(**CACHE)
def cached_radius_counts(f: Filters, place: Place | None) -> dict[str, int]:
    return _with_cursor(radius_counts, replace(f, page=1), place, cached_dates())


@st.cache_data(**CACHE)
def cached_hubs_with_matches(f: Filters, place: Place | None) -> pl.DataFrame:
    return _with_cursor(hubs_with_matches, replace(f, page=1), place, 4, cached_dates())


@st.cache_data(**CACHE)
def cached_relaxations(f: Filters, place: Place | None) -> list[tuple[str, int]]:
    return _with_cursor(relaxations, replace(f, page=1), place, cached_dates())


def cached_hides_started(f: Filters, place: Place | None) -> bool:
    """`hides_started` from the snapshot's dates: no query, nothing to cache."""
    return hides_started(None, f, place, cached_dates())


@st.cache_data(ttl=HOUR, max_entries=4)
def cached_lookups() -> dict[str, pl.DataFrame]:
    return _with_cursor(lookups)


@dataclass(frozen=True)
class Labels:
    """The finder's option lists as plain mappings: code -> label per vocabulary ("phase", "delivery",
    "status"), programme and hub names, the academic years that have Work Groups (newest first), and
    whether the postcode directory is loaded. Read-only: one copy is shared by every session."""

    vocab: Mapping[str, Mapping[str, str]]
    programmes: Mapping[str, str]
    hubs: Mapping[str, str]
    years: tuple[int, ...]
    have_directory: bool


def labels_from(look: Mapping[str, pl.DataFrame]) -> Labels:
    vocab: dict[str, dict[str, str]] = {v: {} for v in ("phase", "delivery", "status")}
    for vocabulary, code, label in look["vocab"].iter_rows():
        vocab.setdefault(vocabulary, {})[code] = label
    return Labels(
        vocab=vocab,
        programmes=dict(look["programmes"].iter_rows()),
        hubs=dict(look["hubs"].iter_rows()),
        years=tuple(look["years"]["year_start"].to_list()),
        have_directory=bool(look["postcode_directory"]["loaded"][0]),
    )


def cached_labels() -> Labels:
    """`labels_from(lookups)` once per snapshot: the page reads them on every run, and a cache_data
    entry would be unpickled (five frames) and re-filtered each time."""
    from dashboard.data import db

    return _labels(str(db.snapshot_path()))


@st.cache_resource(ttl=HOUR, max_entries=4, show_spinner=False)
def _labels(snapshot: str) -> Labels:
    del snapshot  # part of the cache key only
    return labels_from(_with_cursor(lookups))


@st.cache_data(ttl=HOUR, max_entries=4)
def cached_current_year() -> int | None:
    return _with_cursor(current_year_start)


@st.cache_data(ttl=HOUR, max_entries=64)
def cached_outlines(lat: float | None, lon: float | None, miles: float) -> pl.DataFrame:
    if lat is None or lon is None:
        return _with_cursor(all_outlines)
    return _with_cursor(district_outlines, lat, lon, miles)


@st.cache_data(ttl=HOUR, max_entries=64)
def cached_hub_outlines(hubs: tuple[str, ...]) -> pl.DataFrame:
    return _with_cursor(hub_outlines, list(hubs))


@st.cache_data(ttl=HOUR, max_entries=4)
def cached_today() -> date:
    return _with_cursor(build_today)


def cached_dates() -> BuildDates:
    return BuildDates(cached_today(), cached_current_year())
