"""The three import contracts and the engine that splits a raw table into loaded and quarantined rows.

Each entity module declares its template columns, key, parsing and rules; `validate` applies one
uniformly: missing required columns reject the file, extra columns are set aside and reported,
duplicate keys keep the last row, and every other row is either valid or quarantined with its
row number, column, rule, reason and raw values. Rows in always equal rows loaded plus quarantined.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

import polars as pl

from pipelines.contracts import llmes, participations, work_groups
from pipelines.contracts.common import Context, Rule
from pipelines.readers import ROW, RawTable

MODULES: dict[str, ModuleType] = {m.ENTITY: m for m in (work_groups, llmes, participations)}
ENTITIES = tuple(MODULES)

QUARANTINE_SCHEMA = {
    "row_number": pl.Int64,
    "column_name": pl.String,
    "rule": pl.String,
    "reason": pl.String,
    "raw": pl.String,
}

STRUCTURAL = Rule("structural", "", "the row cannot be split into fields")
DUPLICATE = Rule("duplicate_key", "", "duplicate key: a later row in this file has the same key and wins")
EXCEL_ERROR = Rule(
    "excel_error", "", "a cell holds an Excel error (#REF!, #N/A, #VALUE!...) instead of a value"
)


class FileRejected(Exception):
    """The file as a whole cannot be loaded (missing column, unreadable, --strict with bad rows)."""


@dataclass
class Validation:
    entity: str
    received: int
    good: pl.DataFrame | None  # the entity's OUTPUT columns (None: they are in `good_table`)
    quarantine: pl.DataFrame  # QUARANTINE_SCHEMA, one row per failed rule
    extra_columns: list[str]
    row_hubs: pl.DataFrame  # row_number -> hub_id (hub leads see their own quarantine), record_key
    # Validated in DuckDB (contracts.in_duckdb): the rows to load stay there, in this temp view of
    # the loading connection, and never come to Python.
    good_table: str | None = None
    good_rows: int = 0
    # The rows to load are proven to have distinct keys (in_duckdb keeps one row per key by a count
    # it already made), so the upsert need not count them again.
    keys_distinct: bool = False
    # `good_table` is a new copy of the entity's table holding exactly the rows to load, with the
    # table's columns and constraints (in_duckdb.Direct): the upsert swaps it in.
    staged: bool = False

    @property
    def loaded(self) -> int:
        return self.good_rows if self.good is None else self.good.height

    @property
    def quarantined_rows(self) -> int:
        return self.quarantine["row_number"].n_unique() if self.quarantine.height else 0

    @property
    def reasons(self) -> dict[str, int]:
        """Rows per rule, e.g. {"capacity_count": 3}."""
        if not self.quarantine.height:
            return {}
        counts = self.quarantine.group_by("rule").agg(pl.col("row_number").n_unique()).sort("rule")
        return dict(counts.iter_rows())


def module(entity: str) -> ModuleType:
    if entity not in MODULES:
        raise FileRejected(f"unknown entity '{entity}' (choose one of: {', '.join(ENTITIES)})")
    return MODULES[entity]


def all_rules(entity: str) -> dict[str, Rule]:
    return {
        **module(entity).rules.rules,
        STRUCTURAL.name: STRUCTURAL,
        DUPLICATE.name: DUPLICATE,
        EXCEL_ERROR.name: EXCEL_ERROR,
    }


def validate(entity: str, raw: RawTable, ctx: Context, file_name: str) -> Validation:
    m = module(entity)
    missing = [c for c in m.REQUIRED if c not in raw.columns]
    if missing:
        listed = ", ".join(f"'{c}'" for c in missing)
        raise FileRejected(
            f"{file_name}: required column {listed} is missing "
            f"(the {entity} template has: {', '.join(m.TEMPLATE)})"
        )
    known = set(m.REQUIRED) | set(m.OPTIONAL)
    extra = [c for c in raw.columns if c not in known]
    frame = raw.frame.with_columns(
        pl.lit(None, pl.String).alias(c) for c in m.OPTIONAL if c not in raw.columns
    )
    # One lazy query: polars plans the many parse expressions together (list.eval is far cheaper).
    parsed = m.parse(frame.select(ROW, *m.REQUIRED, *m.OPTIONAL).lazy(), ctx).collect()

    keys = m.key_columns(parsed) if hasattr(m, "key_columns") else [pl.col(k) for k in m.KEY]
    has_key = pl.all_horizontal(k.is_not_null() for k in keys)
    is_last = pl.col(ROW) == pl.col(ROW).max().over(keys)
    parsed = parsed.with_columns(_superseded=has_key & ~is_last)
    superseded = parsed.filter(pl.col("_superseded"))
    candidates = parsed.filter(~pl.col("_superseded"))

    good, failure = m.SCHEMA.filter(candidates.drop("_superseded"))
    details = failure.details()
    # The raw values as typed, kept only for the rows that are quarantined (a JSON object each).
    failing = (
        pl.concat([details.select(ROW), superseded.select(ROW)]) if details.height else superseded.select(ROW)
    )
    held = raw.frame.filter(pl.col(ROW).is_in(failing[ROW].implode()))
    raws = held.select(ROW, _raw=pl.struct(raw.columns).struct.json_encode() if raw.columns else pl.lit("{}"))
    superseded = superseded.join(raws, on=ROW, how="left")
    pieces = [_rule_failures(details, m.rules.rules, raws)]
    pieces.append(
        superseded.select(
            pl.col(ROW).alias("row_number"),
            pl.lit(",".join(m.KEY)).alias("column_name"),
            pl.lit(DUPLICATE.name).alias("rule"),
            pl.lit(DUPLICATE.reason).alias("reason"),
            pl.col("_raw").alias("raw"),
        )
    )
    if raw.structural:
        pieces.append(
            pl.DataFrame(
                {
                    "row_number": [s.row for s in raw.structural],
                    "column_name": [s.column for s in raw.structural],
                    "rule": [s.rule for s in raw.structural],
                    "reason": [s.reason for s in raw.structural],
                    "raw": [s.raw for s in raw.structural],
                },
                schema=QUARANTINE_SCHEMA,
            )
        )
    quarantine = pl.concat([p.cast(QUARANTINE_SCHEMA) for p in pieces]).sort("row_number", "rule")
    # record_key lets a later load of the same key take the row out of the quarantine queue.
    row_hubs = parsed.select(
        pl.col(ROW).alias("row_number"),
        pl.col("hub_id") if "hub_id" in parsed.columns else pl.lit(None, pl.String).alias("hub_id"),
        record_key(keys).alias("record_key"),
    )
    result = Validation(entity, raw.received, m.finish(good), quarantine, extra, row_hubs)
    assert result.good.height + result.quarantined_rows == result.received, "rows lost in validation"
    return result


def record_key(keys: list[pl.Expr]) -> pl.Expr:
    """One text key per record (`wg-1|136310` for a participation); null when a part is missing."""
    return pl.concat_str([k.cast(pl.String) for k in keys], separator="|")


def _rule_failures(details: pl.DataFrame, rules: dict[str, Rule], raws: pl.DataFrame) -> pl.DataFrame:
    if not details.height:
        return pl.DataFrame(schema=QUARANTINE_SCHEMA)
    rule_names = [r for r in rules if r in details.columns]
    long = (
        details.select(ROW, *rule_names)
        .unpivot(index=ROW, on=rule_names, variable_name="rule", value_name="outcome")
        .filter(pl.col("outcome") == "invalid")
    )
    meta = pl.DataFrame(
        {
            "rule": list(rules),
            "column_name": [r.column for r in rules.values()],
            "reason": [r.reason for r in rules.values()],
        }
    )
    return (
        long.join(meta, on="rule", how="left")
        .join(raws, on=ROW, how="left")
        .select(pl.col(ROW).alias("row_number"), "column_name", "rule", "reason", pl.col("_raw").alias("raw"))
    )


__all__ = ["ENTITIES", "Context", "FileRejected", "Validation", "all_rules", "module", "validate"]
