"""Queries for the hub profile: headline figures against the national median, LLMEs, Work Groups
(mart_work_group_search), schools reached (mart_schools_reached), the school journey and the
provision audit.

Each query is a plain function of a DuckDB cursor (`fetch_*`), so tests run it on any warehouse
file without Streamlit; the cached wrapper of the same name without `fetch_` is what pages call."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import privacy
from dashboard.cache import QUERY as CACHE
from dashboard.data.common import DERIVED
from dashboard.data.coverage import fetch_hub_codes
from dashboard.data.db import as_frame, run
from dashboard.data.national_map import fetch_hub_summary

disclose = privacy.public_view  # the one gate; short name used by every query below


# The kinds of professional development the provision audit shows: those of ACME's list (2013,
# "Empowering teachers: success for learners") that hub programmes use, and two of ours, labelled so
# (the full vocabulary, with which kind is ACME's, is `pd_kind` in data/reference/vocabularies.csv).
ACME_KINDS: dict[str, str] = {
    "sustained_work_group": "Sustained Work Groups",
    "one_off_event": "One-off events",
    "online_self_study": "Online self-study",
    "community_network": "Communities and networks",
    "subject_knowledge_course": "Subject-knowledge courses",
    "research_group": "Research groups (ours, not ACME)",
    "accreditation_programme": "Accreditation programmes (ours, not ACME)",
}


OTHER_PHASE = "Other (special, AP, all-through)"


def fetch_hub_headlines(cur, hub_id: str, year_start: int, *, exact: bool) -> pl.DataFrame:
    """The hub's headline numbers beside the national median of the 40 hubs. `hub` is None when
    the hub's number is hidden; the median is None when it would be computed from a hidden one."""
    hubs = fetch_hub_summary(cur, year_start, exact=exact)
    every = fetch_hub_summary(cur, year_start, exact=True)
    measures = {
        "active_llmes": "Active LLMEs",
        "work_groups": "Work Groups",
        "schools_reached": "Schools reached",
        "reach_share": "Area schools reached",
    }
    hidden = {
        m: hubs[f"{DERIVED.get(m, m)}_hidden"]
        if f"{DERIVED.get(m, m)}_hidden" in hubs.columns
        else pl.repeat(False, hubs.height, eager=True)
        for m in measures
    }
    row = hubs.filter(pl.col("hub_id") == hub_id)
    return pl.DataFrame(
        {
            "measure": list(measures),
            "label": list(measures.values()),
            "hub": [float(row[m][0]) if row.height and row[m][0] is not None else None for m in measures],
            "hidden": [
                bool(row.height and hidden[m].filter(hubs["hub_id"] == hub_id).any()) for m in measures
            ],
            "national_median": [privacy.public_median(every[m], hidden[m]) for m in measures],
        }
    )


@st.cache_data(**CACHE)
def hub_headlines(hub_id: str, year_start: int, *, exact: bool) -> pl.DataFrame:
    return run(fetch_hub_headlines, hub_id, year_start, exact=exact)


def fetch_hub_llmes(cur, hub_id: str, year_start: int, by: str, *, exact: bool) -> pl.DataFrame:
    """The hub's active LLMEs by phase, role or accreditation (every category listed, zeros kept),
    hidden exactly as in the national views (see `coverage.fetch_hub_codes`)."""
    frame = fetch_hub_codes(cur, year_start, by, None, None, exact=exact)
    return frame.filter(pl.col("hub_id") == hub_id).drop("hub_id", "hub", "region")


@st.cache_data(**CACHE)
def hub_llmes(hub_id: str, year_start: int, by: str, *, exact: bool) -> pl.DataFrame:
    return run(fetch_hub_llmes, hub_id, year_start, by, exact=exact)


