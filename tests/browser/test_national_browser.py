"""The national pages in a real browser (Debian chromium): a map click opens the hub's profile, every
page passes an axe-core scan (no serious or critical violations), and screenshots are kept."""

from __future__ import annotations

import contextlib
import re

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import ARTIFACTS, serious_violations, wait_for_app
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

PAGES = [
    ("national-map", "/"),
    ("llme-coverage", "/coverage"),
    ("hub-profile", "/hub?hub=glow"),
    ("hub-profile-print", "/hub?hub=glow&print=true"),
    ("about-the-data", "/about"),
]


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
    assert serious_violations(page) == []


# --- Issue 16: the hub lead's and the coordinator's journeys, titles, focus and contrast ----------

WIDTHS = [1400, 390]
SITE = "Maths Hubs Atlas"
TITLES = [
    ("/", "National map"),
    ("/coverage", "LLME coverage"),
    ("/hub?hub=glow", "Hub profile"),
    ("/finder", "Find a Work Group"),
    ("/about", "About the data"),
]


def at_width(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 1000 if width > 600 else 844})


def go(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page, timeout=60000)


def main_text(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


@pytest.mark.parametrize("width", WIDTHS)
def test_hub_lead_checks_llmes_against_the_target_and_prints_the_report(app_url, page, screenshot, width):
    """GLOW's hub lead: active LLMEs against the target of 50, then the hub report printed (without
    the print toggle: an opened table prints open), with the data's date and the website written out."""
    at_width(page, width)
    go(page, app_url + "/hub?hub=glow")
    page.wait_for_selector("h1:has-text('GLOW Maths Hub')", timeout=30000)
    page.get_by_text(re.compile(r"active LLMEs of the target of 50")).first.wait_for(timeout=30000)
    page.get_by_text("Table: active LLMEs by phase").first.wait_for(timeout=30000)
    text = main_text(page)
    # (Markdown escaping puts a zero-width space after "https:", so the address is not auto-linked.)
    assert re.search(r"Hub website: https?://\S+", text), "the website's address is written out"
    assert re.search(r"Data as at \d{4}-\d{2}-\d{2}", text)
    assert ";" not in text.split("Lead school:")[1].split("·")[0], "lead schools in words"
    screenshot(f"persona-hub-lead-glow-{width}")
    page.get_by_text("Table: active LLMEs by phase").first.click()
    page.wait_for_selector("[data-testid='stExpander'] [data-testid='stDataFrame']", timeout=20000)
    page.emulate_media(media="print")
    # The opened table prints open, and so do the others; the controls and buttons do not print.
    assert page.locator("[data-testid='stExpander'] [data-testid='stDataFrame']").first.is_visible()
    assert not page.locator(".st-key-controls").is_visible()
    assert not page.locator("[data-testid='stDownloadButton']").first.is_visible()
    screenshot(f"persona-hub-lead-glow-print-{width}")
    page.emulate_media(media="screen")


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def test_hub_report_pdf_has_no_blank_last_page(app_url, page):
    """The printed report (Chromium's own print to PDF, A4) has as many pages as its content needs:
    the app's full-window height no longer spills onto an empty last page."""
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    go(page, app_url + "/hub?hub=glow&print=true")
    page.wait_for_selector("[data-testid='stTable']", timeout=30000)
    page.get_by_text("Provision audit").first.wait_for(timeout=30000)  # the end of the report
    page.emulate_media(media="print")
    height = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMainBlockContainer\"]');"
        " return m.getBoundingClientRect().bottom + window.scrollY; }"
    )
    pdf = page.pdf(format="A4", margin={"top": "0", "bottom": "0", "left": "0", "right": "0"})
    pages = pdf_pages(pdf)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "hub-report-glow.pdf").write_bytes(pdf)
    assert pages >= 1
    # Keeping headings with their content may push a block to the next page: allow one page for that,
    # never a trailing page the content does not reach.
    assert pages <= -(-height // 1123) + 1, (pages, height)
    css = page.evaluate(
        "() => [...document.styleSheets].flatMap(s => { try { return [...s.cssRules].map(r => r.cssText); }"
        " catch (e) { return []; } }).join(' ')"
    )
    assert "break-after: avoid" in css, "headings are kept with what follows them"


@pytest.mark.parametrize("width", WIDTHS)
def test_coordinator_finds_thin_phases(app_url, page, screenshot, width):
    """A national coordinator: the gaps box names the thin phases (counts known to be under 3, never
    a hidden c), and the phase trend shows each phase over the years."""
    at_width(page, width)
    go(page, app_url + "/coverage")
    page.wait_for_selector("text=Gaps", timeout=30000)
    page.get_by_text("share of the 2,000 target").first.wait_for(timeout=30000)
    text = main_text(page)
    assert "All active LLMEs nationally: share of the 2,000 target" in text
    assert re.search(r"fewer than 3 active (Early Years|Primary|Secondary|Post-16) LLMEs", text)
    assert "not known to be under 3" in text or " c " not in text
    page.get_by_role("tab", name="Trend").click()
    page.wait_for_selector("h3:has-text('By phase')", timeout=20000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stVegaLiteChart] svg')]"
        ".filter(s => s.getBoundingClientRect().width > 0).length >= 2",
        timeout=30000,
    )  # the total's trend and each phase's trend, drawn in the open tab
    screenshot(f"persona-coordinator-thin-phases-{width}")
    go(page, app_url + "/coverage?role=Cohort+Lead&region=London")
    page.get_by_text("applies to all active LLMEs").first.wait_for(timeout=30000)
    text = main_text(page)
    assert "applies to all active LLMEs" in text and "(target" not in text.split("\n")[0]


