"""Queries for the national pages: the hub map, LLME coverage, hub profiles and About the data.

One cached function per chart or table. Every SQL statement takes its inputs as parameters; no
user text is ever formatted into SQL. LLMEs are only read through `mart_active_llmes` and
`llmes_public` (never the names or emails in `llmes`).

Every count of people or schools leaves this module through `privacy.public_view()` (the one
small-number suppression rule), with `exact` (the viewer's `exact_numbers`) a parameter of each
cached function so that the cache keeps public and exact results apart. Counts of Work Groups
(public events) and of schools in an area (the public GIAS register) are not suppressed.
"""

from __future__ import annotations

import re

import polars as pl
import streamlit as st

from dashboard import privacy
from dashboard.data import common
from dashboard.data.db import query
from pipelines import domain

TARGET_PER_HUB = 50
NATIONAL_TARGET = 2_000
GAP_THRESHOLD = 3  # "fewer than 3 active LLMEs in a phase" is called out as a gap

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
CACHE = {"ttl": "1h", "max_entries": 64}


disclose = privacy.public_view  # the one gate; short name used by every query below
# Shares and shortfalls computed from a count: hidden ("c") wherever that count is hidden.
DERIVED = {
    "share_of_target": "active_llmes",
    "short_of_target": "active_llmes",
    "reach_share": "schools_reached",
}
ABOUT_SMALL_NUMBERS = "about#small-numbers"


def any_hidden(frame: pl.DataFrame, *counts: str) -> bool:
    """Whether any of these counts is hidden in the frame (then the page shows the legend line)."""
    return any(f"{c}_hidden" in frame.columns and frame[f"{c}_hidden"].any() for c in counts)


def legend(*frames: pl.DataFrame) -> str | None:
    """The legend line under a chart or table with hidden numbers, linking to the rule."""
    if any(
        any_hidden(f, *[c.removesuffix("_hidden") for c in f.columns if c.endswith("_hidden")])
        for f in frames
    ):
        return f"{privacy.LEGEND} [How small numbers are protected]({ABOUT_SMALL_NUMBERS})"
    return None


def shown(frame: pl.DataFrame) -> pl.DataFrame:
    """Counts (and shares derived from them) as text with "c" where hidden, when any are hidden;
    numbers stay numbers otherwise. The helper columns are dropped."""
    hidden = [c.removesuffix("_hidden") for c in frame.columns if c.endswith("_hidden")]
    texts = [c for c in hidden if frame[f"{c}_hidden"].any()]
    derived = [d for d, c in DERIVED.items() if c in texts and d in frame.columns]
    frame = frame.with_columns(
        *[pl.col(f"{c}_shown").alias(c) for c in texts],
        *[
            pl.when(pl.col(f"{DERIVED[d]}_hidden"))
            .then(pl.lit(privacy.SYMBOL))
            .otherwise(pl.col(d).cast(pl.String))
            .alias(d)
            for d in derived
        ],
    )
    return frame.drop([f"{c}_{s}" for c in hidden for s in ("shown", "hidden")])


def pivot(frame: pl.DataFrame, on: str, index: str | list[str], values: str) -> pl.DataFrame:
    """A wide table of a suppressed count (text with "c" when any cell is hidden)."""
    column = f"{values}_shown" if any_hidden(frame, values) else values
    return frame.pivot(on=on, index=index, values=column, sort_columns=False)


