"""Applying planned actions to the outside world, exactly once.

The order is the journal's (after mbsync): the intent is already committed with its key
(:mod:`bot.sync.planning`); here we look for the key on the remote side first (a previous run may
have written it and crashed before recording so), write only if absent, then record the
remote id and an audit entry (:mod:`bot.sync.audit`: with the connector, the case and the rule that
planned it). A crash at any point leaves either an intent that the next run completes, or a
done row: never a second draft or event.

A write that fails is marked failed on its row and tried again on a later pass, after a
growing wait (:mod:`bot.sync.retries`): once per pass, however many batches the pass has, and
counted once, by kind, in the pass's report. A draft whose template failed is rendered again
from its journalled source (:mod:`bot.sync.redrafting`) on each try.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot import crash
from bot.calendar.payload import entry_from_payload
from bot.errors import ConnectorError, TemplateError, UserError
from bot.keys import key_hash, stable_key
from bot.store.models import CalendarEntryRow, Deadline, Draft, LabelWrite, MessageRow
from bot.sync.audit import connector_name, record_audit
from bot.sync.correction_mail import apply_returns
from bot.sync.planning import draft_key
from bot.sync.redrafting import redraft
from bot.sync.retries import FAILED, Failures, due, record_failure, record_success
from bot.sync.runtime import Runtime
from bot.sync.steps import SyncReport
from bot.sync.withdrawing import apply_withdrawals
from connectors.base import (
    CalendarSink,
    DraftSink,
    Labels,
    OutgoingDraft,
    RemovesLabels,
    ReturnsCorrected,
    WithdrawsDrafts,
    draft_digest,
)

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
    drafts_withdrawn: int = 0
    failures: Failures = field(default_factory=Failures)

    @property
    def errors(self) -> list[str]:
        """One line per kind of failure (:meth:`bot.sync.retries.Failures.lines`)."""
        return self.failures.lines()

    def add_to(self, report: SyncReport) -> None:
        """Count what was written, and what failed, into a sync's report."""
        report.drafts_written += self.drafts_written
        report.calendar_written += self.calendar_written
        report.labelled += self.labelled
        report.drafts_withdrawn += self.drafts_withdrawn
        report.failures.merge(self.failures)


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


def apply_drafts(
    rt: Runtime,
    sink: DraftSink,
    report: EffectsReport,
    since: datetime | None = None,
    found_only: bool = False,
) -> None:
    """Write the planned drafts, and the failed ones whose retry is due (a failed template
    rendered again first); ``since`` is when the pass began (:func:`bot.sync.retries.due`).
    ``found_only``: only record the planned drafts already in the Drafts folder (a run stopped
    between writing and recording them); write nothing new."""
    now = rt.now()
    with rt.sessions() as session:
        pending = session.scalars(
            select(Draft)
            .where(Draft.practice_id == rt.practice_id, Draft.state.in_(("planned", FAILED)))
            .order_by(Draft.id)
        ).all()
        connector = connector_name(rt, "mail")
        reloaded = False
        for draft in pending:
            if found_only and (draft.state == FAILED or draft.raw is None):
                continue
            if draft.state == FAILED and not due(draft, now, since):
                continue
            if draft.raw is None:
                if not reloaded:  # a template fixed since it failed is read afresh
                    rt.drafter.reload()
                    reloaded = True
                try:
                    if not redraft(rt, session, draft):
                        continue  # failed before sources were kept: shown until dismissed
                except (TemplateError, UserError) as exc:
                    record_failure(draft, now, report.failures.add("draft template", exc))
                    session.commit()
                    continue
            assert draft.raw is not None
            case_id, rule = _draft_cause(session, rt, draft)
            try:
                remote = sink.find_draft(draft.key)
                if remote is None and found_only:
                    continue
                if remote is None:
                    remote = sink.create_draft(OutgoingDraft(key=draft.key, raw=draft.raw))
                    crash.step("draft.remote")
                    report.drafts_written += 1
                    action = "draft.create"
                else:
                    report.drafts_found += 1
                    action = "draft.reconcile"
            except ConnectorError as exc:
                record_failure(draft, now, report.failures.add("draft", exc))
                session.commit()
                # One line per kind in the pass's report; each draft only at debug level.
                log.debug("draft %s not written: %s", key_hash(draft.key), type(exc).__name__)
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
            draft.written_digest = draft_digest(draft.raw)
            draft.state, draft.remote_id, draft.raw, draft.source = "written", remote, None, None
            record_success(draft)
            session.commit()
            crash.step("draft.commit")


def apply_calendar(
    rt: Runtime, sink: CalendarSink, report: EffectsReport, since: datetime | None = None
) -> None:
    """Upsert the planned calendar entries and the failed ones whose retry is due."""
    now = rt.now()
    with rt.sessions() as session:
        candidates = session.scalars(
            select(CalendarEntryRow)
            .where(
                CalendarEntryRow.practice_id == rt.practice_id,
                CalendarEntryRow.state.in_(("planned", FAILED)),
            )
            .order_by(CalendarEntryRow.id)
        ).all()
        pending = [r for r in candidates if r.state != FAILED or due(r, now, since)]
        if not pending:
            return
        entries = [entry_from_payload(row.payload) for row in pending]
        try:
            remote_ids = sink.upsert_events(entries)
            crash.step("calendar.remote")
        except ConnectorError as exc:
            error = report.failures.add("calendar", exc, len(pending))
            for row in pending:
                record_failure(row, now, error)
            session.commit()
            log.debug("calendar entries not written: %s", type(exc).__name__)
            return
        connector = connector_name(rt, "calendar")
        causes = _calendar_causes(session, pending)
        for row, remote in zip(pending, remote_ids, strict=True):
            row.state, row.remote_id = "written", remote
            record_success(row)
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


