"""The step every mail source shares: what the provider sent, to a Message or a report.

A message that cannot be parsed goes into the batch's ``failed`` list with a reason (never the
content) and the read goes on; a message cut at the size limit keeps its real size and is
marked truncated. Nothing is skipped for a header it carries: an ``X-Chief-Generated`` or
``X-Chief-Key`` header is only a claim anyone can write, and the pipeline decides, against the
case log, whether a message is chief's own (``bot.sync.own_mail``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from bot.errors import MessageError
from bot.mail.message import Limits, Message
from bot.mail.mime import parse_message

__all__ = ["parse_or_report", "read_or_report"]

log = logging.getLogger(__name__)


def read_or_report(
    item_id: str, read: Callable[[], Message], failed: list[tuple[str, str]], source: str
) -> Message | None:
    """``read()``, or None with the reason appended to ``failed``."""
    try:
        message = read()
    except MessageError as exc:
        failed.append((item_id, exc.reason))
        return None
    except Exception as exc:  # one bad message never stops the run
        log.warning("%s: %s: parser failed (%s)", source, item_id, type(exc).__name__)
        failed.append((item_id, f"parser failed ({type(exc).__name__})"))
        return None
    return message


def parse_or_report(
    item_id: str,
    raw: bytes,
    size: int,
    limits: Limits,
    failed: list[tuple[str, str]],
    source: str,
) -> Message | None:
    """Parse ``raw`` (``size`` is the message's full size on the server)."""

    def read() -> Message:
        message = parse_message(raw, item_id, limits)
        if size > len(raw):
            message = replace(message, size=size, truncated=True)
        return message

    return read_or_report(item_id, read, failed, source)
