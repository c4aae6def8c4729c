"""Service fixtures: a throwaway PostgreSQL cluster (Debian's postgresql, on 127.0.0.1, started by
the tests) and `ops_backend`, which runs a test once on the embedded SQLite store and once on
PostgreSQL (ATLAS_DATABASE_URL set to a fresh database)."""

from __future__ import annotations

import itertools

import pytest

from pipelines.ops.store import reset_stores
from tests.browser.conftest import browser_type_launch_args, screenshot  # noqa: F401 - Debian chromium
from tests.service.topology import postgres_cluster

_names = itertools.count(1)


@pytest.fixture(scope="session")
def pg():
    with postgres_cluster() as cluster:
        yield cluster


@pytest.fixture(params=["sqlite", "postgresql"])
def ops_backend(request, monkeypatch, tmp_path):
    """The backend name; the environment points the ops store at it (a fresh store per test)."""
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path / "data"))
    if request.param == "postgresql":
        url = request.getfixturevalue("pg").create_database(f"ops_{next(_names)}")
        monkeypatch.setenv("ATLAS_DATABASE_URL", url)
    else:
        monkeypatch.delenv("ATLAS_DATABASE_URL", raising=False)
    reset_stores()
    yield request.param
    reset_stores()
