"""The summary's "Needs a look": messages the bot would not act on alone (see NEEDS A LOOK in
:mod:`bot.rules.classification`), newest first, the first few listed and the rest counted.

Each line names when the message came and its sender's domain, never a subject or a name (the
case log holds neither), with the learned model's guess and the one move that files it so:
"move it to Chief/Referral" (the correction folder of the guessed category, by the names of
``[corrections]``; ``bot/sync/corrections.py`` refiles it on the next sync and the model
learns from it). A message the practitioner has corrected is filed, and leaves the list.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.rules.correction_folders import CorrectionsConfig
from bot.store.models import Mailbox, MessageRow
from bot.summary.lines import LookLine

__all__ = ["SHOWN", "needs_look_lines"]

SHOWN = 3  # a handful: the summary is read on a phone, within three screens


def needs_look_lines(
    session: Session,
    practice_id: int,
    since: datetime,
    shown: int = SHOWN,
    corrections: CorrectionsConfig | None = None,
) -> tuple[list[LookLine], int]:
    """(the first ``shown`` messages held since ``since``, how many were held in all);
    ``corrections`` names the folders each line says to move its message to."""
    names = corrections or CorrectionsConfig()
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
            move=f"move it to Chief/{names.folder_of(row.guess_category)}",
        )
        for row in rows
    ]
    return lines, int(total or 0)
