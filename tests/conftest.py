"""Shared fixtures: real DuckDB warehouses built into temporary folders (never mocks).

`warehouse` is a small national build (sample scale 0.2, explicitly without open data); `warehouse_open`
adds the real open data from ../shared/data (or $ATLAS_REFERENCE_DIR), else the copy shipped in
data/opendata (what a fresh clone builds with).
"Today" is pinned so sample data (and the current academic year) is the same on every run.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from pipelines.build import build
from pipelines.config import OPEN_DATA_DIR, REPO_ROOT, Paths, paths

TODAY = date(2026, 11, 23)
SCALE = 0.2


def shared_open_data() -> Path | None:
    env = os.environ.get("ATLAS_REFERENCE_DIR")
    candidate = Path(env) if env else REPO_ROOT.parent / "shared" / "data"
    return candidate if (candidate / "geo" / "england_lad.geojson").exists() else None


def _build(root: Path, reference_dir: Path | None) -> Paths:
    p = paths(root)
    build(
        p,
        sample_scale=SCALE,
        reference_dir=reference_dir,
        use_open_data=reference_dir is not None,
        today=TODAY,
    )
    return p


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory) -> Paths:
    return _build(tmp_path_factory.mktemp("warehouse"), None)


@pytest.fixture(scope="session")
def warehouse_open(tmp_path_factory) -> Paths:
    return _build(tmp_path_factory.mktemp("warehouse_open"), shared_open_data() or OPEN_DATA_DIR)


@pytest.fixture
def use_warehouse(monkeypatch, warehouse):
    """Point the dashboard (and CLI) at the session warehouse."""
    monkeypatch.setenv("ATLAS_DATA_DIR", str(warehouse.data_dir))
    return warehouse


@pytest.fixture
def fresh_warehouse(tmp_path) -> Paths:
    """A private warehouse a test may change (ingests, rejections, crashes)."""
    return _build(tmp_path, None)
