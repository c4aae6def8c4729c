"""`make soak`: the load benchmark for 10 minutes at sample scale 10; the server's memory must stay
flat and under 500 MB.

One `streamlit run` process (the repository's settings, or `--extra` Streamlit flags such as
`--runner.postScriptGC true` to compare) serves a fresh scale-10 warehouse; the Locust driver runs
20 users (the load benchmark's mix: teachers searching, coordinators, hub leads; sessions come
and go) for `--minutes`, sampling the server's RSS (/proc/<pid>/status) every 5 seconds.

Verdict: pass when the RSS never exceeds 500 MB and it is flat: the median of the last fifth of the
samples is at most 5% (and 25 MB) above the median of the second fifth (the first fifth is warm-up:
caches and session state filling). Writes benchmarks/out/soak.md and soak.json.
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks import load
from benchmarks.common import OUT, log, shared_open_data

LIMIT_MB = 500.0
GROWTH = 0.05
GROWTH_MB = 25.0


def verdict(samples: list[list[float]]) -> dict:
    rss = [r for _, r in samples]
    fifth = max(1, len(rss) // 5)
    early, late = statistics.median(rss[fifth : 2 * fifth]), statistics.median(rss[-fifth:])
    growth = late - early
    flat = growth <= max(GROWTH * early, 0) and growth <= GROWTH_MB
    peak = max(rss)
    return {
        "early_mb": early,
        "late_mb": late,
        "growth_mb": growth,
        "max_mb": peak,
        "flat": flat,
        "under_limit": peak <= LIMIT_MB,
        "passed": flat and peak <= LIMIT_MB,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--scale", type=float, default=10)
    ap.add_argument("--data-dir", type=Path, help="an existing data dir (default: build a fresh one)")
    ap.add_argument("--extra", default="", help="extra Streamlit flags, e.g. '--runner.postScriptGC true'")
    ap.add_argument("--env", action="append", default=[], help="KEY=VALUE for the server's environment")
    ap.add_argument("--name", default="soak", help="output name under benchmarks/out/")
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="atlas-soak-"))
    data_dir = args.data_dir
    if data_dir is None:
        from benchmarks import data

        log(f"building a scale-{args.scale:g} warehouse in {tmp}")
        data_dir = data.warehouse(tmp / "warehouse", args.scale, shared_open_data()).data_dir
    env = dict(item.split("=", 1) for item in args.env)
    proc, url = load.start_server(data_dir, tmp / "server.log", shlex.split(args.extra), env_extra=env)
    log(f"soak: {args.users} users for {args.minutes:g} min against {url} (pid {proc.pid})")
    try:
        doc = load.drive(
            url,
            [proc.pid],
            tmp / "soak-driver.json",
            stages=(args.users,),
            ramp_s=5,
            stage_s=args.minutes * 60,
            costs=0,
            sample_every=5,
            timeout=args.minutes * 60 + 300,
        )
    finally:
        load.stop(proc)
    result = verdict(doc["rss_samples"])
    stage = doc["stages"][0]
    summary = {
        "minutes": args.minutes,
        "users": args.users,
        "scale": args.scale,
        "extra": args.extra,
        **result,
        "reruns": stage["requests"],
        "failures": stage["failures"],
        "reruns_per_s": stage["reruns_per_s"],
        "p50_ms": stage["p50_ms"],
        "p95_ms": stage["p95_ms"],
        "server_cpu_ms_per_rerun": stage["server_cpu_ms_per_rerun"],
        "errors": stage["errors"],
        "rss_samples": doc["rss_samples"],
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{args.name}.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    every = max(1, len(doc["rss_samples"]) // 20)
    lines = [
        f"# Soak: {args.users} users for {args.minutes:g} minutes, "
        + (f"data dir {args.data_dir}" if args.data_dir else f"sample scale {args.scale:g}"),
        "",
        f"Streamlit flags: `{args.extra or '(repository settings)'}`; environment: `{args.env}`. Result: "
        f"**{'pass' if result['passed'] else 'MISS'}** (RSS <= {LIMIT_MB:.0f} MB and flat).",
        "",
        f"- RSS: second fifth median {result['early_mb']:.0f} MB, "
        f"last fifth median {result['late_mb']:.0f} MB "
        f"(growth {result['growth_mb']:+.0f} MB), max {result['max_mb']:.0f} MB",
        f"- {stage['requests']} reruns ({stage['reruns_per_s']:.1f}/s), {stage['failures']} failures, "
        f"p50 {stage['p50_ms']} ms, p95 {stage['p95_ms']} ms, server CPU "
        f"{stage['server_cpu_ms_per_rerun'] or 0:.0f} ms per rerun",
        "",
        "| seconds | RSS MB |",
        "|---:|---:|",
        *[f"| {t:.0f} | {r:.0f} |" for t, r in doc["rss_samples"][::every]],
        "",
    ]
    (OUT / f"{args.name}.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines[:6]))
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
