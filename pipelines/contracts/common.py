"""Shared parsing expressions and the rule book that gives every rule a column and a plain reason.

Contracts parse text into typed columns first (polars 2 has no string-to-date cast, and we want
the raw text kept for the quarantine record), then a dataframely schema checks named rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import dataframely as dy
import polars as pl

from pipelines import domain
from pipelines.vocab import ALIAS_NOISE, vocab

ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
UK_DATE = r"^\d{2}/\d{2}/\d{4}$"
POSTCODE = r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$"
URN = r"^\d{6}$"
# England's extent with a small margin (ONS boundaries: lon -6.36..1.76, lat 49.88..55.81).
ENGLAND_LAT = (49.8, 55.9)
ENGLAND_LON = (-6.5, 1.9)
MAX_TEXT = 2000  # characters in a free-text field (titles, notes); longer is almost surely junk


@dataclass(frozen=True)
class Rule:
    name: str
    column: str
    reason: str


class RuleBook:
    """Registers dataframely rules together with the column they judge and a plain reason."""

    def __init__(self) -> None:
        self.rules: dict[str, Rule] = {}

    def check(self, column: str, reason: str) -> Callable:
        def decorate(fn: Callable) -> dy._rule.RuleFactory:
            self.rules[fn.__name__] = Rule(fn.__name__, column, reason)
            return dy.rule()(fn)

        return decorate


# --- parsing expressions -----------------------------------------------------------------------


def as_int(column: str) -> pl.Expr:
    c = pl.col(column)
    return pl.when(c.str.contains(r"^-?\d{1,9}$")).then(c.str.to_integer(strict=False)).otherwise(None)


def as_date(expr: pl.Expr) -> pl.Expr:
    """ISO 2025-10-14 or UK 14/10/2025; anything else (and impossible dates) becomes null."""
    return (
        pl.when(expr.str.contains(ISO_DATE))
        .then(expr.str.to_date("%Y-%m-%d", strict=False))
        .when(expr.str.contains(UK_DATE))
        .then(expr.str.to_date("%d/%m/%Y", strict=False))
        .otherwise(None)
    )


def as_list(column: str) -> pl.Expr:
    """`a; b;;c` -> ["a", "b", "c"]; empty or missing -> empty list."""
    return (
        pl.col(column)
        .fill_null("")
        .str.split(";")
        .list.eval(pl.element().str.strip_chars())
        .list.eval(pl.element().filter(pl.element() != ""))
    )


def as_date_list(column: str) -> pl.Expr:
    return as_list(column).list.eval(as_date(pl.element()))


def list_has_null(expr: pl.Expr) -> pl.Expr:
    return expr.list.eval(pl.element().is_null().any()).list.first().fill_null(False)


def _alias_key(expr: pl.Expr) -> pl.Expr:
    """`vocab.alias_key` as a polars expression (the same characters removed)."""
    return expr.str.to_lowercase().str.replace_all(ALIAS_NOISE, "")


def as_codes(column: str, vocabulary: str) -> pl.Expr:
    """A `;` list of aliases -> a list of codes; unknown aliases become null (caught by a rule)."""
    aliases = vocab(vocabulary).aliases
    return as_list(column).list.eval(
        _alias_key(pl.element()).replace_strict(aliases, default=None, return_dtype=pl.String)
    )


def as_code(column: str, vocabulary: str) -> pl.Expr:
    aliases = vocab(vocabulary).aliases
    return _alias_key(pl.col(column)).replace_strict(aliases, default=None, return_dtype=pl.String)


def unique_codes(expr: pl.Expr) -> pl.Expr:
    return expr.list.unique(maintain_order=True)


def as_postcode(column: str) -> pl.Expr:
    """Upper-case with one space before the inward code: `gl55 6ab` -> `GL55 6AB`."""
    squashed = pl.col(column).str.to_uppercase().str.replace_all(r"\s+", "")
    return pl.when(squashed.str.len_chars() >= 5).then(
        squashed.str.slice(0, squashed.str.len_chars() - 3) + " " + squashed.str.slice(-3)
    )


def as_year_start(column: str) -> pl.Expr:
    """An academic year as written in a file (`2025/26`, 2025-26, 2025/2026) -> its start year, by
    `domain.parse_year`; null when it is not one (a bare `2025` is ambiguous in a file)."""
    return pl.col(column).map_elements(
        lambda text: domain.parse_year(text, bare=False), return_dtype=pl.Int32
    )


def as_year_label(start: pl.Expr) -> pl.Expr:
    """A start year -> its label (`domain.year_label`)."""
    return start.map_elements(domain.year_label, return_dtype=pl.String)


def missing_or(column: str, ok: pl.Expr) -> pl.Expr:
    """A rule on an optional column: fine when empty, otherwise `ok` must hold."""
    return pl.col(column).is_null() | ok.fill_null(False)


def present(column: str) -> pl.Expr:
    return pl.col(column).is_not_null()


def short_text(column: str, limit: int = MAX_TEXT) -> pl.Expr:
    return missing_or(column, pl.col(column).str.len_chars() <= limit)


@dataclass(frozen=True)
class Context:
    """What cross-table rules check against: the warehouse as it stands before this load."""

    hub_aliases: dict[str, str]  # normalised hub_id or name -> hub_id
    programme_aliases: dict[str, str]  # normalised programme_id or name -> programme_id
    work_group_ids: pl.Series  # String
    school_urns: pl.Series  # Int64
    # Postcode districts outside England, and postcodes of English schools (always accepted).
    foreign_districts: pl.Series = field(default_factory=lambda: pl.Series([], dtype=pl.String))
    school_postcodes: pl.Series = field(default_factory=lambda: pl.Series([], dtype=pl.String))
    # Normalised email -> the llme_id that already has it (one person, one LLME).
    llme_emails: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema={"email": pl.String, "email_owner": pl.String})
    )


def resolve(column: str, aliases: dict[str, str]) -> pl.Expr:
    """Map a name or id typed any case/spacing to its id, or null when unknown."""
    return _alias_key(pl.col(column)).replace_strict(aliases, default=None, return_dtype=pl.String)


# --- the same parsing in DuckDB SQL (contracts.in_duckdb) ----------------------------------------

# Unicode White_Space, which polars' (Rust's) \s and str.strip_chars() mean; RE2's \s is ASCII only.
WHITESPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
SQL_SPACES = r"[\t\n\x{0B}\f\r \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]"
SQL_NOISE = SQL_SPACES[:-1] + r"\-_.]+"  # ALIAS_NOISE


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def sql_strip(expr: str) -> str:
    """`str.strip_chars()` in SQL. trim() with a set of characters is slow (seconds for a million
    values), so it runs only on values the pattern finds whitespace at an end of."""
    edge = f"'^{SQL_SPACES}|{SQL_SPACES}$'"
    stripped = f"trim({expr}, {sql_literal(WHITESPACE)})"
    return f"CASE WHEN regexp_matches({expr}, {edge}) THEN {stripped} ELSE {expr} END"


def sql_list(column: str) -> str:
    """`as_list` in SQL: `a; b;;c` -> ['a', 'b', 'c']; empty or missing -> []. Each piece is
    stripped only when the value has whitespace somewhere (one scan of the value, instead of a
    pattern per piece: most lists are typed without spaces)."""
    pieces = f"string_split(coalesce({column}, ''), ';')"
    stripped = f"list_filter(list_transform({pieces}, lambda x: {sql_strip('x')}), lambda x: x <> '')"
    plain = f"list_filter({pieces}, lambda x: x <> '')"
    return f"CASE WHEN regexp_matches({column}, '{SQL_SPACES}') THEN {stripped} ELSE {plain} END"


def sql_map(aliases: dict[str, str]) -> str:
    """A MAP literal (alias key -> code), for lookups inside list lambdas."""
    return "MAP {" + ", ".join(f"{sql_literal(k)}: {sql_literal(v)}" for k, v in aliases.items()) + "}"


def sql_alias_key(expr: str) -> str:
    """`_alias_key` in SQL: lower case, without spaces, hyphens, dots and underscores."""
    return f"regexp_replace(lower({expr}), '{SQL_NOISE}', '', 'g')"


def sql_lookup(table: str, expr: str, *, wide: bool = False) -> str:
    """The code an alias table gives `expr` (typed any case or spacing), or NULL.

    Two ways, the same answer: a subquery correlated with each row, which DuckDB runs once per
    distinct value but for which it buffers every column of every row (cheap for a narrow file);
    or, `wide`, the table read once into a MAP and the key worked out row by row (four lookups
    by subquery were a quarter of a Work Groups file's rule pass: 17 text columns buffered four
    times)."""
    if not wide:
        return f"(SELECT a.code FROM {table} AS a WHERE a.key = {sql_alias_key(expr)})"  # noqa: S608
    aliases = f"(SELECT map_from_entries(list({{'k': a.key, 'v': a.code}})) FROM {table} AS a)"  # noqa: S608
    return f"map_extract_value({aliases}, {sql_alias_key(expr)})"


def sql_int(column: str) -> str:
    """`as_int` in SQL: a whole number of at most 9 digits, else NULL."""
    return f"CASE WHEN regexp_full_match({column}, '-?[0-9]{{1,9}}') THEN CAST({column} AS BIGINT) END"


def alias_table(aliases: dict[str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        {"key": list(aliases), "code": list(aliases.values())}, schema={"key": pl.String, "code": pl.String}
    )
