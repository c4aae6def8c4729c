"""The suppression rule: 1-4 hidden, secondary suppression so no hidden cell can be worked out."""

from __future__ import annotations

import itertools

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.privacy import (
    SYMBOL,
    disclose,
    is_hidden,
    public_median,
    public_total,
    public_view,
    suppress,
    suppress_total,
)


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


def test_public_view_hides_every_count_column_and_a_whole_table_total():
    """`totals_over=[[]]`: the whole table's total is published, so a lone hidden cell takes another."""
    frame = pl.DataFrame({"hub": ["a", "b", "c"], "llmes": [3, 9, 20], "schools": [7, 8, 2]})
    out = public_view(frame, ["llmes", "schools"], exact=False, totals_over=[[]])
    assert out["llmes_shown"].to_list() == [SYMBOL, SYMBOL, "20"]
    assert out["schools_shown"].to_list() == [
        SYMBOL,
        "8",
        SYMBOL,
    ]  # 2 is alone: the smallest other (7) goes too
    exact = public_view(frame, ["llmes", "schools"], exact=True, totals_over=[[]])
    assert exact["llmes"].to_list() == [3, 9, 20] and not exact["llmes_hidden"].any()
    with pytest.raises(KeyError):
        public_view(frame, ["emails"], exact=False)


def test_public_totals_and_medians():
    assert public_total(3, exact=False) == SYMBOL and public_total(3, exact=True) == "3"
    assert is_hidden(4, exact=False) and not is_hidden(4, exact=True)
    values = pl.Series([4, 8, 10, 12])
    # The median (9) would be (hidden 8 + 10) / 2: hidden with it.
    assert public_median(values, pl.Series([True, True, False, False])) is None
    assert public_median(values, pl.Series([True, False, False, False])) == 9.0


def test_a_denominator_under_5_is_hidden_with_its_numerator():
    """Issue 16: "1 school in area, c reached" gives the hidden number away (it can only be 1)."""
    frame = pl.DataFrame({"phase": ["ey", "pri", "sec"], "area": [1, 40, 12], "reached": [1, 9, 6]})
    out = suppress(frame, "reached", totals_over=[[]], denominator="area")
    ey = out.row(0, named=True)
    assert ey["area_shown"] == SYMBOL and ey["reached_shown"] == SYMBOL
    assert ey["area"] is None and ey["reached"] is None  # nothing downstream can use them
    # The area total is published (the register), so a second denominator is hidden with it.
    assert out["area_hidden"].sum() >= 2
    assert out["reached_hidden"].sum() >= 2


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(0, 30), min_size=2, max_size=8),
    st.lists(st.integers(0, 12), min_size=2, max_size=8),
)
def test_denominators_and_totals_never_leave_a_lone_hidden_cell(areas, reached):
    n = min(len(areas), len(reached))
    frame = pl.DataFrame({"k": [str(i) for i in range(n)], "area": areas[:n], "reached": reached[:n]})
    out = suppress(frame, "reached", totals_over=[[]], denominator="area")
    for column in ("area", "reached"):
        hidden = out[f"{column}_hidden"].sum()
        assert hidden != 1, f"a lone hidden {column} is the total minus the rest"
    small = out.filter(pl.col("area_hidden").not_() & pl.col("area").is_between(1, 4))
    assert small.is_empty()
    assert out.filter(pl.col("area_hidden") & pl.col("reached_hidden").not_()).is_empty()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.integers(0, 9)), min_size=1, max_size=12))
def test_total_minus_visible_cells_is_never_a_small_number(cells):
    """Issue 16: "the headline total minus the visible cells gives the rest". For every group whose
    total is published, what the visible cells leave over is 0 or at least 5, from 2+ hidden cells."""
    frame = pl.DataFrame(
        {
            "region": [r for r, _ in cells],
            "hub": [str(i) for i in range(len(cells))],
            "n": [n for _, n in cells],
        }
    )
    out = suppress(frame, "n", totals_over=[[], ["region"]])
    joined = frame.with_columns(out["n_hidden"].alias("hidden"))
    for group in (None, "region"):
        parts = joined.group_by(group) if group else [((None,), joined)]
        for _, rows in parts:
            if 1 <= rows["n"].sum() <= 4 or rows.height == 1:
                continue  # the total itself is "c" (suppress_total), or the one cell is the total
            left_over = rows.filter(pl.col("hidden"))["n"].sum()
            # One hidden cell is the total minus the rest: only ever a zero (which is shown anyway).
            assert rows["hidden"].sum() != 1 or left_over == 0, rows
            assert not 1 <= left_over <= 4, rows
