"""The one declaration of each entity's columns: the template a person fills in (name, required,
what to type) and the table it is stored in (name, DuckDB type). Contracts derive their column
tuples from it, and `python -m pipelines.contracts.generate` writes the import templates, the
tables' DDL and the README's template tables from it (a test fails if any of them drifts).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    """A template column: what a person types."""

    name: str
    required: bool
    rule: str  # plain words for the README's template table


@dataclass(frozen=True)
class Column:
    """A stored column of the entity's table."""

    name: str
    sql: str  # DuckDB type and constraints


@dataclass(frozen=True)
class Entity:
    name: str
    key: tuple[str, ...]
    fields: tuple[Field, ...]
    columns: tuple[Column, ...]  # stored, in table order; the contract's output plus what loading adds
    about: str  # the README paragraph's opening words and the DDL's comment
    note: str = ""  # a line after the README table
    ddl_after: str = ""  # SQL comment lines after the CREATE TABLE (why, not what)

    @property
    def template(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)

    @property
    def optional(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if not f.required)


# Loading adds these to every entity table (the contract's output never carries them).
LOADED = (Column("is_sample", "BOOLEAN NOT NULL"), Column("run_id", "BIGINT"))

WORK_GROUPS = Entity(
    name="work_groups",
    key=("work_group_id",),
    about="Work Groups. venue_* coordinates are filled at publish time from the best location known\n"
    "(the school register's exact postcode, else the postcode district centroid).",
    fields=(
        Field("work_group_id", True, "1-64 letters, digits, `- _ . /`"),
        Field("hub", True, "one of the 40 hubs (a `hub_id` such as `origin`, or the hub's name)"),
        Field("academic_year", True, "e.g. `2025/26`"),
        Field("project_code", False, "e.g. `NCP25-30`"),
        Field("programme", True, "programme name (matched to `programmes.csv` where possible)"),
        Field("title", True, "at most 300 characters"),
        Field("phases", True, "Early Years, Primary, Secondary, Post-16 (several allowed)"),
        Field("delivery", True, "face-to-face, online or blended"),
        Field("venue_name", False, "at most 300 characters"),
        Field("venue_postcode", False, "valid UK postcode in England; required for face-to-face and blended"),
        Field(
            "session_dates", True, "one or more dates, all within the academic year (1 September - 31 August)"
        ),
        Field("capacity", False, "whole number >= 0"),
        Field("places_left", False, "whole number >= 0, at most capacity"),
        Field("status", True, "open, full or closed"),
        Field("booking_url", False, "`https://...`"),
        Field("cost_note", False, "free text, at most 2,000 characters"),
        Field("eligibility", False, "free text, at most 2,000 characters"),
    ),
    columns=(
        Column("work_group_id", "VARCHAR NOT NULL"),
        Column("hub_id", "VARCHAR NOT NULL"),
        Column("academic_year", "VARCHAR NOT NULL"),
        Column("year_start", "INTEGER NOT NULL"),
        Column("project_code", "VARCHAR"),
        Column("programme_id", "VARCHAR"),
        Column("programme", "VARCHAR NOT NULL"),
        Column("title", "VARCHAR NOT NULL"),
        Column("phases", "VARCHAR[] NOT NULL"),
        Column("delivery", "VARCHAR NOT NULL"),
        Column("venue_name", "VARCHAR"),
        Column("venue_postcode", "VARCHAR"),
        Column("session_dates", "DATE[] NOT NULL"),
        Column("capacity", "INTEGER"),
        Column("places_left", "INTEGER"),
        Column("status", "VARCHAR NOT NULL"),
        Column("booking_url", "VARCHAR"),
        Column("cost_note", "VARCHAR"),
        Column("eligibility", "VARCHAR"),
        Column("venue_latitude", "DOUBLE"),
        Column("venue_longitude", "DOUBLE"),
        Column("venue_location_source", "VARCHAR"),
        *LOADED,
    ),
    ddl_after="No PRIMARY KEY (see participations): the key is enforced by the contract and the upsert.",
)

