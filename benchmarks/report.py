"""Write `benchmarks/out/report.json` and `benchmarks/out/report.md` from the figures of every group.

One table per group: median, min, max and number of runs, the target and pass/miss (judged on the
median). Then the profile of each missed figure (hot frames with their share of the run), the
method of each group (its module docstring) and any group that could not run.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from benchmarks.common import OUT, Figure, machine, versions

GROUP_TITLES = {
    "ingest": "Ingest",
    "build": "Build",
    "pages": "Pages",
    "memory": "Memory and concurrency",
    "load": "Load: Locust users over Streamlit's websocket, one server process",
    "replicas": "Load through HAProxy: two replicas",
}


def fmt(x: float | None, unit: str) -> str:
    if x is None:
        return "-"
    if unit == "s":
        return f"{x:.2f} s" if x < 100 else f"{x:.0f} s"
    if unit == "x":
        return f"{x:.2f}x"
    if unit == "ms":
        return f"{x:.0f} ms"
    if unit == "MB":
        return f"{x:.0f} MB"
    if unit == "/s":
        return f"{x:.1f}/s"
    return f"{x:g} {unit}"


def result_text(f: Figure) -> str:
    return {True: "pass", False: "**MISS**", None: ""}[f.passed]


def write(
    figures: list[Figure],
    profiles: dict[str, dict],
    methods: dict[str, str],
    skipped: dict[str, str],
    wall_s: float,
    settings: dict,
) -> tuple[str, str]:
    OUT.mkdir(parents=True, exist_ok=True)
    info = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_seconds": round(wall_s, 1),
        "machine": machine(),
        "versions": versions(),
        "settings": settings,
    }
    doc = {
        **info,
        "figures": [f.to_json() for f in figures],
        "summary": {
            "targets": sum(f.passed is not None for f in figures),
            "passed": sum(f.passed is True for f in figures),
            "missed": [f.name for f in figures if f.passed is False],
        },
        "profiles": profiles,
        "skipped": skipped,
    }
    (OUT / "report.json").write_text(json.dumps(doc, indent=2, default=str) + "\n", encoding="utf-8")
    (OUT / "report.md").write_text(_markdown(info, figures, profiles, methods, skipped), encoding="utf-8")
    return str(OUT / "report.md"), str(OUT / "report.json")


def _markdown(info, figures, profiles, methods, skipped) -> str:
    m, v = info["machine"], info["versions"]
    lines = [
        "# Maths Hubs Atlas benchmarks",
        "",
        f"Generated {info['generated_at']} in {info['wall_seconds']:.0f} s of wall time. "
        f"Each figure is the median of its runs (alternating side by side with its baseline); pass/miss "
        f"is judged on the median.",
        "",
        f"**Machine**: {m['cpu_count']} CPUs ({m['affinity_cpus']} usable), {m['memory_mb']} MB RAM, "
        f"{m['platform']}, load average at start {m['load_average_at_start']}.",
        "",
        "**Versions**: " + ", ".join(f"{k} {val}" for k, val in v.items()),
        "",
        f"**Settings**: {json.dumps(info['settings'], default=str)}",
        "",
    ]
    for group, title in GROUP_TITLES.items():
        rows = [f for f in figures if f.group == group]
        if not rows and group not in skipped:
            continue
        lines += [f"## {title}", ""]
        if group in skipped:
            lines += [f"Not measured: {skipped[group]}", ""]
        if rows and any(f.baseline for f in rows):
            lines += [
                "| figure | baseline | ours | ours / baseline | target | result | note |",
                "|---|---:|---:|---:|---|---|---|",
            ]
            for f in rows:
                ratio = f"{f.vs_baseline:.2f}" if f.vs_baseline is not None else "-"
                lines.append(
                    f"| {f.name} | {fmt(f.baseline_median, f.unit)} | {fmt(f.median, f.unit)} | {ratio} | "
                    f"{f.target_text} | {result_text(f)} | {f.note} |"
                )
            lines.append("")
        elif rows:
            lines += [
                "| figure | median | min | max | runs | target | result | note |",
                "|---|---:|---:|---:|---:|---|---|---|",
            ]
            for f in rows:
                lines.append(
                    f"| {f.name} | {fmt(f.median, f.unit)} | {fmt(f.min, f.unit)} | {fmt(f.max, f.unit)} | "
                    f"{len(f.samples)} | {f.target_text} | {result_text(f)} | {f.note} |"
                )
            lines.append("")
    missed = [f for f in figures if f.passed is False]
    lines += [
        "## Summary",
        "",
        f"{sum(f.passed is True for f in figures)} of {sum(f.passed is not None for f in figures)} "
        f"targets met.",
        "",
    ]
    for f in missed:
        lines.append(f"- MISS: {f.name}: {fmt(f.median, f.unit)} (target {f.target_text})")
    if missed:
        lines.append("")
    if profiles:
        lines += ["## Profiles of missed figures (pyinstrument; py-spy on the server for load)", ""]
        shown: dict[str, str] = {}
        for name, p in profiles.items():
            lines += [f"### {name}", ""]
            if p.get("file") in shown:
                lines += [f'The same run as for "{shown[p["file"]]}" above.', ""]
                continue
            if p.get("file"):
                shown[p["file"]] = name
            if "error" in p:
                lines += [f"Profile failed: {p['error']}", ""]
                continue
            lines += [
                f"Profiled: {p['seconds']:.2f} s of runs; full tree in `{p['file']}`. Frames of our "
                f"code over 3% of the run (self = time in the frame itself, including the C code it "
                f"calls), with the library calls under them:",
                "",
                "```",
            ]
            lines += p["text"] + ["```", ""]
            if p.get("headline"):
                lines += [f"Most of the time (self): {p['headline']}.", ""]
            if p.get("finding"):
                lines += [p["finding"], ""]
    lines += ["## Method", ""]
    for group, doc in methods.items():
        lines += [f"### {GROUP_TITLES.get(group, group)}", "", doc.strip(), ""]
    return "\n".join(lines)
