"""The contract every connector keeps, as test mixins run against each real backend.

A connector's test module subclasses :class:`MailContract` or :class:`CalendarContract` and
provides the fixtures they name; the tests then run against its real local server (or the
embedded files). What the pipeline relies on is stated once, here.

MailContract fixtures
---------------------
``mail``
    A fresh connector over an empty mailbox (watching INBOX), constructed with
    ``practitioner_address=PRACTITIONER``.
``put``
    ``put(raw: bytes) -> None``: deliver a message into the watched folder by the server's own
    means (a second client, a delivery agent), never through the connector under test.
``user_mail``
    ``user_mail() -> dict[str, tuple[str, frozenset[str]]]``: the watched folder as a second
    client sees it: an id per message → (sha256 of its bytes, its flags). Used to prove the
    connector never alters the user's mail.
``drafts_on_server``
    ``drafts_on_server() -> list[tuple[bytes, frozenset[str]]]``: every message in the drafts
    folder as a second client sees it, with its flags (``"draft"`` among them when flagged).

CalendarContract fixtures
-------------------------
``calendar``
    A fresh calendar connector over an empty calendar.
``server_events``
    ``server_events() -> list[icalendar.Event]``: the VEVENTs as a second client sees them.

SentMailContract fixtures
-------------------------
``sent_mail``
    A fresh connector (it must be a :class:`~connectors.base.ReadsSentMail`) over an empty
    mailbox, watching INBOX.
``put_sent``
    ``put_sent(raw: bytes) -> None``: file a message as the practitioner's sent mail, by the
    server's own means.

CorrectionsContract fixtures
----------------------------
``corrections_mail``
    A fresh connector (a :class:`~connectors.base.WatchesCorrections`) over an empty mailbox.
``put_correction``
    ``put_correction(category: str, raw: bytes) -> None``: move a message into the correction
    folder of ``category`` (``Chief/<category>``), by the server's own means.
"""

from __future__ import annotations

import email
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.errors import UserError
from bot.keys import draft_marker, marker_of
from bot.mail.message import KEY_HEADER
from connectors.base import (
    Batch,
    CalendarEntry,
    Correction,
    MakesCorrectionFolders,
    OutgoingDraft,
    ReadsSentMail,
    WatchesCorrections,
    WithdrawsDrafts,
)

PRACTITIONER = "dr@practice.example"

__all__ = [
    "PRACTITIONER",
    "CalendarContract",
    "CorrectionsContract",
    "MailContract",
    "WithdrawsDraftsContract",
    "SentMailContract",
    "sample",
]


def sample(n: int, extra: str = "") -> bytes:
    """A small, valid message numbered ``n``."""
    return (
        f"From: Sender {n} <sender{n}@payer.example>\r\n"
        f"To: {PRACTITIONER}\r\n"
        f"Subject: Contract message {n}\r\n"
        f"Message-ID: <contract-{n}@payer.example>\r\n"
        "Date: Mon, 02 Nov 2026 10:00:00 +0000\r\n"
        f"{extra}"
        "\r\n"
        f"Body of message {n}.\r\n"
    ).encode()


def drain(batches: Any) -> tuple[list[Any], list[tuple[str, str]], dict[str, Any] | None]:
    messages: list[Any] = []
    failed: list[tuple[str, str]] = []
    cursor: dict[str, Any] | None = None
    for batch in batches:
        assert isinstance(batch, Batch)
        messages.extend(batch.messages)
        failed.extend(batch.failed)
        cursor = dict(batch.cursor)
    return messages, failed, cursor


def _draft(key: str, n: int = 1) -> OutgoingDraft:
    raw = (
        f"From: Dr Test <{PRACTITIONER}>\r\n"
        "To: sender1@payer.example\r\n"
        f"Subject: Re: Contract message {n}\r\n"
        f"In-Reply-To: <contract-{n}@payer.example>\r\n"
        f"References: <contract-{n}@payer.example>\r\n"
        f"Message-ID: <draft-{key}@practice.example>\r\n"
        "Date: Tue, 24 Nov 2026 09:00:00 +0000\r\n"
        f"{KEY_HEADER}: {key}\r\n"
        "X-Chief-Generated: draft\r\n"
        "\r\n"
        "DRAFT FOR REVIEW\r\n"
    ).encode()
    return OutgoingDraft(key=key, raw=raw, in_reply_to=f"<contract-{n}@payer.example>")


