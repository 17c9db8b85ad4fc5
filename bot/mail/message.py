"""A received message: what classification, matching and drafting read, and the bounds its
parsing keeps (:class:`Limits`).

:mod:`bot.mail.mime` builds a :class:`Message` from raw bytes (or from a header block and the
parts a server returned); bodies are kept in memory only as bounded plain text for the rules
engine, and never logged.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime

from bot.keys import KEY_HEADER

__all__ = ["GENERATED_HEADER", "KEY_HEADER", "READ_HEADERS", "Attachment", "Limits", "Message"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds applied while parsing (all configurable under ``[limits]`` in chief.toml)."""

    max_message_bytes: int = 25 * 1024 * 1024  # larger: headers only, body not read
    max_text_chars: int = 64 * 1024  # plain text kept for classification
    max_parts: int = 200
    max_depth: int = 20
    max_calendar_bytes: int = 512 * 1024  # per text/calendar part
    max_part_bytes: int = 2 * 1024 * 1024  # at most this much of one text part is decoded
    max_header_bytes: int = 256 * 1024  # a larger header block is cut: headers only, no body


@dataclass(frozen=True, slots=True)
class Attachment:
    """An attachment's description. ``filename`` is as the sender gave it: never a path."""

    filename: str | None
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class Message:
    """One received message. ``provider_id`` is the connector's own id (Maildir key, UID...)."""

    provider_id: str
    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    from_addr: str  # lower-case addr-spec, "" when missing
    from_name: str
    reply_to: str | None
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    date: datetime | None  # timezone-aware
    text: str  # bounded plain text (text/plain, else HTML converted)
    attachments: tuple[Attachment, ...] = ()
    # The From and Date of each message attached to this one (message/rfc822), as forward
    # banners: whom a forwarded attachment came from (bot.letters.recipients).
    attached: str = ""
    calendar_parts: tuple[str, ...] = ()
    size: int = 0
    # What the message *claims* of chief, as anyone can write it: the values of its
    # X-Chief-Key and X-Chief-Generated headers. Never a reason to skip it on their own: the
    # pipeline trusts a key only when chief recorded it (bot.sync.own_mail).
    chief_key: str | None = None
    chief_mark: str | None = None
    auto_submitted: bool = False  # RFC 3834 Auto-Submitted, or a bulk Precedence
    list_id: str | None = None
    defects: tuple[str, ...] = field(default=())
    truncated: bool = False

    @property
    def from_domain(self) -> str:
        return self.from_addr.rpartition("@")[2]

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """Message-IDs this message points at (In-Reply-To, then References, newest first)."""
        ids: list[str] = []
        if self.in_reply_to:
            ids.append(self.in_reply_to)
        for ref in reversed(self.references):
            if ref not in ids:
                ids.append(ref)
        return tuple(ids)

    @property
    def fingerprint(self) -> str:
        """A stable short hash naming this message in logs (never its content)."""
        basis = self.message_id or self.provider_id
        return hashlib.sha256(basis.encode("utf-8", "replace")).hexdigest()[:12]


GENERATED_HEADER = "X-Chief-Generated"  # on everything we write: drafts, summaries
log = logging.getLogger(__name__)
_MSGID_RE = re.compile(r"<[^<>\s]+>")
_WS_RE = re.compile(r"[ \t\r\f\v]+")
_BLANKS_RE = re.compile(r"\n\s*\n\s*\n+")


# The headers a Message is built from: a source that can ask for chosen headers (IMAP's
# ``BODY.PEEK[HEADER.FIELDS (...)]``) asks for these.
READ_HEADERS = (
    "Message-ID",
    "In-Reply-To",
    "References",
    "From",
    "Reply-To",
    "To",
    "Cc",
    "Subject",
    "Date",
    KEY_HEADER,
    GENERATED_HEADER,
    "Auto-Submitted",
    "Precedence",
    "List-Id",
)
