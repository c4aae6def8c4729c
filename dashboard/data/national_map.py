"""Queries for the national map: each hub's figures (mart_hub_summary), England's key figures
(mart_national_summary), the districts and "find your hub". Counts of people or schools leave
through `privacy.public_view`, with `exact` a parameter of each cached function.

Each query is a plain function of a DuckDB cursor (`fetch_*`), so tests run it on any warehouse
file without Streamlit; the cached wrapper of the same name without `fetch_` is what pages call."""

from __future__ import annotations

import re

import polars as pl
import streamlit as st

from dashboard import privacy
from dashboard.cache import QUERY as CACHE
from dashboard.cache import REFERENCE, SEARCH
from dashboard.data.common import TARGET_PER_HUB
from dashboard.data.db import run
from pipelines import domain

disclose = privacy.public_view  # the one gate; short name used by every query below


_HUB_METRICS = """
SELECT hub_id, name, region, lead_schools, town, website,
       map_latitude, map_longitude, map_point_source, confidence,
       active_llmes, $target AS llme_target, schools_in_area, schools_reached, work_groups
FROM mart_hub_summary
WHERE year_start = $year
ORDER BY name
"""


def _with_shares(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        (pl.col("active_llmes") / pl.col("llme_target")).alias("share_of_target"),
        pl.when(pl.col("schools_in_area") > 0)
        .then(pl.col("schools_reached") / pl.col("schools_in_area"))
        .alias("reach_share"),
    )


def fetch_hub_summary(cur, year_start: int, *, exact: bool) -> pl.DataFrame:
    """One row per hub for a year: active LLMEs vs target, schools reached, Work Groups, map point.
    England's totals (key figures) and each region's (LLME coverage) are published, so secondary
    suppression runs over all hubs and within each region, hiding the same cells as
    `llme_hub_totals` (the same rows in the same order)."""
    frame = cur.sql(_HUB_METRICS, params={"year": year_start, "target": TARGET_PER_HUB}).pl()
    return _with_shares(
        disclose(frame, ["active_llmes", "schools_reached"], exact, totals_over=[[], ["region"]])
    )


@st.cache_data(**CACHE)
def hub_summary(year_start: int, *, exact: bool) -> pl.DataFrame:
    return run(fetch_hub_summary, year_start, exact=exact)


def fetch_key_stats(cur, year_start: int, *, exact: bool) -> pl.DataFrame:
    """National tiles for a year and the year before: hubs running Work Groups, active LLMEs,
    schools reached (and all schools), Work Groups."""
    frame = cur.sql(
        """
        SELECT y.year_start, coalesce(n.hubs, (SELECT count(*) FROM hubs)) AS hubs,
               coalesce(n.hubs_reporting, 0) AS hubs_reporting,
               coalesce(n.active_llmes, 0) AS active_llmes,
               coalesce(n.schools_reached, 0) AS schools_reached,
               coalesce(n.schools, (SELECT count(*) FROM schools)) AS schools,
               coalesce(n.work_groups, 0) AS work_groups
        FROM (SELECT unnest([$year - 1, $year]) AS year_start) AS y
        LEFT JOIN mart_national_summary AS n USING (year_start)
        ORDER BY y.year_start
        """,
        params={"year": year_start},
    ).pl()
    frame = disclose(frame, ["active_llmes", "schools_reached"], exact)
    return frame.with_columns(
        pl.when(pl.col("schools") > 0)
        .then(pl.col("schools_reached") / pl.col("schools"))
        .alias("reach_share")
    )


@st.cache_data(**CACHE)
def key_stats(year_start: int, *, exact: bool) -> pl.DataFrame:
    return run(fetch_key_stats, year_start, exact=exact)


def fetch_districts(cur) -> pl.DataFrame:
    """The 296 districts with their hub, provenance, centroid and (when loaded) GeoJSON boundary."""
    return cur.sql(
        """
        SELECT a.lad_code, a.lad_name, a.ctyua_name, a.region_name, a.hub_id, a.provenance,
               a.centroid_lat, a.centroid_lon, b.geometry
        FROM hub_areas AS a LEFT JOIN lad_boundaries AS b USING (lad_code)
        ORDER BY a.lad_code
        """
    ).pl()


@st.cache_data(**REFERENCE)
def districts() -> pl.DataFrame:
    return run(fetch_districts)


