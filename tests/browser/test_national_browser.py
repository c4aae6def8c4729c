"""The national pages in a real browser (Debian chromium): a map click opens the hub's profile, every
page passes an axe-core scan (no serious or critical violations), and screenshots are kept."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import wait_for_app
from tests.conftest import shared_open_data

pytestmark = pytest.mark.browser

# A point inside a district's shape (isPointInFill), in page coordinates: clicking the middle of
# the bounding box could land on a neighbour.
INSIDE = """(label) => {
  const shape = [...document.querySelectorAll('[data-testid="stVegaLiteChart"] path[aria-label]')]
    .find(p => p.getAttribute('aria-label').startsWith(label));
  if (!shape) return null;
  const box = shape.getBBox(), ctm = shape.getScreenCTM();
  for (let i = 1; i < 24; i++) for (let j = 1; j < 24; j++) {
    const pt = new DOMPoint(box.x + box.width * i / 24, box.y + box.height * j / 24);
    if (shape.isPointInFill(pt)) { const s = pt.matrixTransform(ctm); return [s.x, s.y]; }
  }
  return null;
}"""

PAGES = [("national-map", "/"), ("llme-coverage", "/coverage"), ("hub-profile", "/hub?hub=glow"),
         ("hub-profile-print", "/hub?hub=glow&print=true"), ("about-the-data", "/about")]  # fmt: skip


def open_page(page, url: str) -> None:
    page.set_viewport_size({"width": 1400, "height": 1100})
    page.goto(url)
    wait_for_app(page)
    page.wait_for_selector("[data-testid='stVegaLiteChart'] svg, [data-testid='stTable']", timeout=30000)
    page.wait_for_timeout(500)


# The click tests aim at a district's shape on the boundary map; without open data the map is
# the schematic fallback (checked by the axe and screenshot test instead).
NEEDS_BOUNDARIES = pytest.mark.skipif(shared_open_data() is None, reason="district boundaries not available")


def click_district(page, district: str) -> None:
    point = page.evaluate(INSIDE, f"District: {district} (")
    assert point, f"{district} is drawn on the map"
    page.mouse.click(*point)


@NEEDS_BOUNDARIES
def test_clicking_a_hub_on_the_map_opens_its_profile(app_url, page, screenshot):
    open_page(page, app_url + "/")
    screenshot("national-map-before-click")
    # Cotswold is a GLOW Maths Hub district (declared, a large inland shape on either map).
    click_district(page, "Cotswold")
    page.wait_for_url(re.compile(r"/hub\?hub=glow"), timeout=20000)
    wait_for_app(page)
    page.wait_for_selector("h1:has-text('GLOW Maths Hub')", timeout=20000)
    screenshot("hub-profile-after-map-click")


@NEEDS_BOUNDARIES
def test_the_year_travels_with_the_click(app_url, page):
    open_page(page, app_url + "/?year=2024%2F25")
    click_district(page, "Cotswold")
    page.wait_for_url(re.compile(r"/hub\?.*hub=glow"), timeout=20000)
    wait_for_app(page)
    assert "year=2024-25" in page.url  # rewritten in the one URL form of a year
    page.wait_for_selector("text=Figures for 2024/25", timeout=20000)


def test_map_draws_every_district(app_url, page):
    open_page(page, app_url + "/")
    shapes = page.locator("[data-testid='stVegaLiteChart'] path[aria-label^='District: ']")
    assert shapes.count() == 296
    kind = page.locator("[data-testid='stVegaLiteChart'] path[aria-label^='District: ']").first.get_attribute(
        "aria-roledescription"
    )
    assert kind == ("geoshape" if shared_open_data() else "square")


def test_a_deep_link_restores_the_view(app_url, page):
    open_page(page, app_url + "/coverage?region=London&role=Work+Group+Lead")
    assert "London" in page.locator("[data-testid='stMetric']").first.inner_text()
    open_page(page, app_url + "/?colour=Share+of+schools+reached&find=Cheltenham")
    assert page.get_by_role("radio", name="Share of schools reached").is_checked()
    page.wait_for_selector("[data-testid='stAlertContentSuccess']:has-text('Maths Hub')", timeout=20000)


@pytest.mark.parametrize(("name", "path"), PAGES)
def test_each_page_passes_axe_and_is_captured(app_url, page, screenshot, name, path):
    open_page(page, app_url + path)
    assert not page.locator("[data-testid='stException']").count()
    screenshot(name)
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert not serious, [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:5]) for v in serious]
