"""Real-browser fixtures: a `streamlit run` server on 127.0.0.1 and Debian's chromium via Playwright.

The browser is never downloaded: Playwright drives /usr/bin/chromium through `executable_path`.
Screenshots go to test-artifacts/ (kept by CI as test artefacts).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pipelines.config import REPO_ROOT
from tests import streamlit_server
from tests.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.streamlit_server import free_port
from tests.streamlit_server import stop as stop_server

ARTIFACTS = REPO_ROOT / "test-artifacts"
pytestmark = pytest.mark.browser


def start_server(
    data_dir: Path, extra_args: tuple[str, ...] = (), port: int | None = None
) -> tuple[subprocess.Popen, str]:
    """A healthy `streamlit run` on 127.0.0.1 (tests/streamlit_server.py); its output is kept in
    test-artifacts/ (CI keeps that folder), so a server error behind a failing test can be read."""
    port = port or free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    server = streamlit_server.start(data_dir, extra_args, port=port, log=ARTIFACTS / f"streamlit-{port}.log")
    return server.proc, server.url


@pytest.fixture(scope="session")
def app_url(warehouse_for_browser):
    proc, url = start_server(warehouse_for_browser.data_dir)
    yield url
    stop_server(proc)


@pytest.fixture(scope="session")
def warehouse_for_browser(request):
    """The open-data warehouse when shared data is there (full map), else the plain one."""
    from tests.conftest import shared_open_data

    name = "warehouse_open" if shared_open_data() else "warehouse"
    return request.getfixturevalue(name)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def screenshot(page):
    """screenshot("name") saves a full-page PNG under test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def wait_for_app(page, timeout: float = 30000) -> None:
    """Wait until Streamlit is connected and the script run has finished (polled in the page,
    so a re-render or a navigation in between does not leave a stale handle)."""
    page.wait_for_load_state()
    # A click's rerun reaches the server a moment later: without this pause the check below could
    # see the previous run's "notRunning" and return before the new run began.
    page.wait_for_timeout(200)
    page.wait_for_function(
        """() => {
            const app = document.querySelector("[data-testid='stApp']");
            return app && app.dataset.testConnectionState === "CONNECTED"
                && app.dataset.testScriptState === "notRunning"
                && !document.querySelector("[data-stale='true']");
        }""",
        timeout=timeout,
    )
    page.wait_for_timeout(300)


def wait_until_settled(page, timeout: float = 10000) -> None:
    """Wait for the page to stop moving: no dialog or popover still in the DOM, no element still
    marked stale from the previous run (Streamlit fades those), and no CSS animation or transition
    running. axe measures colours as painted, so a half-faded label reads as a contrast failure
    that no user ever sees once the page has settled (CI failed twice on that, at 390 px)."""
    page.wait_for_function(
        """() => !document.querySelector(
                "[role='dialog'], [data-baseweb='modal'], [data-baseweb='popover'], [data-stale='true']")
            && document.getAnimations().every(a => a.playState !== 'running')""",
        timeout=timeout,
    )
    page.wait_for_timeout(200)  # one more frame after the last transition ends


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the settled page, each with the elements it
    names (so a failure says where, not only what).

    A finding is reported only if a second run, a second later, finds it again: a real problem is
    still there, while a frame caught mid-render is not (CI under load twice failed on a label's
    contrast while Streamlit was still painting it; no user sees that frame)."""
    from axe_playwright_python.sync_playwright import Axe

    def run() -> dict[tuple[str, str], str]:
        wait_until_settled(page)
        found = Axe().run(page).response["violations"]
        return {
            (v["id"], str(n["target"])): f"{v['id']}: {v['help']} at {n['target']}"
            for v in found
            if v["impact"] in ("serious", "critical")
            for n in v["nodes"]
        }

    first = run()
    if not first:
        return []
    page.wait_for_timeout(1000)
    again = run()
    return [text for key, text in again.items() if key in first]
