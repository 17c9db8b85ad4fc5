"""Taking a filing back: what a message set off is withdrawn, and can be restored.

A correction (:mod:`bot.sync.corrections`) withdraws the wrong filing of a message before it
files it again, and ``chief corrections undo`` withdraws the corrected filing before it
restores the first one. In the case log, in the caller's transaction:

- the message's link to its case is removed (its case event deleted); a case the message
  opened and nothing else is on is closed as ``withdrawn``, its references set aside so the
  right case can take them;
- the message's open deadlines are closed ("withdrawn: refiled by a correction"), and each
  calendar entry already written is rewritten as withdrawn (an upsert, by its key: the
  calendar sink's own exactly-once path), one not yet written is never written;
- its drafts not yet written are never written; a written one is marked ``withdraw``, for
  :func:`apply_withdrawals` to remove from the Drafts folder, *only if the mailbox's copy is
  still what chief wrote* (:func:`connectors.base.draft_digest`), else it is ``kept``: a
  draft the practitioner has edited is never removed.

:func:`filing_of` records all of it (ids, states, payloads) and :func:`restore` puts it back.

The remote removal follows the journal order of :mod:`bot.sync.effects`: the intent is
committed first (state ``withdraw``), the draft is read back and removed, then the row is
recorded ``withdrawn`` with an audit entry. A crash between the removal and the record finds
the draft gone on the rerun and records it then: removed once, recorded once.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import crash
from bot.calendar.payload import payload_hash
from bot.errors import ConnectorError
from bot.keys import key_hash
from bot.store.models import CalendarEntryRow, Case, CaseEvent, CaseRef, Deadline, Draft, MessageRow
from bot.store.times import stored_utc
from bot.sync.audit import connector_name, record_audit
from bot.sync.retries import Failures
from bot.sync.runtime import Runtime
from connectors.base import WithdrawsDrafts, draft_digest

__all__ = ["WITHDRAWN_REASON", "apply_withdrawals", "restore", "withdraw_filing"]

log = logging.getLogger(__name__)

WITHDRAWN_REASON = "withdrawn: refiled by a correction"
_WITHDRAWN_PREFIX = "Withdrawn: "


def withdraw_filing(
    session: Session, rt: Runtime, row: MessageRow, now: datetime
) -> dict[str, Any]:
    """Withdraw what ``row``'s filing set off (module docstring); returns what it was, for
    :func:`restore`."""
    before: dict[str, Any] = {
        "category": row.category,
        "case_kind": row.case_kind,
        "event": row.event,
        "rule_id": row.rule_id,
        "source": row.source,
        "confidence": row.confidence,
        "needs_look": row.needs_look,
        "case_id": row.case_id,
        "match_how": row.match_how,
        "events": [],
        "case_closed": None,
        "refs": [],
        "deadlines": [],
        "calendar": {},
        "drafts": {},
    }
    for event in session.scalars(select(CaseEvent).where(CaseEvent.message_id == row.id)).all():
        before["events"].append(
            {"case_id": event.case_id, "event": event.event, "rule_id": event.rule_id,
             "at": stored_utc(event.at).isoformat()}
        )  # fmt: skip
        session.delete(event)
    case = session.get(Case, row.case_id) if row.case_id is not None else None
    row.case_id = None
    session.flush()
    if case is not None and row.match_how == "opened" and not case.closed:
        others = session.scalar(select(MessageRow.id).where(MessageRow.case_id == case.id).limit(1))
        if others is None:
            before["case_closed"] = {"id": case.id, "status": case.status}
            case.closed, case.status, case.updated_at = True, "withdrawn", now
            for ref in list(case.refs):
                before["refs"].append({"name": ref.name, "value": ref.value})
                session.delete(ref)
    for deadline in session.scalars(
        select(Deadline).where(Deadline.message_id == row.id, Deadline.done.is_(False))
    ).all():
        before["deadlines"].append(deadline.id)
        deadline.done, deadline.closed_at, deadline.closed_reason = True, now, WITHDRAWN_REASON
        entry = session.scalar(select(CalendarEntryRow).where(CalendarEntryRow.key == deadline.key))
        if entry is None:
            continue
        before["calendar"][entry.key] = {"state": entry.state, "payload": entry.payload}
        if entry.state == "written":
            payload = dict(entry.payload)
            payload["summary"] = _WITHDRAWN_PREFIX + str(payload.get("summary", ""))
            entry.payload, entry.summary_hash = payload, payload_hash(payload)
            entry.state = "planned"
        else:
            entry.state = "withdrawn"
    for draft in session.scalars(select(Draft).where(Draft.message_id == row.id)).all():
        if draft.state in ("planned", "failed"):
            before["drafts"][str(draft.id)] = draft.state
            draft.state = "withdrawn"
        elif draft.state == "written":
            before["drafts"][str(draft.id)] = draft.state
            draft.state = "withdraw"
    return before


def restore(
    session: Session, rt: Runtime, row: MessageRow, before: dict[str, Any], now: datetime
) -> None:
    """Put back the filing :func:`withdraw_filing` recorded in ``before`` (``row`` having been
    withdrawn from whatever it was filed as since)."""
    for name in ("category", "case_kind", "event", "rule_id", "source", "confidence", "needs_look"):
        setattr(row, name, before.get(name))
    row.match_how = before.get("match_how")
    closed = before.get("case_closed")
    if closed:
        case = session.get(Case, closed["id"])
        if case is not None:
            case.closed, case.status, case.updated_at = False, closed["status"], now
            for ref in before.get("refs", ()):
                taken = session.scalar(
                    select(CaseRef.id).where(
                        CaseRef.practice_id == rt.practice_id,
                        CaseRef.name == ref["name"],
                        CaseRef.value == ref["value"],
                    )
                )
                if taken is None:
                    case.refs.append(
                        CaseRef(practice_id=rt.practice_id, name=ref["name"], value=ref["value"])
                    )
    case_id = before.get("case_id")
    if case_id is not None and session.get(Case, case_id) is not None:
        row.case_id = case_id
        for event in before.get("events", ()):
            session.add(
                CaseEvent(
                    case_id=event["case_id"],
                    message_id=row.id,
                    event=event["event"],
                    rule_id=event["rule_id"],
                    at=datetime.fromisoformat(event["at"]),
                )
            )
    for deadline_id in before.get("deadlines", ()):
        deadline = session.get(Deadline, deadline_id)
        if deadline is None or deadline.closed_reason != WITHDRAWN_REASON:
            continue
        deadline.done, deadline.closed_at, deadline.closed_reason = False, None, None
    for key, was in before.get("calendar", {}).items():
        entry = session.scalar(select(CalendarEntryRow).where(CalendarEntryRow.key == key))
        if entry is None:
            continue
        entry.payload, entry.summary_hash = was["payload"], payload_hash(was["payload"])
        entry.state = "planned"  # written again as it was (or for the first time)
    for draft_id, state in before.get("drafts", {}).items():
        draft = session.get(Draft, int(draft_id))
        if draft is None:
            continue
        if draft.state == "withdrawn" and state in ("planned", "failed"):
            draft.state = state  # never written: written now, as it would have been
        elif draft.state == "withdrawn" and draft.raw is not None:
            draft.state = "planned"  # removed by the correction: written again
        elif draft.state in ("withdraw", "kept"):
            draft.state = "written"  # never removed: it is still in the Drafts folder


def apply_withdrawals(rt: Runtime, sink: WithdrawsDrafts, failures: Failures) -> int:
    """Remove the drafts marked ``withdraw`` that the practitioner has not edited; how many
    were removed. An edited one is marked ``kept`` and stays where it is."""
    removed = 0
    with rt.sessions() as session:
        pending = session.scalars(
            select(Draft)
            .where(Draft.practice_id == rt.practice_id, Draft.state == "withdraw")
            .order_by(Draft.id)
        ).all()
        connector = connector_name(rt, "mail")
        for draft in pending:
            try:
                content = sink.draft_content(draft.key)
                if content is None:
                    action = "draft.gone"
                elif draft.written_digest is None or draft_digest(content) != draft.written_digest:
                    action = "draft.kept"
                else:
                    draft.raw = content  # what undo writes again, kept before it goes
                    session.commit()
                    sink.delete_draft(draft.key)
                    crash.step("withdraw.remote")
                    removed += 1
                    action = "draft.withdraw"
            except ConnectorError as exc:
                failures.add("draft withdrawal", exc)
                log.debug("draft %s not withdrawn: %s", key_hash(draft.key), type(exc).__name__)
                continue
            draft.state = "kept" if action == "draft.kept" else "withdrawn"
            record_audit(
                session,
                rt,
                action,
                draft.key,
                remote_id=draft.remote_id,
                connector=connector,
                case_id=draft.case_id,
                detail="correction",
            )
            session.commit()
            crash.step("withdraw.commit")
    return removed
