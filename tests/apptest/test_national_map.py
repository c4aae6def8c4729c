"""National map (home page) through the real entrypoint: tiles, map, hub table and "find your hub".

Expected numbers come from independent SQL on the warehouse file.
"""

from __future__ import annotations

import json

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.privacy import suppress
from tests.apptest.pages import open_page
from tests.conftest import TODAY
from tests.independent_sql import ACTIVE_BY_HUB, ACTIVE_LLMES, sql


def home(coordinator: bool = False, **query_params) -> AppTest:
    return open_page("national_map", "coordinator" if coordinator else "public", **query_params)


def metric(at: AppTest, label_start: str):
    return next(m for m in at.metric if m.label.startswith(label_start))


def hub_table(at: AppTest):
    return next(d.value for d in at.dataframe if "Active LLMEs" in d.value.columns)


def map_spec(at: AppTest) -> dict:
    charts = at.get("vega_lite_chart")
    assert charts, "the map is drawn"
    return json.loads(charts[0].proto.spec)


def test_home_shows_this_years_key_figures(use_warehouse):
    at = home()
    # "This year" is the academic year containing the build's (pinned) today, not the newest in the data
    year = TODAY.year if TODAY.month >= 9 else TODAY.year - 1
    llmes, before = (sql(use_warehouse, ACTIVE_LLMES, {"y": y})[0][0] for y in (year, year - 1))
    assert metric(at, "Active LLMEs").value == f"{llmes:,}"
    change = f"{llmes - before:+,} since {year - 1}/{year % 100:02d}" if llmes != before else "no change"
    assert metric(at, "Active LLMEs").delta.startswith(change)
    groups = sql(use_warehouse, "SELECT count(*) FROM work_groups WHERE year_start = ?", [year])[0][0]
    assert metric(at, "Work Groups").value == f"{groups:,}"
    reached = sql(
        use_warehouse,
        "SELECT count(DISTINCT school_urn) FROM participations "
        "JOIN work_groups USING (work_group_id) WHERE year_start = ?",
        [year],
    )[0][0]
    schools = sql(use_warehouse, "SELECT count(*) FROM schools")[0][0]
    assert metric(at, "State schools reached").value == f"{reached / schools:.1%}"
    assert metric(at, "Hubs running").value.endswith("of 40")
    assert all(m.help for m in at.metric), "every tile explains itself"


def test_fallback_map_without_boundaries(use_warehouse):
    at = home()
    assert any("atlas build --no-open-data" in i.value for i in at.info)
    spec = map_spec(at)
    assert spec["description"].startswith("Schematic map of England")
    tiles = spec["layer"][1]
    assert tiles["mark"]["type"] == "square"


def test_boundary_map_with_open_data_draws_every_district(warehouse_open, monkeypatch):
    monkeypatch.setenv("ATLAS_DATA_DIR", str(warehouse_open.data_dir))
    at = home()
    assert not any("atlas reference" in i.value for i in at.info)
    spec = map_spec(at)
    areas = spec["layer"][0]
    assert areas["mark"]["type"] == "geoshape"
    features = areas["data"]["values"]["features"]
    districts = sql(warehouse_open, "SELECT count(*) FROM lad_boundaries")[0][0]
    assert len(features) == districts == 296
    estimated = sql(warehouse_open, "SELECT count(*) FROM hub_areas WHERE provenance = 'estimated'")[0][0]
    assert sum(f["properties"]["provenance"].startswith("Estimated") for f in features) == estimated


@pytest.mark.parametrize("coordinator", [False, True], ids=["public", "coordinator"])
def test_year_from_the_url_changes_every_number(use_warehouse, coordinator):
    at = home(coordinator, year="2024/25")
    assert at.selectbox(key="year").value == "2024/25"
    llmes = sql(use_warehouse, ACTIVE_LLMES, {"y": 2024})[0][0]
    assert metric(at, "Active LLMEs").value == f"{llmes:,}"
    table = hub_table(at)
    per_hub = dict(sql(use_warehouse, ACTIVE_BY_HUB, {"y": 2024}))
    names = dict(sql(use_warehouse, "SELECT name, hub_id FROM hubs"))
    regions = dict(sql(use_warehouse, "SELECT name, region FROM hubs"))
    want = {n: per_hub.get(h, 0) for n, h in names.items()}
    if (
        not coordinator
    ):  # the public sees the suppressed counts (England's and each region's totals are published)
        frame = pl.DataFrame(
            {"hub": list(want), "region": [regions[n] for n in want], "n": list(want.values())}
        ).sort("hub")  # the page's order
        out = suppress(frame, "n", totals_over=[[], ["region"]])
        want = dict(zip(out["hub"], out["n_shown"], strict=True))
    assert {r["Hub"]: str(r["Active LLMEs"]) for _, r in table.iterrows()} == {
        k: str(v) for k, v in want.items()
    }


@pytest.mark.parametrize(
    ("label", "field"),
    [("Active LLMEs vs target", "target_band"), ("Share of schools reached", "reach_share")],
)
def test_colour_switch_from_the_url(use_warehouse, label, field):
    at = home(colour=label)
    assert at.radio(key="colour").value == label
    assert map_spec(at)["layer"][1]["encoding"]["color"]["field"] == field


def test_colour_switch_by_interaction(use_warehouse):
    at = home()
    assert map_spec(at)["layer"][1]["encoding"]["color"]["field"] == "hub_colour"
    at.radio(key="colour").set_value("Share of schools reached").run()
    assert map_spec(at)["layer"][1]["encoding"]["color"]["field"] == "reach_share"


