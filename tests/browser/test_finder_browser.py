"""The Work Group finder in a real browser (Debian chromium): type a postcode district, choose
secondary, narrow the radius and watch the count and the URL change; download a card's calendar
file; click a venue on the map; hit the empty state and use a wider-radius link. Screenshots go to
test-artifacts/; axe-core must find no serious or critical violations."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import duckdb
import pytest
from playwright.sync_api import expect

from dashboard.data import finder as F
from dashboard.data.finder_params import Filters
from pipelines.warehouse.store import current_snapshot
from tests.browser.conftest import serious_violations, wait_for_app

pytestmark = pytest.mark.browser
PLACE_LABEL = "Place: a postcode, postcode district or town"


def params(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def heading(page) -> str:
    return page.locator("h1").first.inner_text()


def open_filters(page) -> None:
    page.get_by_role("button", name=re.compile(r"^Filters")).first.click()
    page.get_by_role("button", name=re.compile(r"^Show [\d,]+ Work Groups?")).wait_for()


def choose(page, label: str, option: str) -> None:
    box = page.get_by_role("combobox", name=label)
    box.click()
    if not page.get_by_role("option", name=option, exact=True).is_visible():
        box.press(
            "ArrowDown"
        )  # the list did not open on click (e.g. focus was elsewhere): open it by keyboard
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)


@pytest.fixture
def local_only(page):
    """Every request the page makes stays on 127.0.0.1 (no tile server, no fonts, no telemetry)."""
    outside: list[str] = []
    page.on(
        "request",
        lambda r: None if r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else outside.append(r.url),
    )
    yield outside
    assert outside == []


def place_for_browser(warehouse) -> str:
    """GL55 when open data is loaded; otherwise a district the build can place (hub_areas)."""
    with duckdb.connect(str(current_snapshot(warehouse)), read_only=True) as con:
        if con.execute("SELECT count(*) FROM postcode_districts").fetchone()[0]:
            return "GL55"
        return con.execute("SELECT postcode_district FROM hub_areas WHERE lad_name = 'Cotswold'").fetchone()[
            0
        ]


def empty_at_5_not_at_50(warehouse, place_text: str) -> Filters | None:
    """A search with nothing within 5 miles but something within 50 (from the data, not guessed)."""
    with duckdb.connect(str(current_snapshot(warehouse)), read_only=True) as con:
        where = F.resolve_place(con, place_text)
        for phase in ("post16", "early_years", "secondary", "primary"):
            for extra in ({"open_only": True, "has_places": True}, {"open_only": True}, {}):
                f = Filters(phases=(phase,), delivery=("face_to_face",), **extra)
                counts = F.radius_counts(con, f, where)
                if counts["r5"] == 0 and counts["r50"] > 0:
                    return f
    return None


def test_search_narrow_download_map_and_empty_state(
    page, app_url, warehouse_for_browser, screenshot, local_only
):
    district = place_for_browser(warehouse_for_browser)
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(app_url + "/finder")
    wait_for_app(page)
    page.get_by_label(PLACE_LABEL).wait_for()

    # 1. Type a postcode district.
    page.get_by_label(PLACE_LABEL).fill(district)
    page.get_by_label(PLACE_LABEL).press("Enter")
    wait_for_app(page)
    page.get_by_role("heading", level=1).filter(has_text=f"of {district}").wait_for()
    assert params(page)["place"] == [district]
    everything = heading(page)

    # 2. Choose secondary (behind the Filters button): the heading counts secondary Work Groups and the
    # URL says phase=secondary; "Show N Work Groups" applies and closes the filters.
    open_filters(page)
    page.get_by_role("button", name="Secondary", exact=True).click()
    wait_for_app(page)
    page.get_by_role("button", name=re.compile(r"^Show [\d,]+ Work Groups?")).click()
    wait_for_app(page)
    expect(page.get_by_role("button", name="Secondary", exact=True)).to_have_count(0)
    assert "year" not in params(page)  # opening the filters changes nothing by itself
    page.get_by_role("heading", level=1).filter(has_text="secondary").wait_for()
    assert params(page)["phase"] == ["secondary"]
    assert re.match(
        rf"^[\d,]+ secondary Work Groups? within 20 miles of {district}(, and [\d,]+ online)?$", heading(page)
    )
    assert heading(page) != everything
    bookable = page.get_by_role("link", name=re.compile(r"^Book (a late place )?on the hub's site for "))
    for i in range(
        bookable.count()
    ):  # only cards that can still be booked have one (the journey test checks)
        link = bookable.nth(i)
        assert link.get_attribute("target") == "_blank" and "noreferrer" in link.get_attribute("rel")
        assert link.get_attribute("href").startswith(("https://", "http://"))
    screenshot("finder_01_secondary_near_place")
    assert serious_violations(page) == []

    # 3. Narrow the radius.
    choose(page, "Radius", "10 miles")
    page.get_by_role("heading", level=1).filter(has_text="within 10 miles").wait_for()
    assert params(page)["radius"] == ["10"]
    assert params(page)["phase"] == ["secondary"] and params(page)["place"] == [district]

    # 4. A card's calendar file.
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile(r"^Add to calendar \(\.ics\) for ")).first.click()
    ics = download.value
    assert ics.suggested_filename.endswith(".ics")
    text = Path(ics.path()).read_bytes().decode("utf-8")  # bytes: keep the CRLF line ends
    assert (
        text.startswith("BEGIN:VCALENDAR\r\n")
        and "BEGIN:VEVENT" in text
        and text.endswith("END:VCALENDAR\r\n")
    )

    # 4b. The results as CSV: built when downloaded, from the search the page shows (the callback
    # holds the search's key, not its frame), one line per Work Group in the heading's count.
    with page.expect_download() as download:
        page.get_by_role("button", name="Download these results (CSV)").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Work Group,Hub,Programme")
    counts = [int(n.replace(",", "")) for n in re.findall(r"(?:^|and |; )([\d,]+) ", heading(page))]
    assert counts and len(lines) - 1 == sum(counts), heading(page)  # near, and online

    # 5. Click a venue on the map (the widest radius, so there are venues): its card comes first.
    choose(page, "Radius", "50 miles")
    venues = page.locator(
        "[data-testid='stVegaLiteChart'] g.mark-symbol.role-mark path[aria-roledescription='circle']"
    )
    venues.first.wait_for(state="attached")
    label = venues.last.get_attribute("aria-label") or ""
    venues.last.click(force=True)
    wait_for_app(page)
    focused = page.locator("[class*='st-key-card-focus-']")
    focused.wait_for()
    assert "Selected" in focused.inner_text()
    title = re.search(r"Work Group: (.*?); Hub:", label)
    assert title and title.group(1)[:30] in focused.inner_text()
    screenshot("finder_02_map_venue_selected")
    page.get_by_role("button", name="Clear the choice").click()
    wait_for_app(page)
    expect(page.locator("[class*='st-key-card-focus-']")).to_have_count(0)

    # 6. The empty state, with wider-radius links that carry counts.
    f = empty_at_5_not_at_50(warehouse_for_browser, district)
    query = f"place={district}&radius=5&delivery=face_to_face"
    if f is not None:
        query += (
            f"&phase={f.phases[0]}"
            + ("&open=1" if f.open_only else "")
            + ("&places=1" if f.has_places else "")
        )
    else:
        query += "&from=2030-01-01"  # nothing anywhere: the links show (0) and are disabled
    page.goto(app_url + "/finder?" + query)
    wait_for_app(page)
    page.get_by_role("heading", name="Try one of these").wait_for()
    assert heading(page).startswith("No ")
    links = page.get_by_role("button", name=re.compile(r"^(10|20|50) miles \(\d+\)$"))
    assert links.count() == 3
    screenshot("finder_03_empty_state")
    assert serious_violations(page) == []
    if f is not None:
        fifty = page.get_by_role("button", name=re.compile(r"^50 miles \((\d+)\)$"))
        n = int(re.search(r"\((\d+)\)", fifty.inner_text()).group(1))
        fifty.click()
        wait_for_app(page)
        assert params(page)["radius"] == ["50"]
        page.get_by_role("heading", level=1).filter(has_text="within 50 miles").wait_for()
        assert int(heading(page).split()[0].replace(",", "")) == n  # face-to-face only: no online ones
        screenshot("finder_04_wider_radius")


def test_shared_link_with_every_parameter_opens_as_shared(page, app_url, warehouse_for_browser, screenshot):
    district = place_for_browser(warehouse_for_browser)
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(
        app_url
        + f"/finder?phase=primary&phase=secondary&delivery=online&year=all&sort=title&place={district}"
    )
    wait_for_app(page)
    page.get_by_role("heading", level=1).filter(has_text=f"of {district}").wait_for()
    assert "primary and secondary" in heading(page) and "in any year" in heading(page)
    chips = page.get_by_role("button", name=re.compile("✕"))
    chips.nth(4).wait_for()  # Primary, Secondary, Online, All years, Near ...
    assert params(page) == {
        "phase": ["primary", "secondary"],
        "delivery": ["online"],
        "year": ["all"],
        "place": [district],
        "sort": ["title"],
    }
    page.get_by_role("button", name="Online ✕").click()
    # The rerun rewrites the URL when it finishes: wait for that, not just for an idle script.
    page.wait_for_url(lambda url: "delivery=" not in url, timeout=30000)
    wait_for_app(page)
    assert "delivery" not in params(page)
    screenshot("finder_05_shared_link")
