"""Load figures: simulated users on a real server, driven by Locust over Streamlit's own websocket
protocol (`benchmarks/stclient.py`, users in `benchmarks/locustfile.py`).

For each sample scale (1 and 10), one `streamlit run dashboard/app.py` process serves the warehouse
on 127.0.0.1, once with the repository's settings (`streamlit_config.toml`) and once with the
previous settings as the baseline (`BASELINE_ARGS`: Streamlit's full garbage collection after every
script run, `runner.postScriptGC = true`, and rich tracebacks, as before this benchmark). Baseline
and ours run back to back on the same warehouse; the order alternates between scales. Against each
server, a driver process (`python -m benchmarks.locustfile`):

1. warms every page once (a server that has been up a while);
2. **cost per request**: one request at a time, the server's CPU seconds (user + system, from the
   kernel's accounting of the process, /proc/<pid>/stat, finished threads included) over a batch,
   divided by the batch size: a finder search (a new query on an open finder session, i.e. a
   filter change) and a fresh visit to each page (a new session: connect, run, close), while one
   other visitor stays connected (as on a server in use);
3. **load stages** of 1, 5, 20 and 50 users (teachers searching the finder, coordinators opening the
   map then coverage, hub leads opening a hub profile; no think time), each measured for a fixed
   time after a ramp: completed reruns per second, p50/p95 (Locust's percentiles, all request
   kinds), failures (an exception box, a dropped connection, a timeout), server CPU per rerun and
   server RSS. Reruns per second at saturation = the best stage.

Targets (issue 13): a finder filter change <= 40 ms of server CPU; a fresh visit to any page <= 100
ms; >= 25 finder searches/s with p95 < 1 s at 20 users; 0 errors at 50 users. Server RSS stays
under 500 MB (the 10-minute soak, `make soak`, checks it stays flat: see `benchmarks/soak.py`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from benchmarks import spy
from benchmarks.common import OUT, Figure, Settings, log
from pipelines.config import REPO_ROOT
from tests import streamlit_server

STAGES = (1, 5, 20, 50)
STAGE_S = 8.0
RAMP_S = 2.0
COST_SEARCHES = 10
# The previous settings (Streamlit's defaults, in force until this benchmark): a full garbage
# collection after every script run, and tracebacks of uncaught exceptions highlighted with rich.
BASELINE_ARGS = ["--runner.postScriptGC", "true", "--logger.enableRich", "true"]
TARGETS = {
    "search_cpu_ms": 40.0,
    "visit_cpu_ms": 100.0,
    "searches_per_s_20": 25.0,
    "p95_20_ms": 1000.0,
    "errors_50": 0.0,
    "rss_mb": 500.0,
}
SERVER_ROUND_S = 75  # one server: start, warm, costs, four stages, stop (for the time budget)
PROFILE_USERS, PROFILE_S = 10, 12  # py-spy's stage after the measured ones (scale 10)


def hub_ids() -> list[str]:
    lines = (REPO_ROOT / "data" / "reference" / "hubs.csv").read_text(encoding="utf-8").splitlines()[1:]
    return [line.split(",", 1)[0] for line in lines if line.strip()]


def start_server(
    data_dir: Path,
    log_file: Path,
    extra: list[str] | None = None,
    port: int | None = None,
    env_extra: dict[str, str] | None = None,
) -> tuple[subprocess.Popen, str]:
    """`streamlit run dashboard/app.py` on 127.0.0.1 (a free port), healthy, with today pinned."""
    env = {**os.environ, "ATLAS_TODAY": "2026-11-23", **(env_extra or {})}
    args = ["--browser.gatherUsageStats", "false", *(extra or [])]
    server = streamlit_server.start(data_dir, args, port=port, env=env, log=log_file, timeout_s=90)
    return server.proc, server.url


def wait_healthy(
    url: str, proc: subprocess.Popen | None = None, log_file: Path | None = None, timeout: float = 90
) -> None:
    """Wait for /_stcore/health at `url` (e.g. HAProxy in front of the replicas); kill `proc` if not."""
    if not streamlit_server.wait_http(url + "/_stcore/health", timeout, b"ok", proc):
        if proc is not None:
            proc.kill()
        raise RuntimeError(f"{url} did not become healthy; see {log_file}")


def stop(proc: subprocess.Popen) -> None:
    streamlit_server.stop(proc, timeout_s=15)


def drive(
    url: str,
    pids: list[int],
    out: Path,
    stages=STAGES,
    stage_s: float = STAGE_S,
    ramp_s: float = RAMP_S,
    costs: int = COST_SEARCHES,
    kill: str = "",
    sample_every: float = 0.0,
    timeout: float = 900,
    profile: str = "",
) -> dict:
    """Run the Locust driver (its own process: Locust patches the standard library with gevent)."""
    cmd = [
        sys.executable,
        "-m",
        "benchmarks.locustfile",
        "--url",
        url,
        "--pids",
        ",".join(map(str, pids)),
        "--stages",
        ",".join(map(str, stages)),
        "--stage-seconds",
        str(stage_s),
        "--ramp-seconds",
        str(ramp_s),
        "--costs",
        str(costs),
        "--hubs",
        ",".join(hub_ids()),
        "--out",
        str(out),
    ]
    if kill:
        cmd += ["--kill", kill]
    if sample_every:
        cmd += ["--sample-every", str(sample_every)]
    if profile:
        cmd += ["--profile", profile]
    done = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    for line in done.stderr.splitlines():
        if line.startswith("stage "):
            log(line[:300])
    if done.returncode != 0 or not out.exists():
        raise RuntimeError(f"load driver failed: {done.stderr[-1500:]}")
    return json.loads(out.read_text(encoding="utf-8"))


def one_server(s: Settings, data_dir: Path, label: str, extra: list[str], profile: bool = False) -> dict:
    """Start a server, drive it, stop it. With `profile`, after the measured stages, py-spy samples
    the server under PROFILE_USERS users for PROFILE_S seconds (not measured: sampling slows the
    server down by about half); the summary goes into the result as "profile", the raw stacks to
    benchmarks/out."""
    folder = s.tmp / "load"
    folder.mkdir(parents=True, exist_ok=True)
    proc, url = start_server(data_dir, folder / f"{label}.log", extra)
    raw = OUT / f"spy-{label}.txt"
    try:
        log(f"load: {label} at {url} (pid {proc.pid})")
        spying = profile and spy.available()
        if spying:
            OUT.mkdir(parents=True, exist_ok=True)
            raw.unlink(missing_ok=True)
        doc = drive(
            url,
            [proc.pid],
            folder / f"{label}.json",
            profile=f"{PROFILE_USERS}:{PROFILE_S:g}:{raw}" if spying else "",
        )
    finally:
        stop(proc)
    if raw.exists() and raw.stat().st_size:
        doc["profile"] = {**spy.summarize(raw), "file": str(raw.relative_to(REPO_ROOT))}
    return doc


def run(s: Settings) -> tuple[list[Figure], str]:
    figures: list[Figure] = []
    skipped: list[str] = []
    for i, scale in enumerate((1, 10)):
        data_dir = _warehouse(s, scale)
        order = [("ours", []), ("baseline", BASELINE_ARGS)]
        if i % 2:
            order.reverse()
        got: dict[str, dict] = {}
        for name, extra in order:
            servers_left = 4 - 2 * i - len(got)
            # Scale 10 always runs side by side; scale 1's baseline gives way when time is short.
            short = s.budget_s - s.elapsed() - s.later_s < SERVER_ROUND_S * servers_left
            if name == "baseline" and scale == 1 and short:
                skipped.append(f"scale {scale} baseline (out of time budget)")
                continue
            got[name] = one_server(s, data_dir, f"scale{scale}-{name}", extra, profile=scale == 10)
        figures += figures_for(f"scale {scale}", got["ours"], got.get("baseline"))
        s.notes[f"load{scale}"] = json.dumps(got)
    return figures, "; ".join(skipped)


def _warehouse(s: Settings, scale: int) -> Path:
    if f"scale{scale}" not in s.warehouses:
        from benchmarks import data

        s.warehouses[f"scale{scale}"] = data.warehouse(
            s.tmp / "load" / f"scale{scale}", scale, s.reference_dir
        ).data_dir
    return s.warehouses[f"scale{scale}"]


def _stage(doc: dict, users: int) -> dict | None:
    return next((st for st in doc["stages"] if st["users"] == users), None)


def figures_for(
    label: str, ours: dict, base: dict | None, group: str = "load", costs: bool = True
) -> list[Figure]:
    """The figures of one run of the driver, each with the baseline run's value beside it."""

    def fig(name, unit, get, target=None, at_least=False, note=""):
        mine, theirs = get(ours), (get(base) if base else None)
        return Figure(
            group,
            f"{label}: {name}",
            unit,
            [] if mine is None else [mine],
            target=target,
            at_least=at_least,
            note=note,
            baseline=None if theirs is None else [theirs],
        )

    out: list[Figure] = []
    if costs and ours.get("costs"):
        out.append(
            fig(
                "finder search (filter change), server CPU",
                "ms",
                lambda d: d["costs"]["finder search"]["cpu_ms"],
                TARGETS["search_cpu_ms"],
                note=f"{ours['costs']['finder search']['n']} searches one at a time",
            )
        )
        if ours.get("profile"):  # py-spy on the running server, shown under the figure if it misses
            p = ours["profile"]
            gc = ""
            if base and base.get("profile"):
                gc = f"; baseline's post-run GC: {base['profile'].get('gc_share', 0):.0%} of its busy samples"
            out[-1].profile_result = {
                "seconds": p["busy_samples"] / 25,
                "file": p["file"],
                "text": p["text"],
                "headline": p.get("headline", "") + gc,
            }
        for key in ours["costs"]:
            if key.startswith("fresh visit"):
                out.append(
                    fig(
                        f"{key}, server CPU",
                        "ms",
                        lambda d, k=key: d["costs"][k]["cpu_ms"],
                        TARGETS["visit_cpu_ms"],
                        note="new session: connect, run, close",
                    )
                )
    out.append(
        fig(
            "reruns/s at saturation",
            "/s",
            lambda d: max(st["reruns_per_s"] for st in d["stages"]),
            at_least=True,
            note="best load stage; completed reruns of every kind",
        )
    )
    for users in [st["users"] for st in ours["stages"]]:
        n = users

        def at(d, key, n=n):
            got = _stage(d, n)
            return None if got is None else got[key]

        out.append(fig(f"{n} users: p50", "ms", lambda d, n=n: at(d, "p50_ms")))
        out.append(
            fig(
                f"{n} users: p95",
                "ms",
                lambda d, n=n: at(d, "p95_ms"),
                TARGETS["p95_20_ms"] if n == 20 else None,
            )
        )
        out.append(
            fig(
                f"{n} users: finder searches/s",
                "/s",
                lambda d, n=n: at(d, "searches_per_s"),
                TARGETS["searches_per_s_20"] if n == 20 else None,
                at_least=True,
            )
        )
        out.append(
            fig(
                f"{n} users: errors",
                "errors",
                lambda d, n=n: at(d, "failures"),
                TARGETS["errors_50"] if n == 50 else None,
                note=_errors(_stage(ours, n)),
            )
        )
        out.append(
            fig(f"{n} users: server CPU per rerun", "ms", lambda d, n=n: at(d, "server_cpu_ms_per_rerun"))
        )
    if group == "load":
        out.append(
            fig("server RSS after the load", "MB", lambda d: d["stages"][-1]["rss_mb"], TARGETS["rss_mb"])
        )
        out.append(fig("server peak RSS (VmHWM)", "MB", lambda d: d["stages"][-1]["peak_mb"]))
    else:  # the sum over the replicas: the 500 MB target is per process
        out.append(fig("servers' RSS after the load, sum of all", "MB", lambda d: d["stages"][-1]["rss_mb"]))
    return out


def _errors(stage: dict | None) -> str:
    if not stage or not stage["errors"]:
        return ""
    return "; ".join(f"{e['count']} x {e['name']}: {e['error'][:100]}" for e in stage["errors"][:3])
