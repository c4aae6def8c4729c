"""Chart builders (dashboard/charts/national.py): pure functions, tested on small hand-made frames."""

from __future__ import annotations

import json

import altair as alt
import polars as pl
import pytest

from dashboard.charts import national as charts


def square(lon: float, lat: float, size: float = 0.5) -> str:
    ring = [
        [lon, lat],
        [lon, lat + size],
        [lon + size, lat + size],
        [lon + size, lat],
        [lon, lat],
    ]  # clockwise
    return json.dumps({"type": "MultiPolygon", "coordinates": [[ring]]})


@pytest.fixture
def hubs() -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            "hub_id": ["north", "south", "east"],
            "name": ["North Hub", "South Hub", "East [Hub](x)"],
            "region": ["North East", "South West", "East of England"],
            "lead_schools": ["A School;B School", None, "C School"],
            "town": ["Durham", None, "Ely"],
            "website": ["https://n.example", None, None],
            "map_latitude": [54.7, 50.7, 52.4],
            "map_longitude": [-1.6, -3.5, 0.3],
            "map_point_source": ["lead school", "estimated: centre of its districts", "lead school"],
            "confidence": ["high", "low", "medium"],
            "active_llmes": [60, 20, 40],
            "llme_target": [50, 50, 50],
            "schools_in_area": [100, 0, 80],
            "schools_reached": [40, 0, 20],
            "work_groups": [30, 5, 12],
        }
    )
    return frame.with_columns(
        (pl.col("active_llmes") / pl.col("llme_target")).alias("share_of_target"),
        pl.when(pl.col("schools_in_area") > 0)
        .then(pl.col("schools_reached") / pl.col("schools_in_area"))
        .alias("reach_share"),
    )


@pytest.fixture
def neighbours() -> pl.DataFrame:
    return pl.DataFrame({"hub_a": ["east", "north"], "hub_b": ["south", "south"]})


@pytest.fixture
def hub_frame(hubs, neighbours) -> pl.DataFrame:
    return charts.hub_map_frame(hubs, charts.hub_colours(hubs["hub_id"].to_list(), neighbours))


@pytest.fixture
def districts() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "lad_code": ["E1", "E2", "E3", "E4"],
            "lad_name": ["Northtown", "Southtown", "Easttown", "Eastvale"],
            "ctyua_name": ["N", "S", "E", "E"],
            "region_name": ["North East", "South West", "East of England", "East of England"],
            "hub_id": ["north", "south", "east", "east"],
            "provenance": ["declared", "estimated", "declared", "estimated"],
            "centroid_lat": [54.7, 50.7, 52.4, 52.6],
            "centroid_lon": [-1.6, -3.5, 0.3, 0.8],
            "geometry": [square(-1.8, 54.5), square(-3.7, 50.5), square(0.1, 52.2), square(0.6, 52.4)],
        }
    )


def layers(spec: dict) -> list[dict]:
    return spec["layer"]


def params(spec: dict) -> list[dict]:
    """Selection params wherever Altair put them (it hoists them to the top with `views`)."""
    return spec.get("params", []) + [p for layer in layers(spec) for p in layer.get("params", [])]


def test_hub_colours_never_give_neighbours_the_same_colour(neighbours):
    colours = charts.hub_colours(["north", "south", "east"], neighbours)
    assert colours["south"] != colours["north"] and colours["south"] != colours["east"]
    assert set(colours.values()) <= set(charts.HUB_PALETTE)
    assert colours == charts.hub_colours(["north", "south", "east"], neighbours)  # deterministic


def test_hub_colours_on_a_dense_graph_still_colour_every_hub():
    ids = [f"h{i}" for i in range(40)]
    pairs = pl.DataFrame(
        [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 : i + 4]],
        schema=["hub_a", "hub_b"],
        orient="row",
    )
    colours = charts.hub_colours(ids, pairs)
    assert len(colours) == 40
    assert all(colours[a] != colours[b] for a, b in pairs.iter_rows())


@pytest.mark.parametrize(
    ("share", "band"),
    [(None, None), (0.0, 0), (0.49, 0), (0.5, 1), (0.74, 1), (0.75, 2), (0.99, 2), (1.0, 3), (1.4, 3)],
)
def test_target_band(share, band):
    assert charts.target_band(share) == (None if band is None else charts.TARGET_BANDS[band])


def test_hub_map_frame_adds_display_columns(hub_frame):
    row = hub_frame.row(0, named=True)
    assert row["llmes_text"] == "60 of 50"
    assert row["reach_text"] == "40 of 100 (40%)"
    assert row["lead_school"] == "A School and B School"  # a list in words, never "A;B"
    assert row["target_band"] == "Target met"
    south = hub_frame.filter(pl.col("hub_id") == "south").row(0, named=True)
    assert south["reach_text"] == "0 of 0" and south["lead_school"] == "not known"
    assert south["point_source"].startswith("Centre of its area")
    assert south["hub_aria"].startswith("South Hub. Lead school: not known.")


