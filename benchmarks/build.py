"""Build figures: `atlas build` at sample scale 1 and 10, without and with open data.

Each run is the real command (`atlas build --sample-scale N --data-dir <fresh dir>`, a subprocess,
so interpreter start-up and imports count as they do for a user) with today pinned. Without open
data, ATLAS_REFERENCE_DIR is removed from the environment and sample schools are generated; with
it, `--reference-dir` points at the shared open data (ONS boundaries, DfE register), when present.
The two variants alternate round by round. The last warehouse of each scale is kept for the page
and memory figures (the open-data one when open data is available).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from benchmarks.common import Figure, Settings, alternate, log
from benchmarks.data import TODAY
from pipelines.build import build
from pipelines.config import paths

TARGETS = {1: 10.0, 10: 60.0}
ROUND_GUESS_S = {1: 12, 10: 70}  # both variants, for the time budget


def run(s: Settings) -> list[Figure]:
    figures: list[Figure] = []
    for scale, target in TARGETS.items():
        variants = {"no open data": None}
        if s.reference_dir is not None:
            variants["open data"] = s.reference_dir
        contenders = {name: _runner(s, scale, name, ref) for name, ref in variants.items()}
        after = ROUND_GUESS_S[10] * s.runs if scale == 1 else 0  # scale 10 still to come
        runs = s.runs_within(ROUND_GUESS_S[scale], after)
        times = alternate(contenders, runs, label=f"build scale {scale}")
        for name, ref in variants.items():
            figures.append(
                Figure(
                    "build",
                    f"atlas build, sample scale {scale}, {name}",
                    "s",
                    times[name],
                    target=target,
                    note=f"CLI subprocess, fresh data dir; rows: {s.notes.get(f'build{scale}{name}', '?')}",
                    profile=_profile(s, scale, ref),
                )
            )
        keep = "open data" if "open data" in variants else "no open data"
        s.warehouses[f"scale{scale}"] = _dir(s, scale, keep)
    return figures


def _dir(s: Settings, scale: int, variant: str) -> Path:
    return s.tmp / "build" / f"scale{scale}-{variant.replace(' ', '-')}"


def _runner(s: Settings, scale: int, variant: str, ref: Path | None):
    def one() -> float:
        target = _dir(s, scale, variant)
        shutil.rmtree(target, ignore_errors=True)
        env = {k: v for k, v in os.environ.items() if k != "ATLAS_REFERENCE_DIR"}
        env["ATLAS_TODAY"] = TODAY.isoformat()
        cmd = [
            str(Path(sys.executable).with_name("atlas")),
            "build",
            "--sample-scale",
            str(scale),
            "--data-dir",
            str(target),
        ]
        # Without a folder the CLI would load the shipped open data: say "none" explicitly.
        cmd += ["--reference-dir", str(ref)] if ref is not None else ["--no-open-data"]
        t0 = time.perf_counter()
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False, timeout=900)
        seconds = time.perf_counter() - t0
        if done.returncode != 0:
            raise RuntimeError(f"atlas build failed: {done.stdout[-800:]} {done.stderr[-800:]}")
        s.notes[f"build{scale}{variant}"] = _counts(done.stdout)
        return seconds

    return one


def _counts(stdout: str) -> str:
    """`rows: participations 70,317, quarantine 0` from the build's table of counts."""
    found = dict(re.findall(r"(work_groups|participations|quarantine)\s*\S\s*([\d,]+)", stdout))
    return ", ".join(f"{k} {v}" for k, v in found.items())


def _profile(s: Settings, scale: int, ref: Path | None):
    def one() -> None:
        target = s.tmp / "build" / "profile"
        shutil.rmtree(target, ignore_errors=True)
        build(
            paths(target), sample_scale=scale, reference_dir=ref, today=date.fromisoformat(TODAY.isoformat())
        )
        log(f"profiled build at scale {scale} in {target}")

    return one
