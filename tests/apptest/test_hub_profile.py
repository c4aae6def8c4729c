"""Hub profile (?hub=<hub_id>): headline numbers, LLMEs, Work Groups, reach, provision audit and the
print view, checked against independent SQL on the warehouse."""

from __future__ import annotations

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.privacy import SYMBOL, suppress
from tests.apptest.pages import open_page
from tests.independent_sql import ACTIVE_IN_HUB, sql

PAGE = "app_pages/hub_profile.py"


def profile(coordinator: bool = False, **query_params) -> AppTest:
    return open_page("hub_profile", "coordinator" if coordinator else "public", **query_params)


def metric(at: AppTest, label: str):
    return next(m for m in at.metric if m.label == label)


def table(at: AppTest, first_column: str):
    return next(d.value for d in at.dataframe if d.value.columns[0] == first_column)


@pytest.fixture
def a_hub(use_warehouse) -> tuple[str, str]:
    return sql(use_warehouse, "SELECT hub_id, name FROM hubs WHERE hub_id = 'glow'")[0]


def test_opens_the_hub_named_in_the_url(use_warehouse, a_hub):
    hub_id, name = a_hub
    at = profile(hub=hub_id)
    assert at.title[0].value == name
    assert at.selectbox(key="hub_select").value == hub_id
    assert at.query_params["hub"] in (hub_id, [hub_id])
    llmes = sql(use_warehouse, ACTIVE_IN_HUB, {"h": hub_id, "y": 2026})[0][0]
    assert metric(at, "Active LLMEs").value == f"{llmes:,}"
    groups = sql(
        use_warehouse, "SELECT count(*) FROM work_groups WHERE hub_id = ? AND year_start = 2026", [hub_id]
    )[0][0]
    assert metric(at, "Work Groups").value == f"{groups:,}"
    median = sql(
        use_warehouse,
        "SELECT median(n) FROM (SELECT h.hub_id, count(l.llme_id) AS n FROM hubs h LEFT JOIN llmes l "
        "ON l.hub_id = h.hub_id AND l.first_year_start <= $y "
        "AND (l.last_year_start IS NULL OR l.last_year_start >= $y) GROUP BY 1)",
        {"y": 2026},
    )[0][0]
    assert metric(at, "Active LLMEs").delta.endswith(f"vs median {median:g}")


def test_year_in_the_url_changes_the_numbers(use_warehouse, a_hub):
    hub_id, _ = a_hub
    at = profile(hub=hub_id, year="2023/24")
    assert at.selectbox(key="year").value == "2023/24"
    llmes = sql(use_warehouse, ACTIVE_IN_HUB, {"h": hub_id, "y": 2023})[0][0]
    assert metric(at, "Active LLMEs").value == f"{llmes:,}"
    reached = sql(
        use_warehouse,
        "SELECT count(DISTINCT p.school_urn) FROM participations p JOIN work_groups w USING (work_group_id) "
        "WHERE w.hub_id = ? AND w.year_start = 2023",
        [hub_id],
    )[0][0]
    assert metric(at, "Schools reached").value == f"{reached:,}"


@pytest.mark.parametrize("coordinator", [False, True], ids=["public", "coordinator"])
def test_choosing_another_hub_updates_page_and_url(use_warehouse, a_hub, coordinator):
    at = profile(coordinator, hub=a_hub[0])
    other, name = sql(use_warehouse, "SELECT hub_id, name FROM hubs WHERE hub_id = 'code'")[0]
    at.selectbox(key="hub_select").set_value(other).run()
    assert at.title[0].value == name
    assert at.query_params["hub"] in (other, [other])
    phases = table(at, "Phase")
    want = dict(
        sql(
            use_warehouse,
            "SELECT p.phase, count(*) FROM llmes, unnest(phases) AS p(phase) "
            "WHERE hub_id = $h AND first_year_start <= $y "
            "AND (last_year_start IS NULL OR last_year_start >= $y) GROUP BY 1",
            {"h": other, "y": 2026},
        )
    )
    labels = dict(
        sql(
            use_warehouse,
            "SELECT label, code FROM vocabularies WHERE vocabulary = 'phase' ORDER BY sort_order",
        )
    )
    every = {label: want.get(code, 0) for label, code in labels.items()}
    if not coordinator:  # suppressed within the hub (its total is published)
        out = suppress(pl.DataFrame({"p": list(every), "n": list(every.values())}), "n", totals_over=[[]])
        every = dict(zip(out["p"], out["n_shown"], strict=True))
        assert SYMBOL in every.values(), "this hub has small numbers to hide"
    assert {p: str(n) for p, n in zip(phases["Phase"], phases["Active LLMEs"], strict=True)} == {
        k: str(v) for k, v in every.items()
    }


def test_unknown_hub_falls_back_to_the_first(use_warehouse):
    at = profile(hub="no-such-hub")
    first = sql(use_warehouse, "SELECT name FROM hubs ORDER BY name LIMIT 1")[0][0]
    assert at.title[0].value == first


def test_work_groups_reach_and_provision_audit(use_warehouse, a_hub):
    hub_id, _ = a_hub
    at = profile(hub=hub_id)
    groups = table(at, "Programme")
    want = sql(
        use_warehouse,
        "SELECT count(*) FROM work_groups, unnest(phases) WHERE hub_id = ? AND year_start = 2026",
        [hub_id],
    )[0][0]
    assert groups["Work Groups"].sum() == want
    by_la = table(at, "Local authority")
    area = sql(use_warehouse, "SELECT count(*) FROM schools WHERE hub_id = ?", [hub_id])[0][0]
    assert by_la["Schools in area"].sum() == area
    kinds_offered = {
        k
        for (k,) in sql(
            use_warehouse,
            "SELECT DISTINCT p.pd_kind FROM work_groups w JOIN programmes p USING (programme_id) "
            "WHERE w.hub_id = ? AND w.year_start = 2026",
            [hub_id],
        )
    }
    not_offered = next(m.value for m in at.markdown if m.value.startswith("**Not offered this year:**"))
    from dashboard.data.hub_profile import ACME_KINDS

    for code, label in ACME_KINDS.items():
        assert (label in not_offered) == (code not in kinds_offered)
    audit = table(at, "Kind")
    assert audit.drop(columns="Kind").to_numpy().sum() == want


def test_print_view_is_plain(use_warehouse, a_hub):
    at = profile(hub=a_hub[0], print="true")
    assert at.toggle(key="print").value is True
    assert not at.get("download_button")
    assert not at.dataframe
    assert len(at.table) >= 6  # every chart's table alternative, shown in full
    assert not at.expander
    assert at.title[0].value == a_hub[1]
    normal = profile(hub=a_hub[0])
    assert normal.get("download_button") and normal.expander
