"""The summary's "Needs a look": messages the bot would not act on alone (see NEEDS A LOOK in
:mod:`bot.rules.classification`), newest first, the first few listed and the rest counted.

Each line names when the message came and its sender's domain, never a subject or a name (the
case log holds neither), with the learned model's guess, so the practitioner can find it in
the mailbox and file it (a correction, once they are read, teaches the model).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.store.models import Mailbox, MessageRow
from bot.summary.lines import LookLine

__all__ = ["SHOWN", "needs_look_lines"]

SHOWN = 5  # a handful: the summary is read on a phone


def needs_look_lines(
    session: Session, practice_id: int, since: datetime, shown: int = SHOWN
) -> tuple[list[LookLine], int]:
    """(the first ``shown`` messages held since ``since``, how many were held in all)."""
    held = (
        MessageRow.needs_look.is_not(None),
        Mailbox.practice_id == practice_id,
        MessageRow.logged_at >= since,
    )
    total = session.scalar(select(func.count()).select_from(MessageRow).join(Mailbox).where(*held))
    rows = session.scalars(
        select(MessageRow)
        .join(Mailbox)
        .where(*held)
        .order_by(MessageRow.received_at.desc(), MessageRow.id.desc())
        .limit(shown)
    ).all()
    lines = [
        LookLine(
            received=row.received_at.date() if row.received_at else None,
            sender_domain=row.sender_domain or "?",
            guess=row.guess_category,
            confidence=row.guess_confidence,
            reason=row.needs_look or "",
            rule_category=row.category if row.needs_look == "disagrees" else None,
        )
        for row in rows
    ]
    return lines, int(total or 0)
