"""The small contracts every provider implements.

Terminology
-----------
CURSOR
    An opaque, JSON-serialisable dict a :class:`MailSource` returns with each batch and
    accepts back to resume: IMAP UIDVALIDITY + highest UID, Gmail historyId, Graph deltaLink,
    a Maildir watermark. ``None`` means "sync in full". A source that finds its cursor no longer
    valid raises :class:`bot.errors.CursorInvalid`; the pipeline then resyncs in full, and the
    case log's unique message key guarantees nothing is logged twice.
REMOTE ID
    The provider's own id for an object we wrote (a Maildir file name, an IMAP UID, a Gmail
    draft id, an event href). Stored in the database once the write is known to have happened.
IDEMPOTENCY KEY
    A stable key we compute before writing (a hash of the source message and the purpose) and
    store *on the remote object itself* (a private header, an event UID or extended property),
    so that after a crash between the remote write and our database commit the object is found
    again with ``find_draft`` / ``find_event`` rather than created twice.

Capability flags on each class say what a provider can do, so the pipeline asks rather than
guesses.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar, Protocol, runtime_checkable

from bot.mail.message import Message

__all__ = [
    "Batch",
    "CalendarEntry",
    "CalendarSink",
    "CalendarSource",
    "DraftSink",
    "MailSource",
    "OutgoingDraft",
    "Sender",
]

Cursor = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Batch:
    """Messages read in one go, and the cursor to store once they are logged.

    ``failed`` lists (provider id, reason) for items that could not be parsed: they are
    reported, and the run goes on.
    """

    messages: Sequence[Message]
    cursor: Cursor
    failed: Sequence[tuple[str, str]] = ()


@dataclass(frozen=True, slots=True)
class OutgoingDraft:
    """A fully rendered draft, ready for a :class:`DraftSink`. Never sent by us.

    ``raw`` is the complete RFC 5322 message (bytes, CRLF-safe headers), including the
    ``X-Chief-Key`` header carrying the idempotency key.
    """

    key: str
    raw: bytes
    in_reply_to: str | None = None
    thread_hint: str | None = None  # provider thread id when known (Gmail threadId...)


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """A calendar entry we plan; ``key`` becomes the event UID (or an extended property).

    All-day entries have ``start``/``end`` as :class:`date` (end exclusive); timed entries use
    aware :class:`datetime`. ``alarms`` are lead times in minutes before the start.
    """

    key: str
    summary: str
    start: date | datetime
    end: date | datetime | None = None
    description: str = ""
    location: str = ""
    alarms: tuple[int, ...] = ()
    categories: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)


@runtime_checkable
class MailSource(Protocol):
    """Reads received mail incrementally."""

    supports_incremental: ClassVar[bool]

    def changes(self, cursor: Cursor | None) -> Iterator[Batch]:
        """Yield batches of new messages since ``cursor`` (all of them when ``None``)."""
        ...


@runtime_checkable
class DraftSink(Protocol):
    """Writes drafts into the practitioner's own Drafts folder."""

    def create_draft(self, draft: OutgoingDraft) -> str:
        """Store ``draft``; return its remote id. Never sends anything."""
        ...

    def find_draft(self, key: str) -> str | None:
        """Remote id of the draft carrying idempotency key ``key``, or ``None``."""
        ...


@runtime_checkable
class CalendarSource(Protocol):
    def events(self, start: datetime, end: datetime) -> Iterator[CalendarEntry]:
        """Entries overlapping [start, end)."""
        ...


@runtime_checkable
class CalendarSink(Protocol):
    def upsert_event(self, entry: CalendarEntry) -> str:
        """Create or update the entry keyed by ``entry.key``; return its remote id."""
        ...

    def find_event(self, key: str) -> str | None: ...


@runtime_checkable
class Sender(Protocol):
    """Delivers the daily summary to the practitioner, and to no one else."""

    def send_to_practitioner(self, raw: bytes, key: str) -> str: ...
