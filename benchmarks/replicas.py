"""Load through the production topology: HAProxy in front of two Streamlit replicas, PostgreSQL for
what the app writes, all from Debian packages on 127.0.0.1 (`tests/service/topology.py`, the same
HAProxy config as `deploy/haproxy.cfg`: sticky cookie, health checks, redispatch).

The Locust driver (the load group's users, `benchmarks/locustfile.py`) goes through HAProxy at the
sample-scale-10 warehouse (a shared folder both replicas read): stages of 20 and 50 users, then a
failover stage of 20 users in which one replica is killed (SIGKILL) a few seconds in. A tab whose
connection drops does what the browser does: it reconnects (same sticky cookie, same session id;
HAProxy sends it to the replica still up, which starts a new session from the URL) and runs its
page again. A tab that cannot get back within 30 s is a lost session; the target is none, with 0
errors. Server CPU and memory are the sum over both replicas.

Baseline, side by side: the same figures for one server process without HAProxy (the load group's
scale-10 run of the repository's settings, when it ran in the same `make bench`).
"""

from __future__ import annotations

import contextlib
import json
import shutil

from benchmarks import load
from benchmarks.common import Figure, Settings, log

STAGES = (20, 50, 20)  # the last one is the failover stage
# September peak sizing: a teacher looking for a Work Group makes about 2 searches a minute (one
# search, then half a minute reading the cards and the map). An assumption, not a measurement.
SEARCHES_PER_TEACHER_PER_MIN = 2.0
STAGE_S = 10.0
KILL_AT_S = 3.0


def run(s: Settings) -> tuple[list[Figure], str]:
    try:
        from tests.service.topology import Topology, postgres_cluster

        source = "tests/service/topology.py with deploy/haproxy.cfg"
    except ImportError:  # the service's topology is not in this checkout: a minimal one of our own
        from benchmarks.topology import Topology

        postgres_cluster, source = None, "benchmarks/topology.py (minimal HAProxy config)"
    if shutil.which("haproxy") is None:
        return [], "haproxy is not installed (apt-get install haproxy)"
    data_dir = load._warehouse(s, 10)
    with contextlib.ExitStack() as stack:
        db_url = None
        try:
            if postgres_cluster is not None:
                db_url = stack.enter_context(postgres_cluster()).create_database("atlas")
        except Exception as exc:  # noqa: BLE001 - no PostgreSQL (or psycopg) here: the embedded ops store, said in the note
            log(f"replicas: PostgreSQL not available ({exc}); embedded ops store")
        topo = stack.enter_context(Topology(data_dir, 2, database_url=db_url))
        pids = [r.proc.pid for r in topo.replicas]
        log(f"replicas: HAProxy {topo.url} -> {', '.join(r.url for r in topo.replicas)} (pids {pids})")
        doc = load.drive(
            topo.url,
            pids,
            s.tmp / "replicas.json",
            stages=STAGES,
            stage_s=STAGE_S,
            costs=0,
            kill=f"{KILL_AT_S}:{pids[0]}",
        )
        down = topo.wait_state(topo.replicas[0].name, "DOWN", timeout_s=15)
        states = topo.server_states()
    baseline = json.loads(s.notes["load10"])["ours"] if "load10" in s.notes else None
    return figures(doc, baseline, down, states, db_url is not None, source), ""


def figures(
    doc: dict, baseline: dict | None, down: bool, states: dict, postgres: bool, source: str
) -> list[Figure]:
    steady = {**doc, "stages": doc["stages"][:-1]}
    out = [
        f
        for f in load.figures_for("2 replicas", steady, baseline, group="replicas", costs=False)
        if " 1 users" not in f.name and " 5 users" not in f.name
    ]
    fail = doc["stages"][-1]
    best = max(steady["stages"], key=lambda st: st["searches_per_s"])
    conns = fail.get("connections", {})
    store = "PostgreSQL ops store" if postgres else "embedded ops store"
    out += [
        Figure(
            "replicas",
            "failover (20 users, one replica killed): errors",
            "errors",
            [fail["failures"]],
            target=0,
            note=load._errors(fail) or f"{fail['requests']} reruns in {fail['seconds']:.0f} s",
        ),
        Figure(
            "replicas",
            "failover: sessions lost",
            "sessions",
            [conns.get("sessions lost", 0)],
            target=0,
            note=f"{conns.get('reconnected', 0)} tabs reconnected to the other replica and carried on; "
            f"HAProxy marked the killed replica {'DOWN' if down else 'not down'} "
            f"({states}); {store}; {source}",
        ),
        Figure(
            "replicas",
            "September peak: teachers searching at once, per replica",
            "teachers",
            [round(best["searches_per_s"] / 2 * 60 / SEARCHES_PER_TEACHER_PER_MIN)],
            note=f"assumption: {SEARCHES_PER_TEACHER_PER_MIN:g} searches per teacher per minute; "
            f"from the best stage ({best['users']} users: "
            f"{best['searches_per_s']:.1f} finder searches/s over 2 replicas, "
            f"p95 {best['p95_ms']} ms, coordinators and hub leads in the mix)",
        ),
        Figure(
            "replicas",
            "failover: reruns/s",
            "/s",
            [fail["reruns_per_s"]],
            note=f"p50 {fail['p50_ms']} ms, p95 {fail['p95_ms']} ms, including reconnections",
        ),
    ]
    return out
