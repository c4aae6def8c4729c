"""Queries for LLME coverage: active LLMEs (mart_active_llmes) by hub, phase, role, accreditation
and year, suppressed consistently across hub, region and England views.

Each query is a plain function of a DuckDB cursor (`fetch_*`), so tests run it on any warehouse
file without Streamlit; the cached wrapper of the same name without `fetch_` is what pages call."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import privacy
from dashboard.cache import QUERY as CACHE
from dashboard.data.common import TARGET_PER_HUB
from dashboard.data.db import as_frame, run

disclose = privacy.public_view  # the one gate; short name used by every query below


# Filters shared by every coverage query: `a` is mart_active_llmes (NULL = no filter).
_LLME_WHERE = """
    ($role::VARCHAR IS NULL OR list_contains(a.roles, $role))
    AND ($accreditation::VARCHAR IS NULL OR list_contains(a.accreditations, $accreditation))
"""


def _filters(role: str | None, accreditation: str | None) -> dict:
    return {"role": role, "accreditation": accreditation}


def _in_region(frame: pl.DataFrame, region: str | None) -> pl.DataFrame:
    return frame if region is None else frame.filter(pl.col("region") == region)


def _regional(
    raw: pl.DataFrame, keys: list[str], region: str | None, exact: bool, value: str = "active_llmes"
) -> pl.DataFrame:
    """Counts per region x `keys`: the region's rows (suppressed with England's totals per `keys`
    published), or England's rows (each a single total, summed from the exact counts)."""
    if region is not None:
        return disclose(raw, [value], exact, totals_over=[keys]).filter(pl.col("region") == region)
    others = [c for c in raw.columns if c not in (*keys, "region", value)]
    national = raw.group_by(keys, maintain_order=True).agg(
        pl.col(value).sum(), *[pl.col(c).first() for c in others]
    )
    return disclose(national, [value], exact)


def fetch_hub_codes(
    cur, year_start: int, by: str, role: str | None, accreditation: str | None, *, exact: bool
) -> pl.DataFrame:
    """Active LLMEs of every hub by phase, role or accreditation (every category, zeros kept).
    Secondary suppression covers the hub's total and the region's and England's count of each
    category, so the hub profile, the coverage matrix and the regional views hide the same cells."""
    columns = {"phase": "phases", "role": "roles", "accreditation": "accreditations"}
    if by not in columns:
        raise ValueError(f"unknown breakdown {by!r}")
    frame = as_frame(
        cur,
        f"""
        WITH counted AS (
            SELECT a.hub_id, c.code, count(DISTINCT a.llme_id) AS active_llmes
            FROM mart_active_llmes AS a, unnest(a.{columns[by]}) AS c(code)
            WHERE a.year_start = $year AND {_LLME_WHERE}
            GROUP BY ALL
        )
        SELECT h.hub_id, h.name AS hub, h.region, v.code, v.label, v.sort_order,
               coalesce(counted.active_llmes, 0) AS active_llmes
        FROM hubs AS h CROSS JOIN (SELECT * FROM vocabularies WHERE vocabulary = $vocabulary) AS v
        LEFT JOIN counted ON counted.hub_id = h.hub_id AND counted.code = v.code
        ORDER BY h.name, v.sort_order
        """,  # noqa: S608 - only a column name from a fixed mapping and fixed SQL are formatted in
        {"year": year_start, "vocabulary": by, **_filters(role, accreditation)},
    )
    return disclose(frame, ["active_llmes"], exact, totals_over=[["hub_id"], ["region", "code"], ["code"]])


def fetch_llme_matrix(
    cur, year_start: int, region: str | None, role: str | None, accreditation: str | None, *, exact: bool
) -> pl.DataFrame:
    """Hub x phase active LLMEs (zeros included): an LLME counts once in each phase they lead."""
    frame = fetch_hub_codes(cur, year_start, "phase", role, accreditation, exact=exact)
    frame = frame.rename({"code": "phase", "label": "phase_label"})
    return _in_region(frame, region)


