"""Random and hostile query parameters on every page: no exception, defaults applied."""

from __future__ import annotations

import pytest
import streamlit as st
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from streamlit.testing.v1 import AppTest

from dashboard.data.finder_params import PARAM_NAMES

PAGES = ("national_map", "llme_coverage", "hub_profile", "work_group_finder", "about_data", "hub_roster")
# Every finder parameter (from its codec, so a new one is fuzzed too), the other pages' own, and strays.
KEYS = (*PARAM_NAMES, "colour", "region", "role", "accreditation", "print", "q", "x")
HOSTILE = (
    "<script>alert(1)</script>",
    "'; DROP TABLE work_groups; --",
    '=HYPERLINK("x")',
    "../../etc/passwd",
    "\u0000",
    "9" * 400,
    "-1",
    "1e309",
    "NaN",
    "2025-13-01",
    "GL55",
    "SW1A 1AA",
    "🧮",
    "null",
    "",
    " ",
)
values = hs.one_of(hs.sampled_from(HOSTILE), hs.text(max_size=40))
params = hs.dictionaries(hs.sampled_from(KEYS), values, max_size=6)


@pytest.fixture(scope="module", autouse=True)
def _warehouse(warehouse):
    mp = pytest.MonkeyPatch()
    mp.setenv("ATLAS_DATA_DIR", str(warehouse.data_dir))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    mp.undo()


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=params)
def test_any_query_parameters_render_without_exception(page, query):
    at = AppTest.from_file("../../dashboard/app.py", default_timeout=60)
    at.run()
    at.switch_page(f"app_pages/{page}.py")
    for key, value in query.items():
        at.query_params[key] = value.replace("\u0000", "")
    at.run()
    assert not at.exception, (page, query, at.exception)
    rendered = " ".join(m.value for m in at.markdown)
    assert "<script>" not in rendered  # text from the URL is never rendered as HTML
