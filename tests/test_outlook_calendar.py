"""The Outlook calendar connector against the local Graph server: the shared calendar contract
(one reminder per event, as Outlook has), exactly-once writes across a crash and a lost
answer (transactionId), the practitioner's time zone, calendarView windows, throttling."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest

from connectors.base import CalendarEntry
from connectors.ical.vevent import uid_for
from connectors.microsoft.calendar import KEY_PROPERTY, OutlookCalendar, transaction_id
from tests.connector_contract import CalendarContract, _entry
from tests.servers.graph_api import GraphServer
from tests.servers.graph_calendar import zone
from tests.servers.graph_testing import calendar_for

pytest_plugins = ["tests.fixtures_graph"]
pytestmark = pytest.mark.servers


def _moment(event: dict[str, Any], side: str) -> date | datetime:
    value = datetime.fromisoformat(event[side]["dateTime"][:19])
    if event.get("isAllDay"):
        return value.date()
    return value.replace(tzinfo=zone(event[side]["timeZone"])).astimezone(UTC)


def as_vevents(server: GraphServer) -> list[Any]:
    """The events as VEVENTs, the way Outlook's iCalendar export shows them (the UID shown is
    the one the key gives on every other calendar: the key is in the extended property here)."""
    out = []
    with server.calendar.lock:
        for eid, event in server.calendar.events.items():
            vevent = icalendar.Event()
            key = server.calendar.extended[eid].get(KEY_PROPERTY.lower())
            vevent.add("UID", uid_for(key) if key else event["iCalUId"])
            vevent.add("SUMMARY", event.get("subject", ""))
            vevent.add("DTSTART", _moment(event, "start"))
            vevent.add("DTEND", _moment(event, "end"))
            if event.get("isReminderOn"):
                alarm = icalendar.Alarm()
                alarm.add("ACTION", "DISPLAY")
                alarm.add("TRIGGER", timedelta(minutes=-event["reminderMinutesBeforeStart"]))
                vevent.add_component(alarm)
            out.append(vevent)
    return out


class TestOutlookCalendarContract(CalendarContract):
    @pytest.fixture
    def calendar(self, graph: GraphServer, token_cache: Path) -> OutlookCalendar:
        return calendar_for(graph, token_cache)

    @pytest.fixture
    def server_events(self, graph: GraphServer) -> Callable[[], list[Any]]:
        return lambda: as_vevents(graph)

    def test_alarms_reach_the_server(
        self, calendar: Any, server_events: Callable[[], list[Any]]
    ) -> None:
        """Outlook keeps one reminder per event: the earliest warning of the entry's."""
        calendar.upsert_event(_entry("contract-cal-3"))
        (event,) = [e for e in server_events() if str(e["UID"]).startswith("contract-cal-3")]
        triggers = [a.decoded("TRIGGER") for a in event.walk("VALARM")]
        assert triggers == [timedelta(days=-1)]


def _one(key: str, **changes: Any) -> CalendarEntry:
    values: dict[str, Any] = {
        "key": key,
        "summary": "Due: EHCP advice",
        "start": date(2026, 12, 1),
        "alarms": (4320, 1440),
    }
    values.update(changes)
    return CalendarEntry(**values)


def test_unchanged_entries_cause_no_write_and_a_crash_is_reconciled(
    graph: GraphServer, token_cache: Path
) -> None:
    calendar = calendar_for(graph, token_cache)
    entries = [_one(f"k{n}") for n in range(4)]
    ids = calendar.upsert_events(entries)
    assert len(set(ids)) == 4 and graph.batches == [4, 4]  # lookups, then writes
    writes = graph.count("/events", "POST") + graph.count("/events/", "PATCH")
    restarted = calendar_for(graph, token_cache)  # a new process: no memory of the writes
    assert restarted.upsert_events(entries) == ids
    assert graph.count("/events", "POST") + graph.count("/events/", "PATCH") == writes
    assert restarted.find_event("k1") == ids[1]
    assert restarted.find_event("k9") is None
    event = graph.calendar.events[ids[0]]
    assert event["transactionId"] == transaction_id("k0")
    assert event["isAllDay"] is True and event["reminderMinutesBeforeStart"] == 4320


def test_a_lost_answer_to_a_create_makes_no_second_event(
    graph: GraphServer, token_cache: Path
) -> None:
    """The POST is done but its answer lost (a 504 after the write): sent again with the same
    transactionId, Graph gives back the event made the first time."""
    real = graph.calendar.create

    def made_then_lost(body: Any, tz: str) -> Any:
        real(body, tz)
        from tests.servers.graph_mail import GraphError

        graph.calendar.create = real  # type: ignore[method-assign]
        raise GraphError(504, "GatewayTimeout", "lost")

    graph.calendar.create = made_then_lost  # type: ignore[method-assign]
    calendar_for(graph, token_cache).upsert_events([_one("lost")])
    assert len(graph.calendar.events) == 1


def test_times_in_the_practitioners_zone(graph: GraphServer, token_cache: Path) -> None:
    calendar = calendar_for(graph, token_cache, tz="America/New_York")
    start = datetime(2026, 12, 3, 15, 0, tzinfo=ZoneInfo("Europe/London"))
    (eid,) = calendar.upsert_events(
        [_one("tz", summary="Clinic", start=start, end=start + timedelta(hours=1))]
    )
    stored = graph.calendar.events[eid]
    assert stored["start"] == {"dateTime": "2026-12-03T15:00:00", "timeZone": "Europe/London"}
    (read,) = calendar.events(datetime(2026, 12, 3, tzinfo=UTC), datetime(2026, 12, 4, tzinfo=UTC))
    assert read.start == datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("America/New_York"))
    assert read.key == "tz" and read.alarms == (4320,)


def test_the_window_pages_through_many_events(graph: GraphServer, token_cache: Path) -> None:
    calendar = calendar_for(graph, token_cache)
    base = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    entries = [
        _one(f"slot{n}", summary=f"Slot {n}", start=base + timedelta(hours=n),
             end=base + timedelta(hours=n, minutes=30))
        for n in range(130)
    ]  # fmt: skip
    calendar.upsert_events(entries)
    assert max(graph.batches) <= 20
    window = list(calendar.events(base, base + timedelta(days=10)))
    assert [e.summary for e in window] == [f"Slot {n}" for n in range(130)]
    assert graph.count("/calendarView") == 2  # 100 a page


def test_an_update_changes_the_event_in_place(graph: GraphServer, token_cache: Path) -> None:
    calendar = calendar_for(graph, token_cache)
    (eid,) = calendar.upsert_events([_one("moved")])
    assert calendar.upsert_events([_one("moved", start=date(2026, 12, 8))]) == [eid]
    assert graph.calendar.events[eid]["start"]["dateTime"] == "2026-12-08T00:00:00"
    assert len(graph.calendar.events) == 1


def test_throttled_writes_are_retried_and_nothing_is_lost(
    graph: GraphServer, token_cache: Path
) -> None:
    graph.fault(429, times=None, every=2, retry_after=0, path="/events", method="POST")
    graph.fault(503, times=1, path="$batch")
    calendar = calendar_for(graph, token_cache)
    calendar.upsert_events([_one(f"s{n}") for n in range(12)])
    assert len(graph.calendar.events) == 12
    assert calendar.client.retries >= 2


def test_check_for_chief_doctor(graph: GraphServer, token_cache: Path) -> None:
    assert "Outlook calendar of dr@practice.example" in calendar_for(graph, token_cache).check()
