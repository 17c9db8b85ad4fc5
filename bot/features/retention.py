"""Data retention and erasure: ``[retention]`` after each sync, ``chief forget CASE`` on request.

Terminology
-----------
EXACTLY-ONCE KEY
    A logged message's ``key`` (:func:`bot.sync.pipeline.message_key`). It is what keeps a message
    from being read again as new mail, so it is never erased: a message reduced or forgotten
    here is skipped by every later sync, a full resync included, and the case and drafts it
    once caused are never planned again.
REDUCED
    A message row stripped of what could point back to a person: its Message-ID, thread,
    sender and subject hashes and a payer's reply address are erased; its key and its filing
    (case, category, kind, event, rule, when it was received, the sender's domain) remain, so
    the counts in the summary and ``chief referrers`` still add up.
FORGOTTEN
    A case erased on request (``chief forget``, a subject access or erasure request) or by
    ``closed_case_days``: its references, events, deadlines and their calendar entries, and
    amounts are deleted; its messages keep their key only (not even their filing); its draft
    rows keep their key, template and remote id, never their rendered text, and a draft not yet
    written never will be; audit entries keep their ids and lose their detail, and one
    ``case.forget`` entry is added. The case row stays as a TOMBSTONE (kind and status
    ``forgotten``, no party, no pseudonym, no dates of its own) so that its number, and the
    short id derived from it, is never given to another case.

``[retention] message_days`` reduces messages logged more than N days ago, except while their
case is still in correspondence (a message within the last N days): a reply is threaded and a
chase addressed with them. ``closed_case_days`` forgets cases closed and untouched for N days,
except CME certificates (closed ``cme`` cases: the practitioner's own records, which count
towards a CPD cycle). 0 (the default) keeps everything.

Not reached from here: what chief wrote outside its case log (drafts in the Drafts folder,
calendar entries, delivered summaries and their copies under ``data/summaries``) and the
practitioner's own mailbox; those are the practitioner's to delete.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from bot.store.case_ids import resolve_case_id, short_case_id
from bot.store.models import (
    AuditEvent,
    CalendarEntryRow,
    Case,
    CaseEvent,
    CaseRef,
    Correction,
    Deadline,
    Draft,
    Mailbox,
    MessageRow,
    Payment,
)
from bot.store.note_models import CaseNote, OutboundReferral, ProductMention, ReportDraft
from bot.sync.audit import record_audit
from bot.sync.revising import REVISE
from bot.sync.steps import SyncReport

if TYPE_CHECKING:
    from bot.sync.runtime import Runtime

__all__ = [
    "FORGOTTEN",
    "ForgetReport",
    "RetentionReport",
    "apply_retention",
    "forget_case",
    "forget_case_id",
    "retention_pass",
]

log = logging.getLogger(__name__)

FORGOTTEN = "forgotten"
KEPT_CLOSED_KINDS = frozenset({"cme"})  # the practitioner's own records, no patient in them


@dataclass
class ForgetReport:
    """What forgetting a case removed (or, in a dry run, would remove)."""

    case: str  # short id
    number: int
    already_forgotten: bool = False
    messages: int = 0
    refs: int = 0
    events: int = 0
    deadlines: int = 0
    calendar_entries: int = 0
    drafts: int = 0
    payments: int = 0
    audit_entries: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RetentionReport:
    messages_reduced: int = 0
    cases_forgotten: int = 0


def _count(session: Session, statement: Any) -> int:
    return int(session.execute(statement).rowcount or 0)  # type: ignore[attr-defined]


def _practice_mailboxes(practice_id: int) -> Any:
    return select(Mailbox.id).where(Mailbox.practice_id == practice_id).scalar_subquery()


def forget_case_id(
    session: Session, rt: Runtime, case_id: int, actor: str = "user"
) -> ForgetReport:
    """Forget case ``case_id`` of the practice within ``session`` (the caller commits)."""
    case = session.get(Case, case_id)
    if case is None or case.practice_id != rt.practice_id:
        raise LookupError(case_id)
    report = ForgetReport(case=short_case_id(case_id), number=case_id)
    if case.status == FORGOTTEN:
        report.already_forgotten = True
        return report
    message_ids = set(session.scalars(select(MessageRow.id).where(MessageRow.case_id == case_id)))
    message_ids |= {
        mid
        for mid in session.scalars(select(CaseEvent.message_id).where(CaseEvent.case_id == case_id))
        if mid is not None
    }
    of_case = _of_case(case_id, message_ids)

    deadline_keys = list(session.scalars(select(Deadline.key).where(of_case(Deadline))))
    draft_keys = list(session.scalars(select(Draft.key).where(of_case(Draft))))
    report.calendar_entries = _count_deleted(
        session,
        CalendarEntryRow,
        CalendarEntryRow.key.in_(deadline_keys),
        CalendarEntryRow.practice_id == rt.practice_id,
    )
    report.deadlines = _count_deleted(session, Deadline, of_case(Deadline))
    report.payments = _count_deleted(session, Payment, of_case(Payment))
    report.events = _count_deleted(session, CaseEvent, CaseEvent.case_id == case_id)
    report.refs = _count_deleted(session, CaseRef, CaseRef.case_id == case_id)
    # Her notes on it (sealed), the reports drafted from them and the referrals it sent out.
    for model in (CaseNote, ReportDraft, OutboundReferral, ProductMention):
        _count_deleted(session, model, model.case_id == case_id)
    # A draft keeps its key (the remote copy carries it) and never its text nor what it was
    # rendered from; one not yet written (planned, or failed and waiting) is dropped.
    report.drafts = len(draft_keys)
    session.execute(
        update(Draft)
        .where(of_case(Draft), Draft.state.in_(("planned", "failed")))
        .values(state=FORGOTTEN)
        .execution_options(synchronize_session=False)
    )
    session.execute(  # a replacement not carried out: the mailbox's copy is what it is
        update(Draft)
        .where(of_case(Draft), Draft.state == REVISE)
        .values(state="written")
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Draft)
        .where(of_case(Draft))
        .values(raw=None, source=None, error=None, case_id=None)
        .execution_options(synchronize_session=False)
    )
    # A correction of its mail, or of mail once filed on it, keeps no record of the filing it
    # replaced (references, entries): it can no longer be undone.
    for correction in session.scalars(
        select(Correction).where(Correction.practice_id == rt.practice_id)
    ):
        before = correction.before or {}
        if (
            correction.case_id == case_id
            or correction.message_id in message_ids
            or before.get("case_id") == case_id
        ):
            correction.before, correction.state = None, FORGOTTEN
    if message_ids:
        report.messages = _count(
            session,
            update(MessageRow)
            .where(MessageRow.id.in_(message_ids))
            .values(
                **_REDUCED,
                received_at=None,
                sender_domain="",
                category=None,
                case_kind=None,
                event=None,
                rule_id=None,
                case_id=None,
                match_how=None,
            )
            .execution_options(synchronize_session=False),
        )
    # Entries written before the trail named cases are linked through their keys.
    report.audit_entries = _count(
        session,
        update(AuditEvent)
        .where(
            AuditEvent.practice_id == rt.practice_id,
            or_(
                AuditEvent.case_id == case_id,
                AuditEvent.target.in_([*draft_keys, *deadline_keys]),
            ),
        )
        .values(case_id=case_id, detail=None)
        .execution_options(synchronize_session=False),
    )
    now = rt.now()
    # Its key is a hash of a reference or a Message-ID: gone with them.
    case.kind, case.status, case.closed, case.key = FORGOTTEN, FORGOTTEN, True, None
    case.party_id, case.patient_pseudonym = None, None
    case.opened_at = case.updated_at = now
    summary = report.as_dict()
    record_audit(
        session,
        rt,
        "case.forget",
        report.case,
        case_id=case_id,
        actor=actor,
        detail=json.dumps(
            {k: v for k, v in summary.items() if type(v) is int and k != "number"},
            sort_keys=True,
        ),
    )
    session.flush()
    session.expire_all()  # relationships loaded before the bulk statements are stale
    log.info("case %s forgotten by %s", case_id, actor)
    return report


def _of_case(case_id: int, message_ids: set[int]) -> Any:
    """A where-clause maker: rows of ``model`` on the case or from one of its messages."""

    def clause(model: Any) -> Any:
        on_case = model.case_id == case_id
        return or_(on_case, model.message_id.in_(message_ids)) if message_ids else on_case

    return clause


def _count_deleted(session: Session, model: Any, *where: Any) -> int:
    return _count(session, delete(model).where(*where).execution_options(synchronize_session=False))


# What reducing a message erases (forgetting erases its filing as well).
_REDUCED: dict[str, Any] = {
    "message_id": None,
    "thread_root": None,
    "sender_hash": "",
    "subject_hash": "",
    "reply_address": None,
}


def forget_case(rt: Runtime, ident: str, *, dry_run: bool = False) -> ForgetReport:
    """``chief forget``: forget the case ``ident`` names (short id or number), holding the
    practice's sync lock so no sync files mail on it meanwhile. ``dry_run`` counts only."""
    with rt.sync_lock(wait=True), rt.sessions() as session:
        ids = session.scalars(select(Case.id).where(Case.practice_id == rt.practice_id)).all()
        case_id = resolve_case_id(ident, ids)
        report = forget_case_id(session, rt, case_id, actor="user")
        if dry_run:
            session.rollback()
        else:
            session.commit()
    return report


