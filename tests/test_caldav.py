"""The CalDAV connector against a real Radicale: exactly-once upserts seen by a second client,
updates in place, alarms and time zones on the server, reading a window with recurrences, the
practitioner's own events untouched, and errors in plain words (sign-in refused, server down,
calendar deleted)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from caldav.collection import Calendar
from caldav.davclient import DAVClient

from bot.errors import AuthError, ConnectorError, RemoteGone, UserError
from connectors.base import CalendarEntry, CalendarSink, CalendarSource
from connectors.ical.caldav import CaldavCalendar
from tests.connector_contract import CalendarContract
from tests.fixtures_radicale import Radicale, radicale_fixture  # noqa: F401 - the fixture

pytestmark = pytest.mark.servers

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")

THEIRS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Their App//EN
BEGIN:VEVENT
UID:clinic-1@their-app
DTSTAMP:20250101T000000Z
DTSTART;TZID=Europe/London:20260105T090000
DTEND;TZID=Europe/London:20260105T170000
RRULE:FREQ=WEEKLY;BYDAY=MO
SUMMARY:Clinic day
END:VEVENT
END:VCALENDAR
"""


def entry(key: str, summary: str = "Due: prior auth PA-1", **changes: Any) -> CalendarEntry:
    values: dict[str, Any] = {
        "key": key,
        "summary": summary,
        "start": date(2026, 12, 1),
        "end": date(2026, 12, 2),
        "alarms": (1440, 60),
        "categories": ("deadline",),
    }
    values.update(changes)
    return CalendarEntry(**values)


class Peer:
    """A second, independent caldav client: what the practitioner's calendar app sees."""

    def __init__(self, server: Radicale) -> None:
        self.client = DAVClient(server.url, username=server.username, password=server.password)

    def calendar(self, name: str = "Practice") -> Calendar | None:
        for cal in self.client.get_calendars(self.client.get_principal()):
            if cal.get_display_name() == name:
                return cal
        return None

    def make(self, name: str) -> Calendar:
        made = self.client.get_principal().make_calendar(name=name)
        assert isinstance(made, Calendar)
        return made

    def objects(self, name: str = "Practice") -> dict[str, tuple[str, str]]:
        """href → (etag, data) of every object in the calendar."""
        cal = self.calendar(name)
        if cal is None:
            return {}
        out = {}
        found: Any = cal.get_objects()
        for obj in found:
            obj.load()
            out[str(obj.url)] = (str(obj.etag), str(obj.data))
        return out

    def events(self, name: str = "Practice") -> list[Any]:
        return [
            event
            for _, data in self.objects(name).values()
            for event in icalendar.Calendar.from_ical(data).walk("VEVENT")
        ]


@pytest.fixture
def peer(radicale: Radicale) -> Iterator[Peer]:
    found = Peer(radicale)
    yield found
    found.client.close()


@pytest.fixture
def connect(radicale: Radicale) -> Iterator[Callable[..., CaldavCalendar]]:
    made: list[CaldavCalendar] = []

    def build(**kwargs: Any) -> CaldavCalendar:
        args: dict[str, Any] = {
            "url": radicale.url,
            "username": radicale.username,
            "password_file": radicale.password_file,
            "calendar": "Practice",
            "tz": "Europe/London",
            "timeout": 5.0,
        }
        args.update(kwargs)
        made.append(CaldavCalendar(**args))
        return made[-1]

    yield build
    for connector in made:
        connector.close()


def ours(events: list[Any], key: str) -> list[Any]:
    return [e for e in events if str(e["UID"]) == f"{key}@practice-chief"]


# ------------------------------------------------------------------ exactly once


def test_is_a_calendar_source_and_sink(connect: Callable[..., CaldavCalendar]) -> None:
    calendar = connect()
    assert isinstance(calendar, CalendarSink)
    assert isinstance(calendar, CalendarSource)


