"""The load benchmark's client (benchmarks/stclient.py) against the real server: it must speak
Streamlit's websocket protocol as the browser does, or every load figure would measure something
else (a page that never ran, an error page, a rerun of the wrong page)."""

from __future__ import annotations

import pytest

from benchmarks.stclient import RerunError, StreamlitSession

pytestmark = pytest.mark.browser


def test_client_runs_pages_and_searches_like_a_browser(app_url):
    tab = StreamlitSession(app_url, timeout=180)
    try:
        first = tab.run("finder", "phase=secondary")
        assert tab.session_id, "the server's new_session message gives the session id"
        assert {"finder", "coverage", "hub"} <= set(tab.page_hashes), "navigation lists the pages"
        assert any("secondary" in h.lower() for h in first.headings), first.headings
        assert first.elements > 10

        again = tab.run("finder", "phase=primary")  # a new search on the same session
        assert any("primary" in h.lower() for h in again.headings), again.headings
        assert not any("secondary" in h.lower() for h in again.headings)

        profile = tab.run("hub", "hub=origin")  # another page on the same session
        assert any("Origin Maths Hub" in h for h in profile.headings), profile.headings

        with pytest.raises(RerunError, match="page not found"):
            tab.run("no-such-page")
    finally:
        tab.close()


def test_client_reports_a_new_session_per_tab(app_url):
    one, two = StreamlitSession(app_url, timeout=180), StreamlitSession(app_url, timeout=180)
    try:
        one.run("about")
        two.run("about")
        assert one.session_id and two.session_id and one.session_id != two.session_id
    finally:
        one.close()
        two.close()
