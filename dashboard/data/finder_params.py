"""The Work Group finder's URL: parse query parameters into Filters, and write Filters back.

The parameter names are the finder's public interface (issue #2): phase, programme, delivery, hub,
year, from, to, open, places, started, place, radius, sort, page. Parsing is pure and total: an unknown or
malformed value is dropped and the default used, never an exception. Values the parser cannot check
alone (programme and hub ids, academic years) are checked against the warehouse by the page.

Canonical values written back: phase/delivery/programme/hub as codes (repeated parameters), year as
`2026-27` (or `all`), from/to as ISO dates, open/places/started as `1`, radius in miles, sort as
`distance|start|title`, page as an integer >= 2. Defaults are left out of the URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from pipelines import domain
from pipelines.vocab import vocab

PHASES = vocab("phase").codes
RADII = (5, 10, 20, 50)
PAGE_SIZE = 20
MAX_PAGE = 25  # "show more" stops at 500 cards: narrow the search instead
MAX_VALUES = 12  # per repeated parameter
MAX_PLACE = 60
ALL_YEARS = "all"

PARAM_NAMES = (
    "phase",
    "programme",
    "delivery",
    "hub",
    "year",
    "from",
    "to",
    "open",
    "places",
    "started",
    "place",
    "radius",
    "sort",
    "page",
)

_SORT_ALIASES = {
    "distance": "distance",
    "start": "start",
    "date": "start",
    "start_date": "start",
    "title": "title",
    "name": "title",
}
_TRUE = {"1", "true", "yes", "on", "y"}
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
_PLACE_CHARS = re.compile(r"[^A-Za-z0-9 ,.'&()\-]")


@dataclass(frozen=True)
class Filters:
    """What a teacher asked for. Empty tuples mean "any"; year None means the current year."""

    phases: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()
    delivery: tuple[str, ...] = ()
    hubs: tuple[str, ...] = ()
    year: int | str | None = None  # a start year (2026 = 2026/27), ALL_YEARS, or None (current)
    date_from: date | None = None
    date_to: date | None = None
    open_only: bool = False
    has_places: bool = False
    started: bool = False  # list groups that have already started even when sorted by start date
    place: str = ""
    radius: int | None = None  # None: the default for what was typed
    sort: str | None = None  # None: distance with a place, else start date
    page: int = 1

    def without_paging(self) -> Filters:
        return replace(self, page=1, sort=None)


def _values(raw: Mapping[str, object], name: str) -> list[str]:
    """Every value of a parameter, whether given once, repeated, or comma-separated."""
    value = raw.get(name)
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value) if isinstance(value, Iterable) else [value]
    out: list[str] = []
    for item in items:
        out.extend(part.strip() for part in str(item).split(",") if part.strip())
    return out[: MAX_VALUES * 4]


def _first(raw: Mapping[str, object], name: str) -> str | None:
    values = _values(raw, name) if name != "place" else _raw_first(raw, name)
    return values[0] if values else None


def _raw_first(raw: Mapping[str, object], name: str) -> list[str]:
    value = raw.get(name)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    try:
        return [str(v) for v in value][:1]  # type: ignore[union-attr]
    except TypeError:
        return [str(value)]


def _slugs(values: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        v = v.strip().lower()
        if _SLUG.match(v) and v not in out:
            out.append(v)
    return tuple(out[:MAX_VALUES])


def parse_year(text: str | None) -> int | str | None:
    """A start year (any form `domain.parse_year` reads), ALL_YEARS, or None (the current year)."""
    if text and text.strip().lower() in {"all", "any"}:
        return ALL_YEARS
    return domain.parse_year(text)


def year_start_for(year: int | str | None, current: int | None) -> int | None:
    """The year start a search uses: the chosen one, None for all years, else the current year."""
    if year == ALL_YEARS:
        return None
    return year if isinstance(year, int) else current


def parse_date(text: str | None) -> date | None:
    if not text:
        return None
    text = text.strip()[:10]
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return parsed if 2000 <= parsed.year <= 2100 else None
    return None


def parse_flag(text: str | None) -> bool:
    return bool(text) and text.strip().lower() in _TRUE


def parse_radius(text: str | None) -> int | None:
    """A radius in miles snapped to the nearest offered option (ties go to the larger one)."""
    if not text:
        return None
    m = re.match(r"^\s*(\d{1,4}(?:\.\d+)?)", text)
    if not m:
        return None
    miles = float(m.group(1))
    if miles <= 0:
        return None
    return min(RADII, key=lambda r: (abs(r - miles), -r))


def parse_page(text: str | None) -> int:
    if not text or not text.strip().isdigit():
        return 1
    return max(1, min(MAX_PAGE, int(text.strip()[:4])))


def clean_place(text: str | None) -> str:
    """Keep what a postcode, district or town can contain; collapse spaces; cap the length."""
    if not text:
        return ""
    text = _PLACE_CHARS.sub(" ", str(text))
    return " ".join(text.split())[:MAX_PLACE]


def parse_params(raw: Mapping[str, object]) -> Filters:
    """Query parameters (str or list of str per name) -> Filters. Never raises."""
    try:
        return _parse(raw)
    except Exception:  # noqa: BLE001 - the URL is untrusted: anything odd means defaults
        return Filters()


def _parse(raw: Mapping[str, object]) -> Filters:
    date_from, date_to = parse_date(_first(raw, "from")), parse_date(_first(raw, "to"))
    if date_from and date_to and date_from > date_to:
        date_from, date_to = date_to, date_from
    sort = _SORT_ALIASES.get((_first(raw, "sort") or "").strip().lower())
    return Filters(
        phases=domain.codes_from(_values(raw, "phase"), "phase", MAX_VALUES),
        programmes=_slugs(_values(raw, "programme")),
        delivery=domain.codes_from(_values(raw, "delivery"), "delivery", MAX_VALUES),
        hubs=_slugs(_values(raw, "hub")),
        year=parse_year(_first(raw, "year")),
        date_from=date_from,
        date_to=date_to,
        open_only=parse_flag(_first(raw, "open")),
        has_places=parse_flag(_first(raw, "places")),
        started=parse_flag(_first(raw, "started")),
        place=clean_place(_first(raw, "place")),
        radius=parse_radius(_first(raw, "radius")),
        sort=sort,
        page=parse_page(_first(raw, "page")),
    )


def to_params(f: Filters) -> dict[str, str | list[str]]:
    """Filters -> the canonical query parameters (defaults left out), in the public order."""
    out: dict[str, str | list[str]] = {}
    if f.phases:
        out["phase"] = list(f.phases)
    if f.programmes:
        out["programme"] = list(f.programmes)
    if f.delivery:
        out["delivery"] = list(f.delivery)
    if f.hubs:
        out["hub"] = list(f.hubs)
    if f.year == ALL_YEARS:
        out["year"] = ALL_YEARS
    elif isinstance(f.year, int):
        out["year"] = domain.year_url(f.year)
    if f.date_from:
        out["from"] = f.date_from.isoformat()
    if f.date_to:
        out["to"] = f.date_to.isoformat()
    if f.open_only:
        out["open"] = "1"
    if f.has_places:
        out["places"] = "1"
    if f.started:
        out["started"] = "1"
    if f.place:
        out["place"] = f.place
    if f.radius is not None:
        out["radius"] = str(f.radius)
    if f.sort:
        out["sort"] = f.sort
    if f.page > 1:
        out["page"] = str(f.page)
    return out


# --- What was typed in "Place" ------------------------------------------------------------------

_OUTWARD = r"(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR)"
_FULL_POSTCODE = re.compile(rf"^({_OUTWARD})\s*([0-9][A-Z]{{2}})$")
_DISTRICT = re.compile(rf"^({_OUTWARD})$")
_LOOKS_LIKE_POSTCODE = re.compile(r"^(?=.*\d)[A-Z0-9 ]{2,9}$")
_TOWN = re.compile(r"^[A-Za-z][A-Za-z .'&()\-,]{1,59}$")
# Postcode areas of England's largest cities: a full postcode there gets a small default radius.
CITY_AREAS = frozenset(
    {
        "B",
        "BD",
        "BS",
        "CV",
        "E",
        "EC",
        "L",
        "LE",
        "LS",
        "M",
        "N",
        "NE",
        "NG",
        "NW",
        "S",
        "SE",
        "SR",
        "SW",
        "W",
        "WC",
        "WV",
    }
)
CITY_TOWNS = frozenset(
    {
        "london",
        "birmingham",
        "manchester",
        "leeds",
        "liverpool",
        "sheffield",
        "bristol",
        "newcastle upon tyne",
        "nottingham",
        "leicester",
        "coventry",
        "bradford",
    }
)


@dataclass(frozen=True)
class PlaceQuery:
    """The typed place, classified. `district` is the outward code (what may be logged)."""

    kind: str  # postcode | district | town | invalid | empty
    text: str  # normalised: "GL55 6LH", "GL55", "Cheltenham"
    district: str | None = None

    @property
    def area(self) -> str | None:
        return re.match(r"^[A-Z]+", self.district).group(0) if self.district else None

    @property
    def in_city(self) -> bool:
        if self.kind == "town":
            return self.text.lower() in CITY_TOWNS
        return self.area in CITY_AREAS if self.area else False


def classify_place(text: str) -> PlaceQuery:
    text = clean_place(text)
    if not text:
        return PlaceQuery("empty", "")
    upper = text.upper()
    squashed = upper.replace(" ", "")
    if m := _FULL_POSTCODE.match(squashed):
        return PlaceQuery("postcode", f"{m.group(1)} {m.group(2)}", m.group(1))
    if " " not in upper and (m := _DISTRICT.match(upper)):
        return PlaceQuery("district", m.group(1), m.group(1))
    if _LOOKS_LIKE_POSTCODE.match(upper) or not _TOWN.match(text):
        return PlaceQuery("invalid", text)
    if text.islower() or text.isupper():  # "newcastle upon tyne" -> "Newcastle upon Tyne"; mixed case kept
        small = {"upon", "on", "in", "under", "the", "and", "le", "de", "by", "of"}
        text = " ".join(
            w.lower() if i and w.lower() in small else w.capitalize() for i, w in enumerate(text.split())
        )
    return PlaceQuery("town", text)


def default_radius(place: PlaceQuery, coarse: bool = False) -> int:
    """5 miles round a full postcode in a big city, 10 round a city district or city name, else 20.

    `coarse` (the place was only placed at a council district's centre) always gets 20.
    """
    if coarse:
        return 20
    if place.in_city:
        return 5 if place.kind == "postcode" else 10
    return 20


def default_sort(has_place: bool) -> str:
    return "distance" if has_place else "start"
