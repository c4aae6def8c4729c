"""Web security: the served config (XSRF on, small upload limit), SQL payloads in every text box,
and a <script> Work Group title shown as text in a real browser."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from pipelines.config import REPO_ROOT
from pipelines.ingest import ingest
from tests.browser.conftest import start_server, stop_server, wait_for_app
from tests.hardening.corpus import WG_COLUMNS, csv_bytes, wg

SQL_PAYLOADS = (
    "'; DROP TABLE work_groups; --",
    "' OR 1=1 --",
    'x" UNION SELECT full_name, email FROM llmes --',
)


def test_served_config_has_xsrf_on_and_a_small_upload_limit():
    shown = subprocess.run(
        [sys.executable, "-m", "streamlit", "config", "show"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert "\nenableXsrfProtection = true" in shown
    assert "\nmaxUploadSize = 20" in shown
    assert "\ngatherUsageStats = false" in shown


def test_the_dashboard_cannot_write_to_the_warehouse(use_warehouse):
    """Why no payload can change data: the pages' connection is read-only (a write fails)."""
    from dashboard.data import db

    st.cache_resource.clear()
    before = db.query("SELECT count(*) AS n FROM work_groups")["n"][0]
    for statement in ("DROP TABLE work_groups", "DELETE FROM work_groups", "CREATE TABLE x (i INTEGER)"):
        with pytest.raises(duckdb.Error):
            db.query(statement)
    assert db.query("SELECT count(*) AS n FROM work_groups")["n"][0] == before > 0


@pytest.mark.parametrize("payload", SQL_PAYLOADS)
def test_sql_payloads_in_every_text_input_are_searched_as_text(use_warehouse, payload):
    st.cache_data.clear()
    st.cache_resource.clear()
    for page in ("national_map", "work_group_finder"):
        at = AppTest.from_file("../../dashboard/app.py", default_timeout=60)
        at.run()
        at.switch_page(f"app_pages/{page}.py")
        at.run()
        assert at.text_input, f"{page} has a text input"
        for box in at.text_input:
            box.input(payload)
            at.run()
            assert not at.exception, (page, at.exception)
            shown = " ".join(m.value for m in at.markdown)
            assert "@example.org" not in shown  # no LLME email leaks through a UNION
            if page == "national_map":  # read as text it matches no school ("' OR 1=1" would match all)
                assert not at.success and at.warning, (payload, [s.value for s in at.success])


@pytest.mark.browser
def test_a_script_title_is_shown_as_text_and_never_runs(fresh_warehouse, page, tmp_path, screenshot):
    title = '<script>window.__atlas_xss = 1</script><img src=x onerror="window.__atlas_xss = 2"> Maths'
    path = tmp_path / "xss.csv"
    path.write_bytes(
        csv_bytes(
            WG_COLUMNS,
            [
                wg(
                    1,
                    work_group_id="xss-001",
                    title=title,
                    delivery="Online",
                    venue_postcode="",
                    venue_name="",
                )
            ],
        )
    )
    assert ingest(fresh_warehouse, "work_groups", path).loaded == 1
    proc, url = start_server(fresh_warehouse.data_dir)
    try:
        page.goto(url + "/finder?phase=primary&delivery=online&year=2026&sort=title")
        wait_for_app(page, timeout=90000)
        page.get_by_text("window.__atlas_xss = 1", exact=False).first.wait_for(timeout=30000)
        assert page.evaluate("() => window.__atlas_xss") is None
        assert page.locator("img[src=x]").count() == 0
        screenshot("security_script_title_as_text")
    finally:
        stop_server(proc)
