"""The production topology from Debian packages on 127.0.0.1: PostgreSQL, N Streamlit replicas and
HAProxy with deploy/haproxy.cfg. Used by tests/service and by the load benchmark; every port is a
free one, everything lives in temporary folders and stops when the context exits.

    from tests.service.topology import Topology, postgres_cluster
    with postgres_cluster() as pg, Topology(data_dir, replicas=2, database_url=pg.url("atlas")) as topo:
        topo.url                 # HAProxy, http://127.0.0.1:<port>
        topo.replicas[0].url     # one replica directly
        topo.stop_replica(0)     # kill one; topo.server_states() shows HAProxy marking it DOWN

`python -m tests.service.topology --data-dir data --replicas 2 [--postgres]` starts it by hand
(Ctrl-C stops it). PostgreSQL refuses to run as root, so as root its processes run as `nobody`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.config import REPO_ROOT
from tests import streamlit_server
from tests.streamlit_server import free_port, stop, wait_http

HAPROXY_CFG = REPO_ROOT / "deploy" / "haproxy.cfg"
# Test-only secrets, the same on every replica (as a deployment must have them).
COOKIE_SECRET = "atlas-test-cookie-secret-not-for-production"


# --- PostgreSQL -------------------------------------------------------------------------------


def pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    return found[-1].parent if found else None


def haproxy_states(admin_socket: Path) -> dict[str, str]:
    """HAProxy's view of each replica of backend "app": UP, DOWN, ... (from its runtime API)."""
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(str(admin_socket))
        s.sendall(b"show stat\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    lines = data.decode().splitlines()
    header = lines[0].lstrip("# ").split(",")
    rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:]]
    return {
        r["svname"]: r["status"]
        for r in rows
        if r.get("pxname") == "app" and r.get("svname") not in ("FRONTEND", "BACKEND")
    }


