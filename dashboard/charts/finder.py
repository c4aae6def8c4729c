"""The finder's map: Work Group venues as points over council-district outlines (no tile server).

Pure functions: frames in, Altair charts out. A click on a venue selects it through the point
selection named "pick" (field `work_group_id`); the page turns that into the focused card. When there
are too many venues to draw one by one, `hubs_map` draws one bubble per hub (selection "hub_pick").
"""

from __future__ import annotations

import functools
import json
import math

import altair as alt
import polars as pl

from pipelines.domain import EARTH_RADIUS_MILES

STATUS_COLOURS = {"open": "#1d5e9a", "full": "#b35c00", "closed": "#6f777b"}
OUTLINE = {"fill": "#f3f2f1", "stroke": "#b1b4b6", "strokeWidth": 0.6}
HUB_OUTLINE = {"fill": "#e8f1f8", "stroke": "#0b0c0c", "strokeWidth": 1.4}  # the chosen hub's districts
HEIGHT = 420


class _FeatureCollection:
    """GeoJSON handed to Altair through `__geo_interface__`: Altair then passes the features through
    as a dataset, instead of wrapping every nested value in schema objects (0.4 s for England)."""

    def __init__(self, features: list[dict]) -> None:
        self.__geo_interface__ = {"type": "FeatureCollection", "features": features}


def _features(outlines: pl.DataFrame | None, step: int = 1) -> list[dict]:
    """GeoJSON features from lad_boundaries rows; `step` > 1 keeps every step-th vertex."""
    if outlines is None or outlines.is_empty():
        return []
    features = []
    for name, text in outlines.select("lad_name", "geometry").iter_rows():
        geometry = json.loads(text)
        if step > 1:
            geometry = {**geometry, "coordinates": _thin(geometry["coordinates"], step)}
        features.append({"type": "Feature", "geometry": geometry, "properties": {"name": name}})
    return features


def _thin(coords, step: int):
    """Drop vertices from every ring (keeping its ends and at least 4 points)."""
    if coords and isinstance(coords[0], (int, float)):
        return coords
    if coords and isinstance(coords[0][0], (int, float)):  # a ring
        if len(coords) <= 4 * step:
            return coords
        kept = coords[:-1:step]
        return [*kept, coords[-1]]
    return [_thin(c, step) for c in coords]


def radius_ring(lat: float, lon: float, miles: float, n: int = 90) -> list[dict]:
    """Points on the circle `miles` from (lat, lon), for drawing the search area."""
    d = miles / EARTH_RADIUS_MILES
    lat1, lon1 = math.radians(lat), math.radians(lon)
    ring = []
    for i in range(n + 1):
        b = 2 * math.pi * i / n
        lat2 = math.asin(math.sin(lat1) * math.cos(d) + math.cos(lat1) * math.sin(d) * math.cos(b))
        lon2 = lon1 + math.atan2(
            math.sin(b) * math.sin(d) * math.cos(lat1), math.cos(d) - math.sin(lat1) * math.sin(lat2)
        )
        ring.append({"latitude": math.degrees(lat2), "longitude": math.degrees(lon2), "order": i})
    return ring


def _base(outlines: pl.DataFrame | None, step: int) -> list[alt.Chart]:
    """District outlines, then (when `outlines` has a true `in_hub` column) the chosen hub's districts
    drawn over them with a dark edge: together the hub's boundary."""
    if outlines is None or outlines.is_empty():
        return []
    in_hub = outlines["in_hub"].fill_null(False) if "in_hub" in outlines.columns else None
    layers = []
    for frame, style in (
        (outlines if in_hub is None else outlines.filter(~in_hub), OUTLINE),
        (None if in_hub is None else outlines.filter(in_hub), HUB_OUTLINE),
    ):
        features = _features(frame, step)
        if features:
            layers.append(
                alt.Chart(_FeatureCollection(features))
                .mark_geoshape(**style, aria=False)
                .encode(tooltip=alt.value(None))
            )
    return layers


def venue_rows(points: pl.DataFrame, labels: dict[str, str]) -> pl.DataFrame:
    """The rows the venue map draws, in the columns its encodings name (one place for both the
    Altair builder and the template filler, so the two cannot drift)."""
    return points.select(
        "work_group_id",
        "title",
        "hub_name",
        "venue_name",
        pl.col("venue_latitude").alias("latitude"),
        pl.col("venue_longitude").alias("longitude"),
        pl.col("status").replace_strict(labels, default=pl.col("status")).alias("status_label"),
        pl.col("distance_miles").round(1).alias("miles"),
    ).drop_nulls(["latitude", "longitude"])


