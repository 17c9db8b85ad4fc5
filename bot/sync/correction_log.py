"""The corrections made so far (``chief corrections``) and taking one back (``undo``).

Undoing a correction is a correction of the correction, made in one transaction: what the
correction planned is withdrawn (:func:`bot.sync.withdrawing.withdraw_filing`: its case link,
its deadlines, its drafts while untouched), the filing it replaced is put back
(:func:`bot.sync.withdrawing.restore`: the case, the deadlines reopened, the drafts it had
removed written again), what it taught is forgotten (the counts taken away) and the party it
added is removed from the practice's directory (journalled ``remove``, the file rewritten,
then recorded ``removed``). The remote writes follow in the effects' usual order. Only a
message's latest correction can be undone: one made on top of it is undone first.

The mailbox is put back too, in the same journal order (:mod:`bot.sync.correction_mail`): the
message leaves its correction folder for the folder it was filed from (journalled on the
correction, ``return_state`` planned), and where chief labels what it files, the corrected
category's label comes off and the one it had goes back on. So the mailbox says what the case
log says, the next sync finds nothing to refile, and the first filing is restored once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import crash
from bot.errors import UserError
from bot.keys import stable_key
from bot.store.models import Correction, MessageRow
from bot.sync.audit import record_audit
from bot.sync.correction_mail import relabel
from bot.sync.corrections import remove_parties
from bot.sync.learning import teach
from bot.sync.runtime import Runtime
from bot.sync.withdrawing import restore, withdraw_filing

__all__ = ["CorrectionItem", "corrections", "remove_parties", "undo"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CorrectionItem:
    """One correction as listed: ids, names and states only, never a word of the message."""

    ident: int
    at: datetime
    folder: str
    category: str | None
    was: str | None  # the category it was filed as (None: unclassified)
    was_held: bool  # it was waiting in "Needs a look"
    case_id: int | None
    state: str  # refiled | undone
    party: str | None  # the domain added to the party directory
    sender_domain: str


def corrections(session: Session, practice_id: int) -> list[CorrectionItem]:
    """Every correction of the practice, newest first."""
    found = session.execute(
        select(Correction, MessageRow.sender_domain)
        .outerjoin(MessageRow, MessageRow.id == Correction.message_id)
        .where(Correction.practice_id == practice_id)
        .order_by(Correction.id.desc())
    ).all()
    return [
        CorrectionItem(
            ident=c.id,
            at=c.at,
            folder=c.folder,
            category=c.category,
            was=(c.before or {}).get("category"),
            was_held=bool((c.before or {}).get("needs_look")),
            case_id=c.case_id,
            state=c.state,
            party=c.party_domain if c.party_state in ("planned", "written") else None,
            sender_domain=domain or "?",
        )
        for c, domain in found
    ]


def undo(rt: Runtime, ident: int) -> None:
    """Take correction ``ident`` back (module docstring)."""
    with rt.sync_lock(wait=True):
        with rt.sessions.begin() as session:
            correction = session.get(Correction, ident)
            if correction is None or correction.practice_id != rt.practice_id:
                raise UserError(f"no correction {ident}; `chief corrections` lists them")
            if correction.state == "forgotten":
                raise UserError(f"correction {ident}: its case was forgotten; nothing to undo")
            if correction.state != "refiled":
                raise UserError(f"correction {ident} is already undone")
            row = session.get(MessageRow, correction.message_id)
            if row is None:
                raise UserError(f"correction {ident}: its message is no longer in the case log")
            later = session.scalar(
                select(Correction.id).where(
                    Correction.message_id == row.id,
                    Correction.state == "refiled",
                    Correction.id > correction.id,
                )
            )
            if later is not None:
                raise UserError(f"correction {later} was made on top of it: undo {later} first")
            now = rt.now()
            withdraw_filing(session, rt, row, now)
            restore(session, rt, row, correction.before or {}, now)
            if correction.features and correction.label is not None:
                teach(session, rt.practice_id, correction.label, correction.features, -1)
            if correction.party_state == "written":
                correction.party_state = "remove"
            elif correction.party_state == "planned":
                correction.party_state = None  # never written
            correction.state, correction.undone_at = "undone", now
            correction.return_state = "planned"
            relabel(
                session,
                rt,
                correction.provider_id,
                stable_key(correction.key, "undo"),
                correction.category,
                (correction.before or {}).get("category"),
            )
            record_audit(
                session,
                rt,
                "correction.undo",
                correction.key,
                case_id=correction.case_id,
                detail=f"correction {correction.id}",
                actor="practitioner",
            )
        crash.step("undo.commit")
        remove_parties(rt)
