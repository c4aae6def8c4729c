"""Chart specs converted without Altair's schema validation (`dashboard.vega.unvalidated_spec`, the hub
profile's charts) are exactly what `st.altair_chart` sends: the same spec, the same datasets."""

from __future__ import annotations

import json

import polars as pl
import pytest
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.testing.v1 import AppTest

from dashboard import vega
from dashboard.charts import national as charts
from dashboard.vega import unvalidated_spec

GROUPS = pl.DataFrame(
    {
        "programme": ["P1", "P1"],
        "phase": ["Primary", "Secondary"],
        "sort_order": [2, 3],
        "work_groups": [2, 1],
    }
)
REACH = pl.DataFrame(
    {
        "phase": ["Primary", "Other"],
        "schools_in_area": [10, 0],
        "schools_reached": [5, 1],
        "reach_share": [0.5, None],
    }
)
PROVISION = pl.DataFrame(
    {
        "kind": ["Sustained Work Groups", "Sustained Work Groups", "One-off events", "One-off events"],
        "phase_label": ["Primary", "Secondary"] * 2,
        "sort_order": [2, 3, 2, 3],
        "work_groups": [5, 0, 0, 0],
    }
)
JOURNEY = pl.DataFrame(
    {"academic_year": ["2025/26"], "stage_label": ["Embedding"], "sort_order": [3], "schools": [4]}
)
STAGES = ["Readiness", "Development", "Embedding", "Sustaining"]


@pytest.mark.parametrize(
    "build",
    [
        lambda: charts.work_group_bars(GROUPS),
        lambda: charts.reach_bars(REACH, "phase", "Phase"),
        lambda: charts.provision_heatmap(PROVISION),
        lambda: charts.journey_chart(JOURNEY, STAGES),
        lambda: charts.count_bars(GROUPS, "phase", "work_groups", "Phase", "Work Groups"),
    ],
    ids=["work_group_bars", "reach_bars", "provision_heatmap", "journey_chart", "count_bars"],
)
def test_unvalidated_spec_is_what_st_altair_chart_sends(build):
    assert unvalidated_spec(build()) == _convert_altair_to_vega_lite_spec(build())


def small_map():
    """A national map in miniature: GeoJSON districts in the spec, hub points as an Arrow dataset,
    two selections (what the national map page sends)."""
    square = [[[-1.8, 54.5], [-1.8, 55.0], [-1.3, 55.0], [-1.3, 54.5], [-1.8, 54.5]]]
    hubs = pl.DataFrame(
        {
            "hub_id": ["north", "south"],
            "name": ["North Hub", "South Hub"],
            "lead_schools": ["A School;B School", None],
            "map_latitude": [54.7, 50.7],
            "map_longitude": [-1.6, -3.5],
            "map_point_source": ["lead school", "estimated: centre of its districts"],
            "active_llmes": [60, 20],
            "llme_target": [50, 50],
            "schools_in_area": [100, 0],
            "schools_reached": [40, 0],
            "work_groups": [30, 5],
            "share_of_target": [1.2, 0.4],
            "reach_share": [0.4, None],
        }
    )
    districts = pl.DataFrame(
        {
            "lad_code": ["E1", "E2"],
            "lad_name": ["Northtown", "Southtown"],
            "region_name": ["North East", "South West"],
            "hub_id": ["north", "south"],
            "provenance": ["declared", "estimated"],
            "centroid_lat": [54.7, 50.7],
            "centroid_lon": [-1.6, -3.5],
            "geometry": [json.dumps({"type": "Polygon", "coordinates": square})] * 2,
        }
    )
    frame = charts.hub_map_frame(hubs, {"north": "#4e79a7", "south": "#f28e2b"})
    return charts.hub_map(districts, frame, "llmes")


def keep_chart_messages() -> None:
    """In an AppTest script: keep every Vega-Lite chart message the run sends (serialized) in
    `st.session_state["sent"]`, as well as sending it."""
    import streamlit as st
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx()
    sent = st.session_state.setdefault("sent", [])
    enqueue = ctx._enqueue

    def keep(msg):
        if (
            msg.WhichOneof("type") == "delta"
            and msg.delta.new_element.WhichOneof("type") == "vega_lite_chart"
        ):
            sent.append(msg.SerializeToString())
        enqueue(msg)

    ctx._enqueue = keep


def _map_page(how: str) -> None:
    """An AppTest script: the small map in a column, through `dashboard.vega.vega_lite_chart` ("ours",
    or "fallback" as without Streamlit's private helpers) or `st.vega_lite_chart` ("streamlit"),
    keeping every chart element the run sends (serialized) in session state."""
    import json

    import streamlit as st

    from dashboard import vega
    from dashboard.charts import national as charts
    from tests.unit.test_vega import keep_chart_messages, small_map

    keep_chart_messages()
    st.title("Map")
    with st.columns([3, 2])[0]:
        if how == "ours":
            chart = vega.PreparedChart(vega.altair_spec(small_map()), charts.SELECTIONS)
            event = vega.vega_lite_chart(chart, key="map")
        elif how == "fallback":
            vega._PREPARED = False
            try:
                chart = vega.PreparedChart(vega.altair_spec(small_map()), charts.SELECTIONS)
                event = vega.vega_lite_chart(chart, key="map")
            finally:
                vega._PREPARED = True
        else:
            spec = vega.altair_spec(small_map())
            event = st.vega_lite_chart(
                spec, key="map", on_select="rerun", selection_mode=list(charts.SELECTIONS)
            )
    st.session_state["event"] = json.dumps(event)


def _sent(how: str) -> tuple[list[ForwardMsg], str]:
    at = AppTest.from_function(_map_page, args=(how,), default_timeout=60).run()
    assert not at.exception
    return [ForwardMsg.FromString(b) for b in at.session_state["sent"]], at.session_state["event"]


def test_prepared_chart_is_the_element_st_vega_lite_chart_sends():
    """Same element (spec text, Arrow datasets, selection modes, element id, width, place on the page),
    byte for byte, and the same selection state handed back to the page."""
    (ours,), our_event = _sent("ours")
    (theirs,), their_event = _sent("streamlit")
    assert ours.delta.new_element.vega_lite_chart.datasets, "the hub points travel as an Arrow dataset"
    assert '"geoshape"' in ours.delta.new_element.vega_lite_chart.spec
    assert ours.delta.new_element.SerializeToString() == theirs.delta.new_element.SerializeToString()
    assert list(ours.metadata.delta_path) == list(theirs.metadata.delta_path)
    assert our_event == their_event


def test_prepared_chart_falls_back_to_st_vega_lite_chart(monkeypatch):
    """Without Streamlit's private helpers the chart keeps its spec and goes through Streamlit: the
    same element again."""
    monkeypatch.setattr(vega, "_PREPARED", False)
    chart = vega.PreparedChart(vega.altair_spec(small_map()), charts.SELECTIONS)
    assert chart.proto is None
    assert chart.spec["layer"]
    monkeypatch.undo()
    (fallback,), _ = _sent("fallback")
    (theirs,), _ = _sent("streamlit")
    assert fallback.delta.new_element.SerializeToString() == theirs.delta.new_element.SerializeToString()
