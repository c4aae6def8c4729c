"""The load journal: every load attempt, loaded or rejected, from the CLI, the loader or a build.

Published loads are also in the snapshot's load_log; rejected ones never reach a snapshot, so this
journal (in the ops store, shared by every replica) is where the ingest report finds them.
"""

from __future__ import annotations

import json
import logging
import os
import socket

import polars as pl

from pipelines.config import Paths
from pipelines.ops.store import OpsStore, get_store, now

_LOG = logging.getLogger(__name__)
RUN_SCHEMA = {
    "finished_at": pl.Datetime("us"),
    "entity": pl.String,
    "file": pl.String,
    "status": pl.String,
    "received": pl.Int64,
    "loaded": pl.Int64,
    "quarantined": pl.Int64,
    "message": pl.String,
    "snapshot": pl.String,
    "unchanged": pl.Boolean,
    "duration_s": pl.Float64,
    "upload_id": pl.String,
    "host": pl.String,
}


def record_run(p: Paths, result: dict, upload_id: str | None = None, store: OpsStore | None = None) -> bool:
    """Journal one run (an IngestResult as a dict). Never raises: a load that happened must not
    be reported as failed because the journal was unreachable; False (and a warning) instead."""
    upload_id = upload_id or os.environ.get("ATLAS_UPLOAD_ID")  # set by the loader for its child
    try:
        s = store or get_store(p)
        s.execute(
            "INSERT INTO load_runs (finished_at, entity, file, status, received, loaded, quarantined,"
            " message, snapshot, unchanged, duration_s, upload_id, host, detail)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                now(),
                str(result.get("entity", "")),
                str(result.get("file", "")),
                str(result.get("status", "")),
                int(result.get("received") or 0),
                int(result.get("loaded") or 0),
                int(result.get("quarantined") or 0),
                str(result.get("message") or ""),
                result.get("snapshot"),
                bool(result.get("unchanged")),
                float(result.get("duration_s") or 0.0),
                upload_id,
                socket.gethostname(),
                json.dumps(result, default=str),
            ],
        )
        return True
    except Exception as exc:  # noqa: BLE001 - see docstring
        _LOG.warning("load journal not written: %s", exc)
        return False


def runs(p: Paths | None = None, limit: int = 200, status: str | None = None) -> pl.DataFrame:
    """The newest runs first (optionally only one status)."""
    cols = ", ".join(RUN_SCHEMA)
    where = "WHERE status = ?" if status else ""
    params = [status] if status else []
    return get_store(p).frame(
        f"SELECT {cols} FROM load_runs {where} ORDER BY finished_at DESC LIMIT ?",  # noqa: S608 - fixed names
        [*params, limit],
        RUN_SCHEMA,
    )