def test_hub_table_and_download(use_warehouse):
    at = home()
    table = hub_table(at)
    assert len(table) == 40
    groups = dict(
        sql(
            use_warehouse,
            "SELECT h.name, count(w.work_group_id) FROM hubs h "
            "LEFT JOIN work_groups w ON w.hub_id = h.hub_id AND w.year_start = 2026 GROUP BY 1",
        )
    )
    assert {r["Hub"]: r["Work Groups"] for _, r in table.iterrows()} == groups
    assert any(d.label.startswith("Download the hub table") for d in at.get("download_button"))


def test_find_your_hub_by_urn_from_the_url(use_warehouse):
    urn, school, hub = sql(
        use_warehouse,
        "SELECT s.urn, s.name, h.name FROM schools s JOIN hubs h USING (hub_id) ORDER BY s.urn LIMIT 1",
    )[0]
    at = home(find=str(urn))
    assert at.text_input(key="find").value == str(urn)
    answer = at.success[0].value
    assert hub in answer.replace("\\", "")
    assert school.split()[0] in answer
    assert any("any Maths Hub" in m.value for m in at.markdown)


def test_find_your_hub_by_typing_a_town(use_warehouse):
    town, hub = sql(
        use_warehouse,
        "SELECT s.town, h.name FROM schools s JOIN hubs h USING (hub_id) "
        "WHERE s.town IS NOT NULL ORDER BY s.urn LIMIT 1",
    )[0]
    at = home()
    at.text_input(key="find").input(town).run()
    assert hub in at.success[0].value.replace("\\", "")


@pytest.mark.parametrize(
    ("town", "hub", "not_hub"),
    [
        ("Lincoln", "East Midlands East Maths Hub", "Yorkshire"),
        ("Warrington", "Turing NW Maths Hub", "Cheshire"),
    ],
)
def test_find_your_hub_a_town_beats_a_school_name(warehouse_open, monkeypatch, town, hub, not_hub):
    """Issue 16: "Lincoln" answered with a Scunthorpe college (Yorkshire and the Humber), "Warrington"
    with a Widnes nursery on Warrington Road (Cheshire and Wirral). The town answers."""
    monkeypatch.setenv("ATLAS_DATA_DIR", str(warehouse_open.data_dir))
    at = home(find=town)
    answer = at.success[0].value.replace("\\", "")
    assert hub in answer and not_hub not in answer
    assert not [r for r in at.radio if r.key == "find_choice"], "one place: answered at once, no list"
    assert ";" not in answer, "the lead schools are written in words"


def test_find_your_hub_offers_a_short_list_for_a_shared_name(warehouse_open, monkeypatch):
    """Issue 16: "Richmond" answered with a school in Leeds. Two towns called Richmond, in two hubs:
    the page asks which, with the county, and answers only once one is chosen."""
    monkeypatch.setenv("ATLAS_DATA_DIR", str(warehouse_open.data_dir))
    at = home(find="Richmond")
    assert not at.success, "no answer before a choice"
    choice = at.radio(key="find_choice")
    options = choice.options
    assert any("North Yorkshire" in o and "Yorkshire Ridings" in o for o in options)
    assert any("Richmond upon Thames" in o and "London South West" in o for o in options)
    assert choice.value is None
    choice.set_value(next(o for o in options if "North Yorkshire" in o)).run()
    assert "Yorkshire Ridings Maths Hub" in at.success[0].value.replace("\\", "")


def test_find_your_hub_with_no_match(use_warehouse):
    at = home(find="no such school anywhere")
    assert at.warning and "No school" in at.warning[-1].value


def test_every_national_page_renders_before_any_data_is_loaded(tmp_path, monkeypatch):
    """A fresh install: hubs and areas but no LLMEs, Work Groups or participations yet."""
    from pipelines.build import build
    from pipelines.config import paths
    from tests.conftest import TODAY

    empty = paths(tmp_path)
    build(empty, sample_scale=0, today=TODAY)
    # no data yet: the only year offered is the current one (the year containing the build's today)
    assert sql(empty, "SELECT year_start FROM academic_years") == [(2026,)]
    monkeypatch.setenv("ATLAS_DATA_DIR", str(empty.data_dir))
    at = home()
    assert at.selectbox(key="year").value == "2026/27"  # the academic year of the build date
    assert metric(at, "Active LLMEs").value == "0"
    assert len(hub_table(at)) == 40
    for page in ("app_pages/llme_coverage.py", "app_pages/hub_profile.py", "app_pages/about_data.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])


def test_a_region_redraws_the_map_for_that_region(use_warehouse):
    """Issue 15: London's hubs share a few millimetres of England; "Show: London" redraws the map
    with only London's districts and hubs, fitted to them. Hover gives hub, lead school and the
    figure the map is coloured by, first."""
    at = home(area="London", colour="Share of schools reached")
    spec = map_spec(at)
    london = {
        h for (h,) in sql(use_warehouse, "SELECT DISTINCT hub_id FROM hub_areas WHERE region_name = 'London'")
    }
    text = json.dumps(spec)
    assert "London" in spec["description"] and "England" not in spec["description"].split(".")[0]
    fit = spec["projection"]["fit"]["geometry"]["coordinates"][0]
    assert -0.7 < min(p[0] for p in fit) and max(p[0] for p in fit) < 0.5, "fitted to London, not England"
    for layer in spec["layer"]:
        values = layer.get("data", {}).get("values") or []
        rows = values if isinstance(values, list) else values.get("features", [])
        hubs = {r.get("hub_id") or r.get("properties", {}).get("hub_id") for r in rows if isinstance(r, dict)}
        assert hubs - {None} <= london
    points = next(layer for layer in spec["layer"] if layer.get("name") == "points")
    titles = [t["title"] for t in points["encoding"]["tooltip"]]
    assert titles[:3] == ["Hub", "Lead school", "Schools reached"]
    assert "Abacus" not in text
