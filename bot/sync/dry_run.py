"""``chief sync --dry-run``: the whole pass planned, shown, and thrown away.

The pass runs as it would (mail read, classified, filed, deadlines and drafts planned, the
practice passes that only plan), on a runtime whose case log changes are rolled back when it
closes (:class:`bot.store.database.Throwaway`) and with every step that writes beyond the case
log left out (``writes_outside`` in :mod:`bot.sync.steps`): no draft, calendar entry, label,
alert or file is written. Before the rollback, what the pass changed is read back as a plan:
what would be filed, opened, drafted, diarised, written to the calendar, moved on or closed.

Mail is only read: IMAP with BODY.PEEK and EXAMINE, Gmail and Graph with list and get, a
Maildir from its files; the cursor the pass would store is rolled back with everything else.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.progress import Bar
from bot.store.case_ids import short_case_id
from bot.store.models import (
    CalendarEntryRow,
    Case,
    CaseRef,
    Deadline,
    Draft,
    Mailbox,
    MessageRow,
)
from bot.sync import pipeline
from bot.sync.runtime import Runtime
from bot.sync.steps import Steps, SyncReport

__all__ = ["DryRunPlan", "plan_sync"]


@dataclass
class DryRunPlan:
    """What a sync would do, item by item (see the module docstring)."""

    report: SyncReport
    filed: Counter[str] = field(default_factory=Counter)  # category → new messages
    opened: list[dict[str, Any]] = field(default_factory=list)
    drafts: list[dict[str, Any]] = field(default_factory=list)
    deadlines: list[dict[str, Any]] = field(default_factory=list)
    calendar: list[dict[str, Any]] = field(default_factory=list)
    moved_on: list[dict[str, Any]] = field(default_factory=list)  # a case's status changed
    closed: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": True,
            "filed": dict(self.filed),
            "opened": self.opened,
            "drafts": self.drafts,
            "deadlines": self.deadlines,
            "calendar": self.calendar,
            "moved_on": self.moved_on,
            "closed": self.closed,
            "errors": self.report.problems(),
        }

    def lines(self) -> list[str]:
        """The plan as a practitioner reads it."""
        out = ["Dry run: nothing was written, and the case log is as it was."]
        total = sum(self.filed.values())
        by = ", ".join(f"{name} {n}" for name, n in sorted(self.filed.items()))
        out.append(f"Would file {total} new message(s)" + (f": {by}" if by else ""))
        out.append(f"Would open {len(self.opened)} case(s)")
        out += [f"  {c['kind']}  {c['reference'] or '(no reference yet)'}" for c in self.opened]
        out.append(f"Would draft {len(self.drafts)} letter(s)")
        out += [f"  {d['letter']}  for {d['case']}" for d in self.drafts]
        out.append(f"Would diarise {len(self.deadlines)} deadline(s)")
        out += [f"  {d['due']}  {d['title']}" for d in self.deadlines]
        out.append(f"Would write {len(self.calendar)} calendar entr(ies)")
        out += [f"  {e['start']}  {e['what']}" for e in self.calendar]
        if self.moved_on:
            out.append(f"Would move {len(self.moved_on)} case(s) on")
            out += [f"  {c['case']}: {c['from']} → {c['to']}" for c in self.moved_on]
        out.append(f"Would close {len(self.closed)} case(s)")
        out += [f"  {c['case']}  {c['kind']}" for c in self.closed]
        if self.report.problems():
            out.append(f"{len(self.report.problems())} problem(s)")
            out += [f"  {problem}" for problem in self.report.problems()]
        return out


@dataclass(frozen=True)
class _Before:
    """The case log's high-water marks and states before the pass."""

    message: int
    case: int
    draft: int
    deadlines: dict[str, tuple[date, bool]]
    calendar: dict[str, str]
    cases: dict[int, tuple[str, bool]]


