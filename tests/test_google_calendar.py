"""The Google Calendar connector against the local Calendar API server, through the real
google-api-python-client: the shared calendar contract, exactly-once writes across a crash,
reminders within Google's limits, time zones, recurrences, throttling."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest

from connectors.base import CalendarEntry
from connectors.google.calendar import GoogleCalendar, event_id_for
from connectors.ical.vevent import uid_for
from tests.connector_contract import CalendarContract
from tests.servers.google_api import GoogleApiServer
from tests.servers.google_testing import calendar_for

pytest_plugins = ["tests.fixtures_google"]
pytestmark = pytest.mark.servers


def as_vevents(server: GoogleApiServer) -> list[Any]:
    """The live events as iCalendar VEVENTs, the way Google's iCal export shows them; Google's
    own UID is ``<id>@google.com``, so the UID shown is the one the key gives on every other
    calendar (the key travels in the private ``chiefKey`` property here)."""
    out = []
    for event in server.calendar.live_events():
        vevent = icalendar.Event()
        key = event.get("extendedProperties", {}).get("private", {}).get("chiefKey")
        vevent.add("UID", uid_for(key) if key else event["iCalUID"])
        vevent.add("SUMMARY", event.get("summary", ""))
        for side, name in (("start", "DTSTART"), ("end", "DTEND")):
            moment = event[side]
            if "date" in moment:
                vevent.add(name, date.fromisoformat(moment["date"]))
            else:
                vevent.add(name, datetime.fromisoformat(moment["dateTime"].replace("Z", "+00:00")))
        for override in event.get("reminders", {}).get("overrides", ()):
            alarm = icalendar.Alarm()
            alarm.add("ACTION", "DISPLAY" if override["method"] == "popup" else "EMAIL")
            alarm.add("TRIGGER", timedelta(minutes=-override["minutes"]))
            vevent.add_component(alarm)
        out.append(vevent)
    return out


class TestGoogleCalendarContract(CalendarContract):
    @pytest.fixture
    def calendar(self, google: GoogleApiServer, token_file: Path) -> GoogleCalendar:
        return calendar_for(google, token_file)

    @pytest.fixture
    def server_events(self, google: GoogleApiServer) -> Callable[[], list[Any]]:
        return lambda: as_vevents(google)


def _entry(key: str, **changes: Any) -> CalendarEntry:
    values: dict[str, Any] = {
        "key": key,
        "summary": "Due: EHCP advice",
        "start": date(2026, 12, 1),
        "alarms": (4320, 1440),
    }
    values.update(changes)
    return CalendarEntry(**values)


def test_unchanged_entries_cause_no_write_and_a_crash_is_reconciled(
    google: GoogleApiServer, token_file: Path
) -> None:
    calendar = calendar_for(google, token_file)
    entries = [_entry(f"k{n}") for n in range(4)]
    ids = calendar.upsert_events(entries)
    assert ids == [event_id_for(f"k{n}") for n in range(4)]
    assert google.batches == [4]
    before = google.count("events.insert") + google.count("events.update")
    assert calendar_for(google, token_file).upsert_events(entries) == ids
    assert google.count("events.insert") + google.count("events.update") == before
    assert calendar_for(google, token_file).find_event("k1") == event_id_for("k1")
    assert calendar_for(google, token_file).find_event("k9") is None


def test_an_event_deleted_in_the_calendar_app_is_written_again_in_place(
    google: GoogleApiServer, token_file: Path
) -> None:
    calendar = calendar_for(google, token_file)
    (eid,) = calendar.upsert_events([_entry("gone")])
    google.calendar.events[eid]["status"] = "cancelled"
    assert calendar.find_event("gone") is None
    assert calendar_for(google, token_file).upsert_events([_entry("gone")]) == [eid]
    assert google.calendar.events[eid]["status"] == "confirmed"
    assert len(google.calendar.events) == 1


def test_an_insert_refused_as_a_duplicate_becomes_an_update(
    google: GoogleApiServer, token_file: Path
) -> None:
    """A write that landed although its answer was lost: the id is taken, so Google says 409."""
    calendar = calendar_for(google, token_file)
    calendar.upsert_events([_entry("twice")])
    eid = event_id_for("twice")
    google.calendar.events[eid]["extendedProperties"]["private"]["chiefOwner"] = "someone-else"
    calendar.upsert_events([_entry("twice", summary="Due: EHCP advice (moved)")])
    assert google.calendar.events[eid]["summary"] == "Due: EHCP advice (moved)"
    assert len(google.calendar.events) == 1


def test_reminders_follow_lead_times_within_googles_limits(
    google: GoogleApiServer, token_file: Path
) -> None:
    calendar = calendar_for(google, token_file, reminders=["popup", "email"])
    calendar.upsert_events([_entry("r1", alarms=(90 * 1440, 4320, 1440, 60))])
    overrides = google.calendar.events[event_id_for("r1")]["reminders"]["overrides"]
    assert overrides == [
        {"method": "popup", "minutes": 4320},
        {"method": "email", "minutes": 4320},
        {"method": "popup", "minutes": 1440},
        {"method": "email", "minutes": 1440},
        {"method": "popup", "minutes": 60},
    ]


def test_timed_entries_keep_their_zone_and_naive_times_are_the_practices(
    google: GoogleApiServer, token_file: Path
) -> None:
    calendar = calendar_for(google, token_file, tz="America/New_York")
    local = datetime(2026, 7, 4, 9, 30, tzinfo=ZoneInfo("Europe/London"))
    calendar.upsert_events(
        [
            _entry("tz1", start=local, end=local + timedelta(hours=1)),
            _entry("tz2", start=datetime(2026, 7, 4, 9, 30), end=None),
        ]
    )
    first = google.calendar.events[event_id_for("tz1")]["start"]
    assert first == {"dateTime": "2026-07-04T09:30:00+01:00", "timeZone": "Europe/London"}
    second = google.calendar.events[event_id_for("tz2")]["start"]
    assert second == {"dateTime": "2026-07-04T09:30:00-04:00", "timeZone": "America/New_York"}
    window = list(
        calendar.events(datetime(2026, 7, 4, tzinfo=UTC), datetime(2026, 7, 5, tzinfo=UTC))
    )
    assert [e.key for e in window] == ["tz1", "tz2"]
    assert window[1].start == datetime(2026, 7, 4, 9, 30, tzinfo=ZoneInfo("America/New_York"))


def test_recurring_entries_are_expanded_when_read(
    google: GoogleApiServer, token_file: Path
) -> None:
    calendar = calendar_for(google, token_file)
    start = datetime(2026, 9, 1, 18, 0, tzinfo=ZoneInfo("Europe/London"))
    calendar.upsert_events(
        [
            _entry(
                "weekly",
                summary="Training",
                start=start,
                end=start + timedelta(hours=2),
                extra={"rrule": "FREQ=WEEKLY;COUNT=10"},
            )
        ]
    )
    window = list(
        calendar.events(datetime(2026, 10, 20, tzinfo=UTC), datetime(2026, 11, 3, tzinfo=UTC))
    )
    assert [e.start for e in window] == [
        datetime(2026, 10, 20, 18, 0, tzinfo=ZoneInfo("Europe/London")),
        datetime(2026, 10, 27, 18, 0, tzinfo=ZoneInfo("Europe/London")),  # after the clocks change
    ]


def test_throttled_writes_are_retried_and_nothing_is_lost(
    google: GoogleApiServer, token_file: Path
) -> None:
    google.fault(429, times=None, every=2, method="events.insert")
    google.fault(503, times=1, method="events.list")
    calendar = calendar_for(google, token_file)
    calendar.upsert_events([_entry(f"s{n}") for n in range(12)])
    assert len(google.calendar.live_events()) == 12
    assert calendar.client.retries >= 2


def test_check_for_chief_doctor(google: GoogleApiServer, token_file: Path) -> None:
    assert "Google Calendar `primary`" in calendar_for(google, token_file).check()
