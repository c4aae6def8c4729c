"""kill -9 a load at each step: the published snapshot stays intact, the next run completes,
and nothing is ever half-published."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import duckdb
import pytest

from pipelines.build import build
from pipelines.warehouse.store import current_snapshot
from tests.conftest import TODAY
from tests.hardening.corpus import WG_COLUMNS, csv_bytes, wg

POINTS = ("read", "validate", "write", "before_flip", "after_flip")


def state(p) -> tuple[int, int, int]:
    with duckdb.connect(str(current_snapshot(p)), read_only=True) as con:
        return con.execute(
            "SELECT (SELECT count(*) FROM work_groups), (SELECT count(*) FROM load_log),"
            " (SELECT count(*) FROM work_groups WHERE work_group_id LIKE 'crash-%')"
        ).fetchall()[0]


def ingest(p, path, failpoint: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "ATLAS_DATA_DIR": str(p.data_dir)}
    env.pop("ATLAS_FAILPOINT", None)
    if failpoint:
        env["ATLAS_FAILPOINT"] = failpoint
    return subprocess.run(
        [sys.executable, "-m", "pipelines", "ingest", "work_groups", str(path), "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


@pytest.mark.slow
@pytest.mark.parametrize("point", POINTS)
def test_kill_9_at_each_step(point, fresh_warehouse, tmp_path):
    p = fresh_warehouse
    rows = [wg(i, work_group_id=f"crash-{i:03d}") for i in range(50)]
    path = tmp_path / "wg.csv"
    path.write_bytes(csv_bytes(WG_COLUMNS, rows))
    before_file, before = current_snapshot(p), state(p)

    killed = ingest(p, path, failpoint=point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr

    after = state(p)  # the current snapshot opens and reads cleanly
    if point == "after_flip":
        assert current_snapshot(p) != before_file
        assert after == (before[0] + 50, before[1] + 1, 50)  # fully published
    else:
        assert current_snapshot(p) == before_file
        assert after == before  # nothing half-published

    again = ingest(p, path)
    assert again.returncode == 0, again.stderr
    assert state(p)[2] == 50

    # A rebuild replays exactly the loads that were published, once each, under the file's own name
    # (a killed load's leftover copy must not be replayed beside the successful retry).
    build(p, sample_scale=0.2, today=TODAY)
    assert state(p)[2] == 50
    assert not list(p.landed.glob("*.pending"))
    with duckdb.connect(str(current_snapshot(p)), read_only=True) as con:
        replayed = con.execute("SELECT file_name FROM load_log WHERE kind = 'ingest'").fetchall()
    assert replayed == [("wg.csv",)]
