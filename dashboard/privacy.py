"""The one suppression rule every public number goes through.

Rule (the UK official-statistics convention; see the About page): a count of 1 to 4 is shown as
`c` ("fewer than 5"). Where a total is published, a group with exactly one hidden cell could be
worked out by subtraction, so the smallest other non-zero cell in that group is hidden too
(secondary suppression; a zero only when no other cell is left), repeated until no group has a lone hidden cell. Zeros are shown. Hub
leads and coordinators see exact numbers.
"""

from __future__ import annotations

import polars as pl

SYMBOL = "c"
THRESHOLD = 5
LEGEND = "c = fewer than 5 (hidden to protect individuals), or hidden so that it cannot be worked out from a total."


def suppress(frame: pl.DataFrame, value: str, totals_over: list[list[str]] | None = None) -> pl.DataFrame:
    """Add `<value>_shown` (text: the count or "c") and `<value>_hidden`, and null the hidden counts.

    `totals_over` lists the groupings whose totals are shown (e.g. [["hub_id"], ["phase"]] for a
    hub x phase table with row and column totals); each gets secondary suppression.
    """
    hidden = f"{value}_hidden"
    out = frame.with_columns(
        ((pl.col(value) > 0) & (pl.col(value) < THRESHOLD)).fill_null(False).alias(hidden)
    )
    out = out.with_row_index("_i")
    for _ in range(10):  # converges in a few passes; bounded to be safe
        changed = False
        for group in totals_over or []:
            lone = out.filter(pl.col(hidden).sum().over(group) == 1)
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
    return out.drop("_i").with_columns(
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
    frame: pl.DataFrame, value: str, exact: bool, totals_over: list[list[str]] | None = None
) -> pl.DataFrame:
    """Exact numbers for signed-in hub leads and coordinators; the suppressed frame for everyone else."""
    if exact:
        return frame.with_columns(
            pl.col(value).cast(pl.String).alias(f"{value}_shown"), pl.lit(False).alias(f"{value}_hidden")
        )
    return suppress(frame, value, totals_over)
