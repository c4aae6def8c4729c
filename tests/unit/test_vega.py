"""Chart specs converted without Altair's schema validation (`dashboard.vega.unvalidated_spec`, the hub
profile's charts) are exactly what `st.altair_chart` sends: the same spec, the same datasets."""

from __future__ import annotations

import polars as pl
import pytest
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

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