def test_same_entry_twice_is_one_event_and_no_second_write(
    connect: Callable[..., CaldavCalendar], peer: Peer
) -> None:
    first = connect().upsert_event(entry("once-1"))
    before = peer.objects()
    again = connect().upsert_event(entry("once-1"))  # a fresh connector: nothing cached
    assert first == again
    assert peer.objects() == before  # same etag: not even rewritten
    assert len(ours(peer.events(), "once-1")) == 1
    assert connect().find_event("once-1") == first


def test_lookup_that_misses_still_writes_once(
    connect: Callable[..., CaldavCalendar], peer: Peer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash between write and commit, or a lookup that missed: If-None-Match: * (412) or the
    server's UID uniqueness stops the copy, and the connector finds the event again."""
    calendar = connect()
    href = calendar.upsert_event(entry("race-1"))
    blind = connect()
    real = blind._ours
    calls: list[str] = []

    def first_blind(needle: str) -> Any:
        calls.append(needle)
        return {} if len(calls) == 1 else real(needle)

    monkeypatch.setattr(blind, "_ours", first_blind)
    assert blind.upsert_event(entry("race-1")) == href
    assert len(calls) == 2
    assert len(ours(peer.events(), "race-1")) == 1


def test_update_in_place_bumps_sequence(connect: Callable[..., CaldavCalendar], peer: Peer) -> None:
    calendar = connect()
    href = calendar.upsert_event(entry("move-1"))
    moved = entry("move-1", summary="Due: prior auth PA-1 (moved)", start=date(2026, 12, 3))
    assert calendar.upsert_event(moved) == href
    (event,) = ours(peer.events(), "move-1")
    assert str(event["SUMMARY"]) == "Due: prior auth PA-1 (moved)"
    assert event.decoded("DTSTART") == date(2026, 12, 3)
    assert event.decoded("SEQUENCE") == 1
    assert len(peer.objects()) == 1


def test_batch_writes_only_what_changed(connect: Callable[..., CaldavCalendar], peer: Peer) -> None:
    calendar = connect()
    calendar.upsert_events([entry("b-1"), entry("b-2")])
    before = peer.objects()
    ids = calendar.upsert_events([entry("b-1"), entry("b-2", summary="changed"), entry("b-3")])
    after = peer.objects()
    assert len(ids) == 3 and len(set(ids)) == 3
    assert len(after) == 3
    unchanged = [url for url in before if before[url] == after.get(url)]
    assert len(unchanged) == 1 and unchanged[0].endswith("chief-b-1.ics")


def test_awkward_keys_get_safe_hrefs(connect: Callable[..., CaldavCalendar], peer: Peer) -> None:
    calendar = connect()
    key = "reminder/ny-licence&<90>%#?.."  # printable ASCII, as every key is (bot.keys)
    href = calendar.upsert_event(entry(key))
    tail = href.rpartition("/")[2]
    assert "/" not in tail and not {"#", "?", "<", "&"} & set(tail) and tail not in (".", "..")
    assert calendar.find_event(key) == href
    assert len(ours(peer.events(), key)) == 1


# ------------------------------------------------------------ what the server holds


def test_alarms_and_time_zones_reach_the_server(
    connect: Callable[..., CaldavCalendar], peer: Peer
) -> None:
    meeting = entry(
        "tz-1",
        summary="Team fixture",
        start=datetime(2026, 12, 5, 14, 0, tzinfo=NEW_YORK),
        end=datetime(2026, 12, 5, 16, 0, tzinfo=NEW_YORK),
        alarms=(60,),
    )
    connect().upsert_events([entry("alarm-1"), meeting])
    (deadline,) = ours(peer.events(), "alarm-1")
    triggers = sorted(a.decoded("TRIGGER") for a in deadline.walk("VALARM"))
    assert triggers == [timedelta(days=-1), timedelta(hours=-1)]
    (event,) = ours(peer.events(), "tz-1")
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event.decoded("DTSTART") == datetime(2026, 12, 5, 14, 0, tzinfo=NEW_YORK)
    data = [d for _, d in peer.objects().values() if "tz-1@practice-chief" in d][0]
    assert "BEGIN:VTIMEZONE" in data and "TZID:America/New_York" in data


def test_users_own_events_untouched_and_read(
    connect: Callable[..., CaldavCalendar], peer: Peer
) -> None:
    theirs = peer.make("Practice")
    theirs.add_event(THEIRS)
    before = peer.objects()
    calendar = connect()
    calendar.upsert_events([entry("own-1"), entry("own-2")])
    calendar.upsert_events([entry("own-1", summary="changed")])
    after = peer.objects()
    (their_url,) = before
    assert after[their_url] == before[their_url]
    window = list(
        calendar.events(datetime(2026, 11, 30, tzinfo=UTC), datetime(2026, 12, 8, tzinfo=UTC))
    )
    clinic = [e for e in window if e.summary == "Clinic day"]
    assert [e.start for e in clinic] == [
        datetime(2026, 11, 30, 9, 0, tzinfo=LONDON),
        datetime(2026, 12, 7, 9, 0, tzinfo=LONDON),
    ]
    assert all(e.extra["origin"] == "external" for e in clinic)


def test_events_window_expands_recurrences_in_their_zone(
    connect: Callable[..., CaldavCalendar],
) -> None:
    calendar = connect()
    weekly = entry(
        "weekly-1",
        summary="Pre-season screening",
        start=datetime(2026, 9, 7, 10, 0, tzinfo=LONDON),  # summer time: 09:00 UTC
        end=datetime(2026, 9, 7, 11, 0, tzinfo=LONDON),
        extra={"rrule": "FREQ=WEEKLY;COUNT=20"},
    )
    calendar.upsert_events([weekly, entry("single-1")])
    found = list(
        calendar.events(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 22, tzinfo=UTC))
    )
    starts = [e.start for e in found if e.key == "weekly-1"]
    assert starts == [datetime(2026, 11, d, 10, 0, tzinfo=LONDON) for d in (2, 9, 16)]
    assert all(isinstance(s, datetime) and s.utcoffset() == timedelta(0) for s in starts)
    assert "single-1" not in {e.key for e in found}  # that one is on 1 December
    december = list(
        calendar.events(datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 2, tzinfo=UTC))
    )
    (single,) = [e for e in december if e.key == "single-1"]
    assert single.start == date(2026, 12, 1) and single.alarms == (1440, 60)