def fetch_hub_work_groups(cur, hub_id: str, year_start: int) -> pl.DataFrame:
    """The hub's Work Groups in a year by programme and phase (a two-phase group counts in both)."""
    frame = as_frame(
        cur,
        """
        SELECT s.programme_name AS programme, v.label AS phase, v.sort_order,
               count(DISTINCT s.work_group_id) AS work_groups
        FROM mart_work_group_search AS s, unnest(s.phases) AS p(phase)
        JOIN vocabularies AS v ON v.vocabulary = 'phase' AND v.code = p.phase
        WHERE s.hub_id = $hub AND s.year_start = $year
        GROUP BY ALL
        ORDER BY programme, v.sort_order
        """,
        {"hub": hub_id, "year": year_start},
    )
    return frame  # Work Groups are public events, not people: not suppressed


@st.cache_data(**CACHE)
def hub_work_groups(hub_id: str, year_start: int) -> pl.DataFrame:
    return run(fetch_hub_work_groups, hub_id, year_start)


def _reach_share(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.when(pl.col("schools_in_area") > 0)
        .then(pl.col("schools_reached") / pl.col("schools_in_area"))
        .alias("reach_share")
    )


_REACHED = """
    reached AS (
        SELECT school_urn AS urn FROM mart_schools_reached WHERE hub_id = $hub AND year_start = $year
    )
"""


def fetch_hub_reach_by_phase(cur, hub_id: str, year_start: int, *, exact: bool) -> pl.DataFrame:
    """Schools in the hub's area by phase, and how many the hub's Work Groups reached that year.
    Schools from outside the area that joined are counted in `schools_reached` too. A phase with 1
    to 4 schools in the area is hidden with its schools reached (the hub's totals are published)."""
    frame = as_frame(
        cur,
        f"""
        WITH {_REACHED}
        SELECT coalesce(v.label, $other) AS phase, coalesce(v.sort_order, 99) AS sort_order,
               count(*) FILTER (WHERE s.hub_id = $hub) AS schools_in_area,
               count(r.urn) AS schools_reached
        FROM schools AS s
        LEFT JOIN reached AS r ON r.urn = s.urn
        LEFT JOIN vocabularies AS v ON v.vocabulary = 'phase' AND v.code = s.phase
        WHERE s.hub_id = $hub OR r.urn IS NOT NULL
        GROUP BY ALL
        ORDER BY sort_order
        """,  # noqa: S608 - only fixed SQL is formatted in; inputs are parameters
        {"hub": hub_id, "year": year_start, "other": OTHER_PHASE},
    )
    return _reach_share(
        disclose(frame, ["schools_reached"], exact, totals_over=[[]], denominator="schools_in_area")
    )


@st.cache_data(**CACHE)
def hub_reach_by_phase(hub_id: str, year_start: int, *, exact: bool) -> pl.DataFrame:
    return run(fetch_hub_reach_by_phase, hub_id, year_start, exact=exact)


def fetch_hub_reach_by_la(cur, hub_id: str, year_start: int, *, exact: bool) -> pl.DataFrame:
    """Schools in each local authority of the hub's area, and how many its Work Groups reached."""
    frame = as_frame(
        cur,
        f"""
        WITH {_REACHED}
        SELECT coalesce(s.la_name, 'Unknown') AS local_authority,
               count(*) FILTER (WHERE s.hub_id = $hub) AS schools_in_area,
               count(r.urn) AS schools_reached
        FROM schools AS s LEFT JOIN reached AS r ON r.urn = s.urn
        WHERE s.hub_id = $hub OR r.urn IS NOT NULL
        GROUP BY ALL
        ORDER BY schools_in_area DESC, local_authority
        """,  # noqa: S608 - only fixed SQL is formatted in; inputs are parameters
        {"hub": hub_id, "year": year_start},
    )
    return _reach_share(
        disclose(frame, ["schools_reached"], exact, totals_over=[[]], denominator="schools_in_area")
    )


@st.cache_data(**CACHE)
def hub_reach_by_la(hub_id: str, year_start: int, *, exact: bool) -> pl.DataFrame:
    return run(fetch_hub_reach_by_la, hub_id, year_start, exact=exact)