@pytest.mark.parametrize("colour_by", list(charts.COLOUR_BY))
def test_hub_map_with_boundaries_is_a_choropleth(districts, hub_frame, colour_by):
    chart = charts.hub_map(districts, hub_frame, colour_by)
    spec = chart.to_dict()
    areas, points = layers(spec)
    assert areas["mark"]["type"] == "geoshape" and areas["name"] == "areas"
    features = areas["data"]["values"]["features"]
    assert len(features) == 4
    assert {f["properties"]["hub_name"] for f in features} == {"North Hub", "South Hub", "East [Hub](x)"}
    assert spec["projection"]["type"] == "mercator" and spec["projection"]["fit"] == charts.ENGLAND
    assert {p["name"] for p in params(spec)} == set(charts.SELECTIONS)
    for param in params(spec):
        assert param["select"]["fields"] == ["hub_id"] and param["select"]["on"] == "click"
    assert {v for p in params(spec) for v in p.get("views", [])} == {"areas", "points"}
    # Estimated districts are told apart (opacity, dash and outline) with a legend.
    assert areas["encoding"]["strokeDash"]["field"] == "provenance"
    assert areas["encoding"]["stroke"]["scale"]["domain"] == list(charts.PROVENANCE.values())
    assert areas["encoding"]["description"]["field"] == "aria"
    assert points["encoding"]["shape"]["field"] == "point_source"
    assert "296" not in spec["description"] and "4 local authority districts" in spec["description"]
    colour = areas["encoding"]["color"]
    assert colour["field"] == {"hub": "hub_colour", "llmes": "target_band", "reach": "reach_share"}[colour_by]
    if colour_by == "hub":
        assert colour["scale"] is None and colour["legend"] is None
        assert areas["encoding"]["opacity"]["scale"]["range"] == [1.0, 0.5]
    else:
        assert areas["encoding"]["opacity"]["scale"]["range"] == [1.0, 1.0]


def test_hub_map_skips_districts_without_boundaries(districts, hub_frame):
    partial = districts.with_columns(
        pl.when(pl.col("lad_code") == "E4").then(None).otherwise(pl.col("geometry")).alias("geometry")
    )
    spec = charts.hub_map(partial, hub_frame).to_dict()
    assert len(layers(spec)[0]["data"]["values"]["features"]) == 3


def test_prebuilt_geojson_serialises_exactly_like_plain_data(districts, hub_frame):
    """The to_dict short-cut must not change the JSON the browser gets."""
    chart = charts.hub_map(districts, hub_frame)
    fast = chart.to_dict()
    collection = dict(fast["layer"][0]["data"]["values"])
    plain = alt.Data(values=collection, format=alt.DataFormat(type="json", property="features")).to_dict()
    assert json.dumps(plain["values"], sort_keys=True) == json.dumps(
        fast["layer"][0]["data"]["values"], sort_keys=True
    )
    assert "features" in repr(charts._Prebuilt({"features": []}).value)


def test_hub_map_without_boundaries_draws_district_centres_regions_and_hubs(districts, hub_frame):
    no_boundaries = districts.with_columns(pl.lit(None, pl.String).alias("geometry"))
    spec = charts.hub_map(no_boundaries, hub_frame, "reach").to_dict()
    kinds = [
        layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in layers(spec)
    ]
    assert kinds == ["geoshape", "square", "text", "text", "point"]
    tiles = layers(spec)[1]
    assert tiles["encoding"]["longitude"]["field"] == "centroid_lon"
    assert tiles["encoding"]["color"]["field"] == "reach_share"
    assert spec["projection"]["fit"] == charts.ENGLAND
    assert "Schematic map of England" in spec["description"]
    assert {p["name"] for p in params(spec)} == set(charts.SELECTIONS)


@pytest.mark.parametrize(
    ("state", "hub"),
    [
        (None, None),
        ({}, None),
        ({"selection": {}}, None),
        ({"selection": {"hub_area": []}}, None),
        ({"selection": {"hub_area": [{"hub_id": "glow"}]}}, "glow"),
        ({"selection": {"hub_area": [], "hub_point": [{"hub_id": "code"}]}}, "code"),
        ({"selection": {"hub_area": [{"vgsid": 3}]}}, None),
    ],
)
def test_selected_hub(state, hub):
    assert charts.selected_hub(state) == hub


@pytest.fixture
def matrix() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "hub": ["A", "A", "B", "B"],
            "phase_label": ["Primary", "Secondary"] * 2,
            "sort_order": [2, 3, 2, 3],
            "active_llmes": [10, 2, 0, 30],
        }
    )