def fetch_hub_neighbours(cur, km: float = 35.0) -> pl.DataFrame:
    """Pairs of hubs with districts within `km` of each other (centroids): used to colour the map
    so that neighbouring hubs never share a colour."""
    return cur.sql(
        """
        SELECT DISTINCT a.hub_id AS hub_a, b.hub_id AS hub_b
        FROM hub_areas AS a JOIN hub_areas AS b ON a.hub_id < b.hub_id
        WHERE haversine_miles(a.centroid_lat, a.centroid_lon, b.centroid_lat, b.centroid_lon) < ?
        ORDER BY 1, 2
        """,
        params=[km / domain.KM_PER_MILE],
    ).pl()


@st.cache_data(**REFERENCE)
def hub_neighbours(km: float = 35.0) -> pl.DataFrame:
    return run(fetch_hub_neighbours, km)


# An outward code ("GL50", "SW1A") optionally followed by all or part of the inward code.
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)(?:\s*[0-9][A-Z]{0,2})?$")


def parse_search(text: str) -> tuple[str, str]:
    """Classify a "find your hub" search: ("urn", "123456"), ("postcode", "GL50"), or ("name", text)."""
    cleaned = " ".join(text.split())
    if cleaned.isdigit():
        return "urn", cleaned
    match = _POSTCODE.match(cleaned.upper())
    if match:
        return "postcode", match.group(1)
    return "name", cleaned


_HUB_COLS = "h.hub_id, h.name AS hub_name, h.lead_schools, h.website"


# One shape for every kind of match: `kind` is "place" (a town, council area or postcode district)
# or "school"; `label` is what a person reads in the list of choices.
_SCHOOL_ROW = f"""'school' AS kind, s.name || ' (' || coalesce(s.town, s.la_name, '') || ')' AS label,
    s.urn, s.name AS school, s.town, s.postcode, s.la_name, {_HUB_COLS}"""


