"""Contract for school participations: which school sent how many teachers to which Work Group."""

from __future__ import annotations

import dataframely as dy
import polars as pl

from pipelines.contracts import spec
from pipelines.contracts.common import (
    URN,
    Context,
    RuleBook,
    alias_table,
    as_code,
    as_int,
    missing_or,
    present,
    sql_int,
    sql_lookup,
)
from pipelines.vocab import vocab

ENTITY = "participations"
SPEC = spec.PARTICIPATIONS  # columns, required flags and table types are declared once, in spec.py
KEY = SPEC.key
REQUIRED = SPEC.required
OPTIONAL = SPEC.optional
TEMPLATE = SPEC.template
OUTPUT = spec.output(ENTITY)

rules = RuleBook()


def parse(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    urn = pl.when(pl.col("school_urn").str.contains(URN)).then(
        pl.col("school_urn").cast(pl.Int64, strict=False)
    )
    return frame.with_columns(
        urn=urn,
        teachers_n=as_int("teachers"),
        stage_code=as_code("stage", "stage"),
        work_group_known=pl.col("work_group_id").is_in(ctx.work_group_ids.implode()),
        school_known=urn.is_in(ctx.school_urns.implode()),
    )


def key_columns(parsed: pl.DataFrame) -> list[pl.Expr]:
    """Duplicates are judged on the normalised key (URN as a number, not as typed)."""
    return [pl.col("work_group_id"), pl.col("urn")]


def finish(good: pl.DataFrame) -> pl.DataFrame:
    return good.select(
        "work_group_id",
        pl.col("urn").alias("school_urn"),
        pl.col("teachers_n").alias("teachers"),
        pl.col("stage_code").alias("stage"),
    )


class ParticipationSchema(dy.Schema):
    _row = dy.Int64(nullable=False)
    work_group_id = dy.String(nullable=True)
    school_urn = dy.String(nullable=True)
    urn = dy.Int64(nullable=True)
    teachers = dy.String(nullable=True)
    teachers_n = dy.Int64(nullable=True)
    stage = dy.String(nullable=True)
    stage_code = dy.String(nullable=True)
    work_group_known = dy.Bool(nullable=True)
    school_known = dy.Bool(nullable=True)

    @rules.check("work_group_id", "is required")
    def work_group_id_present(cls) -> pl.Expr:
        return present("work_group_id")

    @rules.check("work_group_id", "is not a Work Group in the warehouse (load the Work Groups file first)")
    def work_group_known_rule(cls) -> pl.Expr:
        return missing_or("work_group_id", pl.col("work_group_known"))

    @rules.check("school_urn", "must be a 6-digit DfE URN")
    def school_urn_format(cls) -> pl.Expr:
        return pl.col("urn").is_not_null()

    @rules.check("school_urn", "is not a school in the school register")
    def school_known_rule(cls) -> pl.Expr:
        return pl.col("urn").is_null() | pl.col("school_known").fill_null(False)

    @rules.check("teachers", "must be a whole number, 1 or more")
    def teachers_count(cls) -> pl.Expr:
        return (pl.col("teachers_n") >= 1).fill_null(False)

    @rules.check("stage", "must be readiness, development, embedding or sustaining")
    def stage_known(cls) -> pl.Expr:
        return missing_or("stage", pl.col("stage_code").is_not_null())


SCHEMA = ParticipationSchema


# --- the same contract in SQL (contracts.in_duckdb; tests/unit/test_in_duckdb.py proves them equal) ---


def sql_tables(ctx: Context) -> dict[str, pl.DataFrame]:
    return {"_atlas_alias_stage": alias_table(vocab("stage").aliases)}


SQL_STEPS = (
    {
        "urn": "CASE WHEN regexp_full_match(school_urn, '[0-9]{6}') THEN TRY_CAST(school_urn AS BIGINT) END",
        "teachers_n": sql_int("teachers"),
        "stage_code": sql_lookup("_atlas_alias_stage", "stage"),
        "work_group_known": "work_group_id IN (SELECT work_group_id FROM work_groups)",
    },
    {"school_known": "urn IN (SELECT urn FROM schools)"},
)
SQL_KEY = ("work_group_id", "urn")
SQL_RULES = {
    "work_group_id_present": "work_group_id IS NOT NULL",
    "work_group_known_rule": "work_group_id IS NULL OR coalesce(work_group_known, false)",
    "school_urn_format": "urn IS NOT NULL",
    "school_known_rule": "urn IS NULL OR coalesce(school_known, false)",
    "teachers_count": "coalesce(teachers_n >= 1, false)",
    "stage_known": "stage IS NULL OR stage_code IS NOT NULL",
}
SQL_OUTPUT = {
    "work_group_id": "work_group_id",
    "school_urn": "urn",
    "teachers": "teachers_n",
    "stage": "stage_code",
}
