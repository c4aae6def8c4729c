"""Formula-safe exports (OWASP ASVS 1.2.10): cells a spreadsheet would run are neutralised."""

from __future__ import annotations

import polars as pl
import pytest

from dashboard.ui import escape_formulas


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Mastering Number", "Mastering Number"),
        ("a=b", "a=b"),
        (None, None),
    ],
)
def test_text_cells_starting_with_a_formula_character_are_escaped(cell, expected):
    frame = pl.DataFrame({"title": [cell], "n": [-3]}, schema={"title": pl.String, "n": pl.Int64})
    out = escape_formulas(frame)
    assert out["title"][0] == expected
    assert out["n"][0] == -3  # numbers are numbers, not formulas
