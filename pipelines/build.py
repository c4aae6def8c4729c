"""`atlas build`: a fresh snapshot from reference facts, open data, sample data and every landed file.

The build replays landed files in the order they arrived, through the same contracts as
`atlas ingest`, so a rebuild gives the same published tables as the loads that led to it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from pipelines import domain, reference, sample
from pipelines.config import Paths
from pipelines.contracts import FileRejected, module, validate
from pipelines.ingest import parse_landed
from pipelines.readers import ROW, RawTable, ReadError, read_table
from pipelines.warehouse import loading, store
from pipelines.warehouse.facts import load_facts

ORDER = ("work_groups", "llmes", "participations")  # participations need their Work Groups first


@dataclass
class BuildReport:
    snapshot: str
    seconds: float
    counts: dict[str, int]
    open_data: str | None
    sample_scale: float
    landed_files: int
    skipped_files: list[str] = field(default_factory=list)


def build(
    p: Paths,
    *,
    sample_scale: float = 1.0,
    reference_dir: Path | None = None,
    use_open_data: bool = True,
    today: date | None = None,
    progress: Callable[[str], None] = lambda _msg: None,
) -> BuildReport:
    t0 = time.perf_counter()
    # Open data: the folder given, else the cache `atlas reference` filled. The CLI passes the shipped
    # copy (data/opendata) when neither exists; `use_open_data=False` builds with sample schools only.
    open_dir = reference_dir or (p.open_data if not reference.missing_files(p.open_data) else None)
    if not use_open_data:
        open_dir = None
    with store.writer_lock(p):
        snapshot = store.start_snapshot(p, fresh=True)
        try:
            with duckdb.connect(str(snapshot)) as con:
                progress("reference facts")
                load_facts(con)
                if open_dir is not None:
                    progress(f"open data from {open_dir}")
                    reference.load_open_data(con, open_dir)
                else:
                    progress("sample schools (no open data configured)")
                    sample.generate_schools(con, np.random.default_rng(sample.SEED))
                if sample_scale > 0:
                    progress(f"sample data at scale {sample_scale:g}")
                    s = sample.generate(con, sample_scale, today=today)
                    frames = {
                        "work_groups": s.work_groups,
                        "llmes": s.llmes,
                        "participations": s.participations,
                    }
                    for entity in ORDER:
                        raw = _as_raw(frames[entity])
                        _load(
                            con,
                            entity,
                            raw,
                            f"sample_{entity}.csv",
                            None,
                            is_sample=True,
                            snapshot=snapshot.name,
                        )
                skipped = []
                landed = _landed_files(p)
                for f in landed:
                    entity, digest, file_name = parse_landed(f.name)
                    progress(f"landed file {f.name}")
                    try:
                        raw = read_table(f, module(entity).REQUIRED)
                        name = snapshot.name
                        _load(
                            con,
                            entity,
                            raw,
                            file_name,
                            digest,
                            is_sample=False,
                            snapshot=name,
                            landed_file=f.name,
                        )
                    except (ReadError, FileRejected) as exc:
                        skipped.append(f"{f.name}: {exc}")
                loading.refresh_locations(con)
                con.executemany(
                    "INSERT OR REPLACE INTO build_info VALUES (?, ?)",
                    [
                        ["built_at", datetime.now(UTC).isoformat(timespec="seconds")],
                        ["sample_scale", f"{sample_scale:g}"],
                        ["open_data", "loaded" if open_dir else "not loaded"],
                        *(reference.describe(open_dir).items() if open_dir else ()),
                        ["today", (today or date.today()).isoformat()],
                        # the academic_years model offers it even before any of its data is loaded
                        ["current_year_start", str(domain.current_year_start(today))],
                    ],
                )
                counts = {
                    t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]  # noqa: S608 - fixed names
                    for t in (
                        "hubs",
                        "hub_areas",
                        "schools",
                        "llmes",
                        "work_groups",
                        "participations",
                        "quarantine",
                    )
                }
                con.execute("CHECKPOINT")
            store.publish(p, snapshot)
        except BaseException:
            store.discard(snapshot)
            raise
    return BuildReport(
        snapshot.name,
        round(time.perf_counter() - t0, 2),
        counts,
        str(open_dir) if open_dir else None,
        sample_scale,
        len(landed),
        skipped,
    )


def _landed_files(p: Paths) -> list[Path]:
    """Landed files in arrival order. A `.pending` file is a load that crashed: keep it if its
    snapshot was published (the current load log names that very copy), else it never happened.
    Matching the copy's name, not the file's hash, keeps a killed load's leftover from being
    replayed beside the successful retry of the same file."""
    if not p.landed.exists():
        return []
    published: set[str] = set()
    legacy: set[str] = set()  # hashes of loads logged before landed_file was recorded
    current = store.current_snapshot(p)
    if current is not None:
        with duckdb.connect(str(current), read_only=True) as con:
            has_landed = con.execute(
                "SELECT count(*) FROM duckdb_columns() "
                "WHERE table_name = 'load_log' AND column_name = 'landed_file'"
            ).fetchall()[0][0]
            landed_column = "landed_file" if has_landed else "NULL"
            rows = con.execute(
                f"SELECT sha256, {landed_column} FROM load_log WHERE kind = 'ingest' AND sha256 IS NOT NULL"  # noqa: S608
            ).fetchall()
        published = {landed for _, landed in rows if landed}
        legacy = {sha[:12] for sha, landed in rows if not landed}
    files = []
    for f in sorted(p.landed.glob("*__*__*")):
        if f.name.endswith(".pending"):
            final = f.name.removesuffix(".pending")
            if final not in published and parse_landed(f.name)[1] not in legacy:
                f.unlink()
                continue
            f = f.rename(f.with_name(final))
        files.append(f)
    return files


def _as_raw(frame: pl.DataFrame) -> RawTable:
    """Sample rows go through the contracts exactly as a CSV of them would (row 2 = first data line)."""
    rows = frame.with_columns(pl.col(pl.String).replace("", None)).with_row_index(ROW, offset=2)
    return RawTable(rows.with_columns(pl.col(ROW).cast(pl.Int64)), list(frame.columns))


def _load(
    con,
    entity: str,
    raw: RawTable,
    file_name: str,
    sha: str | None,
    *,
    is_sample: bool,
    snapshot: str,
    landed_file: str | None = None,
) -> None:
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    v = validate(entity, raw, loading.context(con), file_name)
    loading.apply(
        con,
        v,
        run_id=loading.next_run_id(con),
        kind="sample" if is_sample else "ingest",
        file_name=file_name,
        sha256=sha,
        started=started,
        duration_s=time.perf_counter() - t0,
        snapshot=snapshot,
        is_sample=is_sample,
        landed_file=landed_file,
    )
