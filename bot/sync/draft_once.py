"""One draft per decision: none for a matter already decided, one per case and purpose.

A draft answers what a message asks, and a later message on the same case can settle it: an
appeal drafted for a denial whose appeal has since been decided, the chase of a prior
authorisation approved meanwhile, a claim-status query for a claim since paid. And the same ask
repeated (a second "pended" notice, a solicitor's second chaser, a team asking twice) needs one
answer, not two. So, for a message filed to a case:

- **already decided**: when a message of the case received *after* this one (mail read out of
  order, a rebuilt case log) was filed by a rule that decides it (its ``case: {status: ...}``
  is one of :data:`DECISIONS`: approved, paid, an appeal won or lost, denied...), this
  message plans no draft;
- **decided now**: when this message sets such a status, every draft of the case that earlier
  messages planned and that is not written yet becomes ``moot`` (never written; the reason is
  kept in ``error``): the drafts the decision itself plans (an upheld appeal's next level) are
  the ones that stand;
- **the same ask again**: a draft of the case from the same template, planned by another
  message with the same event, is one answer for both: the first ask's draft stands (as it
  would have been written when that ask arrived), so a later ask plans none, and an earlier
  ask read after a later one's unwritten draft replaces it (that one is made ``moot``). The
  outcome is the same whatever order the mail is read in, so a case log rebuilt by syncing
  again finds the drafts already written rather than writing others.

A draft already written is never touched: it is in the practitioner's Drafts folder, hers.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.rules.schema import CaseAction
from bot.store.models import Case, CaseEvent, Draft, MessageRow
from bot.sync.retries import FAILED

__all__ = [
    "DECISIONS",
    "MOOT",
    "decided_later",
    "deciding_rules",
    "drop_moot_drafts",
    "same_ask_answered",
]

log = logging.getLogger(__name__)

MOOT = "moot"
_UNWRITTEN = ("planned", FAILED)
# The statuses that decide a case's pending ask (rules/*.yaml `case: {status: ...}`); the same
# as bot.sync.closing.DECISIONS, which closes the case's deadlines on them.
DECISIONS = frozenset(
    {
        "approved",
        "authorised",
        "paid",
        "fee_paid",
        "appeal_won",
        "appeal_denied",
        "settled",
        "renewed",
        "closed",
        "denied",
        "declined",
    }
)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def deciding_rules(rules: Iterable[Any]) -> frozenset[str]:
    """The ids of the rules whose case status decides a case (:data:`DECISIONS`)."""
    out = set()
    for rule in rules:
        for action in rule.actions:
            if isinstance(action, CaseAction) and action.case.status in DECISIONS:
                out.add(rule.id)
    return frozenset(out)


def decided_later(
    session: Session, case: Case | None, row: MessageRow, deciding: Collection[str]
) -> bool:
    """``case`` was decided by a message received after ``row``: one filed by a rule among
    ``deciding`` (:func:`deciding_rules`)."""
    if case is None or row.received_at is None:
        return False
    received = _aware(row.received_at)
    assert received is not None
    later = session.execute(
        select(MessageRow.received_at, MessageRow.rule_id)
        .join(CaseEvent, CaseEvent.message_id == MessageRow.id)
        .where(CaseEvent.case_id == case.id, MessageRow.id != row.id)
    ).all()
    return any(rule in deciding and (_aware(at) or received) > received for at, rule in later)


def _moot(draft: Draft, reason: str) -> None:
    draft.state, draft.error, draft.raw, draft.source = MOOT, reason[:300], None, None
    log.debug("draft %s moot: %s", draft.id, reason)


def same_ask_answered(session: Session, case: Case | None, row: MessageRow, template: str) -> bool:
    """Whether a draft of ``template`` answering the same ask on ``case`` stands already (a
    written one, or one of an earlier message); an unwritten one of a later message is made
    moot here, replaced by the one about to be planned for the earlier ask."""
    if case is None:
        return False
    earlier = session.execute(
        select(Draft, MessageRow.event, MessageRow.received_at)
        .join(MessageRow, MessageRow.id == Draft.message_id)
        .where(
            Draft.case_id == case.id,
            Draft.template == template,
            Draft.message_id != row.id,
            Draft.state.in_(("written", *_UNWRITTEN)),
        )
    ).all()
    mine = _aware(row.received_at)
    for draft, event, received in earlier:
        if event != row.event:
            continue  # another step of the matter: its own answer
        if draft.state == "written":
            return True
        theirs = _aware(received)
        if mine is None or theirs is None or theirs <= mine:
            return True
        _moot(draft, f"the same {row.event or 'ask'} answered by an earlier message's draft")
    return False


def drop_moot_drafts(session: Session, case: Case | None, row: MessageRow) -> int:
    """Make moot the unwritten drafts of ``case`` that earlier messages planned, when the
    message ``row`` decides it; how many."""
    if case is None or case.status not in DECISIONS:
        return 0
    mine = _aware(row.received_at)
    dropped = 0
    for draft, received in session.execute(
        select(Draft, MessageRow.received_at)
        .join(MessageRow, MessageRow.id == Draft.message_id)
        .where(
            Draft.case_id == case.id,
            Draft.message_id != row.id,
            Draft.state.in_(_UNWRITTEN),
        )
    ).all():
        theirs = _aware(received)
        if mine is not None and theirs is not None and theirs > mine:
            continue  # a newer message's draft: not settled by an older decision
        _moot(draft, f"moot: the case was {case.status.replace('_', ' ')} since")
        dropped += 1
    return dropped
