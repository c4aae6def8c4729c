"""The registry of uploaded files: the "Load a file" page hands an upload to the loader through it.

A web replica never writes a snapshot. It saves the file under `<ATLAS_DATA_DIR>/ops/uploads/`
(the shared volume), registers it here as `queued`, and waits for the loader to claim it
(`running`) and finish it (`done` with the ingest result, or `failed` with what went wrong).
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from pipelines.config import Paths
from pipelines.ops.store import OpsStore, get_store, now, replica_name

COLUMNS = (
    "upload_id",
    "uploaded_at",
    "uploaded_by",
    "entity",
    "file_name",
    "stored_path",
    "sha256",
    "size_bytes",
    "strict",
    "status",
    "claimed_by",
    "started_at",
    "finished_at",
    "message",
    "result",
)


@dataclass
class Upload:
    upload_id: str
    uploaded_at: object
    uploaded_by: str
    entity: str
    file_name: str
    stored_path: str
    sha256: str
    size_bytes: int
    strict: bool
    status: str
    claimed_by: str | None
    started_at: object
    finished_at: object
    message: str | None
    result: str | None

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    @property
    def outcome(self) -> dict:
        """The ingest result (IngestResult as a dict) once done; {} otherwise."""
        return json.loads(self.result) if self.result else {}


def submit(
    p: Paths,
    entity: str,
    file_name: str,
    data: bytes,
    *,
    strict: bool,
    uploaded_by: str,
    store: OpsStore | None = None,
) -> Upload:
    """Save the bytes on the shared volume and queue them for the loader."""
    s = store or get_store(p)
    upload_id = uuid.uuid4().hex
    folder = p.uploads / upload_id
    folder.mkdir(parents=True, exist_ok=True)
    # Only the base name, stripped of anything that could climb out of the folder.
    safe = Path(file_name).name.replace("\x00", "") or "upload"
    target = folder / safe
    target.write_bytes(data)
    s.execute(
        f"INSERT INTO uploads ({', '.join(COLUMNS[:10])}) VALUES (?,?,?,?,?,?,?,?,?,?)",  # noqa: S608 - fixed names
        [
            upload_id,
            now(),
            uploaded_by,
            entity,
            safe,
            str(target),
            hashlib.sha256(data).hexdigest(),
            len(data),
            strict,
            "queued",
        ],
    )
    return get(p, upload_id, store=s)


def get(p: Paths | None, upload_id: str, store: OpsStore | None = None) -> Upload:
    s = store or get_store(p)
    _, rows = s.fetch(f"SELECT {', '.join(COLUMNS)} FROM uploads WHERE upload_id = ?", [upload_id])  # noqa: S608
    if not rows:
        raise KeyError(upload_id)
    u = Upload(*rows[0])
    u.strict = bool(u.strict)
    return u


def claim(p: Paths | None, upload_id: str | None = None, store: OpsStore | None = None) -> Upload | None:
    """Take one queued upload (the oldest, or `upload_id`) for this process; None if there is none.
    The conditional UPDATE makes a claim atomic: two loaders never take the same file."""
    s = store or get_store(p)
    if upload_id is None:
        _, rows = s.fetch(
            "SELECT upload_id FROM uploads WHERE status = 'queued' ORDER BY uploaded_at LIMIT 5"
        )
        candidates = [r[0] for r in rows]
    else:
        candidates = [upload_id]
    for candidate in candidates:
        changed = s.execute(
            "UPDATE uploads SET status = 'running', claimed_by = ?, started_at = ? "
            "WHERE upload_id = ? AND status = 'queued'",
            [replica_name(), now(), candidate],
        )
        if changed == 1:
            return get(p, candidate, store=s)
    return None


def finish(
    p: Paths | None,
    upload_id: str,
    status: str,
    message: str,
    result: dict | None,
    store: OpsStore | None = None,
) -> None:
    s = store or get_store(p)
    s.execute(
        "UPDATE uploads SET status = ?, finished_at = ?, message = ?, result = ? WHERE upload_id = ?",
        [status, now(), message, json.dumps(result) if result is not None else None, upload_id],
    )


def wait(p: Paths | None, upload_id: str, timeout_s: float, poll_s: float = 0.25) -> Upload:
    """Poll until the loader has finished the upload (or the time is up: then it is returned as is)."""
    deadline = time.monotonic() + timeout_s
    while True:
        u = get(p, upload_id)
        if u.finished or time.monotonic() > deadline:
            return u
        time.sleep(poll_s)
