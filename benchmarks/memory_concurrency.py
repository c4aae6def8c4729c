"""Memory and concurrency figures on a real server at sample scale 10.

`streamlit run dashboard/app.py` serves the scale-10 warehouse on 127.0.0.1 (a free port; loopback
only). Debian's chromium (/usr/bin/chromium, through Playwright's `executable_path`; never
downloaded) then:

1. **memory**: one browser context visits every page in turn, each until settled (connected,
   script state `notRunning`, a heading drawn); then the server's peak RSS is read from the
   kernel's high-water mark (`VmHWM` in /proc/<pid>/status). Target <= 500 MB.
2. **concurrency**: 20 browser contexts at once each open the finder, wait until it settles, press
   the "Secondary" phase pill and wait until the page has settled with the new heading. Per
   session: time to the first settled page, time from the click to the settled page, and any
   error (a timeout, a page error, a Streamlit exception box). p50/p95 and the error count
   (target 0). Every wait is bounded (90 s per step, 5 minutes in all).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from benchmarks.common import Figure, Settings, log
from pipelines.config import REPO_ROOT

PAGE_PATHS = {"National map": "/", "LLME coverage": "/coverage", "Hub profile": "/hub",
              "Work Group finder": "/finder", "About the data": "/about"}  # fmt: skip
SESSIONS = 20
RSS_TARGET_MB = 500.0
STEP_TIMEOUT_MS = 90_000
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
SETTLED = """(needle) => {
    const app = document.querySelector("[data-testid='stApp']");
    if (!app || app.dataset.testConnectionState !== "CONNECTED" || app.dataset.testScriptState !== "notRunning") {
        return false;
    }
    const h1 = document.querySelector("h1");
    return !!h1 && (!needle || h1.innerText.toLowerCase().includes(needle));
}"""


def run(s: Settings) -> tuple[list[Figure], str]:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        return [], "Debian chromium is not installed (/usr/bin/chromium)"
    if not (REPO_ROOT / "dashboard" / "app_pages" / "work_group_finder.py").exists():
        return [], "the dashboard pages are not there yet"
    data_dir = s.warehouses.get("scale10")
    if data_dir is None:
        from benchmarks import data

        data_dir = data.warehouse(s.tmp / "memory" / "scale10", 10, s.reference_dir).data_dir
    proc, url, log_file = _start_server(data_dir, s.tmp)
    try:
        figures = _visit_every_page(proc.pid, url, chromium)
        import psutil

        server = psutil.Process(proc.pid)
        cpu0 = sum(server.cpu_times()[:2])
        t0 = time.perf_counter()
        figures += asyncio.run(asyncio.wait_for(_concurrent(url, chromium), timeout=300))
        busy = sum(server.cpu_times()[:2]) - cpu0
        figures.append(Figure("memory", "server CPU time during the concurrent sessions (scale 10)", "s", [busy],
                              note=f"information: over {time.perf_counter() - t0:.0f} s of wall time; the browser's "
                              f"20 contexts use the same {os.cpu_count()} cores"))  # fmt: skip
        figures.append(Figure("memory", "server peak RSS after the concurrent sessions (scale 10)", "MB",
                              [_peak_rss_mb(proc.pid)], note="information"))  # fmt: skip
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log(f"server log: {log_file}")
    return figures, ""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_server(data_dir: Path, tmp: Path) -> tuple[subprocess.Popen, str, Path]:
    port = _free_port()
    env = {**os.environ, "ATLAS_DATA_DIR": str(data_dir)}
    log_file = tmp / "streamlit-server.log"
    with open(log_file, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "dashboard" / "app.py"),
             "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false"],
            cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:  # noqa: S310 - loopback only
                if r.read() == b"ok":
                    log(f"server up at {url} (pid {proc.pid})")
                    return proc, url, log_file
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"streamlit did not become healthy; see {log_file}")


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
    figures = [Figure("memory", "server peak RSS after a browser visits every page (scale 10)", "MB", [peak],
                      target=RSS_TARGET_MB, note="VmHWM of the streamlit process; one visit of each page")]  # fmt: skip
    figures += [Figure("memory", f"scale 10: {t} first load in the browser, to settled", "s", [v],
                       note="one visit, cold caches") for t, v in loads.items()]  # fmt: skip
    return figures


async def _session(browser, url: str) -> dict:
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    out: dict = {"load": None, "change": None, "errors": errors, "timed_out": False}
    t0 = t1 = time.perf_counter()
    try:
        page = await ctx.new_page()
        page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
        t0 = time.perf_counter()
        await page.goto(url + "/finder", wait_until="commit", timeout=STEP_TIMEOUT_MS)
        await page.wait_for_function(SETTLED, arg="", timeout=STEP_TIMEOUT_MS)
        out["load"] = time.perf_counter() - t0
        pill = page.locator("[data-testid='stSidebar']").get_by_role("button", name="Secondary", exact=True)
        t1 = time.perf_counter()
        await pill.click(timeout=STEP_TIMEOUT_MS)
        await page.wait_for_function(SETTLED, arg="secondary", timeout=STEP_TIMEOUT_MS)
        out["change"] = time.perf_counter() - t1
        boxes = await page.locator("[data-testid='stException']").count()
        if boxes:
            errors.append(f"{boxes} Streamlit exception box(es)")
    except PlaywrightTimeout:
        out["timed_out"] = True
        step = "change" if out["load"] is not None else "load"
        out[step] = time.perf_counter() - (t1 if step == "change" else t0)  # a lower bound
        errors.append(f"{step} did not settle within {STEP_TIMEOUT_MS // 1000} s")
    except Exception as exc:  # noqa: BLE001 - every failure is counted, none stops the others
        errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    finally:
        await ctx.close()
    return out


async def _concurrent(url: str, chromium: str) -> list[Figure]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            t0 = time.perf_counter()
            results = await asyncio.gather(*(_session(browser, url) for _ in range(SESSIONS)))
            wall = time.perf_counter() - t0
        finally:
            await browser.close()
    loads = [r["load"] for r in results if r["load"] is not None]
    changes = [r["change"] for r in results if r["change"] is not None]
    failed = [r for r in results if r["errors"]]
    late = sum(r["timed_out"] for r in results)
    kinds: dict[str, int] = {}
    for r in failed:
        for e in r["errors"]:
            kinds[e] = kinds.get(e, 0) + 1
    examples = "; ".join(f"{n} x {e}" for e, n in sorted(kinds.items(), key=lambda x: -x[1])[:3])
    log(f"{SESSIONS} sessions in {wall:.1f} s; {len(failed)} with errors: {examples}")
    bound = f"{late} timed out, counted at the {STEP_TIMEOUT_MS // 1000} s bound" if late else ""
    name = f"{SESSIONS} concurrent sessions (scale 10)"
    return [
        Figure("memory", f"{name}: finder load to settled, p50", "s", _pcts(loads, 50), note=bound),
        Figure("memory", f"{name}: finder load to settled, p95", "s", _pcts(loads, 95), note=bound),
        Figure("memory", f"{name}: filter change to settled, p50", "s", _pcts(changes, 50),
               note=f"{len(changes)} of {SESSIONS} sessions got to the change"),
        Figure("memory", f"{name}: filter change to settled, p95", "s", _pcts(changes, 95),
               note=f"{len(changes)} of {SESSIONS} sessions got to the change"),
        Figure("memory", f"{name}: sessions with an error", "errors", [float(len(failed))], target=0,
               note=examples or f"all {SESSIONS} settled; {wall:.1f} s in all"),
    ]  # fmt: skip


def _pcts(values: list[float], p: int) -> list[float]:
    return [_pct(values, p)] if values else []


def _pct(values: list[float], p: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]
