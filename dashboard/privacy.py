"""The one suppression rule every public number goes through.

Rule (the UK official-statistics convention; see the About page): a count of 1 to 4 is shown as
`c` ("fewer than 5"). Where a total is published, a group with exactly one hidden cell could be
worked out by subtraction, so the smallest other non-zero cell in that group is hidden too
(secondary suppression; a zero only when no other cell is left), repeated until no group has a
lone hidden cell or hidden cells that add up to 1 to 4 (the total minus the visible cells would
then be a small number itself). Zeros are shown. A denominator of 1 to 4 (schools in an area) is
hidden with the counts taken of it. Hub leads and coordinators see exact numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

SYMBOL = "c"
THRESHOLD = 5
LEGEND = (
    "c = fewer than 5 (hidden to protect individuals), "
    "or hidden so that it cannot be worked out from a total."
)
RULE = (
    "Counts of people and schools (active LLMEs, schools reached, school participations, rows loaded "
    "from files about them) between 1 and 4 are shown as **c**. Where a total is also published, "
    "the next smallest number in the same group is hidden too (and more, until the hidden numbers add "
    "up to 5 or more), so that no hidden number can be worked out by subtraction. A number of schools "
    "in an area between 1 and 4 is hidden together with the schools reached in it. Zeros are shown. "
    "Shares, medians and changes that would reveal a hidden number are hidden as well. Signed-in hub "
    "leads and national coordinators see exact numbers."
)


def small(column: str) -> pl.Expr:
    """A count of 1 to 4 (the primary suppression test)."""
    return ((pl.col(column) > 0) & (pl.col(column) < THRESHOLD)).fill_null(False)


def suppress(
    frame: pl.DataFrame,
    value: str,
    totals_over: list[list[str]] | None = None,
    denominator: str | None = None,
) -> pl.DataFrame:
    """Add `<value>_shown` (text: the count or "c") and `<value>_hidden`, and null the hidden counts.

    `totals_over` lists the groupings whose totals are shown (e.g. [["hub_id"], ["phase"]] for a
    hub x phase table with row and column totals); each gets secondary suppression.
    `denominator` names the count a share is taken of ("schools in area"): it is suppressed by the
    same rule (its own `_shown` / `_hidden` columns), and wherever it is hidden the count is hidden
    with it ("1 school in area, c reached" would give the hidden number away).
    """
    hidden = f"{value}_hidden"
    primary = small(value)
    if denominator:
        # The denominator is protected like a count (with its own secondary suppression, since its
        # totals are published too), and every count taken of a hidden denominator is hidden.
        frame = suppress(frame, denominator, totals_over)
        primary = primary | pl.col(f"{denominator}_hidden")
    # An empty grouping is the whole table (a grand total is shown).
    totals_over = [group or ["_all"] for group in totals_over or []]
    out = frame.with_columns(pl.lit(0).alias("_all"), primary.alias(hidden))
    out = out.with_row_index("_i")
    for _ in range(out.height + 1):  # each pass hides at least one more cell, so this ends
        changed = False
        for group in totals_over or []:
            # A group's published total minus its visible cells is the sum of its hidden cells: one
            # hidden cell is that sum, and a sum of 1 to 4 is itself a small number (two hidden cells
            # summing to 2 are both 1). Either way another cell is hidden.
            n_hidden = pl.col(hidden).sum().over(group)
            hidden_sum = (
                pl.when(pl.col(hidden)).then(pl.col(value).fill_null(0)).otherwise(0).sum().over(group)
            )
            lone = out.filter(
                (n_hidden == 1) | ((n_hidden > 1) & (hidden_sum > 0) & (hidden_sum < THRESHOLD))
            )
            candidates = lone.filter(~pl.col(hidden))
            if not candidates.height:
                continue
            # Prefer the smallest non-zero cell; hide a zero only when there is nothing else.
            ranked = candidates.sort((pl.col(value) == 0), value, "_i")
            pick = ranked.group_by(group, maintain_order=True).first()["_i"]
            if pick.len():
                out = out.with_columns(
                    pl.when(pl.col("_i").is_in(pick.implode()))
                    .then(True)
                    .otherwise(pl.col(hidden))
                    .alias(hidden)
                )
                changed = True
        if not changed:
            break
    return out.drop("_i", "_all").with_columns(
        pl.when(pl.col(hidden))
        .then(pl.lit(SYMBOL))
        .otherwise(pl.col(value).cast(pl.String))
        .alias(f"{value}_shown"),
        pl.when(pl.col(hidden)).then(None).otherwise(pl.col(value)).alias(value),
    )


def suppress_total(total: int | None) -> str:
    """A single published total: hidden when 1-4."""
    if total is None:
        return "-"
    return SYMBOL if 0 < total < THRESHOLD else f"{total:,}"


def disclose(
    frame: pl.DataFrame,
    value: str,
    exact: bool,
    totals_over: list[list[str]] | None = None,
    denominator: str | None = None,
) -> pl.DataFrame:
    """Exact numbers for signed-in hub leads and coordinators; the suppressed frame for everyone else."""
    if exact:
        columns = [value, denominator] if denominator else [value]
        return frame.with_columns(
            *[pl.col(c).cast(pl.String).alias(f"{c}_shown") for c in columns],
            *[pl.lit(False).alias(f"{c}_hidden") for c in columns],
        )
    return suppress(frame, value, totals_over, denominator)


def public_view(
    frame: pl.DataFrame,
    counts: Sequence[str],
    exact: bool,
    totals_over: list[list[str]] | None = None,
    denominator: str | None = None,
) -> pl.DataFrame:
    """THE gate: every public count column goes through here before it is charted, shown or downloaded.

    For each column in `counts` adds `<count>_shown` (text: the number or "c") and
    `<count>_hidden`, and nulls hidden counts, so anything computed afterwards (shares, sums,
    charts) cannot use them. `exact` is the viewer's `exact_numbers`; `totals_over` lists the
    groupings whose totals are published elsewhere ([] = the whole table has a published total);
    `denominator` a count the shares are taken of (1 to 4 hides it and its numerators).
    """
    missing = [c for c in counts if c not in frame.columns]
    if missing:
        raise KeyError(f"public_view(): no such count columns {missing}")
    for value in counts:
        frame = disclose(frame, value, exact, totals_over, denominator)
    return frame


def public_total(total: int | None, exact: bool) -> str:
    """A single published total (a headline figure) for this viewer."""
    if total is None:
        return "-"
    return f"{total:,}" if exact else suppress_total(total)


def is_hidden(total: int | None, exact: bool) -> bool:
    """Whether `public_total` hides this total (derived figures must then be hidden too)."""
    return public_total(total, exact) == SYMBOL


def public_median(values: pl.Series, hidden: pl.Series) -> float | None:
    """The median of exact values, unless it is computed from a hidden one (then None)."""
    frame = pl.DataFrame({"v": values, "h": hidden}).drop_nulls("v").sort("v")
    n = frame.height
    if n == 0:
        return None
    middle = frame[[(n - 1) // 2, n // 2]]
    return None if middle["h"].any() else float(middle["v"].mean())