LLMES = Entity(
    name="llmes",
    key=("llme_id",),
    about="LLMEs. full_name and email are personal data: public views never select them.",
    note="One person, one LLME: an email already used by another `llme_id` (in the warehouse or earlier "
    "in the file; case and spaces ignored) is quarantined as `same_person`, so nobody counts twice toward "
    "the 50-per-hub ambition. Names and emails are personal data and never reach a public page.",
    fields=(
        Field("llme_id", True, "1-64 letters, digits, `- _ .`"),
        Field("hub", True, "one of the 40 hubs"),
        Field("full_name", True, "at most 200 characters"),
        Field("email", False, "an email address, one per person"),
        Field("school_urn", False, "6-digit DfE URN"),
        Field("school_name", False, "at most 200 characters"),
        Field(
            "roles",
            True,
            "Maths Hub Lead, Assistant Maths Hub Lead, Work Group Lead, Cohort Lead, Community Lead",
        ),
        Field("phases", True, "Early Years, Primary, Secondary, Post-16 (several allowed)"),
        Field(
            "accreditations",
            False,
            "Primary/Secondary/Post-16 Mastery Specialist, PD Lead, School Development Lead",
        ),
        Field("first_active_year", True, "e.g. `2022/23`"),
        Field("last_active_year", False, "empty = still active; not before the first"),
    ),
    columns=(
        Column("llme_id", "VARCHAR NOT NULL"),
        Column("hub_id", "VARCHAR NOT NULL"),
        Column("full_name", "VARCHAR NOT NULL"),
        Column("email", "VARCHAR"),
        Column("school_urn", "BIGINT"),
        Column("school_name", "VARCHAR"),
        Column("roles", "VARCHAR[] NOT NULL"),
        Column("phases", "VARCHAR[] NOT NULL"),
        Column("accreditations", "VARCHAR[] NOT NULL"),
        Column("first_active_year", "VARCHAR NOT NULL"),
        Column("last_active_year", "VARCHAR"),
        Column("first_year_start", "INTEGER NOT NULL"),
        Column("last_year_start", "INTEGER"),
        *LOADED,
    ),
    ddl_after="No PRIMARY KEY (see participations): the key is enforced by the contract and the upsert.",
)

PARTICIPATIONS = Entity(
    name="participations",
    key=("work_group_id", "school_urn"),
    about="Schools taking part in Work Groups (key: work_group_id, school_urn).",
    note="A participation whose Work Group is not loaded yet waits in the quarantine and is retried "
    "when that Work Group arrives.",
    fields=(
        Field("work_group_id", True, "a Work Group already loaded"),
        Field("school_urn", True, "a school in the register (6-digit URN)"),
        Field("teachers", True, "whole number >= 1"),
        Field("stage", False, "readiness, development, embedding or sustaining"),
    ),
    columns=(
        Column("work_group_id", "VARCHAR NOT NULL"),
        Column("school_urn", "BIGINT NOT NULL"),
        Column("teachers", "INTEGER NOT NULL"),
        Column("stage", "VARCHAR"),
        *LOADED,
    ),
    ddl_after="No PRIMARY KEY: DuckDB maintains it row by row, which made a 1,000,000-row load 4x slower.\n"
    "The key is still enforced: contracts keep one row per key in a file, the upsert deletes\n"
    "existing keys first, and loading.upsert proves by counting that no key is stored twice.",
)

ENTITIES = {e.name: e for e in (WORK_GROUPS, LLMES, PARTICIPATIONS)}
# Columns the warehouse fills after the contract (coordinates) besides what loading adds.
COMPUTED = {"work_groups": ("venue_latitude", "venue_longitude", "venue_location_source")}


def output(entity: str) -> tuple[str, ...]:
    """The columns a contract's `finish` returns: stored columns less those loading adds."""
    skip = {c.name for c in LOADED} | set(COMPUTED.get(entity, ()))
    return tuple(c.name for c in ENTITIES[entity].columns if c.name not in skip)
