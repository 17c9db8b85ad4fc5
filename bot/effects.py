"""Applying planned actions to the outside world, exactly once.

The order is the journal's (after mbsync): the intent is already committed with its key
(:mod:`bot.planning`); here we look for the key on the remote side first (a previous run may
have written it and crashed before recording so), write only if absent, then record the
remote id and an audit event. A crash at any point leaves either an intent that the next run
completes, or a done row: never a second draft or event.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import crash
from bot.calendar_payload import entry_from_payload
from bot.errors import ConnectorError
from bot.models import AuditEvent, CalendarEntryRow, Draft
from bot.runtime import Runtime
from connectors.base import CalendarSink, DraftSink, OutgoingDraft

__all__ = ["EffectsReport", "apply_pending"]

log = logging.getLogger(__name__)


@dataclass
class EffectsReport:
    drafts_written: int = 0
    drafts_found: int = 0
    calendar_written: int = 0
    errors: list[str] = field(default_factory=list)


def _audit(session: Session, rt: Runtime, action: str, target: str, remote_id: str | None) -> None:
    session.add(
        AuditEvent(
            practice_id=rt.practice_id,
            at=rt.now(),
            actor="chief",
            action=action,
            target=target,
            remote_id=remote_id,
        )
    )


def apply_drafts(rt: Runtime, sink: DraftSink, report: EffectsReport) -> None:
    with rt.sessions() as session:
        pending = session.scalars(
            select(Draft)
            .where(Draft.practice_id == rt.practice_id, Draft.state == "planned")
            .order_by(Draft.id)
        ).all()
        for draft in pending:
            if draft.raw is None:
                continue
            try:
                remote = sink.find_draft(draft.key)
                if remote is None:
                    remote = sink.create_draft(OutgoingDraft(key=draft.key, raw=draft.raw))
                    crash.step("draft.remote")
                    report.drafts_written += 1
                    _audit(session, rt, "draft.create", draft.key, remote)
                else:
                    report.drafts_found += 1
                    _audit(session, rt, "draft.reconcile", draft.key, remote)
            except ConnectorError as exc:
                report.errors.append(f"draft {draft.key}: {exc}")
                log.warning("draft %s not written: %s", draft.key, type(exc).__name__)
                continue
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
        upsert_many: Callable[..., list[str]] | None = getattr(sink, "upsert_events", None)
        try:
            if upsert_many is not None:
                remote_ids = upsert_many(entries)
            else:
                remote_ids = [sink.upsert_event(entry) for entry in entries]
            crash.step("calendar.remote")
        except ConnectorError as exc:
            report.errors.append(f"calendar: {exc}")
            log.warning("calendar entries not written: %s", type(exc).__name__)
            return
        for row, remote in zip(pending, remote_ids, strict=True):
            row.state, row.remote_id = "written", remote
            _audit(session, rt, "calendar.upsert", row.key, remote)
        report.calendar_written += len(pending)
        session.commit()
        crash.step("calendar.commit")


def apply_pending(rt: Runtime) -> EffectsReport:
    """Write every planned draft and calendar entry; safe to call at any time, any number."""
    report = EffectsReport()
    apply_drafts(rt, rt.mail(), report)
    apply_calendar(rt, rt.calendar(), report)
    return report