def _top(session: Session, column: Any) -> int:
    return int(session.scalar(select(func.coalesce(func.max(column), 0))) or 0)


def _snapshot(session: Session, practice_id: int) -> _Before:
    return _Before(
        message=_top(session, MessageRow.id),
        case=_top(session, Case.id),
        draft=_top(session, Draft.id),
        deadlines={
            d.key: (d.due, d.done)
            for d in session.scalars(select(Deadline).where(Deadline.practice_id == practice_id))
        },
        calendar={
            e.key: e.summary_hash
            for e in session.scalars(
                select(CalendarEntryRow).where(CalendarEntryRow.practice_id == practice_id)
            )
        },
        cases={
            c.id: (c.status, c.closed)
            for c in session.scalars(select(Case).where(Case.practice_id == practice_id))
        },
    )


def _reference(session: Session, case_id: int | None) -> str | None:
    if case_id is None:
        return None
    return session.scalar(select(CaseRef.value).where(CaseRef.case_id == case_id).limit(1))


def _case_label(session: Session, case_id: int | None, before: _Before) -> str:
    if case_id is None:
        return "no case"
    if case_id > before.case:
        return f"a new case ({_reference(session, case_id) or 'no reference yet'})"
    return short_case_id(case_id)


def _read_plan(session: Session, rt: Runtime, before: _Before, report: SyncReport) -> DryRunPlan:
    plan = DryRunPlan(report=report)
    practice = rt.practice_id
    mailboxes = select(Mailbox.id).where(Mailbox.practice_id == practice)
    for category in session.scalars(
        select(MessageRow.category).where(
            MessageRow.id > before.message, MessageRow.mailbox_id.in_(mailboxes)
        )
    ):
        plan.filed[category or "unclassified"] += 1
    for case in session.scalars(
        select(Case).where(Case.practice_id == practice, Case.id > before.case).order_by(Case.id)
    ):
        plan.opened.append({"kind": case.kind, "reference": _reference(session, case.id)})
    for draft in session.scalars(
        select(Draft).where(Draft.practice_id == practice, Draft.id > before.draft)
    ):
        plan.drafts.append(
            {
                "letter": draft.template.removesuffix(".j2"),
                "case": _case_label(session, draft.case_id, before),
                "state": draft.state,
            }
        )
    for deadline in session.scalars(
        select(Deadline).where(Deadline.practice_id == practice).order_by(Deadline.due)
    ):
        if before.deadlines.get(deadline.key) != (deadline.due, deadline.done):
            plan.deadlines.append({"due": deadline.due.isoformat(), "title": deadline.title})
    for entry in session.scalars(
        select(CalendarEntryRow)
        .where(CalendarEntryRow.practice_id == practice, CalendarEntryRow.state == "planned")
        .order_by(CalendarEntryRow.start)
    ):
        if before.calendar.get(entry.key) != entry.summary_hash:
            what = str(entry.payload.get("summary") or entry.source)
            plan.calendar.append({"start": entry.start.isoformat(), "what": what})
    for case in session.scalars(select(Case).where(Case.practice_id == practice)):
        was = before.cases.get(case.id)
        if was is None:
            continue
        label = short_case_id(case.id)
        if case.status != was[0]:
            plan.moved_on.append({"case": label, "from": was[0], "to": case.status})
        if case.closed and not was[1]:
            plan.closed.append({"case": label, "kind": case.kind})
    return plan


def plan_sync(rt: Runtime, steps: Steps, progress: Bar | None = None) -> DryRunPlan:
    """Run the pass on ``rt`` (a dry-run runtime) and read back what it would do."""
    if not rt.dry_run:
        raise ValueError("plan_sync needs a dry-run runtime (Runtime.from_config(dry_run=True))")
    with rt.sessions() as session:
        before = _snapshot(session, rt.practice_id)
    report = pipeline.sync(rt, steps, progress)
    with rt.sessions() as session:
        return _read_plan(session, rt, before, report)
