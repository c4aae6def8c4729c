"""The access log: every view or download of named LLME data (who, what, when).

The snapshot is read-only to the app, so the log is its own DuckDB file beside the snapshots,
`<ATLAS_DATA_DIR>/warehouse/audit.duckdb`, written one statement at a time under a lock.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines.config import paths

_LOCK = threading.Lock()
SCHEMA = """
CREATE TABLE IF NOT EXISTS access_log (
    accessed_at TIMESTAMP NOT NULL,
    email VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    action VARCHAR NOT NULL,      -- view | download
    what VARCHAR NOT NULL,        -- e.g. llme_roster
    hub_ids VARCHAR[] NOT NULL,
    rows BIGINT NOT NULL
)
"""


def audit_path() -> Path:
    return paths().warehouse / "audit.duckdb"


def record(
    email: str, role: str, action: str, what: str, hub_ids: list[str], rows: int, path: Path | None = None
) -> None:
    """Write one access; retried briefly if another process is writing. Raises if it cannot be
    written, so named data is never shown without a record of it."""
    target = path or audit_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    row = [datetime.now(UTC).replace(tzinfo=None), email, role, action, what, hub_ids, rows]
    for attempt in range(20):
        try:
            with _LOCK, duckdb.connect(str(target)) as con:
                con.execute(SCHEMA)
                con.execute("INSERT INTO access_log VALUES (?, ?, ?, ?, ?, ?, ?)", row)
            return
        except duckdb.IOException:
            if attempt == 19:
                raise
            time.sleep(0.05)


def read(path: Path | None = None, limit: int = 1000) -> pl.DataFrame:
    target = path or audit_path()
    if not target.exists():
        return pl.DataFrame(schema={"accessed_at": pl.Datetime, "email": pl.String, "role": pl.String, "action": pl.String,
                                    "what": pl.String, "hub_ids": pl.List(pl.String), "rows": pl.Int64})  # fmt: skip
    with _LOCK, duckdb.connect(str(target), read_only=True) as con:
        return con.sql("SELECT * FROM access_log ORDER BY accessed_at DESC LIMIT ?", params=[limit]).pl()
