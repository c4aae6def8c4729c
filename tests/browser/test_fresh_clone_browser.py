"""A fresh clone without ../shared: `atlas build` uses the open data shipped in data/opendata, so the
national map draws the 296 real districts (no schematic note) and "State schools reached" counts over
the 22,010 open state-funded schools. The screenshot is kept in test-artifacts/."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.browser.conftest import start_server, stop_server, wait_for_app
from tests.conftest import TODAY

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def fresh_clone_url(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("fresh_clone")
    # As a new user would: no $ATLAS_REFERENCE_DIR, no --reference-dir, no staged cache.
    env = {k: v for k, v in os.environ.items() if k != "ATLAS_REFERENCE_DIR"}
    env["ATLAS_TODAY"] = TODAY.isoformat()
    atlas = [sys.executable, "-m", "pipelines", "build", "--sample-scale", "0.2", "--data-dir", str(data_dir)]
    done = subprocess.run(atlas, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "data/opendata" in done.stdout.replace("\n", "")
    proc, url = start_server(data_dir)
    yield url
    stop_server(proc)


def test_fresh_clone_serves_the_real_map_and_real_denominators(fresh_clone_url, page, screenshot):
    page.set_viewport_size({"width": 1400, "height": 1100})
    page.goto(fresh_clone_url + "/")
    wait_for_app(page, timeout=120000)
    page.wait_for_selector("[data-testid='stVegaLiteChart'] svg", timeout=120000)
    shapes = page.locator("[data-testid='stVegaLiteChart'] path[aria-label^='District: ']")
    assert shapes.count() == 296
    assert shapes.first.get_attribute("aria-roledescription") == "geoshape"
    assert "schematic" not in page.inner_text("body")
    tile = page.locator("[data-testid='stMetric']", has_text="State schools reached")
    tile.locator("[data-testid='stTooltipHoverTarget'], [data-testid='stTooltipIcon']").first.hover()
    page.wait_for_selector("text=Share of England's 22,010 state-funded schools", timeout=20000)
    screenshot("fresh-clone-national-map")
