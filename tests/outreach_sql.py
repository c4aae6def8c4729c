"""Outreach figures worked out independently of pipelines/models/views/mart_outreach.sql: plain SQL for
the facts (schools, participations, this year's venues) and the distance in Python, so a mistake in
the model's macro, join or window would show up as a mismatch."""

from __future__ import annotations

import math
from datetime import date

from tests.independent_sql import sql

EARTH_MILES = 3958.7613


def this_year(paths) -> int:
    # The current academic year: the one containing the build's "today" (September to August).
    [(today,)] = sql(paths, "SELECT value FROM build_info WHERE key = 'today'")
    day = date.fromisoformat(today)
    return day.year if day.month >= 9 else day.year - 1


def unreached_urns(paths, hub_id: str, phase: str, years: int) -> set[int]:
    first = this_year(paths) - years + 1
    rows = sql(
        paths,
        """
        SELECT s.urn FROM schools AS s
        WHERE s.hub_id = ? AND s.phase = ?
          AND s.urn NOT IN (
              SELECT p.school_urn FROM participations AS p JOIN work_groups AS w
                ON w.work_group_id = p.work_group_id
              WHERE w.year_start >= ?)
        """,
        [hub_id, phase, first],
    )
    return {r[0] for r in rows}


def _miles(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_MILES * math.asin(math.sqrt(h))


def nearest(paths, urn: int) -> tuple[float, str] | None:
    """(miles, title) of this year's nearest face-to-face/blended Work Group of the school's phase."""
    [(lat, lon, phase)] = sql(paths, "SELECT latitude, longitude, phase FROM schools WHERE urn = ?", [urn])
    venues = sql(
        paths,
        """
        SELECT work_group_id, title, venue_latitude, venue_longitude FROM work_groups
        WHERE year_start = ? AND delivery IN ('face_to_face', 'blended') AND venue_latitude IS NOT NULL
          AND list_contains(phases, ?)
        """,
        [this_year(paths), phase],
    )
    if not venues or lat is None:
        return None
    best = min((_miles(lat, lon, vlat, vlon), wg_id, title) for wg_id, title, vlat, vlon in venues)
    return best[0], best[2]
