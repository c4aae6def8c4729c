"""The suppression rule: 1-4 hidden, secondary suppression so no hidden cell can be worked out."""

from __future__ import annotations

import itertools

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.privacy import SYMBOL, disclose, suppress, suppress_total


def table(rows: list[tuple[str, str, int]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"hub": pl.String, "phase": pl.String, "n": pl.Int64}, orient="row")


def test_primary_suppression_hides_one_to_four_and_keeps_zeros():
    out = suppress(table([("a", "p", 0), ("a", "s", 1), ("b", "p", 4), ("b", "s", 5)]), "n")
    assert out["n_shown"].to_list() == ["0", SYMBOL, SYMBOL, "5"]
    assert out["n"].to_list() == [0, None, None, 5]


def test_secondary_suppression_hides_the_smallest_other_cell_in_a_group_with_a_total():
    frame = table([("a", "primary", 30), ("a", "secondary", 3), ("a", "early_years", 9), ("a", "post16", 12)])
    out = suppress(frame, "n", totals_over=[["hub"]])
    assert out["n_shown"].to_list() == ["30", SYMBOL, SYMBOL, "12"]


def test_exact_viewers_see_every_number():
    out = disclose(table([("a", "p", 2)]), "n", exact=True)
    assert out["n_shown"].to_list() == ["2"]
    assert out["n"].to_list() == [2]


def test_single_totals():
    assert [suppress_total(x) for x in (None, 0, 3, 5, 1234)] == ["-", "0", SYMBOL, "5", "1,234"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=12), min_size=6, max_size=6))
def test_no_hidden_cell_can_be_worked_out_from_row_or_column_totals(values):
    """With row and column totals published, a group never has exactly one hidden cell unless its
    total is itself hidden (1-4); and no 1-4 is ever shown."""
    hubs, phases = ["a", "b"], ["p", "s", "e"]
    frame = table([(h, p, v) for (h, p), v in zip(itertools.product(hubs, phases), values, strict=True)])
    out = suppress(frame, "n", totals_over=[["hub"], ["phase"]])
    full = frame.with_columns(out["n_hidden"])
    for group in ("hub", "phase"):
        per_group = full.group_by(group).agg(pl.col("n_hidden").sum(), pl.col("n").sum().alias("total"))
        for hidden, total in per_group.select("n_hidden", "total").iter_rows():
            assert hidden != 1 or suppress_total(total) == SYMBOL, out
    assert full.filter(~pl.col("n_hidden") & (pl.col("n") > 0) & (pl.col("n") < 5)).height == 0
