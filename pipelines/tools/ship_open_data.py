"""Rebuild the shipped open data (`data/opendata/`) from a folder laid out like shared/data.

    python -m pipelines.tools.ship_open_data --from ../shared/data  # or set ATLAS_REFERENCE_DIR
    python -m pipelines.tools.ship_open_data --check  # exit 1 if a file differs from MANIFEST.json

The geography files are copied as they are; the school register becomes Parquet (the CSV is over
the 2 MB a shipped file may take). MANIFEST.json records each file's publisher, dataset, vintage,
licence, attribution, row count and SHA-256.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pipelines import reference
from pipelines.config import OPEN_DATA_DIR

MAX_BYTES = 2_000_000  # the size limit for a shipped file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="src", default=os.environ.get("ATLAS_REFERENCE_DIR") or None)
    parser.add_argument("--out", default=str(OPEN_DATA_DIR))
    parser.add_argument("--check", action="store_true", help="only check the files against the manifest")
    args = parser.parse_args(argv)
    out = Path(args.out)
    if not args.check:
        if not args.src:
            parser.error("give --from DIR or set ATLAS_REFERENCE_DIR")
        try:
            reference.ship_from_folder(Path(args.src).resolve(), out)
        except reference.ReferenceError as exc:
            print(exc, file=sys.stderr)
            return 1
    problems = reference.manifest_problems(out)
    problems += [
        f"{p.relative_to(out)}: {p.stat().st_size:,} bytes, over {MAX_BYTES:,}"
        for p in out.rglob("*")
        if p.is_file() and p.stat().st_size > MAX_BYTES
    ]
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
