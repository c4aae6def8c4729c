"""The loader's child: `python -m pipelines.ops.job ENTITY FILE [--strict]` ingests one file and
prints the full IngestResult as one JSON line (exit 0 loaded, 1 rejected). The loader runs it
under memory and time limits, so a hostile file can only end this process."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pipelines.config import paths
from pipelines.ingest import ingest


def main(argv: list[str]) -> int:
    args = [a for a in argv if a != "--strict"]
    if len(args) != 2:
        print("usage: python -m pipelines.ops.job ENTITY FILE [--strict]", file=sys.stderr)
        return 2
    entity, file = args
    result = ingest(paths(), entity, Path(file), strict="--strict" in argv)
    print(json.dumps(result.to_json(), default=str), flush=True)
    return 0 if result.status == "loaded" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
