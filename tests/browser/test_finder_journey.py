"""The teacher's journey in Chromium (issue 16), at 1400 px and at 390 px: Chipping Campden, Cambridge
and Penzance, a town two places share, a hub's own search, and the finder embedded in a hub's website
(issue 15 item 4). Each step asserts the corrected behaviour; screenshots go to test-artifacts/ and
axe-core must find no serious or critical violations."""

from __future__ import annotations

import re
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import free_port, serious_violations, wait_for_app

pytestmark = pytest.mark.browser
PLACE = "Place: a postcode, postcode district or town"
CARDS = "[class*='st-key-card-']"


@pytest.fixture(scope="module")
def open_data(warehouse_for_browser):
    """The journey names real towns: it needs the open-data warehouse (real schools)."""
    from tests.conftest import shared_open_data

    if shared_open_data() is None:
        pytest.skip("the teacher's journey needs the open data (real towns)")
    return warehouse_for_browser


def heading(page) -> str:
    return page.locator("h1").first.inner_text()


def search(page, text: str) -> None:
    box = page.get_by_label(PLACE)
    box.fill(text)
    box.press("Enter")
    wait_for_app(page)


def counts_add_up(page) -> None:
    """The heading's numbers ("N ... and M online", "No face-to-face ...; M online") are the list's total.
    Read once the run has finished: the new heading can be on screen while the rest of the same run
    (the list and its "Showing" line) is still arriving."""
    wait_for_app(page)
    words = heading(page)
    m = re.match(r"^(No|[\d,]+) .*?(?:(?:, and |; )([\d,]+) online)?$", words)
    numbers = [
        0 if m.group(1) == "No" else int(m.group(1).replace(",", "")),
        int((m.group(2) or "0").replace(",", "")),
    ]
    shown = page.get_by_text(re.compile(r"^Showing [\d,]+ of [\d,]+ Work Groups?")).first.inner_text()
    total = int(re.search(r"of ([\d,]+)", shown).group(1).replace(",", ""))
    assert sum(numbers) == total, (words, shown)


def check_cards(page) -> int:
    """Every card gives one booking answer; only cards that can be booked have a Book link, and it names
    its Work Group for screen readers. Returns how many cards were checked."""
    cards = page.locator(CARDS)
    for i in range(cards.count()):
        card = cards.nth(i)
        text = card.inner_text()
        assert "Online · Online" not in text
        assert not [
            line for line in text.splitlines() if line.startswith(("Where:", "Phase:")) and ";" in line
        ]
        book = card.get_by_role("link", name=re.compile(r"^Book (a late place )?on the hub's site for "))
        if re.search(r"bookings closed|no longer taking bookings|Full: no places|full, no places", text):
            assert book.count() == 0, text[:200]
        elif re.search(r"Open for booking: \d|late joining possible", text):
            assert book.count() == 1, text[:200]
            assert (
                card.locator("h3").first.inner_text()[:30] in book.text_content()
            )  # named for screen readers
        if "Started on" in text:
            assert re.search(
                r"Started on \d{1,2} [A-Z][a-z]{2} \d{4}: (late joining possible|bookings closed|full)", text
            ), text[:200]
    return cards.count()


def test_teacher_journey_at_1400(page, app_url, open_data, screenshot):
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(app_url + "/finder")
    wait_for_app(page)

    # Chipping Campden: the counts add up, the map draws district outlines under the venues.
    search(page, "Chipping Campden")
    page.get_by_role("heading", level=1).filter(has_text="of Chipping Campden").wait_for()
    counts_add_up(page)
    outlines = page.locator("[data-testid='stVegaLiteChart'] g.mark-shape path")
    outlines.first.wait_for(state="attached")
    assert outlines.count() > 5  # districts around the place, not a blank ring
    assert check_cards(page) > 0
    live = page.locator("[role='status'][aria-live='polite']").first
    assert live.inner_text() == heading(page)  # the new count is announced
    assert page.locator("h1 a, h2 a, h3 a").count() == 0  # no "link to heading" tab stop per card
    screenshot("journey_1400_01_chipping_campden")
    assert serious_violations(page) == []

    # Cambridge, sorted by start date: only groups not yet started, unless asked; has places = bookable.
    search(page, "Cambridge")
    page.get_by_role("heading", level=1).filter(has_text="of Cambridge").wait_for()
    box = page.get_by_role("combobox", name="Sort by")
    box.click()
    page.get_by_role("option", name="Starting soonest").click()
    wait_for_app(page)
    assert "sort" in parse_qs(urlparse(page.url).query)
    include = page.get_by_role("button", name=re.compile(r"^Include the [\d,]+ that have started$"))
    if include.count():
        assert "upcoming" in heading(page)
        include.click()
        wait_for_app(page)
        assert parse_qs(urlparse(page.url).query)["started"] == ["1"]
    page.get_by_role("button", name=re.compile(r"^Filters")).first.click()
    page.get_by_role("checkbox", name="Has places left").check(force=True)
    wait_for_app(page)
    page.get_by_role("button", name=re.compile(r"^Show [\d,]+ Work Groups?")).click()
    wait_for_app(page)
    cards = page.locator(CARDS)
    for i in range(cards.count()):
        assert re.search(
            r"Open for booking: \d+ places? left|late joining possible", cards.nth(i).inner_text()
        )
    check_cards(page)
    screenshot("journey_1400_02_cambridge_places")

    # Penzance, early years: no face-to-face group near, said in words, with wider radii still offered.
    page.goto(app_url + "/finder?place=Penzance&phase=early_years")
    wait_for_app(page)
    page.get_by_role("heading", level=1).filter(has_text="Penzance").wait_for()
    words = heading(page)
    if words.startswith("No face-to-face"):
        assert re.fullmatch(
            r"No face-to-face early years Work Groups within 20 miles of Penzance; [\d,]+ online", words
        )
        expect(page.get_by_role("button", name=re.compile(r"^50 miles \(\d+\)$"))).to_have_count(1)
    counts_add_up(page)
    screenshot("journey_1400_03_penzance_early_years")
    assert serious_violations(page) == []

    # A name two towns share is never averaged: the finder asks which.
    search(page, "St Ives")
    page.get_by_text("There is more than one St Ives").wait_for()
    page.get_by_role("button", name="St Ives, Cornwall", exact=True).click()
    wait_for_app(page)
    page.get_by_role("heading", level=1).filter(has_text="St Ives, Cornwall").wait_for()

    # A hub's own search names the hub; the embed snippet keeps it.
    page.goto(app_url + "/finder?hub=glow&sort=title")
    wait_for_app(page)
    assert re.fullmatch(r"[\d,]+ Work Groups? from GLOW Maths Hub", heading(page))
    page.get_by_text("Embed this search on your hub's website").click()
    snippet = page.locator("[data-testid='stCode']").first.inner_text()
    assert "embed=true" in snippet and "hub=glow" in snippet
    # keyboard focus is visible: GOV.UK's yellow ring
    page.get_by_label(PLACE).focus()
    page.keyboard.press("Tab")
    ring = page.evaluate("() => getComputedStyle(document.activeElement).outlineColor")
    assert ring in ("rgb(255, 221, 0)",), ring
    screenshot("journey_1400_04_hub_search")