@NEEDS_BOUNDARIES
@pytest.mark.parametrize("width", WIDTHS)
def test_coordinator_finds_hubs_by_town(app_url, page, screenshot, width):
    """Issue 16: Lincoln -> Lincoln's hub (not a Scunthorpe college); Richmond -> which Richmond?"""
    at_width(page, width)
    go(page, app_url + "/?find=Lincoln")
    success = page.locator("[data-testid='stAlertContentSuccess']").first
    success.wait_for(timeout=30000)
    assert "East Midlands East Maths Hub" in success.inner_text()
    assert "Scunthorpe" not in success.inner_text()
    go(page, app_url + "/?find=Richmond")
    group = page.get_by_role("radiogroup").filter(has_text="North Yorkshire")
    group.wait_for(timeout=30000)
    assert not page.locator("[data-testid='stAlertContentSuccess']").count(), "no answer before a choice"
    screenshot(f"persona-coordinator-richmond-choices-{width}")
    page.get_by_text(re.compile(r"^Richmond, North Yorkshire")).click()
    page.wait_for_selector(
        "[data-testid='stAlertContentSuccess']:has-text('Yorkshire Ridings')", timeout=30000
    )
    go(page, app_url + "/?area=London")
    shapes = page.locator("[data-testid='stVegaLiteChart'] path[aria-label^='District: ']")
    shapes.first.wait_for(timeout=30000)
    assert shapes.count() == 33  # London's boroughs and the City, drawn at a readable size
    box = shapes.first.bounding_box()
    assert box and box["width"] > 15, "a borough is big enough to see and click"
    screenshot(f"persona-coordinator-london-map-{width}")


def test_each_page_has_its_own_browser_title(app_url, page):
    for path, title in TITLES:
        go(page, app_url + path)
        page.wait_for_function("t => document.title === t", arg=f"{title}: {SITE}", timeout=20000)


def test_headings_fit_a_phone(app_url, page):
    """At 390 px every page's main heading is set at 32 px (GOV.UK's small-screen size), not
    Streamlit's desktop 44 px, and at 1400 px it keeps the desktop size."""
    for width, largest in ((390, 32.5), (1400, 60)):
        at_width(page, width)
        for path, _ in TITLES:
            go(page, app_url + path)
            h1 = page.locator("[data-testid='stMain'] h1").first
            h1.wait_for(timeout=30000)
            # The site's style sheet arrives in the same run as the heading: give the page a moment
            # to apply it (under load it can lag the heading by a frame or two), then measure.
            fits = f"<= {largest}" if width == 390 else "> 40"
            with contextlib.suppress(PlaywrightError):  # the assertion below says what was measured
                page.wait_for_function(
                    "() => { const h = document.querySelector(\"[data-testid='stMain'] h1\"); "
                    f"return h && parseFloat(getComputedStyle(h).fontSize) {fits}; }}",
                    timeout=10000,
                )
            size = float(h1.evaluate("e => getComputedStyle(e).fontSize").removesuffix("px"))
            assert (size <= largest) if width == 390 else (size > 40), (path, width, size)


FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const boxes = [el, el.closest('label'), el.closest('[data-baseweb="select"]'),
                 el.closest('[data-baseweb="input"]')]
    .filter(Boolean);
  const ring = boxes.some(b => { const s = getComputedStyle(b);
    return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2; });
  return {tag: el.tagName,
          name: (el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 40), ring};
}"""


@pytest.mark.parametrize("path", ["/", "/coverage", "/hub?hub=glow", "/about"])
def test_every_control_shows_a_focus_ring(app_url, page, path):
    at_width(page, 1400)
    go(page, app_url + path)
    # The ring's style arrives with the script run's elements: wait for it (slow under load).
    page.wait_for_function(
        "() => [...document.querySelectorAll('style')].some(s => s.textContent.includes('#ffdd00'))",
        timeout=30000,
    )
    page.wait_for_timeout(500)
    seen = []
    for _ in range(30):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused:
            seen.append(focused)
    assert len(seen) >= 5, "tabbing reaches the page's controls"
    assert all(f["ring"] for f in seen), [f for f in seen if not f["ring"]]


# Text drawn in charts against what is under it (a shape's fill, else the page background): the
# WCAG 2.1 contrast ratio of each label, as the reader sees it.
CONTRAST = """() => {
  const rgb = c => { const m = (c || '').match(/[\\d.]+/g); return m ? m.slice(0, 4).map(Number) : null; };
  const lum = ([r, g, b]) => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const page = rgb(getComputedStyle(document.querySelector('[data-testid="stApp"]')).backgroundColor);
  const out = [];
  for (const t of document.querySelectorAll('[data-testid="stVegaLiteChart"] svg text')) {
    const label = t.textContent.trim();
    const box = t.getBoundingClientRect();
    const s = getComputedStyle(t);
    if (!label || !box.width || s.visibility === 'hidden' || +s.opacity === 0
        || +s.fillOpacity === 0) continue;
    const fg = rgb(s.fill);
    if (!fg) continue;
    // The topmost filled shape of the same chart whose box holds the label's centre (geometry, not
    // hit-testing, so labels below the fold count too); else the page background.
    let bg = page;
    const x = box.left + box.width / 2, y = box.top + box.height / 2;
    const shapes = [...t.closest('svg').querySelectorAll('path, rect')];
    for (const e of shapes.reverse()) {
      const f = getComputedStyle(e);
      const c = rgb(f.fill);
      if (!c || f.fill === 'none' || (c.length === 4 && c[3] === 0) || +f.fillOpacity <= 0.5) continue;
      if (e.closest('.role-legend, .role-axis')) continue;
      const r = e.getBoundingClientRect();
      if (r.width > 0 && r.left <= x && x <= r.right && r.top <= y && y <= r.bottom
          && r.width * r.height < 0.5 * t.closest('svg').getBoundingClientRect().width
                                      * t.closest('svg').getBoundingClientRect().height) {
        bg = c; break;
      }
    }
    out.push({label: label.slice(0, 30), fg: s.fill, ratio: Math.round(ratio(fg, bg) * 100) / 100});
  }
  return out;
}"""


@pytest.mark.parametrize(("name", "path"), [p for p in PAGES if p[0] != "about-the-data"])  # no charts
def test_chart_text_meets_contrast(app_url, page, name, path):
    """Chart labels, legends and cell numbers reach 4.5:1 (WCAG 1.4.3); the ratios are kept in
    test-artifacts/contrast-<page>.txt."""
    open_page(page, app_url + path)
    measured = page.evaluate(CONTRAST)
    assert measured, "the page's charts have text"
    ARTIFACTS.mkdir(exist_ok=True)
    low = sorted(measured, key=lambda m: m["ratio"])
    (ARTIFACTS / f"contrast-{name}.txt").write_text(
        f"{len(measured)} chart labels; lowest ratios:\n" + "\n".join(str(m) for m in low[:10]) + "\n"
    )
    assert low[0]["ratio"] >= 4.5, low[:5]
