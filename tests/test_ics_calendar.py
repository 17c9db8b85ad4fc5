"""The embedded .ics calendar: exactly-once upserts, the practitioner's events untouched,
alarms, atomic and locked writes, corrupt files left alone, reading with recurrences."""

from __future__ import annotations

import os
import stat
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from bot.errors import ConnectorError, UserError
from connectors.base import CalendarEntry, CalendarSink, CalendarSource
from connectors.ical.ics import PRODID, CorruptCalendar, IcsCalendar

LONDON = ZoneInfo("Europe/London")

# The practitioner's own file: LF endings, a folded line, an X- property, a VTODO, a
# VTIMEZONE, a recurring event with an exception, and a non-UTF-8 byte in a comment.
THEIRS = (
    b"BEGIN:VCALENDAR\n"
    b"VERSION:2.0\n"
    b"PRODID:-//Their App//EN\n"
    b"X-WR-CALNAME:Dr Test\n"
    b"BEGIN:VTIMEZONE\n"
    b"TZID:Europe/London\n"
    b"BEGIN:STANDARD\n"
    b"DTSTART:19701025T020000\n"
    b"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\n"
    b"TZOFFSETFROM:+0100\n"
    b"TZOFFSETTO:+0000\n"
    b"END:STANDARD\n"
    b"BEGIN:DAYLIGHT\n"
    b"DTSTART:19700329T010000\n"
    b"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\n"
    b"TZOFFSETFROM:+0000\n"
    b"TZOFFSETTO:+0100\n"
    b"END:DAYLIGHT\n"
    b"END:VTIMEZONE\n"
    b"BEGIN:VEVENT\n"
    b"UID:clinic-1@their-app\n"
    b"DTSTAMP:20250101T000000Z\n"
    b"DTSTART;TZID=Europe/London:20250106T090000\n"
    b"DTEND;TZID=Europe/London:20250106T170000\n"
    b"RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=6\n"
    b"EXDATE;TZID=Europe/London:20250113T090000\n"
    b"SUMMARY:Clinic day with a long summary that is folded onto a second line b\n"
    b" y the app\n"
    b"X-THEIR-APP-COLOUR:teal\n"
    b"COMMENT:caf\xe9 (latin-1 byte)\n"
    b"END:VEVENT\n"
    b"BEGIN:VEVENT\n"
    b"UID:clinic-1@their-app\n"
    b"RECURRENCE-ID;TZID=Europe/London:20250120T090000\n"
    b"DTSTAMP:20250101T000000Z\n"
    b"DTSTART;TZID=Europe/London:20250120T130000\n"
    b"DTEND;TZID=Europe/London:20250120T170000\n"
    b"SUMMARY:Clinic (afternoon only)\n"
    b"END:VEVENT\n"
    b"BEGIN:VTODO\n"
    b"UID:todo-1@their-app\n"
    b"SUMMARY:Order gloves\n"
    b"END:VTODO\n"
    b"BEGIN:VEVENT\n"
    b"UID:floating@their-app\n"
    b"DTSTAMP:20250101T000000Z\n"
    b"DTSTART:20250210T080000\n"
    b"DURATION:PT30M\n"
    b"SUMMARY:Floating breakfast\n"
    b"END:VEVENT\n"
    b"END:VCALENDAR\n"
)


def entry(key: str = "deadline-1", **changes: object) -> CalendarEntry:
    base: dict[str, object] = {
        "key": key,
        "summary": "Advice due: EHC needs assessment",
        "start": date(2025, 3, 14),
        "alarms": (24 * 60, 0),
        "categories": ("deadline", "ehcp"),
        "description": "Reply to the local authority, with a comma, and; a semicolon",
    }
    base.update(changes)
    return CalendarEntry(**base)  # type: ignore[arg-type]


