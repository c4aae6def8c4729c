"""Memory figures on a real browser and server at sample scale 10.

`streamlit run dashboard/app.py` serves the scale-10 warehouse on 127.0.0.1 (a free port; loopback
only). Debian's chromium (/usr/bin/chromium, through Playwright's `executable_path`; never
downloaded) then:

1. **memory**: one browser context visits every page in turn, each until settled (connected,
   script state `notRunning`, a heading drawn); then the server's peak RSS is read from the
   kernel's high-water mark (`VmHWM` in /proc/<pid>/status). Target <= 500 MB.
2. each page's first load in the browser, to settled (one visit, cold caches).

Concurrency is measured by the load group (Locust users over Streamlit's websocket protocol at 1
to 50 users): 20 concurrent Playwright contexts, measured here before, cost two minutes of the
15-minute budget on 2 cores for figures the load group now gives with less overhead.
"""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks.common import Figure, Settings, log
from pipelines.config import REPO_ROOT
from tests import streamlit_server
from tests.chromium import CHROMIUM, CHROMIUM_ARGS

PAGE_PATHS = {
    "National map": "/",
    "LLME coverage": "/coverage",
    "Hub profile": "/hub",
    "Work Group finder": "/finder",
    "About the data": "/about",
}
RSS_TARGET_MB = 500.0
STEP_TIMEOUT_MS = 90_000
SETTLED = """(needle) => {
    const app = document.querySelector("[data-testid='stApp']");
    if (!app || app.dataset.testConnectionState !== "CONNECTED"
        || app.dataset.testScriptState !== "notRunning") {
        return false;
    }
    const h1 = document.querySelector("h1");
    return !!h1 && (!needle || h1.innerText.toLowerCase().includes(needle));
}"""


def run(s: Settings) -> tuple[list[Figure], str]:
    chromium = CHROMIUM
    if not Path(chromium).exists():
        return [], "Debian chromium is not installed (/usr/bin/chromium)"
    if not (REPO_ROOT / "dashboard" / "app_pages" / "work_group_finder.py").exists():
        return [], "the dashboard pages are not there yet"
    data_dir = s.warehouses.get("scale10")
    if data_dir is None:
        from benchmarks import data

        data_dir = data.warehouse(s.tmp / "memory" / "scale10", 10, s.reference_dir).data_dir
    log_file = s.tmp / "streamlit-server.log"
    server = streamlit_server.start(
        data_dir, ["--browser.gatherUsageStats", "false"], log=log_file, timeout_s=60
    )
    log(f"server up at {server.url} (pid {server.pid})")
    try:
        figures = _visit_every_page(server.pid, server.url, chromium)
    finally:
        server.stop(timeout_s=15)
        log(f"server log: {log_file}")
    return figures, ""


def _peak_rss_mb(pid: int) -> float:
    """The kernel's RSS high-water mark of the server process (VmHWM), else its current RSS."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import psutil

    return psutil.Process(pid).memory_info().rss / 2**20


def _visit_every_page(pid: int, url: str, chromium: str) -> list[Figure]:
    from playwright.sync_api import sync_playwright

    loads: dict[str, float] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            for title, path in PAGE_PATHS.items():
                t0 = time.perf_counter()
                page.goto(url + path, wait_until="commit", timeout=STEP_TIMEOUT_MS)
                page.wait_for_function(SETTLED, arg="", timeout=STEP_TIMEOUT_MS)
                loads[title] = time.perf_counter() - t0
                log(f"visited {title} in {loads[title]:.2f} s; server RSS peak {_peak_rss_mb(pid):.0f} MB")
        finally:
            browser.close()
    peak = _peak_rss_mb(pid)
    figures = [
        Figure(
            "memory",
            "server peak RSS after a browser visits every page (scale 10)",
            "MB",
            [peak],
            target=RSS_TARGET_MB,
            note="VmHWM of the streamlit process; one visit of each page",
        )
    ]
    figures += [
        Figure(
            "memory",
            f"scale 10: {t} first load in the browser, to settled",
            "s",
            [v],
            note="one visit, cold caches",
        )
        for t, v in loads.items()
    ]
    return figures