def test_teacher_journey_at_390(page, app_url, open_data, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(app_url + "/finder?place=Chipping%20Campden")
    wait_for_app(page)
    page.get_by_role("heading", level=1).filter(has_text="of Chipping Campden").wait_for()

    # The filters sit behind a labelled button and close once applied.
    filters = page.get_by_role("button", name=re.compile(r"^Filters"))
    expect(filters.first).to_be_visible()
    filters.first.click()
    page.get_by_role("button", name="Secondary", exact=True).click()
    wait_for_app(page)
    page.get_by_role("button", name=re.compile(r"^Show [\d,]+ Work Groups?")).click()
    wait_for_app(page)
    expect(page.get_by_role("button", name="Secondary", exact=True)).to_have_count(0)
    assert parse_qs(urlparse(page.url).query)["phase"] == ["secondary"]
    screenshot("journey_390_01_list")
    assert serious_violations(page) == []

    # A list / map switch: the map without scrolling past 20 cards.
    switch = page.get_by_role("radio", name="Map", exact=True)
    expect(switch).to_be_visible()
    switch.click()
    wait_for_app(page)
    venues = page.locator(
        "[data-testid='stVegaLiteChart'] g.mark-symbol.role-mark path[aria-roledescription='circle']"
    )
    venues.first.wait_for(state="attached")
    assert page.locator(CARDS).first.is_hidden()
    map_box = page.locator("[data-testid='stVegaLiteChart']").first.bounding_box()
    assert map_box and map_box["y"] < 2500  # reached without scrolling past the cards
    screenshot("journey_390_02_map")

    # Choosing a venue shows its card first, scrolls to it and says so.
    venues.last.click(force=True)
    wait_for_app(page)
    focused = page.locator("[class*='st-key-card-focus-']")
    focused.wait_for()
    page.get_by_text("You chose this Work Group on the map").wait_for()
    page.wait_for_timeout(600)
    box = focused.bounding_box()
    assert box and -50 <= box["y"] < 844, box  # in view
    screenshot("journey_390_03_chosen_venue")
    assert serious_violations(page) == []


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep test output clean
        pass


def test_embedded_in_a_hub_website_on_another_origin(page, app_url, open_data, tmp_path, screenshot):
    """A hub's page on a different local origin embeds the finder for its hub (?embed=true&hub=...)."""
    (tmp_path / "index.html").write_text(
        "<!doctype html><html lang='en'><head><title>GLOW Maths Hub</title></head>"
        "<body><h1>Our Work Groups</h1>"
        f"<iframe src='{app_url}/finder?embed=true&hub=glow&sort=title' title='Find a Maths Hubs Work Group' "
        "width='100%' height='900' style='border:0'></iframe></body></html>",
        encoding="utf-8",
    )
    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(_Quiet, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page.set_viewport_size({"width": 1000, "height": 1000})
        page.goto(f"http://127.0.0.1:{port}/index.html")
        frame = page.frame_locator("iframe")
        frame.locator("h1").filter(has_text="from GLOW Maths Hub").wait_for(timeout=90000)
        assert re.fullmatch(
            r"[\d,]+ Work Groups? from GLOW Maths Hub", frame.locator("h1").first.inner_text()
        )
        expect(frame.get_by_role("link", name="Find a Work Group")).to_have_count(0)  # no app chrome
        expect(frame.get_by_text("Embed this search on your hub's website")).to_have_count(0)
        screenshot("journey_embedded_in_hub_site")
    finally:
        server.shutdown()
