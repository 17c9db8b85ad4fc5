"""Booking guard: imaging booked before its prior authorisation is approved.

An IMAGING APPOINTMENT is an appointment (:mod:`bot.features.appointment_links`) in the coming
``[summary] within_days`` whose title or notes name an imaging study (MRI, MRA, ultrasound,
X-ray, DEXA, a scan...; CT and PET in capitals) or a radiology CPT code (70010-79999). Its
AUTHORISATIONS are the linked cases of kind ``prior_auth`` (US) or ``insured_treatment`` (UK
pre-authorisation):

- linked by reference or case number: those cases;
- linked by patient only: the patient's open authorisation cases, and only when none of them is
  approved (an approved authorisation is taken to cover the booking: write its reference in the
  event to be exact).

An authorisation not ``approved`` / ``authorised`` is FLAGGED in the daily summary. While its
decision is pending (requested, pended, information requested...) the sync plans one chase to
the payer (``payer/prior_auth_chase.j2``), threaded under the payer's latest message on the
case, keyed by case and appointment: one draft per case and appointment however often the
sync runs, and none again when the appointment moves. A denied authorisation is flagged without
a chase: its denial already drafted the appeal; rebook or appeal.

The chase template gets the usual reply context plus ``appointment`` (``start``). Nothing here
logs or stores an appointment's text.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import re2
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import crash
from bot.errors import ConnectorError, TemplateError, UserError
from bot.features.appointment_links import Appointment, AppointmentLink, CaseLinker, appointments
from bot.keys import stable_key
from bot.letters.templates import long_date
from bot.mail.message import Message
from bot.store.models import Case, Draft, MessageRow
from bot.store.times import stored_utc
from bot.sync.runtime import Runtime
from bot.sync.steps import SyncReport
from connectors.base import CalendarEntry

__all__ = [
    "CHASE_TEMPLATE",
    "BookingFlag",
    "booking_flags",
    "booking_pass",
    "chase_key",
    "is_imaging",
    "plan_booking_chases",
    "window_entries",
]

log = logging.getLogger(__name__)

CHASE_TEMPLATE = "payer/prior_auth_chase.j2"
GUARDED_KINDS = frozenset({"prior_auth", "insured_treatment"})
APPROVED = frozenset({"approved", "authorised"})
DENIED = frozenset({"denied", "declined", "appeal_denied"})

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False
# CT and PET in capitals only ("pet", "ct" are other words); radiology CPT codes 70010-79999.
_IMAGING = re2.compile(
    r"(?i:\b(?:MRI|MRA|ultrasound|sonogra\w*|x-?rays?|radiograph\w*|DEXA|DXA|mammogra\w*"
    r"|fluoroscop\w*|arthrogra\w*|imaging|scans?)\b)|\b(?:CTA?|PET|PET-CT)\b|\b7[0-9]{4}\b",
    _OPTIONS,
)


def is_imaging(text: str) -> bool:
    """True when ``text`` names an imaging study or a radiology CPT code (70010-79999)."""
    return _IMAGING.search(text) is not None


@dataclass(frozen=True, slots=True)
class BookingFlag:
    """An imaging appointment whose authorisation is not approved. ``chase`` is what the
    summary says about the chase draft: ``written``, ``planned``, ``failed``, ``missing``
    (no sync since) or ``none`` (denied: no chase)."""

    start: date | datetime
    case_id: int
    kind: str
    status: str
    reference: str | None
    party: str | None
    linked_by: str
    chase: str
    appointment_key: str

    @property
    def chase_note(self) -> str:
        return _CHASE_NOTES.get(self.chase, self.chase)


_CHASE_NOTES = {
    "written": "chase draft in your Drafts folder",
    "planned": "chase draft to be written by the next sync",
    "failed": "chase draft not written yet, tried again on each sync: see `chief effects`",
    "missing": "no chase draft yet: run `chief sync`",
    "none": "denied: appeal or rebook",
}


def chase_key(slug: str, case: Case, appointment_key: str) -> str:
    """The chase draft's key, from the case's identity (never its number, which a rebuilt case
    log gives out anew) and the appointment's."""
    return stable_key(slug, "booking-guard", case.identity, appointment_key)


def window_entries(rt: Runtime) -> list[CalendarEntry]:
    """Calendar events from today for ``[summary] within_days`` days (ConnectorError raises)."""
    start = datetime.combine(rt.today(), time(), rt.tz)
    end = start + timedelta(days=rt.config.summary.within_days + 1)
    return list(rt.calendar().events(start, end))


def _guarded(session: Session, link: AppointmentLink) -> list[Case]:
    cases = [
        case
        for case in session.scalars(select(Case).where(Case.id.in_(link.case_ids)))
        if case.kind in GUARDED_KINDS and not case.closed
    ]
    if link.how == "patient" and any(case.status in APPROVED for case in cases):
        return []
    return [case for case in cases if case.status not in APPROVED]


