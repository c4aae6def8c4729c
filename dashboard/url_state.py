"""Page state in the URL, the Streamlit side of dashboard/data/page_params.py.

Each page parses its parameters with its codec, seeds its widgets from them when the URL is not the
one the page last wrote (a link was followed, or the page was opened afresh), and writes the
canonical parameters back after its widgets. The academic year chosen on any page is kept in the
session (`YEAR`) and is every page's default, so it is chosen once and kept across pages; the
entrypoint (dashboard/app.py) records a year given in any page's URL.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import streamlit as st

from pipelines import domain

YEAR = "academic_year"  # the start year chosen last on any page (session state, not a widget)


def raw() -> dict[str, list[str]]:
    """The URL's parameters, every value as a list (a parameter may repeat)."""
    return {k: st.query_params.get_all(k) for k in st.query_params}


def remember_year_from_url() -> None:
    """Entrypoint: a year in the URL (any form) becomes the one kept across pages."""
    year = domain.parse_year(st.query_params.get("year"))
    if year is not None:
        st.session_state[YEAR] = year


def kept_year(years: Collection[int], current: int) -> int:
    """The year chosen last on any page, when this page offers it; else the current year."""
    year = st.session_state.get(YEAR)
    return year if year in years else current


def seed(page: str, values: Mapping[str, object]) -> None:
    """Set the page's widgets to the URL's state, unless the URL is the one the page wrote last
    (then the widgets hold what the reader chose since)."""
    if st.session_state.get(f"_url_{page}") != raw() or any(k not in st.session_state for k in values):
        for key, value in values.items():
            st.session_state[key] = value


def write(page: str, params: Mapping[str, str], year: int) -> None:
    """Make the URL canonical for the page's state and keep its year for the other pages."""
    st.session_state[YEAR] = year
    canonical = {k: [v] for k, v in params.items()}
    if raw() != canonical:
        st.query_params.from_dict(params)
    st.session_state[f"_url_{page}"] = canonical
