"""A minimal two-replica topology for the load benchmark when the service's own
(`tests/service/topology.py`, with `deploy/haproxy.cfg`) is not in the checkout: HAProxy from
Debian's package in front of N `streamlit run` replicas on 127.0.0.1, sticky by cookie, health
checked on /_stcore/health, redispatching when a replica is down. Same interface as the service's
`Topology` for what the benchmark uses: `url`, `replicas[i].proc`, `server_states()`,
`wait_state()`.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import load
from tests.service.topology import haproxy_states, wait_haproxy_state

HAPROXY_CFG = """global
    maxconn 4096
    stats socket {sock} mode 600 level admin
defaults
    mode http
    option http-server-close
    timeout connect 5s
    timeout client 60s
    timeout server 120s
    timeout tunnel 2h
    timeout http-request 15s
frontend atlas
    bind 127.0.0.1:{port}
    default_backend app
backend app
    balance leastconn
    cookie ATLAS_SRV insert indirect nocache httponly
    option httpchk GET /_stcore/health
    http-check expect string ok
    default-server check inter 2s fall 2 rise 2
    option redispatch
    retries 2
{servers}
"""


@dataclass
class Replica:
    name: str
    proc: subprocess.Popen
    url: str


@dataclass
class Topology:
    data_dir: Path
    replicas_wanted: int = 2
    database_url: str | None = None
    replicas: list[Replica] = field(default_factory=list)
    root: Path | None = None
    haproxy: subprocess.Popen | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Topology:
        self.root = Path(tempfile.mkdtemp(prefix="atlas-bench-topology-"))
        try:
            for i in range(self.replicas_wanted):
                proc, url = load.start_server(self.data_dir, self.root / f"r{i + 1}.log")
                self.replicas.append(Replica(f"r{i + 1}", proc, url))
            self.port = load.free_port()
            servers = "\n".join(
                f"    server {r.name} {r.url.removeprefix('http://')} cookie {r.name}" for r in self.replicas
            )
            cfg = self.root / "haproxy.cfg"
            cfg.write_text(
                HAPROXY_CFG.format(sock=self.root / "admin.sock", port=self.port, servers=servers),
                encoding="utf-8",
            )
            with open(self.root / "haproxy.log", "wb") as out:
                self.haproxy = subprocess.Popen(["haproxy", "-db", "-f", str(cfg)], stdout=out, stderr=out)
            load.wait_healthy(self.url, self.haproxy, self.root / "haproxy.log", timeout=30)
        except BaseException:
            self.__exit__()
            raise
        return self

    def server_states(self) -> dict[str, str]:
        return haproxy_states(self.root / "admin.sock")

    def wait_state(self, name: str, state: str, timeout_s: float = 30) -> bool:
        return wait_haproxy_state(self.root / "admin.sock", name, state, timeout_s)

    def __exit__(self, *exc) -> None:
        if self.haproxy is not None:
            load.stop(self.haproxy)
        for r in self.replicas:
            load.stop(r.proc)
