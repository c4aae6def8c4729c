"""Outreach in a real browser (issue 15, item 1): a hub lead signs in through a local OpenID Connect
provider, opens the outreach page, and the unreached count on screen and the downloaded CSV (the
mail-merge file) match independent SQL (tests/outreach_sql.py) for the list and for three named
schools' nearest Work Group; the download is in the access log. Signed out, the page refuses."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from dashboard.data import audit
from tests.browser.conftest import ARTIFACTS, free_port, start_server, stop_server, wait_for_app
from tests.browser.test_sign_in import provider, sign_in  # noqa: F401 - provider is a fixture
from tests.outreach_sql import nearest, unreached_urns
from tests.spreadsheets import download_frame

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def outreach_app(provider, warehouse_for_browser, tmp_path_factory):  # noqa: F811 - the imported fixture
    port = free_port()
    secrets = tmp_path_factory.mktemp("outreach_secrets") / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "test-cookie-secret-not-for-production"\n'
        'client_id = "atlas-test"\n'
        'client_secret = "atlas-test-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    proc, url = start_server(warehouse_for_browser.data_dir, ("--secrets.files", str(secrets)), port=port)
    yield url
    stop_server(proc)


def test_hub_lead_sees_the_unreached_schools_and_downloads_them(
    page,
    provider,  # noqa: F811 - the imported fixture
    outreach_app,
    warehouse_for_browser,
    screenshot,
    monkeypatch,
):
    warehouse = warehouse_for_browser  # with open data when it is there: real districts on the map
    page.goto(outreach_app + "/outreach?hub=origin")
    wait_for_app(page)
    page.get_by_text("You need to sign in as a hub lead or national coordinator").wait_for(timeout=30000)

    sign_in(page, provider, outreach_app, "origin.lead@example.org")
    page.goto(outreach_app + "/outreach?hub=origin")
    wait_for_app(page, timeout=90000)
    metric = page.get_by_test_id("stMetric").filter(has_text="Not reached in 3 years")
    metric.wait_for(timeout=60000)
    expected = unreached_urns(warehouse, "origin", "primary", 3)
    assert metric.get_by_test_id("stMetricValue").inner_text().strip() == f"{len(expected):,}"
    page.get_by_text(f"{len(expected):,} primary schools").first.wait_for()
    chart = page.get_by_test_id("stVegaLiteChart").first
    chart.locator("canvas, svg").first.wait_for(timeout=30000)  # drawn, not just mounted
    screenshot("outreach_hub_lead")
    chart.scroll_into_view_if_needed()
    chart.screenshot(path=str(ARTIFACTS / "outreach_cold_spot_map.png"))

    with page.expect_download() as download:
        page.get_by_role("button", name="Download the list (CSV)").click()
    got = download.value
    assert got.suggested_filename == "outreach_origin_primary_3y.csv"
    table = download_frame(Path(got.path()).read_bytes())
    assert {int(u) for u in table["urn"]} == expected
    rows = table.with_row_index()
    for i in (0, table.height // 2, table.height - 1):
        row = rows.row(i, named=True)
        miles, title = nearest(warehouse, int(row["urn"]))
        assert float(row["nearest_miles"]) == pytest.approx(round(miles, 1), abs=0.051), row["school"]
        assert row["nearest_work_group"].removeprefix("'") == title

    # The access log as the server wrote it: read through the same API, pointed at its data folder.
    monkeypatch.setenv("ATLAS_DATA_DIR", str(warehouse.data_dir))
    log = audit.read(limit=100000)
    mine = log.filter(
        (pl.col("email") == "origin.lead@example.org") & (pl.col("what") == "outreach_unreached")
    )
    assert set(mine["action"]) >= {"view", "download"}