def results_map(
    points: pl.DataFrame,
    outlines: pl.DataFrame | None = None,
    place: tuple[float, float, str] | None = None,
    radius: float | None = None,
    status_labels: dict[str, str] | None = None,
) -> alt.LayerChart:
    """Venues (columns work_group_id, title, hub_name, venue_name, venue_latitude, venue_longitude,
    status, distance_miles) with the search place and its radius ring. The picked venue is drawn larger."""
    labels = status_labels or {}
    data = venue_rows(points, labels)
    pick = alt.selection_point(name="pick", fields=["work_group_id"], on="click", empty=False)
    domain = [labels.get(s, s) for s in STATUS_COLOURS]
    tooltip = [
        alt.Tooltip("title:N", title="Work Group"),
        alt.Tooltip("hub_name:N", title="Hub"),
        alt.Tooltip("venue_name:N", title="Venue"),
        alt.Tooltip("status_label:N", title="Status"),
    ]
    if place is not None:
        tooltip.append(alt.Tooltip("miles:Q", title="Miles", format=".1f"))
    venues = (
        alt.Chart(data)
        .mark_circle(stroke="white", strokeWidth=1, opacity=0.9)
        .encode(
            longitude="longitude:Q",
            latitude="latitude:Q",
            color=alt.Color(
                "status_label:N",
                title="Booking",
                scale=alt.Scale(domain=domain, range=list(STATUS_COLOURS.values())),
                legend=alt.Legend(orient="bottom"),
            ),
            size=alt.condition(pick, alt.value(260), alt.value(90)),
            tooltip=tooltip,
        )
        .add_params(pick)
    )
    layers = _base(outlines, 1 if place else 3)
    if place is not None:
        lat, lon, label = place
        if radius:
            layers.append(
                alt.Chart(pl.DataFrame(radius_ring(lat, lon, radius)))
                .mark_line(color="#0b0c0c", strokeDash=[4, 3], strokeWidth=1.2, aria=False)
                .encode(longitude="longitude:Q", latitude="latitude:Q", order="order:Q")
            )
        layers.append(
            alt.Chart(pl.DataFrame({"latitude": [lat], "longitude": [lon], "place": [label]}))
            .mark_point(shape="cross", size=160, color="#0b0c0c", filled=True)
            .encode(
                longitude="longitude:Q", latitude="latitude:Q", tooltip=alt.Tooltip("place:N", title="You")
            )
        )
    layers.append(venues)
    return alt.layer(*layers).properties(height=HEIGHT).project("mercator")


def _legend_values(top: int) -> list[int]:
    """Three sizes for the bubble legend (a long legend overflows a narrow column)."""
    return sorted({max(1, round(top / 4)), max(1, round(top / 2)), max(1, top)})


def hubs_map(hubs: pl.DataFrame, outlines: pl.DataFrame | None = None) -> alt.LayerChart:
    """One bubble per hub sized by its matches (columns hub_id, hub_name, matches, hub_latitude,
    hub_longitude); a click selects the hub (selection "hub_pick")."""
    data = hubs.drop_nulls(["hub_latitude", "hub_longitude"])
    pick = alt.selection_point(name="hub_pick", fields=["hub_id"], on="click", empty=False)
    bubbles = (
        alt.Chart(data)
        .mark_circle(color=STATUS_COLOURS["open"], opacity=0.75, stroke="white", strokeWidth=1)
        .encode(
            longitude="hub_longitude:Q",
            latitude="hub_latitude:Q",
            size=alt.Size(
                "matches:Q",
                title="Work Groups",
                scale=alt.Scale(range=[40, 900]),
                legend=alt.Legend(orient="bottom", values=_legend_values(hubs["matches"].max() or 1)),
            ),
            tooltip=[alt.Tooltip("hub_name:N", title="Hub"), alt.Tooltip("matches:Q", title="Work Groups")],
        )
        .add_params(pick)
    )
    return alt.layer(*_base(outlines, 4), bubbles).properties(height=HEIGHT).project("mercator")


def outline_spec(outlines: pl.DataFrame | None, step: int) -> dict | None:
    """The district-outline layers as a Vega-Lite dict ({"layer": [...], "datasets": {...}}), to build
    once and reuse under every venue or hub map with `with_outlines`; None when there are no outlines.

    The same layers and rows as Altair draws for `_base` (tests compare them), without Altair per call:
    each layer is a template Altair built once, its data named by role ("outlines", "hub-outlines"), and
    each district's feature is parsed and thinned once per process (a new place used to cost a finder
    rerun ~15 ms of JSON and schema work). Each layer keeps its own `data`: Altair hoists the data of a
    one-layer chart to the top level, and a layer lifted out without it draws nothing (issue 16)."""
    if outlines is None or outlines.is_empty():
        return None
    in_hub = outlines["in_hub"].fill_null(False) if "in_hub" in outlines.columns else None
    layers, datasets = [], {}
    for role, frame, hub in (
        ("outlines", outlines if in_hub is None else outlines.filter(~in_hub), False),
        ("hub-outlines", None if in_hub is None else outlines.filter(in_hub), True),
    ):
        if frame is None or frame.is_empty():
            continue
        layer = json.loads(_outline_template(hub))
        layer["data"] = {"name": role}
        layers.append(layer)
        datasets[role] = [
            _feature(name, text, step) for name, text in frame.select("lad_name", "geometry").iter_rows()
        ]
    return {"layer": layers, "datasets": datasets} if layers else None


