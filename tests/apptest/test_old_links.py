"""Links in older forms (labels in the URL, `2024/25`, `2026-27`) open the same view as the
canonical links (codes, `2024-25`), and the page rewrites the URL canonically (issue 11 item 3)."""

from __future__ import annotations

import pytest

from tests.apptest.pages import open_page
from tests.apptest.test_page_figures import figures

CASES = {
    "map": (
        "national_map",
        {"year": "2024/25", "area": "North West", "colour": "Share of schools reached", "find": "Cheltenham"},
        {"year": "2024-25", "area": "north-west", "colour": "reach", "find": "Cheltenham"},
    ),
    "coverage": (
        "llme_coverage",
        {"year": "2025/26", "region": "North West", "role": "Work Group Lead", "accreditation": "PD Lead"},
        {"year": "2025-26", "region": "north-west", "role": "work_group_lead", "accreditation": "pd_lead"},
    ),
    "hub": (
        "hub_profile",
        {"hub": "Origin Maths Hub", "year": "2024/2025", "print": "true"},
        {"hub": "origin", "year": "2024-25", "print": "1"},
    ),
}


def _url(at) -> dict[str, str]:
    out = {}
    for key in at.query_params:
        value = at.query_params[key]
        out[key] = value[0] if isinstance(value, list) else value
    return out


@pytest.mark.parametrize("case", list(CASES))
def test_an_old_link_lands_on_the_same_view_and_is_rewritten(use_warehouse, case):
    page, old, canonical = CASES[case]
    assert _url(open_page(page, **old)) == canonical
    assert _url(open_page(page, **canonical)) == canonical
    # every figure on the page is the same (the first line names the query, which differs)
    same_old = figures(page, "public", old).split("\n", 1)[1]
    same_new = figures(page, "public", canonical).split("\n", 1)[1]
    assert same_old == same_new


def test_the_current_year_stays_out_of_the_url_and_the_year_is_kept_across_pages(use_warehouse):
    at = open_page("national_map", year="2026/27")
    assert "year" not in _url(at)  # the current year is the default
    at = open_page("national_map", year="2024-25")
    at.switch_page("app_pages/llme_coverage.py").run()
    assert at.selectbox(key="year").value == "2024/25"  # chosen once, kept on the next page
    assert _url(at).get("year") == "2024-25"