class MailContract:
    """What the pipeline relies on from a mail connector."""

    def test_full_sync_returns_every_message(self, mail: Any, put: Callable[[bytes], None]) -> None:
        for n in range(5):
            put(sample(n))
        messages, failed, cursor = drain(mail.changes(None))
        assert sorted(m.message_id for m in messages) == sorted(
            f"<contract-{n}@payer.example>" for n in range(5)
        )
        assert failed == []
        assert cursor is not None
        assert len({m.provider_id for m in messages}) == 5

    def test_incremental_sync_misses_nothing(self, mail: Any, put: Callable[[bytes], None]) -> None:
        for n in range(3):
            put(sample(n))
        first, _, cursor = drain(mail.changes(None))
        for n in range(3, 6):
            put(sample(n))
        later, _, later_cursor = drain(mail.changes(cursor))
        new_ids = {f"<contract-{n}@payer.example>" for n in range(3, 6)}
        got = {m.message_id for m in later}
        assert new_ids <= got  # never miss one; re-reading old ones is allowed (keys dedupe)
        assert got <= new_ids | {m.message_id for m in first}
        assert later_cursor is not None

    def test_lost_cursor_means_full_resync(self, mail: Any, put: Callable[[bytes], None]) -> None:
        for n in range(4):
            put(sample(n))
        drain(mail.changes(None))
        again, _, _ = drain(mail.changes(None))
        assert len({m.message_id for m in again}) == 4

    def test_unreadable_message_is_reported_and_the_rest_arrive(
        self, mail: Any, put: Callable[[bytes], None]
    ) -> None:
        put(sample(1))
        put(b"\r\n\r\n")
        put(sample(2))
        messages, failed, _ = drain(mail.changes(None))
        assert {m.message_id for m in messages} == {
            "<contract-1@payer.example>",
            "<contract-2@payer.example>",
        }
        assert len(failed) == 1 and failed[0][1]

    def test_reading_never_alters_the_users_mail(
        self,
        mail: Any,
        put: Callable[[bytes], None],
        user_mail: Callable[[], dict[str, tuple[str, frozenset[str]]]],
    ) -> None:
        for n in range(3):
            put(sample(n))
        before = user_mail()
        drain(mail.changes(None))
        drain(mail.changes(None))
        assert user_mail() == before

    def test_draft_written_once_flagged_and_found_by_key(
        self,
        mail: Any,
        drafts_on_server: Callable[[], list[tuple[bytes, frozenset[str]]]],
    ) -> None:
        draft = _draft("contract-key-1")
        assert mail.find_draft(draft.key) is None
        remote = mail.create_draft(draft)
        assert remote
        assert mail.find_draft(draft.key) is not None
        # The pipeline's reconciliation after a crash: look before writing.
        if mail.find_draft(draft.key) is None:
            mail.create_draft(draft)
        on_server = drafts_on_server()
        assert len(on_server) == 1
        raw, flags = on_server[0]
        parsed = email.message_from_bytes(raw)
        # The key is found again by the Message-ID, and nothing a sent copy keeps names chief.
        assert marker_of(parsed["Message-ID"]) == draft_marker(draft.key)
        assert not [h for h in parsed if h.lower().startswith("x-chief-")]
        assert parsed["In-Reply-To"] == "<contract-1@payer.example>"
        assert "draft" in flags

    def test_two_drafts_with_different_keys_both_kept(
        self,
        mail: Any,
        drafts_on_server: Callable[[], list[tuple[bytes, frozenset[str]]]],
    ) -> None:
        mail.create_draft(_draft("contract-key-a", 1))
        mail.create_draft(_draft("contract-key-b", 2))
        keys = sorted(
            str(marker_of(email.message_from_bytes(r)["Message-ID"])) for r, _ in drafts_on_server()
        )
        assert keys == sorted(map(draft_marker, ["contract-key-a", "contract-key-b"]))

    def test_summary_goes_to_the_practitioner_once(
        self,
        mail: Any,
        user_mail: Callable[[], dict[str, tuple[str, frozenset[str]]]],
    ) -> None:
        raw = (
            f"From: {PRACTITIONER}\r\nTo: {PRACTITIONER}\r\nSubject: Practice summary\r\n"
            f"{KEY_HEADER}: summary-key\r\nX-Chief-Generated: summary\r\n\r\nHello\r\n"
        ).encode()
        before = len(user_mail())
        mail.send_to_practitioner(raw, "summary-key")
        mail.send_to_practitioner(raw, "summary-key")
        assert len(user_mail()) == before + 1

    @pytest.mark.parametrize("header", ["To", "Cc", "Bcc"])
    def test_summary_to_anyone_else_is_refused(
        self,
        mail: Any,
        header: str,
        user_mail: Callable[[], dict[str, tuple[str, frozenset[str]]]],
    ) -> None:
        extra = "" if header == "To" else f"To: {PRACTITIONER}\r\n"
        raw = (
            f"From: {PRACTITIONER}\r\n{extra}{header}: someone@elsewhere.example\r\n"
            f"Subject: Practice summary\r\n{KEY_HEADER}: k2\r\n\r\nHello\r\n"
        ).encode()
        before = user_mail()
        with pytest.raises(UserError):
            mail.send_to_practitioner(raw, "k2")
        assert user_mail() == before


