"""What every benchmark group shares: the run settings, a figure with its statistics and target,
alternating side-by-side runs, and the machine facts (CPU count, library versions).

A figure is a list of samples (one per run) with the median, min and max derived from it, and an
optional target: an upper bound (`<=`) by default or a lower bound (`>=`). Ratios against a
baseline are figures too: one sample per round of alternating runs (ours and the baseline run
back to back), so drift on a shared machine affects both sides of each ratio alike.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from pipelines.config import REPO_ROOT

OUT = REPO_ROOT / "benchmarks" / "out"
BUDGET_S = 14 * 60  # `make bench` must finish in under 15 minutes on 2 cores


@dataclass
class Settings:
    """Run-wide settings; `runs` is the number of alternating rounds per figure."""

    tmp: Path
    runs: int = 3
    reference_dir: Path | None = None
    started: float = field(default_factory=time.monotonic)
    budget_s: float = BUDGET_S
    warehouses: dict[str, Path] = field(default_factory=dict)  # e.g. "scale10": a built data dir

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    notes: dict[str, str] = field(default_factory=dict)  # free-text facts a group collects while running
    later_s: float = 0.0  # expected seconds of the groups still to run (set by __main__)

    def runs_within(self, seconds_per_round: float, also_after_s: float = 0.0) -> int:
        """Fewer rounds (at least 1) when the budget left, less what must still run after these
        rounds (later groups, and `also_after_s` more in this group), cannot afford them all."""
        left = self.budget_s - self.elapsed() - self.later_s - also_after_s
        runs = max(1, min(self.runs, int(left // max(seconds_per_round, 0.001))))
        if runs < self.runs:
            log(f"time budget: {runs} round(s) instead of {self.runs}")
        return runs


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


@dataclass
class Figure:
    group: str  # ingest | build | pages | memory
    name: str
    unit: str  # s | ms | MB | x | errors
    samples: list[float]
    target: float | None = None
    at_least: bool = False  # target is a lower bound
    note: str = ""
    profile: Callable[[], object] | None = field(default=None, repr=False)  # one run of ours, to profile
    profile_result: dict | None = None  # a profile taken elsewhere (e.g. in the page subprocess)
    finding: str = ""  # what earlier profiles of this figure showed (printed under a miss's profile)
    baseline: list[float] | None = None  # the same figure measured on the baseline, side by side

    @property
    def baseline_median(self) -> float | None:
        return statistics.median(self.baseline) if self.baseline else None

    @property
    def vs_baseline(self) -> float | None:
        """ours / baseline (medians)."""
        b, m = self.baseline_median, self.median
        return None if b in (None, 0) or m is None else m / b

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None

    @property
    def min(self) -> float | None:
        return min(self.samples) if self.samples else None

    @property
    def max(self) -> float | None:
        return max(self.samples) if self.samples else None

    @property
    def passed(self) -> bool | None:
        if self.target is None or self.median is None:
            return None
        return self.median >= self.target if self.at_least else self.median <= self.target

    @property
    def target_text(self) -> str:
        if self.target is None:
            return ""
        return f"{'>=' if self.at_least else '<='} {self.target:g} {self.unit}".strip()

    def to_json(self) -> dict:
        r = 4 if self.unit in ("s", "x") else 1
        return {
            "group": self.group,
            "name": self.name,
            "unit": self.unit,
            "median": _round(self.median, r),
            "min": _round(self.min, r),
            "max": _round(self.max, r),
            "runs": len(self.samples),
            "samples": [_round(s, r) for s in self.samples],
            "target": self.target_text or None,
            "passed": self.passed,
            "note": self.note,
            "baseline": _round(self.baseline_median, r),
            "vs_baseline": _round(self.vs_baseline, 3),
        }


def _round(x: float | None, digits: int) -> float | None:
    return None if x is None else round(x, digits)


def ratios(num: list[float], den: list[float]) -> list[float]:
    """Per-round ratios of two alternating series."""
    return [a / b for a, b in zip(num, den, strict=True) if b > 0]


def alternate(
    contenders: dict[str, Callable[[], float]], runs: int, label: str = ""
) -> dict[str, list[float]]:
    """Run each contender once per round, in turn (a, b, c, a, b, c...).

    Each contender does its own untimed set-up and returns the seconds its timed part took.
    """
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for i in range(runs):
        for name, run in contenders.items():
            seconds = run()
            times[name].append(seconds)
            log(f"{label} round {i + 1}/{runs}: {name} {seconds:.2f} s")
    return times


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in ("duckdb", "polars", "dataframely", "streamlit", "dlt", "pyarrow", "pandas", "playwright"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def machine() -> dict[str, object]:
    total_mb = None
    try:
        import psutil

        total_mb = round(psutil.virtual_memory().total / 2**20)
    except ImportError:
        pass
    return {
        "cpu_count": os.cpu_count(),
        "affinity_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_mb": total_mb,
        "platform": platform.platform(),
        "load_average_at_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def shared_open_data() -> Path | None:
    """$ATLAS_REFERENCE_DIR (as `make` sets it), else ../shared/data next to the repository."""
    env = os.environ.get("ATLAS_REFERENCE_DIR")
    candidate = Path(env) if env else REPO_ROOT.parent / "shared" / "data"
    return candidate.resolve() if (candidate / "geo" / "england_lad.geojson").exists() else None
