"""Snapshots and the CURRENT pointer: publish, prune, and what a crashed writer leaves behind."""

from __future__ import annotations

import duckdb

from pipelines.build import build
from pipelines.warehouse import store
from tests.conftest import TODAY


def test_build_publishes_a_new_file_and_prunes_old_ones(fresh_warehouse, monkeypatch):
    monkeypatch.setenv("ATLAS_SNAPSHOT_GRACE_S", "0")  # no grace period: only the newest `keep` stay
    first = store.current_snapshot(fresh_warehouse)
    for _ in range(store.KEEP_SNAPSHOTS + 1):
        build(fresh_warehouse, sample_scale=0.02, today=TODAY)
    current = store.current_snapshot(fresh_warehouse)
    assert current != first
    files = sorted(fresh_warehouse.snapshots.glob("atlas-*.duckdb"))
    assert len(files) == store.KEEP_SNAPSHOTS
    assert files[-1] == current
    assert not first.exists()


def test_an_orphan_from_a_crashed_writer_is_never_current_and_is_pruned(fresh_warehouse):
    current = store.current_snapshot(fresh_warehouse)
    orphan = store.start_snapshot(fresh_warehouse, fresh=False)  # a writer that died before its flip
    with duckdb.connect(str(orphan)) as con:
        con.execute("DELETE FROM hubs")
    assert store.current_snapshot(fresh_warehouse) == current
    with duckdb.connect(str(current), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM hubs").fetchall()[0][0] == 40
    build(fresh_warehouse, sample_scale=0.02, today=TODAY)
    assert not orphan.exists()


def test_pointer_flip_leaves_no_temp_files(fresh_warehouse):
    snap = store.start_snapshot(fresh_warehouse, fresh=False)
    store.publish(fresh_warehouse, snap)
    assert store.current_snapshot(fresh_warehouse) == snap
    assert not list(fresh_warehouse.warehouse.glob("CURRENT.*"))
    assert fresh_warehouse.pointer.read_text().strip() == snap.name


def test_a_snapshot_replaced_within_the_grace_period_is_kept_for_replicas(fresh_warehouse, monkeypatch):
    """A replica may have read CURRENT just before a flip: a recently replaced file stays until the
    grace period is over, however many loads come in between."""
    monkeypatch.setenv("ATLAS_SNAPSHOT_GRACE_S", "3600")
    first = store.current_snapshot(fresh_warehouse)
    for _ in range(store.KEEP_SNAPSHOTS + 2):
        store.publish(fresh_warehouse, store.start_snapshot(fresh_warehouse, fresh=False))
    assert first.exists()
    assert len(list(fresh_warehouse.snapshots.glob("atlas-*.duckdb"))) == store.KEEP_SNAPSHOTS + 3
    with store.writer_lock(fresh_warehouse):
        removed = store.prune(fresh_warehouse, grace=0)
    assert first in removed and not first.exists()
    assert len(list(fresh_warehouse.snapshots.glob("atlas-*.duckdb"))) == store.KEEP_SNAPSHOTS


def test_with_no_grace_period_a_replaced_snapshot_goes_at_once_whatever_the_fraction_of_a_second(
    fresh_warehouse, monkeypatch
):
    """PUBLISHED records when a snapshot was replaced; rounded to the second it could lie ahead of the
    clock, so a prune in the same half second kept the file (a flake of the test above under load)."""
    monkeypatch.setattr(store.time, "time", lambda: 1_700_000_000.6)
    for _ in range(store.KEEP_SNAPSHOTS + 1):
        store.publish(fresh_warehouse, store.start_snapshot(fresh_warehouse, fresh=False))
    with store.writer_lock(fresh_warehouse):
        store.prune(fresh_warehouse, grace=0)
    assert len(list(fresh_warehouse.snapshots.glob("atlas-*.duckdb"))) == store.KEEP_SNAPSHOTS