class SentMailContract:
    """What a later step relies on from a connector that reads the practitioner's sent mail."""

    def test_sent_mail_is_read_with_its_own_cursor(
        self,
        sent_mail: Any,
        put: Callable[[bytes], None],
        put_sent: Callable[[bytes], None],
    ) -> None:
        assert isinstance(sent_mail, ReadsSentMail)
        put(sample(100))  # received mail: not the practitioner's sent mail
        for n in range(3):
            put_sent(sample(n))
        messages, failed, cursor = drain(sent_mail.sent_changes(None))
        assert sorted(m.message_id for m in messages) == [
            f"<contract-{n}@payer.example>" for n in range(3)
        ]
        assert failed == [] and cursor is not None
        put_sent(sample(3))
        later, _, _ = drain(sent_mail.sent_changes(cursor))
        got = {m.message_id for m in later}
        assert "<contract-3@payer.example>" in got
        assert got <= {f"<contract-{n}@payer.example>" for n in range(4)}
        received, _, _ = drain(sent_mail.changes(None))  # the inbox cursor is another one
        assert [m.message_id for m in received] == ["<contract-100@payer.example>"]

    def test_no_sent_mail_yet_is_nothing_to_read(self, sent_mail: Any) -> None:
        messages, failed, _ = drain(sent_mail.sent_changes(None))
        assert messages == [] and failed == []


def _by_category(corrections: Any) -> tuple[dict[str, set[str]], dict[str, Any] | None]:
    found: dict[str, set[str]] = {}
    cursor: dict[str, Any] | None = None
    for correction in corrections:
        assert isinstance(correction, Correction) and isinstance(correction.batch, Batch)
        ids = found.setdefault(correction.category, set())
        ids.update(m.message_id for m in correction.batch.messages)
        cursor = dict(correction.batch.cursor)
    return found, cursor


class CorrectionsContract:
    """What a later step relies on from a connector that watches the correction folders."""

    def test_corrections_arrive_with_their_category(
        self,
        corrections_mail: Any,
        put: Callable[[bytes], None],
        put_correction: Callable[[str, bytes], None],
    ) -> None:
        assert isinstance(corrections_mail, WatchesCorrections)
        put(sample(100))  # the inbox is not a correction folder
        put_correction("payer", sample(1))
        put_correction("payer", sample(2))
        put_correction("records", sample(3))
        found, cursor = _by_category(corrections_mail.corrections(None))
        assert {k: v for k, v in found.items() if v} == {
            "payer": {"<contract-1@payer.example>", "<contract-2@payer.example>"},
            "records": {"<contract-3@payer.example>"},
        }
        assert cursor is not None
        put_correction("payer", sample(4))
        later, _ = _by_category(corrections_mail.corrections(cursor))
        assert "<contract-4@payer.example>" in later.get("payer", set())
        assert later.get("payer", set()) <= {f"<contract-{n}@payer.example>" for n in (1, 2, 4)}
        assert later.get("records", set()) <= {"<contract-3@payer.example>"}

    def test_no_correction_folders_is_nothing_to_read(self, corrections_mail: Any) -> None:
        found, _ = _by_category(corrections_mail.corrections(None))
        assert not any(found.values())


