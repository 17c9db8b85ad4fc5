"""Idempotency keys: one rule (bot.keys.check_key), kept the same by every writer."""

from __future__ import annotations

import mailbox
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.keys import (
    check_key,
    draft_marker,
    key_hash,
    marked_message_id,
    marker_of,
    stable_key,
    with_draft_marker,
    with_key_header,
)
from connectors.base import CalendarEntry, OutgoingDraft
from connectors.ical.ics import IcsCalendar
from connectors.maildir import MaildirConnector

BAD = ["", "two words", "tab\there", "caf\u00e9", "line\r\nbreak", "x" * 201, "\x7f"]


def test_a_key_is_printable_ascii_without_white_space() -> None:
    assert check_key(stable_key("practice", "case", 7)) == stable_key("practice", "case", 7)
    assert check_key("reminder/ny-licence&<90>%#?") == "reminder/ny-licence&<90>%#?"
    for key in BAD:
        with pytest.raises(ValueError) as caught:
            check_key(key)
        assert key.strip() == "" or key not in str(caught.value)  # never echoed into an error


def test_a_key_header_is_added_once_with_crlf_line_ends() -> None:
    raw = with_key_header(b"Subject: x\n\nbody\n", "k1")
    assert raw == b"X-Chief-Key: k1\r\nSubject: x\r\n\r\nbody\r\n"
    assert with_key_header(raw, "k1") == raw
    with pytest.raises(ValueError):
        with_key_header(b"Subject: x\n\nbody\n", "two words")
    assert len(key_hash("k1")) == 12 and key_hash("k1") != "k1"


@pytest.mark.parametrize("key", BAD)
def test_drafts_and_calendar_entries_refuse_a_bad_key_alike(tmp_path: Path, key: str) -> None:
    root = tmp_path / "Maildir"
    mailbox.Maildir(root, create=True)
    mail = MaildirConnector(root, practitioner_address="dr@practice.example")
    with pytest.raises(ValueError):
        mail.create_draft(OutgoingDraft(key=key, raw=b"Subject: x\r\n\r\nbody\r\n"))
    calendar = IcsCalendar(tmp_path / "calendar.ics", tz="Europe/London")
    day = date(2026, 12, 7)
    with pytest.raises(ValueError):
        calendar.upsert_event(
            CalendarEntry(key=key, summary="Due", start=day, end=day + timedelta(days=1))
        )
    drafts = root / ".Drafts" / "cur"
    assert not drafts.exists() or not any(drafts.iterdir())  # nothing written


def test_a_draft_marker_replaces_the_headers_a_sent_draft_would_keep() -> None:
    """A draft journalled by an earlier version (X-Chief-Key, X-Chief-Generated, an ordinary
    Message-ID) is written with its key in its Message-ID and no X-Chief-* header; once
    marked, it stays as it is."""
    old = (
        b"From: Dr <dr@practice.example>\nX-Chief-Key: k1\nMessage-ID: <random@practice.example>\n"
        b"X-Chief-Generated: draft\nSubject: Re: a long\n subject\n\nBody\n"
    )
    marked = with_draft_marker(old, "k1")
    assert b"X-Chief" not in marked and b"k1" not in marked
    assert marker_of(marked.decode()) == draft_marker("k1")
    assert b"Message-ID: <chief." in marked and b"@practice.example>" in marked
    assert b"Subject: Re: a long\r\n subject\r\n\r\nBody\r\n" in marked
    assert with_draft_marker(marked, "k1") == marked
    assert marked_message_id("k1", "bad domain!") == f"<{draft_marker('k1')}@localhost>"
    assert marker_of("<chief.abc@x>") is None and marker_of(None) is None
