"""Charts for the national pages: the hub map (boundaries or fallback), LLME coverage, hub profile.

Pure functions: polars frames in, Altair charts out, so they are unit-tested without Streamlit.
Every chart carries an accessible `description`; colours are mid-tone so they read on both the
light and the dark theme; text on coloured cells switches between near-black and white with the
cell, and all other text (axes, legends) is left to the theme.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import altair as alt
import polars as pl

from dashboard.ui import in_words

# Tableau 10: distinguishable, colour-blind aware, readable on light and dark backgrounds.
HUB_PALETTE = [
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
]
TARGET_BANDS = ["Under half of target", "Half to three quarters", "Three quarters to target", "Target met"]
TARGET_COLOURS = ["#b2182b", "#ef8a62", "#67a9cf", "#2166ac"]
# Hidden counts (privacy.public_view) are left out of charts: a neutral grey where a shape must be drawn.
HIDDEN_BAND = "Not published (c)"
HIDDEN_COLOUR = "#d0d0d0"
# Text drawn on the page background (labels beside lines): #595959 is 7:1 on white; the old #7f7f7f
# was 3.9:1, under WCAG's 4.5:1 for text. Lines and rules (non-text, 3:1) may stay lighter.
AXIS_GREY = "#595959"
# Phases: Tableau blue, orange, green, purple (distinct in hue and, with the dash pattern, without colour).
PHASE_COLOURS = ["#4e79a7", "#e15759", "#59a14f", "#b07aa1", "#9c755f"]
PROVENANCE = {"declared": "Declared by the hub", "estimated": "Estimated (our assignment)"}
POINT_SOURCE = {
    "lead school": "Lead school",
    "estimated: centre of its districts": "Centre of its area (no lead school found)",
}
COLOUR_BY = {"hub": "Hub", "llmes": "Active LLMEs vs target", "reach": "Share of schools reached"}
SELECTIONS = ("hub_area", "hub_point")  # one per layer: a shared one clashes in Vega ("duplicate signal")
# England's bounding box: every map projection is fitted to it, so both maps frame the same view.
ENGLAND = {
    "type": "Feature",
    "properties": {},
    "geometry": {
        "type": "Polygon",
        "coordinates": [[[-5.8, 49.9], [-5.8, 55.85], [1.8, 55.85], [1.8, 49.9], [-5.8, 49.9]]],
    },
}
MAP_HEIGHT = 680


class _Prebuilt:
    """Inline GeoJSON handed to Altair as-is.

    Altair's to_dict walks every coordinate (~0.3 s for England's districts) and jsonschema's error
    messages repr the whole collection; this wrapper (and the quiet repr below) keeps a map rerun
    to a few milliseconds. The output JSON is identical.
    """

    _schema = {"type": "object"}

    def __init__(self, value: dict) -> None:
        self.value = _QuietDict(value)

    def to_dict(self, *args: Any, **kwargs: Any) -> dict:
        return self.value


class _QuietDict(dict):
    def __repr__(self) -> str:
        return f"<GeoJSON with {len(self.get('features', []))} features>"


@lru_cache(maxsize=512)
def _geometry(text: str) -> dict:
    return json.loads(text)


def hub_colours(
    hub_ids: list[str], neighbours: pl.DataFrame, palette: list[str] = HUB_PALETTE
) -> dict[str, str]:
    """Colour hubs so that neighbours differ (greedy graph colouring, busiest hubs first)."""
    adjacent: dict[str, set[str]] = {h: set() for h in hub_ids}
    for a, b in neighbours.select("hub_a", "hub_b").iter_rows():
        if a in adjacent and b in adjacent:
            adjacent[a].add(b)
            adjacent[b].add(a)
    colours: dict[str, int] = {}
    for hub in sorted(hub_ids, key=lambda h: (-len(adjacent[h]), h)):
        used = {colours[n] for n in adjacent[hub] if n in colours}
        colours[hub] = next((i for i in range(len(palette)) if i not in used), len(colours) % len(palette))
    return {h: palette[i % len(palette)] for h, i in colours.items()}


def _text(frame: pl.DataFrame, field: str) -> pl.Expr:
    """A count as text: its `_shown` form ("c" when hidden) when the frame went through public_view."""
    return pl.col(f"{field}_shown") if f"{field}_shown" in frame.columns else pl.col(field).cast(pl.String)


def _tip(frame: pl.DataFrame, field: str, title: str) -> alt.Tooltip:
    """Tooltips show hidden counts as "c", never as an empty value."""
    if f"{field}_shown" in frame.columns:
        return alt.Tooltip(f"{field}_shown:N", title=title)
    return alt.Tooltip(f"{field}:Q", title=title)


def target_band(share: float | None) -> str | None:
    if share is None:
        return None
    return TARGET_BANDS[0 if share < 0.5 else 1 if share < 0.75 else 2 if share < 1 else 3]


def _python_column(values: pl.Series, fn) -> pl.Series:
    """`fn` of each value, as a String column built in Python. Not `map_elements`: that calls Python from
    polars' worker threads, and with many sessions using polars at once the server deadlocked (py-spy:
    every script thread waiting in polars or for the GIL, the event loop waiting too; benchmarks/README)."""
    return pl.Series(values.name, [fn(v) for v in values.to_list()], dtype=pl.String)


def hub_map_frame(hubs: pl.DataFrame, colours: dict[str, str]) -> pl.DataFrame:
    """Hub metrics with the display columns every map layer shares (labels, colour, target band)."""
    return hubs.with_columns(
        pl.col("hub_id").replace_strict(colours, default="#888888").alias("hub_colour"),
        _python_column(hubs["share_of_target"], lambda v: HIDDEN_BAND if v is None else target_band(v)).alias(
            "target_band"
        ),
        pl.col("map_point_source").replace_strict(POINT_SOURCE, default="Other").alias("point_source"),
        # "A and B", never "A;B" (the reference file's list separator) in tooltips and tables.
        _python_column(hubs["lead_schools"].fill_null("not known"), in_words).alias("lead_school"),
        (_text(hubs, "active_llmes") + " of " + pl.col("llme_target").cast(pl.String)).alias("llmes_text"),
        (
            _text(hubs, "schools_reached")
            + " of "
            + pl.col("schools_in_area").cast(pl.String)
            + pl.when(pl.col("reach_share").is_not_null())
            .then(" (" + (pl.col("reach_share") * 100).round(0).cast(pl.Int64).cast(pl.String) + "%)")
            .otherwise(pl.lit(""))
        ).alias("reach_text"),
    ).with_columns(
        (
            pl.col("name")
            + ". Lead school: "
            + pl.col("lead_school")
            + ". Active LLMEs: "
            + pl.col("llmes_text")
            + ". Schools reached: "
            + pl.col("reach_text")
            + ". Work Groups: "
            + pl.col("work_groups").cast(pl.String)
            + "."
        ).alias("hub_aria")
    )


_AREA_LEGEND = alt.Legend(
    orient="bottom",
    direction="vertical",
    symbolType="square",
    labelLimit=260,
    symbolFillColor="#8c8c8c",
    symbolSize=120,
)


def _pale(colour_by: str) -> float:
    """Opacity of estimated areas: paler when colouring by hub; on a measured scale paleness would
    read as a lower value, so there only the dashed outline marks them."""
    return 0.5 if colour_by == "hub" else 1.0


def _provenance_scale(values: list) -> alt.Scale:
    return alt.Scale(domain=list(PROVENANCE.values()), range=values)


def _colour(colour_by: str, hubs: pl.DataFrame) -> alt.Color | dict:
    """Colour encoding; hubs whose number is hidden are grey ("Not published (c)")."""
    if colour_by == "llmes":
        hidden = (pl.col("target_band") == HIDDEN_BAND).any()
        extra = bool(hubs.select(hidden).item()) if "target_band" in hubs.columns else False
        return alt.Color(
            "target_band:N",
            title="Active LLMEs vs 50 target",
            scale=alt.Scale(
                domain=TARGET_BANDS + [HIDDEN_BAND] * extra, range=TARGET_COLOURS + [HIDDEN_COLOUR] * extra
            ),
            legend=alt.Legend(orient="bottom", direction="vertical", titleLimit=320, labelLimit=260),
        )
    if colour_by == "reach":
        return alt.condition(
            "!isValid(datum.reach_share)",
            alt.value(HIDDEN_COLOUR),
            alt.Color(
                "reach_share:Q",
                title="Share of the area's schools reached",
                scale=alt.Scale(scheme="blues", domainMin=0),
                legend=alt.Legend(orient="bottom", format=".0%", gradientLength=220, titleLimit=320),
            ),
        )
    return alt.Color("hub_colour:N", scale=None, legend=None)


_FIGURES = {
    "llmes": alt.Tooltip("llmes_text:N", title="Active LLMEs (target 50)"),
    "reach": alt.Tooltip("reach_text:N", title="Schools reached"),
    "work_groups": alt.Tooltip("work_groups:Q", title="Work Groups"),
}


def _tooltip(colour_by: str = "hub") -> list[alt.Tooltip]:
    """Hover: the hub's name, its lead school, then the figure the map is coloured by, then the rest."""
    first = [_FIGURES[colour_by]] if colour_by in _FIGURES else []
    rest = [t for k, t in _FIGURES.items() if k != colour_by]
    return [
        alt.Tooltip("hub_name:N", title="Hub"),
        alt.Tooltip("lead_school:N", title="Lead school"),
        *first,
        *rest,
    ]


