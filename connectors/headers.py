"""Rewriting the header block of a raw message a connector uploads under an id of its own.

Gmail's summary and Outlook's MIME drafts are stored under a Message-ID derived from their
IDEMPOTENCY KEY, so that they are found again by it (``rfc822msgid:``, ``internetMessageId``)
rather than written twice: :func:`with_message_id` puts that id in place of the message's own.
"""

from __future__ import annotations

__all__ = ["with_message_id"]


def with_message_id(raw: bytes, message_id: str) -> bytes:
    """``raw`` with its Message-ID header(s) replaced by ``message_id``."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    kept: list[bytes] = []
    skipping = False
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and skipping:
            continue
        skipping = line.lower().startswith(b"message-id:")
        if not skipping:
            kept.append(line)
    kept.insert(0, b"Message-ID: " + message_id.encode("ascii"))
    return b"\r\n".join(kept) + sep + body
