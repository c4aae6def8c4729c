"""Sampling profiles of the running server: py-spy attached to the `streamlit run` process while the
load driver runs, summed here into where the busy time goes.

`py-spy record -p PID -f raw` writes one line per distinct stack (`frame;frame;... count`). Threads
that wait (the event loop's select, idle workers, a polling file watcher's sleep) are not busy time
and are dropped. For each function, "total" is the share of busy samples with it on the stack
(inclusive) and "self" the share with it on top.

`python -m benchmarks.spy FILE [N]` prints the top N.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

IDLE = (
    "wait (threading.py",
    "select (selectors.py",
    "_worker (concurrent/futures",
    "epoll",
    "sleep",
    "polling_path_watcher.py:90",
    "_recv_into",
    "accept (socket.py",
)


def available() -> bool:
    return shutil.which("py-spy") is not None or Path(sys.executable).with_name("py-spy").exists()


def record(pid: int, seconds: float, out: Path, rate: int = 50) -> subprocess.Popen:
    """Start py-spy on `pid` for `seconds` (non-blocking: the server is not paused to sample)."""
    exe = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    return subprocess.Popen(
        [
            exe,
            "record",
            "-p",
            str(pid),
            "-d",
            str(int(seconds)),
            "-r",
            "50",
            "-f",
            "raw",
            "-o",
            str(out),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _key(frame: str) -> str:
    """`func (path/file.py:line)` -> `func (file.py)`: one entry per function, not per line."""
    if " (" not in frame:
        return frame
    func, where = frame.split(" (", 1)
    path = where.rsplit(":", 1)[0].rstrip(")")
    return f"{func} ({'/'.join(path.split('/')[-2:])})"


def summarize(raw: Path, top: int = 25) -> dict:
    busy = 0
    total: Counter[str] = Counter()
    own: Counter[str] = Counter()
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        frames = stack.split(";")
        if any(mark in frames[-1] for mark in IDLE):
            continue
        busy += int(n)
        for key in {_key(f) for f in frames}:
            total[key] += int(n)
        own[_key(frames[-1])] += int(n)
    if not busy:
        return {"busy_samples": 0, "text": ["no busy samples"]}
    skip = (
        "Thread.",
        "_bootstrap",
        "._run_script",
        "exec_func_with_error_handling",
        "code_to_exec",
        "Page.run",
        "main_run",
        "runpy",
        "click/",
        "bootstrap.py",
        "BaseEventLoop.run",
        "Runner.run",
        "Handle._run",
        "<module> (dashboard/app.py)",
        "CachedFunc.",
        "gather_metrics",
    )
    lines = [
        f"{busy} busy samples; total = on the stack, self = on top",
        "",
        "total  self  function",
    ]
    shown = 0
    for key, n in total.most_common():
        if shown >= top:
            break
        if any(s in key for s in skip):
            continue
        lines.append(f"{100 * n / busy:4.0f}% {100 * own[key] / busy:4.0f}%  {key}")
        shown += 1
    gc = sum(n for k, n in own.items() if k.startswith("ScriptRunner._on_script_finished"))
    return {
        "busy_samples": busy,
        "text": lines,
        "gc_share": gc / busy,
        "headline": ", ".join(f"{k} {100 * n / busy:.0f}%" for k, n in own.most_common(3)),
    }


if __name__ == "__main__":
    got = summarize(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 25)
    print("\n".join(got["text"]))
    print("self, top 3:", got.get("headline", ""))
