"""A broken event in a calendar chief reads is skipped with a hash of its UID and the reason,
once, and every other event is still read: in the ``.ics`` file (each way icalendar can refuse
a property, or the whole file), through ``chief summary``, and in Google and Outlook items.

Events are broken by hand here, one fault each; the public corpus of real calendars
(``../shared/corpora/ical-icalendar``) is read whole by ``tests/test_ical_corpus.py`` and fed to
``chief summary`` below.
"""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from connectors.base import CalendarEntry
from connectors.broken_events import uid_hash
from connectors.ical.ics import IcsCalendar
from tests.servers.google_api import GoogleApiServer
from tests.servers.google_testing import calendar_for as google_calendar_for
from tests.servers.graph_api import GraphServer
from tests.servers.graph_testing import calendar_for as outlook_calendar_for
from tests.test_ical_corpus import CORPUS, FILES

pytest_plugins = ["tests.fixtures_google", "tests.fixtures_graph"]

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # the library's TZID guesses

WINDOW = (datetime(2026, 1, 1), datetime(2026, 2, 1))
SECRET = "Jane Patientname"  # stands for a value that must never reach a log line
GOOD = (
    "BEGIN:VEVENT\r\nUID:good-1\r\nDTSTAMP:20260101T000000Z\r\n"
    "DTSTART:20260105T100000Z\r\nDTEND:20260105T110000Z\r\nSUMMARY:Good event\r\nEND:VEVENT\r\n"
)


def _broken(*lines: str) -> str:
    body = "".join(f"{line}\r\n" for line in lines)
    return (
        f"BEGIN:VEVENT\r\nUID:broken-1\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:{SECRET}\r\n"
        f"{body}END:VEVENT\r\n"
    )


def _calendar(*events: str) -> bytes:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + "".join(events)).encode(
        "utf-8"
    ) + b"END:VCALENDAR\r\n"


# name -> (the broken event, whether what is left of it is still read)
SKIPPED = {
    "dtstart not a date": _broken(f"DTSTART:{SECRET}"),
    "dtstart missing": _broken("DTEND:20260105T110000Z"),
    "dtend not a date": _broken("DTSTART:20260106T100000Z", f"DTEND:{SECRET}"),
    "duration not a duration": _broken("DTSTART:20260106T100000Z", f"DURATION:P{SECRET}"),
    "recurrence-id not a date": _broken("DTSTART:20260106T100000Z", f"RECURRENCE-ID:{SECRET}"),
    "alarm trigger not a duration": _broken(
        "DTSTART:20260106T100000Z",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        f"TRIGGER:{SECRET}",
        "END:VALARM",
    ),
}
DEGRADED = {  # a part of the event is ignored, the event itself still counts
    "rrule with an unknown freq": _broken("DTSTART:20260106T100000Z", "RRULE:FREQ=SOMETIMES"),
    "rrule with a broken until": _broken(
        "DTSTART:20260106T100000Z", "RRULE:FREQ=DAILY;UNTIL=notadate"
    ),
    "tzid nobody defines": _broken("DTSTART;TZID=Nowhere/Atlantis:20260106T100000"),
    "exdate not a date": _broken(
        "DTSTART:20260106T100000Z", "RRULE:FREQ=DAILY;COUNT=2", f"EXDATE:{SECRET}"
    ),
    "rdate not a date": _broken("DTSTART:20260106T100000Z", f"RDATE:{SECRET}"),
}


def _read(path: Path) -> list[CalendarEntry]:
    return list(IcsCalendar(path, tz="Europe/London").events(*WINDOW))


