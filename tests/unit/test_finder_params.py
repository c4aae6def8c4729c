"""The finder's URL: parsing is total (defaults, never an exception) and round-trips canonically."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.data.finder_params import (
    ALL_YEARS,
    MAX_PAGE,
    PARAM_NAMES,
    Filters,
    classify_place,
    default_radius,
    default_sort,
    parse_params,
    to_params,
)


def test_no_parameters_means_defaults():
    assert parse_params({}) == Filters()
    assert to_params(Filters()) == {}


def test_public_parameter_names_are_exactly_the_issues():
    assert PARAM_NAMES == (
        "phase",
        "programme",
        "delivery",
        "hub",
        "year",
        "from",
        "to",
        "open",
        "places",
        "started",
        "place",
        "radius",
        "sort",
        "page",
    )


def test_a_full_url_parses():
    f = parse_params(
        {
            "phase": ["secondary", "post16"],
            "programme": ["years-5-8-continuity"],
            "delivery": ["online"],
            "hub": ["glow"],
            "year": "2026-27",
            "from": "2026-09-01",
            "to": "2027-03-31",
            "open": "1",
            "places": "true",
            "place": "GL55 6LH",
            "radius": "10",
            "sort": "title",
            "page": "3",
        }
    )
    assert f == Filters(
        phases=("secondary", "post16"),
        programmes=("years-5-8-continuity",),
        delivery=("online",),
        hubs=("glow",),
        year=2026,
        date_from=date(2026, 9, 1),
        date_to=date(2027, 3, 31),
        open_only=True,
        has_places=True,
        place="GL55 6LH",
        radius=10,
        sort="title",
        page=3,
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"phase": "Secondary"}, ("secondary",)),
        ({"phase": "post-16"}, ("post16",)),
        ({"phase": "Early Years"}, ("early_years",)),
        ({"phase": "primary,secondary"}, ("primary", "secondary")),
        ({"phase": ["primary", "primary", "bogus"]}, ("primary",)),
        ({"phase": "<script>"}, ()),
    ],
)
def test_phases_accept_codes_labels_and_commas_and_drop_the_rest(raw, expected):
    assert parse_params(raw).phases == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("face-to-face", ("face_to_face",)),
        ("Online", ("online",)),
        ("hybrid", ("blended",)),
        ("zoom", ("online",)),
        ("by pigeon", ()),
    ],
)
def test_delivery(value, expected):
    assert parse_params({"delivery": value}).delivery == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-27", 2026),
        ("2026/27", 2026),
        ("2026", 2026),
        ("2026/2027", 2026),
        ("all", ALL_YEARS),
        ("2026-28", None),
        ("1999-2000", None),
        ("next", None),
        ("", None),
    ],
)
def test_year(value, expected):
    assert parse_params({"year": value}).year == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20", 20),
        ("5", 5),
        ("15", 20),
        ("12", 10),
        ("100", 50),
        ("1", 5),
        ("0", None),
        ("-5", None),
        ("abc", None),
        ("20miles", 20),
        ("1e9", 5),
    ],
)
def test_radius_snaps_to_an_offered_option(value, expected):
    assert parse_params({"radius": value}).radius == expected


def test_dates_flags_sort_and_page():
    f = parse_params(
        {
            "from": "2027-03-01",
            "to": "01/09/2026",
            "open": "yes",
            "places": "0",
            "sort": "date",
            "page": "999",
        }
    )
    assert (f.date_from, f.date_to) == (date(2026, 9, 1), date(2027, 3, 1))  # swapped into order
    assert (f.open_only, f.has_places, f.sort, f.page) == (True, False, "start", MAX_PAGE)


@pytest.mark.parametrize(
    "raw",
    [
        {"from": "2026-02-30"},
        {"to": "yesterday"},
        {"page": "-3"},
        {"page": "two"},
        {"sort": "title; DROP TABLE x"},
        {"open": "maybe"},
        {"hub": "../../etc/passwd"},
        {"programme": "x' OR '1'='1"},
        {"nonsense": "1"},
        {"phase": None},
        {"year": ["2026-27", "2025-26"]},
        {"place": "A" * 500},
    ],
)
def test_malformed_values_fall_back_to_defaults(raw):
    f = parse_params(raw)
    assert f.date_from is None and f.date_to is None and f.page >= 1
    assert f.sort in (None, "title", "start", "distance") and f.hubs == () and f.programmes == ()
    assert len(f.place) <= 60


def test_place_keeps_only_safe_characters():
    assert parse_params({"place": "<b>GL55</b>"}).place == "b GL55 b"
    assert parse_params({"place": "  St. Helen's,  Merseyside "}).place == "St. Helen's, Merseyside"


@pytest.mark.parametrize(
    ("text", "kind", "normalised", "district"),
    [
        ("gl55 6lh", "postcode", "GL55 6LH", "GL55"),
        ("GL556LH", "postcode", "GL55 6LH", "GL55"),
        ("sw1a1aa", "postcode", "SW1A 1AA", "SW1A"),
        ("gl55", "district", "GL55", "GL55"),
        ("EC1A", "district", "EC1A", "EC1A"),
        ("GL5 5", "invalid", "GL5 5", None),
        ("12345", "invalid", "12345", None),
        ("cheltenham", "town", "Cheltenham", None),
        ("Newcastle upon Tyne", "town", "Newcastle upon Tyne", None),
        ("", "empty", "", None),
    ],
)
def test_classify_place(text, kind, normalised, district):
    q = classify_place(text)
    assert (q.kind, q.text, q.district) == (kind, normalised, district)


def test_default_radius_and_sort_depend_on_what_was_typed():
    assert default_radius(classify_place("SW1A 1AA")) == 5  # a full postcode in a city
    assert default_radius(classify_place("M1")) == 10  # a city district
    assert default_radius(classify_place("London")) == 10
    assert default_radius(classify_place("GL55 6LH")) == 20  # elsewhere
    assert default_radius(classify_place("SW1A 1AA"), coarse=True) == 20  # placed only roughly
    assert (default_sort(True), default_sort(False)) == ("distance", "start")


filters = st.builds(
    Filters,
    phases=st.lists(st.sampled_from(["early_years", "primary", "secondary", "post16"]), unique=True).map(
        tuple
    ),
    programmes=st.lists(
        st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True), unique=True, max_size=4
    ).map(tuple),
    delivery=st.lists(st.sampled_from(["face_to_face", "online", "blended"]), unique=True).map(tuple),
    hubs=st.lists(st.from_regex(r"[a-z][a-z-]{0,15}", fullmatch=True), unique=True, max_size=3).map(tuple),
    year=st.one_of(st.none(), st.just(ALL_YEARS), st.integers(2015, 2040)),
    date_from=st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2025, 12, 31))),
    date_to=st.one_of(st.none(), st.dates(date(2026, 1, 1), date(2030, 12, 31))),
    open_only=st.booleans(),
    has_places=st.booleans(),
    place=st.sampled_from(["", "GL55", "GL55 6LH", "Cheltenham", "Newcastle upon Tyne"]),
    radius=st.sampled_from([None, 5, 10, 20, 50]),
    sort=st.sampled_from([None, "distance", "start", "title"]),
    page=st.integers(1, MAX_PAGE),
)


@settings(max_examples=200, deadline=None)
@given(filters)
def test_canonical_parameters_round_trip(f):
    assert parse_params(to_params(f)) == f


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([*PARAM_NAMES, "x", ""]),
        st.one_of(st.text(max_size=40), st.lists(st.text(max_size=20), max_size=5)),
    )
)
def test_any_query_string_parses_without_raising(raw):
    f = parse_params(raw)
    assert isinstance(f, Filters)
    assert parse_params(to_params(f)) == f  # and what we write back is stable
