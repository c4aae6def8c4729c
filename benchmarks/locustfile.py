"""Locust users that speak Streamlit's websocket protocol (see `benchmarks/stclient.py`), and the
driver `python -m benchmarks.locustfile` that the load group runs in its own process (Locust
patches the standard library with gevent on import, so it never runs inside the bench process).

Users (no think time: each starts its next request as soon as the last one finished, so N users
keep at most N reruns in flight):

* **teacher** (weight 8): opens the finder from a link (a fresh session: "visit finder"), then
  searches back to back, each search a new query string on the same session (a mix of phases,
  places, radii, delivery and result pages: "finder search"), and after 3 to 8 searches leaves;
  the next teacher arrives with a fresh session.
* **coordinator** (weight 1): opens the national map ("visit map") and moves to the LLME coverage
  page in the same session ("open coverage"), then leaves.
* **hub lead** (weight 1): opens one hub's profile from a link ("visit hub profile"), then leaves.

The driver: warms every page once, measures server CPU per request kind (one request at a time,
so the server's CPU time in the interval belongs to those requests), then runs each load stage
(N users for a fixed time after a ramp) and writes, per stage, Locust's request counts, failures,
p50/p95 per request kind and overall, and the server's CPU seconds and memory.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import signal
import statistics
import sys
import time
from pathlib import Path

import gevent
from locust import User, constant, task
from locust.env import Environment

from benchmarks.stclient import RerunError, StreamlitSession

PHASE_SETS = (
    ["primary"],
    ["secondary"],
    ["early_years"],
    ["post16"],
    ["primary", "secondary"],
    ["secondary", "post16"],
    [],
    [],
    ["primary"],
    ["secondary"],
)
PLACES = (
    "",
    "",
    "Cheltenham",
    "GL55",
    "Leeds",
    "Manchester",
    "M14",
    "Bristol",
    "BS8",
    "York",
    "Norwich",
    "Plymouth",
    "Birmingham",
    "B91 3PD",
    "Newcastle upon Tyne",
    "LS6",
    "Cambridge",
    "Zzzzz",
)
RADII = (None, None, 5, 10, 20, 50)
DELIVERY = ((), (), ("online",), ("face_to_face",), ("face_to_face", "blended"))
HUBS: list[str] = []  # filled by the driver from data/reference/hubs.csv
_seq = itertools.count()


def finder_query(rng: random.Random) -> str:
    """A search a teacher might make: a random mix of phase, place, radius, delivery and page."""
    parts = [("phase", p) for p in rng.choice(PHASE_SETS)]
    parts += [("delivery", d) for d in rng.choice(DELIVERY)]
    place = rng.choice(PLACES)
    if place:
        parts.append(("place", place))
        radius = rng.choice(RADII)
        if radius:
            parts.append(("radius", str(radius)))
    if rng.random() < 0.2:
        parts.append(("open", "1"))
    if rng.random() < 0.15:
        parts.append(("page", str(rng.choice((2, 3)))))
    # A unique, harmless tail makes each search new to the server's caches, as a real search
    # mostly is (query results are cached per filter set).
    parts.append(("to", f"2027-{rng.randint(1, 8):02d}-{rng.randint(1, 28):02d}"))
    from urllib.parse import urlencode

    return urlencode(parts)


class StreamlitUser(User):
    """A user with one browser tab (a websocket session); `visit` and `rerun` report to Locust."""

    abstract = True
    wait_time = constant(0)

    def __init__(self, environment):
        super().__init__(environment)
        self.rng = random.Random(next(_seq))
        self.tab: StreamlitSession | None = None

    def _report(self, name: str, page: str, query: str) -> bool:
        """One request on this tab, reported to Locust. A dropped connection (e.g. its replica was
        stopped) is handled as the browser does: reconnect, with the same cookie and session id,
        and run the same page again; only a tab that cannot get back within RECONNECT_S fails
        ("session lost"). An error answer (exception box, page not found) fails at once."""
        t0 = time.perf_counter()
        exc: Exception | None = None
        size = 0
        reconnecting_since: float | None = None
        while True:
            try:
                size = self.tab.run(page, query).bytes
                exc = None
                break
            except RerunError as e:
                exc = e
                break
            except Exception as e:  # noqa: BLE001 - a dropped or refused connection: reconnect
                exc = e
                self.tab.close()
                now = time.perf_counter()
                reconnecting_since = reconnecting_since or now
                if now - reconnecting_since > RECONNECT_S:
                    count(LOST, "sessions lost")
                    break
                gevent.sleep(0.5)
        if reconnecting_since is not None and exc is None:
            count(LOST, "reconnected")
        self.environment.events.request.fire(
            request_type="WS",
            name=name,
            response_time=(time.perf_counter() - t0) * 1000,
            response_length=size,
            exception=exc,
            context={},
        )
        if exc is not None and not isinstance(exc, RerunError):
            self.leave()
        return exc is None

    def visit(self, name: str, page: str, query: str = "") -> bool:
        self.leave()
        self.tab = StreamlitSession(self.host, timeout=TIMEOUT_S)
        return self._report(name, page, query)

    def rerun(self, name: str, page: str, query: str = "") -> bool:
        if self.tab is None:
            return self.visit(name, page, query)
        return self._report(name, page, query)

    def leave(self) -> None:
        if self.tab is not None:
            self.tab.close()
            self.tab = None

    def on_stop(self) -> None:
        self.leave()


class Teacher(StreamlitUser):
    weight = 8

    def on_start(self) -> None:
        self.left = 0

    @task
    def search(self) -> None:
        if self.tab is None or self.left <= 0:
            self.left = self.rng.randint(3, 8)
            self.visit("visit finder", "finder", finder_query(self.rng))
            return
        self.left -= 1
        self.rerun("finder search", "finder", finder_query(self.rng))


class Coordinator(StreamlitUser):
    weight = 1

    @task
    def map_then_coverage(self) -> None:
        if self.visit("visit map", ""):
            self.rerun("open coverage", "coverage")
        self.leave()


class HubLead(StreamlitUser):
    weight = 1

    @task
    def profile(self) -> None:
        self.visit("visit hub profile", "hub", f"hub={self.rng.choice(HUBS)}")
        self.leave()


LOST: dict[str, int] = {}  # "reconnected", "sessions lost": tabs whose connection dropped
TIMEOUT_S = 90.0
RECONNECT_S = 30.0


def count(counter: dict[str, int], key: str) -> None:
    counter[key] = counter.get(key, 0) + 1


USERS = {"teacher": Teacher, "coordinator": Coordinator, "hub_lead": HubLead}
# Fresh visits measured one at a time for their server CPU cost: (name, url path, query).
VISITS = (
    ("national map", "", ""),
    ("LLME coverage", "coverage", ""),
    ("hub profile", "hub", "hub=origin"),
    ("finder", "finder", ""),
    ("about the data", "about", ""),
)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of the server processes, from the kernel's own accounting
    (/proc/<pid>/stat; finished threads included)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime (fields 14, 15)
    return total


def memory_mb(pids: list[int]) -> dict[str, float]:
    rss = hwm = 0.0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1]) / 1024
                elif line.startswith("VmHWM:"):
                    hwm += int(line.split()[1]) / 1024
        except OSError:
            continue
    return {"rss_mb": round(rss, 1), "peak_mb": round(hwm, 1)}


def measure_costs(url: str, pids: list[int], n: int) -> dict[str, dict]:
    """Server CPU and wall time per request kind, one request at a time."""
    rng = random.Random(7)
    out: dict[str, dict] = {}
    # Another visitor stays connected throughout, as on any server in use: Streamlit empties its
    # cache of compiled page scripts whenever the last session disconnects, which one-at-a-time
    # fresh visits would otherwise do every time (17% of their CPU in a py-spy profile).
    keeper = StreamlitSession(url, timeout=TIMEOUT_S)
    keeper.run("about")
    tab = StreamlitSession(url, timeout=TIMEOUT_S)
    tab.run("finder", finder_query(rng))  # the session the searches rerun
    walls: list[float] = []
    cpu0 = cpu_seconds(pids)
    for _ in range(n):
        walls.append(tab.run("finder", finder_query(rng)).seconds)
    cpu = cpu_seconds(pids) - cpu0
    tab.close()
    out["finder search"] = {"cpu_ms": 1000 * cpu / n, "p50_ms": 1000 * statistics.median(walls), "n": n}
    for name, page, query in VISITS:
        walls = []
        cpu0 = cpu_seconds(pids)
        for _ in range(max(3, n // 2)):
            visitor = StreamlitSession(url, timeout=TIMEOUT_S)
            walls.append(visitor.run(page, query).seconds)
            visitor.close()
        gevent.sleep(0.05)  # let the server finish closing the last session inside the interval
        cpu = cpu_seconds(pids) - cpu0
        out[f"fresh visit: {name}"] = {
            "cpu_ms": 1000 * cpu / len(walls),
            "p50_ms": 1000 * statistics.median(walls),
            "n": len(walls),
        }
    keeper.close()
    return out


def warm(url: str) -> None:
    """One visit to every page (caches filled as on a server that has been up a while)."""
    for _, page, query in VISITS:
        tab = StreamlitSession(url, timeout=TIMEOUT_S)
        tab.run(page, query)
        tab.close()


def _entry(stats) -> dict:
    return {
        "requests": stats.num_requests,
        "failures": stats.num_failures,
        "p50_ms": stats.get_response_time_percentile(0.5) if stats.num_requests else None,
        "p95_ms": stats.get_response_time_percentile(0.95) if stats.num_requests else None,
    }


def run_stage(
    env: Environment,
    users: int,
    ramp_s: float,
    seconds: float,
    pids: list[int],
    kill: tuple[float, int] | None = None,
) -> dict:
    """`users` users for `seconds` after a `ramp_s` ramp; optionally SIGKILL a server pid mid-stage."""
    runner = env.runner
    runner.start(users, spawn_rate=max(users / max(ramp_s * 0.5, 0.1), 1))
    gevent.sleep(ramp_s)
    env.stats.reset_all()
    LOST.clear()
    cpu0, t0 = cpu_seconds(pids), time.monotonic()
    if kill is not None:
        at, pid = kill
        gevent.sleep(at)
        os.kill(pid, signal.SIGKILL)
        gevent.sleep(max(0.0, seconds - at))
    else:
        gevent.sleep(seconds)
    wall = time.monotonic() - t0
    cpu = cpu_seconds(pids) - cpu0
    total = env.stats.total
    per_name = {name: _entry(s) for (name, _), s in env.stats.entries.items()}
    errors = [
        {"name": e.name, "error": str(e.error)[:300], "count": e.occurrences}
        for e in env.stats.errors.values()
    ]
    done = total.num_requests - total.num_failures
    return {
        "users": users,
        "seconds": round(wall, 2),
        "requests": total.num_requests,
        "failures": total.num_failures,
        "reruns_per_s": done / wall if wall else 0.0,
        "searches_per_s": (
            per_name.get("finder search", {}).get("requests", 0)
            - per_name.get("finder search", {}).get("failures", 0)
        )
        / wall,
        "p50_ms": _entry(total)["p50_ms"],
        "p95_ms": _entry(total)["p95_ms"],
        "per_name": per_name,
        "errors": errors,
        "connections": dict(LOST),
        "server_cpu_s": round(cpu, 3),
        "server_cpu_ms_per_rerun": 1000 * cpu / done if done else None,
        **memory_mb(pids),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.locustfile")
    ap.add_argument("--url", required=True)
    ap.add_argument("--pids", required=True, help="server pids (comma-separated) for CPU and memory")
    ap.add_argument("--stages", default="1,5,20,50")
    ap.add_argument("--stage-seconds", type=float, default=8.0)
    ap.add_argument("--ramp-seconds", type=float, default=2.0)
    ap.add_argument("--costs", type=int, default=10, help="searches timed one at a time (0: skip)")
    ap.add_argument("--kill", default="", help="AT_S:PID: SIGKILL PID AT_S seconds into the last stage")
    ap.add_argument("--sample-every", type=float, default=0.0, help="soak: record RSS every N seconds")
    ap.add_argument("--hubs", required=True, help="hub ids, comma-separated")
    ap.add_argument(
        "--profile",
        default="",
        help="USERS:SECONDS:FILE: after the stages, an unmeasured "
        "stage with py-spy on the first pid (raw stacks to FILE); sampling slows the server",
    )
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    HUBS[:] = args.hubs.split(",")
    pids = [int(p) for p in args.pids.split(",")]
    doc: dict = {"stages": [], "costs": {}, "rss_samples": []}
    warm(args.url)
    if args.costs:
        doc["costs"] = measure_costs(args.url, pids, args.costs)
    env = Environment(user_classes=[Teacher, Coordinator, HubLead], host=args.url)
    env.create_local_runner()
    sampler = None
    if args.sample_every:
        t_start = time.monotonic()

        def sample() -> None:
            while True:
                doc["rss_samples"].append([round(time.monotonic() - t_start, 1), memory_mb(pids)["rss_mb"]])
                gevent.sleep(args.sample_every)

        sampler = gevent.spawn(sample)
    stages = [int(s) for s in args.stages.split(",") if s]
    for i, users in enumerate(stages):
        kill = None
        if args.kill and i == len(stages) - 1:
            at, pid = args.kill.split(":")
            kill = (float(at), int(pid))
        doc["stages"].append(run_stage(env, users, args.ramp_seconds, args.stage_seconds, pids, kill))
        summary = {k: v for k, v in doc["stages"][-1].items() if k not in ("per_name", "errors")}
        print(
            f"stage {users} users: {json.dumps(summary)}",
            file=sys.stderr,
            flush=True,
        )
    if args.profile:
        users, seconds, raw = args.profile.split(":", 2)
        from benchmarks import spy

        env.runner.start(int(users), spawn_rate=int(users))
        gevent.sleep(2)
        sampling = spy.record(pids[0], float(seconds), Path(raw), rate=25)
        while sampling.poll() is None:
            gevent.sleep(0.5)
    if sampler is not None:
        sampler.kill()
    Path(args.out).write_text(json.dumps(doc, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    code = main()
    sys.stderr.flush()
    # Stopping Locust's runner can wait forever on a user greenlet blocked in a websocket read;
    # the results are written, so leave without waiting (the server closes the sockets).
    os._exit(code)
