"""The loader: the one writer that turns uploaded files into snapshots.

Each upload is ingested in a child process with a memory limit (address space, so a reader that
asks for 512 GiB gets an allocation failure instead of the machine) and a time limit (killed when
it runs over). Whatever the child does (exit, crash, abort, run out of memory or time) the loader
records a plain outcome on the upload and in the load journal and goes on.

Two ways to run it:
- `atlas loader` (a long-running process; `deploy/` runs one): claims queued uploads in turn;
- in-process for a single-server install (`make run`): the "Load a file" page calls `run_job`
  itself, which still ingests in a limited child, so the web server never runs a reader.
Set ATLAS_LOADER=external on web replicas when a separate loader runs (they then only queue).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

from pipelines.config import REPO_ROOT, Paths
from pipelines.ops import journal, uploads
from pipelines.ops.store import OpsStore, get_store


def memory_limit_mb() -> int:
    return int(os.environ.get("ATLAS_LOAD_MEMORY_MB", "3072"))


def time_limit_s() -> float:
    return float(os.environ.get("ATLAS_LOAD_TIMEOUT_S", "600"))


def external() -> bool:
    """True when a separate loader process takes the uploads (web replicas only queue them)."""
    return os.environ.get("ATLAS_LOADER", "").lower() == "external"


def _limits(memory_mb: int) -> None:
    """Runs in the child before exec: cap its address space and CPU time."""
    cap = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    cpu = int(time_limit_s()) + 30
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    os.setsid()  # its own process group: a timeout kills it and anything it started


def ingest_in_child(
    p: Paths,
    entity: str,
    path: Path,
    *,
    strict: bool,
    upload_id: str | None = None,
    memory_mb: int | None = None,
    timeout_s: float | None = None,
) -> tuple[str, str, dict | None]:
    """Run `pipelines.ops.job` on one file. Returns (status, message, result): status is `done`
    (result is the IngestResult dict, loaded or rejected) or `failed` (the child did not finish)."""
    memory_mb = memory_mb or memory_limit_mb()
    timeout_s = timeout_s or time_limit_s()
    env = {**os.environ, "ATLAS_DATA_DIR": str(p.data_dir), "POLARS_MAX_THREADS": "2"}
    if upload_id:
        env["ATLAS_UPLOAD_ID"] = upload_id
    cmd = [sys.executable, "-m", "pipelines.ops.job", entity, str(path)] + (["--strict"] if strict else [])
    proc = subprocess.Popen(
        cmd,
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: _limits(memory_mb),  # noqa: PLW1509 - only resource limits and setsid
    )
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return (
            "failed",
            f"the load took longer than the {timeout_s:.0f} s limit and was stopped; nothing changed",
            None,
        )
    result = _last_json(out)
    if proc.returncode in (0, 1) and result is not None:
        return "done", result.get("message", ""), result
    tail = err.decode(errors="replace").strip().splitlines()[-1:] or [""]
    if proc.returncode < 0 or "MemoryError" in tail[0] or "memory allocation" in err.decode(errors="replace"):
        why = (
            f"the file needed more memory than the {memory_mb:,} MB limit for a load"
            if proc.returncode in (-signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV, 1)
            else f"the load stopped (signal {-proc.returncode})"
        )
        return "failed", f"{path.name} could not be loaded: {why}; nothing changed", None
    return (
        "failed",
        f"{path.name} could not be loaded: the loader stopped ({tail[0][:200]}); nothing changed",
        None,
    )


def _last_json(out: bytes) -> dict | None:
    for line in reversed(out.decode(errors="replace").splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                return None
    return None


def run_job(p: Paths, upload: uploads.Upload, store: OpsStore | None = None) -> uploads.Upload:
    """Ingest one claimed upload in a limited child and record the outcome."""
    s = store or get_store(p)
    path = Path(upload.stored_path)
    status, message, result = ingest_in_child(
        p, upload.entity, path, strict=upload.strict, upload_id=upload.upload_id
    )
    if status == "failed":
        journal.record_run(
            p,
            {"status": "rejected", "entity": upload.entity, "file": upload.file_name, "message": message},
            upload_id=upload.upload_id,
            store=s,
        )
    uploads.finish(p, upload.upload_id, status, message, result, store=s)
    try:  # the landed copy (if it loaded) is what a rebuild replays; the upload itself is not kept
        path.unlink(missing_ok=True)
        path.parent.rmdir()
    except OSError:
        pass
    return uploads.get(p, upload.upload_id, store=s)


def serve(p: Paths, poll_s: float = 1.0, once: bool = False, stop_after_s: float | None = None) -> int:
    """Claim and run queued uploads until stopped (or, with `once`, until the queue is empty)."""
    s = get_store(p)
    done = 0
    started = time.monotonic()
    while True:
        upload = uploads.claim(p, store=s)
        if upload is not None:
            run_job(p, upload, store=s)
            done += 1
            continue
        if once or (stop_after_s is not None and time.monotonic() - started > stop_after_s):
            return done
        time.sleep(poll_s)
