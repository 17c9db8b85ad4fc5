"""From a classified, filed message to planned actions: deadlines, drafts, calendar entries.

Planning writes rows only (inside the batch's transaction): a Deadline per clock, a Draft with
its rendered message journalled, a CalendarEntry with its payload. Nothing leaves the machine
here; :mod:`bot.sync.effects` applies the plan afterwards, idempotently. Every row is keyed by a
stable key derived from the message key and the purpose, and a unique constraint makes a
second plan of the same thing a no-op.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.calendar.invitations import entries_from_invites
from bot.calendar.payload import entry_to_payload, payload_hash
from bot.clocks.controversy import amount_in_dispute, controversy_note
from bot.clocks.deadlines import Due, deadlines_for
from bot.errors import TemplateError, UserError
from bot.keys import stable_key
from bot.mail.message import Message
from bot.rules.engine import PRIVATE_REFS, Classification
from bot.rules.facts import stated_facts
from bot.store.models import CalendarEntryRow, Case, Deadline, Draft, MessageRow
from bot.store.times import stored_utc
from bot.sync.draft_once import (
    decided_later,
    deciding_rules,
    drop_moot_drafts,
    same_ask_answered,
)
from bot.sync.matching import case_key, identifying_refs
from bot.sync.redrafting import draft_context, source_of
from bot.sync.retries import record_failure
from bot.sync.runtime import Runtime
from connectors.base import CalendarEntry

__all__ = ["Plan", "draft_key", "plan_calendar_entry", "plan_message"]

log = logging.getLogger(__name__)


@dataclass
class Plan:
    deadlines: list[Deadline] = field(default_factory=list)
    drafts: list[Draft] = field(default_factory=list)
    calendar: list[CalendarEntryRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    failed_templates: list[Exception] = field(default_factory=list)
    drafts_moot: int = 0


def draft_key(rt: Runtime, message_key: str, template: str) -> str:
    """The idempotency key of the draft ``template`` answering a message. Keyed with the
    practice secret (``bot.keys`` KEYED KEYS): its other parts are the message's Message-ID and
    sender, which its sender knows, and a key they could compute they could also put on a
    message of their own, for the draft's lookup to find and take for the draft."""
    return rt.keyed_key(message_key, "draft", template)


def _public_refs(refs: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in refs.items() if k not in PRIVATE_REFS}


def _case_label(case: Case | None, result: Classification) -> str:
    kind = (case.kind if case else result.case_kind) or result.category or "message"
    label = kind.replace("_", " ")
    for ref in case.refs if case else ():
        return f"{label} {ref.value}"
    return label


def plan_calendar_entry(
    session: Session, rt: Runtime, entry: CalendarEntry, source: str
) -> CalendarEntryRow | None:
    """Record ``entry`` as planned; re-plan it only if it changed. Returns the row if new work."""
    payload = entry_to_payload(entry)
    digest = payload_hash(payload)
    row = session.scalar(select(CalendarEntryRow).where(CalendarEntryRow.key == entry.key))
    start = entry.start.date() if isinstance(entry.start, datetime) else entry.start
    if row is None:
        row = CalendarEntryRow(
            key=entry.key,
            practice_id=rt.practice_id,
            source=source,
            start=start,
            summary_hash=digest,
            state="planned",
            payload=payload,
        )
        session.add(row)
        return row
    if row.summary_hash != digest:
        row.payload, row.summary_hash, row.start, row.state = payload, digest, start, "planned"
        return row
    return None


def _deadline_entry(rt: Runtime, deadline: Deadline, source_note: str) -> CalendarEntry:
    return CalendarEntry(
        key=deadline.key,
        summary=f"Due: {deadline.title}",
        start=deadline.due,
        end=deadline.due + timedelta(days=1),
        description=source_note,
        alarms=tuple(rt.config.reminders.deadline_alarm_minutes),
        categories=("deadline",),
    )