_TOOLTIP = _tooltip()


def region_frame(features: list[list[float]], pad: float = 0.08) -> dict:
    """A rectangle (GeoJSON) around lon/lat points, padded, for a map fitted to one region."""
    lons = [p[0] for p in features]
    lats = [p[1] for p in features]
    w, e, s_, n = min(lons) - pad, max(lons) + pad, min(lats) - pad, max(lats) + pad
    ring = [[w, s_], [w, n], [e, n], [e, s_], [w, s_]]  # clockwise: the d3 / Vega convention
    return {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


def _points_of(geometry: dict) -> list[list[float]]:
    """Every lon/lat vertex of a Polygon or MultiPolygon."""
    rings = (
        geometry["coordinates"]
        if geometry["type"] == "Polygon"
        else [r for polygon in geometry["coordinates"] for r in polygon]
    )
    return [point for ring in rings for point in ring]


def _hub_points(hubs: pl.DataFrame, colour_by: str = "hub") -> alt.Chart:
    return (
        alt.Chart(hubs.rename({"name": "hub_name"}))
        .mark_point(
            filled=True, size=70, fill="#1b1b1b", stroke="#ffffff", strokeWidth=1.2, opacity=1, clip=True
        )
        .encode(
            longitude="map_longitude:Q",
            latitude="map_latitude:Q",
            shape=alt.Shape(
                "point_source:N",
                title="Hub point",
                scale=alt.Scale(domain=list(POINT_SOURCE.values()), range=["circle", "diamond"]),
                legend=alt.Legend(
                    orient="bottom",
                    direction="vertical",
                    labelLimit=300,
                    symbolSize=90,
                    symbolFillColor="#7a7a7a",
                    symbolStrokeColor="#7a7a7a",
                ),
            ),
            tooltip=_tooltip(colour_by),
            description="hub_aria:N",
        )
        .properties(name="points")
    )


def _selection(name: str) -> alt.Parameter:
    return alt.selection_point(name=name, fields=["hub_id"], on="click", clear=False, toggle=False)


def _map(*layers: alt.Chart, description: str, fit: dict | None = None) -> alt.LayerChart:
    """Layers on one Mercator projection fitted to England; a click on a district (layer named
    "areas") or a hub point (named "points") selects the hub."""
    named = [
        layer.add_params(_selection(SELECTIONS[0] if layer.name == "areas" else SELECTIONS[1]))
        if layer.name in ("areas", "points")
        else layer
        for layer in layers
    ]
    chart = alt.layer(*named).project(type="mercator", fit=fit or ENGLAND)
    return chart.properties(height=MAP_HEIGHT, description=description)


def _in_region(districts: pl.DataFrame, hubs: pl.DataFrame, region: str | None):
    """The districts of one region and the hubs with a district there (all of England for None)."""
    if region is None:
        return districts, hubs
    districts = districts.filter(pl.col("region_name") == region)
    return districts, hubs.filter(pl.col("hub_id").is_in(districts["hub_id"].unique().implode()))


# What a district (or tile) carries of its hub, for colour, tooltip and screen reader.
_HUB_FIELDS = (
    "hub_colour",
    "target_band",
    "reach_share",
    "lead_school",
    "llmes_text",
    "reach_text",
    "work_groups",
    "hub_aria",
)


def hub_map(
    districts: pl.DataFrame, hubs: pl.DataFrame, colour_by: str = "hub", region: str | None = None
) -> alt.LayerChart:
    """England's districts coloured by their hub (or by the hub's LLMEs against target, or reach),
    with the hubs as points; a click on either selects the hub.

    `hubs` is `hub_map_frame(...)`. With the district boundaries loaded (GeoJSON in `geometry`) it is
    a choropleth; without them (`atlas build --no-open-data`) a schematic map of district centres.
    Estimated districts are drawn paler. With a `region` only its districts and hubs are drawn, and
    the map is fitted to them (London at a readable size instead of a few millimetres of England).
    """
    boundaries = districts["geometry"].is_not_null().any()
    districts, hubs = _in_region(districts, hubs, region)
    layers, description, fit = (_boundary_layers if boundaries else _schematic_layers)(
        districts, hubs, colour_by, region
    )
    return _map(*layers, _hub_points(hubs, colour_by), description=description, fit=fit)


def _area_encoding(colour_by: str, hubs: pl.DataFrame) -> dict:
    """The channels both kinds of district mark share: colour, paler when estimated, tooltip, aria."""
    return {
        "color": _colour(colour_by, hubs),
        "opacity": alt.Opacity(
            "provenance:O",
            title="Area",
            scale=_provenance_scale([1.0, _pale(colour_by)]),
            legend=_AREA_LEGEND,
        ),
        "tooltip": [
            alt.Tooltip("lad_name:N", title="District"),
            *_tooltip(colour_by),
            alt.Tooltip("provenance:N", title="Area"),
        ],
        "description": "aria:N",
    }


def _boundary_layers(
    districts: pl.DataFrame, hubs: pl.DataFrame, colour_by: str, region: str | None
) -> tuple[list[alt.Chart], str, dict | None]:
    """The districts' own outlines (GeoJSON features), estimated ones also dashed; districts without
    a boundary are left out."""
    props = hubs.select("hub_id", pl.col("name").alias("hub_name"), *_HUB_FIELDS).rows_by_key(
        "hub_id", named=True, unique=True
    )
    features = [
        {
            "type": "Feature",
            "geometry": _geometry(row["geometry"]),
            "properties": {
                "lad_name": row["lad_name"],
                "hub_id": row["hub_id"],
                "provenance": PROVENANCE.get(row["provenance"], row["provenance"]),
                **props.get(row["hub_id"], {}),
            },
        }
        for row in districts.filter(pl.col("geometry").is_not_null()).iter_rows(named=True)
    ]
    data = alt.Data(
        values=_Prebuilt({"type": "FeatureCollection", "features": features}),
        format=alt.DataFormat(type="json", property="features"),
    )
    fields = ["hub_id", "hub_name", "lad_name", "provenance", *_HUB_FIELDS]
    areas = (
        alt.Chart(data)
        .transform_calculate(**{f: f"datum.properties.{f}" for f in fields})
        .transform_calculate(
            aria="'District: ' + datum.lad_name + ' (' + datum.provenance + '). ' + datum.hub_aria"
        )
        .mark_geoshape(strokeWidth=0.5)
        .encode(
            **_area_encoding(colour_by, hubs),
            strokeDash=alt.StrokeDash(
                "provenance:O", title="Area", scale=_provenance_scale([[1, 0], [3, 2]]), legend=_AREA_LEGEND
            ),
            stroke=alt.Stroke(
                "provenance:O",
                title="Area",
                scale=_provenance_scale(["#ffffff", "#4a4a4a"]),
                legend=_AREA_LEGEND,
            ),
        )
        .properties(name="areas")
    )
    where = "England's" if region is None else f"{region}'s"
    description = (
        f"Map of {where} {len(features)} local authority districts coloured by "
        f"{COLOUR_BY.get(colour_by, colour_by).lower()}, with the {hubs.height} Maths Hubs as points. "
        "Paler districts with dashed outlines are assigned to a hub by estimate. "
        "The hub table beside the map lists the same figures."
    )
    fit = None
    if region is not None and features:
        fit = region_frame([p for f in features for p in _points_of(f["geometry"])], pad=0.02)
    return [areas], description, fit


def _schematic_layers(
    districts: pl.DataFrame, hubs: pl.DataFrame, colour_by: str, region: str | None
) -> tuple[list[alt.Chart], str, dict | None]:
    """Without boundaries: the 296 district centres as tiles (England's outline emerges from them)
    over a graticule, and the regions labelled."""
    tiles = (
        districts.select("lad_name", "hub_id", "provenance", "centroid_lat", "centroid_lon")
        .join(hubs.select("hub_id", pl.col("name").alias("hub_name"), *_HUB_FIELDS), on="hub_id", how="left")
        .with_columns(pl.col("provenance").replace_strict(PROVENANCE, default="Other"))
        .with_columns(
            (
                "District: " + pl.col("lad_name") + " (" + pl.col("provenance") + "). " + pl.col("hub_aria")
            ).alias("aria")
        )
    )
    areas = (
        alt.Chart(tiles)
        .mark_square(size=150)
        .encode(longitude="centroid_lon:Q", latitude="centroid_lat:Q", **_area_encoding(colour_by, hubs))
        .properties(name="areas")
    )
    region_centres = (
        districts.group_by("region_name")
        .agg(pl.col("centroid_lat").mean(), pl.col("centroid_lon").mean())
        .filter(pl.col("region_name").is_not_null())
    )
    # Region names over a pale halo, so they stay legible over the tiles in either theme.
    label = alt.Chart(region_centres).encode(
        longitude="centroid_lon:Q", latitude="centroid_lat:Q", text="region_name:N"
    )
    halo = label.mark_text(
        fontSize=12, fontWeight="bold", dy=-16, stroke="#ffffff", strokeWidth=4, strokeOpacity=0.8
    )
    labels = label.mark_text(fontSize=12, fontWeight="bold", dy=-16, fill="#1b1b1b")
    # The graticule only gives a sense of place: hidden from screen readers (the chart's
    # description says what the map shows).
    grid = alt.Chart(alt.graticule(step=[2, 1])).mark_geoshape(
        stroke="#8a8a8a", strokeWidth=0.3, opacity=0.5, clip=True, aria=False
    )
    description = (
        f"Schematic map of {'England' if region is None else region}: "
        f"the centres of its {tiles.height} local "
        "authority districts as squares coloured by "
        f"{COLOUR_BY.get(colour_by, colour_by).lower()}, "
        f"the {hubs.height} Maths Hubs as points, regions labelled. "
        "District boundaries are not loaded. The hub table beside the map lists the same figures."
    )
    fit = None
    if region is not None and tiles.height:
        fit = region_frame(
            [[lon, lat] for lat, lon in tiles.select("centroid_lat", "centroid_lon").iter_rows()]
        )
    return [grid, areas, halo, labels], description, fit


def selected_hub(state: Any) -> str | None:
    """The hub a map click selected, from st.altair_chart's selection state (None if no click)."""
    try:
        selection = state["selection"]
    except (KeyError, TypeError):
        return None
    for name in SELECTIONS:
        picks = selection.get(name) if hasattr(selection, "get") else None
        if isinstance(picks, list) and picks and isinstance(picks[0], dict) and picks[0].get("hub_id"):
            return picks[0]["hub_id"]
    return None


# --- LLME coverage ---------------------------------------------------------------------------


def _cell_text(field: str, frame: pl.DataFrame, empty_zero: bool = False) -> dict:
    """Cell text: near-black on every cell (the colour scales stop at a mid tone, so it reads at
    6:1 or more); dark grey "none" on the pale empty cells (`empty_zero`). White text switched on
    dark cells fell to 3.2:1 on mid-blue ones."""
    if not empty_zero:
        return {"value": "#1b1b1b"}
    return {"condition": [{"test": f"datum['{field}'] == 0", "value": AXIS_GREY}], "value": "#1b1b1b"}


# Sequential schemes cut at 60%: the darkest cell is still light enough for near-black text.
def _scheme(name: str) -> alt.SchemeParams:
    return alt.SchemeParams(name=name, extent=[0, 0.6])


def llme_heatmap(matrix: pl.DataFrame, threshold: int = 3) -> alt.LayerChart:
    """Hub x phase heatmap of active LLMEs with the count in each cell; cells under `threshold`
    are outlined as gaps.

    Every hub's name ends in "Maths Hub": the axis leaves it out and the legend goes below, so at
    phone width (390 px) the four phase columns keep room for their numbers (they were squeezed to a
    few pixels each by the full names and a legend at the side). The tooltip keeps the full name."""
    base = alt.Chart(matrix).encode(
        x=alt.X(
            "phase_label:N",
            title=None,
            sort=alt.SortField("sort_order"),
            # One word a line and never dropped: at 390 px a column is ~46 px, and Vega hid
            # "Primary" and "Secondary" as overlapping their neighbours.
            axis=alt.Axis(
                orient="top",
                labelAngle=0,
                labelExpr="split(datum.label, ' ')",
                labelOverlap=False,
                labelFontSize=10,
            ),
        ),
        y=alt.Y(
            "hub:N",
            title=None,
            sort="ascending",
            axis=alt.Axis(labelLimit=240, labelExpr="replace(datum.label, / Maths Hub$/, '')"),
        ),
        tooltip=[
            alt.Tooltip("hub:N", title="Hub"),
            alt.Tooltip("phase_label:N", title="Phase"),
            _tip(matrix, "active_llmes", "Active LLMEs"),
        ],
    )
    cells = base.mark_rect(stroke="#ffffff", strokeWidth=0.5).encode(
        color=alt.condition(
            "!isValid(datum.active_llmes)",
            alt.value(HIDDEN_COLOUR),
            alt.Color(
                "active_llmes:Q",
                title="Active LLMEs",
                scale=alt.Scale(scheme=_scheme("blues"), domainMin=0),
                # Counts of people: whole numbers on the legend, never "2.5".
                legend=alt.Legend(format="d", tickMinStep=1, orient="bottom"),
            ),
        )
    )
    # A gap is a count known to be under the threshold: a hidden cell (null) is not one (in Vega a
    # null compares as 0, so it is tested explicitly).
    gaps = base.transform_filter(
        f"isValid(datum.active_llmes) && datum.active_llmes < {int(threshold)}"
    ).mark_rect(fill=None, stroke="#d62728", strokeWidth=2)
    label = "active_llmes_shown:N" if "active_llmes_shown" in matrix.columns else "active_llmes:Q"
    text = base.mark_text(fontSize=11).encode(text=label, color=_cell_text("active_llmes", matrix))
    n_hubs = matrix["hub"].n_unique()
    return alt.layer(cells, gaps, text).properties(
        height=alt.Step(20),
        description=f"Heatmap of active LLMEs for {n_hubs} hubs by phase. "
        f"Cells outlined in red have fewer than {threshold}.",
    )


def target_bars(totals: pl.DataFrame, target: int | None) -> alt.Chart | alt.LayerChart:
    """Active LLMEs per hub as bars, with a rule at the per-hub target. Without a target (a role or
    accreditation filter: the target applies to all active LLMEs) plain bars."""
    tooltip = [alt.Tooltip("hub:N", title="Hub"), _tip(totals, "active_llmes", "Active LLMEs")]
    y = alt.Y("hub:N", title=None, sort="-x", axis=alt.Axis(labelLimit=260))
    x = alt.X("active_llmes:Q", title="Active LLMEs", axis=alt.Axis(tickMinStep=1, format="d"))
    if target is None:
        return (
            alt.Chart(totals)
            .mark_bar(color=HUB_PALETTE[0])
            .encode(x=x, y=y, tooltip=tooltip)
            .properties(
                height=alt.Step(20),
                description=f"Bar chart of active LLMEs in each of {totals.height} hubs "
                "with the filters applied.",
            )
        )
    bars = (
        alt.Chart(totals)
        .mark_bar()
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "met:N",
                title=None,
                scale=alt.Scale(
                    domain=["Below target", "Target met"], range=[TARGET_COLOURS[1], TARGET_COLOURS[3]]
                ),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[*tooltip, alt.Tooltip("target:Q", title="Target")],
        )
        .transform_calculate(met=f"datum.active_llmes >= {int(target)} ? 'Target met' : 'Below target'")
    )
    rule = (
        alt.Chart(pl.DataFrame({"target": [target]}))
        .mark_rule(strokeDash=[4, 3], strokeWidth=2, color="#7f7f7f")
        .encode(x="target:Q")
    )
    return alt.layer(bars, rule).properties(
        height=alt.Step(20),
        description=f"Bar chart of active LLMEs in each of {totals.height} hubs "
        f"against the target of {target} (dashed line).",
    )


