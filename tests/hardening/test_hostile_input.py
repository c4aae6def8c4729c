"""Every hostile-input case through the real CLI (in process): its outcome, never a traceback,
and rows in = rows loaded + rows quarantined."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.build import build
from pipelines.config import paths
from pipelines.warehouse.store import current_snapshot
from tests.conftest import TODAY
from tests.hardening.corpus import cases

CASES = cases()


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile_base")
    p = paths(root)
    build(p, sample_scale=0.2, today=TODAY)
    with duckdb.connect(str(current_snapshot(p)), read_only=True) as con:
        wg_ids = [r[0] for r in con.execute("SELECT work_group_id FROM work_groups ORDER BY 1").fetchall()]
        urns = [r[0] for r in con.execute("SELECT urn FROM schools ORDER BY 1").fetchall()]
    return root, {"work_group_id": wg_ids[0], "wg_ids": wg_ids, "urns": urns}


@pytest.fixture
def warehouse_copy(base, tmp_path):
    root, facts = base
    shutil.copytree(root, tmp_path / "data")
    return paths(tmp_path / "data"), facts


def test_corpus_has_forty_cases_or_more():
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize(
    "case", [pytest.param(c, marks=[pytest.mark.slow] if c.slow else [], id=c.name) for c in CASES]
)
def test_hostile_case(case, warehouse_copy, tmp_path):
    from pipelines.cli import app

    p, facts = warehouse_copy
    path = tmp_path / case.file_name
    path.write_bytes(case.make(facts))
    before = current_snapshot(p)
    run = CliRunner().invoke(app, ["ingest", case.entity, str(path), "--json", "--data-dir", str(p.data_dir)])
    assert run.exception is None or isinstance(run.exception, SystemExit), run.exception
    assert "Traceback" not in run.output
    body = json.loads(run.output)
    assert body["status"] == case.outcome, body
    if case.outcome == "rejected":
        assert run.exit_code == 1
        assert case.message in body["message"]
        assert current_snapshot(p) == before  # nothing changed
        return
    assert run.exit_code == 0
    assert body["received"] == body["loaded"] + body["quarantined"]  # nothing lost
    assert body["reasons"] == case.reasons
    if case.loaded >= 0:
        assert body["loaded"] == case.loaded
    with duckdb.connect(str(current_snapshot(p)), read_only=True) as con:
        logged = con.execute(
            "SELECT received, loaded, quarantined FROM load_log ORDER BY run_id DESC LIMIT 1"
        ).fetchall()[0]
        quarantined_rows = con.execute(
            "SELECT count(DISTINCT row_number) FROM quarantine "
            "WHERE run_id = (SELECT max(run_id) FROM load_log)"
        ).fetchall()[0][0]
    assert logged == (body["received"], body["loaded"], body["quarantined"])
    assert quarantined_rows == body["quarantined"]


def test_payloads_are_stored_as_plain_text(warehouse_copy, tmp_path):
    from pipelines.cli import app

    p, facts = warehouse_copy
    for name in ("formula_hyperlink", "script_tag", "sql_payload", "emoji"):
        case = next(c for c in CASES if c.name == name)
        path = tmp_path / f"{name}.csv"
        path.write_bytes(case.make(facts))
        assert (
            CliRunner()
            .invoke(app, ["ingest", "work_groups", str(path), "--data-dir", str(p.data_dir)])
            .exit_code
            == 0
        )
    with duckdb.connect(str(current_snapshot(p)), read_only=True) as con:
        titles = dict(
            con.execute(
                "SELECT work_group_id, title FROM work_groups WHERE work_group_id IN "
                "('hostile-041','hostile-044','hostile-045','hostile-046')"
            ).fetchall()
        )
        assert con.execute("SELECT count(*) FROM work_groups").fetchall()[0][0] > 100  # nothing dropped
    assert titles["hostile-041"].startswith("=HYPERLINK(")
    assert titles["hostile-044"] == "<script>alert('x')</script> Maths"
    assert titles["hostile-045"] == "'; DROP TABLE work_groups; --"
    assert titles["hostile-046"] == "Maths \U0001f9ee for all \u2728"