def wait_haproxy_state(admin_socket: Path, name: str, state: str, timeout_s: float = 30) -> bool:
    """Wait until HAProxy reports replica `name` in `state` (e.g. "DOWN" after a kill)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if haproxy_states(admin_socket).get(name, "").startswith(state):
            return True
        time.sleep(0.5)
    return False


@dataclass
class PostgresCluster:
    """A throwaway cluster: trust auth on 127.0.0.1 only, fsync off (tests, never production)."""

    root: Path
    port: int
    proc: subprocess.Popen
    user: str = "atlas"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}"')
            con.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def _as_unprivileged() -> dict:
    """Popen arguments that drop root (PostgreSQL refuses to run as root)."""
    return {"user": "nobody", "group": "nogroup", "extra_groups": []} if os.geteuid() == 0 else {}


@contextlib.contextmanager
def postgres_cluster() -> Iterator[PostgresCluster]:
    binaries = pg_bin()
    if binaries is None:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="atlas-pg-"))
    os.chmod(root, 0o700)
    if os.geteuid() == 0:
        shutil.chown(root, "nobody", "nogroup")
    drop = _as_unprivileged()
    data = root / "data"
    subprocess.run(
        [
            binaries / "initdb",
            "-D",
            data,
            "-U",
            "atlas",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
        cwd=root,
        **drop,
    )
    port = free_port()
    proc = subprocess.Popen(
        [
            binaries / "postgres",
            "-D",
            data,
            "-p",
            str(port),
            "-k",
            root,
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
            "-c",
            "shared_buffers=32MB",
            "-c",
            "max_connections=200",
        ],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        **drop,
    )
    cluster = PostgresCluster(root, port, proc)
    try:
        import psycopg

        deadline = time.monotonic() + 60
        while True:
            try:
                with psycopg.connect(cluster.url(), connect_timeout=2):
                    break
            except psycopg.OperationalError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "postgres did not start: " + proc.stderr.read().decode()[-2000:]
                    ) from None
                time.sleep(0.2)
        yield cluster
    finally:
        proc.send_signal(signal.SIGINT)  # fast shutdown
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(root, ignore_errors=True)


# --- Streamlit replicas and HAProxy -----------------------------------------------------------


@dataclass
class Replica:
    name: str
    port: int
    proc: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.proc.poll() is None


def render_haproxy_cfg(servers: list[tuple[str, int]], port: int, stats_socket: Path) -> str:
    """deploy/haproxy.cfg for loopback: the lines marked `# local:` swapped, everything else kept."""
    out = []
    for line in HAPROXY_CFG.read_text(encoding="utf-8").splitlines():
        m = None if line.lstrip().startswith("#") else re.search(r"#\s*local:\s*(.+)$", line)
        if not m:
            out.append(line)
            continue
        what, indent = m.group(1).strip(), line[: len(line) - len(line.lstrip())]
        if what == "drop":
            continue
        if what == "bind":
            out.append(f"{indent}bind 127.0.0.1:{port}")
        elif what == "stats socket":
            out.append(f"{indent}stats socket {stats_socket} mode 600 level admin")
        elif what == "cookie":
            # Plain http on loopback: no Secure attribute, so SameSite=Lax instead of None.
            out.append(
                f'{indent}cookie ATLAS_SRV insert indirect nocache httponly attr "SameSite=Lax" dynamic'
            )
        elif what == "servers":
            # Fixed cookie values (the replica names) so tests and benchmarks can pin a session.
            out.extend(f"{indent}server {name} 127.0.0.1:{p} cookie {name}" for name, p in servers)
        else:
            raise ValueError(f"unknown local: marker {what!r} in {HAPROXY_CFG}")
    return "\n".join(out) + "\n"


@dataclass
class Topology:
    """N replicas of the app on one data folder (the shared volume) behind HAProxy."""

    data_dir: Path
    replicas_wanted: int = 2
    database_url: str | None = None
    secrets: str | None = None  # text of a secrets.toml ([auth]); its redirect_uri may use {url}
    env: dict[str, str] = field(default_factory=dict)
    frame_ancestors: str = ""
    logs_to: Path | None = None  # copy the replicas' and HAProxy's logs here on exit
    loader: bool = False  # run `atlas loader` beside the replicas (they then only queue uploads)
    loader_proc: subprocess.Popen | None = None
    replicas: list[Replica] = field(default_factory=list)
    port: int = 0
    root: Path | None = None
    haproxy: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def replica_env(self, name: str) -> dict[str, str]:
        env = {
            **os.environ,
            **self.env,
            "ATLAS_DATA_DIR": str(self.data_dir),
            "ATLAS_REPLICA": name,
            "STREAMLIT_SERVER_COOKIE_SECRET": COOKIE_SECRET,
        }
        if self.loader:
            env["ATLAS_LOADER"] = "external"
        if self.database_url:
            env["ATLAS_DATABASE_URL"] = self.database_url
        else:
            env.pop("ATLAS_DATABASE_URL", None)
        return env

    def __enter__(self) -> Topology:
        self.root = Path(tempfile.mkdtemp(prefix="atlas-topology-"))
        self.port = free_port()
        args: list[str] = []
        if self.secrets is not None:
            secrets = self.root / "secrets.toml"
            secrets.write_text(self.secrets.replace("{url}", self.url), encoding="utf-8")
            args = ["--secrets.files", str(secrets)]
        try:
            for i in range(self.replicas_wanted):
                self.replicas.append(self._start_replica(f"r{i + 1}", args))
            if self.loader:
                self.loader_proc = subprocess.Popen(
                    [sys.executable, "-m", "pipelines", "loader", "--poll", "0.5"],
                    cwd=REPO_ROOT,
                    env=self.replica_env("loader"),
                    stdout=open(self.root / "loader.log", "wb"),
                    stderr=subprocess.STDOUT,
                )
            for r in self.replicas:
                if not wait_http(r.url + "/_stcore/health", 90, b"ok", r.proc):
                    raise RuntimeError(
                        f"replica {r.name} did not become healthy:\n{r.log.read_text()[-3000:]}"
                    )
            self._start_haproxy()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _start_replica(self, name: str, args: list[str]) -> Replica:
        # Launched without waiting: the replicas boot side by side, then __enter__ waits for each.
        log = self.root / f"{name}.log"
        server = streamlit_server.launch(self.data_dir, args, env=self.replica_env(name), log=log)
        return Replica(name, server.port, server.proc, log)

    def _start_haproxy(self) -> None:
        cfg = self.root / "haproxy.cfg"
        cfg.write_text(
            render_haproxy_cfg(
                [(r.name, r.port) for r in self.replicas], self.port, self.root / "admin.sock"
            ),
            encoding="utf-8",
        )
        env = {
            **os.environ,
            "ATLAS_FRAME_ANCESTORS": self.frame_ancestors,
            "ATLAS_COOKIE_KEY": "atlas-test-key",
        }
        check = subprocess.run(
            ["haproxy", "-c", "-q", "-f", str(cfg)], env=env, capture_output=True, text=True
        )
        if check.returncode != 0:
            raise RuntimeError(f"haproxy config invalid:\n{check.stderr}\n{cfg.read_text()}")
        self.haproxy = subprocess.Popen(
            ["haproxy", "-db", "-f", str(cfg)],
            env=env,
            stdout=open(self.root / "haproxy.log", "wb"),
            stderr=subprocess.STDOUT,
        )
        if not wait_http(self.url + "/_stcore/health", 30, b"ok", self.haproxy):
            raise RuntimeError("haproxy did not answer:\n" + (self.root / "haproxy.log").read_text()[-3000:])

    def server_states(self) -> dict[str, str]:
        return haproxy_states(self.root / "admin.sock")

    def wait_state(self, name: str, state: str, timeout_s: float = 30) -> bool:
        return wait_haproxy_state(self.root / "admin.sock", name, state, timeout_s)

    def stop_replica(self, index: int) -> Replica:
        r = self.replicas[index]
        stop(r.proc)
        return r

    def __exit__(self, *exc) -> None:
        if self.haproxy is not None:
            stop(self.haproxy)
        for r in self.replicas:
            stop(r.proc)
        if self.loader_proc is not None:
            stop(self.loader_proc)
        if self.root is not None:
            if self.logs_to is not None:  # keep what each process said (CI artefacts)
                self.logs_to.mkdir(parents=True, exist_ok=True)
                for log in self.root.glob("*.log"):
                    shutil.copyfile(log, self.logs_to / log.name)
            shutil.rmtree(self.root, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=Path("data"))
    ap.add_argument("--replicas", type=int, default=2)
    ap.add_argument("--postgres", action="store_true", help="start a throwaway PostgreSQL for the ops store")
    ap.add_argument("--loader", action="store_true", help="run `atlas loader` (replicas only queue uploads)")
    a = ap.parse_args()
    with contextlib.ExitStack() as stack:
        url = None
        if a.postgres:
            url = stack.enter_context(postgres_cluster()).create_database("atlas")
        topo = stack.enter_context(
            Topology(a.data_dir.resolve(), a.replicas, database_url=url, loader=a.loader)
        )
        replicas = ", ".join(r.url for r in topo.replicas)
        print(f"HAProxy: {topo.url}  replicas: {replicas}  ops: {url or 'sqlite'}")
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(1)


if __name__ == "__main__":
    main()
