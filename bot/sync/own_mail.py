"""Which incoming messages are chief's own, and so are not filed.

chief puts one kind of message into the mail it reads: the daily summary, delivered to the
practitioner's INBOX. Filed, it would be "new mail" from the practitioner and could open a
case. But ``X-Chief-Generated`` and ``X-Chief-Key`` are headers anyone can write, and a draft
the practitioner sent keeps them (a colleague's reply may carry them back), so a message is
never skipped for a header it carries. It is chief's own summary only when chief's own record
says so:

- its ``X-Chief-Key`` is the key of a summary: one chief recorded delivering (the audit row
  ``summary.deliver``), or one that proves itself, ``summary-<day>-<mac>`` where the mac is
  the keyed key :func:`summary_key` makes for that day and only this practice can compute
  (``bot.keys`` KEYED KEYS; this covers a crash between the delivery and its audit row); and
- it is from the practitioner's own address, as the summary is (a colleague's reply quoting a
  forwarded summary's headers is theirs, and is filed).

Everything else is ordinary mail and is filed: a message claiming a key chief never wrote, a
draft the practitioner sent coming back as a reply, the practitioner's own sent draft.
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.keys import key_hash
from bot.mail.message import Message
from bot.store.models import AuditEvent
from bot.sync.runtime import Runtime

__all__ = ["is_note_to_self", "own_summaries", "summary_key"]

log = logging.getLogger(__name__)


_NOTE_SUBJECT = re.compile(r"^\s*(?:#+\s*)?notes?\s*:\s*\S", re.IGNORECASE)


def is_note_to_self(rt: Runtime, message: Message) -> bool:
    """A note the practitioner wrote to herself (``Notes: <case>``, from her address, to her
    alone): read by ``bot.features.case_notes``, never classified or filed as mail, so that it
    opens no case and answers nothing."""
    me = rt.practitioner[1].lower()
    recipients = {address.lower() for address in (*message.to, *message.cc)}
    return (
        message.from_addr == me
        and recipients <= {me}
        and bool(_NOTE_SUBJECT.match(message.subject or ""))
    )


_SUMMARY_KEY = re.compile(r"summary-([0-9]{4}-[0-9]{2}-[0-9]{2})-([0-9a-f]{32})")


def summary_key(rt: Runtime, day: date) -> str:
    """The idempotency key of ``day``'s summary: keyed with the practice secret, so that an
    outsider who knows the slug and the date cannot compute it and put it on a message of
    their own (which the delivery would find and take for the summary, suppressing it). The
    day is written in it, so chief can check a key it meets without a record of it."""
    mac = rt.keyed_key(rt.config.practice.slug, "summary", day.isoformat())
    return f"summary-{day.isoformat()}-{mac}"


def _recorded(session: Session, practice_id: int, keys: set[str]) -> set[str]:
    if not keys:
        return set()
    return set(
        session.scalars(
            select(AuditEvent.target).where(
                AuditEvent.practice_id == practice_id,
                AuditEvent.action == "summary.deliver",
                AuditEvent.target.in_(keys),
            )
        )
    )


def _proves_itself(rt: Runtime, key: str) -> bool:
    """``key`` is the summary key of the day it names: only this practice can make one."""
    found = _SUMMARY_KEY.fullmatch(key)
    if found is None:
        return False
    try:
        day = date.fromisoformat(found.group(1))
    except ValueError:
        return False
    return hmac.compare_digest(key, summary_key(rt, day))


def own_summaries(session: Session, rt: Runtime, messages: Iterable[Message]) -> set[int]:
    """The indexes (in ``messages``) of chief's own summaries (module docstring)."""
    practitioner = rt.practitioner[1].lower()
    listed = list(messages)
    claimed = {m.chief_key for m in listed if m.chief_key and m.from_addr == practitioner}
    recorded = _recorded(session, rt.practice_id, claimed)
    own: set[int] = set()
    for index, message in enumerate(listed):
        key = message.chief_key
        if not key:
            continue
        if message.from_addr == practitioner and (key in recorded or _proves_itself(rt, key)):
            own.add(index)
            log.info("message %s is chief's own summary %s", message.fingerprint, key_hash(key))
        else:
            log.info(
                "message %s carries key %s, not a summary chief delivered: filed as mail",
                message.fingerprint,
                key_hash(key),
            )
    return own
