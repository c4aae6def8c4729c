"""Open data: load from a folder and stage it (downloads: test_reference_download.py)."""

from __future__ import annotations

import duckdb
import pytest

from pipelines import reference
from pipelines.config import paths
from pipelines.warehouse.store import current_snapshot
from tests.conftest import TODAY, shared_open_data

pytestmark = pytest.mark.skipif(shared_open_data() is None, reason="open data not available")


def test_open_data_build_has_every_english_district_and_the_register(warehouse_open):
    with duckdb.connect(str(current_snapshot(warehouse_open)), read_only=True) as con:
        counts = con.execute(
            "SELECT (SELECT count(*) FROM lad_boundaries),"
            " (SELECT count(*) FROM schools WHERE source = 'dfe_gias'),"
            " (SELECT count(*) FROM postcode_districts), (SELECT count(*) FROM schools WHERE hub_id IS NULL)"
        ).fetchall()[0]
        tudor = con.execute("SELECT name, hub_id, phase FROM schools WHERE urn = 136310").fetchall()
        located = con.execute(
            "SELECT count(*) FILTER (venue_latitude IS NOT NULL), count(*) FROM work_groups "
            "WHERE delivery <> 'online'"
        ).fetchall()[0]
    assert counts == (296, 22010, 2995, 0)
    assert tudor == [("Tudor Grange Academy, Solihull", "origin", "secondary")]
    assert located[0] == located[1] > 0  # every in-person venue has coordinates


def test_cli_reference_from_folder_stages_and_rebuilds(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from pipelines.cli import app

    monkeypatch.setenv("ATLAS_TODAY", TODAY.isoformat())
    result = CliRunner().invoke(
        app,
        [
            "reference",
            "--from",
            str(shared_open_data()),
            "--sample-scale",
            "0.02",
            "--data-dir",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    p = paths(tmp_path)
    assert reference.missing_files(p.open_data) == []
    with duckdb.connect(str(current_snapshot(p)), read_only=True) as con:
        assert con.execute("SELECT value FROM build_info WHERE key = 'open_data'").fetchall() == [("loaded",)]


def test_reference_from_an_incomplete_folder_is_refused(tmp_path):
    with pytest.raises(reference.ReferenceError, match="missing"):
        reference.stage_from_folder(tmp_path, tmp_path / "dest")
