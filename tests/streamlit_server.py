"""One place that starts the app as a real server: `streamlit run dashboard/app.py` on 127.0.0.1, on a
free port, over a given data folder, waits until /_stcore/health answers "ok", and stops it cleanly.

Used by the browser and hardening tests (tests/browser/conftest.py), the service topology's replicas
(tests/service/topology.py) and the benchmarks (benchmarks/load.py, benchmarks/memory_concurrency.py,
and through load.py the soak run and the fallback topology). Each caller keeps its own options (extra
flags, environment, log file, time-outs); only the mechanics live here.

    server = start(data_dir, args=("--secrets.files", path), log=tmp / "server.log")
    server.url       # http://127.0.0.1:<port>
    server.stop()    # SIGTERM, then SIGKILL if it has not exited in time
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipelines.config import REPO_ROOT

APP = REPO_ROOT / "dashboard" / "app.py"
HOST = "127.0.0.1"


def free_port() -> int:
    """A port nothing listens on right now (the kernel's pick for an ephemeral bind on loopback)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_http(
    url: str, timeout_s: float, expect: bytes | None = b"ok", proc: subprocess.Popen | None = None
) -> bool:
    """Poll `url` until it answers (with `expect`, when given); False on time-out, or as soon as
    `proc` (the process that should answer) has exited, so a crashed server fails fast."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=3) as r:  # noqa: S310 - loopback only
                if expect is None or r.read() == expect:
                    return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


def stop(proc: subprocess.Popen, timeout_s: float = 20) -> None:
    """Stop a process cleanly (SIGTERM lets Streamlit close its sessions and files); SIGKILL if it
    has not exited within `timeout_s`. A process that already exited is left as it is."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout_s)


@dataclass
class Server:
    """A running `streamlit run` process, its port and the file its output goes to."""

    proc: subprocess.Popen
    port: int
    log: Path
    own_log: bool = False  # a temporary log this module created (removed on a clean stop)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int:
        return self.proc.pid

    def output(self, tail: int = 3000) -> str:
        """The end of what the server printed (for an error message)."""
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-tail:]
        except OSError:
            return ""

    def wait_healthy(self, timeout_s: float = 60) -> Server:
        """Block until /_stcore/health says "ok"; kill the server and raise with its output if not."""
        if not wait_http(self.url + "/_stcore/health", timeout_s, b"ok", self.proc):
            self.proc.kill()
            self.proc.wait(timeout=20)
            raise RuntimeError(
                f"streamlit at {self.url} did not become healthy ({self.log}):\n{self.output()}"
            )
        return self

    def stop(self, timeout_s: float = 20) -> None:
        stop(self.proc, timeout_s)
        if self.own_log:
            self.log.unlink(missing_ok=True)


# As `make run` and the image start it (see the Makefile); a caller's environment may override it.
SERVER_ENV = {"MALLOC_ARENA_MAX": "2"}


def launch(
    data_dir: Path,
    args: Sequence[str] = (),
    *,
    port: int | None = None,
    env: Mapping[str, str] | None = None,
    log: Path | None = None,
) -> Server:
    """Start the server without waiting for it (several replicas can then boot side by side).

    `env` is the whole environment (default: this process's); ATLAS_DATA_DIR is set on top of it.
    Output goes to `log` (a temporary file when None): a file, not a pipe nobody reads, so a chatty
    server can never block on a full pipe buffer.
    """
    port = port or free_port()
    own_log = log is None
    if log is None:
        fd, name = tempfile.mkstemp(prefix="atlas-streamlit-", suffix=".log")
        os.close(fd)
        log = Path(name)
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(APP),
                "--server.port",
                str(port),
                "--server.address",
                HOST,
                "--server.headless",
                "true",
                *args,
            ],
            cwd=REPO_ROOT,
            env={**SERVER_ENV, **(os.environ if env is None else env), "ATLAS_DATA_DIR": str(data_dir)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Server(proc, port, log, own_log)


def start(
    data_dir: Path,
    args: Sequence[str] = (),
    *,
    port: int | None = None,
    env: Mapping[str, str] | None = None,
    log: Path | None = None,
    timeout_s: float = 60,
) -> Server:
    """launch() and wait until healthy."""
    return launch(data_dir, args, port=port, env=env, log=log).wait_healthy(timeout_s)
