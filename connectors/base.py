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

OPTIONAL CAPABILITY
    What only some providers can do is a small ``@runtime_checkable`` Protocol of its own
    (:class:`WaitsForChanges`, :class:`Labels`, :class:`Estimates`, :class:`Closeable`,
    :class:`ReadsSentMail`, :class:`WatchesCorrections`, :class:`MakesCorrectionFolders`,
    :class:`WithdrawsDrafts`, :class:`ReadsDrafts`); the core asks with
    ``isinstance``, never with ``getattr`` or a flag, and a provider has the capability by
    having its methods.
    What a provider cannot do yet is said in that Protocol's docstring.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol, runtime_checkable

from bot.keys import marker_of
from bot.mail.message import Limits, Message
from bot.mail.mime import parse_message

__all__ = [
    "Batch",
    "Calendar",
    "CalendarEntry",
    "CalendarSink",
    "CalendarSource",
    "Closeable",
    "Correction",
    "Cursor",
    "DraftSink",
    "Estimates",
    "Labels",
    "MailSource",
    "MakesCorrectionFolders",
    "Mailbox",
    "OutgoingDraft",
    "ReadsDrafts",
    "ReadsSentMail",
    "SelfChecks",
    "Sender",
    "WaitsForChanges",
    "WatchesCorrections",
    "WithdrawsDrafts",
    "draft_digest",
    "is_saved_note",
]

# JSON-serialisable; each provider reads back only what it wrote, checking every value.
Cursor = dict[str, object]


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

    ``raw`` is the complete RFC 5322 message (bytes, CRLF-safe headers) whose Message-ID
    carries the idempotency key hashed (``bot.keys`` DRAFT MARKER); a connector writes it with
    :func:`bot.keys.with_draft_marker` and finds it again by that Message-ID (or by the
    ``X-Chief-Key`` header of a draft an earlier version wrote).
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
    """Writes our entries, exactly once per key (:mod:`connectors.calendar_upsert`)."""

    def upsert_event(self, entry: CalendarEntry) -> str:
        """Create or update the entry keyed by ``entry.key``; return its remote id."""
        ...

    def upsert_events(self, entries: Sequence[CalendarEntry]) -> list[str]:
        """:meth:`upsert_event` for many, in as few round trips as the provider allows;
        remote ids in input order (the last entry of a key wins)."""
        ...

    def find_event(self, key: str) -> str | None: ...


@runtime_checkable
class Sender(Protocol):
    """Delivers the daily summary to the practitioner, and to no one else."""

    def send_to_practitioner(self, raw: bytes, key: str) -> str: ...


@runtime_checkable
class Mailbox(MailSource, DraftSink, Sender, Protocol):
    """What the core needs of a mail connector: it reads, drafts, and delivers the summary."""


@runtime_checkable
class Calendar(CalendarSource, CalendarSink, Protocol):
    """What the core needs of a calendar connector: it reads a window and writes entries."""


# --- optional capabilities ------------------------------------------------------------------


@runtime_checkable
class WaitsForChanges(Protocol):
    """Blocks until new mail may have arrived (IMAP IDLE, RFC 2177). ``chief run`` gives it a
    connector of its own. Gmail (users.watch + Pub/Sub) and Outlook (Graph subscriptions)
    cannot yet: they are polled by the interval sync."""

    def wait_for_changes(self, timeout_s: float) -> bool:
        """Block at most ``timeout_s``; True when new mail may have arrived."""
        ...

    def mark_seen(self) -> None:
        """Take the watched folders as they are now as seen."""
        ...

    def interrupt(self) -> None:
        """From another thread: end a wait at once; safe to call at any time."""
        ...


@runtime_checkable
class Labels(Protocol):
    """Puts a label per category on the messages just filed (Gmail ``category_labels``)."""

    def labelled_categories(self) -> frozenset[str]:
        """The categories whose messages get a label (none when labelling is off)."""
        ...

    def label_messages(self, by_category: Mapping[str | None, Sequence[str]]) -> int:
        """Label the messages (provider ids) of each category; how many were labelled."""
        ...


@runtime_checkable
class Estimates(Protocol):
    """Says beforehand about how many messages a sync reads: a progress bar's total."""

    def estimate(self, cursor: Cursor | None) -> int | None: ...


@runtime_checkable
class SelfChecks(Protocol):
    """Checks its own set-up (sign-in, folders, server features) for ``chief doctor``."""

    def check(self) -> str:
        """What was found, in a line; a ChiefError naming the fix when something is wrong."""
        ...


@runtime_checkable
class Closeable(Protocol):
    """Holds a connection or a session to close when the run ends."""

    def close(self) -> None: ...


@runtime_checkable
class ReadsSentMail(Protocol):
    """Reads the practitioner's own sent mail (to see the replies they sent), with a cursor of
    its own, never the one of :meth:`MailSource.changes`. Every mail connector can: Maildir
    (``.Sent``), IMAP (the ``\\Sent`` folder of RFC 6154), Gmail (the label ``SENT``) and
    Outlook (the well-known folder ``sentitems``)."""

    def sent_changes(self, cursor: Cursor | None) -> Iterator[Batch]:
        """Batches of sent messages since ``cursor`` (all when ``None``), as
        :meth:`MailSource.changes`."""
        ...


# Bounds of the parse behind :func:`draft_digest`: a whole report, not a classifier's sample.
_DIGEST_LIMITS = Limits(max_text_chars=16 * 1024 * 1024, max_part_bytes=16 * 1024 * 1024)


