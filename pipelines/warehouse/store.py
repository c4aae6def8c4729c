"""Versioned snapshots and the CURRENT pointer.

Readers (the dashboard) open the file CURRENT names, read-only. A writer never opens that file for
writing: it copies it to a new snapshot, changes the copy, checkpoints and closes it, then flips
CURRENT with an atomic rename. A crash at any point leaves CURRENT naming a complete file; a
half-written snapshot is just an orphan that the next prune removes. One writer at a time holds
an exclusive lock so that two loads cannot start from the same snapshot and lose each other's rows.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.config import Paths

KEEP_SNAPSHOTS = 4
MODELS = Path(__file__).resolve().parent.parent / "models"


def current_snapshot(p: Paths) -> Path | None:
    try:
        name = p.pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    path = p.snapshots / name
    return path if name and path.exists() else None


def new_snapshot_path(p: Paths) -> Path:
    p.snapshots.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    return p.snapshots / f"atlas-{stamp}-{os.getpid()}.duckdb"


@contextlib.contextmanager
def writer_lock(p: Paths, timeout_s: float = 600) -> Iterator[None]:
    """Serialise writers across processes (flock is released by the kernel if a writer dies)."""
    p.warehouse.mkdir(parents=True, exist_ok=True)
    with open(p.warehouse / ".writer.lock", "w") as handle:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError("another load is still running; try again later") from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def apply_models(con: duckdb.DuckDBPyConnection, *, tables: bool = True) -> None:
    """Create the macros (shared definitions), every table, the staging views, then the marts (what
    the pages read), one model file at a time (in file-name order within each folder). Without
    `tables`, only the macros and views are (re)created: they hold no data, so every new snapshot
    gets the models of the code that wrote it."""
    for folder in ("macros", "tables", "views", "marts") if tables else ("macros", "views", "marts"):
        for sql in sorted((MODELS / folder).glob("*.sql")):
            con.execute(sql.read_text(encoding="utf-8"))


def start_snapshot(p: Paths, *, fresh: bool) -> Path:
    """A new snapshot file: empty with the schema (fresh) or a byte copy of the current one."""
    target = new_snapshot_path(p)
    base = current_snapshot(p)
    if not fresh and base is not None:
        shutil.copyfile(base, target)
        with duckdb.connect(str(target)) as con:
            apply_models(con, tables=False)
    else:
        with duckdb.connect(str(target)) as con:
            apply_models(con)
    return target


def publish(p: Paths, snapshot: Path) -> None:
    """Make `snapshot` current: fsync it, then replace the pointer atomically."""
    with open(snapshot, "rb") as f:
        os.fsync(f.fileno())
    tmp = p.pointer.with_name(f"CURRENT.{os.getpid()}.tmp")
    tmp.write_text(snapshot.name + "\n", encoding="utf-8")
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, p.pointer)
    with open(p.warehouse / "PUBLISHED", "a", encoding="utf-8") as history:
        # When it became current, to the millisecond: rounded to the second, the time could lie up to
        # half a second ahead, and a prune in that half second kept a file even with no grace period.
        history.write(f"{snapshot.name}\t{time.time():.3f}\n")
    dir_fd = os.open(p.warehouse, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    prune(p)


def discard(snapshot: Path) -> None:
    for path in (snapshot, snapshot.with_name(snapshot.name + ".wal")):
        path.unlink(missing_ok=True)


def grace_s() -> float:
    """How long a replaced snapshot is kept at least, for replicas that may still have it open."""
    return float(os.environ.get("ATLAS_SNAPSHOT_GRACE_S", "900"))


def prune(p: Paths, keep: int = KEEP_SNAPSHOTS, grace: float | None = None) -> list[Path]:
    """Keep the current snapshot, the newest previously published ones (`keep` in all), and any
    replaced less than `grace` seconds ago.

    Replicas on other machines (a shared volume) may have read CURRENT just before a flip and open
    the old name a moment later, or keep a handle on it: the grace period keeps that file. Anything
    else is either old or an orphan of a writer that died before its flip (writers hold the lock
    while pruning, so none is in progress).
    """
    current = current_snapshot(p)
    if current is None:
        return []
    grace = grace_s() if grace is None else grace
    history = p.warehouse / "PUBLISHED"
    lines = (
        [ln for ln in history.read_text(encoding="utf-8").splitlines() if ln.strip()]
        if history.exists()
        else []
    )
    entries = [(f[0], float(f[1]) if len(f) > 1 else 0.0) for f in (line.split() for line in lines)]
    published = [name for name, _ in entries]
    previous = [name for name in reversed(published) if name != current.name]
    # A snapshot was replaced when the next one was published.
    recent = {
        name
        for (name, _), (_, replaced) in zip(entries, entries[1:], strict=False)
        if time.time() - replaced < grace
    }
    keepers = {current.name, *previous[: keep - 1], *recent}
    removed = [f for f in p.snapshots.glob("atlas-*.duckdb") if f.name not in keepers]
    for f in removed:
        discard(f)
    if len(entries) > 10 * keep:  # keep the history file short (but every kept snapshot in it)
        kept = [line for line, (name, _) in zip(lines, entries, strict=True) if name in keepers]
        history.write_text("".join(f"{line}\n" for line in kept), encoding="utf-8")
    for tmp in p.warehouse.glob("CURRENT.*.tmp"):
        tmp.unlink(missing_ok=True)
    return removed


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame, select: str = "*") -> None:
    """INSERT a polars frame into `table` by column name (`select` may add computed columns)."""
    con.register("_frame", frame)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT {select} FROM _frame")  # noqa: S608 - internal names only
    finally:
        con.unregister("_frame")
