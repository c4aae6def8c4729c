"""The `atlas` command line: ingest, build, status, sample, reference, export, ops and loader (typer + rich).

Bad input never ends in a traceback: every expected failure is reported as one plain message and
an exit code (0 loaded, 1 rejected, 2 usage error).
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.console import Console
from rich.table import Table

from pipelines import reference as open_data
from pipelines.config import paths, reference_dir_from_env
from pipelines.contracts import ENTITIES

app = typer.Typer(
    help="Maths Hubs Atlas data pipelines: load hub, LLME, Work Group and participation files into DuckDB.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
# soft_wrap: a message is never broken mid-path at the terminal's width (paths stay copyable, and a
# script reading stderr sees each message on one line); tables still fit the width.
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", help="Data directory (default: $ATLAS_DATA_DIR or ./data).", show_default=False
    ),
]


def _today() -> date | None:
    # ATLAS_TODAY pins "today" so sample data and tests are reproducible across days.
    raw = os.environ.get("ATLAS_TODAY")
    return date.fromisoformat(raw) if raw else None


@app.command()
def ingest(
    entity: Annotated[str, typer.Argument(help=f"What the file holds: {', '.join(ENTITIES)}.")],
    file: Annotated[
        Path, typer.Argument(help="CSV (utf-8, cp1252 or latin-1; , ; or tab), XLSX, JSON or Parquet.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Reject the whole file if any row fails a rule.")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Validate FILE and publish its valid rows in a new snapshot; invalid rows are quarantined."""
    from pipelines.ingest import ingest as run

    if entity not in ENTITIES:
        err.print(f"[red]Unknown entity '{entity}'.[/red] Choose one of: {', '.join(ENTITIES)}.")
        raise typer.Exit(2)
    with out.status(f"Loading {file.name} as {entity}...", spinner="dots") if not as_json else _null():
        result = run(paths(data_dir), entity, file, strict=strict)
    if as_json:
        keys = (
            "status",
            "received",
            "loaded",
            "quarantined",
            "reasons",
            "snapshot",
            "message",
            "extra_columns",
        )
        out.print_json(json.dumps({k: getattr(result, k) for k in keys}))
    elif result.status == "loaded":
        out.print(f"[green]Loaded[/green] {result.file}: {result.message}.")
        for rule, n in result.reasons.items():
            out.print(f"  {n} row(s) quarantined: {rule}")
        if result.extra_columns:
            out.print(f"  extra columns kept aside: {', '.join(result.extra_columns)}")
        if result.quarantined:
            out.print("  See the quarantine table (`atlas status`) for each row, column and reason.")
    else:
        err.print(f"[red]Rejected[/red] {result.message}")
    raise typer.Exit(0 if result.status == "loaded" else 1)


