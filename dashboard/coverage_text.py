"""What the LLME coverage page says in words: the total for a year, the gaps (counts known to be under
the threshold) and why hidden counts are hidden. Pure functions of the page's frames, so the text
is tested without Streamlit; the page (dashboard/app_pages/llme_coverage.py) only lays it out."""

from __future__ import annotations

import polars as pl

from dashboard.data.common import TARGET_PER_HUB
from dashboard.privacy import SYMBOL


def year_total(frame: pl.DataFrame, start: int) -> int | None:
    """The total in view for a year (None if hidden or not a year in the data)."""
    rows = frame.filter(pl.col("year_start") == start)["active_llmes"]
    return rows[0] if rows.len() else None


def gap_lines(
    matrix: pl.DataFrame, all_totals: pl.DataFrame, everyone: int | None, threshold: int, who: str | None
) -> tuple[list[str], int]:
    """The gaps as Markdown lines, and how many hub and phase counts are hidden.

    `matrix`: hub x phase counts in view; `all_totals`: each hub's active LLMEs of any role and
    accreditation (the target's measure); `everyone`: their total (None when hidden); `who`: the
    role/accreditation filter in words, when one narrows who is counted."""
    lines = []
    unknown = 0
    for (phase_label,), rows in matrix.sort("sort_order").group_by("phase_label", maintain_order=True):
        # A gap is a count known to be under the threshold. A hidden count (c) is not known to be one: it
        # may be 1 to 4, or any number hidden only to protect a total.
        short = rows.filter(~pl.col("active_llmes_hidden") & (pl.col("active_llmes") < threshold))
        unknown += rows["active_llmes_hidden"].sum()
        if short.height:
            hubs = "hub has" if short.height == 1 else "hubs have"
            lines.append(
                f"**{short.height} {hubs}** fewer than {threshold} "
                f"active {phase_label} LLMEs{(' (' + who + ')') if who else ''}."
            )
    below = all_totals.filter((pl.col("active_llmes") < TARGET_PER_HUB) | pl.col("active_llmes_hidden"))
    if below.height:
        # Short of target = targets of the hubs below it - (total - the hubs at or above it, all shown),
        # so no hidden count is used; left out when the total itself is hidden.
        above = int(
            all_totals.filter(~pl.col("active_llmes_hidden") & (pl.col("active_llmes") >= TARGET_PER_HUB))[
                "active_llmes"
            ].sum()
        )
        short_by = (
            ""
            if everyone is None
            else f"; together they are {TARGET_PER_HUB * below.height - (everyone - above):,} short"
        )
        lines.append(
            f"**{below.height} of {all_totals.height} hubs** are below {TARGET_PER_HUB} active LLMEs "
            f"(all roles and accreditations){short_by}."
        )
    return lines, unknown


def unknown_gaps(unknown: int, threshold: int) -> str:
    """Why hidden counts are left out of the gaps."""
    return (
        f"{unknown} hub and phase {'count is' if unknown == 1 else 'counts are'} "
        f"shown as {SYMBOL} (fewer than 5, "
        f"or hidden to protect a total), so not known to be under {threshold}: not counted as gaps."
    )


def why_hidden(unknown: int, cells: int) -> str:
    """Under the hub x phase matrix: why so many counts are hidden (suppression is deliberate), and
    where the coarser counts, hidden far less often, are."""
    return (
        f"**Why {unknown} of these {cells} counts are {SYMBOL}:** one hub's LLMEs in one phase "
        "are often fewer than 5, and a number that small could identify people, so it is hidden; "
        "another count is then hidden wherever a published total would give the first one away. "
        "Counts of larger groups are hidden far less often: each phase's count for England, year by "
        "year, is on the **Trend** tab under *By phase*, and choosing a **Region** above shows that "
        "region's counts there."
    )
