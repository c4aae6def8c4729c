"""`atlas ingest`: one file in, a new published snapshot out (or nothing changed at all).

Steps: hash the file; copy the current snapshot to a new file; read the file and validate every
row against the entity's contract there (cross-table rules read that copy, still the published
data; a well-formed CSV is read and judged inside DuckDB, see `contracts.in_duckdb`); upsert the
valid rows, write quarantine and load_log; checkpoint; flip CURRENT. Any failure before the flip
discards the new file, so the published data stays exactly as it was.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, unquote

import duckdb

from pipelines import staging
from pipelines.config import Paths
from pipelines.contracts import ENTITIES, FileRejected, Validation, in_duckdb, module, validate
from pipelines.ops import journal
from pipelines.readers import ReadError, read_table
from pipelines.warehouse import loading, store


@dataclass
class IngestResult:
    status: str  # loaded | rejected
    entity: str
    file: str
    received: int = 0
    loaded: int = 0
    quarantined: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    extra_columns: list[str] = field(default_factory=list)
    snapshot: str | None = None
    message: str = ""
    unchanged: bool = False
    retried: int = 0  # participations that waited for a Work Group this file brought, retried
    retried_loaded: int = 0
    run_id: int | None = None
    duration_s: float = 0.0

    def to_json(self) -> dict:
        return asdict(self)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ingest(p: Paths, entity: str, path: Path, *, strict: bool = False) -> IngestResult:
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    result = IngestResult("rejected", entity, path.name)
    try:
        if entity not in ENTITIES:
            raise FileRejected(f"unknown entity '{entity}' (choose one of: {', '.join(ENTITIES)})")
        if not path.is_file():
            raise ReadError(f"{path}: no such file")
        # A CSV file is read once, for its hash and for the structural proof (staging.plan).
        data = path.read_bytes() if staging.csv_like(path) else None
        digest = sha256_of(path) if data is None else hashlib.sha256(data).hexdigest()
        with store.writer_lock(p):
            base = store.current_snapshot(p)
            if base is None:
                raise FileRejected("there is no warehouse yet: run `atlas build` first")
            if _already_latest(base, entity, digest):
                result.status, result.unchanged, result.snapshot = "loaded", True, base.name
                result.message = "this file is already the latest loaded for this entity: nothing changed"
                return _finish(p, result, t0)
            snapshot = store.start_snapshot(p, fresh=False)
            try:
                with duckdb.connect(str(snapshot)) as con:
                    loading.migrate(con)
                    # Validated against the new snapshot, still a copy of the current one.
                    v = _validate(con, entity, path, data)
                    result.received, result.loaded, result.quarantined = (
                        v.received,
                        v.loaded,
                        v.quarantined_rows,
                    )
                    result.reasons, result.extra_columns = v.reasons, v.extra_columns
                    if strict and v.quarantined_rows:
                        raise FileRejected(
                            f"{path.name}: --strict and {v.quarantined_rows} of {v.received} rows "
                            "failed a rule; nothing loaded"
                        )
                    landed = _land(p, path, entity, digest, started)
                    run_id = loading.next_run_id(con)
                    retried = loading.apply(
                        con,
                        v,
                        run_id=run_id,
                        kind="ingest",
                        file_name=path.name,
                        sha256=digest,
                        started=started,
                        duration_s=time.perf_counter() - t0,
                        snapshot=snapshot.name,
                        is_sample=False,
                        landed_file=landed.with_suffix("").name,
                    )
                    if entity == "work_groups":
                        loading.refresh_locations(con)
                    _failpoint("write")
                    con.execute("CHECKPOINT")
                _failpoint("before_flip")
                store.publish(p, snapshot)
                _failpoint("after_flip")
                landed.rename(landed.with_suffix(""))
            except BaseException:
                store.discard(snapshot)
                raise
            result.status, result.snapshot, result.run_id = "loaded", snapshot.name, run_id
            result.retried, result.retried_loaded = retried
            result.message = f"{v.loaded} loaded, {v.quarantined_rows} quarantined"
            if retried[0]:
                result.message += (
                    f"; {retried[1]} of {retried[0]} participations "
                    "that waited for these Work Groups now loaded"
                )
    except (ReadError, FileRejected, TimeoutError) as exc:
        result.status, result.message = "rejected", str(exc)
        result.loaded = 0
    return _finish(p, result, t0)


def _validate(con: duckdb.DuckDBPyConnection, entity: str, path: Path, data: bytes | None) -> Validation:
    """Every row of the file valid or quarantined. A CSV file whose bytes prove it well-formed is
    read and judged inside DuckDB (the rows to load never leave it); any other file, or one the
    proof does not clear, goes through the exact reader and the polars contract: same outcome."""
    ctx = loading.context(con)
    plan = staging.plan(path, module(entity).REQUIRED, data) if in_duckdb.supports(entity) else None
    v = None
    if plan is not None:
        table = loading.staged_table(con, entity, plan.records)
        # (the run id the load will get: nothing else writes load_log on this connection before)
        direct = in_duckdb.Direct(table, False, loading.next_run_id(con)) if table else None
        v = in_duckdb.validate(con, entity, plan, ctx, direct)
    _failpoint("read")
    if v is None:
        v = validate(entity, read_table(path, required=module(entity).REQUIRED), ctx, path.name)
    _failpoint("validate")
    return v


def _failpoint(name: str) -> None:
    """Crash-safety tests set ATLAS_FAILPOINT=<name> to kill -9 the load here, like a power cut."""
    if os.environ.get("ATLAS_FAILPOINT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _already_latest(snapshot: Path, entity: str, digest: str) -> bool:
    """The same bytes as the latest load of this entity, and none of its rows is waiting for
    something else to be loaded (then a reload can load them, so it is not a no-op)."""
    with duckdb.connect(str(snapshot), read_only=True) as con:
        row = con.execute(
            "SELECT sha256, run_id FROM load_log WHERE kind = 'ingest' AND entity = ? "
            "ORDER BY run_id DESC LIMIT 1",
            [entity],
        ).fetchall()
        if not row or row[0][0] != digest:
            return False
        waiting = con.execute(
            "SELECT count(*) FROM quarantine WHERE run_id = ? AND list_contains(?, rule)",
            [row[0][1], list(loading.WAREHOUSE_RULES)],
        ).fetchall()[0][0]
    return waiting == 0


def landed_name(started: datetime, entity: str, digest: str, file_name: str) -> str:
    """`<stamp>__<entity>__<hash>__<original name, %-quoted>`: a rebuild logs the original name."""
    stem, suffix = os.path.splitext(file_name)
    quoted = quote(stem, safe=" ()-_.,+")[:120] + quote(suffix.lower(), safe=".")[:16]
    return f"{started.strftime('%Y%m%dT%H%M%S%f')}__{entity}__{digest[:12]}__{quoted}"


def parse_landed(name: str) -> tuple[str, str, str]:
    """(entity, hash prefix, original file name) of a landed file (older names had no original)."""
    parts = name.removesuffix(".pending").split("__", 3)
    if len(parts) == 4:
        return parts[1], parts[2], unquote(parts[3])
    return parts[1], parts[2].split(".")[0], name.removesuffix(".pending")


def _land(p: Paths, path: Path, entity: str, digest: str, started: datetime) -> Path:
    """Keep the file so `atlas build` can replay it; `.pending` until the snapshot is published."""
    p.landed.mkdir(parents=True, exist_ok=True)
    target = p.landed / (landed_name(started, entity, digest, path.name) + ".pending")
    shutil.copyfile(path, target)
    return target


def _finish(p: Paths, result: IngestResult, t0: float) -> IngestResult:
    result.duration_s = round(time.perf_counter() - t0, 3)
    journal.record_run(p, result.to_json())  # the ops store keeps every run, rejected ones too
    return result
