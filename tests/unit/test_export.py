"""Open-data release (`atlas export --out DIR`, issue 15 item 3): the files, the suppression (no
released cell reveals a hidden count), no personal data, and the metadata. Run through the real
command line on the session warehouse; expected counts come from independent SQL."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from dashboard.privacy import SYMBOL, THRESHOLD
from pipelines.export import TABLES, export_zip
from pipelines.warehouse.store import current_snapshot
from tests.independent_sql import sql
from tests.unit.test_cli import atlas


@pytest.fixture(scope="module")
def release(warehouse, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release")
    done = atlas("export", "--out", str(out), data_dir=warehouse.data_dir)
    assert done.returncode == 0, done.stderr
    return out


def test_release_has_csv_and_parquet_per_table_a_dictionary_and_metadata(release):
    names = {f.name for f in release.iterdir()}
    for t in TABLES:
        assert {f"{t.name}.csv", f"{t.name}.parquet"} <= names
        assert pl.read_parquet(release / f"{t.name}.parquet").height > 0
    assert {"data_dictionary.csv", "metadata.json"} <= names
    dictionary = pl.read_csv(release / "data_dictionary.csv")
    for t in TABLES:
        columns = pl.read_parquet(release / f"{t.name}.parquet").columns
        described = dictionary.filter(pl.col("file") == t.name)
        assert described["column"].to_list() == columns
        assert described["meaning"].str.len_chars().min() > 10, "every column is explained"


@pytest.mark.parametrize("table", [t for t in TABLES if t.totals_over], ids=lambda t: t.name)
def test_no_released_cell_reveals_a_suppressed_count(release, table):
    frame = pl.read_parquet(release / f"{table.name}.parquet")
    flag = f"{table.count}_suppressed"
    shown = frame.filter(~pl.col(flag))[table.count]
    # Primary: no 1-4 is ever shown.
    assert shown.filter((shown > 0) & (shown < THRESHOLD)).len() == 0
    assert frame.filter(pl.col(flag))[table.count].null_count() == frame[flag].sum() > 0
    # Secondary: in every grouping whose total is published, never exactly one hidden cell among
    # several (a group of one cell has a total equal to that 1-4 count, which is itself hidden).
    for group in table.totals_over:
        lone = (
            frame.group_by(list(group))
            .agg(pl.col(flag).sum().alias("hidden"), pl.len().alias("cells"))
            .filter((pl.col("hidden") == 1) & (pl.col("cells") > 1))
        )
        assert lone.is_empty(), (group, lone.head())
    # The CSV says the same: the symbol exactly where Parquet is suppressed, numbers elsewhere.
    csv = pl.read_csv(release / f"{table.name}.csv", infer_schema=False)
    assert csv.height == frame.height
    assert (csv[table.count] == SYMBOL).to_list() == frame[flag].to_list()


def test_shown_counts_match_independent_sql(release, warehouse):
    frame = pl.read_parquet(release / "schools_reached_by_hub_phase_la_year.parquet")
    expected = {
        (hub, year, la): n
        for hub, year, la, n in sql(
            warehouse,
            """
            SELECT w.hub_id, w.year_start, coalesce(s.la_name, 'Unknown'), count(DISTINCT p.school_urn)
            FROM participations AS p, work_groups AS w, schools AS s
            WHERE p.work_group_id = w.work_group_id AND s.urn = p.school_urn
            GROUP BY ALL
            """,
        )
    }
    # Each hub x LA x year: the released phase cells add up to the independent count when none is hidden.
    sums = frame.group_by("hub_id", "year_start", "la_name").agg(
        pl.col("schools_reached").sum(), pl.col("schools_reached_suppressed").any().alias("any_hidden")
    )
    checked = 0
    for hub, year, la, n, any_hidden in sums.iter_rows():
        if not any_hidden:
            assert n == expected[(hub, year, la)], (hub, year, la)
            checked += 1
    assert checked > 50
    llmes = pl.read_parquet(release / "llmes_by_hub_phase_year.parquet")
    assert llmes.height == 40 * 4 * len(sql(warehouse, "SELECT * FROM academic_years"))


def test_no_personal_data_in_any_released_file(release, warehouse):
    personal = {v for row in sql(warehouse, "SELECT full_name, email, llme_id FROM llmes") for v in row if v}
    assert len(personal) > 100
    for f in release.iterdir():
        text = (
            pl.read_parquet(f).write_csv() + " ".join(pl.read_parquet(f).columns)
            if f.suffix == ".parquet"
            else f.read_text(encoding="utf-8-sig")
        )
        assert "@" not in text, f.name
        found = [v for v in personal if v in text]
        assert not found, (f.name, found[:3])


def test_metadata_names_the_snapshot_data_as_at_licence_and_attribution(release, warehouse):
    meta = json.loads((release / "metadata.json").read_text(encoding="utf-8"))
    assert meta["source_snapshot"] == current_snapshot(warehouse).name
    assert meta["data_as_at"]["warehouse_built"]
    assert meta["licence"] == "Open Government Licence v3.0"
    assert any("Office for National Statistics" in a for a in meta["attribution"])
    assert meta["sample_data"] is True and "SAMPLE DATA" in meta["notice"]
    assert meta["suppression"]["symbol"] == SYMBOL


def test_the_zip_holds_the_same_files(warehouse, release):
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(export_zip(warehouse))) as archive:
        names = {Path(n).name for n in archive.namelist()}
        assert names == {f.name for f in release.iterdir()}
        inner = next(n for n in archive.namelist() if n.endswith("schools_reached_by_hub_phase_la_year.csv"))
        assert archive.read(inner) == (release / "schools_reached_by_hub_phase_la_year.csv").read_bytes()


def test_the_export_never_loads_streamlit():
    code = "import sys, pipelines.cli, pipelines.export; sys.exit('streamlit' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], timeout=120).returncode == 0


def test_export_without_a_warehouse_says_so(tmp_path):
    done = atlas("export", "--out", str(tmp_path / "out"), data_dir=tmp_path / "empty")
    assert done.returncode == 1
    assert "atlas build" in done.stderr + done.stdout


def test_llme_release_hides_the_same_cells_as_the_coverage_page(release, use_warehouse):
    import streamlit as st

    from dashboard.data import coverage

    st.cache_data.clear()
    st.cache_resource.clear()
    frame = pl.read_parquet(release / "llmes_by_hub_phase_year.parquet")
    year = int(frame["year_start"].max())
    page = coverage.llme_matrix(year, None, None, None, exact=False)
    mine = frame.filter(pl.col("year_start") == year)
    hidden_page = set(page.filter(pl.col("active_llmes_hidden")).select("hub_id", "phase_label").iter_rows())
    hidden_mine = set(mine.filter(pl.col("active_llmes_suppressed")).select("hub_id", "phase").iter_rows())
    assert hidden_mine == hidden_page and hidden_page


@pytest.mark.parametrize("hub_id", ["origin", "glow"])
def test_reach_release_never_adds_up_to_a_number_the_hub_profile_hides(release, use_warehouse, hub_id):
    import streamlit as st

    from dashboard.data import hub_profile

    st.cache_data.clear()
    st.cache_resource.clear()
    frame = pl.read_parquet(release / "schools_reached_by_hub_phase_la_year.parquet")
    mine = frame.filter(pl.col("hub_id") == hub_id)
    checked = 0
    for year in sorted(set(mine["year_start"]))[-2:]:
        cells = mine.filter(pl.col("year_start") == year)
        for column, page in (
            (
                "la_name",
                hub_profile.hub_reach_by_la(hub_id, year, exact=False).rename({"local_authority": "la_name"}),
            ),
            ("phase", hub_profile.hub_reach_by_phase(hub_id, year, exact=False)),
        ):
            hidden = page.filter(pl.col("schools_reached_hidden"))[column].to_list()
            for key in hidden:
                parts = cells.filter(pl.col(column) == key)
                assert parts["schools_reached_suppressed"].all(), (year, column, key)
                checked += parts.height
    assert checked, "some hidden page totals were checked"
