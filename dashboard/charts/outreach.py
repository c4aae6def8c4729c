"""The outreach cold-spot map: a hub's districts shaded by the share of its schools reached, the
schools not reached as points and this year's Work Group venues as triangles.

A pure function: frames in, an Altair chart out. Without district boundaries (open data not loaded)
each district is a square at its centre, shaded the same way.
"""

from __future__ import annotations

import json

import altair as alt
import polars as pl

HEIGHT = 460
SHARE_SCALE = alt.Scale(scheme="blues", domain=[0, 1])
POINT_KINDS = {
    "School not reached": ("circle", "#d4351c"),
    "Work Group venue this year": ("triangle-up", "#0b0c0c"),
}


def _share_legend() -> alt.Legend:
    return alt.Legend(format=".0%", orient="bottom", title="Share of schools reached")


def _district_tooltip(prefix: str = "") -> list[alt.Tooltip]:
    return [
        alt.Tooltip(f"{prefix}lad_name:N", title="District"),
        alt.Tooltip(f"{prefix}schools:Q", title="Schools"),
        alt.Tooltip(f"{prefix}reached:Q", title="Took part"),
        alt.Tooltip(f"{prefix}share_reached:Q", title="Share", format=".0%"),
    ]


def _districts(districts: pl.DataFrame) -> alt.Chart | None:
    shaped = districts.filter(pl.col("geometry").is_not_null())
    if shaped.height:
        features = [
            {
                "type": "Feature",
                "geometry": json.loads(row["geometry"]),
                "properties": {k: row[k] for k in ("lad_name", "schools", "reached", "share_reached")},
            }
            for row in shaped.iter_rows(named=True)
        ]
        return (
            alt.Chart(alt.Data(values=features))
            .mark_geoshape(stroke="#ffffff", strokeWidth=0.8)
            .encode(
                color=alt.Color("properties.share_reached:Q", scale=SHARE_SCALE, legend=_share_legend()),
                tooltip=_district_tooltip("properties."),
            )
        )
    centres = districts.drop("geometry").drop_nulls(["centroid_lat", "centroid_lon"])
    if centres.is_empty():
        return None
    return (
        alt.Chart(centres)
        .mark_square(size=900, opacity=0.85)
        .encode(
            longitude="centroid_lon:Q",
            latitude="centroid_lat:Q",
            color=alt.Color("share_reached:Q", scale=SHARE_SCALE, legend=_share_legend()),
            tooltip=_district_tooltip(),
        )
    )


def cold_spot_map(districts: pl.DataFrame, unreached: pl.DataFrame, venues: pl.DataFrame) -> alt.LayerChart:
    """`districts`: lad_name, geometry (GeoJSON text or null), centroid_lat/lon, schools, reached,
    share_reached. `unreached`: school, urn, latitude, longitude, nearest_miles. `venues`: title,
    venue_name, latitude, longitude."""
    schools = unreached.select(
        pl.lit("School not reached").alias("kind"),
        pl.col("school").alias("name"),
        pl.col("urn").cast(pl.String).alias("detail"),
        "latitude",
        "longitude",
        pl.col("nearest_miles").round(1).alias("miles"),
    )
    places = venues.select(
        pl.lit("Work Group venue this year").alias("kind"),
        pl.col("title").alias("name"),
        pl.col("venue_name").fill_null("").alias("detail"),
        "latitude",
        "longitude",
        pl.lit(None, dtype=pl.Float64).alias("miles"),
    )
    points = pl.concat([schools, places]).drop_nulls(["latitude", "longitude"])
    kinds = list(POINT_KINDS)
    marks = (
        alt.Chart(points)
        .mark_point(filled=True, opacity=0.9, stroke="#ffffff", strokeWidth=0.6)
        .encode(
            longitude="longitude:Q",
            latitude="latitude:Q",
            # One legend (colour); shape and size follow the same field without legends of their own.
            shape=alt.Shape(
                "kind:N",
                scale=alt.Scale(domain=kinds, range=[s for s, _ in POINT_KINDS.values()]),
                legend=None,
            ),
            size=alt.Size("kind:N", scale=alt.Scale(domain=kinds, range=[40, 110]), legend=None),
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(domain=kinds, range=[c for _, c in POINT_KINDS.values()]),
                legend=alt.Legend(orient="bottom", title=None, symbolType="circle", labelLimit=0),
            ),
            tooltip=[
                alt.Tooltip("name:N", title="Name"),
                alt.Tooltip("detail:N", title="URN / venue"),
                alt.Tooltip("miles:Q", title="Miles to nearest venue", format=".1f"),
            ],
        )
    )
    area = _districts(districts)
    layers = [area, marks] if area is not None else [marks]
    description = (
        f"Map of the hub's {districts.height} districts shaded by the share of schools that took part, "
        f"with {schools.height} schools not reached as red circles and {places.height} Work Group venues "
        "as black triangles. The table below lists the same schools."
    )
    return (
        alt.layer(*layers)
        .resolve_scale(color="independent")
        .project(type="mercator")
        .properties(height=HEIGHT, description=description)
    )