def trend_chart(trend: pl.DataFrame) -> alt.LayerChart:
    """Active LLMEs across academic years, with the target for the hubs in view as a dashed line
    (when the frame has a `target`: it is dropped under a role or accreditation filter)."""
    base = alt.Chart(trend).encode(
        x=alt.X("academic_year:O", title="Academic year", axis=alt.Axis(labelAngle=0))
    )
    has_target = "target" in trend.columns
    line = base.mark_line(point=True, strokeWidth=3, color=HUB_PALETTE[0]).encode(
        y=alt.Y("active_llmes:Q", title="Active LLMEs", axis=alt.Axis(tickMinStep=1, format="d")),
        tooltip=[
            alt.Tooltip("academic_year:O", title="Year"),
            _tip(trend, "active_llmes", "Active LLMEs"),
            *([alt.Tooltip("target:Q", title="Target")] if has_target else []),
        ],
    )
    if not has_target:
        return alt.layer(line).properties(
            height=260, description="Line chart of active LLMEs by academic year, with the filters applied."
        )
    target = base.mark_line(strokeDash=[4, 3], color=AXIS_GREY).encode(y="target:Q")
    label = (
        alt.Chart(trend.tail(1))
        .mark_text(align="right", dy=-8, color=AXIS_GREY)
        .transform_calculate(label="'Target ' + format(datum.target, ',')")
        .encode(x="academic_year:O", y="target:Q", text="label:N")
    )
    return alt.layer(line, target, label).properties(
        height=260, description="Line chart of active LLMEs by academic year; the dashed line is the target."
    )


