"""Ingest figures: `atlas ingest` of a 1,000,000-row participations CSV and a 200,000-row Work Groups
CSV, side by side with the raw limit and with dlt.

Contenders, alternated round by round (ours, raw, dlt, dlt-arrow, ours, raw, ...):

* **ours**: `pipelines.ingest.ingest` in-process on a fresh copy of a scale-1 warehouse (the copy is
  untimed; a second load of the same file into the same warehouse would be a no-op by design).
  Timed: hash, read, validate every row, copy the snapshot, upsert, quarantine/log, checkpoint,
  publish.
* **raw**: DuckDB's own `read_csv` into a table of a fresh database file (`CREATE TABLE AS SELECT *
  FROM read_csv(...)`, then `CHECKPOINT`): no validation, type inference only; the limit.
* **dlt**: what a data engineer would write from dlt's docs for "load CSV files from a folder":
  the filesystem source piped into its `read_csv` reader (pandas, chunks of 10,000 rows) and a
  `duckdb` destination, run with `loader_file_format="parquet"` (dlt's bulk format for DuckDB; the
  default `insert_values` is measured once, on a 20,000-row prefix, as information).
* **dlt arrow**: dlt's fastest CSV path, `read_csv_duckdb(use_pyarrow=True)` (DuckDB parses, Arrow
  batches pass through dlt unnormalised): ours must be faster (issue 13).

Also once per file: `atlas ingest ... --json` as a subprocess (includes interpreter start-up).
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from benchmarks import data
from benchmarks.common import Figure, Settings, alternate, log, ratios, timed
from pipelines.config import Paths, paths
from pipelines.ingest import ingest

FILES = {"participations": 1_000_000, "work_groups": 200_000}
LABEL = {"participations": "participations 1,000,000 rows", "work_groups": "Work Groups 200,000 rows"}
DLT_DEFAULT_PREFIX = 20_000
ROUND_GUESS_S = {"participations": 35, "work_groups": 35}  # ours + raw + dlt + dlt arrow, one round


def run(s: Settings) -> list[Figure]:
    root = s.tmp / "ingest"
    log("ingest: building the scale-1 base warehouse and generating the files")
    base = data.warehouse(root / "base", 1)
    files = {}
    for entity, n in FILES.items():
        folder = root / "files" / entity  # one file per folder: dlt's filesystem source globs a folder
        folder.mkdir(parents=True, exist_ok=True)
        make = data.participations_csv if entity == "participations" else data.work_groups_csv
        files[entity] = make(base, folder / f"{entity}.csv", n)
    figures: list[Figure] = []
    for entity, path in files.items():
        figures += _figures_for(s, root, base, entity, path)
    return figures


def _figures_for(s: Settings, root: Path, base: Paths, entity: str, path: Path) -> list[Figure]:
    n = FILES[entity]
    label = LABEL[entity]
    counter = iter(range(10_000))
    outcome = {"ours": ""}

    def ours() -> float:
        p = data.copy_warehouse(base, root / "ours")
        gc.collect()
        t0 = time.perf_counter()
        result = ingest(p, entity, path)
        seconds = time.perf_counter() - t0
        if result.status != "loaded" or result.loaded < 0.99 * n:
            raise RuntimeError(f"the generated file no longer fits the contract: {result.message}")
        outcome["ours"] = f"{result.loaded:,} loaded, {result.quarantined:,} quarantined"
        return seconds

    def raw() -> float:
        db = root / f"raw-{next(counter)}.duckdb"
        gc.collect()
        seconds = timed(lambda: _duckdb_read_csv(db, path))
        _check_rows(db, "raw_rows", n)
        db.unlink()
        return seconds

    def dlt_pandas() -> float:
        return _dlt(root / "dlt", path, n, "pandas")

    def dlt_arrow() -> float:
        return _dlt(root / "dlt", path, n, "arrow")

    t = alternate(
        {"ours": ours, "raw": raw, "dlt": dlt_pandas, "dlt arrow": dlt_arrow},
        s.runs_within(
            ROUND_GUESS_S[entity], ROUND_GUESS_S["work_groups"] * s.runs if entity == "participations" else 0
        ),
        label=label,
    )
    fig = []
    profile = lambda: ingest(data.copy_warehouse(base, root / "prof"), entity, path)  # noqa: E731
    g = "ingest"
    fig.append(
        Figure(
            g,
            f"{label}: atlas ingest (ours, in-process)",
            "s",
            t["ours"],
            note=outcome["ours"],
            profile=profile,
        )
    )
    fig.append(Figure(g, f"{label}: DuckDB read_csv into a table (raw)", "s", t["raw"]))
    fig.append(Figure(g, f"{label}: dlt filesystem + read_csv, parquet", "s", t["dlt"]))
    fig.append(Figure(g, f"{label}: dlt read_csv_duckdb, arrow", "s", t["dlt arrow"]))
    fig.append(
        Figure(
            g,
            f"{label}: ours / raw",
            "x",
            ratios(t["ours"], t["raw"]),
            target=1.5,
            note="per-round ratio",
            profile=profile,
        )
    )
    fig.append(
        Figure(
            g,
            f"{label}: dlt / ours",
            "x",
            ratios(t["dlt"], t["ours"]),
            target=5,
            at_least=True,
            note="per-round ratio; dlt = filesystem + read_csv, parquet",
            profile=profile,
        )
    )
    fig.append(
        Figure(
            g,
            f"{label}: dlt arrow / ours",
            "x",
            ratios(t["dlt arrow"], t["ours"]),
            target=1,
            at_least=True,
            note="dlt's fastest CSV path must not beat ours",
        )
    )
    fig.append(
        Figure(
            g,
            f"{label}: atlas ingest CLI (subprocess)",
            "s",
            [_cli(base, root, entity, path, n)],
            note="one run; includes interpreter start-up and imports",
        )
    )
    if entity == "participations":
        prefix = root / "prefix" / "participations_prefix.csv"
        prefix.parent.mkdir(parents=True, exist_ok=True)
        with open(path, encoding="utf-8") as src, open(prefix, "w", encoding="utf-8") as dst:
            for i, line in enumerate(src):
                if i > DLT_DEFAULT_PREFIX:
                    break
                dst.write(line)
        seconds = _dlt(root / "dlt", prefix, DLT_DEFAULT_PREFIX, "pandas", loader_file_format=None)
        fig.append(
            Figure(
                g,
                f"participations first {DLT_DEFAULT_PREFIX:,} rows: dlt filesystem + read_csv, dlt defaults "
                "(insert_values)",
                "s",
                [seconds],
                note="one run; information: dlt's out-of-the-box loader format",
            )
        )
    return fig


def _duckdb_read_csv(db: Path, path: Path) -> None:
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE raw_rows AS SELECT * FROM read_csv(?)", [str(path)])
        con.execute("CHECKPOINT")


def _check_rows(db: Path, table: str, n: int) -> None:
    with duckdb.connect(str(db), read_only=True) as con:
        got = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]  # noqa: S608 - fixed names
    if got != n:
        raise RuntimeError(f"{db.name}: {got} rows in {table}, expected {n}")


def _dlt(work: Path, path: Path, n: int, reader: str, loader_file_format: str | None = "parquet") -> float:
    """One dlt run into a fresh DuckDB file and a fresh pipelines folder; returns the timed seconds."""
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    import dlt
    from dlt.sources.filesystem import filesystem, read_csv, read_csv_duckdb

    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    db = work / "dlt.duckdb"
    gc.collect()
    t0 = time.perf_counter()
    files = filesystem(bucket_url=path.parent.as_uri(), file_glob=path.name)
    source = files | (read_csv() if reader == "pandas" else read_csv_duckdb(use_pyarrow=True))
    pipeline = dlt.pipeline(
        pipeline_name="bench",
        pipelines_dir=str(work / "pipelines"),
        destination=dlt.destinations.duckdb(str(db)),
        dataset_name="bench",
    )
    kwargs = {"loader_file_format": loader_file_format} if loader_file_format else {}
    pipeline.run(source.with_name("rows"), **kwargs)
    seconds = time.perf_counter() - t0
    _check_rows(db, "bench.rows", n)
    shutil.rmtree(work, ignore_errors=True)
    return seconds


def _cli(base: Paths, root: Path, entity: str, path: Path, n: int) -> float:
    p = data.copy_warehouse(base, root / "cli")
    exe = Path(sys.executable).with_name("atlas")
    cmd = [str(exe), "ingest", entity, str(path), "--json", "--data-dir", str(p.data_dir)]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=600)
    seconds = time.perf_counter() - t0
    if done.returncode != 0 or json.loads(done.stdout)["loaded"] < 0.99 * n:
        raise RuntimeError(
            f"atlas ingest CLI failed ({done.returncode}): {done.stdout[-500:]} {done.stderr[-500:]}"
        )
    shutil.rmtree(paths(root / "cli").data_dir, ignore_errors=True)
    return seconds
