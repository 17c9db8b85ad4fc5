"""The daily summary job: gather from the case log, render (``bot.summary.render``), deliver to the
practitioner once per day (keyed, so a rerun or a crash never sends two)."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path

from sqlalchemy import func, select

from bot.errors import ConnectorError, UserError
from bot.features.appointment_brief import AppointmentBrief, appointment_briefs
from bot.features.appointment_links import CaseLinker, appointments
from bot.features.booking_guard import booking_flags, window_entries
from bot.features.cpd import cpd_status
from bot.features.payments import currency_totals, payment_positions
from bot.features.practitioner_network import weekly_line
from bot.features.referral_network import quiet_sources, referral_sources
from bot.features.research_digest import research_digest
from bot.file_safety import write_private
from bot.keys import KEY_HEADER, check_key, stable_key
from bot.register.credentials import due_items
from bot.store.case_ids import short_case_id
from bot.store.models import Deadline, Draft, Mailbox, MessageRow
from bot.summary.charts import ageing_rows
from bot.summary.links import draft_links, drafts_folder
from bot.summary.needs_look import needs_look_lines
from bot.summary.privacy import mask_patient_names
from bot.summary.render import (
    CaseLine,
    MailCount,
    Renewal,
    SummaryData,
    TodayEvent,
    build_summary,
)
from bot.summary.work_lines import cases_by_id, deadline_lines, draft_lines, waiting_since
from bot.sync.failed_writes import failed_writes
from bot.sync.own_mail import summary_key
from bot.sync.runtime import Runtime
from connectors.base import CalendarEntry

__all__ = [
    "collect_summary",
    "copy_key",
    "open_summary",
    "summary_html",
    "summary_key_today",
    "summary_text",
]

log = logging.getLogger(__name__)

DEADLINE = "deadline"  # the category of the calendar entries a deadline puts in the calendar


def collect_summary(rt: Runtime, local_links: bool = False) -> SummaryData:
    """Today's summary from the case log. Drafts link to where they open for the reader: web
    links only, unless ``local_links`` (the copy ``chief summary --open`` writes), which may
    also hold ``file://`` links (``bot.summary.links``)."""
    today = rt.today()
    window_end = today + timedelta(days=rt.config.summary.within_days)
    since = rt.now() - timedelta(days=1)
    data = SummaryData(practice=rt.practice_context(), day=today)
    with rt.sessions() as session:
        counts: Counter[str | None] = Counter()
        rows = session.execute(
            select(MessageRow.category, func.count())
            .join(Mailbox, Mailbox.id == MessageRow.mailbox_id)
            .where(
                Mailbox.practice_id == rt.practice_id,
                MessageRow.logged_at >= since,
                MessageRow.error.is_(None),
            )
            .group_by(MessageRow.category)
        ).all()
        counts.update({category: count for category, count in rows})
        data.new_mail = [
            MailCount(category=c, count=n)
            for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] or "~"))
        ]
        data.needs_look, data.needs_look_total = needs_look_lines(
            session, rt.practice_id, since, corrections=rt.config.corrections
        )
        open_deadlines = session.scalars(
            select(Deadline)
            .where(Deadline.practice_id == rt.practice_id, Deadline.done.is_(False))
            .order_by(Deadline.due, Deadline.id)
        ).all()
        next_due: dict[int, object] = {}
        for d in open_deadlines:
            if d.case_id is not None:
                next_due.setdefault(d.case_id, d.due)
        drafts = session.scalars(
            select(Draft)
            .where(
                Draft.practice_id == rt.practice_id,
                Draft.state == "written",
                Draft.created_at >= rt.now() - timedelta(days=14),
            )
            .order_by(Draft.id)
        ).all()
        all_cases = cases_by_id(
            session, [d.case_id for d in open_deadlines] + [d.case_id for d in drafts]
        )
        shown = [d for d in open_deadlines if d.due <= window_end]
        lines = deadline_lines(shown, all_cases, rt.clocks)
        data.overdue = [line for line in lines if line.due < today]
        data.deadlines_due = [line for line in lines if line.due >= today]
        cases = {i: c for i, c in all_cases.items() if not c.closed}
        for case in sorted(cases.values(), key=lambda c: (str(next_due.get(c.id, "9999")), c.id)):
            due = next_due.get(case.id)
            data.cases_needing_action.append(
                CaseLine(
                    case_id=case.id,
                    kind=case.kind,
                    status=case.status,
                    reference=next((r.value for r in case.refs), None),
                    next_due=due,  # type: ignore[arg-type]
                    last_event=case.events[-1].event if case.events else None,
                )
            )
        links = draft_links(rt, [d.remote_id for d in drafts if d.remote_id], local_links)
        waited = waiting_since(session, drafts, rt.tz, today)
        data.drafts = draft_lines(drafts, all_cases, links, drafts_folder(rt), waited)
    if rt.config.practice.register_file is not None:
        try:
            register = rt.register()  # read once per version of the file
            credentials = register.credentials if register is not None else []
        except UserError as exc:
            log.warning("credentials register unreadable: %s", exc)
            credentials = []
        data.renewals = [
            Renewal(name=item.credential.name, expires=item.expires, days_left=item.days_left)
            for item in due_items(credentials, today, rt.config.summary.within_days)
        ]
    start = datetime.combine(today, time(), rt.tz)
    try:
        events = list(rt.calendar().events(start, start + timedelta(days=1)))
    except ConnectorError as exc:
        log.warning("calendar unreadable for the summary: %s", type(exc).__name__)
        events = []
    # The case log's own deadline entries are listed, in words, under what is due.
    data.today_events = _today_events(rt, [e for e in events if DEADLINE not in e.categories])
    _add_positions(rt, data, events)
    try:
        data.cpd = cpd_status(rt).requirements
    except UserError as exc:
        log.warning("CPD requirements unreadable: %s", exc)
    data.research_digest = research_digest(rt)
    with rt.sessions() as session:
        data.failed_writes = failed_writes(session, rt.practice_id)
    _in_practice_zone(data, rt.tz)
    return data


