"""Turning one UID FETCH response into :class:`~bot.mail_message.Message` objects.

Each message was fetched as ``BODY.PEEK[]<0.N>`` (RFC 3501 6.4.5: a partial fetch, answered as
``BODY[]<0>``) with its ``RFC822.SIZE``. A message larger than what was fetched is marked
``truncated`` with its real size; one larger than ``Limits.max_message_bytes`` is read for its
headers only, as the Maildir connector does. A message that cannot be parsed is reported in
``failed`` (provider id, reason), never raised; our own generated mail is skipped.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

from bot.mail_message import Limits, Message
from connectors.parsing import parse_or_report

__all__ = ["parse_fetched"]

log = logging.getLogger(__name__)

_HEAD_END = re.compile(rb"\r?\n\r?\n")


def parse_fetched(
    folder: str,
    uidvalidity: int,
    uids: Sequence[int],
    fetched: Mapping[int, Mapping[bytes, Any]],
    limits: Limits,
) -> tuple[list[Message], list[tuple[str, str]]]:
    """(messages, failed) for ``uids`` in UID order; provider id ``folder/UIDVALIDITY/UID``."""
    messages: list[Message] = []
    failed: list[tuple[str, str]] = []
    for uid in uids:
        item_id = f"{folder}/{uidvalidity}/{uid}"
        data = fetched.get(uid)
        if data is None:
            log.debug("imap: %s expunged before it could be read", item_id)
            continue
        raw = next((v for k, v in data.items() if k.startswith(b"BODY[")), None)
        if not isinstance(raw, bytes):
            failed.append((item_id, "the server sent no message body"))
            continue
        size = data.get(b"RFC822.SIZE")
        message = _parse(item_id, raw, size if isinstance(size, int) else len(raw), limits, failed)
        if message is not None:
            messages.append(message)
    return messages, failed


def _parse(
    item_id: str, raw: bytes, size: int, limits: Limits, failed: list[tuple[str, str]]
) -> Message | None:
    if size > limits.max_message_bytes:
        raw = _HEAD_END.split(raw, maxsplit=1)[0] + b"\r\n\r\n"
    return parse_or_report(item_id, raw, size, limits, failed, "imap")