# ------------------------------------------------------------ choosing the calendar


def test_calendar_created_by_the_first_write_only(
    connect: Callable[..., CaldavCalendar], peer: Peer
) -> None:
    calendar = connect()
    report = calendar.check()
    assert "reachable" in report and "will be created" in report
    window = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert list(calendar.events(*window)) == []
    assert calendar.find_event("make-1") is None
    assert peer.calendar("Practice") is None  # reading creates nothing
    calendar.upsert_event(entry("make-1"))
    assert peer.calendar("Practice") is not None
    report = connect().check()
    assert "`Practice` found" in report and "sync-collection (RFC 6578) offered" in report


def test_calendar_chosen_by_name_or_id_default_first(
    connect: Callable[..., CaldavCalendar], peer: Peer
) -> None:
    personal = peer.make("Personal")
    connect(calendar=None).upsert_event(entry("first-1"))  # the only calendar: the default
    peer.make("Practice")
    by_id = str(personal.url).rstrip("/").rpartition("/")[2]
    connect(calendar=by_id).upsert_event(entry("id-1"))
    connect(calendar="Practice").upsert_event(entry("name-1"))
    assert {str(e["UID"]) for e in peer.events("Personal")} == {
        "id-1@practice-chief",
        "first-1@practice-chief",
    }
    assert [str(e["UID"]) for e in peer.events("Practice")] == ["name-1@practice-chief"]