def plan_message(
    session: Session,
    rt: Runtime,
    row: MessageRow,
    message: Message,
    result: Classification,
    case: Case | None,
    day_first: bool,
) -> Plan:
    """Deadlines, drafts and calendar entries for one filed message; ``day_first`` says how
    its writer orders numeric dates (:func:`bot.rules.stated_dates.day_first`)."""
    plan = Plan()
    received: datetime = (message.date or rt.now()).astimezone(rt.tz)
    label = _case_label(case, result)
    refs = _public_refs(result.refs)

    practice = rt.config.practice
    if not result.acts_for(practice.country, practice.kind):
        # Mail of another country's or profession's process: filed, nothing planned (a US
        # practice gets no EHCP advice skeleton, a UK one no US appeal letter).
        return plan
    found = deadlines_for(result, received, rt.clocks, day_first, practice.country, practice.kind)
    for action in result.deadline_actions:
        spec = action.deadline
        if spec.clock not in rt.clocks:
            plan.problems.append(f"rule {result.rule_id}: unknown clock {spec.clock!r}")
        elif spec.from_ref and not result.refs.get(spec.from_ref):
            plan.problems.append(
                f"message {message.fingerprint}: no {spec.from_ref} for clock {spec.clock}"
            )
    waiting = waiting_case_key(result, row, message) if case is None else None
    facts = stated_facts(message.text, message.calendar_parts, received, day_first)
    notes: dict[str, str] = {}
    for due in found:
        if due.clock_id == "stated" and case is None:
            continue  # a date stated in unfiled mail belongs to no one's list
        if due.clock is not None:
            title = due.title or f"{label}: {_purpose_words(due)}{due.clock.describe()}"
        else:
            title = f"{label}: {_purpose_words(due)}date stated in the message"
        deadline = _set_deadline(
            session, rt, plan, row, case, waiting, due.clock_id, title, due.due, due.from_notice
        )
        if deadline is not None:
            notes[deadline.key] = due.note()
            if due.clock is not None and due.clock.amount_in_controversy:
                disputed = amount_in_dispute(message.text, facts)
                aic = controversy_note(due.clock, received.date(), due.due, disputed)
                notes[deadline.key] = f"{notes[deadline.key]} {aic}".strip()
    for deadline in plan.deadlines:
        note = notes.get(deadline.key) or _clock_note(rt, deadline)
        entry = plan_calendar_entry(session, rt, _deadline_entry(rt, deadline, note), "deadline")
        if entry is not None:
            plan.calendar.append(entry)

    first = plan.deadlines[0] if plan.deadlines else None
    p2p = next((d for d in found if d.clock and d.clock.purpose == "peer_to_peer"), None)
    # One draft per decision (bot/sync/draft_once.py): none once a later message decided the
    # case; what earlier messages planned and this one decides is moot.
    appeal_due = next((d for d in found if d.clock and d.clock.purpose == "appeal"), None)
    appeal = {"due": appeal_due.due, "clock": appeal_due.clock_id} if appeal_due else None
    deciding = deciding_rules(rt.rules.rules)
    settled = decided_later(session, case, row, deciding)
    plan.drafts_moot = drop_moot_drafts(session, case, row, deciding)
    for draft_action in result.draft_actions:
        template = draft_action.draft.template
        offered = draft_action.draft.if_offered
        if offered is not None and offered not in result.mentions:
            continue
        if settled or same_ask_answered(session, case, row, template):
            continue
        key = draft_key(rt, row.key, template)
        offer = {"due": p2p.due, "note": p2p.note()} if p2p else None
        context = draft_context(rt, case, result.case_kind, refs, first, offer, facts, appeal)
        recipient = rt.recipient_for(message, result.case_kind)
        draft = Draft(
            key=key,
            practice_id=rt.practice_id,
            case_id=case.id if case else None,
            message_id=row.id,
            template=template,
            created_at=rt.now(),
        )
        try:
            outgoing = rt.drafter.render_reply(
                template,
                message,
                context,
                key,
                rt.practitioner,
                to=draft_action.draft.to,
                recipient=recipient,
            )
            draft.raw = outgoing.raw
        except (TemplateError, UserError) as exc:
            # Kept with what it is rendered from, and rendered again on later passes: once
            # the template is fixed, the draft is written (bot/sync/redrafting.py).
            record_failure(draft, rt.now(), f"{type(exc).__name__}: {exc}")
            to = draft_action.draft.to
            draft.source = source_of(
                rt, message, refs, result.case_kind, to, first, offer, recipient, facts, appeal
            )
            plan.failed_templates.append(exc)
        session.add(draft)
        plan.drafts.append(draft)

    if message.calendar_parts and (result.wants_invites or result.category == "team"):
        alarms = tuple(rt.config.reminders.invite_alarm_minutes)
        for invite in entries_from_invites(message, alarms, tz=rt.config.practice.timezone):
            scoped = replace(invite, key=stable_key(rt.config.practice.slug, invite.key))
            planned = plan_calendar_entry(session, rt, scoped, "invite")
            if planned is not None:
                plan.calendar.append(planned)
    return plan