def draft_digest(raw: bytes) -> str:
    """What a draft says, as a digest: what tells a draft chief wrote from one the
    practitioner has edited since (a correction withdraws, and a report update replaces, only
    a draft whose copy in the mailbox still has chief's digest).

    Its basis is what a provider keeps when it rebuilds the message (Outlook writes its own
    MIME, Gmail and IMAP keep the bytes): the subject and the whole text, blanks collapsed, the
    To and Cc addresses, and each attachment's name, type and size. Headers a provider adds
    or rewrites (Date, Message-ID, MIME boundaries, transfer encodings) are left out; an edit
    to the wording, the recipients or the attachments changes it."""
    message = parse_message(raw, "draft", _DIGEST_LIMITS)
    basis = "\n".join(
        (
            " ".join(message.subject.split()),
            " ".join(message.text.split()),
            ",".join(sorted(a.lower() for a in message.to)),
            ",".join(sorted(a.lower() for a in message.cc)),
            *sorted(f"{a.filename or ''}|{a.content_type}|{a.size}" for a in message.attachments),
        )
    )
    return hashlib.sha256(basis.encode("utf-8", "replace")).hexdigest()


_NOTE_SUBJECT = re.compile(r"\s*note", re.IGNORECASE)


def is_saved_note(message: Message) -> bool:
    """Whether a saved draft may be a note (:meth:`ReadsDrafts.saved_notes`): its subject
    begins with ``Note`` and it is not one of chief's own drafts (whose Message-ID carries a
    DRAFT MARKER, or which carries an ``X-Chief-Key``)."""
    return (
        bool(_NOTE_SUBJECT.match(message.subject or ""))
        and marker_of(message.message_id) is None
        and not message.chief_key
    )


@runtime_checkable
class ReadsDrafts(Protocol):
    """Reads the practitioner's notes saved as drafts (bot/features/case_notes.py), read-only:
    nothing in the Drafts folder is changed by reading it. Every mail connector can: Maildir
    (the Drafts folder's files), IMAP (the ``\\Drafts`` folder of RFC 6154: EXAMINE, SEARCH
    and ``BODY.PEEK``), Gmail (the messages labelled ``DRAFT``) and Outlook (the well-known
    folder ``drafts``)."""

    def saved_notes(self) -> Iterator[Message]:
        """Every draft in the Drafts folder whose subject begins with ``Note`` (any case),
        parsed as :meth:`MailSource.changes` parses; chief's own drafts (a Message-ID carrying
        a DRAFT MARKER, ``bot.keys``) are left out. The caller checks the rest (from and to
        the practitioner alone, ``Notes: <case>``)."""
        ...


@dataclass(frozen=True, slots=True)
class Correction:
    """Messages the practitioner moved into the correction folder of ``category``."""

    category: str
    batch: Batch


@runtime_checkable
class WatchesCorrections(Protocol):
    """Reads the correction folders (one per category, ``Chief/<category>``) into which the
    practitioner moves a message the rules filed wrongly. Every mail connector can: Maildir
    and IMAP (folders), Gmail (a user label per category, ``Chief/payer``) and Outlook (the
    child folders of a top-level folder ``Chief``)."""

    def corrections(self, cursor: Cursor | None) -> Iterator[Correction]:
        """A :class:`Correction` per batch read since ``cursor`` (everything when ``None``);
        each batch's cursor covers every correction folder."""
        ...


@runtime_checkable
class MakesCorrectionFolders(Protocol):
    """Makes the correction folders (or labels) the practitioner files messages into, so that
    they are there to move a message to from the first day: Maildir++ ``.Chief.<name>``, IMAP
    ``Chief/<name>`` under the personal namespace (RFC 2342), Gmail user labels, Outlook child
    folders of ``Chief``. Nothing else in the mailbox changes."""

    def make_correction_folders(self, names: Sequence[str]) -> int:
        """Make the folder of each name under the corrections folder when it is missing;
        how many were made (0 when all were there)."""
        ...


@runtime_checkable
class WithdrawsDrafts(Protocol):
    """Reads back and removes chief's own drafts, found by their IDEMPOTENCY KEY: a correction
    withdraws the drafts of a wrong filing, and a report updated by a new note replaces its
    draft (removed, then written again under the same key: bot/sync/revising.py), but only a
    draft the practitioner has not edited (the caller compares the :func:`draft_digest` of
    what it reads back with that of what chief wrote). Every mail connector can."""

    def draft_content(self, key: str) -> bytes | None:
        """The draft carrying ``key`` as the mailbox holds it now (RFC 5322), or None."""
        ...

    def delete_draft(self, key: str) -> bool:
        """Remove the draft carrying ``key``; False when there was none. Never anything else."""
        ...


@runtime_checkable
class ReturnsCorrected(Protocol):
    """Puts a corrected message back where it was filed from when the practitioner undoes the
    correction (``chief corrections undo``), so that the mailbox says what the case log says:
    Maildir and IMAP move it out of the correction folder into the folder it was read from
    (INBOX when it was first read in the correction folder), Gmail takes the correction label
    off (and puts INBOX back when the message is in none of the labels chief reads), Outlook
    moves it back to the folder it was read from. Nothing else about the message changes."""

    def return_corrected(self, provider_id: str, folder: str, home: str | None) -> bool:
        """Move the message read as ``provider_id`` in the correction folder ``folder`` (its
        name under ``Chief``) back to where ``home`` (the provider id it was first filed
        under; None: read first in the correction folder) was; False when it is no longer
        in that folder (returned already, or moved on by the practitioner)."""
        ...


@runtime_checkable
class RemovesLabels(Protocol):
    """Takes chief's own category label off messages (Gmail ``category_labels``): a correction
    to another category takes the wrong one off, an undo the corrected one."""

    def unlabel_messages(self, by_category: Mapping[str | None, Sequence[str]]) -> int:
        """Take the label of each category off its messages (provider ids); how many. Taking
        off a label a message does not carry is a no-op."""
        ...
