"""Contract for Work Groups: the `work_groups` import template, its parsing and its rules.

A Work Group is one NCETM project run by one hub in one academic year (multi-session, for one or
more phases). Each rule below carries the plain-English reason a quarantined row is given.
"""

from __future__ import annotations

import dataframely as dy
import polars as pl

from pipelines import domain
from pipelines.contracts import spec
from pipelines.contracts.common import (
    MAX_TEXT,
    POSTCODE,
    SQL_SPACES,
    Context,
    RuleBook,
    alias_table,
    as_code,
    as_codes,
    as_date_list,
    as_int,
    as_postcode,
    as_year_label,
    as_year_start,
    list_has_null,
    missing_or,
    present,
    resolve,
    short_text,
    sql_alias_key,
    sql_int,
    sql_list,
    sql_lookup,
    sql_map,
    unique_codes,
)
from pipelines.vocab import vocab

ENTITY = "work_groups"
SPEC = spec.WORK_GROUPS  # columns, required flags and table types are declared once, in spec.py
KEY = SPEC.key
REQUIRED = SPEC.required
OPTIONAL = SPEC.optional
TEMPLATE = SPEC.template
OUTPUT = spec.output(ENTITY)

# Postcode areas wholly outside England (Scotland, Wales, Northern Ireland, Crown dependencies),
# so the check works without open data. Border areas that also hold English addresses (TD, CH,
# SY, LL, LD, NP) are left to the district data, and a postcode that an English school in the
# register uses is always accepted.
NON_ENGLISH_AREAS = [
    "AB",
    "DD",
    "DG",
    "EH",
    "FK",
    "G",
    "HS",
    "IV",
    "KA",
    "KW",
    "KY",
    "ML",
    "PA",
    "PH",
    "ZE",
    "CF",
    "SA",
    "BT",
    "GY",
    "JE",
    "IM",
]

rules = RuleBook()


def venue_abroad(ctx: Context) -> pl.Expr:
    postcode = as_postcode("venue_postcode")
    district = postcode.str.split(" ").list.first()
    area = postcode.str.extract(r"^([A-Z]{1,2})\d", 1)
    outside = district.is_in(ctx.foreign_districts.implode()) | area.is_in(NON_ENGLISH_AREAS)
    return outside & ~postcode.is_in(ctx.school_postcodes.implode())


