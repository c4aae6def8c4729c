"""Where things live: the data directory, the committed reference facts and the open-data folder.

Every path comes from configuration (environment variables or CLI options), so tests can point the
whole pipeline at a temporary directory. Open data is read from the shipped copy (`data/opendata/`),
from the cache `atlas reference` fills, or in place from a folder named by $ATLAS_REFERENCE_DIR.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
FACTS_DIR = REPO_ROOT / "data" / "reference"
TEMPLATES_DIR = REPO_ROOT / "data" / "templates"
# The reduced open data shipped with the product (ONS boundaries and postcodes, DfE schools; OGL v3.0),
# what a fresh clone builds with. `data/open/` (git-ignored) is the refreshable cache that overrides it.
OPEN_DATA_DIR = REPO_ROOT / "data" / "opendata"


@dataclass(frozen=True)
class Paths:
    """The folders one data directory holds."""

    data_dir: Path

    @property
    def warehouse(self) -> Path:
        return self.data_dir / "warehouse"

    @property
    def snapshots(self) -> Path:
        return self.warehouse / "snapshots"

    @property
    def pointer(self) -> Path:
        return self.warehouse / "CURRENT"

    @property
    def landed(self) -> Path:
        return self.data_dir / "landed"

    @property
    def ops(self) -> Path:
        """The embedded operational store and uploaded files (outside the snapshots; never cleaned)."""
        return self.data_dir / "ops"

    @property
    def uploads(self) -> Path:
        """Files uploaded on the "Load a file" page, waiting for the loader."""
        return self.ops / "uploads"

    @property
    def open_data(self) -> Path:
        """Open datasets staged by `atlas reference` (git-ignored; a cache, not a copy in git)."""
        return self.data_dir / "open"


def data_dir() -> Path:
    return Path(os.environ.get("ATLAS_DATA_DIR") or "data").resolve()


def paths(data: Path | None = None) -> Paths:
    return Paths((data or data_dir()).resolve())


def reference_dir_from_env() -> Path | None:
    raw = os.environ.get("ATLAS_REFERENCE_DIR")
    return Path(raw).resolve() if raw else None
