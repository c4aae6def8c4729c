"""Page figures: each page's warm rerun (Streamlit AppTest) beside the summed time of the DuckDB
queries that page runs, at sample scale 1 and 10; and a finder filter change.

Per scale, a subprocess (`python -m benchmarks.pages --data-dir ...`, so the environment, the
Streamlit caches and the recording hook are its own) does, for each page:

1. cold run: `AppTest.from_file(dashboard/app.py)`, run, clear `st.cache_data`, switch to the page
   and run it, recording every SQL statement (and its parameters) the page sends to the warehouse
   connection (`dashboard.data.db` opens it; a recording wrapper stands in for `duckdb.connect`);
2. then, alternating: a warm rerun of the page (`at.run()`, caches warm: what a visitor waits
   for when they touch a widget that changes nothing) and a replay of the recorded queries on a
   cursor of the same snapshot, each result fetched as the app fetches it (`.pl()` or
   `fetchall()`), summed. Overhead = page / queries, per round.

Finder filter change: on the warm finder page, the phase pills are set to a new combination each
time (never the same twice, so the search is never served from the cache) and the rerun timed.

AppTest times include AppTest's own work (it runs the script in a thread and parses every element
the script produces), so a browser would see a little less. Pages that raise are reported.
A missed page figure is profiled in the subprocess (pyinstrument in the script thread).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import Figure, Settings, log, ratios
from pipelines.config import REPO_ROOT

APP = REPO_ROOT / "dashboard" / "app.py"
PAGES = {
    "national_map": "National map",
    "llme_coverage": "LLME coverage",
    "hub_profile": "Hub profile",
    "work_group_finder": "Work Group finder",
    "about_data": "About the data",
    "outreach": "Outreach (signed-in hub lead)",
}
# Pages behind sign-in, opened as this user (data/access.toml grants it), the way the AppTests do.
SIGNED_IN = {"outreach": "origin.lead@example.org"}
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "bench",
    "client_id": "bench",
    "client_secret": "bench",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
TARGET_MS = {1: 250.0, 10: 1000.0}
OVERHEAD = 2.0
FILTER_CHANGE_MS = 150.0
PROFILE_RERUNS = 10
PHASE_CHANGES = (
    ["primary"],
    ["secondary"],
    ["early_years"],
    ["post16"],
    ["primary", "secondary"],
    ["secondary", "post16"],
    ["early_years", "primary"],
    ["primary", "post16"],
    ["secondary", "early_years"],
    ["early_years", "post16"],
    ["primary", "secondary", "post16"],
    ["early_years", "primary", "secondary"],
)


def run(s: Settings) -> tuple[list[Figure], str]:
    present = [p for p in PAGES if (APP.parent / "app_pages" / f"{p}.py").exists()]
    missing = [p for p in PAGES if p not in present]
    note = f"pages not present yet: {', '.join(missing)}" if missing else ""
    if not present:
        return [], note
    figures: list[Figure] = []
    for scale in (1, 10):
        data_dir = _warehouse(s, scale)
        runs = max(5, s.runs * 2)
        out = s.tmp / f"pages-scale{scale}.json"
        cmd = [
            sys.executable,
            "-m",
            "benchmarks.pages",
            "--data-dir",
            str(data_dir),
            "--runs",
            str(runs),
            "--scale",
            str(scale),
            "--out",
            str(out),
            "--pages",
            ",".join(present),
        ]
        log(f"pages at scale {scale}: {runs} warm reruns per page (subprocess)")
        done = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=False)
        if done.returncode != 0 or not out.exists():
            raise RuntimeError(f"page subprocess failed at scale {scale}: {done.stderr[-1500:]}")
        figures += _figures(scale, json.loads(out.read_text(encoding="utf-8")))
    return figures, note


def _warehouse(s: Settings, scale: int) -> Path:
    if f"scale{scale}" not in s.warehouses:  # the build group did not run: build one here
        from benchmarks import data

        s.warehouses[f"scale{scale}"] = data.warehouse(
            s.tmp / "pages" / f"scale{scale}", scale, s.reference_dir
        ).data_dir
    return s.warehouses[f"scale{scale}"]


def _figures(scale: int, got: dict) -> list[Figure]:
    out: list[Figure] = []
    profiles = got.get("profiles", {})
    for page, r in got["pages"].items():
        title = f"scale {scale}: {PAGES.get(page, page)}"
        if r.get("error"):
            out.append(Figure("pages", f"{title} warm rerun", "ms", [], note=f"page failed: {r['error']}"))
            continue
        warm = r.get("warm_sql") or []
        note = (
            f"{len(warm)} statement(s) still reach DuckDB on a warm rerun: {' | '.join(warm)[:300]}"
            if warm
            else ""
        )
        out.append(
            Figure(
                "pages",
                f"{title} warm rerun (AppTest)",
                "ms",
                r["page_ms"],
                target=TARGET_MS[scale],
                note=note,
                profile_result=profiles.get(page),
            )
        )
        out.append(
            Figure("pages", f"{title} its {r['n_queries']} DuckDB queries, summed", "ms", r["queries_ms"])
        )
        out.append(
            Figure(
                "pages",
                f"{title} page / queries",
                "x",
                ratios(r["page_ms"], r["queries_ms"]),
                target=OVERHEAD,
                note="per-round ratio",
                profile_result=profiles.get(page),
            )
        )
        out.append(
            Figure("pages", f"{title} cold first run (caches empty)", "ms", [r["cold_ms"]], note="one run")
        )
    f = got.get("finder_change")
    if f:
        if f.get("error"):
            out.append(Figure("pages", f"scale {scale}: finder filter change", "ms", [], note=f["error"]))
        else:
            out.append(
                Figure(
                    "pages",
                    f"scale {scale}: finder filter change (phase pills, new search)",
                    "ms",
                    f["page_ms"],
                    target=FILTER_CHANGE_MS,
                    profile_result=profiles.get("finder_change"),
                )
            )
            out.append(
                Figure(
                    "pages",
                    f"scale {scale}: finder filter change, its DuckDB queries summed",
                    "ms",
                    f["queries_ms"],
                )
            )
    return out


# --- the subprocess ------------------------------------------------------------------------------


class _Recorder:
    """Stands in for the `duckdb` module inside dashboard.data.db: connections record their SQL."""

    def __init__(self, duckdb_module) -> None:
        self._duckdb = duckdb_module
        self.calls: list[tuple[str, str, object]] = []

    def __getattr__(self, name):
        return getattr(self._duckdb, name)

    def connect(self, *args, **kwargs):
        return _RecordingCursor(self._duckdb.connect(*args, **kwargs), self.calls)


class _RecordingCursor:
    def __init__(self, inner, calls: list) -> None:
        self._inner, self._calls = inner, calls

    def sql(self, query, *args, **kwargs):
        self._calls.append(("sql", query, kwargs.get("params", args[0] if args else None)))
        return self._inner.sql(query, *args, **kwargs)

    def execute(self, query, parameters=None, *args, **kwargs):
        self._calls.append(("execute", query, parameters))
        return self._inner.execute(query, parameters, *args, **kwargs)

    def cursor(self):
        return _RecordingCursor(self._inner.cursor(), self._calls)

    def close(self) -> None:
        self._inner.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return self._inner.__exit__(*exc)

    def __getattr__(self, name):
        return getattr(self._inner, name)


def _replay(con, calls: list) -> float:
    t0 = time.perf_counter()
    for kind, sql, params in calls:
        with con.cursor() as cur:
            if kind == "sql":
                cur.sql(sql, params=params).pl()
            else:
                cur.execute(sql, params or []).fetchall()
    return 1000 * (time.perf_counter() - t0)


def _measure(data_dir: Path, pages: list[str], runs: int) -> dict:
    os.environ["ATLAS_DATA_DIR"] = str(data_dir)
    import duckdb

    import dashboard.data.db as db  # before any page imports it

    recorder = _Recorder(duckdb)
    db.duckdb = recorder
    import streamlit as st
    from pyinstrument import Profiler
    from streamlit.testing.v1 import AppTest
    from streamlit.testing.v1.local_script_runner import LocalScriptRunner

    from benchmarks.profiling import summarise
    from pipelines.config import paths
    from pipelines.warehouse.store import current_snapshot

    holder: dict = {}
    original = LocalScriptRunner._run_script_thread

    def profiled(self):  # pyinstrument profiles the thread it starts in: the script thread
        if not holder.get("on"):
            return original(self)
        profiler = holder.setdefault("profiler", Profiler(interval=0.0005))
        profiler.start()  # the sessions of repeated start/stop are combined
        try:
            return original(self)
        finally:
            profiler.stop()

    LocalScriptRunner._run_script_thread = profiled
    replay_con = duckdb.connect(str(current_snapshot(paths())), read_only=True)
    result: dict = {"pages": {}, "profiles": {}}
    apps: dict[str, AppTest] = {}
    for page in pages:
        try:
            at = AppTest.from_file(str(APP), default_timeout=120)
            if page in SIGNED_IN:
                at.secrets["auth"] = AUTH
                at.user = {"is_logged_in": True, "email": SIGNED_IN[page]}
            at.run()
            st.cache_data.clear()
            recorder.calls.clear()
            at.switch_page(f"app_pages/{page}.py")
            t0 = time.perf_counter()
            at.run()
            cold = 1000 * (time.perf_counter() - t0)
            if at.exception:
                raise RuntimeError("; ".join(str(e.value)[:300] for e in at.exception))
            calls = list(recorder.calls)
            page_ms, queries_ms = [], []
            warm_sql: set[str] = set()
            for _ in range(runs):
                recorder.calls.clear()
                t0 = time.perf_counter()
                at.run()
                page_ms.append(1000 * (time.perf_counter() - t0))
                warm_sql.update(" ".join(str(sql).split())[:120] for _, sql, _ in recorder.calls)
                queries_ms.append(_replay(replay_con, calls))
            if at.exception:
                raise RuntimeError("; ".join(str(e.value)[:300] for e in at.exception))
            result["pages"][page] = {
                "cold_ms": cold,
                "page_ms": page_ms,
                "queries_ms": queries_ms,
                "n_queries": len(calls),
                "warm_sql": sorted(warm_sql),
            }
            apps[page] = at
            print(
                f"{page}: warm {sorted(page_ms)[len(page_ms) // 2]:.0f} ms, {len(calls)} queries",
                file=sys.stderr,
            )
        except Exception as exc:  # noqa: BLE001 - a broken page is a result, not a crash
            result["pages"][page] = {"error": f"{type(exc).__name__}: {exc}"[:600]}
    if "work_group_finder" in apps:
        n = min(max(runs, 5), len(PHASE_CHANGES) // 2)  # the other half is kept for a profile
        result["finder_change"] = _filter_changes(apps["work_group_finder"], recorder, replay_con, n)
    scale = int(os.environ.get("BENCH_SCALE", "1"))
    for page, r in result["pages"].items():
        slow = r.get("page_ms") and (
            _median(r["page_ms"]) > TARGET_MS.get(scale, 250)
            or _median([a / b for a, b in zip(r["page_ms"], r["queries_ms"], strict=True)]) > OVERHEAD
        )
        if slow:  # profile PROFILE_RERUNS warm reruns together: one is too short to sample well
            holder["on"] = True
            for _ in range(PROFILE_RERUNS):
                apps[page].run()
            holder["on"] = False
            name = f"scale {scale} page {page}, {PROFILE_RERUNS} warm reruns"
            result["profiles"][page] = summarise(holder.pop("profiler"), name)
    f = result.get("finder_change") or {}
    if f.get("page_ms") and _median(f["page_ms"]) > FILTER_CHANGE_MS:
        holder["on"] = True
        _filter_changes(
            apps["work_group_finder"], recorder, replay_con, len(PHASE_CHANGES), skip=len(f["page_ms"])
        )
        holder["on"] = False
        name = f"scale {scale} finder filter changes"
        result["profiles"]["finder_change"] = summarise(holder.pop("profiler"), name)
    return result


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def _phase_pills(at):
    """The finder's phase pills, found by label (widget keys carry a page prefix)."""
    found = [p for p in at.pills if str(p.label).startswith("Phase")]
    if not found:
        raise RuntimeError("no 'Phase' pills on the finder page")
    return found[0]


def _filter_changes(at, recorder, replay_con, n: int, skip: int = 0) -> dict:
    try:
        page_ms, queries_ms = [], []
        for value in PHASE_CHANGES[skip : skip + n]:
            recorder.calls.clear()
            t0 = time.perf_counter()
            _phase_pills(at).set_value(value).run()
            page_ms.append(1000 * (time.perf_counter() - t0))
            if at.exception:
                raise RuntimeError("; ".join(str(e.value)[:300] for e in at.exception))
            queries_ms.append(_replay(replay_con, list(recorder.calls)))
        return {"page_ms": page_ms, "queries_ms": queries_ms}
    except Exception as exc:  # noqa: BLE001
        return {"error": f"{type(exc).__name__}: {exc}"[:600]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--pages", default=",".join(PAGES))
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    os.environ["BENCH_SCALE"] = str(args.scale)
    got = _measure(args.data_dir, [p for p in args.pages.split(",") if p], args.runs)
    args.out.write_text(json.dumps(got, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
