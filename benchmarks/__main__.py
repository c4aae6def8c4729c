"""`python -m benchmarks [--only ingest,build,...] [--runs N] [--keep]`: run the groups, profile
every figure that misses its target, and write benchmarks/out/report.md and report.json.

Groups run in this order: build (its warehouses feed the page, load and memory groups), ingest,
pages, load (Locust over Streamlit's websocket), replicas (the same through HAProxy), memory. A group
that fails is reported as not measured; the others still run. The run keeps to a 14-minute budget
(fewer rounds when time is short) so `make bench` ends within 15 minutes.
"""

from __future__ import annotations

import argparse
import importlib
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from benchmarks import report
from benchmarks.common import OUT, Figure, Settings, log, shared_open_data
from benchmarks.profiling import profile

GROUPS = {
    "build": "benchmarks.build",
    "ingest": "benchmarks.ingest",
    "pages": "benchmarks.pages",
    "load": "benchmarks.load",
    "replicas": "benchmarks.replicas",
    "memory": "benchmarks.memory_concurrency",
}
# Expected seconds per group on a quiet 2-core machine (3 rounds), to keep rounds within the budget.
ESTIMATE_S = {"build": 250, "ingest": 230, "pages": 90, "load": 300, "replicas": 80, "memory": 60}
PROFILES_S = 40


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    ap.add_argument("--only", default=",".join(GROUPS), help="comma-separated groups: " + ", ".join(GROUPS))
    ap.add_argument("--runs", type=int, default=3, help="alternating rounds per figure (default 3)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (printed at the end)")
    ap.add_argument("--no-profile", action="store_true", help="do not profile missed figures")
    args = ap.parse_args(argv)
    chosen = [g.strip() for g in args.only.split(",") if g.strip()]
    unknown = [g for g in chosen if g not in GROUPS]
    if unknown:
        ap.error(f"unknown group(s): {', '.join(unknown)}")

    t0 = time.monotonic()
    for old in OUT.glob("profile-*.txt"):  # the report is rewritten: so are its profiles
        old.unlink()
    tmp = Path(tempfile.mkdtemp(prefix="atlas-bench-"))
    s = Settings(tmp=tmp, runs=args.runs, reference_dir=shared_open_data())
    log(f"temporary folder {tmp}; open data: {s.reference_dir or 'not available'}")
    figures: list[Figure] = []
    methods: dict[str, str] = {}
    skipped: dict[str, str] = {}
    try:
        order = [g for g in GROUPS if g in chosen]
        for i, group in enumerate(order):
            s.later_s = sum(ESTIMATE_S[g] for g in order[i + 1 :]) + (0 if args.no_profile else PROFILES_S)
            module = importlib.import_module(GROUPS[group])
            methods[group] = module.__doc__ or ""
            log(f"group {group} starts at {s.elapsed():.0f} s")
            try:
                got = module.run(s)
                if isinstance(got, tuple):  # (figures, reason a part was not measured)
                    got, reason = got
                    if reason:
                        skipped[group] = reason
                figures += got
            except Exception as exc:  # noqa: BLE001 - report the group as not measured, run the rest
                traceback.print_exc()
                skipped[group] = f"{type(exc).__name__}: {exc}"
        profiles = {} if args.no_profile else _profile_misses(s, figures)
        wall = time.monotonic() - t0
        settings = {"runs": args.runs, "groups": chosen, "open_data": str(s.reference_dir or "")}
        md, js = report.write(figures, profiles, methods, skipped, wall, settings)
    finally:
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    for f in figures:
        if f.target is not None:
            print(
                f"{'pass' if f.passed else 'MISS'}  {f.name}: {report.fmt(f.median, f.unit)} "
                f"(target {f.target_text})"
            )
    print(f"wrote {md} and {js} in {wall:.0f} s")
    return 0


def _profile_misses(s: Settings, figures: list[Figure]) -> dict[str, dict]:
    """Profile each missed figure's own run once (figures sharing one run share one profile)."""
    done: dict[int, dict] = {}
    out: dict[str, dict] = {}
    for f in figures:
        if f.passed is not False:
            continue
        if f.profile_result is not None:
            out[f.name] = f.profile_result
            continue
        if f.profile is None:
            continue
        key = id(f.profile)
        if key not in done:
            if s.elapsed() > s.budget_s - 30:
                done[key] = {"error": "skipped: out of time budget"}
            else:
                try:
                    done[key] = profile(f.name, f.profile)
                except Exception as exc:  # noqa: BLE001 - a profile is a bonus; keep the report
                    done[key] = {"error": f"{type(exc).__name__}: {exc}"}
        out[f.name] = {**done[key], "finding": f.finding} if f.finding else done[key]
    return out


if __name__ == "__main__":
    sys.exit(main())
