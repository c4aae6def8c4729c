"""The open data shipped in data/opendata: its manifest, its sizes, and a fresh build that uses it."""

from __future__ import annotations

import json
import shutil

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from pipelines import reference
from pipelines.cli import app
from pipelines.config import OPEN_DATA_DIR, paths
from pipelines.tools import ship_open_data
from pipelines.warehouse.store import current_snapshot
from tests.conftest import TODAY, shared_open_data


def test_every_shipped_file_matches_its_manifest_entry():
    assert reference.manifest_problems(OPEN_DATA_DIR) == []
    entries = json.loads((OPEN_DATA_DIR / reference.MANIFEST).read_text(encoding="utf-8"))["files"]
    assert sorted(e["path"] for e in entries) == sorted(reference.SHIPPED)
    for e in entries:
        assert e["licence"] == "Open Government Licence v3.0"
        assert "Open Government Licence" in e["attribution"]
        assert (OPEN_DATA_DIR / e["path"]).stat().st_size == e["bytes"] < ship_open_data.MAX_BYTES
    rows = {e["path"]: e["rows"] for e in entries}
    assert rows["geo/england_lad.geojson"] == 296
    assert rows["schools/gias_open_schools.parquet"] == 22010
    assert ship_open_data.main(["--check"]) == 0


def test_a_changed_or_unlisted_file_is_reported(tmp_path):
    copy = tmp_path / "opendata"
    shutil.copytree(OPEN_DATA_DIR, copy)
    with open(copy / "geo" / "lad_to_region.csv", "a", encoding="utf-8") as f:
        f.write("E99999999,Nowhere,,,,,\n")
    (copy / "geo" / "extra.csv").write_text("a\n1\n", encoding="utf-8")
    (copy / "geo" / "england_regions.geojson").unlink()
    problems = "\n".join(reference.manifest_problems(copy))
    assert "geo/lad_to_region.csv: SHA-256 differs" in problems
    assert "geo/lad_to_region.csv: 297 rows, manifest says 296" in problems
    assert "geo/extra.csv: not in the manifest" in problems
    assert "geo/england_regions.geojson: listed in the manifest but missing" in problems
    assert ship_open_data.main(["--check", "--out", str(copy)]) == 1


@pytest.mark.skipif(shared_open_data() is None, reason="shared open data not available")
def test_shipped_copy_holds_the_same_facts_as_the_shared_data(tmp_path):
    shared = shared_open_data()
    shipped = reference.read_schools(OPEN_DATA_DIR / reference.SCHOOLS_PARQUET)
    original = pl.read_csv(shared / "schools" / "gias_open_schools.csv", infer_schema_length=0)
    # Text forms of numbers may differ (51.5 vs 51.50000), so compare typed values.
    typed = [
        pl.col("urn").cast(pl.Int64),
        pl.col("latitude", "longitude").cast(pl.Float64),
        pl.col("pupils").cast(pl.Int64),
    ]
    assert shipped.with_columns(typed).equals(original.with_columns(typed))
    for rel in reference.SHIPPED:
        if rel != reference.SCHOOLS_PARQUET:
            assert (OPEN_DATA_DIR / rel).read_bytes() == (shared / rel).read_bytes(), rel
    # Re-shipping from the shared folder gives the same bytes (the manifest would not change).
    ship_open_data.main(["--from", str(shared), "--out", str(tmp_path)])
    assert (tmp_path / reference.MANIFEST).read_text() == (OPEN_DATA_DIR / reference.MANIFEST).read_text()


def _counts(data_dir):
    with duckdb.connect(str(current_snapshot(paths(data_dir))), read_only=True) as con:
        return con.execute(
            "SELECT (SELECT count(*) FROM lad_boundaries),"
            " (SELECT count(*) FROM schools WHERE NOT is_sample),"
            " (SELECT value FROM build_info WHERE key = 'open_data'),"
            " (SELECT value FROM build_info WHERE key = 'open_data_from')"
        ).fetchall()[0]


def test_a_fresh_build_without_shared_data_uses_the_shipped_copy(tmp_path, monkeypatch):
    monkeypatch.delenv("ATLAS_REFERENCE_DIR", raising=False)
    monkeypatch.setenv("ATLAS_TODAY", TODAY.isoformat())
    args = ["build", "--sample-scale", "0.02", "--data-dir"]
    result = CliRunner().invoke(app, [*args, str(tmp_path / "default")])
    assert result.exit_code == 0, result.output
    assert str(OPEN_DATA_DIR) in result.output.replace("\n", "")
    assert _counts(tmp_path / "default") == (296, 22010, "loaded", "the copy shipped with the product")

    result = CliRunner().invoke(app, [*args, str(tmp_path / "none"), "--no-open-data"])
    assert result.exit_code == 0, result.output
    assert _counts(tmp_path / "none") == (0, 0, "not loaded", None)

    both = CliRunner().invoke(app, [*args, str(tmp_path / "x"), "--no-open-data", "--reference-dir", "."])
    assert both.exit_code == 2
