"""The ideas every layer shares, each defined once: academic years, vocabularies, Markdown escaping
and distance. Pipelines and the dashboard both import from here (never the other way round).

- **Academic year**: 1 September to 31 August, named by its start year (2025 = "2025/26").
  The label is `2025/26`; the URL form is `2025-26`; `parse_year` reads either (and `2025/2026`).
  The *current* academic year is the one containing the build's "today" (`current_year_start`):
  nothing else decides it, so the map, the finder and the roster always agree, even when the data
  already lists next year's Work Groups.
- **Vocabularies**: codes, labels and aliases come only from data/reference/vocabularies.csv
  (see `pipelines.vocab`); `codes_from` reads what a URL or a person typed.
- **Markdown**: `md()` makes any text from the data inert in st.markdown and st.table.
- **Distance**: great-circle (haversine) miles. SQL uses the `haversine_miles` macro, created with
  every snapshot (pipelines/models/macros/); Python uses `EARTH_RADIUS_MILES` from here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from pipelines.vocab import vocab

# --- Academic years --------------------------------------------------------------------------------

FIRST_MONTH = 9  # an academic year starts on 1 September
_YEAR = re.compile(r"^(20\d\d)(?:\s*[-/]\s*(\d\d|20\d\d))?$")


def year_of(day: date) -> int:
    """The start year of the academic year containing `day` (2025 for 14 October 2025 or 1 March 2026)."""
    return day.year if day.month >= FIRST_MONTH else day.year - 1


def current_year_start(today: date | str | None) -> int:
    """THE current academic year: the one containing the build's "today" (the real date if unknown)."""
    if isinstance(today, str):
        try:
            today = date.fromisoformat(today[:10])
        except ValueError:
            today = None
    return year_of(today or date.today())


def year_label(start: int) -> str:
    """2025 -> "2025/26", as pages, files and the SQL macro `academic_year_label` write it."""
    return f"{start}/{(start + 1) % 100:02d}"


def year_url(start: int) -> str:
    """2025 -> "2025-26", the one form of an academic year in a URL (no escaping needed)."""
    return f"{start}-{(start + 1) % 100:02d}"


def parse_year(text: object, *, bare: bool = True) -> int | None:
    """The start year of `2025/26`, `2025-26`, `2025/2026` (or `2025` when `bare`); None for anything
    else, never an exception. The second year must follow the first."""
    if text is None:
        return None
    m = _YEAR.match(str(text).strip())
    if not m or (not bare and not m.group(2)):
        return None
    start = int(m.group(1))
    if m.group(2):
        end = int(m.group(2))
        if (end % 100 if end >= 100 else end) != (start + 1) % 100:
            return None
    return start


# --- Vocabularies ----------------------------------------------------------------------------------


def codes_from(values: Iterable[str], vocabulary: str, limit: int = 12) -> tuple[str, ...]:
    """Codes for what was typed (codes, labels or aliases from vocabularies.csv), unknown ones dropped,
    each once, in the order given."""
    v = vocab(vocabulary)
    out: list[str] = []
    for value in values:
        code = v.normalise(str(value))
        if code and code not in out:
            out.append(code)
    return tuple(out[:limit])


def code_for_label(text: object, vocabulary: str) -> str | None:
    """A code from a code, label or alias (old links carried labels): None when unknown."""
    return vocab(vocabulary).normalise(None if text is None else str(text))


# --- Markdown ----------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$&=\"'])")


def md(value: object) -> str:
    """Untrusted text made inert for Markdown (st.markdown, st.table cells): no links, images, emphasis,
    HTML, shortcodes or directives. Runs of whitespace become one space."""
    text = " ".join(str("" if value is None else value).split())
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return text.replace(":", ":\u200b")  # a zero-width space stops :emoji: and :red[...] parsing


# --- Distance ----------------------------------------------------------------------------------------

EARTH_RADIUS_MILES = 3958.7613  # mean Earth radius (6,371.0088 km)
KM_PER_MILE = 1.609344
