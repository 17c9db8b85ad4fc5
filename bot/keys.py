"""Idempotency keys: made, checked and carried by one rule everywhere.

IDEMPOTENCY KEY
    The name chief gives a remote object before it writes it (a draft, a calendar entry, the
    summary, a label run), stored on the object itself (the UID of an event, the summary's
    ``X-Chief-Key`` header, a draft's DRAFT MARKER) so that a write cut short by a crash is
    found again, never
    made twice. Keys are made by :func:`stable_key` from what the object is for, and only
    from what stays the same when the case log is rebuilt by syncing again (message keys,
    a case's reference or thread root, invitation UIDs, register ids, the practice's slug,
    the day): never from a row number, which depends on the order mail is read.
KEYED KEYS
    A key whose parts an outsider knows or can guess (the practice's slug and a date, a
    Message-ID they sent) is one they can compute and put on a message of their own. Where a
    lookup by key could then find *their* message instead of ours (the summary, found again in
    INBOX; a message recognised as chief's own), the key is made by :func:`keyed_key`, an HMAC
    under a practice secret (:meth:`bot.store.pseudonyms.Pseudonymiser.subkey`): nobody without
    that secret can compute it in advance.
THE RULE
    A key is 1 to 200 printable ASCII characters without white space (:func:`check_key`): it
    goes into a header field, an IMAP SEARCH, a Graph filter and an iCalendar UID unchanged.
    Every connector checks it with the same function before its first request.
DRAFT MARKER
    A draft leaves the practice when the practitioner sends it, with whatever headers it has.
    So a draft carries its key only inside an ordinary-looking Message-ID,
    ``<chief.<sha256(key)[:32]>@<the practice's domain>>`` (:func:`marked_message_id`): a
    recipient learns nothing from it (the key is itself keyed with the practice secret), and
    every provider finds it again by Message-ID (IMAP ``SEARCH HEADER Message-ID``, a Graph
    ``internetMessageId`` filter, a header scan of Gmail's drafts or a Maildir). Drafts
    written by earlier versions carry the key in an ``X-Chief-Key`` header: they are still
    found by it.
IN LOGS
    A key names an object about a patient's case: logs carry :func:`key_hash`, never the key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Protocol

__all__ = [
    "KEY_HEADER",
    "check_key",
    "draft_marker",
    "key_hash",
    "keyed_key",
    "marked_message_id",
    "marker_of",
    "stable_key",
    "with_draft_marker",
    "with_key_header",
]

KEY_HEADER = "X-Chief-Key"  # the idempotency key stored on the remote object
_KEY_RE = re.compile(r"[\x21-\x7e]{1,200}")
_HEAD_END = re.compile(rb"\r?\n\r?\n")


class _Digest(Protocol):
    def update(self, data: bytes, /) -> None: ...
    def hexdigest(self) -> str: ...


def _feed(digest: _Digest, parts: tuple[object, ...]) -> str:
    for part in parts:
        data = str(part).encode("utf-8", "surrogateescape")
        digest.update(len(data).to_bytes(4, "big"))
        digest.update(data)
    return digest.hexdigest()[:32]


def stable_key(*parts: object) -> str:
    """A 32-hex-digit key for ``parts`` (joined unambiguously); same parts, same key."""
    return _feed(hashlib.sha256(), parts)


def keyed_key(secret: bytes, *parts: object) -> str:
    """A 32-hex-digit key for ``parts`` that only a holder of ``secret`` can compute (KEYED
    KEYS): HMAC-SHA256 over the same unambiguous joining as :func:`stable_key`."""
    if len(secret) < 16:
        raise ValueError("a keyed key needs a secret of at least 16 bytes")
    return _feed(hmac.new(secret, digestmod=hashlib.sha256), parts)


def check_key(key: str) -> str:
    """``key`` if it keeps THE RULE; ValueError (naming the rule, never the key) if not."""
    if not isinstance(key, str) or not _KEY_RE.fullmatch(key):
        raise ValueError("idempotency key must be 1-200 printable ASCII characters")
    return key


def key_hash(key: str) -> str:
    """A short hash naming a key in logs."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


_MARKER_RE = re.compile(r"<(chief\.[0-9a-f]{32})@[^<>\s]+>")
_LOCAL_DOMAIN = "localhost"


def draft_marker(key: str) -> str:
    """The local part of the Message-ID a draft for ``key`` carries (DRAFT MARKER)."""
    check_key(key)
    return "chief." + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def marked_message_id(key: str, domain: str) -> str:
    """``<chief.<hash>@domain>``: the Message-ID of the draft for ``key`` (RFC 5322 3.6.4)."""
    domain = domain if re.fullmatch(r"[A-Za-z0-9.-]{1,200}", domain or "") else _LOCAL_DOMAIN
    return f"<{draft_marker(key)}@{domain.lower()}>"


def marker_of(message_id: object) -> str | None:
    """The DRAFT MARKER in a Message-ID value, or None when it carries none."""
    found = _MARKER_RE.search(str(message_id or ""))
    return found.group(1) if found else None


def _header_lines(head: bytes) -> list[bytes]:
    """The header block's fields, each with its continuation lines."""
    fields: list[bytes] = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += b"\r\n" + line
        else:
            fields.append(line)
    return fields


def with_draft_marker(raw: bytes, key: str) -> bytes:
    """``raw`` with CRLF line ends, no ``X-Chief-*`` header, and a Message-ID carrying the
    DRAFT MARKER of ``key``: its own when it carries it already, else one on the domain of its
    From address (a draft journalled by an earlier version is cleaned the same way)."""
    marker = draft_marker(key)
    raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    head, sep, body = raw.partition(b"\r\n\r\n")
    kept: list[bytes] = []
    has_marker = False
    domain = ""
    for field in _header_lines(head):
        name = field.partition(b":")[0].strip().lower()
        if name.startswith(b"x-chief-"):
            continue
        value = field.partition(b":")[2].decode("ascii", "replace")
        if name == b"message-id":
            if marker_of(value) == marker and not has_marker:
                has_marker = True
                kept.append(field)
            continue
        if name == b"from":
            found = re.search(r"@([A-Za-z0-9.-]+)", value)
            domain = found.group(1) if found else ""
        kept.append(field)
    if not has_marker:
        kept.insert(0, b"Message-ID: " + marked_message_id(key, domain).encode("ascii"))
    return b"\r\n".join(kept) + (sep or b"\r\n\r\n") + body


def with_key_header(raw: bytes, key: str) -> bytes:
    """``raw`` with CRLF line ends (RFC 5322 2.1; IMAP literals are CRLF, RFC 3501 4.3) and
    an ``X-Chief-Key`` header, prepended when the message lacks one."""
    check_key(key)
    raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    head = _HEAD_END.split(raw, maxsplit=1)[0]
    if not re.search(rb"(?im)^x-chief-key:", head):
        raw = f"{KEY_HEADER}: {key}\r\n".encode("ascii") + raw
    return raw
