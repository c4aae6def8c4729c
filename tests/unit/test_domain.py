"""The shared definitions in pipelines/domain.py and the SQL macros created with every snapshot."""

from __future__ import annotations

import math
from datetime import date

import duckdb
import pytest

from pipelines import domain
from pipelines.warehouse.store import apply_models


@pytest.fixture(scope="module")
def con():
    with duckdb.connect() as c:
        apply_models(c)
        yield c


@pytest.mark.parametrize(
    ("day", "start"),
    [
        (date(2026, 8, 31), 2025),
        (date(2026, 9, 1), 2026),
        (date(2027, 3, 1), 2026),
        (date(2026, 11, 23), 2026),
    ],
)
def test_the_current_year_is_the_one_containing_today(day, start):
    assert domain.current_year_start(day) == start
    assert domain.current_year_start(day.isoformat()) == start


def test_the_current_year_falls_back_to_the_real_date():
    assert domain.current_year_start(None) == domain.year_of(date.today())
    assert domain.current_year_start("not a date") == domain.year_of(date.today())


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("2025/26", 2025),
        ("2025-26", 2025),
        (" 2025 / 2026 ", 2025),
        ("2025", 2025),
        ("2099/00", 2099),
        ("2025/27", None),
        ("1999/00", None),
        ("25/26", None),
        ("2025/26; DROP", None),
        ("", None),
        (None, None),
        (2025, 2025),
    ],
)
def test_parse_year_reads_every_form_and_never_raises(text, start):
    assert domain.parse_year(text) == start


def test_files_must_name_both_years():
    assert domain.parse_year("2025", bare=False) is None
    assert domain.parse_year("2025/26", bare=False) == 2025


def test_label_and_url_forms_round_trip(con):
    for start in (2009, 2025, 2099):
        assert domain.parse_year(domain.year_label(start)) == start
        assert domain.parse_year(domain.year_url(start)) == start
        assert con.sql("SELECT academic_year_label(?::INT)", params=[start]).fetchall()[0][
            0
        ] == domain.year_label(start)
    assert (domain.year_label(2025), domain.year_url(2099)) == ("2025/26", "2099-00")


def test_codes_come_from_the_vocabulary_file():
    assert domain.codes_from(["KS3", "Post 16", "eyfs", "nonsense", "secondary"], "phase") == (
        "secondary",
        "post16",
        "early_years",
    )
    assert domain.codes_from(["Zoom", "F2F"], "delivery") == ("online", "face_to_face")
    assert domain.code_for_label("Work Group Lead", "role") == "work_group_lead"
    assert domain.code_for_label("Wizard", "role") is None


def test_md_makes_links_html_and_shortcodes_inert():
    escaped = domain.md("[x](http://evil) <img src=x> *b* :red[alarm]\n\n# head")
    assert "[" not in escaped.replace("\\[", "")
    assert "<" not in escaped.replace("\\<", "")
    assert ":red" not in escaped and "\n" not in escaped
    assert domain.md(None) == ""


def test_haversine_macro_matches_the_python_radius(con):
    # Cheltenham to Newcastle, and a quarter of the Earth's circumference along the equator
    for (lat1, lon1, lat2, lon2), miles in (
        ((51.8994, -2.0783, 54.9783, -1.6178), None),
        ((0.0, 0.0, 0.0, 90.0), math.pi / 2 * domain.EARTH_RADIUS_MILES),
    ):
        got = con.sql("SELECT haversine_miles(?, ?, ?, ?)", params=[lat1, lon1, lat2, lon2]).fetchall()[0][0]
        p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
        a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        want = 2 * domain.EARTH_RADIUS_MILES * math.asin(math.sqrt(a))
        assert got == pytest.approx(want, rel=1e-12)
        if miles is not None:
            assert got == pytest.approx(miles, rel=1e-12)
    assert con.sql("SELECT haversine_miles(52, -1, 52, -1)").fetchall()[0][0] == 0


@pytest.mark.parametrize(
    ("first", "last", "year", "active"),
    [
        (2024, None, 2026, True),
        (2024, 2025, 2026, False),
        (2024, 2026, 2026, True),
        (2027, None, 2026, False),
    ],
)
def test_active_llme_macro(con, first, last, year, active):
    got = con.sql("SELECT llme_active_in(?::INT, ?::INT, ?::INT)", params=[first, last, year]).fetchall()[0][
        0
    ]
    assert got is active
