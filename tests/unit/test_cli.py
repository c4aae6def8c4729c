"""The `atlas` CLI end to end in subprocesses: exit codes, --json output, status, sample files."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import TODAY


def atlas(*args: str, data_dir) -> subprocess.CompletedProcess:
    env = {**os.environ, "ATLAS_DATA_DIR": str(data_dir), "ATLAS_TODAY": TODAY.isoformat()}
    return subprocess.run(
        [sys.executable, "-m", "pipelines", *args], capture_output=True, text=True, env=env, timeout=300
    )


def test_status_json_after_build_reports_hubs_and_non_zero_counts(warehouse):
    run = atlas("status", "--json", data_dir=warehouse.data_dir)
    assert run.returncode == 0, run.stderr
    info = json.loads(run.stdout)
    assert info["snapshot"].endswith(".duckdb")
    assert info["counts"]["hubs"] == 40
    for table in ("llmes", "work_groups", "participations"):
        assert info["counts"][table] > 0


def test_ingest_json_and_exit_codes(fresh_warehouse, tmp_path):
    sample_dir = tmp_path / "sample"
    made = atlas("sample", "--scale", "0.05", "--out", str(sample_dir), data_dir=fresh_warehouse.data_dir)
    assert made.returncode == 0, made.stderr

    loaded = atlas(
        "ingest",
        "work_groups",
        str(sample_dir / "work_groups.csv"),
        "--json",
        data_dir=fresh_warehouse.data_dir,
    )
    assert loaded.returncode == 0, loaded.stderr
    body = json.loads(loaded.stdout)
    assert body["status"] == "loaded"
    assert body["received"] == body["loaded"] + body["quarantined"] > 0
    assert set(body) >= {"status", "received", "loaded", "quarantined", "reasons", "snapshot"}

    bad = tmp_path / "bad.csv"
    bad.write_text("work_group_id\nx\n")
    rejected = atlas("ingest", "participations", str(bad), "--json", data_dir=fresh_warehouse.data_dir)
    assert rejected.returncode == 1
    assert json.loads(rejected.stdout)["status"] == "rejected"
    assert "Traceback" not in rejected.stdout + rejected.stderr

    usage = atlas("ingest", "teachers", str(bad), data_dir=fresh_warehouse.data_dir)
    assert usage.returncode == 2
    assert "Traceback" not in usage.stderr


def test_missing_file_is_a_plain_rejection(fresh_warehouse, tmp_path):
    run = atlas("ingest", "llmes", str(tmp_path / "nope.csv"), data_dir=fresh_warehouse.data_dir)
    assert run.returncode == 1
    assert "no such file" in run.stderr
    assert "Traceback" not in run.stderr


def test_help_everywhere(tmp_path):
    for command in ([], ["ingest"], ["build"], ["status"], ["sample"], ["reference"]):
        run = atlas(*command, "--help", data_dir=tmp_path)
        assert run.returncode == 0, (command, run.stderr)
        assert "Usage" in run.stdout
