"""Sample data: deterministic, labelled, realistic in shape, valid against the contracts."""

from __future__ import annotations

import duckdb

from pipelines.warehouse.store import current_snapshot
from tests.conftest import SCALE


def test_sample_rows_are_marked_and_loaded_without_quarantine(warehouse):
    with duckdb.connect(str(current_snapshot(warehouse)), read_only=True) as con:
        q = con.execute("SELECT count(*) FROM quarantine").fetchall()[0][0]
        flags = con.execute(
            "SELECT bool_and(is_sample) FROM (SELECT is_sample FROM llmes "
            "UNION ALL SELECT is_sample FROM work_groups"
            " UNION ALL SELECT is_sample FROM participations)"
        ).fetchall()[0][0]
        emails = con.execute("SELECT count(*) FROM llmes WHERE email NOT LIKE '%@example.org'").fetchall()[0][
            0
        ]
    assert q == 0
    assert flags is True
    assert emails == 0  # fictional people only


def test_shape_five_years_all_hubs_sessions_and_thin_phases(warehouse):
    with duckdb.connect(str(current_snapshot(warehouse)), read_only=True) as con:
        years = con.execute("SELECT count(DISTINCT academic_year) FROM work_groups").fetchall()[0][0]
        hubs = con.execute("SELECT count(DISTINCT hub_id) FROM work_groups").fetchall()[0][0]
        sessions = con.execute(
            "SELECT min(len(session_dates)), max(len(session_dates)) FROM work_groups"
        ).fetchall()[0]
        deliveries = {r[0] for r in con.execute("SELECT DISTINCT delivery FROM work_groups").fetchall()}
        by_phase = dict(
            con.execute(
                "SELECT phase, count(*) FROM mart_active_llmes, unnest(phases) AS p(phase)"
                " WHERE year_start = 2026 GROUP BY phase"
            ).fetchall()
        )
    assert years == 5 and hubs == 40
    assert 3 <= sessions[0] and sessions[1] <= 7
    assert deliveries == {"face_to_face", "online", "blended"}
    assert by_phase["early_years"] < by_phase["primary"] / 3
    assert by_phase["post16"] < by_phase["secondary"] / 3


def test_generation_is_deterministic(warehouse):
    from pipelines import sample
    from tests.conftest import TODAY

    with duckdb.connect(str(current_snapshot(warehouse)), read_only=True) as con:
        a = sample.generate(con, SCALE, today=TODAY)
        b = sample.generate(con, SCALE, today=TODAY)
    assert a.work_groups.equals(b.work_groups)
    assert a.llmes.equals(b.llmes)
    assert a.participations.equals(b.participations)


SAMPLE_DIGEST = """
import hashlib, sys
from datetime import date
import duckdb, numpy as np
from pipelines import sample
from pipelines.warehouse.facts import load_facts
from pipelines.warehouse.store import apply_models
con = duckdb.connect()
apply_models(con)
load_facts(con)
sample.generate_schools(con, np.random.default_rng(sample.SEED))
s = sample.generate(con, 0.2, today=date(2026, 11, 23))
for frame in (s.work_groups, s.llmes, s.participations):
    print(hashlib.sha256(frame.write_csv().encode()).hexdigest())
"""


def test_sample_is_identical_across_processes_with_different_hash_seeds():
    """A set iterated while drawing random numbers made the sample depend on PYTHONHASHSEED."""
    import os
    import subprocess
    import sys

    from pipelines.config import REPO_ROOT

    digests = []
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        cmd = [sys.executable, "-c", SAMPLE_DIGEST]
        run = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=300)
        assert run.returncode == 0, run.stderr
        digests.append(run.stdout.split())
    assert len(digests[0]) == 3
    assert digests[0] == digests[1] == digests[2]
