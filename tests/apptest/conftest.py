"""AppTest runs share Streamlit's process-wide caches: start and end every test with them empty,
so one test's warehouse or viewer never leaks into the next."""

from __future__ import annotations

import pytest
import streamlit as st


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()
