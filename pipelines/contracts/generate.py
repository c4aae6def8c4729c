"""`python -m pipelines.contracts.generate [--check]`: write (or check) what is generated from the
column declarations in `pipelines/contracts/spec.py`: `data/templates/<entity>.csv`, the entity
tables' DDL in `pipelines/models/tables/`, and the README's template tables.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipelines.config import REPO_ROOT
from pipelines.contracts.spec import ENTITIES, Entity

DDL_FILES = {
    "llmes": "07_llmes.sql",
    "work_groups": "08_work_groups.sql",
    "participations": "09_participations.sql",
}
README = REPO_ROOT / "README.md"
START, END = "<!-- templates: generated from pipelines/contracts/spec.py -->", "<!-- templates: end -->"


def template_csv(e: Entity) -> str:
    return ",".join(e.template) + "\n"


def ddl(e: Entity) -> str:
    lines = [f"-- {line}" for line in e.about.splitlines()]
    lines.append(f"CREATE TABLE {e.name} (")
    lines += [f"    {c.name} {c.sql}," for c in e.columns]
    lines[-1] = lines[-1].rstrip(",")
    lines.append(");")
    lines += [f"-- {line}" for line in e.ddl_after.splitlines()]
    return "\n".join(lines) + "\n"


def readme_tables() -> str:
    parts = [START]
    for e in ENTITIES.values():
        key = " + ".join(f"`{k}`" for k in e.key)
        parts.append(f"\n**{e.name}** (key {key}; required columns marked *)\n")
        parts.append("| column | what to type |\n|---|---|")
        parts += [f"| {f.name}{'*' if f.required else ''} | {f.rule} |" for f in e.fields]
        if e.note:
            parts.append(f"\n{e.note}")
    parts.append(END)
    return "\n".join(parts)


def artifacts(root: Path = REPO_ROOT) -> dict[Path, str]:
    """Every generated file's path and full expected text."""
    out: dict[Path, str] = {}
    for e in ENTITIES.values():
        out[root / "data" / "templates" / f"{e.name}.csv"] = template_csv(e)
        out[root / "pipelines" / "models" / "tables" / DDL_FILES[e.name]] = ddl(e)
    readme = (root / "README.md").read_text(encoding="utf-8")
    if START in readme and END in readme:
        before, rest = readme.split(START, 1)
        after = rest.split(END, 1)[1]
        out[root / "README.md"] = before + readme_tables() + after
    else:
        out[root / "README.md"] = readme + "\n" + readme_tables() + "\n"
    return out


def drifted(root: Path = REPO_ROOT) -> list[Path]:
    return [
        p for p, text in artifacts(root).items() if not p.exists() or p.read_text(encoding="utf-8") != text
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 and list files that differ; write nothing")
    args = ap.parse_args(argv)
    if args.check:
        stale = drifted()
        for p in stale:
            print(f"out of date: {p.relative_to(REPO_ROOT)}")
        return 1 if stale else 0
    for p, text in artifacts().items():
        p.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