def parse(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    return frame.with_columns(
        hub_id=resolve("hub", ctx.hub_aliases),
        year_start=as_year_start("academic_year"),
        programme_id=resolve("programme", ctx.programme_aliases),
        project_code=pl.col("project_code").str.to_uppercase(),
        phase_codes=unique_codes(as_codes("phases", "phase")),
        delivery_code=as_code("delivery", "delivery"),
        status_code=as_code("status", "status"),
        postcode=as_postcode("venue_postcode"),
        venue_abroad=venue_abroad(ctx),
        dates=as_date_list("session_dates").list.sort(),
        capacity_n=as_int("capacity"),
        places_left_n=as_int("places_left"),
    )


def finish(good: pl.DataFrame) -> pl.DataFrame:
    return good.select(
        "work_group_id",
        "hub_id",
        as_year_label(pl.col("year_start")).alias("academic_year"),
        "year_start",
        "project_code",
        "programme_id",
        "programme",
        "title",
        pl.col("phase_codes").alias("phases"),
        pl.col("delivery_code").alias("delivery"),
        "venue_name",
        pl.col("postcode").alias("venue_postcode"),
        pl.col("dates").alias("session_dates"),
        pl.col("capacity_n").alias("capacity"),
        pl.col("places_left_n").alias("places_left"),
        pl.col("status_code").alias("status"),
        "booking_url",
        "cost_note",
        "eligibility",
    )


class WorkGroupSchema(dy.Schema):
    _row = dy.Int64(nullable=False)
    work_group_id = dy.String(nullable=True)
    hub = dy.String(nullable=True)
    hub_id = dy.String(nullable=True)
    academic_year = dy.String(nullable=True)
    year_start = dy.Int32(nullable=True)
    project_code = dy.String(nullable=True)
    programme = dy.String(nullable=True)
    programme_id = dy.String(nullable=True)
    title = dy.String(nullable=True)
    phases = dy.String(nullable=True)
    phase_codes = dy.List(dy.String(nullable=True), nullable=True)
    delivery = dy.String(nullable=True)
    delivery_code = dy.String(nullable=True)
    venue_name = dy.String(nullable=True)
    venue_postcode = dy.String(nullable=True)
    postcode = dy.String(nullable=True)
    venue_abroad = dy.Bool(nullable=True)
    session_dates = dy.String(nullable=True)
    dates = dy.List(dy.Date(nullable=True), nullable=True)
    capacity = dy.String(nullable=True)
    capacity_n = dy.Int64(nullable=True)
    places_left = dy.String(nullable=True)
    places_left_n = dy.Int64(nullable=True)
    status = dy.String(nullable=True)
    status_code = dy.String(nullable=True)
    booking_url = dy.String(nullable=True)
    cost_note = dy.String(nullable=True)
    eligibility = dy.String(nullable=True)

    @rules.check("work_group_id", "is required")
    def work_group_id_present(cls) -> pl.Expr:
        return present("work_group_id")

    @rules.check("work_group_id", "must be 1-64 letters, digits or - _ . / with no spaces")
    def work_group_id_format(cls) -> pl.Expr:
        return missing_or(
            "work_group_id", pl.col("work_group_id").str.contains(r"^[A-Za-z0-9][A-Za-z0-9_./\-]{0,63}$")
        )

    @rules.check("hub", "is required (a hub_id such as 'origin' or a hub name)")
    def hub_present(cls) -> pl.Expr:
        return present("hub")

    @rules.check("hub", "is not one of the 40 Maths Hubs (use a hub_id or the hub's name)")
    def hub_known(cls) -> pl.Expr:
        return missing_or("hub", pl.col("hub_id").is_not_null())

    @rules.check("academic_year", "must be an academic year like 2025/26")
    def academic_year_valid(cls) -> pl.Expr:
        return pl.col("year_start").is_not_null()

    @rules.check("project_code", "must be a short code of letters, digits and hyphens, e.g. NCP25-30")
    def project_code_format(cls) -> pl.Expr:
        return missing_or("project_code", pl.col("project_code").str.contains(r"^[A-Z0-9][A-Z0-9\-/]{1,19}$"))

    @rules.check("programme", "is required")
    def programme_present(cls) -> pl.Expr:
        return present("programme")

    @rules.check("programme", "must be at most 200 characters")
    def programme_length(cls) -> pl.Expr:
        return short_text("programme", 200)

    @rules.check("title", "is required")
    def title_present(cls) -> pl.Expr:
        return present("title")

    @rules.check("title", "must be at most 300 characters")
    def title_length(cls) -> pl.Expr:
        return short_text("title", 300)

    @rules.check("phases", "needs at least one phase (Early Years, Primary, Secondary, Post-16)")
    def phases_present(cls) -> pl.Expr:
        return pl.col("phase_codes").list.len() > 0

    @rules.check("phases", "contains a phase that is not Early Years, Primary, Secondary or Post-16")
    def phases_known(cls) -> pl.Expr:
        return ~list_has_null(pl.col("phase_codes"))

    @rules.check("delivery", "must be face-to-face, online or blended")
    def delivery_known(cls) -> pl.Expr:
        return pl.col("delivery_code").is_not_null()

    @rules.check("venue_postcode", "is not a valid UK postcode (e.g. GL55 6AB)")
    def venue_postcode_valid(cls) -> pl.Expr:
        return missing_or("venue_postcode", pl.col("postcode").str.contains(POSTCODE))

    @rules.check("venue_postcode", "is outside England (Maths Hubs serve English schools)")
    def venue_in_england(cls) -> pl.Expr:
        return ~pl.col("venue_abroad").fill_null(False)

    @rules.check("venue_postcode", "is required for face-to-face and blended Work Groups")
    def venue_postcode_in_person(cls) -> pl.Expr:
        return (
            (pl.col("delivery_code") == "online")
            | pl.col("delivery_code").is_null()
            | present("venue_postcode")
        )

    @rules.check("session_dates", "needs at least one session date")
    def session_dates_present(cls) -> pl.Expr:
        return pl.col("dates").list.len() > 0

    @rules.check("session_dates", "has a date that is not a real date in the form 2025-10-14 or 14/10/2025")
    def session_dates_valid(cls) -> pl.Expr:
        return ~list_has_null(pl.col("dates"))

    @rules.check("session_dates", "has a date outside the academic year (1 September to 31 August)")
    def session_dates_in_year(cls) -> pl.Expr:
        first = pl.col("dates").list.min()
        last = pl.col("dates").list.max()
        start = pl.date(pl.col("year_start"), 9, 1)
        end = pl.date(pl.col("year_start") + 1, 8, 31)
        return (
            pl.col("year_start").is_null()
            | first.is_null()
            | ((first >= start) & (last <= end)).fill_null(True)
        )

    @rules.check("capacity", "must be a whole number, 0 or more")
    def capacity_count(cls) -> pl.Expr:
        return missing_or("capacity", pl.col("capacity_n") >= 0)

    @rules.check("places_left", "must be a whole number, 0 or more")
    def places_left_count(cls) -> pl.Expr:
        return missing_or("places_left", pl.col("places_left_n") >= 0)

    @rules.check("places_left", "cannot be more than capacity")
    def places_left_within_capacity(cls) -> pl.Expr:
        # A negative capacity is already reported by capacity_count; don't report it twice.
        return ((pl.col("places_left_n") <= pl.col("capacity_n")) | (pl.col("capacity_n") < 0)).fill_null(
            True
        )

    @rules.check("status", "must be open, full or closed")
    def status_known(cls) -> pl.Expr:
        return pl.col("status_code").is_not_null()

    @rules.check("booking_url", "must be a web address starting with https:// or http://")
    def booking_url_web(cls) -> pl.Expr:
        return missing_or("booking_url", pl.col("booking_url").str.contains(r"^https?://[^\s<>\"']{3,500}$"))

    @rules.check("venue_name", "must be at most 300 characters")
    def venue_name_length(cls) -> pl.Expr:
        return short_text("venue_name", 300)

    @rules.check("cost_note", "must be at most 2,000 characters")
    def cost_note_length(cls) -> pl.Expr:
        return short_text("cost_note")

    @rules.check("eligibility", "must be at most 2,000 characters")
    def eligibility_length(cls) -> pl.Expr:
        return short_text("eligibility")


SCHEMA = WorkGroupSchema


# --- the same contract in SQL (contracts.in_duckdb; tests/unit/test_in_duckdb.py proves them equal) ---


def sql_tables(ctx: Context) -> dict[str, pl.DataFrame]:
    return {
        "_atlas_alias_hub": alias_table(ctx.hub_aliases),
        "_atlas_alias_programme": alias_table(ctx.programme_aliases),
        "_atlas_alias_delivery": alias_table(vocab("delivery").aliases),
        "_atlas_alias_status": alias_table(vocab("status").aliases),
    }


def _year_start(text: str | None) -> int | None:
    return domain.parse_year(text, bare=False)


# `domain.parse_year` (Python's re: \d and \s are Unicode, str.strip() also strips \x1c-\x1f) in SQL
# for ASCII text; anything else calls the Python function itself, row by row (rare).
_PY_SPACE = r"[ \t\n\r\f\v\x1c-\x1f]"
# The pattern takes the stripping in itself (the year starts and ends with a digit, so the spaces
# around it are unambiguous): trim() with a set of characters costs several times the match.
_YEAR = rf"^{_PY_SPACE}*(20[0-9][0-9])(?:{_PY_SPACE}*[-/]{_PY_SPACE}*([0-9][0-9]|20[0-9][0-9]))?{_PY_SPACE}*$"
_AREAS = ", ".join(f"'{a}'" for a in NON_ENGLISH_AREAS)
_UNKNOWN = "\x01"  # an unknown phase inside a list, until the unique step (list_position ignores NULL)
SQL_FUNCTIONS = {"atlas_year_start": (_year_start, "VARCHAR", "INTEGER")}
_PHASES = sql_map(vocab("phase").aliases)
_ISO = "regexp_full_match(d, '[0-9]{4}-[0-9]{2}-[0-9]{2}')"
_UK = "regexp_full_match(d, '[0-9]{2}/[0-9]{2}/[0-9]{4}')"
_DATE = (
    f"CASE WHEN {_ISO} THEN try_strptime(d, '%Y-%m-%d')::DATE"
    f" WHEN {_UK} THEN try_strptime(d, '%d/%m/%Y')::DATE END"
)
SQL_STEPS = (
    {
        "hub_id": sql_lookup("_atlas_alias_hub", "hub", wide=True),
        "year_from": f"regexp_extract(academic_year, '{_YEAR}', 1)",
        "year_to": f"regexp_extract(academic_year, '{_YEAR}', 2)",
        "programme_id": sql_lookup("_atlas_alias_programme", "programme", wide=True),
        "project_code_upper": "upper(project_code)",
        "phase_list": f"list_transform({sql_list('phases')},"
        f" lambda p: coalesce({_PHASES}[{sql_alias_key('p')}], '{_UNKNOWN}'))",
        "delivery_code": sql_lookup("_atlas_alias_delivery", "delivery", wide=True),
        "status_code": sql_lookup("_atlas_alias_status", "status", wide=True),
        "postcode_squashed": f"regexp_replace(upper(venue_postcode), '{SQL_SPACES}+', '', 'g')",
        "date_list": f"list_sort(list_transform({sql_list('session_dates')}, lambda d: {_DATE}))",
        "capacity_n": sql_int("capacity"),
        "places_left_n": sql_int("places_left"),
    },
    {
        # Unique codes in first-seen order; unknown phases stay as one NULL (\x01 until here).
        "phase_codes": "list_transform("
        "list_filter(phase_list, lambda c, i: list_position(phase_list, c) = i),"
        f" lambda c: nullif(c, '{_UNKNOWN}'))",
        "year_start": "CASE WHEN regexp_matches(academic_year, '[^[:ascii:]]')"
        " THEN atlas_year_start(academic_year)"
        " WHEN year_to <> '' AND (CASE WHEN year_to::INTEGER >= 100 THEN year_to::INTEGER % 100"
        " ELSE year_to::INTEGER END) = (year_from::INTEGER + 1) % 100 THEN year_from::INTEGER END",
        "postcode": "CASE WHEN length(postcode_squashed) >= 5 THEN left(postcode_squashed,"
        " length(postcode_squashed) - 3) || ' ' || right(postcode_squashed, 3) END",
    },
    {
        "venue_abroad": "(split_part(postcode, ' ', 1) IN (SELECT district FROM postcode_districts"  # noqa: S608
        " WHERE country <> 'England' AND district IS NOT NULL)"
        f" OR nullif(regexp_extract(postcode, '^([A-Z]{{1,2}})[0-9]', 1), '') IN ({_AREAS}))"
        " AND NOT postcode IN (SELECT postcode FROM schools WHERE postcode IS NOT NULL)",
    },
)
SQL_KEY = ("work_group_id",)
SQL_RULES = {
    "work_group_id_present": "work_group_id IS NOT NULL",
    "work_group_id_format": "work_group_id IS NULL OR regexp_full_match(work_group_id,"
    " '[A-Za-z0-9][A-Za-z0-9_./\\-]{0,63}')",
    "hub_present": "hub IS NOT NULL",
    "hub_known": "hub IS NULL OR hub_id IS NOT NULL",
    "academic_year_valid": "year_start IS NOT NULL",
    "project_code_format": "project_code_upper IS NULL OR coalesce(regexp_full_match(project_code_upper,"
    " '[A-Z0-9][A-Z0-9\\-/]{1,19}'), false)",
    "programme_present": "programme IS NOT NULL",
    "programme_length": "programme IS NULL OR coalesce(length(programme) <= 200, false)",
    "title_present": "title IS NOT NULL",
    "title_length": "title IS NULL OR coalesce(length(title) <= 300, false)",
    "phases_present": "len(phase_codes) > 0",
    "phases_known": "list_count(phase_codes) = len(phase_codes)",
    "delivery_known": "delivery_code IS NOT NULL",
    "venue_postcode_valid": "venue_postcode IS NULL OR coalesce(regexp_full_match(postcode,"
    " '[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}'), false)",
    "venue_in_england": "NOT coalesce(venue_abroad, false)",
    "venue_postcode_in_person": "delivery_code = 'online' OR delivery_code IS NULL"
    " OR venue_postcode IS NOT NULL",
    "session_dates_present": "len(date_list) > 0",
    "session_dates_valid": "list_count(date_list) = len(date_list)",
    "session_dates_in_year": "year_start IS NULL OR list_min(date_list) IS NULL OR coalesce("
    "list_min(date_list) >= make_date(year_start, 9, 1)"
    " AND list_max(date_list) <= make_date(year_start + 1, 8, 31), true)",
    "capacity_count": "capacity IS NULL OR coalesce(capacity_n >= 0, false)",
    "places_left_count": "places_left IS NULL OR coalesce(places_left_n >= 0, false)",
    "places_left_within_capacity": "coalesce(places_left_n <= capacity_n OR capacity_n < 0, true)",
    "status_known": "status_code IS NOT NULL",
    # {3,500} in RE2 builds a 500-state machine (seconds for 200,000 URLs): the length is counted instead.
    "booking_url_web": "booking_url IS NULL OR coalesce(regexp_full_match(booking_url,"
    f" 'https?://[^{SQL_SPACES[1:-1]}<>\"'']{{3,}}')"
    " AND length(booking_url) - CASE WHEN starts_with(booking_url, 'https') THEN 8 ELSE 7 END <= 500, false)",
    "venue_name_length": "venue_name IS NULL OR coalesce(length(venue_name) <= 300, false)",
    "cost_note_length": f"cost_note IS NULL OR coalesce(length(cost_note) <= {MAX_TEXT}, false)",
    "eligibility_length": f"eligibility IS NULL OR coalesce(length(eligibility) <= {MAX_TEXT}, false)",
}
SQL_OUTPUT = {
    "work_group_id": "work_group_id",
    "hub_id": "hub_id",
    "academic_year": "year_start || '/' || lpad(((year_start + 1) % 100)::VARCHAR, 2, '0')",
    "year_start": "year_start",
    "project_code": "project_code_upper",
    "programme_id": "programme_id",
    "programme": "programme",
    "title": "title",
    "phases": "phase_codes",
    "delivery": "delivery_code",
    "venue_name": "venue_name",
    "venue_postcode": "postcode",
    "session_dates": "date_list",
    "capacity": "capacity_n",
    "places_left": "places_left_n",
    "status": "status_code",
    "booking_url": "booking_url",
    "cost_note": "cost_note",
    "eligibility": "eligibility",
}
