"""Idempotency keys: made, checked and carried by one rule everywhere.

IDEMPOTENCY KEY
    The name chief gives a remote object before it writes it (a draft, a calendar entry, the
    summary, a label run), stored on the object itself (the ``X-Chief-Key`` header of a
    message, the UID of an event) so that a write cut short by a crash is found again, never
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
IN LOGS
    A key names an object about a patient's case: logs carry :func:`key_hash`, never the key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Protocol

__all__ = ["KEY_HEADER", "check_key", "key_hash", "keyed_key", "stable_key", "with_key_header"]

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


def with_key_header(raw: bytes, key: str) -> bytes:
    """``raw`` with CRLF line ends (RFC 5322 2.1; IMAP literals are CRLF, RFC 3501 4.3) and
    an ``X-Chief-Key`` header, prepended when the message lacks one."""
    check_key(key)
    raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    head = _HEAD_END.split(raw, maxsplit=1)[0]
    if not re.search(rb"(?im)^x-chief-key:", head):
        raw = f"{KEY_HEADER}: {key}\r\n".encode("ascii") + raw
    return raw
