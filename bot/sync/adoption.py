"""Messages filed before their case existed join it when it opens.

Mail is not always read in the order it was sent: a Maildir listed by change time after a
``chmod``, an IMAP folder read in batches, a case log rebuilt by syncing again. A reply or a
decision read before the notice that opens its case finds no case and is logged unfiled
(its rule may file to a case but not open one). When that case opens, such a message is
**adopted**, as it would have been filed had it been read in order:

* a message of the same case kind in the opening message's thread (its References or
  In-Reply-To name the opening message, RFC 5322 §3.6.4); or
* a message whose deadlines were keyed, while it waited, as the case its reference names
  (:func:`bot.sync.planning.waiting_case_key`): the same key the new case gives them.

An adopted message is linked to the case with its event; its rule's status is the case's when
it is the case's latest word; its deadlines and drafts join the case; and what its status
makes moot is closed (:func:`bot.sync.closing.close_moot`). Nothing remote changes: its
deadlines keep their keys, so their calendar entries are neither rewritten nor duplicated.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.rules.schema import CaseAction
from bot.store.models import Case, CaseEvent, Deadline, Draft, Mailbox, MessageRow
from bot.store.times import sent_order, stored_utc
from bot.sync.closing import close_moot
from bot.sync.matching import is_latest
from bot.sync.planning import case_deadline_key
from bot.sync.runtime import Runtime

__all__ = ["adopt_waiting"]


def adopt_waiting(
    session: Session, rt: Runtime, case: Case, opener: MessageRow, now: datetime
) -> int:
    """Adopt into ``case``, just opened by ``opener``, the messages that were waiting for
    it (module docstring), oldest first; returns how many deadlines their statuses closed."""
    waiting = _waiting(session, rt, case, opener)
    closed = 0
    for row in waiting:
        sent = stored_utc(row.received_at) if row.received_at is not None else None
        latest = is_latest(session, case, sent)
        row.case_id = case.id
        row.match_how = "adopted"
        session.add(
            CaseEvent(
                case_id=case.id,
                message_id=row.id,
                event=row.event or "correspondence",
                rule_id=row.rule_id,
                at=sent or now.astimezone(UTC),
            )
        )
        session.execute(
            update(Deadline)
            .where(Deadline.message_id == row.id, Deadline.case_id.is_(None))
            .values(case_id=case.id)
        )
        session.execute(
            update(Draft)
            .where(Draft.message_id == row.id, Draft.case_id.is_(None))
            .values(case_id=case.id)
        )
        status = _status_of(rt, row.rule_id)
        if status is not None and latest:
            case.status = status
            session.flush()
            closed += close_moot(session, rt, case, row, now)
    return closed


def _waiting(session: Session, rt: Runtime, case: Case, opener: MessageRow) -> list[MessageRow]:
    unfiled = (
        select(MessageRow)
        .join(Mailbox, Mailbox.id == MessageRow.mailbox_id)
        .where(
            Mailbox.practice_id == rt.practice_id,
            MessageRow.case_id.is_(None),
            MessageRow.id != opener.id,
            MessageRow.needs_look.is_(None),
        )
    )
    found: dict[int, MessageRow] = {}
    if opener.message_id:
        in_thread = unfiled.where(
            MessageRow.thread_root == opener.message_id, MessageRow.case_kind == case.kind
        )
        found.update((row.id, row) for row in session.scalars(in_thread))
    keys = [case_deadline_key(rt, case.identity, clock) for clock in rt.clocks]
    setters = select(Deadline.message_id).where(
        Deadline.key.in_(keys), Deadline.message_id.is_not(None)
    )
    by_reference = unfiled.where(MessageRow.id.in_(setters))
    found.update((row.id, row) for row in session.scalars(by_reference))
    return sorted(found.values(), key=lambda r: (sent_order(r.received_at), r.id))


def _status_of(rt: Runtime, rule_id: str | None) -> str | None:
    """The case status the rule ``rule_id`` sets (``model:<id>`` for the learned layer's
    stand-in of a generic rule)."""
    if not rule_id:
        return None
    wanted = rule_id.removeprefix("model:")
    rule = rt.rules.by_id.get(wanted)
    if rule is None:
        return None
    action = next((a for a in rule.actions if isinstance(a, CaseAction)), None)
    return action.case.status if action is not None else None
