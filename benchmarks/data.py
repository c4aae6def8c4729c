"""Deterministic benchmark inputs: a built warehouse and large import files that are valid against it.

`warehouse(root, scale)` builds a fresh warehouse (no open data, pinned today) into `root`.
`participations_csv` writes N unique (work_group_id, school_urn) rows that reference Work Groups and
schools in that warehouse; `work_groups_csv` writes N new Work Groups for existing hubs, in the
import template, with the mix of spellings people type (hub names or ids, UK or ISO dates, phase
aliases) and the quoting a spreadsheet export gives (titles and cost notes contain commas).
The same seed always gives byte-identical files.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from pipelines import domain
from pipelines.build import build
from pipelines.config import Paths, paths
from pipelines.contracts import participations, work_groups
from pipelines.warehouse import store

TODAY = date(2026, 11, 23)
SEED = 4


def warehouse(root: Path, scale: float, reference_dir: Path | None = None) -> Paths:
    """A fresh warehouse in `root` (removed first)."""
    shutil.rmtree(root, ignore_errors=True)
    p = paths(root)
    build(p, sample_scale=scale, reference_dir=reference_dir, today=TODAY)
    return p


def copy_warehouse(src: Paths, dst: Path) -> Paths:
    """A private copy of a data directory, so each timed ingest does the whole load."""
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src.data_dir, dst)
    return paths(dst)


def _read(p: Paths, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(store.current_snapshot(p)), read_only=True) as con:
        return con.sql(sql).pl()


def participations_csv(p: Paths, out: Path, n: int, seed: int = SEED) -> Path:
    """`n` unique participation rows (all valid) referencing existing Work Groups and schools."""
    rng = np.random.default_rng(seed)
    wg = _read(p, "SELECT work_group_id FROM work_groups ORDER BY work_group_id")["work_group_id"]
    urns = _read(p, "SELECT urn FROM schools ORDER BY urn")["urn"].to_numpy()
    if wg.len() * len(urns) < 2 * n:
        raise ValueError("warehouse too small for that many unique participations")
    picked = np.unique(rng.integers(0, wg.len() * len(urns), size=int(n * 1.05)))
    rng.shuffle(picked)
    picked = picked[:n]
    if picked.size < n:
        raise ValueError("not enough unique pairs drawn")
    stages = np.array(["readiness", "Development", "embedding", "Sustaining", "TfM Embedding", ""])
    frame = pl.DataFrame(
        {
            "work_group_id": wg.gather(picked // len(urns)),
            "school_urn": urns[picked % len(urns)].astype(str),
            "teachers": rng.integers(1, 4, n).astype(str),
            "stage": stages[rng.integers(0, len(stages), n)],
        }
    ).select(participations.TEMPLATE)
    # Empty cells as nothing (as spreadsheets write them), so the file has no quote characters.
    frame.with_columns(pl.col(pl.String).replace("", None)).write_csv(out)
    return out


def work_groups_csv(p: Paths, out: Path, n: int, seed: int = SEED) -> Path:
    """`n` new Work Groups (ids `bench-<hub>-<n>`) for existing hubs, over the five sample years."""
    rng = np.random.default_rng(seed)
    hubs = _read(p, "SELECT hub_id, name, website FROM hubs ORDER BY hub_id")
    progs = _read(p, "SELECT name, phases FROM programmes WHERE len(phases) > 0 ORDER BY programme_id")
    # Venues that the warehouse already accepted (so the file stays valid as venue rules evolve).
    schools = _read(
        p,
        "SELECT DISTINCT w.venue_name AS name, w.venue_postcode AS postcode, "
        "coalesce(s.town, 'town') AS town "
        "FROM work_groups AS w LEFT JOIN schools AS s "
        "ON s.name = w.venue_name AND s.postcode = w.venue_postcode "
        "WHERE w.venue_postcode IS NOT NULL AND w.venue_name IS NOT NULL ORDER BY ALL",
    )
    phase_label = {"early_years": "EYFS", "primary": "Primary", "secondary": "KS3;KS4", "post16": "Post-16"}
    prog_phases = np.array([";".join(phase_label[x] for x in ph) for ph in progs["phases"]])
    h = rng.integers(0, hubs.height, n)
    pr = rng.integers(0, progs.height, n)
    sc = rng.integers(0, schools.height, n)
    year = rng.integers(TODAY.year - 4, TODAY.year + 1, n)
    delivery = np.array(["Face-to-face", "Online", "Blended", "F2F", "Zoom"])[rng.integers(0, 5, n)]
    online = np.isin(delivery, ["Online", "Zoom"])
    capacity = rng.choice([12, 16, 20, 24, 30], n)
    left = (capacity * rng.random(n)).astype(int)
    status = np.where(
        year < TODAY.year, "Closed", np.array(["Open", "Full", "Booking open"])[rng.integers(0, 3, n)]
    )
    start = (np.array([date(int(y), 9, 15).toordinal() for y in range(TODAY.year - 4, TODAY.year + 1)]))[
        year - (TODAY.year - 4)
    ] + rng.integers(0, 50, n)
    sessions = [
        ";".join(
            (
                date.fromordinal(int(s + k * 35)).strftime("%d/%m/%Y")
                if k % 2
                else date.fromordinal(int(s + k * 35)).isoformat()
            )
            for k in range(int(m))
        )
        for s, m in zip(start, rng.integers(3, 7, n), strict=True)
    ]
    hub_ids = hubs["hub_id"].to_numpy()[h]
    ids = [f"bench-{hid}-{i:07d}" for i, hid in enumerate(hub_ids)]
    frame = pl.DataFrame(
        {
            "work_group_id": ids,
            "hub": np.where(rng.random(n) < 0.3, hubs["name"].to_numpy()[h], hub_ids),
            "academic_year": [domain.year_label(y) for y in year],
            "project_code": [f"NCP{y % 100:02d}-{q + 1:02d}" for y, q in zip(year, pr, strict=True)],
            "programme": progs["name"].to_numpy()[pr],
            "title": [
                f"{pn} ({t}, group {i % 9 + 1})"
                for i, (pn, t) in enumerate(
                    zip(progs["name"].to_numpy()[pr], schools["town"].to_numpy()[sc], strict=True)
                )
            ],
            "phases": prog_phases[pr],
            "delivery": delivery,
            "venue_name": np.where(online, "", schools["name"].to_numpy()[sc]),
            "venue_postcode": np.where(online, "", schools["postcode"].to_numpy()[sc]),
            "session_dates": sessions,
            "capacity": capacity.astype(str),
            "places_left": left.astype(str),
            "status": status,
            "booking_url": [
                f"{(w or 'https://www.ncetm.org.uk/').rstrip('/')}/work-groups/{i}"
                for w, i in zip(hubs["website"].to_numpy()[h], ids, strict=True)
            ],
            "cost_note": "Fully funded, including a £400 supply grant",
            "eligibility": "State-funded schools; 2 teachers per school",
        }
    ).select(work_groups.TEMPLATE)
    frame.with_columns(pl.col(pl.String).replace("", None)).write_csv(out)
    return out
