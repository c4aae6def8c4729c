"""What `atlas status` reports: the current snapshot, table counts, recent runs, quarantine counts."""

from __future__ import annotations

import duckdb

from pipelines.config import Paths
from pipelines.ops import journal
from pipelines.warehouse.store import current_snapshot

TABLES = (
    "hubs",
    "hub_areas",
    "programmes",
    "schools",
    "llmes",
    "work_groups",
    "participations",
    "postcode_districts",
    "lad_boundaries",
    "load_log",
    "quarantine",
)


def collect(p: Paths, recent: int = 10) -> dict:
    snap = current_snapshot(p)
    info: dict = {"snapshot": str(snap) if snap else None, "counts": {}, "runs": [], "quarantine": []}
    if snap is None:
        return info
    with duckdb.connect(str(snap), read_only=True) as con:
        for t in TABLES:
            info["counts"][t] = con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]  # noqa: S608 - fixed names
        info["build"] = dict(con.sql("SELECT key, value FROM build_info").fetchall())
        info["quarantine"] = [
            {"entity": e, "rule": r, "rows": n}
            for e, r, n in con.sql(
                "SELECT entity, rule, count(DISTINCT (run_id, row_number)) FROM quarantine "
                "GROUP BY ALL ORDER BY 1, 2"
            ).fetchall()
        ]
    info["runs"] = journal.runs(p, limit=recent).reverse().to_dicts()  # oldest first, like a log
    return info