def _purpose_words(due: Due) -> str:
    purpose = due.clock.purpose if due.clock else due.stated.purpose if due.stated else ""
    return {"appeal": "appeal, ", "peer_to_peer": "peer-to-peer, "}.get(purpose, "")


def _set_deadline(
    session: Session,
    rt: Runtime,
    plan: Plan,
    row: MessageRow,
    case: Case | None,
    waiting: str | None,
    clock: str,
    title: str,
    due: date,
    stated: bool,
) -> Deadline | None:
    """Plan the deadline of ``clock`` for this message's case.

    A case has one open deadline per clock: a later message on the case (a chaser, a
    reminder, a new stated date) moves it rather than adding a second, and its calendar
    entry is updated in place. A message older than the one that set the deadline (mail
    read out of order) leaves it alone. Without a case, the deadline is keyed as the case
    its reference names would key it (``waiting``: adopted with its message when that case
    opens, :mod:`bot.sync.adoption`), else it belongs to the message.
    """
    if case is not None or waiting is not None:
        identity = case.identity if case is not None else waiting
        key = case_deadline_key(rt, str(identity), clock)
    else:
        key = stable_key(row.key, "deadline", clock)
    deadline = session.scalar(select(Deadline).where(Deadline.key == key))
    if deadline is not None:
        if case is not None and deadline.case_id is None:
            deadline.case_id = case.id  # set while its message waited for this case
        setter = session.get(MessageRow, deadline.message_id) if deadline.message_id else None
        newer = (
            setter is None
            or setter.received_at is None
            or row.received_at is None
            or stored_utc(row.received_at) >= stored_utc(setter.received_at)
        )
        if not newer:
            return None
        deadline.message_id, deadline.title, deadline.due = row.id, title, due
        deadline.stated, deadline.done = stated, False
        deadline.closed_at = deadline.closed_reason = None
    else:
        deadline = Deadline(
            key=key,
            practice_id=rt.practice_id,
            case_id=case.id if case else None,
            message_id=row.id,
            clock=clock,
            title=title,
            due=due,
            stated=stated,
        )
        session.add(deadline)
    plan.deadlines.append(deadline)
    return deadline


def case_deadline_key(rt: Runtime, identity: str, clock: str) -> str:
    """The key of the deadline of ``clock`` on the case whose identity (KEY) is ``identity``."""
    return stable_key(rt.config.practice.slug, "case", identity, "deadline", clock)


def waiting_case_key(result: Classification, row: MessageRow, message: Message) -> str | None:
    """The KEY of the case an unfiled message's reference names, though no such case is
    open yet (the notice that opens it read later): only for a message whose rule files it to
    a case by that reference, so its deadlines are keyed as that case will key them."""
    refs = identifying_refs(result.refs)
    action = result.case_action
    if not refs or result.case_kind is None or action is None:
        return None
    named = action.case.key
    if named is not None and named in refs:
        refs = {named: refs[named]}
    return case_key(result.case_kind, row, message, refs)


def _clock_note(rt: Runtime, deadline: Deadline) -> str:
    clock = rt.clocks.get(deadline.clock)
    if clock is None:
        return ""
    return f"Clock {deadline.clock}: {clock.describe()}. Source: {clock.source}"
