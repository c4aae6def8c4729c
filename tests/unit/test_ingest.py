"""`atlas ingest` against real DuckDB snapshots: accounting, idempotence, rejection, concurrency."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest

from pipelines.ingest import ingest
from pipelines.warehouse.store import current_snapshot

TEMPLATE = (
    "work_group_id,hub,academic_year,project_code,programme,title,phases,delivery,venue_name,venue_postcode,"
    "session_dates,capacity,places_left,status,booking_url,cost_note,eligibility"
)


def wg_file(tmp_path, rows: list[str], name: str = "wg.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(("\n".join([TEMPLATE, *rows]) + "\n").encode(encoding))
    return path


GOOD_ROW = (
    "new-wg-1,Origin Maths Hub,2026/27,NCP26-06,Mastering Number at KS2,Solihull cohort,Primary,Online,,,"
    "2026-10-14;2026-11-18;2027-01-20,20,4,open,https://example.org/book,Fully funded,Y4 and Y5 teachers"
)


def table_dump(snapshot) -> dict[str, list]:
    """Every table's full contents, for comparing two snapshots."""
    with duckdb.connect(str(snapshot), read_only=True) as con:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in tables}  # noqa: S608


def test_mixed_file_rows_in_equal_loaded_plus_quarantined(fresh_warehouse, tmp_path):
    rows = [
        GOOD_ROW,
        GOOD_ROW.replace("new-wg-1", "new-wg-2").replace(",20,4,", ",20,40,"),  # places_left > capacity
        GOOD_ROW.replace("new-wg-1", "new-wg-3").replace("Origin Maths Hub", "Atlantis"),  # unknown hub
        "only,three,fields",  # structural
        GOOD_ROW.replace("new-wg-1", "new-wg-4").replace("2026-10-14", "2025-13-01"),  # impossible date
    ]
    result = ingest(fresh_warehouse, "work_groups", wg_file(tmp_path, rows))
    assert result.status == "loaded"
    assert (result.received, result.loaded, result.quarantined) == (5, 1, 4)
    assert result.received == result.loaded + result.quarantined
    assert result.reasons == {
        "hub_known": 1,
        "places_left_within_capacity": 1,
        "session_dates_valid": 1,
        "structural": 1,
    }
    with duckdb.connect(str(current_snapshot(fresh_warehouse)), read_only=True) as con:
        assert con.execute("SELECT title FROM work_groups WHERE work_group_id = 'new-wg-1'").fetchall() == [
            ("Solihull cohort",)
        ]
        quarantined = con.execute(
            "SELECT row_number, column_name, rule, file_name FROM quarantine WHERE run_id = ? ORDER BY 1",
            [result.run_id],
        ).fetchall()
    assert quarantined == [
        (3, "places_left", "places_left_within_capacity", "wg.csv"),
        (4, "hub", "hub_known", "wg.csv"),
        (5, "", "structural", "wg.csv"),
        (6, "session_dates", "session_dates_valid", "wg.csv"),
    ]


def test_ingesting_the_same_file_twice_leaves_every_table_identical(fresh_warehouse, tmp_path):
    path = wg_file(tmp_path, [GOOD_ROW])
    first = ingest(fresh_warehouse, "work_groups", path)
    before = table_dump(current_snapshot(fresh_warehouse))
    second = ingest(fresh_warehouse, "work_groups", path)
    assert first.status == second.status == "loaded"
    assert second.unchanged
    assert second.snapshot == first.snapshot
    assert table_dump(current_snapshot(fresh_warehouse)) == before


