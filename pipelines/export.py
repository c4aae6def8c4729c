"""The open-data release (`atlas export --out DIR`, and the zip on the About page): the public
aggregates as CSV and Parquet, with the same suppression as the public pages, plus a data
dictionary and a metadata file.

Files:
- llmes_by_hub_phase_year: active LLMEs by hub x phase x academic year (every hub and phase, zeros
  included). The pages publish each hub's total and each region's and England's count per phase, so
  secondary suppression runs over the same groupings as LLME coverage and the hub profile, and the
  release hides the same cells as the pages.
- work_groups_by_hub_programme_phase_year: Work Groups by hub x programme x phase x year. Work
  Groups are advertised public events, not people: not suppressed (as on the pages).
- schools_reached_by_hub_phase_la_year: schools reached by hub x school phase x the school's local
  authority x year. The pages publish each hub's yearly total, its split by phase and its split by
  local authority, so secondary suppression runs within each of those groupings.

Suppressed counts are empty in Parquet (with `<count>_suppressed` true) and written as the symbol
"c" in CSV, the official-statistics convention. The rule is dashboard/privacy.py, the one definition
the pages use (it imports polars only, so this module never loads Streamlit). No names, emails or
LLME identifiers are read.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from dashboard import privacy
from pipelines.config import Paths
from pipelines.definitions import DFE_SCHOOLS, ONS_BOUNDARIES, ONS_POSTCODES, OTHER_PHASE, definition
from pipelines.warehouse.store import current_snapshot

LICENCE = "Open Government Licence v3.0"
LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    sql: str
    count: str
    totals_over: tuple[tuple[str, ...], ...] | None  # None: not suppressed (public events)


TABLES = (
    Table(
        "llmes_by_hub_phase_year",
        "Active LLMEs by hub, phase and academic year",
        """
        WITH active AS (
            SELECT hub_id, year_start, phase, count(DISTINCT llme_id) AS n
            FROM mart_active_llmes, unnest(phases) AS p(phase)
            GROUP BY ALL
        )
        SELECT h.hub_id, h.name AS hub_name, h.region, y.academic_year, y.year_start, v.label AS phase,
               coalesce(a.n, 0) AS active_llmes
        FROM hubs AS h
        CROSS JOIN academic_years AS y
        CROSS JOIN (SELECT code, label, sort_order FROM vocabularies WHERE vocabulary = 'phase') AS v
        LEFT JOIN active AS a ON a.hub_id = h.hub_id AND a.year_start = y.year_start AND a.phase = v.code
        ORDER BY h.name, y.year_start, v.sort_order
        """,
        "active_llmes",
        # As the coverage matrix, hub profile and regional views (dashboard/data/coverage.py
        # fetch_hub_codes): each hub's total, each region's and England's count of each phase.
        (("hub_id", "year_start"), ("region", "phase", "year_start"), ("phase", "year_start")),
    ),
    Table(
        "work_groups_by_hub_programme_phase_year",
        "Work Groups by hub, programme, phase and academic year",
        """
        SELECT w.hub_id, h.name AS hub_name, w.academic_year, w.year_start,
               coalesce(pr.name, w.programme) AS programme, coalesce(v.label, p.phase) AS phase,
               count(*) AS work_groups
        FROM work_groups AS w JOIN hubs AS h USING (hub_id)
        LEFT JOIN programmes AS pr USING (programme_id), unnest(w.phases) AS p(phase)
        LEFT JOIN vocabularies AS v ON v.vocabulary = 'phase' AND v.code = p.phase
        GROUP BY ALL
        ORDER BY hub_name, w.year_start, programme, phase
        """,
        "work_groups",
        None,
    ),
    Table(
        "schools_reached_by_hub_phase_la_year",
        "Schools reached by hub, school phase, local authority and academic year",
        """
        SELECT r.hub_id, h.name AS hub_name, r.academic_year, r.year_start,
               coalesce(v.label, $other) AS phase, coalesce(r.la_name, 'Unknown') AS la_name,
               count(*) AS schools_reached
        FROM mart_schools_reached AS r
        JOIN hubs AS h ON h.hub_id = r.hub_id
        LEFT JOIN vocabularies AS v ON v.vocabulary = 'phase' AND v.code = r.phase
        GROUP BY ALL
        ORDER BY hub_name, r.year_start, phase, la_name
        """,
        "schools_reached",
        (("hub_id", "year_start"), ("hub_id", "year_start", "phase"), ("hub_id", "year_start", "la_name")),
    ),
)


# The hub profile's reach tables (dashboard/data/hub_profile.py hub_reach_by_phase / hub_reach_by_la),
# for every hub and year: schools in the area and schools reached by phase, and by local authority.
PAGE_REACH = """
WITH reached AS (
    SELECT hub_id, year_start, school_urn AS urn FROM mart_schools_reached
),
pairs AS (SELECT DISTINCT hub_id, year_start FROM reached)
SELECT p.hub_id, p.year_start, {key} AS key,
       count(*) FILTER (WHERE s.hub_id = p.hub_id) AS schools_in_area, count(r.urn) AS schools_reached
