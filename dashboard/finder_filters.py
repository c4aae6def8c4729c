"""The finder's filters panel: every filter behind one labelled "Filters" button, applied and closed
by "Show N Work Groups" (on a phone the panel would otherwise push the results off the screen)."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from dashboard.data.finder_params import ALL_YEARS, PHASES
from dashboard.finder_ui import plural
from dashboard.finder_ui import state as ss
from pipelines.domain import year_label


def filters_panel(
    n_found: int,
    vocab: Mapping[str, Mapping[str, str]],
    programmes: Mapping[str, str],
    hub_names: Mapping[str, str],
    years: list[int],
) -> None:
    """Every filter behind one labelled button; "Show N Work Groups" applies and closes it."""
    # The browser mounts a popover's widgets only when it opens, and a widget mounted then starts from its
    # own default (year "All years", no phase...) unless this run sent its value: re-set each one so every
    # run sends it. A constant label: a popover whose label changes is a new element, which opens closed.
    for key in ("phase", "delivery", "programme", "hub", "year", "from", "to", "open", "places"):
        ss[key] = ss[key]
    with st.popover(
        "Filters",
        icon=":material/tune:",
        key=ss.key("filters_open"),
        on_change="rerun",
        width="stretch",
        help="Phase, delivery, programme, hub, year, dates and booking",
    ):
        for key, title, options, fmt, widget in (
            ("phase", "Phase", list(PHASES), vocab["phase"].get, st.pills),
            ("delivery", "Delivery", list(vocab["delivery"]), vocab["delivery"].get, st.pills),
            ("programme", "Programme", list(programmes), programmes.get, st.multiselect),
            ("hub", "Maths Hub", list(hub_names), hub_names.get, st.multiselect),
        ):
            extra = {"selection_mode": "multi"} if widget is st.pills else {"placeholder": "Any"}
            widget(title, options, format_func=fmt, key=ss.key(key), **extra)
        st.selectbox(
            "Academic year",
            [ALL_YEARS, *years],
            key=ss.key("year"),
            format_func=lambda y: "All years" if y == ALL_YEARS else year_label(y),
        )
        st.date_input("First session on or after", key=ss.key("from"), value=None, format="DD/MM/YYYY")
        st.date_input("First session on or before", key=ss.key("to"), value=None, format="DD/MM/YYYY")
        st.checkbox("Open for booking only", key=ss.key("open"))
        st.checkbox(
            "Has places left",
            key=ss.key("places"),
            help="Only Work Groups that are open for booking and have at least one place left, "
            "as their card says. A hub that publishes no count of places is not included.",
        )
        st.button(
            f"Show {plural(n_found, 'Work Group')}",
            type="primary",
            icon=":material/check:",
            on_click=lambda: ss.update({"filters_open": False}),
            key="filters-apply",
        )