def fetch_find_hub(cur, text: str, limit: int = 25) -> pl.DataFrame:
    """Places and schools matching a URN, postcode, town, council area or school name, with their
    hub: places first (a town beats a school whose name merely contains it), then schools, so the
    page can answer at once or offer a short list to choose from (`hub_answer`)."""
    kind, value = parse_search(text)
    if kind == "urn":
        sql = f"""SELECT {_SCHOOL_ROW}, 'URN' AS matched_on, NULL::BIGINT AS schools
                  FROM schools AS s JOIN hubs AS h USING (hub_id) WHERE s.urn = ?::BIGINT"""  # noqa: S608 - fixed columns
        return cur.sql(sql, params=[value]).pl()
    if kind == "postcode":
        # The district's centre -> district -> hub, then the schools in the postcode district.
        sql = f"""
            SELECT * FROM (
                SELECT 'place' AS kind,
                       'Postcode district ' || pd.district || ' (' || a.lad_name || ')' AS label,
                       NULL::BIGINT AS urn, NULL AS school, NULL AS town, pd.district AS postcode,
                       a.lad_name AS la_name, {_HUB_COLS}, 'postcode district centre' AS matched_on,
                       NULL::BIGINT AS schools
                FROM postcode_districts AS pd JOIN hub_areas AS a USING (lad_code)
                     JOIN hubs AS h USING (hub_id)
                WHERE pd.district = $district
                UNION ALL
                SELECT 'place', 'Postcode district ' || a.postcode_district || ' (' || a.lad_name || ')',
                       NULL, NULL, NULL, a.postcode_district, a.lad_name, {_HUB_COLS},
                       'postcode district centre',
                       NULL
                FROM hub_areas AS a JOIN hubs AS h USING (hub_id)
                WHERE a.postcode_district = $district
                  AND NOT EXISTS (SELECT 1 FROM postcode_districts AS pd WHERE pd.district = $district)
                LIMIT 1
            )
            UNION ALL
            SELECT * FROM (
                SELECT {_SCHOOL_ROW}, 'postcode district', NULL
                FROM schools AS s JOIN hubs AS h USING (hub_id)
                WHERE split_part(upper(s.postcode), ' ', 1) = $district
                ORDER BY s.name LIMIT $limit
            )
        """  # noqa: S608 - only fixed column lists are formatted in; inputs are parameters
        return cur.sql(sql, params={"district": value, "limit": limit}).pl()
    sql = f"""
        WITH towns AS (
            -- A town is the schools' postal town within one local authority: towns that share a
            -- name (St Ives, Richmond, Newport) stay apart, each with its county or borough.
            SELECT 1 AS rank, mode(s.town) AS town, s.la_name, s.hub_id, count(*) AS schools
            FROM schools AS s WHERE lower(s.town) = lower($q) AND s.hub_id IS NOT NULL
            GROUP BY lower(s.town), s.la_name, s.hub_id
        ), councils AS (
            SELECT 2 AS rank, a.lad_name AS town, coalesce(a.ctyua_name, a.region_name) AS la_name, a.hub_id
            FROM hub_areas AS a
            WHERE lower(a.lad_name) = lower($q) OR starts_with(lower(a.lad_name), lower($q) || ' ')
            UNION
            SELECT 3, a.ctyua_name, a.region_name, a.hub_id
            FROM hub_areas AS a WHERE lower(a.ctyua_name) = lower($q)
        ), places AS (
            SELECT 'place' AS kind,
                   t.town || CASE WHEN lower(t.town) = lower(t.la_name) THEN ''
                                  ELSE ', ' || t.la_name END AS label,
                   NULL::BIGINT AS urn, NULL AS school, t.town, NULL AS postcode, t.la_name, {_HUB_COLS},
                   'town' AS matched_on, t.schools, t.rank
            FROM towns AS t JOIN hubs AS h USING (hub_id)
            UNION ALL
            SELECT DISTINCT 'place',
                   c.town || ' (council area'
                       || CASE WHEN c.la_name IS NULL OR c.la_name = c.town
                               THEN '' ELSE ', ' || c.la_name END || ')',
                   NULL, NULL, c.town, NULL, c.la_name, {_HUB_COLS}, 'council area', NULL, c.rank
            FROM councils AS c JOIN hubs AS h USING (hub_id)
        ), schools AS (
            SELECT {_SCHOOL_ROW}, 'school name' AS matched_on, NULL::BIGINT AS schools,
                   -- names that start with the text, then those with a word that does, then the rest
                   CASE WHEN starts_with(lower(s.name), lower($q)) THEN 4
                        WHEN contains(lower(s.name), ' ' || lower($q)) THEN 5 ELSE 6 END AS rank
            FROM schools AS s JOIN hubs AS h USING (hub_id)
            WHERE contains(lower(s.name), lower($q))
        )
        SELECT * EXCLUDE (rank) FROM (
            SELECT * FROM places UNION ALL (SELECT * FROM schools ORDER BY rank, school LIMIT $limit)
        )
        ORDER BY rank, schools DESC NULLS LAST, label
    """  # noqa: S608 - only fixed column lists are formatted in; inputs are parameters
    return cur.sql(sql, params={"q": value, "limit": limit}).pl()


@st.cache_data(**SEARCH)
def find_hub(text: str, limit: int = 25) -> pl.DataFrame:
    return run(fetch_find_hub, text, limit)


def hub_answer(found: pl.DataFrame, text: str, limit: int = 10) -> tuple[dict | None, pl.DataFrame]:
    """What "find your hub" can say: (the match, other places of that name) when the search is
    unambiguous, or (None, up to `limit` matches to choose from), as GIAS offers a list.

    Places come before schools: a town or council area answers even when some school's name also
    contains the text ("Warrington Road Nursery" is not Warrington). A council area named exactly
    as typed is the answer (Lincoln, Warrington); schools elsewhere whose postal town shares the
    name are then only mentioned. Towns that share a name in different hubs (Richmond, St Ives,
    Newport) are offered as a list with their county, never merged into one."""
    every_place = found.filter(pl.col("kind") == "place")
    typed = " ".join(text.split()).lower()
    council = every_place.filter(
        (pl.col("matched_on") == "council area") & (pl.col("town").str.to_lowercase() == typed)
    ).unique("hub_id", keep="first", maintain_order=True)
    # One choice per hub: the best-ranked place of that name in it.
    places = every_place.unique("hub_id", keep="first", maintain_order=True)
    if places.height:
        if places.height == 1 or council.height == 1:
            answer = (council if council.height == 1 else places).row(0, named=True)
            return answer, places.filter(pl.col("hub_id") != answer["hub_id"]).head(limit)
        return None, places.head(limit)
    schools = found.filter(pl.col("kind") == "school")
    if schools.height == 1:
        return schools.row(0, named=True), schools.head(0)
    return None, schools.head(limit)
