"""The finder's result map: district outlines (and the chosen hub's boundary) really drawn under the
venues: every layer of the rendered spec is linked to data that is in the spec (issue 16 item 2)."""

from __future__ import annotations

import json

import polars as pl

from dashboard.charts.finder import (
    HUB_OUTLINE,
    OUTLINE,
    _base,
    hubs_map,
    hubs_map_spec,
    outline_spec,
    results_map,
    results_map_spec,
    with_outlines,
)

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[-1.8, 52.0], [-1.7, 52.0], [-1.7, 52.1], [-1.8, 52.1], [-1.8, 52.0]]],
}
OUTLINES = pl.DataFrame(
    {
        "lad_code": ["E1", "E2", "E3"],
        "lad_name": ["Cotswold", "Stratford-on-Avon", "Wychavon"],
        "geometry": [json.dumps(SQUARE)] * 3,
        "in_hub": [True, False, False],
    }
)
POINTS = pl.DataFrame(
    {
        "work_group_id": ["wg-1"],
        "title": ["A group"],
        "hub_name": ["GLOW Maths Hub"],
        "venue_name": ["School"],
        "venue_latitude": [52.05],
        "venue_longitude": [-1.75],
        "status": ["open"],
        "distance_miles": [1.2],
    }
)


def layer_data(spec: dict) -> list[list]:
    """The rows each layer draws: its own data, else the top level's (as Vega-Lite inherits it)."""
    out = []
    for layer in spec["layer"]:
        data = layer.get("data", spec.get("data"))
        assert data is not None, f"a layer without data: {layer['mark']}"
        rows = data.get("values") if "values" in data else spec["datasets"][data["name"]]
        out.append(
            rows.to_dicts() if isinstance(rows, pl.DataFrame) else rows
        )  # sent to the browser as Arrow
    return out


def test_outline_layers_keep_their_data_link():
    spec = outline_spec(OUTLINES.drop("in_hub"), 1)
    [rows] = layer_data(spec)
    assert {f["name"] for f in rows} == {"Cotswold", "Stratford-on-Avon", "Wychavon"}


def test_the_rendered_map_draws_districts_and_the_hub_boundary_under_the_venues():
    venues = results_map(POINTS, None, (52.06, -1.78, "GL55"), 20, {"open": "Open for booking"}).to_dict()
    spec = with_outlines(venues, outline_spec(OUTLINES, 1))
    marks = [
        layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in spec["layer"]
    ]
    assert marks[:2] == ["geoshape", "geoshape"] and marks[-1] == "circle"  # outlines first: underneath
    rows = layer_data(spec)
    assert {f["name"] for f in rows[0]} == {"Stratford-on-Avon", "Wychavon"}
    assert {f["name"] for f in rows[1]} == {"Cotswold"}  # the hub's districts, drawn with a dark edge
    assert spec["layer"][0]["mark"]["fill"] == OUTLINE["fill"]
    assert spec["layer"][1]["mark"]["stroke"] == HUB_OUTLINE["stroke"]
    assert [r["work_group_id"] for r in rows[-1]] == ["wg-1"]
    json.dumps(spec)  # serialisable as sent to the browser


def test_the_fast_venue_spec_is_the_altair_spec_with_its_rows():
    """`results_map_spec` fills a template Altair built once: the same layers, encodings and selection
    as building the chart each time, and the same rows in each layer."""
    for place, radius in (((52.06, -1.78, "GL55"), 20), (None, None)):
        labels = {"open": "Open for booking", "closed": "Closed"}
        slow = results_map(POINTS, None, place, radius, labels).to_dict()
        fast = results_map_spec(POINTS, place, radius, labels)
        strip = [{k: v for k, v in layer.items() if k not in ("data", "name")} for layer in slow["layer"]]
        assert [
            {k: v for k, v in layer.items() if k not in ("data", "name")} for layer in fast["layer"]
        ] == strip
        assert layer_data(fast) == layer_data(slow)
        assert [p["select"] for p in fast["params"]] == [p["select"] for p in slow["params"]]
        assert fast["params"][0]["views"] == [fast["layer"][-1]["name"]]  # the pick is bound to the venues


def test_the_fast_outline_spec_is_the_altair_spec_with_its_rows():
    """`outline_spec` writes the layers Altair draws for the outlines (`_base`), thinned alike, without
    Altair per call: the same mark and encoding per layer and the same features in each."""
    ring = [[-1.8 + 0.01 * i, 52.0 + 0.001 * i] for i in range(40)] + [[-1.8, 52.0]]
    many = OUTLINES.with_columns(geometry=pl.lit(json.dumps({"type": "Polygon", "coordinates": [ring]})))
    for frame in (OUTLINES, OUTLINES.drop("in_hub"), many):
        for step in (1, 3, 4):
            fast = outline_spec(frame, step)
            slow = [chart.to_dict() for chart in _base(frame, step)]
            assert len(fast["layer"]) == len(slow)
            for layer, altair_layer in zip(fast["layer"], slow, strict=True):
                keep = {
                    k: v
                    for k, v in altair_layer.items()
                    if k not in ("$schema", "config", "datasets", "data")
                }
                assert {k: v for k, v in layer.items() if k != "data"} == keep
                [rows] = altair_layer["datasets"].values()
                assert fast["datasets"][layer["data"]["name"]] == rows


def test_the_fast_hub_map_spec_is_the_altair_spec_with_its_rows():
    """`hubs_map_spec` fills a template: the same layer, encoding, legend sizes and selection as Altair's
    `hubs_map`, and the same rows (a hub without a map position is left out by both)."""
    hubs = pl.DataFrame(
        {
            "hub_id": ["a", "b", "c"],
            "hub_name": ["A", "B", "C"],
            "hub_latitude": [52.0, 53.0, None],
            "hub_longitude": [-1.0, -2.0, None],
            "matches": [3, 70, 5],
        }
    )
    slow, fast = hubs_map(hubs).to_dict(), hubs_map_spec(hubs)

    def shape(spec: dict) -> dict:
        layers = [{k: v for k, v in layer.items() if k != "name"} for layer in spec["layer"]]
        params = [{k: v for k, v in p.items() if k != "views"} for p in spec["params"]]
        rest = {k: v for k, v in spec.items() if k not in ("layer", "params", "data", "datasets")}
        return {"layer": layers, "params": params, **rest}

    assert shape(fast) == shape(slow)
    assert fast["layer"][-1]["encoding"]["size"]["legend"]["values"] == [18, 35, 70]
    assert fast["params"][0]["views"] == [fast["layer"][-1]["name"]]  # the pick is bound to the bubbles
    assert layer_data(fast) == layer_data(slow)
