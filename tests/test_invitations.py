"""Invitations in mail (iTIP, RFC 5546) turned into calendar entries."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.calendar.invitations import entries_from_invites, invite_key
from bot.mail.message import Message
from bot.mail.mime import parse_message
from connectors.ical.ics import IcsCalendar

NEW_YORK = ZoneInfo("America/New_York")


def message(*parts: str, mid: str = "<invite-1@example.org>") -> Message:
    return Message(
        provider_id="1",
        message_id=mid,
        in_reply_to=None,
        references=(),
        from_addr="coach@club.example",
        from_name="Coach",
        reply_to=None,
        to=("dr@practice.example",),
        cc=(),
        subject="Invitation",
        date=datetime(2025, 3, 1, 9, tzinfo=UTC),
        text="",
        calendar_parts=parts,
    )


def invite(
    body: str, method: str = "REQUEST", uid: str = "match-42@club.example", seq: int = 0
) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Club//EN",
        f"METHOD:{method}" if method else "",
        "BEGIN:VEVENT",
        f"UID:{uid}" if uid else "",
        f"SEQUENCE:{seq}",
        "DTSTAMP:20250301T090000Z",
        "SUMMARY:Pre-season screening",
        "LOCATION:Club ground",
        "ORGANIZER;CN=Coach:mailto:Coach@Club.example",
        *body.strip().splitlines(),
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(line for line in lines if line) + "\r\n"


def test_request_with_tzid() -> None:
    (entry,) = entries_from_invites(
        message(
            invite(
                "DTSTART;TZID=America/New_York:20250310T090000\n"
                "DTEND;TZID=America/New_York:20250310T120000"
            )
        ),
        default_alarms=(60,),
    )
    assert entry.key == invite_key("match-42@club.example")
    assert entry.summary == "Pre-season screening"
    assert entry.location == "Club ground"
    assert entry.start == datetime(2025, 3, 10, 9, tzinfo=NEW_YORK)
    assert entry.end == datetime(2025, 3, 10, 12, tzinfo=NEW_YORK)
    assert entry.alarms == (60,)
    assert entry.extra["tzid"] == "America/New_York"
    assert entry.extra["organizer"] == "coach@club.example"
    assert entry.extra["method"] == "REQUEST"
    assert "status" not in entry.extra


def test_utc_times() -> None:
    (entry,) = entries_from_invites(
        message(invite("DTSTART:20250310T140000Z\nDURATION:PT90M")), default_alarms=()
    )
    assert entry.start == datetime(2025, 3, 10, 14, tzinfo=UTC)
    assert entry.end == datetime(2025, 3, 10, 15, 30, tzinfo=UTC)
    assert "tzid" not in entry.extra


def test_floating_times_use_the_practice_zone() -> None:
    (entry,) = entries_from_invites(
        message(invite("DTSTART:20250310T090000")), default_alarms=(), tz="America/New_York"
    )
    assert entry.start == datetime(2025, 3, 10, 9, tzinfo=NEW_YORK)
    assert entry.end is None


def test_all_day() -> None:
    (entry,) = entries_from_invites(
        message(invite("DTSTART;VALUE=DATE:20250315\nDTEND;VALUE=DATE:20250317")),
        default_alarms=(0,),
    )
    assert (entry.start, entry.end) == (date(2025, 3, 15), date(2025, 3, 17))
    (single,) = entries_from_invites(
        message(invite("DTSTART;VALUE=DATE:20250315")), default_alarms=()
    )
    assert (single.start, single.end) == (date(2025, 3, 15), date(2025, 3, 16))


def test_windows_zone_name() -> None:
    (entry,) = entries_from_invites(
        message(invite("DTSTART;TZID=Eastern Standard Time:20250310T090000")), default_alarms=()
    )
    assert entry.start == datetime(2025, 3, 10, 9, tzinfo=NEW_YORK)


def test_custom_vtimezone_keeps_the_instant() -> None:
    part = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VTIMEZONE\r\nTZID:Club Time\r\n"
        "BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0300\r\n"
        "TZOFFSETTO:+0300\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:ct\r\n"
        "DTSTAMP:20250101T000000Z\r\nDTSTART;TZID=Club Time:20250310T090000\r\n"
        "SUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    (entry,) = entries_from_invites(message(part), default_alarms=())
    assert entry.start == datetime(2025, 3, 10, 6, tzinfo=UTC)


def test_same_invite_twice_and_updates_share_a_key() -> None:
    first = entries_from_invites(message(invite("DTSTART:20250310T140000Z")), ())
    again = entries_from_invites(
        message(invite("DTSTART:20250310T140000Z"), mid="<other@example.org>"), ()
    )
    update = entries_from_invites(message(invite("DTSTART:20250311T140000Z", seq=2)), ())
    assert first[0].key == again[0].key == update[0].key
    assert update[0].start == datetime(2025, 3, 11, 14, tzinfo=UTC)
    assert update[0].extra["sequence"] == "2"


def test_highest_sequence_wins_within_a_message() -> None:
    entries = entries_from_invites(
        message(
            invite("DTSTART:20250312T140000Z", seq=3),
            invite("DTSTART:20250311T140000Z", seq=1),
        ),
        (),
    )
    assert len(entries) == 1
    assert entries[0].start == datetime(2025, 3, 12, 14, tzinfo=UTC)


def test_changed_occurrence_gets_its_own_key() -> None:
    part = invite(
        "RECURRENCE-ID:20250317T140000Z\nDTSTART:20250318T140000Z", uid="weekly@club.example"
    )
    series = invite(
        "DTSTART:20250310T140000Z\nRRULE:FREQ=WEEKLY;COUNT=8", uid="weekly@club.example"
    )
    entries = entries_from_invites(message(series, part), ())
    assert len(entries) == 2
    assert entries[0].key == invite_key("weekly@club.example")
    assert entries[0].extra["rrule"] == "FREQ=WEEKLY;COUNT=8"
    assert entries[1].key != entries[0].key
    assert "rrule" not in entries[1].extra


def test_cancel() -> None:
    (entry,) = entries_from_invites(
        message(invite("DTSTART:20250310T140000Z", method="CANCEL", seq=1)), ()
    )
    assert entry.extra["status"] == "CANCELLED"
    assert entry.summary.startswith("Cancelled: ")
    assert entry.key == invite_key("match-42@club.example")


def test_status_cancelled_in_a_publish() -> None:
    (entry,) = entries_from_invites(
        message(invite("DTSTART:20250310T140000Z\nSTATUS:CANCELLED", method="PUBLISH")), ()
    )
    assert entry.extra["status"] == "CANCELLED"


@pytest.mark.parametrize("method", ["REPLY", "COUNTER", "REFRESH", "DECLINECOUNTER"])
def test_answers_give_nothing(method: str) -> None:
    assert (
        entries_from_invites(message(invite("DTSTART:20250310T140000Z", method=method)), ()) == []
    )


def test_no_method_and_no_uid() -> None:
    part = invite("DTSTART:20250310T140000Z", method="", uid="")
    first = entries_from_invites(message(part), ())
    second = entries_from_invites(message(part, mid="<again@x>"), ())
    assert len(first) == 1 and first[0].key == second[0].key


def test_broken_invites_are_skipped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    msg = message(
        "this is not iCalendar at all",
        invite("DTEND:20250310T140000Z", uid="no-start"),
        invite("DTSTART:INVALID-DATE", uid="bad-start"),
        invite("DTSTART:20250310T140000Z", uid="good"),
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:2025",
    )
    with caplog.at_level(logging.WARNING, logger="bot.calendar.invitations"):
        entries = entries_from_invites(msg, ())
    assert [e.key for e in entries] == [invite_key("good")]
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) >= 3
    assert all(msg.fingerprint in w for w in warnings)
    assert not any("Pre-season" in w for w in warnings)  # never the content


def test_end_to_end_from_mail_into_the_calendar(tmp_path: Path) -> None:
    raw = (
        "From: Coach <coach@club.example>\r\nTo: dr@practice.example\r\n"
        "Subject: Fixture\r\nMessage-ID: <fx@club.example>\r\n"
        "Date: Sat, 01 Mar 2025 09:00:00 +0000\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/alternative; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nPlease join us.\r\n"
        '--b\r\nContent-Type: text/calendar; method=REQUEST; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: 7bit\r\n\r\n"
        + invite("DTSTART;TZID=Europe/London:20250602T100000\nRRULE:FREQ=WEEKLY;COUNT=4")
        + "--b--\r\n"
    ).encode()
    msg = parse_message(raw, "cur/1")
    entries = entries_from_invites(msg, (30,))
    calendar = IcsCalendar(tmp_path / "calendar.ics", tz="Europe/London")
    calendar.upsert_events(entries)
    calendar.upsert_events(entries_from_invites(msg, (30,)))  # the same mail processed again
    found = list(calendar.events(datetime(2025, 6, 1), datetime(2025, 7, 1)))
    assert [e.start.day for e in found] == [2, 9, 16, 23]
    assert all(e.alarms == (30,) for e in found)
    assert (tmp_path / "calendar.ics").read_bytes().count(b"BEGIN:VEVENT") == 1
