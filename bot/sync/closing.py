"""Open deadlines close themselves, visibly: by a case's new status, by the practitioner's
sent reply, or by hand.

A deadline kept open for a matter already decided is a false alarm that buries the real ones
(the demo's overdue list held approved and paid cases). Three things close one:

1. **a status that decides the case**: approved, authorised, paid (a claim, or the expert's
   fee), an appeal won, settled, renewed or closed make every open deadline of the case moot
   (the chase of an approved prior auth, the status chase of a paid claim); an appeal decided
   against the practice closes the appeal and peer-to-peer windows set before it (the next
   level's window is planned by the message that decides it); any decision, a denial
   included, ends the wait for the payer's decision (purpose ``decision``);
2. **a reply the practitioner sent** in the case's thread, or to the case's party quoting its
   reference (``bot.features.sent_replies``), closes the case's acknowledgement and response
   deadlines (purpose ``reply``), never an appeal or a payer's own decision date;
3. **by hand**: ``chief deadlines done ID``.

Each keeps why and when (``closed: approved on 3 Oct 2026``), and its calendar entry is
replanned as closed, so the calendar stops alarming.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import Case, Deadline, MessageRow
from bot.sync.planning import plan_calendar_entry
from bot.sync.runtime import Runtime
from connectors.base import CalendarEntry

__all__ = [
    "DECIDING_STATUSES",
    "close_answered",
    "close_by_hand",
    "close_deadline",
    "close_moot",
    "purpose_of",
]

log = logging.getLogger(__name__)

# Statuses after which nothing on the case is still owed (rules/*.yaml `case: {status: ...}`).
DECIDING_STATUSES = frozenset(
    {"approved", "authorised", "paid", "fee_paid", "appeal_won", "settled", "renewed", "closed"}
)
# A decision on an appeal: the windows to make that appeal, or to discuss the decision with
# the reviewer, are spent (the next level's window is set by the decision itself).
APPEAL_DECIDED = frozenset({"appeal_denied", "appeal_won"})
# Any decision ends the wait for one: the payer's decision-due date (purpose ``decision``).
DECISIONS = DECIDING_STATUSES | APPEAL_DECIDED | {"denied", "declined"}


def purpose_of(rt: Runtime, clock_id: str) -> str:
    """The purpose of a deadline's clock (``stated.appeal`` -> ``appeal``)."""
    if clock_id.startswith("stated"):
        return clock_id.partition(".")[2] or "reply"
    clock = rt.clocks.get(clock_id)
    return clock.purpose if clock is not None else "reply"


def close_deadline(
    session: Session, rt: Runtime, deadline: Deadline, reason: str, when: datetime
) -> bool:
    """Close ``deadline`` with ``reason`` (a few words, never a value from mail); replan its
    calendar entry as closed. False if it was already closed."""
    if deadline.done:
        return False
    deadline.done = True
    deadline.closed_at = when
    deadline.closed_reason = reason[:200]
    entry = CalendarEntry(
        key=deadline.key,
        summary=f"Closed: {deadline.title}"[:250],
        start=deadline.due,
        end=deadline.due + timedelta(days=1),
        description=f"Closed: {reason}.",
        alarms=(),
        categories=("deadline",),
    )
    plan_calendar_entry(session, rt, entry, "deadline")
    log.debug("deadline %s closed (%s)", deadline.id, reason)
    return True


def _open(session: Session, case: Case) -> list[Deadline]:
    return list(
        session.scalars(
            select(Deadline).where(Deadline.case_id == case.id, Deadline.done.is_(False))
        )
    )


def close_moot(
    session: Session, rt: Runtime, case: Case | None, row: MessageRow, when: datetime
) -> int:
    """Close what ``case``'s status (just set by the message ``row``) makes moot; returns how
    many closed. Short of a deciding status, deadlines this message itself set are kept (an
    upheld appeal's next level)."""
    if case is None or case.status not in DECISIONS:
        return 0
    day = (row.received_at or when).date()
    reason = f"{case.status.replace('_', ' ')} on {_day(day)}"
    decided = case.status in DECIDING_STATUSES
    spent = {"decision"} | ({"appeal", "peer_to_peer"} if case.status in APPEAL_DECIDED else set())
    closed = 0
    for deadline in _open(session, case):
        if decided or deadline.message_id != row.id and purpose_of(rt, deadline.clock) in spent:
            closed += close_deadline(session, rt, deadline, reason, when)
    return closed


def close_answered(session: Session, rt: Runtime, case: Case, sent_on: date, when: datetime) -> int:
    """Close ``case``'s acknowledgement and response deadlines after a reply sent on
    ``sent_on``: only those set on or before that day (a reply cannot answer a later ask)."""
    closed = 0
    for deadline in _open(session, case):
        if purpose_of(rt, deadline.clock) != "reply":
            continue
        setter = session.get(MessageRow, deadline.message_id) if deadline.message_id else None
        asked = setter.received_at if setter is not None else None
        if asked is not None and asked.date() > sent_on:
            continue
        closed += close_deadline(session, rt, deadline, f"reply sent on {_day(sent_on)}", when)
    return closed


def close_by_hand(session: Session, rt: Runtime, deadline: Deadline, when: datetime) -> bool:
    """``chief deadlines done ID``."""
    return close_deadline(session, rt, deadline, f"done by hand on {_day(when.date())}", when)


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"
