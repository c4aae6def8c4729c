"""The finder's maps through `dashboard.vega.vega_lite_chart`: the same element, byte for byte, as
`st.vega_lite_chart(spec, on_select=callback)` sends, with the outlines' text encoded once per object."""

from __future__ import annotations

import json

import pytest
from streamlit.elements.vega_charts import (
    _marshall_chart_data,
    _prepare_vega_lite_spec,
    _stabilize_vega_json_spec,
)
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.VegaLiteChart_pb2 import VegaLiteChart
from streamlit.testing.v1 import AppTest

from dashboard import vega
from dashboard.charts.finder import hubs_map_spec, outline_spec, results_map_spec, with_outlines
from tests.unit.test_finder_charts import OUTLINES, POINTS

HUBS = POINTS.select(
    "hub_name",
    hub_id=POINTS["hub_name"].str.to_lowercase(),
    hub_latitude=POINTS["venue_latitude"],
    hub_longitude=POINTS["venue_longitude"],
    matches=POINTS["distance_miles"].cast(int) + 1,
)


def specs() -> dict[str, dict]:
    outlines = outline_spec(OUTLINES, 1)
    return {
        "venues near a place": with_outlines(
            results_map_spec(POINTS, (52.05, -1.74, "GL55"), 10, {"open": "Open"}), outlines
        ),
        "venues of a hub": with_outlines(results_map_spec(POINTS, None, None, {"open": "Open"}), outlines),
        "hub bubbles": with_outlines(hubs_map_spec(HUBS), outlines),
        "no outlines": results_map_spec(POINTS, None, None, {}),
    }


@pytest.mark.parametrize("name", list(specs()))
def test_stable_spec_text_is_streamlits(name):
    prepared = _prepare_vega_lite_spec(specs()[name], True)
    _marshall_chart_data(VegaLiteChart(), prepared)
    text, head = vega.stable_spec_text(prepared)
    assert text == _stabilize_vega_json_spec(json.dumps(prepared))
    assert "datasets" not in head and head["layer"]
    again, _ = vega.stable_spec_text(prepared)  # the outlines' text now comes from the cache
    assert again == text


def _page(ours: bool, name: str) -> None:
    """An AppTest script: one finder map with a selection callback, keeping the chart messages sent."""
    import streamlit as st

    from dashboard import vega
    from tests.unit.test_vega import keep_chart_messages
    from tests.unit.test_vega_finder import specs

    keep_chart_messages()

    def picked():
        st.session_state["picked"] = True

    with st.columns([3, 2])[1]:
        if ours:
            vega.vega_lite_chart(vega.PreparedChart(specs()[name], None), key="map", on_select=picked)
        else:
            st.vega_lite_chart(specs()[name], key="map", on_select=picked)


@pytest.mark.parametrize("name", ["venues near a place", "hub bubbles"])
def test_the_finder_map_is_the_element_st_vega_lite_chart_sends(name):
    sent = {}
    for ours in (True, False):
        at = AppTest.from_function(_page, args=(ours, name), default_timeout=60).run()
        assert not at.exception
        (msg,) = [ForwardMsg.FromString(b) for b in at.session_state["sent"]]
        sent[ours] = msg
    ours, theirs = sent[True], sent[False]
    assert ours.delta.new_element.vega_lite_chart.selection_mode  # selections on, callback registered
    assert ours.delta.new_element.SerializeToString() == theirs.delta.new_element.SerializeToString()
    assert list(ours.metadata.delta_path) == list(theirs.metadata.delta_path)
