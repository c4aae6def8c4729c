"""The URL state of the national pages: one frozen dataclass per page, a total parser and a
canonical writer, in the manner of the finder's `Filters` (dashboard/data/finder_params.py).

URLs carry codes, never labels: `role=work_group_lead`, `region=north-west`, `colour=reach`, and
the academic year in its one URL form `year=2024-25` (pipelines/domain.py). Links in older forms
(labels such as `role=Work Group Lead` or `colour=Share of schools reached`, years such as
`2024/25` or `2024`) are read too, and the page then rewrites them canonically. Parsing never
raises: an unknown value means the default. Defaults are left out of the URL, except the year,
which is written whenever it is not the current one (so a shared link shows the same year).

The choices a value is checked against (years in the data, regions, hubs) are passed in by the
page, so this module stays pure and testable without Streamlit or a warehouse.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from pipelines import domain

TRUE = {"1", "true", "yes", "on", "y"}
MAX_FIND = 80


def first(raw: Mapping[str, object], name: str) -> str | None:
    """The first value of a parameter given once or repeated (Streamlit gives lists for repeats)."""
    value = raw.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, Iterable):
        values = [str(v) for v in value]
        return values[0] if values else None
    return str(value)


def parse_year(raw: Mapping[str, object], years: Collection[int]) -> int | None:
    """The academic year named in the URL (any form `domain.parse_year` reads) when it is offered."""
    year = domain.parse_year(first(raw, "year"))
    return year if year in years else None


def year_params(year: int | None, current: int) -> dict[str, str]:
    return {} if year is None or year == current else {"year": domain.year_url(year)}


def slug(text: str) -> str:
    """A region's code: its name in lower case with hyphens ("North West" -> "north-west")."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _choice(text: str | None, choices: Mapping[str, str]) -> str | None:
    """A code from a code or its label (choices: code -> label), ignoring case and spacing."""
    if not text:
        return None
    wanted = slug(text)
    for code, label in choices.items():
        if wanted in (slug(code), slug(label)):
            return code
    return None


@dataclass(frozen=True)
class MapParams:
    """The national map: year (None = the default), the region shown (its slug; None = England),
    what colours the map, and the hub search."""

    year: int | None = None
    area: str | None = None
    colour: str = "hub"
    find: str = ""

    @classmethod
    def from_params(
        cls,
        raw: Mapping[str, object],
        *,
        years: Collection[int],
        colours: Mapping[str, str],
        regions: Iterable[str] = (),
    ) -> MapParams:
        try:
            return cls(
                parse_year(raw, years),
                _choice(first(raw, "area"), {slug(r): r for r in regions}),
                _choice(first(raw, "colour"), colours) or "hub",
                " ".join((first(raw, "find") or "").split())[:MAX_FIND],
            )
        except Exception:  # noqa: BLE001 - the URL is untrusted: anything odd means the defaults
            return cls()

    def to_params(self, current: int) -> dict[str, str]:
        out = year_params(self.year, current)
        if self.area:
            out["area"] = self.area
        if self.colour != "hub":
            out["colour"] = self.colour
        if self.find:
            out["find"] = self.find
        return out


@dataclass(frozen=True)
class CoverageParams:
    """LLME coverage: year, region (its slug), role and accreditation (vocabulary codes)."""

    year: int | None = None
    region: str | None = None
    role: str | None = None
    accreditation: str | None = None

    @classmethod
    def from_params(
        cls, raw: Mapping[str, object], *, years: Collection[int], regions: Iterable[str]
    ) -> CoverageParams:
        try:
            return cls(
                parse_year(raw, years),
                _choice(first(raw, "region"), {slug(r): r for r in regions}),
                domain.code_for_label(first(raw, "role"), "role"),
                domain.code_for_label(first(raw, "accreditation"), "accreditation"),
            )
        except Exception:  # noqa: BLE001 - the URL is untrusted: anything odd means the defaults
            return cls()

    def to_params(self, current: int) -> dict[str, str]:
        out = year_params(self.year, current)
        for name in ("region", "role", "accreditation"):
            if value := getattr(self, name):
                out[name] = value
        return out


@dataclass(frozen=True)
class HubParams:
    """The hub profile: the hub's id, the year and the print view."""

    hub: str | None = None
    year: int | None = None
    printing: bool = False

    @classmethod
    def from_params(
        cls, raw: Mapping[str, object], *, years: Collection[int], hubs: Mapping[str, str]
    ) -> HubParams:
        try:
            flag = (first(raw, "print") or "").strip().lower() in TRUE
            return cls(_choice(first(raw, "hub"), hubs), parse_year(raw, years), flag)
        except Exception:  # noqa: BLE001 - the URL is untrusted: anything odd means the defaults
            return cls()

    def to_params(self, current: int) -> dict[str, str]:
        out = {"hub": self.hub} if self.hub else {}
        out |= year_params(self.year, current)
        if self.printing:
            out["print"] = "1"
        return out