@st.cache_data(**CACHE)
def llme_matrix(
    year_start: int, region: str | None, role: str | None, accreditation: str | None, *, exact: bool
) -> pl.DataFrame:
    return run(fetch_llme_matrix, year_start, region, role, accreditation, exact=exact)


def fetch_llme_hub_totals(
    cur, year_start: int, region: str | None, role: str | None, accreditation: str | None, *, exact: bool
) -> pl.DataFrame:
    """Active LLMEs per hub (each LLME once), with the per-hub target (which applies to all active
    LLMEs: shares of it are only given without a role or accreditation filter)."""
    frame = as_frame(
        cur,
        f"""
        WITH active AS (
            SELECT a.hub_id, count(DISTINCT a.llme_id) AS active_llmes
            FROM mart_active_llmes AS a
            WHERE a.year_start = $year AND {_LLME_WHERE}
            GROUP BY ALL
        )
        SELECT h.hub_id, h.name AS hub, h.region, coalesce(active.active_llmes, 0) AS active_llmes,
               $target AS target
        FROM hubs AS h LEFT JOIN active USING (hub_id)
        ORDER BY h.name
        """,  # noqa: S608 - only fixed SQL is formatted in; inputs are parameters
        {"year": year_start, "target": TARGET_PER_HUB, **_filters(role, accreditation)},
    )
    # England's and each region's totals are published: suppression covers both, for all hubs, in
    # hub-name order like `hub_summary` (ties are broken by row order), so both hide the same cells.
    frame = disclose(frame, ["active_llmes"], exact, totals_over=[[], ["region"]])
    frame = frame.sort(pl.col("active_llmes").fill_null(0), "hub", descending=[True, False])
    return _in_region(frame, region).with_columns(
        (pl.col("active_llmes") / pl.col("target")).alias("share_of_target"),
        (pl.col("target") - pl.col("active_llmes")).clip(lower_bound=0).alias("short_of_target"),
    )


@st.cache_data(**CACHE)
def llme_hub_totals(
    year_start: int, region: str | None, role: str | None, accreditation: str | None, *, exact: bool
) -> pl.DataFrame:
    return run(fetch_llme_hub_totals, year_start, region, role, accreditation, exact=exact)


def fetch_llme_trend(
    cur, region: str | None, role: str | None, accreditation: str | None, *, exact: bool
) -> pl.DataFrame:
    """Active LLMEs in every academic year, with the target for the hubs in view (50 per hub; it
    applies to all active LLMEs, whatever the role or accreditation filter)."""
    raw = as_frame(
        cur,
        f"""
        WITH active AS (
            SELECT a.year_start, h.region, count(DISTINCT a.llme_id) AS active_llmes
            FROM mart_active_llmes AS a JOIN hubs AS h USING (hub_id)
            WHERE {_LLME_WHERE}
            GROUP BY ALL
        ), regions AS (SELECT region, count(*) AS hubs FROM hubs GROUP BY ALL)
        SELECT y.year_start, y.academic_year, r.region, coalesce(active.active_llmes, 0) AS active_llmes,
               $target * r.hubs AS target
        FROM academic_years AS y CROSS JOIN regions AS r
        LEFT JOIN active ON active.year_start = y.year_start AND active.region = r.region
        ORDER BY y.year_start, r.region
        """,  # noqa: S608 - only fixed SQL is formatted in; inputs are parameters
        {"target": TARGET_PER_HUB, **_filters(role, accreditation)},
    )
    if region is None:
        raw = raw.with_columns(pl.col("target").sum().over("year_start"))
    return _regional(raw, ["year_start"], region, exact).sort("year_start")


@st.cache_data(**CACHE)
def llme_trend(
    region: str | None, role: str | None, accreditation: str | None, *, exact: bool
) -> pl.DataFrame:
    return run(fetch_llme_trend, region, role, accreditation, exact=exact)


