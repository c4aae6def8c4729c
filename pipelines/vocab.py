"""Controlled vocabularies (phases, roles, accreditations, delivery, status, stage) and their aliases.

The committed `data/reference/vocabularies.csv` is the single source: pipelines normalise what
people type (EYFS, KS3, F2F, Zoom...) to codes, and pages show the labels.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache

from pipelines.config import FACTS_DIR

VOCABULARIES = ("phase", "role", "accreditation", "delivery", "status", "stage", "pd_kind", "target")


ALIAS_NOISE = r"[\s\-_.]+"


def alias_key(text: str) -> str:
    """Aliases match ignoring case, spaces, hyphens, dots and underscores ("Post 16" == "post-16")."""
    return re.sub(ALIAS_NOISE, "", text.strip().lower())


@dataclass(frozen=True)
class Vocabulary:
    name: str
    codes: tuple[str, ...]
    labels: dict[str, str]
    aliases: dict[str, str]  # normalised alias -> code

    def normalise(self, text: str | None) -> str | None:
        """The code for a typed value, or None when it is not recognised."""
        if text is None:
            return None
        return self.aliases.get(alias_key(text))

    def label(self, code: str) -> str:
        return self.labels.get(code, code)


@cache
def vocabularies() -> dict[str, Vocabulary]:
    rows: dict[str, list[dict[str, str]]] = {name: [] for name in VOCABULARIES}
    with open(FACTS_DIR / "vocabularies.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rows[row["vocabulary"]].append(row)
    out = {}
    for name, items in rows.items():
        items.sort(key=lambda r: int(r["sort_order"]))
        aliases: dict[str, str] = {}
        for r in items:
            for alias in [r["code"], r["label"], *r["aliases"].split(";")]:
                if alias.strip():
                    aliases[alias_key(alias)] = r["code"]
        out[name] = Vocabulary(
            name=name,
            codes=tuple(r["code"] for r in items),
            labels={r["code"]: r["label"] for r in items},
            aliases=aliases,
        )
    return out


def vocab(name: str) -> Vocabulary:
    return vocabularies()[name]
