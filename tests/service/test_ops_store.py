"""The ops store, once on the embedded SQLite file and once on a real PostgreSQL (parametrised):
one schema for the CLI and the app, nothing lost with several writers, the access log refusing to
show what it cannot record, demand logging that never waits, rejected loads in the journal, and
uploads that only one loader can claim."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from dashboard.data import audit, demand
from dashboard.data.finder_params import Filters
from pipelines.config import REPO_ROOT, paths
from pipelines.ops import journal, uploads
from pipelines.ops.store import get_store, migration_files, open_store, reset_stores


def atlas(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipelines", *args],
        cwd=REPO_ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_and_app_migrate_the_same_schema_once(ops_backend):
    # Several processes starting at once (replicas, the CLI) each migrate: the lock makes it once.
    with ThreadPoolExecutor(4) as pool:
        stores = list(pool.map(lambda _: open_store(), range(4)))
    for s in stores:
        s.close()
    shown = atlas("ops", "--json")
    assert shown.returncode == 0, shown.stderr
    cli = json.loads(shown.stdout)
    app = get_store()
    assert cli["backend"] == app.backend == ops_backend
    assert cli["tables"] == app.tables()
    assert cli["version"] == app.version() == max(v for v, _, _ in migration_files())
    _, rows = app.fetch("SELECT count(*) FROM ops_migrations")
    assert rows[0][0] == len(migration_files())
    assert "rows" in app.tables()["access_log"] and "replica" in app.tables()["unmet_demand"]


def test_access_log_records_every_access_and_reads_newest_first(ops_backend, monkeypatch):
    monkeypatch.setenv("ATLAS_REPLICA", "replica-a")
    audit.record("origin.lead@example.org", "hub_lead", "view", "llme_roster", ["origin"], 12)
    audit.record(
        "coordinator@example.org", "coordinator", "download", "llme_roster", ["origin", "boolean"], 30
    )
    log = audit.read()
    assert log.height == 2
    newest = log.row(0, named=True)
    assert (
        newest["action"] == "download" and newest["hub_ids"] == ["origin", "boolean"] and newest["rows"] == 30
    )
    assert set(log["replica"]) == {"replica-a"}
    assert log["accessed_at"].is_sorted(descending=True)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_access_log_raises_when_it_cannot_record(backend, monkeypatch, tmp_path):
    """Named data is shown only after its record is written: an unwritable store raises."""
    reset_stores()
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    if backend == "sqlite":
        monkeypatch.delenv("ATLAS_DATABASE_URL", raising=False)
        (tmp_path / "ops" / "ops.sqlite3").mkdir(parents=True)  # a folder where the file should be
    else:
        from tests.service.topology import free_port

        monkeypatch.setenv(
            "ATLAS_DATABASE_URL", f"postgresql://atlas@127.0.0.1:{free_port()}/none?connect_timeout=1"
        )
        monkeypatch.setenv("ATLAS_DATABASE_TIMEOUT_S", "2")
    with pytest.raises(Exception):  # noqa: B017 - sqlite3 or psycopg errors alike
        audit.record("coordinator@example.org", "coordinator", "view", "llme_roster", ["origin"], 1)
    reset_stores()


def test_writers_in_several_processes_lose_nothing(ops_backend, tmp_path):
    """Two replicas (processes) and this one write at the same time: every row arrives."""
    script = (
        "import sys\n"
        "from dashboard.data import audit, demand\n"
        "from dashboard.data.finder_params import Filters\n"
        "from pipelines.ops.store import get_store\n"
        "for i in range(40):\n"
        "    audit.record('c@example.org', 'coordinator', 'view', 'llme_roster', ['origin'], i)\n"
        "    demand.log_zero_result(Filters(), 2026, 'GL55', 'glow', 5)\n"
        "get_store().flush()\n"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script], cwd=REPO_ROOT, env={**os.environ, "ATLAS_REPLICA": f"p{i}"}
        )
        for i in range(2)
    ]
    for i in range(40):
        audit.record("c@example.org", "coordinator", "view", "llme_roster", ["origin"], i)
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    assert audit.read(limit=1000).height == 120
    logged = demand.read_demand()
    assert logged.height == 80 and set(logged["replica"]) == {"p0", "p1"}


def test_demand_logging_never_waits_for_a_busy_store(ops_backend):
    """While another writer holds the table, a zero-result search returns at once and its row
    is written as soon as the lock goes."""
    s = get_store()
    if ops_backend == "sqlite":
        import sqlite3

        other = sqlite3.connect(s.location, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        release = lambda: other.execute("COMMIT")  # noqa: E731
    else:
        import psycopg

        other = psycopg.connect(os.environ["ATLAS_DATABASE_URL"])
        other.execute("LOCK TABLE unmet_demand IN ACCESS EXCLUSIVE MODE")
        release = other.commit
    started = time.monotonic()
    for _ in range(20):
        assert demand.log_zero_result(Filters(phases=("primary",)), 2026, "B1", "delta", 10)
    waited = time.monotonic() - started
    release()
    other.close()
    assert waited < 1.0, f"logging waited {waited:.2f} s for a locked store"
    assert demand.read_demand().height == 20


def test_a_rejected_cli_load_is_in_the_journal_the_app_reads(ops_backend, tmp_path):
    from pipelines.build import build
    from tests.conftest import TODAY

    p = paths()
    build(p, sample_scale=0.02, today=TODAY)
    bad = tmp_path / "no_columns.csv"
    bad.write_text("nothing,useful\n1,2\n", encoding="utf-8")
    run = atlas("ingest", "work_groups", str(bad))
    assert run.returncode == 1
    rejected = journal.runs(p, status="rejected")
    assert rejected.height == 1
    row = rejected.row(0, named=True)
    assert row["file"] == "no_columns.csv" and row["entity"] == "work_groups" and "column" in row["message"]
    status = json.loads(atlas("status", "--json").stdout)
    assert status["runs"][-1]["file"] == "no_columns.csv"


def test_only_one_loader_claims_an_upload(ops_backend):
    p = paths()
    u = uploads.submit(
        p, "work_groups", "../../etc/wg.csv", b"a,b\n", strict=False, uploaded_by="c@example.org"
    )
    assert u.status == "queued" and u.file_name == "wg.csv"  # only the base name is kept
    assert Path(u.stored_path).parent.parent == p.uploads
    barrier = threading.Barrier(4)

    def grab(_):
        barrier.wait()
        return uploads.claim(p)

    with ThreadPoolExecutor(4) as pool:
        claims = [c for c in pool.map(grab, range(4)) if c is not None]
    assert len(claims) == 1 and claims[0].status == "running"
    assert uploads.claim(p) is None


def test_the_loader_takes_queued_uploads_and_survives_a_hostile_workbook(ops_backend, tmp_path):
    """What a web replica queues, the loader loads (a new snapshot); a workbook whose used range is
    absurd ends only the limited child, and the upload says what went wrong."""
    import xlsxwriter

    from pipelines.build import build
    from pipelines.ops import loader
    from pipelines.warehouse.store import current_snapshot
    from tests.conftest import TODAY
    from tests.hardening.corpus import WG_COLUMNS, csv_bytes, wg

    p = paths()
    build(p, sample_scale=0.02, today=TODAY)
    before = current_snapshot(p)
    good = uploads.submit(
        p,
        "work_groups",
        "groups.csv",
        csv_bytes(WG_COLUMNS, [wg(1), wg(2)]),
        strict=False,
        uploaded_by="coordinator@example.org",
    )
    hostile = tmp_path / "huge.xlsx"
    book = xlsxwriter.Workbook(str(hostile))
    book.add_worksheet().write(1048575, 16383, " ")  # one space in XFD1048576
    book.close()
    bad = uploads.submit(p, "work_groups", "huge.xlsx", hostile.read_bytes(), strict=False, uploaded_by="c")
    assert loader.serve(p, once=True) == 2
    good, bad = uploads.get(p, good.upload_id), uploads.get(p, bad.upload_id)
    assert good.status == "done" and good.outcome["loaded"] == 2 and good.outcome["status"] == "loaded"
    assert current_snapshot(p) != before and current_snapshot(p).name == good.outcome["snapshot"]
    assert bad.finished and "huge.xlsx" in (bad.message or "")
    assert bad.status == "failed" or bad.outcome["status"] == "rejected"  # crashed child, or "too large"
    assert not list(p.uploads.glob("*/*"))  # uploaded copies are not kept; the landed file is
    journal_files = set(journal.runs(p)["file"])
    assert {"groups.csv", "huge.xlsx"} <= journal_files
