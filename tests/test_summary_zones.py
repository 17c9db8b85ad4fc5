"""Times in the summary are the practice's: an event set in another zone is shown at the
hour it happens where the practice is (18:30 in Los Angeles is 21:30 in New York), read from
a real .ics file through the calendar connector."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from bot.config import load_config
from bot.summary.job import summary_text
from bot.sync.runtime import Runtime

CALENDAR = """\
BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
BEGIN:VEVENT\r
UID:west@test\r
DTSTAMP:20261101T000000Z\r
DTSTART;TZID=America/Los_Angeles:20261124T183000\r
DTEND;TZID=America/Los_Angeles:20261124T190000\r
SUMMARY:Call with the Portland team physician\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:utc@test\r
DTSTAMP:20261101T000000Z\r
DTSTART:20261124T140000Z\r
DTEND:20261124T143000Z\r
SUMMARY:Webinar\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_todays_events_are_shown_in_the_practices_time_zone(
    practice_dir: Callable[..., Path],
) -> None:
    home = practice_dir()  # a New York practice
    (home / "calendar.ics").write_text(CALENDAR, newline="")
    rt = Runtime.from_config(load_config(home / "chief.toml"), today=date(2026, 11, 24))
    try:
        text = summary_text(rt).replace("\r\n", "\n")
    finally:
        rt.close()
    section = text.split("TODAY'S CALENDAR", 1)[1].split("\n\n", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("- ")]
    # 14:00 UTC is 9:00 AM in New York; 18:30 in Los Angeles is 9:30 PM there; in that order,
    # as a US practice writes times, under the zone they are in.
    assert section.startswith(" (EST)\n")
    assert lines == ["- 9:00 AM  Webinar", "- 9:30 PM  Call with the Portland team physician"]
