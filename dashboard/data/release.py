"""The open-data release as a zip for the About page: the same files `atlas export` writes, built by
the same function (pipelines/export.py) once per published snapshot."""

from __future__ import annotations

import streamlit as st

from pipelines.config import paths
from pipelines.export import export_zip


@st.cache_data(ttl="1h", max_entries=2, show_spinner=False)
def release_zip(snapshot: str) -> bytes:
    """`snapshot` (the current snapshot's path) is the cache key: a new load makes a new release."""
    return export_zip(paths())