def apply_labels(
    rt: Runtime, mailbox: Labels, report: EffectsReport, since: datetime | None = None
) -> None:
    """Put the journalled category labels on their messages (and take off those a correction
    journalled off: :mod:`bot.sync.correction_mail`), then record them with one audit row (how
    many messages got, or lost, which category's label). Adding a label a message has, or
    taking off one it lacks, is a no-op, so a crash between the two writes them again and
    records them once."""
    now = rt.now()
    with rt.sessions() as session:
        candidates = session.scalars(
            select(LabelWrite)
            .where(
                LabelWrite.practice_id == rt.practice_id,
                LabelWrite.state.in_(("planned", FAILED)),
            )
            .order_by(LabelWrite.id)
        ).all()
        pending = [r for r in candidates if r.state != FAILED or due(r, now, since)]
        if not pending:
            return
        # The last write journalled for a message's category is the one that holds (a
        # correction then its undo before either was written: the undo's).
        last: dict[tuple[str, str], LabelWrite] = {}
        for row in pending:
            last[(row.provider_id, row.category)] = row
        by_op: dict[str, dict[str | None, list[str]]] = {"add": {}, "remove": {}}
        for row in last.values():
            by_op[row.op].setdefault(row.category, []).append(row.provider_id)
        try:
            labelled = mailbox.label_messages(by_op["add"]) if by_op["add"] else 0
            if by_op["remove"] and isinstance(mailbox, RemovesLabels):
                mailbox.unlabel_messages(by_op["remove"])
            crash.step("labels.remote")
        except ConnectorError as exc:
            error = report.failures.add("labels", exc, len(pending))
            for row in pending:
                record_failure(row, now, error)
            session.commit()
            log.debug("category labels not put on: %s", type(exc).__name__)
            return
        for row in pending:
            row.state = "written"
            record_success(row)
        record_audit(
            session,
            rt,
            "labels.apply",
            stable_key(*(row.key for row in pending)),
            connector=connector_name(rt, "mail"),
            detail=", ".join(
                f"{'-' if op == 'remove' else ''}{c} {len(ids)}"
                for op, found in sorted(by_op.items())
                for c, ids in sorted(found.items(), key=lambda item: str(item[0]))
            ),
        )
        report.labelled += labelled
        session.commit()
        crash.step("labels.commit")


def apply_pending(
    rt: Runtime, since: datetime | None = None, *, drafts: bool | str = True
) -> EffectsReport:
    """Write every planned label, draft (unless ``drafts`` is false; ``"found"``: only record
    the planned ones already written) and calendar entry, and the failed ones whose retry is
    due; safe to call at any time, any number of times. ``since``: when the pass began, so
    that what failed in it waits for a later pass (None: a pass of its own)."""
    report = EffectsReport()
    mailbox = rt.mail()
    if isinstance(mailbox, ReturnsCorrected):  # an undone correction's message put back,
        apply_returns(rt, mailbox, report.failures)  # before its labels change
    if isinstance(mailbox, Labels):
        apply_labels(rt, mailbox, report, since)
    if isinstance(mailbox, WithdrawsDrafts):  # before new drafts: a correction's order
        report.drafts_withdrawn += apply_withdrawals(rt, mailbox, report.failures)
    if drafts:
        apply_drafts(rt, mailbox, report, since, found_only=drafts == "found")
    apply_calendar(rt, rt.calendar(), report, since)
    return report


def _sample_keys(session: Session, rt: Runtime) -> tuple[int, list[str]]:
    """How many entries are written, and the keys of the first, the middle and the last of
    them: enough to tell a calendar that lost everything from one where the practitioner
    deleted an entry or two (a count and three rows, not every row)."""
    written = (
        CalendarEntryRow.practice_id == rt.practice_id,
        CalendarEntryRow.state == "written",
    )
    count = session.scalar(select(func.count()).select_from(CalendarEntryRow).where(*written))
    if not count:
        return 0, []
    keys = []
    for offset in sorted({0, count // 2, count - 1}):
        keys.append(
            session.scalars(
                select(CalendarEntryRow.key)
                .where(*written)
                .order_by(CalendarEntryRow.id)
                .offset(offset)
                .limit(1)
            ).one()
        )
    return count, keys


def lost_calendar_entries(rt: Runtime, sink: CalendarSink) -> int:
    """How many written entries the calendar has lost: all of them when none of a sample is
    found there any more (a deleted ``calendar.ics``, a calendar emptied or replaced), else 0
    (an entry the practitioner deleted stays deleted)."""
    with rt.sessions() as session:
        count, keys = _sample_keys(session, rt)
    if not count or any(sink.find_event(key) is not None for key in keys):
        return 0
    return count


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
    apply_pending(rt, report.started).add_to(report)
