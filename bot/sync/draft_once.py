"""One draft per decision: none for a matter already decided, one per case and purpose.

A draft answers what a message asks, and a later message on the same case can settle it: an
appeal drafted for a denial whose appeal has since been decided, the chase of a prior
authorisation approved meanwhile, a claim-status query for a claim since paid. And the same ask
repeated (a second "pended" notice, a solicitor's second chaser, a team asking twice) needs one
answer, not two. So, for a message filed to a case:

A matter is the message's case or its thread (the order mail is read in decides how it is
filed: a decision read before the ask it answers may be filed on no case, but it is in the
ask's thread).

- **already decided**: when a message of the matter received *after* this one (mail read out
  of order, a rebuilt case log) was filed by a rule that decides it (its ``case: {status: ...}``
  is one of :data:`DECISIONS`: approved, paid, an appeal won or lost, denied...), this
  message plans no draft;
- **decided now**: when this message decides its matter, every draft of the matter that
  earlier messages planned and that is not written yet becomes ``moot`` (never written; the
  reason is kept in ``error``): the drafts the decision itself plans (an upheld appeal's next
  level) are the ones that stand;
- **the same ask again**: a draft of the matter from the same template, planned by another
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
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.rules.schema import CaseAction
from bot.store.models import Case, Draft, MessageRow
from bot.store.times import stored_utc
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


def deciding_rules(rules: Iterable[Any]) -> frozenset[str]:
    """The ids of the rules whose case status decides a case (:data:`DECISIONS`)."""
    out = set()
    for rule in rules:
        for action in rule.actions:
            if isinstance(action, CaseAction) and action.case.status in DECISIONS:
                out.add(rule.id)
    return frozenset(out)


def _same_matter(case: Case | None, row: MessageRow) -> Any:
    """Messages of ``row``'s matter: its case, or its thread (its thread root, or the message
    that is that root). Both, because the order mail is read in decides how it is filed: a
    decision read before the case it decides is opened is filed nowhere, yet is in the thread."""
    root = row.thread_root or row.message_id
    clauses = [MessageRow.case_id == case.id] if case is not None else []
    if root:
        clauses += [MessageRow.thread_root == root, MessageRow.message_id == root]
    return or_(*clauses) if clauses else None


def decided_later(
    session: Session, case: Case | None, row: MessageRow, deciding: Collection[str]
) -> bool:
    """The matter of ``row`` was decided by a message received after it: one filed by a rule
    among ``deciding`` (:func:`deciding_rules`)."""
    matter = _same_matter(case, row)
    if matter is None or row.received_at is None:
        return False
    received = stored_utc(row.received_at)
    assert received is not None
    later = session.execute(
        select(MessageRow.received_at, MessageRow.rule_id).where(matter, MessageRow.id != row.id)
    ).all()
    return any(rule in deciding and (stored_utc(at) or received) > received for at, rule in later)


def _moot(draft: Draft, reason: str) -> None:
    draft.state, draft.error, draft.raw, draft.source = MOOT, reason[:300], None, None
    log.debug("draft %s moot: %s", draft.id, reason)


def same_ask_answered(session: Session, case: Case | None, row: MessageRow, template: str) -> bool:
    """Whether a draft of ``template`` answering the same ask on ``case`` stands already (a
    written one, or one of an earlier message); an unwritten one of a later message is made
    moot here, replaced by the one about to be planned for the earlier ask."""
    matter = _same_matter(case, row)
    if matter is None:
        return False
    earlier = session.execute(
        select(Draft, MessageRow.event, MessageRow.received_at)
        .join(MessageRow, MessageRow.id == Draft.message_id)
        .where(
            matter,
            Draft.template == template,
            Draft.message_id != row.id,
            Draft.state.in_(("written", *_UNWRITTEN)),
        )
    ).all()
    mine = stored_utc(row.received_at)
    for draft, event, received in earlier:
        if event != row.event:
            continue  # another step of the matter: its own answer
        if draft.state == "written":
            return True
        theirs = stored_utc(received)
        if mine is None or theirs is None or theirs <= mine:
            return True
        _moot(draft, f"the same {row.event or 'ask'} answered by an earlier message's draft")
    return False


def drop_moot_drafts(
    session: Session, case: Case | None, row: MessageRow, deciding: Collection[str]
) -> int:
    """Make moot the unwritten drafts of ``row``'s matter (its case or thread) that earlier
    messages planned, when ``row`` decides it (its rule is among ``deciding``, or it left its
    case in a deciding status); how many."""
    decided = row.rule_id in deciding or (case is not None and case.status in DECISIONS)
    matter = _same_matter(case, row)
    if not decided or matter is None:
        return 0
    status = (case.status if case is not None else None) or "decided"
    mine = stored_utc(row.received_at)
    dropped = 0
    for draft, received in session.execute(
        select(Draft, MessageRow.received_at)
        .join(MessageRow, MessageRow.id == Draft.message_id)
        .where(matter, Draft.message_id != row.id, Draft.state.in_(_UNWRITTEN))
    ).all():
        theirs = stored_utc(received)
        if mine is not None and theirs is not None and theirs > mine:
            continue  # a newer message's draft: not settled by an older decision
        _moot(draft, f"moot: the case was {status.replace('_', ' ')} since")
        dropped += 1
    return dropped