def phase_trend_chart(frame: pl.DataFrame) -> alt.Chart:
    """Each phase's active LLMEs across academic years, one line per phase (hidden counts leave a
    break in the line, never a value)."""
    phases = frame.unique("phase_label", maintain_order=True)["phase_label"].to_list()
    return (
        alt.Chart(frame)
        .mark_line(point=True, strokeWidth=2.5)
        .encode(
            x=alt.X("academic_year:O", title="Academic year", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("active_llmes:Q", title="Active LLMEs", axis=alt.Axis(tickMinStep=1, format="d")),
            color=alt.Color(
                "phase_label:N",
                title="Phase",
                sort=phases,
                scale=alt.Scale(domain=phases, range=PHASE_COLOURS[: len(phases)]),
                legend=alt.Legend(orient="bottom"),
            ),
            strokeDash=alt.StrokeDash("phase_label:N", sort=phases, legend=None),
            tooltip=[
                alt.Tooltip("academic_year:O", title="Year"),
                alt.Tooltip("phase_label:N", title="Phase"),
                _tip(frame, "active_llmes", "Active LLMEs"),
            ],
        )
        .properties(
            height=280,
            description="Line chart of each phase's active LLMEs by academic year "
            f"({', '.join(phases)}); the table below lists the same figures.",
        )
    )


def count_ticks(largest: float | None, most: int = 5) -> list[int]:
    """The ticks of a count axis: 0 to the first round number at or above the largest bar, in at most
    `most` whole steps of 1, 2 or 5 times a power of ten.

    Vega rounds a scale's domain with about ten steps but labels the axis with as many ticks as its
    width allows (about four in a third of the page): a largest count of 9 gave a domain of 0-9 and
    ticks 0, 2, 4, 6, 8, so the bar ran past the last tick to the very edge of the chart. Ending
    the domain on a labelled tick keeps every bar inside the axis at any width."""
    top = max(float(largest or 0), 1.0)
    power = 1
    while True:
        for step in (power, 2 * power, 5 * power):
            if -(-top // step) <= most:  # whole steps needed to reach the largest bar
                return list(range(0, int(-(-top // step)) * step + 1, step))
        power *= 10


def count_bars(frame: pl.DataFrame, category: str, value: str, title: str, value_title: str) -> alt.Chart:
    """Horizontal bars of a count by category (roles, accreditations, phases...), in frame order.
    The axis ends on a labelled tick at or past the longest bar (count_ticks)."""
    order = frame[category].to_list()
    drawn = frame.filter(pl.col(value).is_not_null())  # hidden counts draw no bar at all
    ticks = count_ticks(drawn[value].max())
    return (
        alt.Chart(drawn)
        .mark_bar(color=HUB_PALETTE[0])
        .encode(
            x=alt.X(
                f"{value}:Q",
                title=value_title,
                scale=alt.Scale(domain=[0, ticks[-1]], nice=False),
                axis=alt.Axis(values=ticks, format="d"),
            ),
            y=alt.Y(f"{category}:N", title=None, sort=order, axis=alt.Axis(labelLimit=220)),
            tooltip=[alt.Tooltip(f"{category}:N", title=title), _tip(frame, value, value_title)],
        )
        .properties(height=alt.Step(26), description=f"Bar chart of {value_title} by {title.lower()}.")
    )


# --- Hub profile -----------------------------------------------------------------------------


def work_group_bars(frame: pl.DataFrame) -> alt.Chart:
    """The hub's Work Groups by programme, stacked by phase."""
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("sum(work_groups):Q", title="Work Groups", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("programme:N", title=None, sort="-x", axis=alt.Axis(labelLimit=320)),
            color=alt.Color(
                "phase:N",
                title="Phase",
                sort=alt.SortField("sort_order"),
                scale=alt.Scale(range=HUB_PALETTE),
                legend=alt.Legend(orient="bottom"),
            ),
            order=alt.Order("sort_order:Q"),
            tooltip=[
                alt.Tooltip("programme:N", title="Programme"),
                alt.Tooltip("phase:N", title="Phase"),
                alt.Tooltip("work_groups:Q", title="Work Groups"),
            ],
        )
        .properties(
            height=alt.Step(24),
            description="Bar chart of the hub's Work Groups this year by programme, coloured by phase.",
        )
    )


def reach_bars(frame: pl.DataFrame, category: str, title: str) -> alt.Chart:
    """Share of the area's schools reached by category (phase or local authority)."""
    return (
        alt.Chart(frame.filter(pl.col("reach_share").is_not_null()))
        .mark_bar(color=HUB_PALETTE[4])
        .encode(
            x=alt.X(
                "reach_share:Q",
                title="Share of the area's schools reached",
                axis=alt.Axis(format=".0%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            y=alt.Y(
                f"{category}:N", title=None, sort=frame[category].to_list(), axis=alt.Axis(labelLimit=220)
            ),
            tooltip=[
                alt.Tooltip(f"{category}:N", title=title),
                _tip(frame, "schools_reached", "Schools reached"),
                alt.Tooltip("schools_in_area:Q", title="Schools in the area"),
                alt.Tooltip("reach_share:Q", title="Share", format=".0%"),
            ],
        )
        .properties(
            height=alt.Step(26), description=f"Bar chart of the share of schools reached by {title.lower()}."
        )
    )


def journey_chart(frame: pl.DataFrame, stages: list[str]) -> alt.Chart:
    """Schools at each stage (readiness -> sustaining) in the hub's Work Groups, year by year."""
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("academic_year:O", title="Academic year", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("schools:Q", title="Schools"),
            color=alt.Color(
                "stage_label:N",
                title="Stage",
                sort=stages,
                scale=alt.Scale(domain=stages, range=["#9ecae1", "#4292c6", "#2171b5", "#08306b"]),
            ),
            order=alt.Order("sort_order:Q"),
            tooltip=[
                alt.Tooltip("academic_year:O", title="Year"),
                alt.Tooltip("stage_label:N", title="Stage"),
                _tip(frame, "schools", "Schools"),
            ],
        )
        .properties(
            height=280,
            description="Stacked bar chart of schools by teaching-for-mastery stage in each academic year.",
        )
    )


def provision_heatmap(frame: pl.DataFrame) -> alt.LayerChart:
    """Provision audit: Work Groups by kind of professional development x phase; empty cells are gaps."""
    kinds = frame.unique("kind", maintain_order=True)["kind"].to_list()
    base = alt.Chart(frame).encode(
        x=alt.X(
            "phase_label:N",
            title=None,
            sort=alt.SortField("sort_order"),
            axis=alt.Axis(orient="top", labelAngle=0),
        ),
        y=alt.Y("kind:N", title=None, sort=kinds, axis=alt.Axis(labelLimit=240)),
        tooltip=[
            alt.Tooltip("kind:N", title="Kind"),
            alt.Tooltip("phase_label:N", title="Phase"),
            alt.Tooltip("work_groups:Q", title="Work Groups"),
        ],
    )
    cells = base.mark_rect(stroke="#ffffff", strokeWidth=0.5).encode(
        color=alt.condition(
            alt.datum.work_groups > 0,
            alt.Color(
                "work_groups:Q", title="Work Groups", scale=alt.Scale(scheme=_scheme("greens"), domainMin=0)
            ),
            # Empty cells get a pale fill, so the "none" text on them has a known background
            # (5.9:1 for #595959 on #f0f0f0) in the light and the dark theme alike.
            alt.value("#f0f0f0"),
        )
    )
    text = (
        base.mark_text(fontSize=12)
        .encode(text=alt.Text("label:N"), color=_cell_text("work_groups", frame, empty_zero=True))
        .transform_calculate(label="datum.work_groups > 0 ? format(datum.work_groups, 'd') : 'none'")
    )
    return alt.layer(cells, text).properties(
        height=alt.Step(36),
        description="Provision audit grid: the hub's Work Groups by kind of professional development "
        "and phase; 'none' marks a gap.",
    )
