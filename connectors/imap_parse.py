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
from dataclasses import replace
from typing import Any

from bot.errors import MessageError
from bot.mail_message import Limits, Message, parse_message

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
    try:
        message = parse_message(raw, item_id, limits)
    except MessageError as exc:
        failed.append((item_id, exc.reason))
        return None
    except Exception as exc:  # one bad message never stops the run
        log.warning("imap: %s: parser failed (%s)", item_id, type(exc).__name__)
        failed.append((item_id, f"parser failed ({type(exc).__name__})"))
        return None
    if size > len(raw):
        message = replace(message, size=size, truncated=True)
    if message.generated_by_chief:
        log.debug("imap: %s is our own generated mail; skipped", item_id)
        return None
    return message