@app.command()
def build(
    sample_scale: Annotated[
        float, typer.Option(help="Sample data volume (1 = national scale; 0 = none).")
    ] = 1.0,
    reference_dir: Annotated[
        Path | None,
        typer.Option(
            help="Open data folder (default: $ATLAS_REFERENCE_DIR, else the cache `atlas reference` "
            "fills, else the copy shipped in data/opendata)."
        ),
    ] = None,
    no_open_data: Annotated[
        bool,
        typer.Option(
            "--no-open-data", help="Build without open data: generated sample schools, schematic map."
        ),
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Build a fresh warehouse from reference facts, open data, sample data and every landed file."""
    from pipelines.build import build as run

    if no_open_data and reference_dir is not None:
        err.print("Give either --reference-dir or --no-open-data, not both.")
        raise typer.Exit(2)
    if no_open_data:
        ref = None
    else:
        ref = reference_dir or reference_dir_from_env() or open_data.default_open_dir(paths(data_dir))
    if ref is not None and open_data.missing_files(ref):
        err.print(f"[red]Open data folder {ref} lacks {', '.join(open_data.missing_files(ref))}.[/red]")
        raise typer.Exit(1)
    with out.status("Building the warehouse...", spinner="dots") as status:
        report = run(
            paths(data_dir),
            sample_scale=sample_scale,
            reference_dir=ref,
            use_open_data=not no_open_data,
            today=_today(),
            progress=lambda msg: status.update(f"Building: {msg}"),
        )
    out.print(f"[green]Built[/green] {report.snapshot} in {report.seconds:.1f} s")
    table = Table("table", "rows")
    for name, n in report.counts.items():
        table.add_row(name, f"{n:,}")
    out.print(table)
    out.print(f"open data: {report.open_data or 'not loaded (sample schools; map shows hub points)'}")
    for skipped in report.skipped_files:
        err.print(f"[yellow]Skipped landed file[/yellow] {skipped}")


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Show the current snapshot, table counts, recent runs and quarantine counts."""
    from pipelines.status import collect

    info = collect(paths(data_dir))
    if as_json:
        out.print_json(json.dumps(info, default=str))
        raise typer.Exit(0 if info["snapshot"] else 1)
    if not info["snapshot"]:
        err.print("No warehouse yet: run `atlas build`.")
        raise typer.Exit(1)
    out.print(f"Current snapshot: {info['snapshot']}")
    counts = Table("table", "rows")
    for name, n in info["counts"].items():
        counts.add_row(name, f"{n:,}")
    out.print(counts)
    runs = Table(
        "run", "kind", "entity", "file", "status", "received", "loaded", "quarantined", title="Recent runs"
    )
    for r in info["runs"]:
        runs.add_row(
            *(
                str(r.get(k, ""))
                for k in ("run_id", "kind", "entity", "file", "status", "received", "loaded", "quarantined")
            )
        )
    out.print(runs)
    if info["quarantine"]:
        q = Table("entity", "rule", "rows", title="Quarantine")
        for r in info["quarantine"]:
            q.add_row(r["entity"], r["rule"], str(r["rows"]))
        out.print(q)


@app.command()
def sample(
    scale: Annotated[float, typer.Option(help="Volume (1 = national scale).")] = 1.0,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the three CSV files to.")] = Path(
        "sample"
    ),
    data_dir: DataDir = None,
) -> None:
    """Write deterministic sample files in the import templates (needs a built warehouse for hubs and
    schools)."""
    from pipelines import sample as gen
    from pipelines.warehouse.store import current_snapshot

    snap = current_snapshot(paths(data_dir))
    if snap is None:
        err.print("No warehouse yet: run `atlas build` first (sample files use its hubs and schools).")
        raise typer.Exit(1)
    with duckdb.connect(str(snap), read_only=True) as con:
        s = gen.generate(con, scale, today=_today())
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, frame in (
        ("work_groups", s.work_groups),
        ("llmes", s.llmes),
        ("participations", s.participations),
    ):
        frame.write_csv(out_dir / f"{name}.csv")
        out.print(f"wrote {out_dir / f'{name}.csv'} ({frame.height:,} rows)")


@app.command("reference")
def reference_cmd(
    from_dir: Annotated[
        Path | None,
        typer.Option("--from", help="Folder laid out like shared/data (default: $ATLAS_REFERENCE_DIR)."),
    ] = None,
    download: Annotated[
        bool,
        typer.Option(
            "--download",
            help="Fetch the publishers' files (DfE GIAS extract, ONS district boundaries, ONS postcode "
            "lookup) and reduce them, instead of copying a folder.",
        ),
    ] = False,
    base_url: Annotated[
        str | None,
        typer.Option(
            help="A mirror holding the publishers' files as edubasealldata.csv, lad_boundaries.geojson and "
            "nspl.zip (default: $ATLAS_REFERENCE_URL, else the publishers: $ATLAS_GIAS_URL, $ATLAS_LAD_URL, "
            "$ATLAS_NSPL_URL or today's addresses)."
        ),
    ] = None,
    sample_scale: Annotated[float, typer.Option(help="Sample volume for the rebuild.")] = 1.0,
    data_dir: DataDir = None,
) -> None:
    """Refresh the open data (ONS boundaries, postcode districts, DfE school register), then rebuild."""
    from pipelines.build import build as run

    p = paths(data_dir)
    staging = p.open_data
    try:
        if download:
            from pipelines import download as publishers

            sources = publishers.Sources.from_settings(base_url or os.environ.get("ATLAS_REFERENCE_URL"))
            with _download_progress() as progress:
                done = publishers.refresh(p, sources, progress=progress)
            out.print(
                f"Reduced the publishers' files: {done.districts} districts, {done.postcode_districts:,} "
                f"postcode districts, {done.schools:,} open state-funded schools"
                + (
                    f" ({done.not_located} not located: postcode not in the lookup)"
                    if done.not_located
                    else ""
                )
            )
            files = reference_files(staging)
        else:
            src = from_dir or reference_dir_from_env()
            if src is None:
                err.print("Give --from DIR (or set $ATLAS_REFERENCE_DIR), or use --download.")
                raise typer.Exit(2)
            staging.mkdir(parents=True, exist_ok=True)
            files = open_data.stage_from_folder(src.resolve(), staging)
    except open_data.ReferenceError as exc:
        err.print(f"[red]{exc}[/red]")
        err.print("Nothing changed: the open data in use stays as it was.")
        raise typer.Exit(1) from None
    out.print(f"staged {len(files)} open-data files in {staging}")
    with out.status("Rebuilding the warehouse with open data...", spinner="dots"):
        report = run(p, sample_scale=sample_scale, reference_dir=staging, today=_today())
    out.print(f"[green]Built[/green] {report.snapshot} in {report.seconds:.1f} s: {report.counts}")


def reference_files(folder: Path) -> list[str]:
    return sorted(f.relative_to(folder).as_posix() for f in folder.rglob("*") if f.is_file())


class _download_progress:
    """Rich progress bars (bytes, percent, speed) fed by the downloader's (label, done, total) calls."""

    def __enter__(self):
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TransferSpeedColumn,
        )

        self.bars = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            console=err,
        )
        self.tasks: dict[str, int] = {}
        self.bars.__enter__()
        return self.update

    def update(self, label: str, done: int, total: int | None) -> None:
        if label not in self.tasks:
            self.tasks[label] = self.bars.add_task(label, total=total)
        self.bars.update(self.tasks[label], completed=done, total=total)

    def __exit__(self, *exc):
        return self.bars.__exit__(*exc)