def test_upsert_replaces_rows_with_the_same_key(fresh_warehouse, tmp_path):
    ingest(fresh_warehouse, "work_groups", wg_file(tmp_path, [GOOD_ROW], "a.csv"))
    ingest(
        fresh_warehouse,
        "work_groups",
        wg_file(tmp_path, [GOOD_ROW.replace("Solihull cohort", "Renamed")], "b.csv"),
    )
    with duckdb.connect(str(current_snapshot(fresh_warehouse)), read_only=True) as con:
        assert con.execute("SELECT title FROM work_groups WHERE work_group_id = 'new-wg-1'").fetchall() == [
            ("Renamed",)
        ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"work_group_id,hub\nx,origin\n", "required column 'academic_year'"),
        (b"", "the file is empty"),
        (b"\x00\x01binary", "not a text file"),
    ],
)
def test_a_rejected_file_leaves_the_current_snapshot_untouched(fresh_warehouse, tmp_path, content, message):
    before_name = current_snapshot(fresh_warehouse)
    before = table_dump(before_name)
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    result = ingest(fresh_warehouse, "work_groups", path)
    assert result.status == "rejected"
    assert message in result.message
    assert current_snapshot(fresh_warehouse) == before_name
    assert table_dump(before_name) == before


def test_strict_rejects_the_whole_file_when_any_row_fails(fresh_warehouse, tmp_path):
    before = current_snapshot(fresh_warehouse)
    bad = GOOD_ROW.replace("new-wg-1", "new-wg-2").replace(",20,4,", ",x,4,")
    result = ingest(fresh_warehouse, "work_groups", wg_file(tmp_path, [GOOD_ROW, bad]), strict=True)
    assert result.status == "rejected"
    assert "--strict" in result.message
    assert current_snapshot(fresh_warehouse) == before


def test_cp1252_smart_quotes_and_pound_sign_load_with_the_right_characters(fresh_warehouse, tmp_path):
    row = GOOD_ROW.replace("Solihull cohort", "\u201cMastering Number\u201d \u2013 Solihull").replace(
        "Fully funded", "\u00a30 \u2014 fully funded"
    )
    result = ingest(fresh_warehouse, "work_groups", wg_file(tmp_path, [row], encoding="cp1252"))
    assert result.loaded == 1
    with duckdb.connect(str(current_snapshot(fresh_warehouse)), read_only=True) as con:
        assert con.execute(
            "SELECT title, cost_note FROM work_groups WHERE work_group_id = 'new-wg-1'"
        ).fetchall() == [("\u201cMastering Number\u201d \u2013 Solihull", "\u00a30 \u2014 fully funded")]


READER = """
import sys, duckdb
from pathlib import Path
from pipelines.config import paths
from pipelines.warehouse.store import current_snapshot
p = paths(Path(sys.argv[1]))
con = duckdb.connect(str(current_snapshot(p)), read_only=True)
q = "SELECT count(*) FROM work_groups WHERE work_group_id = 'new-wg-1'"
print(con.execute(q).fetchall()[0][0], flush=True)
sys.stdin.readline()  # hold the file open until the writer is done
print(con.execute(q).fetchall()[0][0], flush=True)
con.close()
con = duckdb.connect(str(current_snapshot(p)), read_only=True)
print(con.execute(q).fetchall()[0][0], flush=True)
"""