class WithdrawsDraftsContract:
    """What a correction relies on: chief's own draft read back as written, removed alone."""

    def test_a_draft_is_read_back_then_removed_alone(self, mail: Any) -> None:
        from connectors.base import draft_digest

        assert isinstance(mail, WithdrawsDrafts)
        kept, gone = _draft("contract-kept-draft-0001", 1), _draft("contract-gone-draft-0002", 2)
        mail.create_draft(kept)
        mail.create_draft(gone)
        content = mail.draft_content(gone.key)
        assert content is not None and draft_digest(content) == draft_digest(gone.raw)
        assert draft_digest(content) != draft_digest(kept.raw)
        assert mail.delete_draft(gone.key) is True
        assert mail.find_draft(gone.key) is None and mail.draft_content(gone.key) is None
        assert mail.delete_draft(gone.key) is False  # a second removal finds nothing
        assert mail.find_draft(kept.key) is not None  # the other draft is left alone

    def test_a_draft_removed_then_written_again_under_its_key_is_the_new_one(
        self, mail: Any
    ) -> None:
        """A report's revision (bot/sync/revising.py): the old draft removed, the new version
        written under the same key, found by it and read back as the new version."""
        from connectors.base import draft_digest

        old = _draft("contract-revised-0003", 1)
        new = OutgoingDraft(
            key=old.key, raw=old.raw.replace(b"DRAFT FOR REVIEW", b"DRAFT FOR REVIEW, revised")
        )
        assert new.raw != old.raw
        mail.create_draft(old)
        assert mail.delete_draft(old.key) is True
        assert mail.find_draft(old.key) is None
        remote = mail.create_draft(new)
        assert mail.find_draft(new.key) == remote
        content = mail.draft_content(new.key)
        assert content is not None and draft_digest(content) == draft_digest(new.raw)
        assert draft_digest(content) != draft_digest(old.raw)

    def test_correction_folders_are_made_once_and_read(
        self, folder_maker: Any, put_correction: Callable[[str, bytes], None]
    ) -> None:
        assert isinstance(folder_maker, MakesCorrectionFolders)
        assert folder_maker.make_correction_folders(["Referral", "Local authority"]) == 2
        assert folder_maker.make_correction_folders(["Referral", "Local authority"]) == 0
        found, _ = _by_category(folder_maker.corrections(None))
        assert not any(found.values())  # made empty
        put_correction("Local authority", sample(7))
        found, _ = _by_category(folder_maker.corrections(None))
        assert found.get("Local authority") == {"<contract-7@payer.example>"}


def _entry(key: str, summary: str = "Due: prior auth PA-1", **changes: Any) -> CalendarEntry:
    values: dict[str, Any] = {
        "key": key,
        "summary": summary,
        "start": date(2026, 12, 1),
        "end": date(2026, 12, 2),
        "description": "Clock prior_auth.standard",
        "alarms": (1440, 60),
        "categories": ("deadline",),
    }
    values.update(changes)
    return CalendarEntry(**values)


def _ours(events: list[Any], key: str) -> list[Any]:
    return [e for e in events if str(e.get("UID", "")).startswith(key)]


class CalendarContract:
    """What the pipeline relies on from a calendar connector."""

    def test_upsert_is_exactly_once(
        self, calendar: Any, server_events: Callable[[], list[Any]]
    ) -> None:
        entry = _entry("contract-cal-1")
        first = calendar.upsert_event(entry)
        second = calendar.upsert_event(entry)
        assert first == second
        assert len(_ours(server_events(), "contract-cal-1")) == 1
        assert calendar.find_event("contract-cal-1") is not None

    def test_update_in_place(self, calendar: Any, server_events: Callable[[], list[Any]]) -> None:
        calendar.upsert_event(_entry("contract-cal-2"))
        calendar.upsert_event(_entry("contract-cal-2", summary="Due: prior auth PA-1 (moved)"))
        ours = _ours(server_events(), "contract-cal-2")
        assert len(ours) == 1
        assert str(ours[0]["SUMMARY"]) == "Due: prior auth PA-1 (moved)"

    def test_alarms_reach_the_server(
        self, calendar: Any, server_events: Callable[[], list[Any]]
    ) -> None:
        calendar.upsert_event(_entry("contract-cal-3"))
        (event,) = _ours(server_events(), "contract-cal-3")
        triggers = sorted(a.decoded("TRIGGER") for a in event.walk("VALARM"))
        assert triggers == [timedelta(days=-1), timedelta(hours=-1)]

    def test_batch_upsert_and_window_read(
        self, calendar: Any, server_events: Callable[[], list[Any]]
    ) -> None:
        timed = _entry(
            "contract-cal-5",
            summary="Pre-season screening",
            start=datetime(2026, 12, 3, 15, 0, tzinfo=UTC),
            end=datetime(2026, 12, 3, 17, 0, tzinfo=UTC),
        )
        ids = calendar.upsert_events([_entry("contract-cal-4"), timed])
        assert len(ids) == 2 and len(set(ids)) == 2
        window = list(
            calendar.events(
                datetime(2026, 12, 3, 0, 0, tzinfo=UTC), datetime(2026, 12, 4, 0, 0, tzinfo=UTC)
            )
        )
        summaries = [e.summary for e in window]
        assert "Pre-season screening" in summaries
        assert "Due: prior auth PA-1" not in summaries  # that one is on 1 December
        (found,) = [e for e in window if e.summary == "Pre-season screening"]
        assert found.start == datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
