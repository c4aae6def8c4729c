"""A real Streamlit server serves 10 browser sessions while several loads publish new snapshots:
no session sees an error, and the new data appears once the pointer has flipped."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.browser.conftest import start_server, stop_server, wait_for_app
from tests.hardening.corpus import WG_COLUMNS, csv_bytes, wg

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SESSIONS = 10
PATHS = ("/", "/coverage", "/finder?phase=primary", "/about")


def work_groups_tile(page, timeout_s: float = 60) -> int:
    """The "Work Groups" key-stat tile's number; tiles draw one by one after the caches refill."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for metric in page.get_by_test_id("stMetric").all():
            if metric.get_by_test_id("stMetricLabel").inner_text().strip() == "Work Groups":
                return int(metric.get_by_test_id("stMetricValue").inner_text().replace(",", ""))
        page.wait_for_timeout(250)
    raise AssertionError("no Work Groups tile")


def test_ten_sessions_read_while_loads_publish(fresh_warehouse, browser, tmp_path):
    proc, url = start_server(fresh_warehouse.data_dir)
    contexts = []
    try:
        contexts = [browser.new_context() for _ in range(SESSIONS)]
        pages = [c.new_page() for c in contexts]
        for page in pages:
            page.goto(url + "/")
        for page in pages:
            wait_for_app(page, timeout=180000)  # 10 sessions share 2 cores with other tests
        before = work_groups_tile(pages[0])

        env = {**os.environ, "ATLAS_DATA_DIR": str(fresh_warehouse.data_dir)}
        loads = []
        for n in range(3):
            path = tmp_path / f"load{n}.csv"
            rows = [wg(i, work_group_id=f"concurrent-{n}-{i:02d}") for i in range(10)]
            path.write_bytes(csv_bytes(WG_COLUMNS, rows))
            loads.append(path)
        writer = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys, subprocess\n"
                "for f in sys.argv[1:]:\n"
                "    subprocess.run([sys.executable, '-m', 'pipelines', 'ingest', 'work_groups', f],"
                " check=True)\n",
                *map(str, loads),
            ],
            env=env,
        )

        errors, visits = [], 0
        deadline = time.monotonic() + 480  # generous: CI runs this beside other browser tests
        while (writer.poll() is None or visits < SESSIONS * 2) and time.monotonic() < deadline:
            for i, page in enumerate(pages):
                page.goto(url + PATHS[(visits + i) % len(PATHS)])
            for page in pages:
                wait_for_app(page, timeout=180000)  # 10 sessions share 2 cores with other tests
                if (
                    page.get_by_test_id("stException").count()
                    or page.get_by_text("This app has encountered an error").count()
                ):
                    errors.append(page.url)
                visits += 1
        assert writer.wait(timeout=120) == 0
        assert errors == []
        assert visits >= SESSIONS * 2  # every session loaded pages while the loads ran

        fresh = contexts[0].new_page()
        fresh.goto(url + "/")
        wait_for_app(fresh, timeout=90000)
        assert work_groups_tile(fresh) == before + 30  # the three loads are visible after the flips
    finally:
        for c in contexts:
            c.close()
        stop_server(proc)
