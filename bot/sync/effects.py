"""Applying planned actions to the outside world, exactly once.

The order is the journal's (after mbsync): the intent is already committed with its key
(:mod:`bot.sync.planning`); here we look for the key on the remote side first (a previous run may
have written it and crashed before recording so), write only if absent, then record the
remote id and an audit entry (:mod:`bot.sync.audit`: with the connector, the case and the rule that
planned it). A crash at any point leaves either an intent that the next run completes, or a
done row: never a second draft or event.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import crash
from bot.calendar.payload import entry_from_payload
from bot.errors import ConnectorError
from bot.keys import stable_key
from bot.store.models import CalendarEntryRow, Deadline, Draft, MessageRow
from bot.sync.audit import connector_name, record_audit
from bot.sync.planning import draft_key
from bot.sync.runtime import Runtime
from bot.sync.steps import SyncReport
from connectors.base import CalendarSink, DraftSink, OutgoingDraft

__all__ = ["EffectsReport", "apply_pending", "effects_pass"]

log = logging.getLogger(__name__)


@dataclass
class EffectsReport:
    drafts_written: int = 0
    drafts_found: int = 0
    calendar_written: int = 0
    errors: list[str] = field(default_factory=list)


def _draft_cause(session: Session, rt: Runtime, draft: Draft) -> tuple[int | None, str | None]:
    """(case id, rule) of a draft: the rule is its message's when the rule planned it (its key
    is the one planning derives, or was before drafts' keys were keyed), none for a draft
    planned otherwise (a booking chase)."""
    message = session.get(MessageRow, draft.message_id)
    if message is None:
        return draft.case_id, None
    planned = (
        draft_key(rt, message.key, draft.template),
        stable_key(message.key, "draft", draft.template),
    )
    return draft.case_id, message.rule_id if draft.key in planned else None


def _calendar_causes(
    session: Session, rows: Sequence[CalendarEntryRow]
) -> dict[str, tuple[int | None, str | None]]:
    """key → (case id, rule) of the deadline entries among ``rows`` (an entry of a deadline
    shares its key); invitations and register reminders have neither."""
    keys = [row.key for row in rows if row.source == "deadline"]
    if not keys:
        return {}
    found = session.execute(
        select(Deadline.key, Deadline.case_id, MessageRow.rule_id)
        .outerjoin(MessageRow, MessageRow.id == Deadline.message_id)
        .where(Deadline.key.in_(keys))
    ).all()
    return {key: (case_id, rule) for key, case_id, rule in found}


def apply_drafts(rt: Runtime, sink: DraftSink, report: EffectsReport) -> None:
    with rt.sessions() as session:
        pending = session.scalars(
            select(Draft)
            .where(Draft.practice_id == rt.practice_id, Draft.state == "planned")
            .order_by(Draft.id)
        ).all()
        connector = connector_name(rt, "mail")
        for draft in pending:
            if draft.raw is None:
                continue
            case_id, rule = _draft_cause(session, rt, draft)
            try:
                remote = sink.find_draft(draft.key)
                if remote is None:
                    remote = sink.create_draft(OutgoingDraft(key=draft.key, raw=draft.raw))
                    crash.step("draft.remote")
                    report.drafts_written += 1
                    action = "draft.create"
                else:
                    report.drafts_found += 1
                    action = "draft.reconcile"
            except ConnectorError as exc:
                report.errors.append(f"draft {draft.key}: {exc}")
                log.warning("draft %s not written: %s", draft.key, type(exc).__name__)
                continue
            record_audit(
                session,
                rt,
                action,
                draft.key,
                remote_id=remote,
                connector=connector,
                case_id=case_id,
                rule=rule,
            )
            draft.state, draft.remote_id, draft.raw = "written", remote, None
            session.commit()
            crash.step("draft.commit")


def apply_calendar(rt: Runtime, sink: CalendarSink, report: EffectsReport) -> None:
    with rt.sessions() as session:
        pending = session.scalars(
            select(CalendarEntryRow)
            .where(
                CalendarEntryRow.practice_id == rt.practice_id,
                CalendarEntryRow.state == "planned",
            )
            .order_by(CalendarEntryRow.id)
        ).all()
        if not pending:
            return
        entries = [entry_from_payload(row.payload) for row in pending]
        try:
            remote_ids = sink.upsert_events(entries)
            crash.step("calendar.remote")
        except ConnectorError as exc:
            report.errors.append(f"calendar: {exc}")
            log.warning("calendar entries not written: %s", type(exc).__name__)
            return
        connector = connector_name(rt, "calendar")
        causes = _calendar_causes(session, pending)
        for row, remote in zip(pending, remote_ids, strict=True):
            row.state, row.remote_id = "written", remote
            case_id, rule = causes.get(row.key, (None, None))
            record_audit(
                session,
                rt,
                "calendar.upsert",
                row.key,
                remote_id=remote,
                connector=connector,
                case_id=case_id,
                rule=rule,
                detail=row.source,
            )
        report.calendar_written += len(pending)
        session.commit()
        crash.step("calendar.commit")


def apply_pending(rt: Runtime) -> EffectsReport:
    """Write every planned draft and calendar entry; safe to call at any time, any number."""
    report = EffectsReport()
    apply_drafts(rt, rt.mail(), report)
    apply_calendar(rt, rt.calendar(), report)
    return report


def effects_pass(rt: Runtime, report: SyncReport) -> None:
    """Practice pass: write what the passes before it planned."""
    effects = apply_pending(rt)
    report.drafts_written += effects.drafts_written
    report.calendar_written += effects.calendar_written
    report.errors.extend(effects.errors)