def in_zone(moment: date | datetime, tz: tzinfo) -> date | datetime:
    """``moment`` as the practice reads it: a time in the practice's zone (an event set at
    18:30 in Los Angeles is 21:30 to a New York practice); a day (all-day) as it is."""
    return moment.astimezone(tz) if isinstance(moment, datetime) else moment


def _in_practice_zone(data: SummaryData, tz: tzinfo) -> None:
    """Every time the summary shows, in the practice's zone: connectors hand back events in
    the zone they were set in (or UTC), which is not the practitioner's."""
    data.today_events = sorted(
        (replace(e, start=in_zone(e.start, tz)) for e in data.today_events),
        key=lambda e: (isinstance(e.start, datetime), str(e.start)),
    )
    data.appointment_briefs = [
        replace(b, start=in_zone(b.start, tz)) for b in data.appointment_briefs
    ]
    data.booking_flags = [replace(f, start=in_zone(f.start, tz)) for f in data.booking_flags]
    data.today_events = [_with_brief(e, data.appointment_briefs) for e in data.today_events]


def _with_brief(event: TodayEvent, briefs: list[AppointmentBrief]) -> TodayEvent:
    """The event with its appointment brief's counts (the brief of the same time whose cases
    include the event's)."""
    for brief in briefs:
        # The brief's cases are the appointment's and the patient's others.
        if (
            event.case_ids
            and brief.start == event.start
            and set(event.case_ids) <= set(brief.case_ids)
        ):
            return replace(
                event,
                open_items=len(brief.open_items) + brief.more_items,
                labs_to_review=len(brief.labs_awaiting_review),
                reorders_due=len(brief.reorders_due),
            )
    return event


