"""Referrals the practitioner sends out: opened from her sent mail, closed by the reply.

OUTBOUND REFERRAL
    A message in her sent mail to someone other than herself that asks them to see, assess or
    treat a patient (``I am referring``, ``would you be able to see``, ``referral for``...)
    and names one (a ``Re:``/``Patient:`` line, or a date of birth); not a thank-you for a
    referral she received. Its case: the one its thread, a case reference it quotes, or the
    patient's pseudonym finds; else a ``referral`` case opened for it.
WHO
    The allied practitioner, named as the referral network names a source
    (:func:`bot.features.referral_network.source_of`: the party directory's name, the domain,
    or a shared mail service's sender hash), so referrals out and in meet in ``chief network``.
MODALITY
    The first of ``[referrals] modalities`` the recipient's domain, then the subject, then
    the letter names.
CLOSED
    By the first message from WHO after it (in its thread, on its case, or the only referral
    open to WHO), with its outcome: ``discharge``, ``report`` (an assessment, a report or a
    treatment summary) or ``reply``.
CHASE
    An open referral older than ``[referrals] outbound_chase_days`` gets one chase draft,
    addressed to WHO (the address sealed in the case log) and threaded on the referral.

Nothing of the letter is kept but the above; logs carry ids and key hashes.
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import TemplateError, UserError
from bot.keys import key_hash, stable_key
from bot.letters.drafting import practitioner_identity
from bot.letters.headers import MSGID_RE, OUTGOING_POLICY, clean_header_text, finish_draft
from bot.letters.templates import render_template
from bot.mail.message import Message
from bot.store.case_ids import short_case_id
from bot.store.models import Case, CaseRef, Draft, MessageRow
from bot.store.note_models import OutboundReferral
from bot.sync.runtime import Runtime
from bot.sync.steps import FiledMessage, SyncReport

from .referral_network import source_of

__all__ = [
    "CHASE_TEMPLATE",
    "asks_to_see",
    "modality_of",
    "outbound_chase_pass",
    "outbound_reply_step",
    "outbound_sent",
]

log = logging.getLogger(__name__)

CHASE_TEMPLATE = "referral/outbound_chase.j2"

_ASKS = re.compile(
    r"(?i)\b(?:I am referring|I'm referring|I would like to refer|I'd like to refer|"
    r"I am writing to refer|referring (?:to you|[A-Z][a-z]+ (?:to you|for))|"
    r"would you (?:kindly |please |be able to |be willing to )?(?:see|assess|treat)|"
    r"(?:please|could you) (?:see|assess|treat)|referral for (?:assessment|treatment|"
    r"acupuncture|\w+ therapy))"
)
_THANKS = re.compile(r"(?i)thank(?:s| you) for (?:your |the )?referr")
_NAMES_PATIENT = re.compile(
    r"(?im)^\s*(?:re|patient|client|name)\s*:\s*\S|\b(?:date of birth|d\.?o\.?b\.?)\b"
)
_PATIENT_LINE = re.compile(
    r"(?im)^\s*(?:re|patient|client|name)\s*:\s*(.+?)"
    r"(?:\s{2,}|,|\(|\s+(?:DOB|D\.O\.B|date of birth)\b|$)"
)
_OUR_REF = re.compile(r"(?im)\bour ref(?:erence)?\s*:?\s*([A-Z0-9][A-Z0-9/.-]{3,30})")
_DOB = re.compile(
    r"(?i)\b(?:date of birth|d\.?o\.?b\.?)\s*:?\s*"
    r"([0-9]{1,4}[-/ .][0-9A-Za-z]{1,9}[-/ .][0-9]{2,4})"
)
_DISCHARGE = re.compile(r"(?i)\bdischarg")
_REPORT = re.compile(
    r"(?i)\b(report|assessment|findings|treatment (?:plan|summary)|summary of treatment)\b"
)


def asks_to_see(message: Message) -> bool:
    """Whether a sent letter is a referral out (see OUTBOUND REFERRAL)."""
    text = f"{message.subject}\n{message.text}"
    return (
        bool(_ASKS.search(text))
        and not _THANKS.search(text)
        and bool(_NAMES_PATIENT.search(message.text))
    )


def modality_of(modalities: list[str], domain: str, subject: str, text: str) -> str | None:
    """The first configured modality the domain, then the subject, then the text names."""
    for place in (domain.replace("-", " "), subject, text):
        lowered = place.lower()
        for modality in modalities:
            stem = modality.lower()[: max(5, len(modality) - 3)]
            if stem in lowered:
                return modality
    return None


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()


def _case_for(session: Session, rt: Runtime, message: Message) -> Case | None:
    ids = message.thread_ids
    if ids:
        row = session.scalar(
            select(MessageRow).where(
                MessageRow.message_id.in_(ids), MessageRow.case_id.is_not(None)
            )
        )
        if row is not None and row.case_id is not None:
            return session.get(Case, row.case_id)
    text = f"{message.subject}\n{message.text}".lower()
    refs = session.execute(
        select(CaseRef.value, CaseRef.case_id).where(CaseRef.practice_id == rt.practice_id)
    ).all()
    for value, case_id in refs:
        if len(value) >= 5 and value.lower() in text:
            return session.get(Case, case_id)
    pseudonym = _pseudonym(rt, message)
    if pseudonym is not None:
        return session.scalar(
            select(Case).where(
                Case.practice_id == rt.practice_id, Case.patient_pseudonym == pseudonym
            )
        )
    return None


def _pseudonym(rt: Runtime, message: Message) -> str | None:
    name = _PATIENT_LINE.search(message.text)
    dob = _DOB.search(message.text)
    if name is None:
        return None
    return rt.pseudonyms.pseudonym(name.group(1).strip(), dob.group(1) if dob else None)


def outbound_sent(session: Session, rt: Runtime, message: Message) -> OutboundReferral | None:
    """Open an outbound referral for a sent letter that is one (the sent-replies pass calls
    this for each sent message); None when it is not one or was seen before."""
    me = rt.practitioner[1].lower()
    recipients = [a for a in message.to if a.lower() != me]
    if not recipients or not asks_to_see(message):
        return None
    ident = message.message_id or f"{message.provider_id}:{message.date}"
    key = rt.keyed_key("outbound referral", ident)
    if session.scalar(select(OutboundReferral.id).where(OutboundReferral.key == key)):
        return None
    address = recipients[0].lower()
    domain = address.rpartition("@")[2]
    who, label = source_of(domain, _sha(address), rt.rules.parties)
    now = rt.now()
    sent_on = (message.date or now).astimezone(rt.tz).date()
    case = _case_for(session, rt, message)
    if case is None:
        case = Case(
            practice_id=rt.practice_id,
            kind="referral",
            key=stable_key(rt.config.practice.slug, "outbound referral", ident),
            status="referred out",
            patient_pseudonym=_pseudonym(rt, message),
            opened_at=message.date or now,  # opened by her letter, when she sent it
            updated_at=now,
        )
        session.add(case)
        session.flush()
        _our_reference(session, rt, case, message)
    referral = OutboundReferral(
        key=key,
        practice_id=rt.practice_id,
        case_id=case.id,
        who=who,
        label=label,
        modality=modality_of(rt.config.referrals.modalities, domain, message.subject, message.text),
        message_id=message.message_id,
        address=rt.pseudonyms.seal(address.encode()),
        sent_on=sent_on,
    )
    session.add(referral)
    _closed_by_logged_reply(session, rt, referral, address)
    log.info("outbound referral %s opened on case %s", key_hash(key), case.id)
    return referral


# A logged message's rule event, as the outcome of the referral it answers.
_EVENT_OUTCOMES = {"discharge": "discharge", "discharged": "discharge", "update": "report"}


def _closed_by_logged_reply(
    session: Session, rt: Runtime, referral: OutboundReferral, address: str
) -> None:
    """A reply read before the referral was (the sent mail is read after the inbox, so a
    reply in the same pass is already logged): the first logged message from its recipient
    after it closes it, with the outcome its rule's event says."""
    start = datetime.combine(referral.sent_on, time.min, tzinfo=rt.tz).astimezone(UTC)
    rows = session.scalars(
        select(MessageRow)
        .where(MessageRow.sender_hash == _sha(address), MessageRow.received_at.is_not(None))
        .order_by(MessageRow.received_at)
    ).all()
    for row in rows:
        assert row.received_at is not None
        received = row.received_at.replace(tzinfo=row.received_at.tzinfo or UTC)
        if received < start:
            continue
        referral.closed_on = received.astimezone(rt.tz).date()
        referral.outcome = _EVENT_OUTCOMES.get(row.event or "", "reply")
        return