def test_llme_heatmap_outlines_gaps_and_keeps_text_readable(matrix):
    spec = charts.llme_heatmap(matrix, threshold=3).to_dict()
    cells, gaps, text = layers(spec)
    assert cells["mark"]["type"] == "rect"
    assert any("active_llmes < 3" in str(t) for t in gaps.get("transform", []))
    # One near-black for every cell: the scale stops at a mid tone (white on mid-blue was 3.2:1).
    assert text["encoding"]["color"] == {"value": "#1b1b1b"}
    assert cells["encoding"]["color"]["scale"]["scheme"] == {"name": "blues", "extent": [0, 0.6]}
    assert cells["encoding"]["color"]["legend"]["format"] == "d", "whole numbers on the legend"
    assert any("isValid(datum.active_llmes)" in str(t) for t in gaps.get("transform", []))
    assert "fewer than 3" in spec["description"]


def test_llme_heatmap_leaves_room_for_its_columns_at_phone_width(matrix):
    """At 390 px the full hub names and a side legend squeezed the four phase columns to a few
    pixels: names drop their common "Maths Hub" on the axis only, the legend goes below, and the
    phase headers wrap a word a line instead of being dropped."""
    spec = charts.llme_heatmap(matrix, threshold=3).to_dict()
    cells, _, _ = layers(spec)
    y, x = cells["encoding"]["y"], cells["encoding"]["x"]
    assert y["field"] == "hub" and "Maths Hub$" in y["axis"]["labelExpr"], "the data keeps the full name"
    assert {"field": "hub", "title": "Hub", "type": "nominal"} in cells["encoding"]["tooltip"]
    assert cells["encoding"]["color"]["legend"]["orient"] == "bottom"
    assert x["axis"]["labelExpr"] == "split(datum.label, ' ')" and x["axis"]["labelOverlap"] is False


def test_target_bars_have_a_rule_at_the_target():
    totals = pl.DataFrame({"hub": ["A", "B"], "active_llmes": [55, 20], "target": [50, 50]})
    spec = charts.target_bars(totals, 50).to_dict()
    bars, rule = layers(spec)
    assert rule["mark"]["type"] == "rule"
    assert "50" in spec["description"]
    assert bars["encoding"]["color"]["scale"]["domain"] == ["Below target", "Target met"]


def test_trend_and_count_bars_describe_themselves():
    trend = pl.DataFrame(
        {"academic_year": ["2025/26", "2026/27"], "active_llmes": [10, 12], "target": [50, 50]}
    )
    assert "dashed line is the target" in charts.trend_chart(trend).to_dict()["description"]
    frame = pl.DataFrame({"label": ["Primary", "Post-16"], "active_llmes": [4, 1]})
    spec = charts.count_bars(frame, "label", "active_llmes", "Phase", "Active LLMEs").to_dict()
    assert spec["encoding"]["y"]["sort"] == ["Primary", "Post-16"]
    assert spec["description"] == "Bar chart of Active LLMEs by phase."


@pytest.mark.parametrize(
    ("largest", "ticks"),
    [
        (9, [0, 2, 4, 6, 8, 10]),  # the hub profile's accreditation bars: 9 ran past the tick at 8
        (21, [0, 5, 10, 15, 20, 25]),
        (38, [0, 10, 20, 30, 40]),
        (40, [0, 10, 20, 30, 40]),
        (3, [0, 1, 2, 3]),
        (0, [0, 1]),
        (None, [0, 1]),
        (1234, [0, 500, 1000, 1500]),
    ],
)
def test_count_axis_ends_on_a_labelled_tick_past_the_longest_bar(largest, ticks):
    assert charts.count_ticks(largest) == ticks


def test_count_bars_stay_inside_their_axis():
    frame = pl.DataFrame(
        {"label": ["Primary Mastery Specialist", "PD Lead", "Secondary MS"], "active_llmes": [9, 6, None]}
    )
    x = charts.count_bars(frame, "label", "active_llmes", "Accreditation", "Active LLMEs").to_dict()[
        "encoding"
    ]["x"]
    # The domain ends on the last labelled tick, at or past the longest bar, with whole-number labels.
    assert x["scale"] == {"domain": [0, 10], "nice": False}
    assert x["axis"]["values"] == [0, 2, 4, 6, 8, 10]
    assert x["axis"]["values"][-1] >= frame["active_llmes"].max()
    assert x["axis"]["format"] == "d"