def _imaging_links(
    session: Session, rt: Runtime, entries: Iterable[CalendarEntry]
) -> list[tuple[Appointment, AppointmentLink, Case]]:
    today = rt.today()
    linker = CaseLinker(session, rt.practice_id, rt.pseudonyms)
    found = []
    for appointment in appointments(entries):
        if appointment.day < today or not is_imaging(appointment.text):
            continue
        link = linker.link(appointment)
        if link is None:
            continue
        for case in _guarded(session, link):
            found.append((appointment, link, case))
    return found


def booking_flags(
    session: Session, rt: Runtime, entries: Sequence[CalendarEntry]
) -> list[BookingFlag]:
    """The flags for the summary (reads only)."""
    flags = []
    for appointment, link, case in _imaging_links(session, rt, entries):
        key = chase_key(rt.config.practice.slug, case, appointment.key)
        if case.status in DENIED:
            chase = "none"
        else:
            state = session.scalar(select(Draft.state).where(Draft.key == key))
            chase = state or "missing"
        flags.append(
            BookingFlag(
                start=appointment.start,
                case_id=case.id,
                kind=case.kind,
                status=case.status,
                reference=next((r.value for r in case.refs), None),
                party=case.party.name if case.party else None,
                linked_by=link.how,
                chase=chase,
                appointment_key=appointment.key,
            )
        )
    flags.sort(key=lambda f: (str(f.start), f.case_id))
    return flags


def _pending_authorisations(session: Session, practice_id: int) -> bool:
    count = session.scalar(
        select(func.count())
        .select_from(Case)
        .where(
            Case.practice_id == practice_id,
            Case.kind.in_(GUARDED_KINDS),
            Case.closed.is_(False),
            Case.status.not_in(APPROVED | DENIED),
        )
    )
    return bool(count)


def plan_booking_chases(rt: Runtime) -> int:
    """Plan the chase drafts the guard calls for; return how many were planned (the effects
    step writes them). Reads the calendar only when an authorisation is pending."""
    planned = 0
    with rt.sessions.begin() as session:
        if not _pending_authorisations(session, rt.practice_id):
            return 0
        for appointment, _link, case in _imaging_links(session, rt, window_entries(rt)):
            if case.status in DENIED:
                continue
            key = chase_key(rt.config.practice.slug, case, appointment.key)
            if session.scalar(select(Draft.id).where(Draft.key == key)) is not None:
                continue
            draft = _chase_draft(session, rt, case, appointment, key)
            if draft is not None:
                session.add(draft)
                planned += 1
                log.info("booking guard: chase planned for case %s", case.id)
    return planned


def _anchor(session: Session, case: Case) -> MessageRow | None:
    """The payer's latest message on the case (one with a reply address first)."""
    return session.scalar(
        select(MessageRow)
        .where(MessageRow.case_id == case.id)
        .order_by(MessageRow.reply_address.is_(None), MessageRow.received_at.desc())
        .limit(1)
    )


def _chase_draft(
    session: Session, rt: Runtime, case: Case, appointment: Appointment, key: str
) -> Draft | None:
    anchor = _anchor(session, case)
    if anchor is None:
        return None
    reference = next((r.value for r in case.refs), None)
    day = appointment.day
    us = rt.config.practice.country == "US"
    subject = f"Prior {'authorization' if us else 'authorisation'} {reference or ''}".strip()
    when = long_date(day, rt.config.practice.country)
    original = Message(
        provider_id=anchor.provider_id,
        message_id=anchor.message_id,
        in_reply_to=None,
        references=(anchor.thread_root,)
        if anchor.thread_root and anchor.thread_root != anchor.message_id
        else (),
        from_addr=anchor.reply_address or "",
        from_name=case.party.name if case.party else "",
        reply_to=None,
        to=(),
        cc=(),
        subject=f"{subject}: service booked for {when}",
        date=stored_utc(anchor.received_at) if anchor.received_at else None,
        text="",
    )
    context: dict[str, Any] = {
        "practice": rt.practice_context(),
        "case": {
            "kind": case.kind,
            "status": case.status,
            "reference": reference,
            "refs": {r.name: r.value for r in case.refs},
            "opened": case.opened_at.date(),
        },
        "refs": {r.name: r.value for r in case.refs},
        "deadline": None,
        "today": rt.today(),
        "appointment": {"start": appointment.start},
    }
    draft = Draft(
        key=key,
        practice_id=rt.practice_id,
        case_id=case.id,
        message_id=anchor.id,
        template=CHASE_TEMPLATE,
        created_at=rt.now(),
    )
    try:
        recipient = rt.recipient_for(original, case.kind)
        draft.raw = rt.drafter.render_reply(
            CHASE_TEMPLATE, original, context, key, rt.practitioner, recipient=recipient
        ).raw
    except (TemplateError, UserError) as exc:
        draft.state, draft.error = "failed", str(exc)[:300]
        log.warning(
            "booking guard: chase for case %s not rendered: %s", case.id, type(exc).__name__
        )
    return draft


def booking_pass(rt: Runtime, report: SyncReport) -> None:
    """Practice pass: chase the payer for imaging booked before its authorisation."""
    try:
        report.drafts_planned += plan_booking_chases(rt)
        crash.step("chases.commit")
    except ConnectorError as exc:
        report.errors.append(f"booking guard: calendar unreadable: {exc}")