@functools.lru_cache(maxsize=4)
def _outline_template(hub: bool) -> str:
    """One outline layer as Altair writes it (mark, encoding), from a one-district stand-in, as JSON."""
    stand_in = {"type": "Polygon", "coordinates": [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]]}
    chart = (
        alt.Chart(
            _FeatureCollection([{"type": "Feature", "geometry": stand_in, "properties": {"name": "x"}}])
        )
        .mark_geoshape(**(HUB_OUTLINE if hub else OUTLINE), aria=False)
        .encode(tooltip=alt.value(None))
    )
    spec = chart.to_dict()
    return json.dumps({k: v for k, v in spec.items() if k not in ("$schema", "config", "datasets")})


@functools.lru_cache(maxsize=4096)
def _feature(name: str, geometry: str, step: int) -> dict:
    """One district as the row Altair makes of a GeoJSON feature (properties lifted beside the geometry).
    Shared between maps, never changed."""
    shape = json.loads(geometry)
    if step > 1:
        shape = {**shape, "coordinates": _thin(shape["coordinates"], step)}
    return {"name": name, "type": "Feature", "geometry": shape}


def with_outlines(spec: dict, outlines: dict | None) -> dict:
    """A map's spec (`results_map`/`hubs_map` drawn without outlines, `to_dict()`) with the outline layer
    from `outline_spec` drawn first, underneath: the same spec as passing the outlines to the builder.
    Neither argument is changed (the outline dict is shared, not copied)."""
    if outlines is None:
        return spec
    return {
        **spec,
        "layer": [*outlines["layer"], *spec["layer"]],
        "datasets": {**outlines["datasets"], **spec.get("datasets", {})},
    }


@functools.lru_cache(maxsize=16)
def _results_template(with_place: bool, with_ring: bool, status_labels: tuple[tuple[str, str], ...]) -> str:
    """The venue map's spec built once by Altair from a one-row stand-in, its layers' data renamed by role
    ("ring", "place", "venues") and its datasets emptied: the JSON text of a template."""
    stand_in = pl.DataFrame(
        {
            "work_group_id": ["x"],
            "title": ["x"],
            "hub_name": ["x"],
            "venue_name": ["x"],
            "venue_latitude": [52.0],
            "venue_longitude": [-1.0],
            "status": ["open"],
            "distance_miles": [1.0],
        }
    )
    place = (52.0, -1.0, "x") if with_place else None
    spec = results_map(stand_in, None, place, 10 if with_ring else None, dict(status_labels)).to_dict()
    roles = (["ring"] if with_place and with_ring else []) + (["place"] if with_place else []) + ["venues"]
    for layer, role in zip(spec["layer"], roles, strict=True):
        layer["data"] = {"name": role}
    spec["datasets"] = {}
    return json.dumps(spec)


def results_map_spec(
    points: pl.DataFrame,
    place: tuple[float, float, str] | None = None,
    radius: float | None = None,
    status_labels: dict[str, str] | None = None,
) -> dict:
    """The same Vega-Lite spec as `results_map(...).to_dict()` (without outlines), in milliseconds: the
    spec's structure never changes, only its rows, so Altair builds and validates it once (a second a
    time, the bulk of a finder rerun) and each search fills the template's datasets. The venues' dataset
    is a polars frame (Streamlit sends it as Arrow): `json.dumps` the spec only after `to_dicts()` on it."""
    labels = status_labels or {}
    spec = json.loads(_results_template(place is not None, bool(radius), tuple(sorted(labels.items()))))
    venues = venue_rows(points, labels)
    # The frame itself, not its rows as dicts: Streamlit turns a polars frame into the chart's Arrow data
    # directly, where a list of dicts went through pandas on every rerun (the same values either way).
    datasets: dict = {"venues": venues}
    if place is not None:
        lat, lon, label = place
        datasets["place"] = [{"latitude": lat, "longitude": lon, "place": label}]
        if radius:
            datasets["ring"] = radius_ring(lat, lon, radius)
    spec["datasets"] = datasets
    return spec


@functools.lru_cache(maxsize=1)
def _hubs_template() -> str:
    """The hub-bubble map's spec built once by Altair from a one-hub stand-in, its data named "hubs"."""
    stand_in = pl.DataFrame(
        {"hub_id": ["x"], "hub_name": ["x"], "hub_latitude": [52.0], "hub_longitude": [-1.0], "matches": [1]}
    )
    spec = hubs_map(stand_in).to_dict()
    spec["data"], spec["datasets"] = {"name": "hubs"}, {}
    return json.dumps(spec)


def hubs_map_spec(hubs: pl.DataFrame) -> dict:
    """The same Vega-Lite spec as `hubs_map(hubs).to_dict()` (without outlines) from a template: only the
    rows and the legend's three sizes change between searches. The rows are a polars frame (see
    `results_map_spec`)."""
    spec = json.loads(_hubs_template())
    spec["layer"][-1]["encoding"]["size"]["legend"]["values"] = _legend_values(hubs["matches"].max() or 1)
    spec["datasets"] = {"hubs": hubs.drop_nulls(["hub_latitude", "hub_longitude"])}
    return spec
