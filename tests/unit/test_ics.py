"""The .ics builder against RFC 5545: CRLF lines of at most 75 octets, folding that never splits a
UTF-8 character, TEXT escaping, all-day events, stable unique UIDs, and no unsafe links."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from dashboard.data.ics import escape_text, fold, ics_file_name, safe_url, work_group_ics

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
ROW = {
    "work_group_id": "glow-26-0007",
    "title": (
        "Years 5–8 Continuity: “Fractions”, ratio; and proportion \\ a very long title that must be folded"
    ),
    "hub_name": "GLOW Maths Hub",
    "programme_name": "Years 5-8 Continuity",
    "project_code": "NCP26-05",
    "delivery": "face_to_face",
    "venue_name": "Pittville School, Cheltenham",
    "venue_postcode": "GL52 3JD",
    "session_dates": [date(2027, 1, 12), date(2026, 11, 30), date(2026, 12, 31)],
    "booking_url": "https://www.glowmathshub.org.uk/work-groups/glow-26-0007",
    "hub_website": "https://www.glowmathshub.org.uk/",
}


def unfold(text: str) -> list[str]:
    """RFC 5545 3.1: a CRLF followed by one space or tab continues the previous line."""
    return re.sub(r"\r\n[ \t]", "", text).split("\r\n")


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def events(text: str) -> list[dict[str, str]]:
    out, current = [], None
    for line in unfold(text):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            out.append(current)
            current = None
        elif current is not None and line:
            name, _, value = line.partition(":")
            current[name] = value
    return out


@pytest.fixture
def ics() -> str:
    return work_group_ics(ROW, now=NOW).decode("utf-8")


def test_every_line_ends_in_crlf_and_is_at_most_75_octets(ics):
    assert ics.endswith("\r\n")
    assert "\n" not in ics.replace("\r\n", "")
    for line in ics.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75


def test_calendar_envelope(ics):
    lines = unfold(ics)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    assert ics.count("BEGIN:VEVENT") == ics.count("END:VEVENT") == 3


def test_one_all_day_event_per_session_in_date_order(ics):
    found = events(ics)
    assert [e["DTSTART;VALUE=DATE"] for e in found] == ["20261130", "20261231", "20270112"]
    assert [e["DTEND;VALUE=DATE"] for e in found] == [
        "20261201",
        "20270101",
        "20270113",
    ]  # next day, across years
    assert all(e["DTSTAMP"] == "20261123T093000Z" for e in found)
    assert unescape(found[1]["SUMMARY"]).endswith("(session 2 of 3)")


def test_text_is_escaped_and_survives_folding(ics):
    found = events(ics)[0]
    assert unescape(found["SUMMARY"]) == ROW["title"] + " (session 1 of 3)"
    assert "\\;" in found["SUMMARY"] and "\\," in found["SUMMARY"] and "\\\\" in found["SUMMARY"]
    assert unescape(found["LOCATION"]) == "Pittville School, Cheltenham, GL52 3JD"
    assert "\n" in unescape(found["DESCRIPTION"]) and ROW["booking_url"] in unescape(found["DESCRIPTION"])
    assert found["URL"] == ROW["booking_url"]


def test_uids_are_unique_and_stable():
    first = [e["UID"] for e in events(work_group_ics(ROW, now=NOW).decode())]
    again = [e["UID"] for e in events(work_group_ics(ROW, now=datetime(2027, 1, 1, tzinfo=UTC)).decode())]
    assert len(set(first)) == 3 and first == again
    assert all(uid.endswith("@maths-hubs-atlas") for uid in first)


def test_folding_never_splits_a_multibyte_character():
    line = "SUMMARY:" + "é€😀" * 40
    folded = fold(line)
    for part in folded.split("\r\n"):
        assert len(part.encode("utf-8")) <= 75
        part.encode("utf-8").decode("utf-8")  # each physical line is valid UTF-8 on its own
    assert folded.replace("\r\n ", "") == line


def test_escape_text_handles_newlines_and_control_characters():
    assert escape_text("a;b,c\\d\r\ne\nf\x00\x07") == "a\\;b\\,c\\\\d\\ne\\nf"


def test_online_groups_say_online_and_unsafe_links_are_dropped():
    row = {**ROW, "delivery": "online", "booking_url": "javascript:alert(1)", "hub_website": "ftp://x"}
    found = events(work_group_ics(row, now=NOW).decode())
    assert all(e["LOCATION"] == "Online" for e in found)
    assert all("URL" not in e for e in found)
    assert "javascript" not in work_group_ics(row, now=NOW).decode()


def test_missing_fields_and_no_dates_still_make_a_valid_calendar():
    text = work_group_ics({"work_group_id": "x"}, now=NOW).decode()
    assert unfold(text)[:2] == ["BEGIN:VCALENDAR", "VERSION:2.0"] and "BEGIN:VEVENT" not in text


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://hub.example/wg?id=1", True),
        ("http://hub.example/", True),
        ("javascript:alert(1)", False),
        ("data:text/html,x", False),
        ("https://hub.example/<script>", False),
        ("", False),
        (None, False),
    ],
)
def test_safe_url(url, ok):
    assert (safe_url(url) is not None) == ok


def test_file_name_is_safe():
    assert ics_file_name({"work_group_id": "../../etc/passwd"}) == "work-group-..-..-etc-passwd.ics"
    assert "/" not in ics_file_name({"work_group_id": "a/b c"})
