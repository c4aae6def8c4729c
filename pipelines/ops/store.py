"""The operational store: one schema, two backends.

Everything the running app writes (access log, unmet-demand log, load journal, uploads registry)
goes here, never into a warehouse snapshot (snapshots are read-only to the app). The schema is the
SQL files in `migrations/`, applied in name order on first use by any process (app replica, CLI,
loader), each exactly once (recorded in `ops_migrations`, applied under a lock).

- Embedded default: SQLite in WAL mode at `<ATLAS_DATA_DIR>/ops/ops.sqlite3` (outside the snapshots
  folder; `make clean` leaves it). Several processes may write; SQLite serialises them, and a write
  is one short transaction, so nobody waits long.
- PostgreSQL when `ATLAS_DATABASE_URL` is set (psycopg 3 with a connection pool): the backend for
  several replicas on several machines.

SQL is written once with `?` placeholders; the PostgreSQL backend turns them into `%s`.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import socket
import sqlite3
import threading
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl

from pipelines.config import Paths, paths

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_LOG = logging.getLogger(__name__)


def now() -> datetime:
    """UTC now without a zone (the store keeps zone-less UTC timestamps)."""
    return datetime.now(UTC).replace(tzinfo=None)


def replica_name() -> str:
    """Which process wrote a row: $ATLAS_REPLICA (set per replica in a deployment) or host:pid."""
    return os.environ.get("ATLAS_REPLICA") or f"{socket.gethostname()}:{os.getpid()}"


def migration_files() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every migration, in order."""
    out = []
    for f in sorted(MIGRATIONS.glob("*.sql")):
        out.append((int(f.name.split("_", 1)[0]), f.name, f.read_text(encoding="utf-8")))
    return out


def _statements(sql: str) -> list[str]:
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


class OpsStore:
    """Shared behaviour; subclasses provide `_run(sql, params, fetch)` and `migrate()`."""

    backend = ""

    def __init__(self) -> None:
        self._queue: queue.Queue | None = None
        self._queue_lock = threading.Lock()

    # --- to override -------------------------------------------------------------------------
    def _run(self, sql: str, params: Sequence, fetch: bool) -> tuple[int, list[str], list[tuple]]:
        raise NotImplementedError

    def migrate(self) -> list[str]:
        raise NotImplementedError

    def close(self) -> None:
        self.flush()

    @property
    def location(self) -> str:
        raise NotImplementedError

    # --- shared ------------------------------------------------------------------------------
    def adapt(self, value):
        if isinstance(value, list | tuple):
            return json.dumps(list(value), default=str)
        if isinstance(value, dict):
            return json.dumps(value, default=str)
        return value

    def execute(self, sql: str, params: Sequence = ()) -> int:
        """Run one write; returns the number of rows it changed."""
        return self._run(sql, [self.adapt(v) for v in params], fetch=False)[0]

    def fetch(self, sql: str, params: Sequence = ()) -> tuple[list[str], list[tuple]]:
        _, columns, rows = self._run(sql, [self.adapt(v) for v in params], fetch=True)
        return columns, rows

    def frame(self, sql: str, params: Sequence, schema: dict[str, pl.DataType]) -> pl.DataFrame:
        """A query as a polars frame with `schema` (JSON lists decoded, text timestamps parsed)."""
        columns, rows = self.fetch(sql, params)
        raw = pl.DataFrame(rows, schema=columns, orient="row", infer_schema_length=None) if rows else None
        if raw is None:
            return pl.DataFrame(schema=schema)
        exprs = []
        for name, dtype in schema.items():
            col = pl.col(name)
            src = raw.schema[name]
            if isinstance(dtype, pl.List):
                col = col.cast(pl.String).str.json_decode(dtype)
            elif dtype == pl.Datetime and src == pl.String:
                col = col.str.to_datetime(time_unit="us")
            elif dtype == pl.Date and src == pl.String:
                col = col.str.to_date()
            exprs.append(col.cast(dtype).alias(name))
        return raw.select(exprs)

    def version(self) -> int:
        _, rows = self.fetch("SELECT max(version) FROM ops_migrations")
        return int(rows[0][0] or 0)

    def tables(self) -> dict[str, list[str]]:
        """Each ops table and its columns, as the backend reports them (to compare schemas)."""
        out = {}
        for table in ("access_log", "unmet_demand", "load_runs", "uploads", "ops_migrations"):
            columns, _ = self.fetch(f"SELECT * FROM {table} WHERE 1 = 0")  # noqa: S608 - fixed names
            out[table] = columns
        return out

    # --- writes that must never hold up a page -------------------------------------------------
    def submit(self, sql: str, params: Sequence = ()) -> None:
        """Queue a best-effort write for a background thread (the caller never waits)."""
        with self._queue_lock:
            if self._queue is None:
                self._queue = queue.Queue(maxsize=10_000)
                threading.Thread(target=self._drain, name="ops-writer", daemon=True).start()
        try:
            self._queue.put_nowait((sql, list(params)))
        except queue.Full:
            _LOG.warning("ops store: write queue full, row dropped")

    def _drain(self) -> None:
        assert self._queue is not None
        while True:
            sql, params = self._queue.get()
            try:
                self.execute(sql, params)
            except Exception as exc:  # noqa: BLE001 - best effort: log it and carry on
                _LOG.warning("ops store: queued write failed: %s", exc)
            finally:
                self._queue.task_done()

    def flush(self, timeout_s: float = 10) -> None:
        """Wait (bounded) until queued writes are written."""
        q = self._queue
        if q is None:
            return
        done = threading.Event()

        def wait() -> None:
            q.join()
            done.set()

        threading.Thread(target=wait, daemon=True).start()
        done.wait(timeout_s)


