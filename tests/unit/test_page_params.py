"""The national pages' URL codecs: total parsers (never raise), canonical writers, old links read."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.data.page_params import CoverageParams, HubParams, MapParams

YEARS = (2022, 2023, 2024, 2025, 2026)
CURRENT = 2026
COLOURS = {"hub": "Hub", "llmes": "Active LLMEs vs target", "reach": "Share of schools reached"}
REGIONS = ("London", "North West", "Yorkshire and The Humber")
HUBS = {"glow": "GLOW Maths Hub", "origin": "Origin Maths Hub"}


@pytest.mark.parametrize("year", ["2024/25", "2024-25", "2024", "2024/2025", " 2024 / 25 "])
def test_every_year_form_reads_and_writes_one_form(year):
    p = MapParams.from_params({"year": year}, years=YEARS, colours=COLOURS)
    assert p.year == 2024
    assert p.to_params(CURRENT) == {"year": "2024-25"}


@pytest.mark.parametrize("year", ["2019/20", "2024/26", "next", "", "2026/27x"])
def test_years_not_offered_mean_the_default(year):
    assert MapParams.from_params({"year": year}, years=YEARS, colours=COLOURS).year is None


def test_the_current_year_and_defaults_stay_out_of_the_url():
    assert MapParams(year=CURRENT).to_params(CURRENT) == {}
    assert CoverageParams(year=None).to_params(CURRENT) == {}


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ({"colour": "Share of schools reached"}, {"colour": "reach"}),  # an old label link
        ({"colour": "reach"}, {"colour": "reach"}),
        ({"colour": "Hub"}, {}),
        ({"colour": "rainbow"}, {}),
        ({"find": "  GL50   1AA "}, {"find": "GL50 1AA"}),
        ({"area": "London"}, {"area": "london"}),
        ({"area": "Narnia"}, {}),
    ],
)
def test_map_params(raw, want):
    parsed = MapParams.from_params(raw, years=YEARS, colours=COLOURS, regions=REGIONS)
    assert parsed.to_params(CURRENT) == want


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        (
            {"year": "2024/25", "region": "North West", "role": "Work Group Lead"},
            {"year": "2024-25", "region": "north-west", "role": "work_group_lead"},
        ),
        ({"accreditation": "Primary Mastery Specialist"}, {"accreditation": "primary_mastery_specialist"}),
        (
            {"accreditation": "PMS", "role": "wgl"},
            {"role": "work_group_lead", "accreditation": "primary_mastery_specialist"},
        ),
        ({"region": "yorkshire-and-the-humber"}, {"region": "yorkshire-and-the-humber"}),
        ({"region": "Atlantis", "role": "Wizard"}, {}),
    ],
)
def test_coverage_params_read_labels_and_write_codes(raw, want):
    parsed = CoverageParams.from_params(raw, years=YEARS, regions=REGIONS)
    assert parsed.to_params(CURRENT) == want
    assert CoverageParams.from_params(parsed.to_params(CURRENT), years=YEARS, regions=REGIONS) == parsed


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        (
            {"hub": "glow", "year": "2025/26", "print": "true"},
            {"hub": "glow", "year": "2025-26", "print": "1"},
        ),
        ({"hub": "Origin Maths Hub"}, {"hub": "origin"}),
        ({"hub": "nowhere", "print": "no"}, {}),
    ],
)
def test_hub_params(raw, want):
    assert HubParams.from_params(raw, years=YEARS, hubs=HUBS).to_params(CURRENT) == want


anything = st.dictionaries(
    st.sampled_from(
        ["year", "area", "colour", "find", "region", "role", "accreditation", "hub", "print", "x"]
    ),
    st.one_of(st.text(max_size=30), st.lists(st.text(max_size=10), max_size=3), st.integers(), st.none()),
)


@settings(deadline=None)  # the first example loads the vocabularies; machines are shared
@given(anything)
def test_parsers_never_raise_and_write_what_they_read(raw):
    for parsed in (
        MapParams.from_params(raw, years=YEARS, colours=COLOURS, regions=REGIONS),
        CoverageParams.from_params(raw, years=YEARS, regions=REGIONS),
        HubParams.from_params(raw, years=YEARS, hubs=HUBS),
    ):
        params = parsed.to_params(CURRENT)
        assert all(isinstance(v, str) for v in params.values())
        kind = type(parsed)
        extra = (
            {"colours": COLOURS}
            if kind is MapParams
            else {"regions": REGIONS}
            if kind is CoverageParams
            else {"hubs": HUBS}
        )
        assert kind.from_params(params, years=YEARS, **extra).to_params(CURRENT) == params
