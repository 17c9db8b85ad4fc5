"""Appointment briefs: for each of today's appointments linked to a case, what is open for the
patient across everyone involved (payers, referrers, labs, suppliers, solicitors...).

An appointment is linked as :mod:`bot.features.appointment_links` says; its PATIENT CASES are the
cases it names and every open case with the same patient pseudonym. For them the brief lists:

- **open items**: open deadlines and drafts waiting in the Drafts folder (written in the last
  14 days, as in the summary), supplement orders apart;
- **labs awaiting review**: ``lab_result`` cases whose status is ``results_ready`` (results
  arrived; nothing in the mail says they were reviewed);
- **reorders due**: open deadlines of ``supplement_order`` cases (a protocol's reorder date);
- **last correspondence**: the newest message filed on any of them.

Items name cases by number, kind, reference and party (organisations), never the patient; the
appointment itself is named by its time only (its title is in "Today's calendar").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.features.appointment_links import AppointmentLink, CaseLinker, appointments
from bot.store.models import Case, Deadline, Draft, MessageRow
from bot.store.pseudonyms import Pseudonymiser
from connectors.base import CalendarEntry

__all__ = ["AppointmentBrief", "BriefItem", "appointment_briefs"]

MAX_ITEMS = 6  # per list; the rest are counted
DRAFT_DAYS = 14


@dataclass(frozen=True, slots=True)
class BriefItem:
    """One line of a brief: ``when`` (a due date, a results date) and what it is."""

    when: date | None
    text: str
    case_id: int


@dataclass(frozen=True, slots=True)
class AppointmentBrief:
    start: date | datetime
    linked_by: str  # "reference CRL-2026-7740215", "case 42", "patient"
    case_ids: tuple[int, ...]
    open_items: list[BriefItem] = field(default_factory=list)
    labs_awaiting_review: list[BriefItem] = field(default_factory=list)
    reorders_due: list[BriefItem] = field(default_factory=list)
    last_correspondence: date | None = None
    last_correspondence_about: str | None = None  # "lab_result, case 35"
    more_items: int = 0


def _what(case: Case) -> str:
    """``lab_result LC-26-2948817``: the case's kind and first reference."""
    reference = next((r.value for r in case.refs), None)
    return f"{case.kind} {reference}" if reference else case.kind


def _where(case: Case) -> str:
    """``case 35, Labcorp``: the case number and its party (an organisation) when known."""
    return f"case {case.id}, {case.party.name}" if case.party else f"case {case.id}"


def _day(moment: datetime, tz: tzinfo) -> date:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(tz).date()


def _brief(
    session: Session, link: AppointmentLink, case_ids: list[int], now: datetime
) -> AppointmentBrief:
    tz = now.tzinfo or UTC
    cases = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_(case_ids)))}
    deadlines = session.scalars(
        select(Deadline)
        .where(Deadline.case_id.in_(case_ids), Deadline.done.is_(False))
        .order_by(Deadline.due, Deadline.id)
    ).all()
    drafts = session.scalars(
        select(Draft)
        .where(
            Draft.case_id.in_(case_ids),
            Draft.state == "written",
            Draft.created_at >= now - timedelta(days=DRAFT_DAYS),
        )
        .order_by(Draft.id)
    ).all()
    open_items: list[BriefItem] = []
    reorders: list[BriefItem] = []
    for deadline in deadlines:
        case = cases.get(deadline.case_id) if deadline.case_id is not None else None
        if case is None:
            continue
        item = BriefItem(deadline.due, f"{deadline.title} ({_where(case)})", case.id)
        (reorders if case.kind == "supplement_order" else open_items).append(item)
    for draft in drafts:
        case = cases.get(draft.case_id) if draft.case_id is not None else None
        if case is not None and case.kind != "supplement_order":
            text = f"draft {draft.template} waiting in Drafts, {_what(case)} ({_where(case)})"
            open_items.append(BriefItem(None, text, case.id))
    labs = []
    for case in sorted(cases.values(), key=lambda c: c.id):
        if case.kind != "lab_result" or case.status != "results_ready":
            continue
        ready = [e.at for e in case.events if e.event == "results_ready"]
        when = _day(max(ready), tz) if ready else None
        labs.append(BriefItem(when, f"results ready, {_what(case)} ({_where(case)})", case.id))
    last = session.execute(
        select(MessageRow.received_at, MessageRow.case_id)
        .where(MessageRow.case_id.in_(case_ids), MessageRow.received_at.is_not(None))
        .order_by(MessageRow.received_at.desc())
        .limit(1)
    ).first()
    linked_by = link.how if link.how == "patient" else f"{link.how} {link.reference or ''}".strip()
    if link.how == "case":
        linked_by = "case " + ", ".join(str(c) for c in link.case_ids)
    more = max(0, len(open_items) - MAX_ITEMS) + max(0, len(reorders) - MAX_ITEMS)
    return AppointmentBrief(
        start=link.appointment.start,
        linked_by=linked_by,
        case_ids=tuple(sorted(cases)),
        open_items=open_items[:MAX_ITEMS],
        labs_awaiting_review=labs[:MAX_ITEMS],
        reorders_due=reorders[:MAX_ITEMS],
        last_correspondence=_day(last[0], tz) if last and last[0] else None,
        last_correspondence_about=(
            f"{cases[last[1]].kind}, case {last[1]}" if last and last[1] in cases else None
        ),
        more_items=more,
    )


def appointment_briefs(
    session: Session,
    practice_id: int,
    pseudonyms: Pseudonymiser,
    entries: Sequence[CalendarEntry],
    today: date,
    now: datetime,
) -> list[AppointmentBrief]:
    """A brief for each appointment on ``today`` among ``entries`` that is linked to a case.
    ``now`` (aware, the practice's zone) dates the drafts window and the dates shown."""
    linker = CaseLinker(session, practice_id, pseudonyms)
    briefs = []
    for appointment in appointments(entries):
        if appointment.day != today:
            continue
        link = linker.link(appointment)
        if link is None:
            continue
        case_ids = sorted(set(link.case_ids) | set(linker.cases_of(link.patients)))
        briefs.append(_brief(session, link, case_ids, now))
    briefs.sort(key=lambda b: str(b.start))
    return briefs