def fetch_hub_journey(cur, hub_id: str, *, exact: bool) -> pl.DataFrame:
    """Schools at each teaching-for-mastery stage in the hub's Work Groups, year by year."""
    frame = as_frame(
        cur,
        """
        SELECT w.year_start, w.academic_year, v.code AS stage, v.label AS stage_label, v.sort_order,
               count(DISTINCT pa.school_urn) AS schools
        FROM participations AS pa JOIN work_groups AS w USING (work_group_id)
        JOIN vocabularies AS v ON v.vocabulary = 'stage' AND v.code = pa.stage
        WHERE w.hub_id = $hub
        GROUP BY ALL
        ORDER BY w.year_start, v.sort_order
        """,
        {"hub": hub_id},
    )
    return disclose(frame, ["schools"], exact, totals_over=[["year_start"]])


@st.cache_data(**CACHE)
def hub_journey(hub_id: str, *, exact: bool) -> pl.DataFrame:
    return run(fetch_hub_journey, hub_id, exact=exact)


def fetch_hub_provision(cur, hub_id: str, year_start: int) -> pl.DataFrame:
    """Provision audit: the hub's Work Groups in a year by kind of professional development (ACME
    2013) and phase, with every kind x phase listed so the gaps show as zeros."""
    kinds = pl.DataFrame(
        {"pd_kind": list(ACME_KINDS), "kind": list(ACME_KINDS.values()), "kind_order": range(len(ACME_KINDS))}
    )
    frame = as_frame(
        cur,
        """
        WITH wg AS (
            SELECT coalesce(s.pd_kind, 'unclassified') AS pd_kind, p.phase,
                count(DISTINCT s.work_group_id) AS n
            FROM mart_work_group_search AS s, unnest(s.phases) AS p(phase)
            WHERE s.hub_id = $hub AND s.year_start = $year GROUP BY ALL
        ), kinds AS (
            SELECT unnest($kinds::VARCHAR[]) AS pd_kind
            UNION SELECT DISTINCT pd_kind FROM wg
        )
        SELECT k.pd_kind, v.code AS phase, v.label AS phase_label, v.sort_order,
            coalesce(wg.n, 0) AS work_groups
        FROM kinds AS k CROSS JOIN (SELECT * FROM vocabularies WHERE vocabulary = 'phase') AS v
        LEFT JOIN wg ON wg.pd_kind = k.pd_kind AND wg.phase = v.code
        ORDER BY k.pd_kind, v.sort_order
        """,
        {"hub": hub_id, "year": year_start, "kinds": list(ACME_KINDS)},
    )
    frame = frame.join(kinds, on="pd_kind", how="left").with_columns(
        pl.col("kind").fill_null(pl.col("pd_kind").str.replace_all("_", " ").str.to_titlecase()),
        pl.col("kind_order").fill_null(len(ACME_KINDS)),
    )
    return frame.sort("kind_order", "sort_order")  # Work Groups: public events, not suppressed


@st.cache_data(**CACHE)
def hub_provision(hub_id: str, year_start: int) -> pl.DataFrame:
    return run(fetch_hub_provision, hub_id, year_start)


def fetch_hub_facts(cur, hub_id: str) -> dict:
    """Reference facts about one hub (no personal data) and its district counts by provenance."""
    frame = as_frame(
        cur,
        """
        SELECT h.hub_id, h.name, h.former_names, h.lead_schools, h.town, h.region, h.website,
               h.areas_summary, h.status, h.confidence, h.map_point_source,
               count(a.lad_code) AS districts,
               count(a.lad_code) FILTER (WHERE a.provenance = 'declared') AS districts_declared,
               count(a.lad_code) FILTER (WHERE a.provenance = 'estimated') AS districts_estimated,
               list(DISTINCT a.source_url ORDER BY a.source_url) FILTER (WHERE a.provenance = 'declared')
                   AS declared_sources
        FROM hubs AS h LEFT JOIN hub_areas AS a USING (hub_id)
        WHERE h.hub_id = ?
        GROUP BY ALL
        """,
        [hub_id],
    )
    return frame.row(0, named=True) if frame.height else {}


@st.cache_data(**CACHE)
def hub_facts(hub_id: str) -> dict:
    return run(fetch_hub_facts, hub_id)