def _our_reference(session: Session, rt: Runtime, case: Case, message: Message) -> None:
    """The practice's own reference the letter quotes (``Our ref: LIH-2026-031``), kept on the
    case it opened: her notes name the case by it."""
    found = _OUR_REF.search(message.text)
    if found is None:
        return
    value = found.group(1).rstrip(".")
    taken = session.scalar(
        select(CaseRef.id).where(CaseRef.practice_id == rt.practice_id, CaseRef.value == value)
    )
    if taken is None:
        session.add(
            CaseRef(practice_id=rt.practice_id, case_id=case.id, name="our_ref", value=value)
        )


def outcome_of(message: Message) -> str:
    text = f"{message.subject}\n{message.text}"
    if _DISCHARGE.search(text):
        return "discharge"
    return "report" if _REPORT.search(text) else "reply"


def outbound_reply_step(filed: FiledMessage, report: SyncReport) -> None:
    """Message step: a message from an allied practitioner closes the referral it answers."""
    rt, message, row = filed.rt, filed.message, filed.row
    if message.from_addr == rt.practitioner[1].lower() or not message.from_addr:
        return
    who, _ = source_of(row.sender_domain, row.sender_hash, rt.rules.parties)
    open_ones = filed.session.scalars(
        select(OutboundReferral).where(
            OutboundReferral.practice_id == rt.practice_id,
            OutboundReferral.who == who,
            OutboundReferral.closed_on.is_(None),
        )
    ).all()
    if not open_ones:
        return
    ids = set(message.thread_ids)
    day = filed.day
    chosen = next((r for r in open_ones if r.message_id and r.message_id in ids), None)
    if chosen is None and filed.case is not None:
        chosen = next((r for r in open_ones if r.case_id == filed.case.id), None)
    if chosen is None and len(open_ones) == 1:
        chosen = open_ones[0]
    if chosen is None or day < chosen.sent_on:
        return
    chosen.closed_on, chosen.outcome = day, outcome_of(message)
    log.info("outbound referral %s closed: %s", key_hash(chosen.key), chosen.outcome)


