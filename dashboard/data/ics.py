"""An iCalendar (RFC 5545) file of one Work Group's sessions, built by hand (no dependency).

Hubs publish session *dates* but rarely times, so each session is an all-day event (DTSTART and
DTEND as DATE values, DTEND the day after: RFC 5545 3.6.1). Each event has a stable UID, so importing
the file again updates the events instead of duplicating them. Text is escaped (3.3.11), lines end
in CRLF and are folded at 75 octets without splitting a UTF-8 character (3.1).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta

PRODID = "-//Maths Hubs Atlas//Work Group finder//EN"
UID_DOMAIN = "maths-hubs-atlas"
_SAFE_URL = re.compile(r"^https?://[^\s\"<>\\^`{|}]+$", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def escape_text(value: object) -> str:
    """TEXT value escaping: backslash, semicolon, comma and newlines (RFC 5545 3.3.11)."""
    text = _CONTROL.sub("", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets, continuation lines starting with a space."""
    out: list[str] = []
    current, size, limit = [], 0, 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append("".join(current))
            current, size, limit = [], 0, 74  # continuation lines lose one octet to the leading space
        current.append(ch)
        size += n
    out.append("".join(current))
    return "\r\n ".join(out)


def safe_url(url: object) -> str | None:
    """An http(s) URL, or None (a javascript: or malformed link is never passed on)."""
    text = str(url or "").strip()
    return text if _SAFE_URL.match(text) else None


def _uid_part(value: object) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "-", str(value))[:120] or "work-group"


def work_group_ics(wg: Mapping[str, object], now: datetime | None = None) -> bytes:
    """One VCALENDAR with a VEVENT per session date of the Work Group `wg` (a search-result row)."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    dates: Sequence[date] = sorted(d for d in (wg.get("session_dates") or []) if isinstance(d, date))
    title = str(wg.get("title") or "Maths Hub Work Group")
    delivery = str(wg.get("delivery") or "")
    if delivery == "online":
        location = "Online"
    else:
        location = ", ".join(str(wg[k]) for k in ("venue_name", "venue_postcode") if wg.get(k))
    booking = safe_url(wg.get("booking_url")) or safe_url(wg.get("hub_website"))
    details = [
        f"{wg.get('hub_name') or 'Maths Hub'}: {wg.get('programme_name') or ''}".rstrip(": "),
        f"Project code: {wg['project_code']}" if wg.get("project_code") else "",
        "Session times are set by the hub: check its page before you go.",
        f"Booking and details: {booking}" if booking else "",
    ]
    description = "\n".join(d for d in details if d)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(title)}",
    ]
    uid = _uid_part(wg.get("work_group_id"))
    for i, day in enumerate(dates, start=1):
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}-{day:%Y%m%d}@{UID_DOMAIN}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{escape_text(f'{title} (session {i} of {len(dates)})')}",
            f"DESCRIPTION:{escape_text(description)}",
        ]
        if location:
            lines.append(f"LOCATION:{escape_text(location)}")
        if booking:
            lines.append(f"URL:{booking}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")


def ics_file_name(wg: Mapping[str, object]) -> str:
    return f"work-group-{_uid_part(wg.get('work_group_id'))}.ics"