def fetch_llme_phase_trend(
    cur, region: str | None, role: str | None, accreditation: str | None, *, exact: bool
) -> pl.DataFrame:
    """Each phase's active LLMEs in every academic year (an LLME counts in each phase they lead)."""
    raw = as_frame(
        cur,
        f"""
        WITH active AS (
            SELECT a.year_start, h.region, p.phase, count(DISTINCT a.llme_id) AS active_llmes
            FROM mart_active_llmes AS a JOIN hubs AS h USING (hub_id), unnest(a.phases) AS p(phase)
            WHERE {_LLME_WHERE}
            GROUP BY ALL
        )
        SELECT y.year_start, y.academic_year, r.region, v.code AS phase, v.label AS phase_label, v.sort_order,
               coalesce(active.active_llmes, 0) AS active_llmes
        FROM academic_years AS y CROSS JOIN (SELECT DISTINCT region FROM hubs) AS r
        CROSS JOIN (SELECT * FROM vocabularies WHERE vocabulary = 'phase') AS v
        LEFT JOIN active
            ON active.year_start = y.year_start AND active.region = r.region AND active.phase = v.code
        ORDER BY y.year_start, v.sort_order, r.region
        """,  # noqa: S608 - only fixed SQL is formatted in; inputs are parameters
        _filters(role, accreditation),
    )
    return _regional(raw, ["year_start", "phase"], region, exact).sort("year_start", "sort_order")


@st.cache_data(**CACHE)
def llme_phase_trend(
    region: str | None, role: str | None, accreditation: str | None, *, exact: bool
) -> pl.DataFrame:
    return run(fetch_llme_phase_trend, region, role, accreditation, exact=exact)


def fetch_llme_breakdown(
    cur,
    by: str,
    year_start: int,
    region: str | None,
    role: str | None,
    accreditation: str | None,
    *,
    exact: bool,
) -> pl.DataFrame:
    """Active LLMEs by role or by accreditation (an LLME with two roles counts under each).
    For accreditation a "none recorded" row counts LLMEs without one."""
    if by not in ("role", "accreditation"):
        raise ValueError(f"unknown breakdown {by!r}")
    column = "roles" if by == "role" else "accreditations"
    raw = as_frame(
        cur,
        f"""
        WITH rows AS (
            SELECT a.llme_id, h.region, a.{column} AS codes
            FROM mart_active_llmes AS a JOIN hubs AS h USING (hub_id)
            WHERE a.year_start = $year AND {_LLME_WHERE}
        ), counted AS (
            SELECT r.region, c.code, count(DISTINCT r.llme_id) AS active_llmes
            FROM rows AS r, unnest(r.codes) AS c(code) GROUP BY ALL
        ), regions AS (SELECT DISTINCT region FROM hubs)
        SELECT regions.region, v.code, v.label, v.sort_order,
            coalesce(counted.active_llmes, 0) AS active_llmes
        FROM regions CROSS JOIN (SELECT * FROM vocabularies WHERE vocabulary = $vocabulary) AS v
        LEFT JOIN counted ON counted.region = regions.region AND counted.code = v.code
        UNION ALL
        SELECT regions.region, 'none', 'None recorded', 99,
               (SELECT count(*) FROM rows WHERE rows.region = regions.region AND len(codes) = 0)
        FROM regions WHERE $vocabulary = 'accreditation'
        ORDER BY sort_order, region
        """,  # noqa: S608 - only fixed SQL (a column name from a fixed pair) is formatted in
        {"year": year_start, "vocabulary": by, **_filters(role, accreditation)},
    )
    return _regional(raw, ["code"], region, exact).sort("sort_order")


@st.cache_data(**CACHE)
def llme_breakdown(
    by: str, year_start: int, region: str | None, role: str | None, accreditation: str | None, *, exact: bool
) -> pl.DataFrame:
    return run(fetch_llme_breakdown, by, year_start, region, role, accreditation, exact=exact)