def outbound_chase_pass(rt: Runtime, report: SyncReport) -> None:
    """Practice pass: a chase draft for each referral unanswered for the configured days."""
    cutoff = rt.today() - timedelta(days=rt.config.referrals.outbound_chase_days)
    with rt.sessions.begin() as session:
        due = session.scalars(
            select(OutboundReferral).where(
                OutboundReferral.practice_id == rt.practice_id,
                OutboundReferral.closed_on.is_(None),
                OutboundReferral.chase_key.is_(None),
                OutboundReferral.sent_on <= cutoff,
            )
        ).all()
        for referral in due:
            key = rt.keyed_key(referral.key, "chase")
            try:
                raw = _render_chase(session, rt, referral, key)
            except (TemplateError, UserError) as exc:
                report.errors.append(f"referral chase not drafted: {exc}")
                continue
            session.add(
                Draft(
                    key=key,
                    practice_id=rt.practice_id,
                    case_id=referral.case_id,
                    template=CHASE_TEMPLATE,
                    state="planned",
                    raw=raw,
                    created_at=rt.now(),
                )
            )
            referral.chase_key = key
            report.drafts_planned += 1


def _render_chase(session: Session, rt: Runtime, referral: OutboundReferral, key: str) -> bytes:
    case = session.get(Case, referral.case_id) if referral.case_id else None
    context = {
        "practice": rt.practice_context(),
        "referral": {
            "to": referral.label,
            "modality": referral.modality,
            "sent_on": referral.sent_on,
            "days": (rt.today() - referral.sent_on).days,
        },
        "case": {
            "short_id": short_case_id(case.id) if case else None,
            "reference": next((r.value for r in case.refs), None) if case else None,
        },
        "today": rt.today(),
    }
    body, exported = render_template(rt.drafter.env, CHASE_TEMPLATE, context)
    me = practitioner_identity(rt.practitioner)
    msg = EmailMessage(policy=OUTGOING_POLICY)
    msg["From"] = me
    address = rt.pseudonyms.unseal(referral.address or "")
    if address:
        msg["To"] = address.decode()
    msg["Subject"] = clean_header_text(exported.get("subject") or "Referral")
    if referral.message_id and MSGID_RE.fullmatch(referral.message_id):
        msg["In-Reply-To"] = referral.message_id
        msg["References"] = referral.message_id
    return finish_draft(msg, me.addr_spec, body, key, rt.now())