class SQLiteStore(OpsStore):
    backend = "sqlite"

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # One connection per process behind a lock: Streamlit runs every script run on a new thread,
        # so per-thread connections would pile up; each statement takes well under a millisecond.
        self._con = sqlite3.connect(path, timeout=5, isolation_level=None, check_same_thread=False)
        self._lock = threading.Lock()
        with self._lock:
            self._con.execute("PRAGMA journal_mode=WAL")
            self._con.execute("PRAGMA synchronous=NORMAL")
            self._con.execute("PRAGMA busy_timeout=5000")

    @property
    def location(self) -> str:
        return str(self.path)

    def adapt(self, value):
        if isinstance(value, datetime):
            return value.isoformat(sep=" ")
        if isinstance(value, date):
            return value.isoformat()
        return super().adapt(value)

    def _run(self, sql, params, fetch):
        with self._lock:
            cur = self._con.execute(sql, params)
            try:
                if fetch:
                    return -1, [d[0] for d in cur.description or ()], cur.fetchall()
                return cur.rowcount, [], []
            finally:
                cur.close()

    def migrate(self) -> list[str]:
        applied = []
        with self._lock:
            self._con.execute("BEGIN IMMEDIATE")  # one migrating process at a time
            try:
                self._con.execute(
                    "CREATE TABLE IF NOT EXISTS ops_migrations "
                    "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL)"
                )
                done = {r[0] for r in self._con.execute("SELECT version FROM ops_migrations").fetchall()}
                for version, name, sql in migration_files():
                    if version in done:
                        continue
                    for statement in _statements(sql):
                        self._con.execute(statement)
                    self._con.execute(
                        "INSERT INTO ops_migrations VALUES (?, ?, ?)", [version, name, self.adapt(now())]
                    )
                    applied.append(name)
                self._con.execute("COMMIT")
            except BaseException:
                self._con.execute("ROLLBACK")
                raise
        return applied

    def close(self) -> None:
        super().close()
        with self._lock:
            self._con.close()


class PostgresStore(OpsStore):
    backend = "postgresql"

    def __init__(self, url: str) -> None:
        super().__init__()
        from psycopg_pool import ConnectionPool  # only deployments with PostgreSQL need it loaded

        self.url = url
        size = int(os.environ.get("ATLAS_DATABASE_POOL", "8"))
        self.pool = ConnectionPool(
            url,
            min_size=1,
            max_size=size,
            kwargs={"autocommit": True},
            open=True,
            timeout=5,
            name="atlas-ops",
        )

    @property
    def location(self) -> str:
        from psycopg.conninfo import conninfo_to_dict

        info = conninfo_to_dict(self.url)
        return f"postgresql://{info.get('host', '')}:{info.get('port', '')}/{info.get('dbname', '')}"

    def _run(self, sql, params, fetch):
        with self.pool.connection() as con, con.cursor() as cur:
            cur.execute(sql.replace("?", "%s"), params)
            if fetch:
                return -1, [d.name for d in cur.description or ()], cur.fetchall()
            return cur.rowcount, [], []

    def migrate(self) -> list[str]:
        applied = []
        with self.pool.connection() as con, con.transaction(), con.cursor() as cur:
            cur.execute(
                "SELECT pg_advisory_xact_lock(hashtext('atlas-ops-migrate'))"
            )  # one migrator at a time
            cur.execute(
                "CREATE TABLE IF NOT EXISTS ops_migrations "
                "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL)"
            )
            cur.execute("SELECT version FROM ops_migrations")
            done = {r[0] for r in cur.fetchall()}
            for version, name, sql in migration_files():
                if version in done:
                    continue
                for statement in _statements(sql):
                    cur.execute(statement)
                cur.execute("INSERT INTO ops_migrations VALUES (%s, %s, %s)", [version, name, now()])
                applied.append(name)
        return applied

    def close(self) -> None:
        super().close()
        self.pool.close()


_STORES: dict[str, OpsStore] = {}
_STORES_LOCK = threading.Lock()


def database_url() -> str | None:
    return os.environ.get("ATLAS_DATABASE_URL") or None


def open_store(p: Paths | None = None, url: str | None = None) -> OpsStore:
    """A new store (migrated); most callers want `get_store`."""
    url = url if url is not None else database_url()
    s: OpsStore = PostgresStore(url) if url else SQLiteStore((p or paths()).ops / "ops.sqlite3")
    s.migrate()
    return s


def get_store(p: Paths | None = None) -> OpsStore:
    """The process-wide store for this data directory (or database URL), migrated on first use."""
    url = database_url()
    key = url or str((p or paths()).ops)
    with _STORES_LOCK:
        s = _STORES.get(key)
        if s is None:
            s = _STORES[key] = open_store(p, url)
        return s


def reset_stores() -> None:
    """Close every cached store (tests switch data directories and databases)."""
    with _STORES_LOCK:
        for s in _STORES.values():
            try:
                s.close()
            except Exception:  # noqa: BLE001, S110 - closing on the way out
                pass
        _STORES.clear()
