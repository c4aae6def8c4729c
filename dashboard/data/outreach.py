"""Outreach queries (signed-in hub leads and coordinators only): the schools of a hub and phase with
when they last took part and this year's nearest Work Group venue, from the SQL model
pipelines/models/views/mart_outreach.sql; plus pure helpers that narrow it to the schools not
reached in the last N years, shade districts by share reached and say the totals in words.

Public pages never call this module: school-level reach is not published.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.data.common import current_year_start
from dashboard.data.db import query
from pipelines.domain import md, year_label

FAR_MILES = 10  # "far from a Work Group": the totals sentence and the metric
YEAR_CHOICES = (1, 3, 5)


@st.cache_data(ttl="10m", max_entries=128)
def schools(hub_id: str, phase: str) -> pl.DataFrame:
    """Every school of `phase` in the hub's area, one row each (see the SQL model), as of the
    current academic year."""
    return query(
        "SELECT * FROM mart_school_outreach($hub, $phase, $year) ORDER BY urn",
        {"hub": hub_id, "phase": phase, "year": current_year_start()},
    )


@st.cache_data(ttl="10m", max_entries=64)
def hub_phases(hub_id: str) -> list[str]:
    """The phases the hub's area has schools of, in the vocabulary's order."""
    frame = query(
        """
        SELECT DISTINCT s.phase, v.sort_order
        FROM schools AS s JOIN vocabularies AS v ON v.vocabulary = 'phase' AND v.code = s.phase
        WHERE s.hub_id = $hub ORDER BY v.sort_order
        """,
        {"hub": hub_id},
    )
    return frame["phase"].to_list()


@st.cache_data(ttl="10m", max_entries=64)
def district_outlines(hub_id: str) -> pl.DataFrame:
    """The hub's districts: boundary GeoJSON when open data is loaded, else only the centre point."""
    return query(
        """
        SELECT a.lad_code, a.lad_name, a.centroid_lat, a.centroid_lon, b.geometry
        FROM hub_areas AS a LEFT JOIN lad_boundaries AS b USING (lad_code)
        WHERE a.hub_id = $hub ORDER BY a.lad_name
        """,
        {"hub": hub_id},
    )


@st.cache_data(ttl="10m", max_entries=128)
def venues(hub_id: str, phase: str) -> pl.DataFrame:
    """This year's face-to-face and blended Work Group venues of `phase` run by the hub or inside its
    schools' bounding box (with a small margin), for the map."""
    return query(
        """
        WITH box AS (
            SELECT min(latitude) - 0.05 AS s, max(latitude) + 0.05 AS n,
                   min(longitude) - 0.08 AS w, max(longitude) + 0.08 AS e
            FROM schools WHERE hub_id = $hub
        )
        SELECT wg.work_group_id, wg.title, h.name AS hub_name, wg.venue_name,
               wg.venue_latitude AS latitude, wg.venue_longitude AS longitude
        FROM work_groups AS wg JOIN hubs AS h USING (hub_id), box
        WHERE wg.year_start = $year
          AND wg.delivery <> 'online' AND list_contains(wg.phases, $phase) AND wg.venue_latitude IS NOT NULL
          AND (wg.hub_id = $hub OR (wg.venue_latitude BETWEEN box.s AND box.n
                                    AND wg.venue_longitude BETWEEN box.w AND box.e))
        ORDER BY wg.work_group_id
        """,
        {"hub": hub_id, "phase": phase, "year": current_year_start()},
    )


def since(this_year: int, years: int) -> int:
    """The first academic year (start) of the window "the last `years` academic years"."""
    return this_year - years + 1


def unreached(frame: pl.DataFrame, years: int) -> pl.DataFrame:
    """Schools that took part in no Work Group in the last `years` academic years (this one included),
    the farthest from a venue first."""
    if frame.is_empty():
        return frame
    first = since(frame["this_year_start"][0], years)
    return frame.filter(pl.col("last_year_start").is_null() | (pl.col("last_year_start") < first)).sort(
        pl.col("nearest_miles").is_not_null(),
        pl.col("nearest_miles"),
        "school",
        descending=[False, True, False],
    )


def district_reach(frame: pl.DataFrame, districts: pl.DataFrame, years: int) -> pl.DataFrame:
    """Per district of the hub: schools of the phase, how many took part in the window, the share."""
    if frame.is_empty():
        counts = pl.DataFrame(schema={"lad_code": pl.String, "schools": pl.UInt32, "reached": pl.UInt32})
    else:
        first = since(frame["this_year_start"][0], years)
        counts = frame.group_by("lad_code").agg(
            pl.len().alias("schools"), (pl.col("last_year_start") >= first).sum().alias("reached")
        )
    return (
        districts.join(counts, on="lad_code", how="left")
        .with_columns(pl.col("schools", "reached").fill_null(0))
        .with_columns(
            pl.when(pl.col("schools") > 0).then(pl.col("reached") / pl.col("schools")).alias("share_reached")
        )
    )


def table(gone: pl.DataFrame, phase_label: str) -> pl.DataFrame:
    """The list as shown and downloaded (mail-merge ready): one row per school."""
    return gone.select(
        pl.col("school"),
        pl.col("urn"),
        pl.lit(phase_label).alias("phase"),
        pl.col("la_name").alias("la"),
        pl.col("pupils"),
        pl.col("postcode"),
        pl.col("nearest_miles").round(1),
        pl.col("nearest_work_group"),
        pl.col("online_available"),
        pl.col("last_year_start")
        .map_elements(year_label, return_dtype=pl.String)
        .fill_null("never")
        .alias("last_took_part"),
    )


def in_words(gone: pl.DataFrame, hub_name: str, phase_label: str, this_year: int, years: int) -> str:
    """'37 primary schools in the Origin Maths Hub area have not taken part ...; 5 of them are more
    than 10 miles from this year's nearest primary Work Group.'"""
    n = gone.height
    kind = phase_label.lower() if phase_label != "Post-16" else "post-16"
    first = year_label(since(this_year, years))
    window = "this academic year" if years == 1 else f"since {first} (the last {years} academic years)"
    head = f"**{n:,} {kind} {'school' if n == 1 else 'schools'}** in the {md(hub_name)} area "
    head += f"{'has' if n == 1 else 'have'} not taken part in any Work Group {window}"
    if n == 0:
        return head + "."
    far = gone.filter(pl.col("nearest_miles") > FAR_MILES).height
    none = gone.filter(pl.col("nearest_miles").is_null()).height
    tail = (
        f"; **{far:,} of them** {'is' if far == 1 else 'are'} more than {FAR_MILES} miles from "
        f"this year's nearest {kind} Work Group"
    )
    if none:
        tail += f", and {none:,} have no face-to-face {kind} Work Group this year to measure from"
    return head + tail + "."