def _stale_messages(rt: Runtime, cutoff: datetime) -> Any:
    """Messages logged before ``cutoff`` whose case (if any) has had no message since."""
    active = select(Case.id).where(
        Case.practice_id == rt.practice_id,
        Case.closed.is_(False),
        Case.updated_at >= _case_clock(rt, cutoff),
    )
    return (
        MessageRow.mailbox_id.in_(_practice_mailboxes(rt.practice_id)),
        MessageRow.logged_at < cutoff,
        or_(MessageRow.case_id.is_(None), MessageRow.case_id.not_in(active)),
        or_(
            MessageRow.message_id.is_not(None),
            MessageRow.thread_root.is_not(None),
            MessageRow.sender_hash != "",
            MessageRow.subject_hash != "",
            MessageRow.reply_address.is_not(None),
        ),
    )


def _case_clock(rt: Runtime, moment: datetime) -> datetime:
    """``moment`` as a case's times are written (the practice's clock, ``rt.now()``; a message's
    are in UTC), so that SQLite, which keeps neither zone, compares like with like."""
    return moment.astimezone(rt.tz)


def reduce_messages(session: Session, rt: Runtime, cutoff: datetime) -> int:
    """Reduce every message of the practice logged before ``cutoff`` (see REDUCED)."""
    return _count(
        session,
        update(MessageRow)
        .where(*_stale_messages(rt, cutoff))
        .values(**_REDUCED)
        .execution_options(synchronize_session=False),
    )