def vevents(path: Path) -> list[icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    return [event for event in calendar.walk("VEVENT") if isinstance(event, icalendar.Event)]


def ours_removed(data: bytes) -> bytes:
    """The file with our VEVENT blocks (UID ...@practice-chief) and VTIMEZONEs we added cut out."""
    out: list[bytes] = []
    block: list[bytes] = []
    for line in data.splitlines(keepends=True):
        if line.startswith(b"BEGIN:VEVENT") or block:
            block.append(line)
            if line.startswith(b"END:VEVENT"):
                if not any(b"@practice-chief" in ln for ln in block if ln.startswith(b"UID")):
                    out.extend(block)
                block = []
            continue
        out.append(line)
    return b"".join(out)


@pytest.fixture
def calendar(tmp_path: Path) -> IcsCalendar:
    return IcsCalendar(tmp_path / "calendar.ics", tz="Europe/London")


def test_implements_the_protocols(calendar: IcsCalendar) -> None:
    assert isinstance(calendar, CalendarSink)
    assert isinstance(calendar, CalendarSource)


def test_creates_the_file(calendar: IcsCalendar) -> None:
    uid = calendar.upsert_event(entry())
    assert uid == "deadline-1@practice-chief"
    data = calendar.path.read_bytes()
    assert data.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert f"PRODID:{PRODID}".encode() in data
    assert stat.S_IMODE(calendar.path.stat().st_mode) == 0o600
    (event,) = vevents(calendar.path)
    assert event["UID"] == uid
    assert event["X-CHIEF-KEY"] == "deadline-1"
    assert event.decoded("DTSTART") == date(2025, 3, 14)
    assert event.decoded("DTEND") == date(2025, 3, 15)
    assert str(event["DESCRIPTION"]) == entry().description


def test_exactly_once(calendar: IcsCalendar) -> None:
    calendar.upsert_event(entry())
    first = calendar.path.read_bytes()
    mtime = calendar.path.stat().st_mtime_ns
    os.utime(calendar.path, ns=(mtime - 10**9, mtime - 10**9))  # so a rewrite would show
    before = calendar.path.stat().st_mtime_ns
    assert calendar.upsert_event(entry()) == "deadline-1@practice-chief"
    assert calendar.upsert_events([entry(), entry()]) == ["deadline-1@practice-chief"] * 2
    assert calendar.path.read_bytes() == first
    assert calendar.path.stat().st_mtime_ns == before
    assert len(vevents(calendar.path)) == 1


def test_update_in_place(calendar: IcsCalendar) -> None:
    calendar.upsert_events([entry("a"), entry("b"), entry("c")])
    calendar.upsert_event(entry("b", summary="Advice due (moved)", start=date(2025, 3, 21)))
    events = vevents(calendar.path)
    assert [str(e["UID"]) for e in events] == [
        "a@practice-chief",
        "b@practice-chief",
        "c@practice-chief",
    ]
    moved = events[1]
    assert str(moved["SUMMARY"]) == "Advice due (moved)"
    assert moved.decoded("DTSTART") == date(2025, 3, 21)
    assert str(moved["SEQUENCE"]) == "1"
    assert str(events[0]["SEQUENCE"]) == "0"


def test_find_event(calendar: IcsCalendar) -> None:
    assert calendar.find_event("deadline-1") is None  # no file yet
    calendar.upsert_event(entry())
    assert calendar.find_event("deadline-1") == "deadline-1@practice-chief"
    assert calendar.find_event("other") is None


def test_alarms(calendar: IcsCalendar) -> None:
    calendar.upsert_event(entry())
    (event,) = vevents(calendar.path)
    alarms = list(event.walk("VALARM"))
    assert [str(a["ACTION"]) for a in alarms] == ["DISPLAY", "DISPLAY"]
    assert [a.decoded("TRIGGER") for a in alarms] == [timedelta(days=-1), timedelta(0)]
    assert all(str(a["DESCRIPTION"]) == entry().summary for a in alarms)
    assert b"TRIGGER:-P1D" in calendar.path.read_bytes() or b"TRIGGER:-PT1440M" in (
        calendar.path.read_bytes()
    )


def test_users_own_events_survive_byte_for_byte(tmp_path: Path) -> None:
    path = tmp_path / "mine.ics"
    path.write_bytes(THEIRS)
    calendar = IcsCalendar(path, tz="Europe/London")
    calendar.upsert_events([entry("x"), entry("y", start=date(2025, 4, 1))])
    calendar.upsert_event(entry("x", summary="changed"))
    data = path.read_bytes()
    # Their lines unchanged but for the line ending: RFC 5545 3.1 wants CRLF throughout.
    assert b"\r\n" not in THEIRS
    assert ours_removed(data) == THEIRS.replace(b"\n", b"\r\n")
    assert data.count(b"\n") == data.count(b"\r\n")
    assert data.count(b"@practice-chief") == 2


def test_the_file_is_written_with_crlf_line_endings(tmp_path: Path) -> None:
    """RFC 5545 3.1: content lines end in CRLF. A new file, and a file some other program
    saved with bare LF, both come out with CRLF on every line (folded lines included)."""
    fresh = IcsCalendar(tmp_path / "new.ics", tz="Europe/London")
    fresh.upsert_event(entry("x", summary="a summary long enough to be folded " * 3))
    lf = tmp_path / "lf.ics"
    lf.write_bytes(THEIRS)
    IcsCalendar(lf, tz="Europe/London").upsert_event(entry("y"))
    for path in (fresh.path, lf):
        data = path.read_bytes()
        assert data.endswith(b"END:VCALENDAR\r\n")
        assert b"\r\n " in data or path == lf  # a folded line: CRLF then a space
        assert data.count(b"\n") == data.count(b"\r\n") > 10, path.name


def test_our_timed_entries_use_the_files_vtimezone(tmp_path: Path) -> None:
    path = tmp_path / "mine.ics"
    path.write_bytes(THEIRS)
    calendar = IcsCalendar(path, tz="Europe/London")
    start = datetime(2025, 6, 2, 10, 0, tzinfo=LONDON)
    calendar.upsert_event(entry("meet", start=start, end=start + timedelta(hours=1)))
    data = path.read_bytes()
    assert data.count(b"BEGIN:VTIMEZONE") == 1  # theirs is reused
    assert b"DTSTART;TZID=Europe/London:20250602T100000" in data


def test_vtimezone_added_once_when_missing(calendar: IcsCalendar) -> None:
    first = datetime(2025, 6, 2, 10, 0, tzinfo=LONDON)
    calendar.upsert_events([entry("m1", start=first), entry("m2", start=first)])
    calendar.upsert_event(entry("m3", start=first + timedelta(days=1)))
    data = calendar.path.read_bytes()
    assert data.count(b"BEGIN:VTIMEZONE") == 1
    assert data.count(b"TZID:Europe/London") == 1
    found = {e.key: e for e in calendar.events(datetime(2025, 6, 1), datetime(2025, 6, 5))}
    assert found["m1"].start == first
    assert found["m3"].start == first + timedelta(days=1)


def test_other_aware_times_are_written_in_utc(calendar: IcsCalendar) -> None:
    from datetime import timezone

    start = datetime(2025, 6, 2, 10, 0, tzinfo=timezone(timedelta(hours=2)))
    calendar.upsert_event(entry("fixed", start=start))
    assert b"DTSTART:20250602T080000Z" in calendar.path.read_bytes()


def test_tzid_hint_restores_a_zone(calendar: IcsCalendar) -> None:
    offset_only = datetime.fromisoformat("2025-06-02T10:00:00+01:00")
    calendar.upsert_event(
        entry(
            "weekly",
            start=offset_only,
            extra={"tzid": "Europe/London", "rrule": "FREQ=WEEKLY;COUNT=30"},
        )
    )
    data = calendar.path.read_bytes()
    assert b"DTSTART;TZID=Europe/London:20250602T100000" in data
    winter = [
        e
        for e in calendar.events(datetime(2025, 12, 1), datetime(2025, 12, 8))
        if e.key == "weekly"
    ]
    assert winter and winter[0].start.hour == 10  # type: ignore[union-attr]


def test_cancelled_and_extra(calendar: IcsCalendar) -> None:
    calendar.upsert_event(entry(extra={"status": "CANCELLED", "credential_id": "ny-licence"}))
    (event,) = vevents(calendar.path)
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["X-CHIEF-CREDENTIAL-ID"]) == "ny-licence"
    (read,) = calendar.events(datetime(2025, 3, 1), datetime(2025, 4, 1))
    assert read.extra["status"] == "CANCELLED"
    assert read.extra["credential_id"] == "ny-licence"