@pytest.mark.parametrize("fault", sorted(SKIPPED))
def test_a_broken_event_is_skipped_once_with_its_uid_hash_and_reason(
    fault: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "calendar.ics"
    path.write_bytes(_calendar(SKIPPED[fault], GOOD))
    caplog.set_level(logging.DEBUG, logger="connectors")
    found = _read(path)
    assert [e.summary for e in found] == ["Good event"]
    _read(path)  # the summary and the booking guard read the same calendar: warned once
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, warnings
    assert uid_hash("broken-1") in warnings[0]
    assert "skipped (" in warnings[0]
    assert all(SECRET not in r.getMessage() for r in caplog.records)
    assert all("broken-1" not in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("fault", sorted(DEGRADED))
def test_a_broken_part_of_an_event_is_ignored_and_the_event_kept(
    fault: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "calendar.ics"
    path.write_bytes(_calendar(DEGRADED[fault], GOOD))
    found = _read(path)
    assert {e.summary for e in found} == {"Good event", SECRET}
    assert all(SECRET not in r.getMessage() for r in caplog.records)


def test_an_event_in_another_encoding_is_read(tmp_path: Path) -> None:
    path = tmp_path / "calendar.ics"
    latin1 = _broken("DTSTART:20260106T100000Z", "LOCATION:Caf\xe9").encode("latin-1")
    path.write_bytes(_calendar(GOOD)[: -len(b"END:VCALENDAR\r\n")] + latin1 + b"END:VCALENDAR\r\n")
    assert {e.summary for e in _read(path)} == {"Good event", SECRET}


def test_a_broken_event_never_lets_chief_rewrite_the_file(tmp_path: Path) -> None:
    """Reading skips the event; writing still refuses a file the library cannot read whole,
    so the practitioner's bytes stay as they are."""
    from connectors.ical.ics import CorruptCalendar

    path = tmp_path / "calendar.ics"
    path.write_bytes(_calendar(SKIPPED["alarm trigger not a duration"], GOOD))
    before = path.read_bytes()
    with pytest.raises(CorruptCalendar):
        IcsCalendar(path).upsert_event(
            CalendarEntry(key="k1", summary="x", start=datetime(2026, 1, 7).date())
        )
    assert path.read_bytes() == before


def _practice_with(practice_dir: Callable[..., Path], calendar: bytes) -> Path:
    home = practice_dir()
    (home / "calendar.ics").write_bytes(calendar)
    return home


def test_chief_summary_goes_on_past_a_broken_event(
    practice_dir: Callable[..., Path], chief_exe: str
) -> None:
    today = (
        "BEGIN:VEVENT\r\nUID:today-1\r\nDTSTAMP:20260101T000000Z\r\n"
        "DTSTART:20260105T150000Z\r\nDTEND:20260105T160000Z\r\n"
        "SUMMARY:Team meeting\r\nEND:VEVENT\r\n"
    )
    for events in (
        (SKIPPED["recurrence-id not a date"], today),  # was: exit 70, an internal error
        (*SKIPPED.values(), *DEGRADED.values(), today),  # was: the whole calendar dropped
    ):
        home = _practice_with(practice_dir, _calendar(*events))
        done = subprocess.run(
            [chief_exe, "summary", "--print", "--today", "2026-01-05"],
            cwd=home,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert "Team meeting" in done.stdout
        assert SECRET not in done.stderr


def test_chief_summary_reads_the_public_calendar_corpus_as_one_calendar(
    practice_dir: Callable[..., Path], chief_exe: str
) -> None:
    """Every VEVENT of the corpus, broken ones included, in the practice's calendar at once."""
    if not FILES:
        pytest.skip(f"{CORPUS} not found (tests/test_ical_corpus.py fails under CI)")
    from connectors.ical.text import StructureError, scan

    events: list[str] = []
    for path in FILES:
        try:
            doc = scan(path.read_bytes())
        except StructureError:
            continue
        for block in doc.blocks:
            events.append("".join(doc.lines[block.first : block.last + 1]).rstrip("\r\n") + "\r\n")
    assert len(events) > 100
    home = _practice_with(practice_dir, _calendar(*events))
    for day in ("1997-09-02", "2026-01-05"):
        done = subprocess.run(
            [chief_exe, "summary", "--print", "--today", day],
            cwd=home,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-2000:]


def _two_entries(calendar: object) -> None:
    from datetime import date

    from connectors.base import Calendar

    assert isinstance(calendar, Calendar)
    for key in ("good-entry", "bad-entry"):
        calendar.upsert_event(CalendarEntry(key=key, summary=key, start=date(2026, 1, 6)))


@pytest.mark.servers
def test_a_broken_google_item_is_skipped(
    google: GoogleApiServer, token_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    calendar = google_calendar_for(google, token_file)
    _two_entries(calendar)
    with google.calendar.lock:
        for event in google.calendar.events.values():
            if event["summary"] == "bad-entry":
                event["reminders"] = {"useDefault": False, "overrides": [{"method": "popup"}]}
    found = list(calendar.events(*WINDOW))
    assert [e.summary for e in found] == ["good-entry"]
    assert any("skipped (missing `minutes`)" in r.getMessage() for r in caplog.records)


@pytest.mark.servers
def test_a_broken_outlook_item_is_skipped(graph: GraphServer, token_cache: Path) -> None:
    calendar = outlook_calendar_for(graph, token_cache)
    _two_entries(calendar)
    with graph.calendar.lock:
        for event in graph.calendar.events.values():
            if event.get("subject") == "bad-entry":
                event["isReminderOn"] = True
                event["reminderMinutesBeforeStart"] = "soon"
    found = list(calendar.events(*WINDOW))
    graph.problems.clear()  # the item is outside Graph's shapes on purpose
    assert [e.summary for e in found] == ["good-entry"]