def test_ingest_succeeds_while_another_process_holds_the_snapshot_open(fresh_warehouse, tmp_path):
    """A reader keeps the current file open read-only; the writer publishes a new file; the reader
    sees the new data after reopening through the pointer."""
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(fresh_warehouse.data_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout.readline().strip() == "0"
    result = ingest(fresh_warehouse, "work_groups", wg_file(tmp_path, [GOOD_ROW]))
    assert result.status == "loaded", result.message
    out, _ = reader.communicate("go\n", timeout=60)
    assert out.split() == ["0", "1"]  # old file unchanged while held; new data after reopening


def test_unknown_entity_is_rejected(fresh_warehouse, tmp_path):
    result = ingest(fresh_warehouse, "teachers", wg_file(tmp_path, [GOOD_ROW]))
    assert result.status == "rejected"
    assert "unknown entity" in result.message


def test_participations_need_known_work_groups_and_schools(fresh_warehouse, tmp_path):
    with duckdb.connect(str(current_snapshot(fresh_warehouse)), read_only=True) as con:
        wg, urn = con.execute("SELECT work_group_id, school_urn FROM participations LIMIT 1").fetchall()[0]
    path = tmp_path / "p.csv"
    path.write_text(
        f"work_group_id,school_urn,teachers,stage\n{wg},{urn},3,Embedding\nnope,{urn},1,\n{wg},123456,1,\n",
        encoding="utf-8",
    )
    result = ingest(fresh_warehouse, "participations", path)
    assert (result.loaded, result.quarantined) == (1, 2)
    assert result.reasons == {"school_known_rule": 1, "work_group_known_rule": 1}
    with duckdb.connect(str(current_snapshot(fresh_warehouse)), read_only=True) as con:
        assert con.execute(
            "SELECT teachers, stage, is_sample FROM participations "
            "WHERE work_group_id = ? AND school_urn = ?",
            [wg, urn],
        ).fetchall() == [(3, "embedding", False)]


# --- the quarantine is a queue (issue 10 item 4) and one person is one LLME (item 5) -------------


def parts_file(tmp_path, rows: list[tuple], name: str = "parts.csv"):
    path = tmp_path / name
    lines = ["work_group_id,school_urn,teachers,stage", *(",".join(map(str, r)) for r in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def one(p, sql: str, params=None):
    with duckdb.connect(str(current_snapshot(p)), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def queue_state(p) -> dict:
    """What a rebuild must reproduce: the open quarantine, the load log's files and the tables."""
    return {
        "quarantine": sorted(
            one(
                p,
                "SELECT entity, file_name, row_number, column_name, rule, reason, raw, record_key "
                "FROM quarantine",
            )
        ),
        "log": one(
            p,
            "SELECT kind, entity, file_name, received, loaded, quarantined FROM load_log"
            " WHERE kind IN ('ingest', 'retry') ORDER BY run_id",
        ),
        "participations": sorted(one(p, "SELECT work_group_id, school_urn, teachers FROM participations")),
        "work_groups": one(p, "SELECT count(*), sum(capacity) FROM work_groups"),
    }


def test_quarantine_is_a_queue_and_a_rebuild_gives_the_same_queue(fresh_warehouse, tmp_path):
    from pipelines.build import build
    from tests.conftest import SCALE, TODAY

    p = fresh_warehouse
    urns = [r[0] for r in one(p, "SELECT urn FROM schools ORDER BY urn LIMIT 3")]
    known_wg = one(p, "SELECT min(work_group_id) FROM work_groups")[0][0]
    parts = parts_file(
        tmp_path, [("new-wg-1", urns[0], 2, ""), (known_wg, urns[1], 1, ""), ("new-wg-1", "12", 1, "")]
    )

    first = ingest(p, "participations", parts)
    assert (first.loaded, first.reasons) == (1, {"school_urn_format": 1, "work_group_known_rule": 2})
    # Reloading the same file while it waits is not "nothing changed", and the queue holds its rows once.
    again = ingest(p, "participations", parts)
    assert not again.unchanged and again.status == "loaded"
    waiting = "SELECT count(DISTINCT row_number) FROM quarantine WHERE file_name = 'parts.csv'"
    assert one(p, waiting) == [(2,)]

    # The Work Group arrives: its waiting participation is retried and leaves the queue.
    wg = ingest(
        p,
        "work_groups",
        wg_file(tmp_path, [GOOD_ROW, GOOD_ROW.replace("new-wg-1", "bad-wg").replace(",20,4,", ",-1,0,")]),
    )
    assert (wg.retried, wg.retried_loaded) == (2, 1)  # the other still has a bad URN
    assert one(p, "SELECT teachers FROM participations WHERE work_group_id = 'new-wg-1'") == [(2,)]
    assert one(p, "SELECT rule FROM quarantine WHERE file_name = 'parts.csv'") == [("school_urn_format",)]
    # The same file reloaded now that its target exists changes nothing more and loads nothing twice.
    assert ingest(p, "participations", parts).unchanged
    assert one(p, "SELECT count(*) FROM participations WHERE work_group_id = 'new-wg-1'") == [(1,)]

    # A row fixed and reloaded (from a file with another name) leaves the quarantine view.
    assert one(p, "SELECT count(*) FROM quarantine WHERE record_key = 'bad-wg'") == [(1,)]
    fixed = GOOD_ROW.replace("new-wg-1", "bad-wg")
    assert ingest(p, "work_groups", wg_file(tmp_path, [fixed], name="wg fixed (2).csv")).loaded == 1
    assert one(p, "SELECT count(*) FROM quarantine WHERE record_key = 'bad-wg'") == [(0,)]
    assert one(p, "SELECT count(*) FROM quarantine_resolved WHERE record_key = 'bad-wg'") == [(1,)]

    # A rebuild replays each published load once, under its original file name, to the same queue.
    before = queue_state(p)
    assert [(k, f) for k, _, f, *_ in before["log"]] == [
        ("ingest", "parts.csv"),
        ("ingest", "parts.csv"),
        ("ingest", "wg.csv"),
        ("retry", "parts.csv"),
        ("ingest", "wg fixed (2).csv"),
    ]
    build(p, sample_scale=SCALE, today=TODAY, use_open_data=False)
    assert queue_state(p) == before


def test_one_person_under_a_second_llme_id_counts_once(fresh_warehouse, tmp_path):
    p = fresh_warehouse
    llme_id, hub, email = one(p, "SELECT llme_id, hub_id, email FROM llmes ORDER BY llme_id LIMIT 1")[0]
    header = "llme_id,hub,full_name,email,roles,phases,first_active_year"
    rows = [
        f"{hub}-TWIN,{hub},A Twin,{email.upper()},Work Group Lead,Primary,2024/25",
        f"{hub}-NEW,{hub},New Person,new.person@example.org,Work Group Lead,Primary,2024/25",
    ]
    path = tmp_path / "people.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    count = "SELECT count(*) FROM llmes WHERE hub_id = ?"
    before = one(p, count, [hub])[0][0]
    result = ingest(p, "llmes", path)
    assert (result.loaded, result.reasons) == (1, {"same_person": 1})
    assert one(p, count, [hub])[0][0] == before + 1
    assert one(p, "SELECT column_name FROM quarantine WHERE rule = 'same_person'") == [("email",)]


# --- a big load staged straight into a new copy of its table (issue 13 part 3) ---------------------


def test_a_load_staged_in_a_new_table_leaves_the_same_warehouse_as_the_usual_way(
    fresh_warehouse, tmp_path, monkeypatch
):
    """in_duckdb.Direct (rows written once into a new copy of the table, swapped in) against the
    temp-table way and an INSERT: the same tables, quarantine and counts, for Work Groups (with a
    replaced key, failing rows, a repeated key and an empty record) and then participations (some
    waiting for a Work Group), and the table keeps its columns and NOT NULL constraints."""
    import shutil

    from pipelines.config import paths
    from pipelines.contracts import in_duckdb
    from pipelines.warehouse import loading

    twin = paths(tmp_path / "twin")
    shutil.copytree(fresh_warehouse.data_dir, twin.data_dir)
    with duckdb.connect(str(current_snapshot(fresh_warehouse)), read_only=True) as con:
        known_wg = con.execute("SELECT work_group_id FROM work_groups ORDER BY 1 LIMIT 1").fetchall()[0][0]
        urns = [r[0] for r in con.execute("SELECT urn FROM schools ORDER BY 1 LIMIT 3").fetchall()]
        ddl = con.execute("SELECT table_name, sql FROM duckdb_tables() ORDER BY 1").fetchall()
    wg_rows = [
        GOOD_ROW,
        GOOD_ROW.replace("new-wg-1", known_wg).replace(
            "Solihull cohort", "Replaced"
        ),  # replaces a stored key
        GOOD_ROW.replace("new-wg-1", "new-wg-2").replace(",20,4,", ",20,40,"),  # places_left > capacity
        GOOD_ROW.replace("new-wg-1", "new-wg-3").replace("Origin Maths Hub", "Atlantis"),  # unknown hub
        ",,,,,,,,,,,,,,,,",  # no value at all: not a row
        GOOD_ROW.replace("new-wg-1", "new-wg-4").replace("Solihull cohort", "First copy"),
        GOOD_ROW.replace("new-wg-1", "new-wg-4").replace("Solihull cohort", "Second copy wins"),
    ]
    parts = [("new-wg-1", urns[0], 2, "embedding"), ("nope", urns[1], 1, ""), ("new-wg-4", urns[2], "x", "")]
    staged = []
    real_stage = in_duckdb._stage

    def spy(*args, **kwargs):
        out = real_stage(*args, **kwargs)
        staged.append(out is not None)
        return out

    monkeypatch.setattr(in_duckdb, "_stage", spy)
    outcomes = []
    for p, direct in ((fresh_warehouse, True), (twin, False)):
        monkeypatch.setattr(loading, "_REBUILD", lambda incoming, stored, direct=direct: direct)
        files = tmp_path / f"files-{direct}"  # (the same file names: the quarantine names its file)
        files.mkdir()
        wg = ingest(p, "work_groups", wg_file(files, wg_rows))
        pa = ingest(p, "participations", parts_file(files, parts))
        outcomes.append(
            {
                "results": [(r.status, r.received, r.loaded, r.quarantined, r.reasons) for r in (wg, pa)],
                "queue": {k: v for k, v in queue_state(p).items() if k != "log"},
                "work_groups": sorted(map(repr, one(p, "SELECT * EXCLUDE (run_id) FROM work_groups"))),
                "participations": sorted(map(repr, one(p, "SELECT * EXCLUDE (run_id) FROM participations"))),
                "ddl": one(p, "SELECT table_name, sql FROM duckdb_tables() ORDER BY 1"),
            }
        )
    # Both loads of the first warehouse went the staged way (the Work Groups file repeats a key: its
    # first, unnumbered staging is dropped and the file staged again with line numbers).
    assert staged == [True, True, True]
    assert outcomes[0] == outcomes[1]
    assert outcomes[0]["ddl"] == ddl  # same tables, columns and constraints as before the loads
    assert outcomes[0]["results"][0][1:4] == (6, 3, 3)
    assert ("'Replaced'" in repr(outcomes[0]["work_groups"])) and "Second copy wins" in repr(outcomes[0])


def test_a_table_with_more_than_not_null_is_not_staged_and_keeps_its_definition(
    fresh_warehouse, tmp_path, monkeypatch
):
    """An older snapshot's table with a primary key: the load takes the temp-table way (in_duckdb
    rebuilds only NOT NULL constraints), and the key survives the load."""
    from pipelines.contracts import in_duckdb
    from pipelines.warehouse import loading

    with duckdb.connect(str(current_snapshot(fresh_warehouse))) as con:
        con.execute("ALTER TABLE work_groups ADD PRIMARY KEY (work_group_id)")
        ddl = con.execute("SELECT sql FROM duckdb_tables() WHERE table_name = 'work_groups'").fetchall()
    staged = []
    real_stage = in_duckdb._stage
    monkeypatch.setattr(in_duckdb, "_stage", lambda *a, **k: staged.append(real_stage(*a, **k)) or staged[-1])
    monkeypatch.setattr(loading, "_REBUILD", lambda incoming, stored: True)
    result = ingest(fresh_warehouse, "work_groups", wg_file(tmp_path, [GOOD_ROW]))
    assert (result.status, result.loaded) == ("loaded", 1)
    assert staged == [None]
    assert one(fresh_warehouse, "SELECT sql FROM duckdb_tables() WHERE table_name = 'work_groups'") == ddl