def test_deleted_calendar_is_remote_gone_then_recreated(
    connect: Callable[..., CaldavCalendar], peer: Peer
) -> None:
    calendar = connect()
    calendar.upsert_event(entry("gone-1"))
    practice = peer.calendar("Practice")
    assert practice is not None
    peer.client.delete(str(practice.url))  # the practitioner deletes the calendar
    with pytest.raises(RemoteGone):
        list(calendar.events(datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 2, tzinfo=UTC)))
    calendar.upsert_event(entry("gone-1"))  # the next run makes the calendar again
    assert len(ours(peer.events(), "gone-1")) == 1


# ------------------------------------------------------------------------ errors


def test_wrong_password_is_auth_error(
    connect: Callable[..., CaldavCalendar], tmp_path: Path
) -> None:
    wrong = tmp_path / "wrong"
    wrong.write_text("not-the-password\n")
    wrong.chmod(0o600)
    calendar = connect(password_file=wrong)
    with pytest.raises(AuthError, match="refused the sign-in"):
        calendar.upsert_event(entry("auth-1"))
    with pytest.raises(AuthError):
        calendar.check()


def test_server_down_is_connector_error_then_recovers(
    connect: Callable[..., CaldavCalendar], radicale: Radicale, peer: Peer
) -> None:
    calendar = connect()
    calendar.upsert_event(entry("down-1"))
    radicale.stop()
    with pytest.raises(ConnectorError) as caught:
        calendar.upsert_event(entry("down-2"))
    assert not isinstance(caught.value, AuthError)
    assert "cannot reach the CalDAV server at 127.0.0.1" in str(caught.value)
    with pytest.raises(ConnectorError):
        connect().check()
    radicale.start()
    calendar.upsert_event(entry("down-2"))
    calendar.upsert_event(entry("down-1"))
    assert len(ours(peer.events(), "down-1")) == 1
    assert len(ours(peer.events(), "down-2")) == 1


def test_password_never_logged(
    connect: Callable[..., CaldavCalendar],
    radicale: Radicale,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    calendar = connect()
    calendar.upsert_event(entry("log-1", summary="Jane Patientname review"))
    calendar.check()
    text = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("connectors"))
    assert radicale.password not in caplog.text
    assert "Patientname" not in text and "log-1" not in text
    assert radicale.password not in repr(calendar)


def test_configuration_refused_in_plain_words(tmp_path: Path, radicale: Radicale) -> None:
    with pytest.raises(UserError, match="plain http"):
        CaldavCalendar("http://caldav.example.com/", "u", radicale.password_file)
    with pytest.raises(UserError, match="holds a password"):
        CaldavCalendar("https://u:pw@caldav.example.com/", "u")
    loose = tmp_path / "loose"
    loose.write_text("pw\n")
    loose.chmod(0o644)
    with pytest.raises(UserError, match="chmod 600"):
        CaldavCalendar(radicale.url, "u", loose)
    with pytest.raises(UserError, match="no password"):
        CaldavCalendar(radicale.url, "u")
    with pytest.raises(UserError, match="CHIEF_TEST_UNSET"):
        CaldavCalendar(radicale.url, "u", password_env="CHIEF_TEST_UNSET")


def test_password_from_environment(
    connect: Callable[..., CaldavCalendar],
    radicale: Radicale,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CHIEF_TEST_CALDAV_PASSWORD", radicale.password)
    calendar = connect(password_file=None, password_env="CHIEF_TEST_CALDAV_PASSWORD")
    assert calendar.upsert_event(entry("env-1"))


# ------------------------------------------------------------------ the contract


class TestCaldavContract(CalendarContract):
    @pytest.fixture
    def calendar(self, connect: Callable[..., CaldavCalendar]) -> CaldavCalendar:
        return connect()

    @pytest.fixture
    def server_events(self, peer: Peer) -> Callable[[], list[Any]]:
        return peer.events