def test_hub_profile_charts(tmp_path):
    groups = pl.DataFrame(
        {
            "programme": ["P1", "P1"],
            "phase": ["Primary", "Secondary"],
            "sort_order": [2, 3],
            "work_groups": [2, 1],
        }
    )
    assert charts.work_group_bars(groups).to_dict()["encoding"]["x"]["aggregate"] == "sum"
    reach = pl.DataFrame(
        {
            "phase": ["Primary", "Other"],
            "schools_in_area": [10, 0],
            "schools_reached": [5, 1],
            "reach_share": [0.5, None],
        }
    )
    spec = charts.reach_bars(reach, "phase", "Phase").to_dict()
    assert spec["encoding"]["x"]["scale"]["domain"] == [0, 1]
    stages = ["Readiness", "Development", "Embedding", "Sustaining"]
    journey = pl.DataFrame(
        {"academic_year": ["2025/26"], "stage_label": ["Embedding"], "sort_order": [3], "schools": [4]}
    )
    assert charts.journey_chart(journey, stages).to_dict()["encoding"]["color"]["scale"]["domain"] == stages


def test_provision_heatmap_marks_gaps_as_none():
    frame = pl.DataFrame(
        {
            "kind": ["Sustained Work Groups", "Sustained Work Groups", "One-off events", "One-off events"],
            "phase_label": ["Primary", "Secondary"] * 2,
            "sort_order": [2, 3, 2, 3],
            "work_groups": [5, 0, 0, 0],
        }
    )
    spec = charts.provision_heatmap(frame).to_dict()
    cells, text = layers(spec)
    assert "'none'" in json.dumps(text["transform"])
    assert text["encoding"]["color"]["condition"][0] == {
        "test": "datum['work_groups'] == 0",
        "value": "#595959",
    }
    assert cells["encoding"]["y"]["sort"] == ["Sustained Work Groups", "One-off events"]
    assert "'none' marks a gap" in spec["description"]


def test_suppressed_hubs_show_c_on_the_map_and_a_grey_not_published_band(hubs, neighbours):
    from dashboard.privacy import public_view

    small = hubs.with_columns(
        pl.Series("active_llmes", [60, 3, 40]), pl.Series("schools_reached", [40, 0, 2])
    )
    public = public_view(small, ["active_llmes", "schools_reached"], exact=False).with_columns(
        (pl.col("active_llmes") / pl.col("llme_target")).alias("share_of_target"),
        pl.when(pl.col("schools_in_area") > 0)
        .then(pl.col("schools_reached") / pl.col("schools_in_area"))
        .alias("reach_share"),
    )
    frame = charts.hub_map_frame(public, charts.hub_colours(public["hub_id"].to_list(), neighbours))
    south, east = (frame.filter(pl.col("hub_id") == h).row(0, named=True) for h in ("south", "east"))
    assert south["llmes_text"] == "c of 50" and south["target_band"] == charts.HIDDEN_BAND
    assert east["reach_text"] == "c of 80" and east["reach_share"] is None
    colour = charts._colour("llmes", frame).to_dict()
    assert charts.HIDDEN_BAND in colour["scale"]["domain"]
    reach = charts._colour("reach", frame).to_dict()
    assert reach["field"] == "reach_share" and reach["condition"]["value"] == charts.HIDDEN_COLOUR


def test_heatmap_of_a_suppressed_matrix_writes_c_in_hidden_cells(matrix):
    from dashboard.privacy import public_view

    public = public_view(matrix, ["active_llmes"], exact=False)
    spec = charts.llme_heatmap(public, threshold=3).to_dict()
    cells, _, text = layers(spec)
    assert text["encoding"]["text"]["field"] == "active_llmes_shown"
    assert cells["encoding"]["color"]["condition"]["value"] == charts.HIDDEN_COLOUR


@pytest.mark.parametrize("boundaries", [True, False])
def test_hub_map_one_builder_for_both_kinds(districts, hub_frame, boundaries):
    """One builder: the same districts' tooltips, screen-reader text, hub points and region framing,
    whether it draws boundaries or (without them) district centres."""
    if not boundaries:
        districts = districts.with_columns(pl.lit(None, pl.String).alias("geometry"))
    spec = charts.hub_map(districts, hub_frame, "llmes", region="East of England").to_dict()
    named = {layer["name"]: layer for layer in layers(spec) if "name" in layer}
    areas = named["areas"]
    marks = {k: v["mark"]["type"] if isinstance(v["mark"], dict) else v["mark"] for k, v in named.items()}
    assert marks == {"areas": "geoshape" if boundaries else "square", "points": "point"}
    assert areas["encoding"]["tooltip"][0]["title"] == "District"
    assert areas["encoding"]["description"]["field"] == "aria"
    assert areas["encoding"]["color"]["field"] == "target_band"
    assert ("strokeDash" in areas["encoding"]) is boundaries  # a dashed outline needs an outline
    assert spec["projection"]["fit"] != charts.ENGLAND, "fitted to the region"
    assert "2 local" in spec["description"] and "1 Maths Hubs" in spec["description"]
