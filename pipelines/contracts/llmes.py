"""Contract for LLMEs (local leaders of mathematics education): the `llmes` import template.

Names and emails are personal data: they are validated here and stored, but only published views
without them reach public pages.
"""

from __future__ import annotations

import dataframely as dy
import polars as pl

from pipelines.contracts import spec
from pipelines.contracts.common import (
    URN,
    Context,
    RuleBook,
    as_codes,
    as_year_label,
    as_year_start,
    list_has_null,
    missing_or,
    present,
    resolve,
    short_text,
    unique_codes,
)
from pipelines.readers import ROW

ENTITY = "llmes"
SPEC = spec.LLMES  # columns, required flags and table types are declared once, in spec.py
KEY = SPEC.key
REQUIRED = SPEC.required
OPTIONAL = SPEC.optional
TEMPLATE = SPEC.template
OUTPUT = spec.output(ENTITY)

rules = RuleBook()


def parse(frame: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    frame = frame.with_columns(email=pl.col("email").str.strip_chars().str.to_lowercase())
    # One person, one LLME: an email already held by another llme_id (in the warehouse, or on an
    # earlier row of this file) is the same person under a second id, and would count twice
    # toward the 50-per-hub ambition.
    known = ctx.llme_emails.lazy().select("email", pl.col("email_owner").alias("_held_by"))
    first_in_file = pl.col("llme_id").sort_by(pl.col(ROW)).first().over("email")
    frame = frame.join(known, on="email", how="left", maintain_order="left").with_columns(
        email_owner=pl.when(pl.col("email").is_not_null()).then(pl.coalesce("_held_by", first_in_file))
    )
    return frame.drop("_held_by").with_columns(
        hub_id=resolve("hub", ctx.hub_aliases),
        urn=pl.when(pl.col("school_urn").str.contains(URN)).then(
            pl.col("school_urn").cast(pl.Int64, strict=False)
        ),
        role_codes=unique_codes(as_codes("roles", "role")),
        phase_codes=unique_codes(as_codes("phases", "phase")),
        accreditation_codes=unique_codes(as_codes("accreditations", "accreditation")),
        first_year_start=as_year_start("first_active_year"),
        last_year_start=as_year_start("last_active_year"),
    )


def finish(good: pl.DataFrame) -> pl.DataFrame:
    return good.select(
        "llme_id",
        "hub_id",
        "full_name",
        "email",
        pl.col("urn").alias("school_urn"),
        "school_name",
        pl.col("role_codes").alias("roles"),
        pl.col("phase_codes").alias("phases"),
        pl.col("accreditation_codes").alias("accreditations"),
        as_year_label(pl.col("first_year_start")).alias("first_active_year"),
        as_year_label(pl.col("last_year_start")).alias("last_active_year"),
        "first_year_start",
        "last_year_start",
    )


class LlmeSchema(dy.Schema):
    _row = dy.Int64(nullable=False)
    llme_id = dy.String(nullable=True)
    hub = dy.String(nullable=True)
    hub_id = dy.String(nullable=True)
    full_name = dy.String(nullable=True)
    email = dy.String(nullable=True)
    email_owner = dy.String(nullable=True)
    school_urn = dy.String(nullable=True)
    urn = dy.Int64(nullable=True)
    school_name = dy.String(nullable=True)
    roles = dy.String(nullable=True)
    role_codes = dy.List(dy.String(nullable=True), nullable=True)
    phases = dy.String(nullable=True)
    phase_codes = dy.List(dy.String(nullable=True), nullable=True)
    accreditations = dy.String(nullable=True)
    accreditation_codes = dy.List(dy.String(nullable=True), nullable=True)
    first_active_year = dy.String(nullable=True)
    first_year_start = dy.Int32(nullable=True)
    last_active_year = dy.String(nullable=True)
    last_year_start = dy.Int32(nullable=True)

    @rules.check("llme_id", "is required")
    def llme_id_present(cls) -> pl.Expr:
        return present("llme_id")

    @rules.check("llme_id", "must be 1-64 letters, digits or - _ . with no spaces")
    def llme_id_format(cls) -> pl.Expr:
        return missing_or("llme_id", pl.col("llme_id").str.contains(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"))

    @rules.check("hub", "is required (a hub_id such as 'origin' or a hub name)")
    def hub_present(cls) -> pl.Expr:
        return present("hub")

    @rules.check("hub", "is not one of the 40 Maths Hubs (use a hub_id or the hub's name)")
    def hub_known(cls) -> pl.Expr:
        return missing_or("hub", pl.col("hub_id").is_not_null())

    @rules.check("full_name", "is required")
    def full_name_present(cls) -> pl.Expr:
        return present("full_name")

    @rules.check("full_name", "must be at most 200 characters")
    def full_name_length(cls) -> pl.Expr:
        return short_text("full_name", 200)

    @rules.check("email", "is not an email address")
    def email_format(cls) -> pl.Expr:
        return missing_or("email", pl.col("email").str.contains(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[a-z]{2,}$"))

    @rules.check(
        "email",
        "is already the email of another llme_id: the same person twice would count twice toward the "
        "50-per-hub ambition (keep one llme_id per person)",
    )
    def same_person(cls) -> pl.Expr:
        return pl.col("email_owner").is_null() | (pl.col("email_owner") == pl.col("llme_id"))

    @rules.check("school_urn", "must be a 6-digit DfE URN")
    def school_urn_format(cls) -> pl.Expr:
        return missing_or("school_urn", pl.col("urn").is_not_null())

    @rules.check("school_name", "must be at most 200 characters")
    def school_name_length(cls) -> pl.Expr:
        return short_text("school_name", 200)

    @rules.check("roles", "needs at least one role")
    def roles_present(cls) -> pl.Expr:
        return pl.col("role_codes").list.len() > 0

    @rules.check(
        "roles",
        "contains a role that is not a Maths Hub Lead, Assistant Lead, Work Group, Cohort or Community Lead",
    )
    def roles_known(cls) -> pl.Expr:
        return ~list_has_null(pl.col("role_codes"))

    @rules.check("phases", "needs at least one phase (Early Years, Primary, Secondary, Post-16)")
    def phases_present(cls) -> pl.Expr:
        return pl.col("phase_codes").list.len() > 0

    @rules.check("phases", "contains a phase that is not Early Years, Primary, Secondary or Post-16")
    def phases_known(cls) -> pl.Expr:
        return ~list_has_null(pl.col("phase_codes"))

    @rules.check(
        "accreditations",
        "contains an accreditation that is not a Mastery Specialist, PD Lead or School Development Lead",
    )
    def accreditations_known(cls) -> pl.Expr:
        return ~list_has_null(pl.col("accreditation_codes"))

    @rules.check("first_active_year", "must be an academic year like 2025/26")
    def first_active_year_valid(cls) -> pl.Expr:
        return pl.col("first_year_start").is_not_null()

    @rules.check("last_active_year", "must be an academic year like 2025/26, or empty while still active")
    def last_active_year_valid(cls) -> pl.Expr:
        return missing_or("last_active_year", pl.col("last_year_start").is_not_null())

    @rules.check("last_active_year", "cannot be before first_active_year")
    def active_years_ordered(cls) -> pl.Expr:
        return (pl.col("last_year_start") >= pl.col("first_year_start")).fill_null(True)


SCHEMA = LlmeSchema