def escape_markdown_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column made inert (`domain.md`), for st.table (which renders cells as Markdown)."""
    return frame.with_columns(
        pl.col(c).map_elements(domain.md, return_dtype=pl.String)
        for c, t in frame.schema.items()
        if t == pl.String
    )


def change_text(value: float | None, context: str) -> str | None:
    """A metric delta with its context inside the chip ("+46 since 2025/26"): st.metric's separate
    delta_description is drawn in a grey too faint for WCAG AA contrast."""
    if value is None:
        return None
    if value == 0:
        return f"no change {context}"
    number = f"{value:+,.1f}".removesuffix(".0") if isinstance(value, float) else f"{value:+,}"
    return f"{number} {context}"


# Column names as shown in tables and CSV downloads.
COLUMN_LABELS = {
    "hub": "Hub", "region": "Region", "programme": "Programme", "phase": "Phase", "kind": "Kind",
    "work_groups": "Work Groups", "active_llmes": "Active LLMEs", "target": "Target",
    "share_of_target": "% of target", "short_of_target": "Short of target", "academic_year": "Academic year",
    "local_authority": "Local authority", "schools_in_area": "Schools in area",
    "schools_reached": "Schools reached", "reach_share": "% reached",
}  # fmt: skip


def readable(frame: pl.DataFrame, **labels: str) -> pl.DataFrame:
    """A frame ready to show or download: shares as whole percentages, hidden counts as "c"
    (see `shown`), columns with display names."""
    shares = [c for c in ("share_of_target", "reach_share") if c in frame.columns]
    frame = shown(frame.with_columns((pl.col(c) * 100).round(0).cast(pl.Int64) for c in shares))
    names = COLUMN_LABELS | labels
    return frame.rename({c: names[c] for c in frame.columns if c in names})


def table(frame: pl.DataFrame, *columns: str, **labels: str) -> pl.DataFrame:
    """`readable` of some columns (with their privacy helper columns, so hidden counts show "c")."""
    helpers = [f"{c}_{s}" for c in columns for s in ("shown", "hidden") if f"{c}_{s}" in frame.columns]
    derived = [f"{DERIVED[c]}_{s}" for c in columns if c in DERIVED for s in ("shown", "hidden")
               if f"{DERIVED[c]}_{s}" in frame.columns]  # fmt: skip
    keep = list(dict.fromkeys([*columns, *helpers, *derived]))
    out = readable(frame.select(keep), **labels)
    names = COLUMN_LABELS | labels
    return out.select([names.get(c, c) for c in columns])


def percent_config(frame: pl.DataFrame, *names: str) -> dict:
    """Whole-percent formatting for share columns that are still numbers (not "c" text)."""
    return {
        n: st.column_config.NumberColumn(format="%d%%")
        for n in names
        if n in frame.columns and frame.schema[n].is_numeric()
    }


# --- Vocabularies and years -------------------------------------------------------------------


@st.cache_data(**CACHE)
def labels(vocabulary: str) -> pl.DataFrame:
    """code, label, sort_order for one controlled vocabulary (phase, role, accreditation, stage)."""
    return query(
        "SELECT code, label, sort_order FROM vocabularies WHERE vocabulary = ? ORDER BY sort_order, code",
        [vocabulary],
    )


@st.cache_data(**CACHE)
def regions() -> list[str]:
    return query("SELECT DISTINCT region FROM hubs WHERE region IS NOT NULL ORDER BY region")[
        "region"
    ].to_list()


@st.cache_data(**CACHE)
def year_choices() -> tuple[list[str], str]:
    """The academic years to offer, oldest first, and the default: the current one
    (`domain.current_year_start`), offered even before any LLME or Work Group of it is loaded."""
    starts = {*common.academic_years()["year_start"].to_list(), common.current_year_start()}
    return [domain.year_label(y) for y in sorted(starts)], common.current_year()


# --- National map ----------------------------------------------------------------------------

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


@st.cache_data(**CACHE)
def hub_summary(year_start: int, *, exact: bool) -> pl.DataFrame:
    """One row per hub for a year: active LLMEs vs target, schools reached, Work Groups, map point.
    England's totals (key figures) and each region's (LLME coverage) are published, so secondary
    suppression runs over all hubs and within each region, hiding the same cells as
    `llme_hub_totals` (the same rows in the same order)."""
    frame = query(_HUB_METRICS, {"year": year_start, "target": TARGET_PER_HUB})
    return _with_shares(
        disclose(frame, ["active_llmes", "schools_reached"], exact, totals_over=[[], ["region"]])
    )


@st.cache_data(**CACHE)
def key_stats(year_start: int, *, exact: bool) -> pl.DataFrame:
    """National tiles for a year and the year before: hubs running Work Groups, active LLMEs,
    schools reached (and all schools), Work Groups."""
    frame = query(
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
        {"year": year_start},
    )
    frame = disclose(frame, ["active_llmes", "schools_reached"], exact)
    return frame.with_columns(
        pl.when(pl.col("schools") > 0)
        .then(pl.col("schools_reached") / pl.col("schools"))
        .alias("reach_share")
    )


@st.cache_data(ttl="1h", max_entries=4)
def districts() -> pl.DataFrame:
    """The 296 districts with their hub, provenance, centroid and (when loaded) GeoJSON boundary."""
    return query(
        """
        SELECT a.lad_code, a.lad_name, a.ctyua_name, a.region_name, a.hub_id, a.provenance,
               a.centroid_lat, a.centroid_lon, b.geometry
        FROM hub_areas AS a LEFT JOIN lad_boundaries AS b USING (lad_code)
        ORDER BY a.lad_code
        """
    )


@st.cache_data(ttl="1h", max_entries=4)
def hub_neighbours(km: float = 35.0) -> pl.DataFrame:
    """Pairs of hubs with districts within `km` of each other (centroids): used to colour the map
    so that neighbouring hubs never share a colour."""
    return query(
        """
        SELECT DISTINCT a.hub_id AS hub_a, b.hub_id AS hub_b
        FROM hub_areas AS a JOIN hub_areas AS b ON a.hub_id < b.hub_id
        WHERE haversine_miles(a.centroid_lat, a.centroid_lon, b.centroid_lat, b.centroid_lon) < ?
        ORDER BY 1, 2
        """,
        [km / domain.KM_PER_MILE],
    )


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


@st.cache_data(ttl="1h", max_entries=256)
def find_hub(text: str, limit: int = 25) -> pl.DataFrame:
    """Places and schools matching a URN, postcode, town, council area or school name, with their
    hub: places first (a town beats a school whose name merely contains it), then schools, so the
    page can answer at once or offer a short list to choose from (`hub_answer`)."""
    kind, value = parse_search(text)
    if kind == "urn":
        sql = f"""SELECT {_SCHOOL_ROW}, 'URN' AS matched_on, NULL::BIGINT AS schools
                  FROM schools AS s JOIN hubs AS h USING (hub_id) WHERE s.urn = ?::BIGINT"""  # noqa: S608 - fixed columns
        return query(sql, [value])
    if kind == "postcode":
        # The district's centre -> district -> hub, then the schools in the postcode district.
        sql = f"""
            SELECT * FROM (
                SELECT 'place' AS kind, 'Postcode district ' || pd.district || ' (' || a.lad_name || ')' AS label,
                       NULL::BIGINT AS urn, NULL AS school, NULL AS town, pd.district AS postcode,
                       a.lad_name AS la_name, {_HUB_COLS}, 'postcode district centre' AS matched_on,
                       NULL::BIGINT AS schools
                FROM postcode_districts AS pd JOIN hub_areas AS a USING (lad_code) JOIN hubs AS h USING (hub_id)
                WHERE pd.district = $district
                UNION ALL
                SELECT 'place', 'Postcode district ' || a.postcode_district || ' (' || a.lad_name || ')',
                       NULL, NULL, NULL, a.postcode_district, a.lad_name, {_HUB_COLS}, 'postcode district centre',
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
        return query(sql, {"district": value, "limit": limit})
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
                   t.town || CASE WHEN lower(t.town) = lower(t.la_name) THEN '' ELSE ', ' || t.la_name END AS label,
                   NULL::BIGINT AS urn, NULL AS school, t.town, NULL AS postcode, t.la_name, {_HUB_COLS},
                   'town' AS matched_on, t.schools, t.rank
            FROM towns AS t JOIN hubs AS h USING (hub_id)
            UNION ALL
            SELECT DISTINCT 'place', c.town || ' (council area' || CASE WHEN c.la_name IS NULL OR c.la_name = c.town
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
    return query(sql, {"q": value, "limit": limit})


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


# --- LLME coverage ---------------------------------------------------------------------------
#
# Every count here is published at three levels: hub (hub profile, coverage tables), region (the
# region filter) and England. An LLME belongs to one hub, so a region's count is the sum of its
# hubs' and England's the sum of the regions'. Each query therefore counts at the finest level for
# every hub (or region), suppresses with those sums as published totals, and only then keeps the
# region asked for: a cell hidden in one view is never shown in another, so no view's total minus
# another view's visible cells gives a hidden number away.

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


@st.cache_data(**CACHE)
def _hub_codes(
    year_start: int, by: str, role: str | None, accreditation: str | None, *, exact: bool
) -> pl.DataFrame:
    """Active LLMEs of every hub by phase, role or accreditation (every category, zeros kept).
    Secondary suppression covers the hub's total and the region's and England's count of each
    category, so the hub profile, the coverage matrix and the regional views hide the same cells."""
    columns = {"phase": "phases", "role": "roles", "accreditation": "accreditations"}
    if by not in columns:
        raise ValueError(f"unknown breakdown {by!r}")
    frame = query(
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


@st.cache_data(**CACHE)
def llme_matrix(
    year_start: int, region: str | None, role: str | None, accreditation: str | None, *, exact: bool
) -> pl.DataFrame:
    """Hub x phase active LLMEs (zeros included): an LLME counts once in each phase they lead."""
    frame = _hub_codes(year_start, "phase", role, accreditation, exact=exact)
    frame = frame.rename({"code": "phase", "label": "phase_label"})
    return _in_region(frame, region)


@st.cache_data(**CACHE)
def llme_hub_totals(
    year_start: int, region: str | None, role: str | None, accreditation: str | None, *, exact: bool
) -> pl.DataFrame:
    """Active LLMEs per hub (each LLME once), with the per-hub target (which applies to all active
    LLMEs: shares of it are only given without a role or accreditation filter)."""
    frame = query(
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
def llme_trend(
    region: str | None, role: str | None, accreditation: str | None, *, exact: bool
) -> pl.DataFrame:
    """Active LLMEs in every academic year, with the target for the hubs in view (50 per hub; it
    applies to all active LLMEs, whatever the role or accreditation filter)."""
    raw = query(
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
def llme_phase_trend(
    region: str | None, role: str | None, accreditation: str | None, *, exact: bool
) -> pl.DataFrame:
    """Each phase's active LLMEs in every academic year (an LLME counts in each phase they lead)."""
    raw = query(
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
        LEFT JOIN active ON active.year_start = y.year_start AND active.region = r.region AND active.phase = v.code
        ORDER BY y.year_start, v.sort_order, r.region
        """,  # noqa: S608 - only fixed SQL is formatted in; inputs are parameters
        _filters(role, accreditation),
    )
    return _regional(raw, ["year_start", "phase"], region, exact).sort("year_start", "sort_order")


@st.cache_data(**CACHE)
def llme_breakdown(
    by: str, year_start: int, region: str | None, role: str | None, accreditation: str | None, *, exact: bool
) -> pl.DataFrame:
    """Active LLMEs by role or by accreditation (an LLME with two roles counts under each).
    For accreditation a "none recorded" row counts LLMEs without one."""
    if by not in ("role", "accreditation"):
        raise ValueError(f"unknown breakdown {by!r}")
    column = "roles" if by == "role" else "accreditations"
    raw = query(
        f"""
        WITH rows AS (
            SELECT a.llme_id, h.region, a.{column} AS codes
            FROM mart_active_llmes AS a JOIN hubs AS h USING (hub_id)
            WHERE a.year_start = $year AND {_LLME_WHERE}
        ), counted AS (
            SELECT r.region, c.code, count(DISTINCT r.llme_id) AS active_llmes
            FROM rows AS r, unnest(r.codes) AS c(code) GROUP BY ALL
        ), regions AS (SELECT DISTINCT region FROM hubs)
        SELECT regions.region, v.code, v.label, v.sort_order, coalesce(counted.active_llmes, 0) AS active_llmes
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


# --- Hub profile -----------------------------------------------------------------------------


@st.cache_data(**CACHE)
def hub_headlines(hub_id: str, year_start: int, *, exact: bool) -> pl.DataFrame:
    """The hub's headline numbers beside the national median of the 40 hubs. `hub` is None when
    the hub's number is hidden; the median is None when it would be computed from a hidden one."""
    hubs = hub_summary(year_start, exact=exact)
    every = hub_summary(year_start, exact=True)
    measures = {
        "active_llmes": "Active LLMEs",
        "work_groups": "Work Groups",
        "schools_reached": "Schools reached",
        "reach_share": "Area schools reached",
    }
    hidden = {m: hubs[f"{DERIVED.get(m, m)}_hidden"] if f"{DERIVED.get(m, m)}_hidden" in hubs.columns
              else pl.repeat(False, hubs.height, eager=True) for m in measures}  # fmt: skip
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


def hub_llmes(hub_id: str, year_start: int, by: str, *, exact: bool) -> pl.DataFrame:
    """The hub's active LLMEs by phase, role or accreditation (every category listed, zeros kept),
    hidden exactly as in the national views (see `_hub_codes`)."""
    frame = _hub_codes(year_start, by, None, None, exact=exact)
    return frame.filter(pl.col("hub_id") == hub_id).drop("hub_id", "hub", "region")


@st.cache_data(**CACHE)
def hub_work_groups(hub_id: str, year_start: int) -> pl.DataFrame:
    """The hub's Work Groups in a year by programme and phase (a two-phase group counts in both)."""
    frame = query(
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


@st.cache_data(**CACHE)
def hub_reach_by_phase(hub_id: str, year_start: int, *, exact: bool) -> pl.DataFrame:
    """Schools in the hub's area by phase, and how many the hub's Work Groups reached that year.
    Schools from outside the area that joined are counted in `schools_reached` too. A phase with 1
    to 4 schools in the area is hidden with its schools reached (the hub's totals are published)."""
    frame = query(
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
def hub_reach_by_la(hub_id: str, year_start: int, *, exact: bool) -> pl.DataFrame:
    """Schools in each local authority of the hub's area, and how many its Work Groups reached."""
    frame = query(
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
def hub_journey(hub_id: str, *, exact: bool) -> pl.DataFrame:
    """Schools at each teaching-for-mastery stage in the hub's Work Groups, year by year."""
    frame = query(
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
def hub_provision(hub_id: str, year_start: int) -> pl.DataFrame:
    """Provision audit: the hub's Work Groups in a year by kind of professional development (ACME
    2013) and phase, with every kind x phase listed so the gaps show as zeros."""
    kinds = pl.DataFrame(
        {"pd_kind": list(ACME_KINDS), "kind": list(ACME_KINDS.values()), "kind_order": range(len(ACME_KINDS))}
    )
    frame = query(
        """
        WITH wg AS (
            SELECT coalesce(s.pd_kind, 'unclassified') AS pd_kind, p.phase, count(DISTINCT s.work_group_id) AS n
            FROM mart_work_group_search AS s, unnest(s.phases) AS p(phase)
            WHERE s.hub_id = $hub AND s.year_start = $year GROUP BY ALL
        ), kinds AS (
            SELECT unnest($kinds::VARCHAR[]) AS pd_kind
            UNION SELECT DISTINCT pd_kind FROM wg
        )
        SELECT k.pd_kind, v.code AS phase, v.label AS phase_label, v.sort_order, coalesce(wg.n, 0) AS work_groups
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
def hub_facts(hub_id: str) -> dict:
    """Reference facts about one hub (no personal data) and its district counts by provenance."""
    frame = query(
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


# --- About the data --------------------------------------------------------------------------


@st.cache_data(**CACHE)
def definitions() -> pl.DataFrame:
    """Labels and descriptions of the phases, roles, accreditations and stages."""
    return query(
        """
        SELECT vocabulary, label, description FROM vocabularies
        WHERE vocabulary IN ('phase', 'role', 'accreditation', 'stage', 'pd_kind', 'target')
        ORDER BY vocabulary, sort_order
        """
    )


LOAD_COUNTS = ["received", "loaded", "quarantined"]


@st.cache_data(**CACHE)
def load_history(limit: int = 50, *, exact: bool) -> pl.DataFrame:
    """The newest loads from the load log (no file contents, no personal data). Rows of a file are
    records of people or schools, so the counts are suppressed (received = loaded + quarantined is
    a published total within each load); the free-text message is for exact viewers only."""
    frame = query(
        """
        SELECT run_id, started_at, kind, entity, file_name, status, received, loaded, quarantined, message
        FROM load_log ORDER BY started_at DESC, run_id DESC LIMIT ?
        """,
        [limit],
    ).with_row_index("_load")
    if frame.is_empty():
        return frame.select("started_at", "kind", "entity", "file_name", "status", *LOAD_COUNTS)
    long = frame.unpivot(LOAD_COUNTS, index="_load", variable_name="measure", value_name="n")
    long = disclose(long, ["n"], exact, totals_over=[["_load"]])
    counts = pl.col("n_shown") if any_hidden(long, "n") else pl.col("n")
    wide = long.select("_load", "measure", counts.alias("n")).pivot(on="measure", index="_load", values="n")
    frame = frame.drop(LOAD_COUNTS).join(wide, on="_load", how="left")
    keep = ["started_at", "kind", "entity", "file_name", "status", *LOAD_COUNTS] + (
        ["message"] if exact else []
    )
    return frame.select(keep)


# Words for the codes in the reference and load-log tables, so About the data never shows a raw
# status or column name (`not_found`, `map_point_source`).
STATUS_LABELS = {
    "confirmed": "Confirmed by a current source",
    "dated": "From an older source (not confirmed as current)",
    "inferred": "Inferred from two or more sources",
    "not_found": "No source found for the area or lead school",
}
POINT_LABELS = {
    "lead school": "Lead school",
    "estimated: centre of its districts": "Centre of its area (no lead school found)",
}
LOAD_KINDS = {"ingest": "File loaded", "sample": "Sample data generated", "build": "Warehouse built",
              "reference": "Open data loaded"}  # fmt: skip
LOAD_ENTITIES = {"llmes": "LLMEs", "work_groups": "Work Groups", "participations": "School participations"}
LOAD_STATUS = {"loaded": "Loaded", "rejected": "Rejected"}
LOAD_COLUMNS = {"started_at": "Started (UTC)", "kind": "What", "entity": "Data", "file_name": "File",
                "status": "Result", "received": "Rows received", "loaded": "Rows loaded",
                "quarantined": "Rows set aside", "message": "Message"}  # fmt: skip


def _words(column: str, labels: dict[str, str]) -> pl.Expr:
    """A code column in words (an unknown code is shown as written, with spaces for underscores)."""
    return pl.col(column).replace_strict(
        labels, default=pl.col(column).str.replace_all("_", " "), return_dtype=pl.String
    )


def provenance_table(prov: pl.DataFrame) -> pl.DataFrame:
    """`provenance_summary` ready to show or download: labels for every column and code."""
    return prov.select(
        pl.col("hub").alias("Hub"),
        pl.col("region").alias("Region"),
        pl.col("confidence").str.to_titlecase().alias("Confidence"),
        _words("status", STATUS_LABELS).alias("Source"),
        _words("map_point_source", POINT_LABELS).alias("Map point"),
        pl.col("districts").alias("Districts"),
        pl.col("declared").alias("Declared by a source"),
        pl.col("estimated").alias("Estimated"),
    )


def load_table(loads: pl.DataFrame) -> pl.DataFrame:
    """`load_history` ready to show or download: words for kinds, data and results; labelled columns."""
    codes = {"kind": LOAD_KINDS, "entity": LOAD_ENTITIES, "status": LOAD_STATUS}
    frame = loads.with_columns(_words(c, labels) for c, labels in codes.items() if c in loads.columns)
    if "started_at" in frame.columns:
        frame = frame.with_columns(pl.col("started_at").cast(pl.String).str.slice(0, 16))
    return frame.rename({c: LOAD_COLUMNS[c] for c in frame.columns if c in LOAD_COLUMNS})


@st.cache_data(**CACHE)
def provenance_summary() -> pl.DataFrame:
    """Per hub: how sure the published facts are, where its map point comes from, and how many of
    its districts are declared by a published source versus estimated by us."""
    return query(
        """
        SELECT h.name AS hub, h.region, h.confidence, h.status, h.map_point_source,
               count(a.lad_code) AS districts,
               count(a.lad_code) FILTER (WHERE a.provenance = 'declared') AS declared,
               count(a.lad_code) FILTER (WHERE a.provenance = 'estimated') AS estimated
        FROM hubs AS h LEFT JOIN hub_areas AS a USING (hub_id)
        GROUP BY ALL
        ORDER BY h.name
        """
    )


@st.cache_data(**CACHE)
def table_counts(*, exact: bool) -> pl.DataFrame:
    """Row counts of the public tables behind these pages (each a national total: 1-4 hidden)."""
    frame = query(
        """
        SELECT 'Maths Hubs' AS what, count(*) AS n FROM hubs
        UNION ALL SELECT 'Districts (local authority districts) assigned to a hub', count(*) FROM hub_areas
        UNION ALL SELECT 'District boundaries loaded', count(*) FROM lad_boundaries
        UNION ALL SELECT 'Postcode districts loaded', count(*) FROM postcode_districts
        UNION ALL SELECT 'Schools', count(*) FROM schools
        UNION ALL SELECT 'Programmes', count(*) FROM programmes
        UNION ALL SELECT 'LLMEs (any year)', count(*) FROM llmes_public
        UNION ALL SELECT 'Work Groups (any year)', count(*) FROM work_groups
        UNION ALL SELECT 'School participations', count(*) FROM participations
        """
    )
    return disclose(frame, ["n"], exact)