def closed_cases(session: Session, rt: Runtime, cutoff: datetime) -> Sequence[int]:
    """Cases closed and untouched since ``cutoff``, CME certificates and tombstones aside."""
    return session.scalars(
        select(Case.id).where(
            Case.practice_id == rt.practice_id,
            Case.closed.is_(True),
            Case.updated_at < _case_clock(rt, cutoff),
            Case.status != FORGOTTEN,
            Case.kind.not_in(sorted(KEPT_CLOSED_KINDS)),
        )
    ).all()


def apply_retention(rt: Runtime, now: datetime | None = None) -> RetentionReport:
    """Apply ``[retention]`` once, in one transaction (a sync pass calls it last)."""
    report = RetentionReport()
    policy = rt.config.retention
    if not policy.message_days and not policy.closed_case_days:
        return report
    moment = (now or rt.now()).astimezone(UTC)
    with rt.sessions.begin() as session:
        if policy.closed_case_days:
            cutoff = moment - timedelta(days=policy.closed_case_days)
            for case_id in closed_cases(session, rt, cutoff):
                forget_case_id(session, rt, case_id, actor="retention")
                report.cases_forgotten += 1
        if policy.message_days:
            cutoff = moment - timedelta(days=policy.message_days)
            report.messages_reduced = reduce_messages(session, rt, cutoff)
    if report.messages_reduced or report.cases_forgotten:
        log.info(
            "retention: %d message(s) reduced, %d case(s) forgotten",
            report.messages_reduced,
            report.cases_forgotten,
        )
    return report


def retention_pass(rt: Runtime, report: SyncReport) -> None:
    """Practice pass, last: ``[retention]`` once this pass's mail is filed and written."""
    apply_retention(rt)