def _today_events(rt: Runtime, events: list[CalendarEntry]) -> list[TodayEvent]:
    """Today's calendar, each appointment with the cases it is linked to and its title's
    patient name shown as ``[summary] patient_names`` says (bot/summary/privacy.py)."""
    linked: dict[str, tuple[int, ...]] = {}
    with rt.sessions() as session:
        linker = CaseLinker(session, rt.practice_id, rt.pseudonyms)
        for appointment in appointments(events):
            link = linker.link(appointment)
            if link is not None:
                linked[appointment.key] = tuple(sorted(link.case_ids))
    mode = rt.config.summary.patient_names
    out = []
    for entry, key in zip(events, _appointment_keys(events), strict=True):
        case_ids = linked.get(key, ())
        labels = [short_case_id(c) for c in case_ids]
        title = mask_patient_names(entry.summary, mode, labels)
        out.append(TodayEvent(start=entry.start, summary=title, case_ids=case_ids))
    out.sort(key=lambda e: str(e.start))
    return out


def _appointment_keys(events: list[CalendarEntry]) -> list[str]:
    """The key :func:`bot.features.appointment_links.appointments` gives each entry (uid,
    occurrence)."""
    return [
        stable_key("appointment", e.extra.get("uid") or e.key, e.extra.get("recurrence_id", ""))
        for e in events
    ]


def _add_positions(rt: Runtime, data: SummaryData, today_events: list[CalendarEntry]) -> None:
    """Payment positions, quiet referrers, appointment briefs and flagged bookings."""
    today = rt.today()
    try:
        window = window_entries(rt)
    except ConnectorError as exc:
        log.warning("calendar unreadable for the booking guard: %s", type(exc).__name__)
        window = []
    with rt.sessions() as session:
        data.payment_positions = payment_positions(session, rt.practice_id, today)
        data.payment_totals = currency_totals(data.payment_positions)
        sources = referral_sources(
            session,
            rt.practice_id,
            rt.rules.parties,
            today,
            rt.config.referrals.quiet_days,
            rt.tz,
        )
        data.quiet_referrers = quiet_sources(sources)
        data.referral_sources = sources
        data.ageing = ageing_rows(session, rt.practice_id, today)
        data.referral_quiet_days = rt.config.referrals.quiet_days
        data.open_acknowledgements = sum(s.open_acknowledgements for s in sources)
        data.appointment_briefs = appointment_briefs(
            session, rt.practice_id, rt.pseudonyms, today_events, today, rt.now()
        )
        data.booking_flags = booking_flags(session, rt, window)
    data.network_line = weekly_line(rt)  # referrals out: one line when the week changed them


def summary_key_today(rt: Runtime) -> str:
    """Today's key, keyed with the practice secret (``bot.sync.own_mail.summary_key``)."""
    return summary_key(rt, rt.today())


def copy_key(raw: bytes) -> str | None:
    """The key a copy written earlier (before a crash) carries: it was delivered, or is
    about to be, under that key, whatever rule made it."""
    import email.parser
    import email.policy

    head = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
    value = str(head.get(KEY_HEADER, "")).strip()
    try:
        return check_key(value)
    except ValueError:
        return None


def summary_text(rt: Runtime) -> str:
    """The text version of today's summary (for ``chief summary --print``)."""
    import email
    import email.policy

    raw = build_summary(
        collect_summary(rt), rt.template_dirs, rt.practitioner, summary_key_today(rt), now=rt.now()
    )
    message = email.message_from_bytes(raw, policy=email.policy.default)
    part = message.get_body(preferencelist=("plain",))
    return str(part.get_content()) if part is not None else ""


def summary_html(rt: Runtime, local_links: bool = False) -> str:
    """The HTML version of today's summary, as delivered (with ``file://`` links to the
    drafts too when ``local_links``: for the copy on this computer)."""
    import email
    import email.policy

    raw = build_summary(
        collect_summary(rt, local_links),
        rt.template_dirs,
        rt.practitioner,
        summary_key_today(rt),
        now=rt.now(),
    )
    message = email.message_from_bytes(raw, policy=email.policy.default)
    part = message.get_body(preferencelist=("html",))
    return str(part.get_content()) if part is not None else ""


def open_summary(rt: Runtime) -> Path:
    """Write today's HTML summary under the data folder (0600) for a look in a browser on
    this computer: the one copy whose drafts may link to their files (``file://``)."""
    path = rt.config.data_path / "summaries" / f"summary-{rt.today().isoformat()}.html"
    write_private(path, summary_html(rt, local_links=True).encode("utf-8"))
    return path
