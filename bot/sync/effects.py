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

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot import crash
from bot.calendar.payload import entry_from_payload
from bot.errors import ConnectorError
from bot.keys import stable_key
from bot.store.models import CalendarEntryRow, Deadline, Draft, LabelWrite, MessageRow
from bot.sync.audit import connector_name, record_audit
from bot.sync.planning import draft_key
from bot.sync.runtime import Runtime
from bot.sync.steps import SyncReport
from connectors.base import CalendarSink, DraftSink, Labels, OutgoingDraft

__all__ = [
    "EffectsReport",
    "apply_labels",
    "apply_pending",
    "effects_pass",
    "lost_calendar_entries",
    "rebuild_lost_calendar",
]

log = logging.getLogger(__name__)


@dataclass
class EffectsReport:
    drafts_written: int = 0
    drafts_found: int = 0
    calendar_written: int = 0
    labelled: int = 0
    errors: list[str] = field(default_factory=list)

    def add_to(self, report: SyncReport) -> None:
        """Count what was written into a sync's report."""
        report.drafts_written += self.drafts_written
        report.calendar_written += self.calendar_written
        report.labelled += self.labelled
        report.errors.extend(self.errors)


def _draft_cause(session: Session, rt: Runtime, draft: Draft) -> tuple[int | None, str | None]:
    """(case id, rule) of a draft: the rule is its message's when the rule planned it (its key
    is the one planning derives, or was before drafts' keys were keyed), none for a draft
    planned otherwise (a booking chase, a renewal checklist)."""
    if draft.message_id is None:
        return draft.case_id, None
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
                detail=draft.template if draft.message_id is None else None,
            )
            draft.state, draft.remote_id, draft.raw = "written", remote, None
            session.commit()
            crash.step("draft.commit")


def _calendar_rows(session: Session, rt: Runtime, state: str) -> Sequence[CalendarEntryRow]:
    """The practice's calendar entries in ``state`` (planned or written), oldest first."""
    return session.scalars(
        select(CalendarEntryRow)
        .where(CalendarEntryRow.practice_id == rt.practice_id, CalendarEntryRow.state == state)
        .order_by(CalendarEntryRow.id)
    ).all()


def apply_calendar(rt: Runtime, sink: CalendarSink, report: EffectsReport) -> None:
    with rt.sessions() as session:
        pending = _calendar_rows(session, rt, "planned")
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


def apply_labels(rt: Runtime, mailbox: Labels, report: EffectsReport) -> None:
    """Put the journalled category labels on their messages, then record them with one audit
    row (how many messages got which category's label). Adding a label a message has is a
    no-op, so a crash between the two labels them again and records them once."""
    with rt.sessions() as session:
        pending = session.scalars(
            select(LabelWrite)
            .where(LabelWrite.practice_id == rt.practice_id, LabelWrite.state == "planned")
            .order_by(LabelWrite.id)
        ).all()
        if not pending:
            return
        by_category: dict[str | None, list[str]] = {}
        for row in pending:
            by_category.setdefault(row.category, []).append(row.provider_id)
        try:
            labelled = mailbox.label_messages(by_category)
            crash.step("labels.remote")
        except ConnectorError as exc:
            report.errors.append(f"labels: {exc}")
            log.warning("category labels not put on: %s", type(exc).__name__)
            return
        for row in pending:
            row.state = "written"
        record_audit(
            session,
            rt,
            "labels.apply",
            stable_key(*(row.key for row in pending)),
            connector=connector_name(rt, "mail"),
            detail=", ".join(f"{c} {len(by_category[c])}" for c in sorted(by_category, key=str)),
        )
        report.labelled += labelled
        session.commit()
        crash.step("labels.commit")


def apply_pending(rt: Runtime) -> EffectsReport:
    """Write every planned label, draft and calendar entry; safe to call at any time, any
    number of times."""
    report = EffectsReport()
    mailbox = rt.mail()
    if isinstance(mailbox, Labels):
        apply_labels(rt, mailbox, report)
    apply_drafts(rt, mailbox, report)
    apply_calendar(rt, rt.calendar(), report)
    return report


def _sample(rows: Sequence[CalendarEntryRow]) -> list[CalendarEntryRow]:
    """The first, the middle and the last of ``rows``: enough to tell a calendar that lost
    everything from one where the practitioner deleted an entry or two."""
    return list({id(row): row for row in (rows[0], rows[len(rows) // 2], rows[-1])}.values())


def lost_calendar_entries(rt: Runtime, sink: CalendarSink) -> int:
    """How many written entries the calendar has lost: all of them when none of a sample is
    found there any more (a deleted ``calendar.ics``, a calendar emptied or replaced), else 0
    (an entry the practitioner deleted stays deleted)."""
    with rt.sessions() as session:
        written = _calendar_rows(session, rt, "written")
    if not written:
        return 0
    if any(sink.find_event(row.key) is not None for row in _sample(written)):
        return 0
    return len(written)


def rebuild_lost_calendar(rt: Runtime, sink: CalendarSink) -> int:
    """When the calendar lost chief's entries, journal them all again for the writer; how many."""
    try:
        lost = lost_calendar_entries(rt, sink)
    except ConnectorError as exc:
        log.warning("calendar not checked: %s", type(exc).__name__)
        return 0
    if lost:
        with rt.sessions.begin() as session:
            session.execute(
                update(CalendarEntryRow)
                .where(
                    CalendarEntryRow.practice_id == rt.practice_id,
                    CalendarEntryRow.state == "written",
                )
                .values(state="planned")
            )
        log.warning("the calendar lost %d entries chief wrote: writing them again", lost)
    return lost


def effects_pass(rt: Runtime, report: SyncReport) -> None:
    """Practice pass: the calendar checked for entries it lost, then what the passes before
    it planned written."""
    rebuild_lost_calendar(rt, rt.calendar())
    apply_pending(rt).add_to(report)
