"""Every .ics file of collective/icalendar's test corpus, through our reader, writer and invite
parser: no exception escapes except our own clear errors naming the file, and an upsert never
changes a byte of what was already there.

The corpus lives in ``../shared/corpora/ical-icalendar`` (never copied into the project). When it
is missing the tests skip with a reason, and fail under CI (``CI=true``).
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest

from bot.calendar.invitations import entries_from_invites
from bot.mail.message import Message
from connectors.base import CalendarEntry
from connectors.ical.ics import CorruptCalendar, IcsCalendar

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "ical-icalendar"
FILES = sorted(CORPUS.rglob("*.ics")) if CORPUS.is_dir() else []
WIDE = (datetime(1900, 1, 1), datetime(2200, 1, 1))

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # the library's TZID guesses


def _id(path: Path) -> str:
    return str(path.relative_to(CORPUS))


def test_corpus_is_present() -> None:
    if not FILES:
        reason = (
            f"{CORPUS} not found or empty: place the project's shared folder beside the checkout"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    assert len(FILES) > 100


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_read_by_the_ics_calendar(path: Path) -> None:
    calendar = IcsCalendar(path, tz="Europe/London")
    try:
        found = list(calendar.events(*WIDE))
    except CorruptCalendar as exc:
        assert str(path) in str(exc)
        return
    for entry in found:
        assert isinstance(entry, CalendarEntry)
        assert isinstance(entry.start, date)
        assert entry.key


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_upsert_keeps_every_existing_byte(path: Path, tmp_path: Path) -> None:
    copy = tmp_path / path.name
    shutil.copyfile(path, copy)
    original = copy.read_bytes()
    calendar = IcsCalendar(copy, tz="Europe/London")
    ours = CalendarEntry(key="corpus-check", summary="Check", start=date(2025, 1, 1), alarms=(0,))
    try:
        calendar.upsert_event(ours)
    except CorruptCalendar as exc:
        assert str(copy) in str(exc)
        assert copy.read_bytes() == original  # never overwritten
        return
    data = copy.read_bytes()
    if original.strip():
        start = data.rindex(b"BEGIN:VEVENT", 0, data.index(b"UID:corpus-check@practice-chief"))
        end = data.index(b"END:VEVENT", start) + len(b"END:VEVENT")
        end += len(b"\r\n") if data[end : end + 2] == b"\r\n" else 1
        # Every existing byte kept, but for line endings: the file is written with CRLF
        # (RFC 5545 §3.1), a file another program saved with bare LF included.
        assert data[:start] + data[end:] == re.sub(rb"(?<!\r)\n", b"\r\n", original)
    assert calendar.find_event("corpus-check") == "corpus-check@practice-chief"
    calendar.upsert_event(ours)
    assert copy.read_bytes() == data  # exactly once


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_fed_as_an_invitation(path: Path) -> None:
    text = path.read_bytes().decode("utf-8", "replace")
    message = Message(
        provider_id=_id(path),
        message_id=None,
        in_reply_to=None,
        references=(),
        from_addr="someone@example.org",
        from_name="",
        reply_to=None,
        to=(),
        cc=(),
        subject="",
        date=None,
        text="",
        calendar_parts=(text,),
    )
    for entry in entries_from_invites(message, (15,), tz="America/New_York"):
        assert entry.key.startswith("invite-")
        assert isinstance(entry.start, date)
        if isinstance(entry.start, datetime):
            assert entry.start.tzinfo is not None