@app.command("export")
def export_cmd(
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder to write the release into (created if needed).")
    ],
    data_dir: DataDir = None,
) -> None:
    """Write the public aggregates (suppressed as on the public pages) as CSV and Parquet, with a data
    dictionary and a metadata file (source snapshot, data as at, licence, attribution)."""
    from pipelines.export import export

    try:
        meta = export(paths(data_dir), out_dir)
    except FileNotFoundError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    for name, f in meta["files"].items():
        out.print(f"{name}: {f['rows']:,} rows ({', '.join(f['formats'])})")
    out.print(
        f"[green]Exported[/green] {meta['source_snapshot']} to {out_dir} (data dictionary, metadata.json)."
    )
    if meta["sample_data"]:
        out.print("[yellow]This build holds sample data: the release says so in metadata.json.[/yellow]")


@app.command("ops")
def ops_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Migrate the ops store (access log, unmet demand, load journal, uploads) and show its schema."""
    from pipelines.ops.store import open_store

    try:
        s = open_store(paths(data_dir))
    except Exception as exc:  # noqa: BLE001 - an unreachable database is a plain message, not a traceback
        err.print(f"[red]The ops store cannot be opened:[/red] {exc}")
        raise typer.Exit(1) from None
    info = {"backend": s.backend, "location": s.location, "version": s.version(), "tables": s.tables()}
    s.close()
    if as_json:
        out.print_json(json.dumps(info))
        return
    out.print(f"ops store: {info['backend']} at {info['location']}, schema version {info['version']}")
    for table, columns in info["tables"].items():
        out.print(f"  {table}: {', '.join(columns)}")


@app.command()
def loader(
    once: Annotated[bool, typer.Option("--once", help="Load what is queued, then stop.")] = False,
    poll: Annotated[float, typer.Option(help="Seconds between looks at the queue.")] = 1.0,
    data_dir: DataDir = None,
) -> None:
    """Run the loader: ingest files uploaded on the "Load a file" page, one at a time, each in a
    child process with memory and time limits (ATLAS_LOAD_MEMORY_MB, ATLAS_LOAD_TIMEOUT_S)."""
    from pipelines.ops.loader import serve

    out.print(f"loader: watching the upload queue (data: {paths(data_dir).data_dir})")
    done = serve(paths(data_dir), poll_s=poll, once=once)
    out.print(f"loader: {done} upload(s) processed")


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