FROM pairs AS p
JOIN schools AS s ON s.hub_id = p.hub_id
    OR s.urn IN (SELECT urn FROM reached AS x WHERE x.hub_id = p.hub_id AND x.year_start = p.year_start)
LEFT JOIN reached AS r ON r.urn = s.urn AND r.hub_id = p.hub_id AND r.year_start = p.year_start
LEFT JOIN vocabularies AS v ON v.vocabulary = 'phase' AND v.code = s.phase
GROUP BY ALL
ORDER BY p.hub_id, p.year_start, {order}
"""
PAGE_KEYS = {
    "phase": ("coalesce(v.label, $other)", "any_value(coalesce(v.sort_order, 99))"),
    "la_name": ("coalesce(s.la_name, 'Unknown')", "schools_in_area DESC, key"),
}


def _hidden_on_pages(con: duckdb.DuckDBPyConnection, column: str) -> pl.DataFrame:
    """(hub_id, year_start, <column>) rows the hub profile hides, suppressed by the same rule."""
    key, order = PAGE_KEYS[column]
    sql = PAGE_REACH.format(key=key, order=order)
    frame = con.sql(sql, params={"other": OTHER_PHASE} if "$other" in sql else None).pl()
    shown = privacy.suppress(
        frame, "schools_reached", [["hub_id", "year_start"]], denominator="schools_in_area"
    )
    return shown.filter(pl.col("schools_reached_hidden")).select(
        "hub_id", "year_start", pl.col("key").alias(column)
    )


def released(con: duckdb.DuckDBPyConnection, table: Table) -> pl.DataFrame:
    """One table as released (Parquet form): suppressed counts null, with `<count>_suppressed`."""
    frame = con.sql(table.sql, params={"other": OTHER_PHASE} if "$other" in table.sql else None).pl()
    if table.totals_over is None:
        return frame
    groups = [list(g) for g in table.totals_over]
    if table.count == "schools_reached":
        # A cell whose hub x phase or hub x LA total the hub profile hides is hidden too, so the
        # release never adds up to a number the pages hide. The rule takes extra hidden cells as a
        # "denominator" hidden at 1 (kept at the threshold elsewhere), with secondary suppression.
        forced = (
            pl.concat(
                [
                    frame.join(_hidden_on_pages(con, c), on=["hub_id", "year_start", c], how="semi")
                    for c in ("phase", "la_name")
                ]
            )
            .select("hub_id", "year_start", "phase", "la_name")
            .unique()
        )
        frame = frame.join(
            forced.with_columns(pl.lit(1).alias("_page_hidden")),
            how="left",
            on=["hub_id", "year_start", "phase", "la_name"],
        )
        frame = frame.with_columns(pl.col("_page_hidden").fill_null(privacy.THRESHOLD))
        shown = privacy.suppress(frame, table.count, groups, denominator="_page_hidden")
        shown = shown.drop("_page_hidden", "_page_hidden_shown", "_page_hidden_hidden")
    else:
        shown = privacy.suppress(frame, table.count, groups)
    return shown.drop(f"{table.count}_shown").rename({f"{table.count}_hidden": f"{table.count}_suppressed"})


def as_csv(frame: pl.DataFrame, table: Table) -> bytes:
    """CSV form: the symbol in place of a suppressed count, no separate flag column."""
    flag = f"{table.count}_suppressed"
    if flag in frame.columns:
        frame = frame.with_columns(
            pl.when(pl.col(flag))
            .then(pl.lit(privacy.SYMBOL))
            .otherwise(pl.col(table.count).cast(pl.String))
            .alias(table.count)
        ).drop(flag)
    return frame.write_csv(include_bom=True).encode("utf-8")


def _type(dtype: pl.DataType, csv: bool, column: str, table: Table) -> str:
    if column == table.count and table.totals_over is not None:
        return f"integer, or '{privacy.SYMBOL}' when suppressed" if csv else "integer (empty when suppressed)"
    if dtype.is_integer():
        return "integer"
    if dtype == pl.Boolean:
        return "boolean"
    return "text"


def dictionary(frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
    rows = []
    for table in TABLES:
        for column, dtype in frames[table.name].schema.items():
            rows.append(
                {
                    "file": table.name,
                    "column": column,
                    "type_csv": "" if column.endswith("_suppressed") else _type(dtype, True, column, table),
                    "type_parquet": _type(dtype, False, column, table),
                    "meaning": definition(column) or column,
                }
            )
    return pl.DataFrame(rows)


def _info(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    info = dict(con.sql("SELECT key, value FROM build_info").fetchall())
    sample = con.sql(
        "SELECT (SELECT count(*) FROM llmes WHERE is_sample) "
        "+ (SELECT count(*) FROM work_groups WHERE is_sample)"
    ).fetchall()[0][0]
    last = con.sql("SELECT max(started_at) FROM load_log").fetchall()[0][0]
    info["sample_data"] = bool(sample)
    info["last_load"] = str(last or "")
    return info


def metadata(snapshot: Path, info: dict, frames: dict[str, pl.DataFrame]) -> dict:
    notice = (
        "SAMPLE DATA: LLMEs, Work Groups and participations in this build are generated for demonstration, "
        "not real records. Hubs, areas and programmes are real published facts."
        if info["sample_data"]
        else ""
    )
    return {
        "title": "Maths Hubs Atlas: public aggregates",
        "source_snapshot": snapshot.name,
        "data_as_at": {"warehouse_built": info.get("built_at", ""), "last_load": info.get("last_load", "")},
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "sample_data": info["sample_data"],
        "notice": notice,
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "attribution": [
            "Maths Hubs Atlas: hub returns on LLMEs, Work Groups and school participations.",
            ONS_BOUNDARIES,
            ONS_POSTCODES,
            DFE_SCHOOLS,
        ],
        "suppression": {"symbol": privacy.SYMBOL, "threshold": privacy.THRESHOLD, "rule": privacy.RULE},
        "files": {
            t.name: {
                "title": t.title,
                "rows": frames[t.name].height,
                "formats": [f"{t.name}.csv", f"{t.name}.parquet"],
                "suppressed": t.totals_over is not None,
            }
            for t in TABLES
        },
    }


def export(p: Paths, out: Path) -> dict:
    """Write the release into `out` (created if needed); returns the metadata written."""
    snapshot = current_snapshot(p)
    if snapshot is None:
        raise FileNotFoundError("No warehouse has been built yet: run `atlas build` first.")
    out.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(snapshot), read_only=True) as con:
        frames = {t.name: released(con, t) for t in TABLES}
        info = _info(con)
    for table in TABLES:
        frames[table.name].write_parquet(out / f"{table.name}.parquet")
        (out / f"{table.name}.csv").write_bytes(as_csv(frames[table.name], table))
    dictionary(frames).write_csv(out / "data_dictionary.csv", include_bom=True)
    meta = metadata(snapshot, info, frames)
    (out / "metadata.json").write_text(
        json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return meta


def export_zip(p: Paths) -> bytes:
    """The same release as one zip (what the About page offers)."""
    with tempfile.TemporaryDirectory(prefix="atlas-export-") as tmp:
        export(p, Path(tmp))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for f in sorted(Path(tmp).iterdir()):
                archive.write(f, f"maths-hubs-atlas-open-data/{f.name}")
        return buffer.getvalue()
