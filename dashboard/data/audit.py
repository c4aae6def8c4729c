"""The access log: every view or download of named LLME data (who, what, when, which replica).

It lives in the ops store (`pipelines.ops.store`: SQLite under ATLAS_DATA_DIR/ops, or PostgreSQL
when ATLAS_DATABASE_URL is set), shared by every replica. A record is written before the data is
shown, synchronously (one short INSERT); if it cannot be written, `record` raises and the page
shows nothing named: named data is never shown without a record of it.
"""

from __future__ import annotations

import polars as pl

from pipelines.ops.store import OpsStore, get_store, now, replica_name

SCHEMA = {
    "accessed_at": pl.Datetime("us"),
    "email": pl.String,
    "role": pl.String,
    "action": pl.String,
    "what": pl.String,
    "hub_ids": pl.List(pl.String),
    "rows": pl.Int64,
    "replica": pl.String,
}


def record(
    email: str,
    role: str,
    action: str,
    what: str,
    hub_ids: list[str],
    rows: int,
    store: OpsStore | None = None,
) -> None:
    """Write one access (action: view | download; what: e.g. llme_roster). Raises if it cannot."""
    (store or get_store()).execute(
        "INSERT INTO access_log (accessed_at, email, role, action, what, hub_ids, rows, replica)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [now(), email, role, action, what, list(hub_ids), int(rows), replica_name()],
    )


def read(store: OpsStore | None = None, limit: int = 1000) -> pl.DataFrame:
    """The newest accesses first."""
    return (store or get_store()).frame(
        f"SELECT {', '.join(SCHEMA)} FROM access_log ORDER BY accessed_at DESC LIMIT ?",  # noqa: S608
        [limit],
        SCHEMA,
    )