def test_atomic_write_leaves_no_temp_file(calendar: IcsCalendar) -> None:
    calendar.upsert_events([entry(str(i)) for i in range(20)])
    calendar.upsert_event(entry("3", summary="changed"))
    names = sorted(p.name for p in calendar.path.parent.iterdir())
    assert names == ["calendar.ics", "calendar.ics.lock"]


def test_failed_replace_keeps_the_old_file(
    calendar: IcsCalendar, monkeypatch: pytest.MonkeyPatch
) -> None:
    calendar.upsert_event(entry())
    before = calendar.path.read_bytes()

    def broken(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(ConnectorError, match="cannot write calendar file"):
        calendar.upsert_event(entry("new"))
    assert calendar.path.read_bytes() == before
    assert sorted(p.name for p in calendar.path.parent.iterdir()) == [
        "calendar.ics",
        "calendar.ics.lock",
    ]


def test_batch_writes_once(calendar: IcsCalendar, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    real = os.replace

    def counting(src: str, dst: str) -> None:
        calls.append(dst)
        real(src, dst)

    monkeypatch.setattr(os, "replace", counting)
    uids = calendar.upsert_events([entry(f"k{i}") for i in range(50)])
    assert len(uids) == 50 and len(calls) == 1
    assert len(vevents(calendar.path)) == 50


@pytest.mark.parametrize(
    "content",
    [
        b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\nSUMMARY:never closed\nEND:VCALENDAR\n",
        b"this is not a calendar at all\n",
        b"BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VTIMEZONE\nTZID:X\nBEGIN:STANDARD\n"
        b"TZOFFSETFROM:+5744\nTZOFFSETTO:+0000\nDTSTART:19700101T000000\nEND:STANDARD\n"
        b"END:VTIMEZONE\nEND:VCALENDAR\n",
        b"BEGIN:VEVENT\nUID:bare\nDTSTART:20250101T100000Z\nEND:VEVENT\n",
    ],
)
def test_corrupt_file_is_never_overwritten(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.ics"
    path.write_bytes(content)
    calendar = IcsCalendar(path)
    with pytest.raises(CorruptCalendar) as caught:
        calendar.upsert_event(entry())
    assert str(path) in str(caught.value)
    assert "not been changed" in str(caught.value)
    assert isinstance(caught.value, ConnectorError)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.ics", "broken.ics.lock"]


def test_corrupt_file_on_read_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.ics"
    path.write_bytes(
        b"BEGIN:VCALENDAR\nBEGIN:VTIMEZONE\nTZID:X\nBEGIN:STANDARD\nTZOFFSETFROM:+5744\n"
        b"TZOFFSETTO:+0000\nDTSTART:19700101T000000\nEND:STANDARD\nEND:VTIMEZONE\nEND:VCALENDAR\n"
    )
    with pytest.raises(CorruptCalendar, match=str(path)):
        list(IcsCalendar(path).events(datetime(2000, 1, 1), datetime(2030, 1, 1)))


def test_empty_file_is_initialised(tmp_path: Path) -> None:
    path = tmp_path / "touched.ics"
    path.write_bytes(b"")
    IcsCalendar(path).upsert_event(entry())
    assert len(vevents(path)) == 1


def test_concurrent_writers_never_lose_entries(tmp_path: Path) -> None:
    path = tmp_path / "calendar.ics"
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            calendar = IcsCalendar(path)  # own instance, own lock file descriptor
            for i in range(5):
                calendar.upsert_event(entry(f"w{n}-{i}"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    uids = sorted(str(e["UID"]) for e in vevents(path))
    assert uids == sorted(f"w{n}-{i}@practice-chief" for n in range(6) for i in range(5))


def test_lock_timeout(tmp_path: Path) -> None:
    import fcntl

    path = tmp_path / "calendar.ics"
    with open(tmp_path / "calendar.ics.lock", "a+b") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        with pytest.raises(ConnectorError, match="locked by another run"):
            IcsCalendar(path, lock_timeout=0.2).upsert_event(entry())
    assert not path.exists()


def test_unknown_time_zone() -> None:
    with pytest.raises(UserError, match="unknown time zone"):
        IcsCalendar(Path("x.ics"), tz="Mars/Olympus")


def test_bad_key_is_refused(calendar: IcsCalendar) -> None:
    with pytest.raises(ValueError):
        calendar.upsert_event(entry("bad\nkey"))


# ------------------------------------------------------------------ reading


def test_events_expand_recurrences_and_exceptions(tmp_path: Path) -> None:
    path = tmp_path / "mine.ics"
    path.write_bytes(THEIRS)
    calendar = IcsCalendar(path, tz="Europe/London")
    found = list(
        calendar.events(datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 3, 1, tzinfo=UTC))
    )
    clinic = [e for e in found if e.extra["uid"] == "clinic-1@their-app"]
    starts = [e.start for e in clinic]
    assert starts == [
        datetime(2025, 1, 6, 9, tzinfo=LONDON),
        # 13 January excluded (EXDATE)
        datetime(2025, 1, 20, 13, tzinfo=LONDON),  # the exception replaces the 09:00 instance
        datetime(2025, 1, 27, 9, tzinfo=LONDON),
        datetime(2025, 2, 3, 9, tzinfo=LONDON),
        datetime(2025, 2, 10, 9, tzinfo=LONDON),
    ]
    assert clinic[1].summary == "Clinic (afternoon only)"
    assert clinic[0].summary.startswith("Clinic day with a long summary that is folded onto a")
    assert all(e.extra["origin"] == "external" for e in clinic)
    floating = [e for e in found if e.extra["uid"] == "floating@their-app"]
    assert floating[0].start == datetime(2025, 2, 10, 8, tzinfo=LONDON)
    assert floating[0].end == datetime(2025, 2, 10, 8, 30, tzinfo=LONDON)
    assert [e.start for e in found] == sorted(e.start for e in found)


def test_events_window_is_half_open(calendar: IcsCalendar) -> None:
    calendar.upsert_events(
        [entry("d1", start=date(2025, 3, 14)), entry("d2", start=date(2025, 3, 15))]
    )
    keys = [e.key for e in calendar.events(datetime(2025, 3, 15), datetime(2025, 3, 16))]
    assert keys == ["d2"]
    keys = [e.key for e in calendar.events(datetime(2025, 3, 14, 23), datetime(2025, 3, 15))]
    assert keys == ["d1"]


def test_read_back_round_trip(calendar: IcsCalendar) -> None:
    original = entry(location="Town Hall")
    calendar.upsert_event(original)
    (read,) = calendar.events(datetime(2025, 3, 1), datetime(2025, 4, 1))
    assert read.key == original.key
    assert read.summary == original.summary
    assert read.description == original.description
    assert read.location == "Town Hall"
    assert read.start == original.start and read.end == date(2025, 3, 15)
    assert read.alarms == original.alarms
    assert read.categories == original.categories
    assert read.extra["origin"] == "chief"


def test_missing_file_reads_as_empty(calendar: IcsCalendar) -> None:
    assert list(calendar.events(datetime(2000, 1, 1), datetime(2100, 1, 1))) == []


def test_runaway_rule_is_bounded(tmp_path: Path) -> None:
    path = tmp_path / "busy.ics"
    path.write_bytes(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:busy\r\n"
        b"DTSTAMP:20250101T000000Z\r\nDTSTART:19700101T000000Z\r\nRRULE:FREQ=MINUTELY\r\n"
        b"SUMMARY:every minute\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    found = list(IcsCalendar(path).events(datetime(1970, 1, 1), datetime(2100, 1, 1)))
    assert 0 < len(found) <= 50_000


def test_duplicates_of_our_event_are_merged(tmp_path: Path) -> None:
    path = tmp_path / "calendar.ics"
    calendar = IcsCalendar(path)
    calendar.upsert_event(entry())
    data = path.read_bytes()
    start = data.index(b"BEGIN:VEVENT")
    end = data.index(b"END:VEVENT\r\n") + len(b"END:VEVENT\r\n")
    path.write_bytes(data[:end] + data[start:end] + data[end:])  # e.g. a copy-and-paste
    assert len(vevents(path)) == 2
    calendar.upsert_event(entry())
    assert len(vevents(path)) == 1


def test_their_broken_event_is_kept_and_ours_added(tmp_path: Path) -> None:
    path = tmp_path / "calendar.ics"
    theirs = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:odd\r\n"
        b"DTSTART;;VALUE=DATE-TIME:20140409T093000\r\nSUMMARY:odd line above\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    path.write_bytes(theirs)
    calendar = IcsCalendar(path)
    calendar.upsert_event(entry())
    assert ours_removed(path.read_bytes()) == theirs
    keys = [e.key for e in calendar.events(datetime(2000, 1, 1), datetime(2030, 1, 1))]
    assert keys == ["deadline-1"]  # theirs has no usable start: skipped when reading, kept on disk


def test_a_fifo_at_the_calendar_path_is_refused_without_waiting(tmp_path: Path) -> None:
    """A named pipe where the calendar file should be: refused at once with the path named,
    never waited on for a writer, and left as it was."""
    path = tmp_path / "calendar.ics"
    os.mkfifo(path)
    calendar = IcsCalendar(path)
    started = time.monotonic()
    with pytest.raises(ConnectorError, match="calendar.ics: .*not a regular file"):
        list(calendar.events(datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)))
    assert time.monotonic() - started < 5
    assert stat.S_ISFIFO(path.stat().st_mode)
