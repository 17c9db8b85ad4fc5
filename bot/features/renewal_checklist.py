"""Renewal preparation checklists: one draft to the practitioner when a renewal window opens.

When a credential's RENEWAL WINDOW opens, a checklist for that credential is drafted into the
practitioner's own Drafts folder, addressed to her alone and marked DRAFT FOR REVIEW: the
dates that matter (from the deadline clocks, with their sources), what the issuer asks for
(facts per kind of credential, from the project's domain facts), and CME progress for a
requirement linked to the credential. Template: ``credentialing/renewal_checklist.j2``.

RENEWAL WINDOW
    Opens on the HCPC window's first day for an HCPC registration (1 August of the odd year,
    clock ``credential.hcpc_window_opens``), else the longest lead time before expiry (the
    register's ``lead_days``, default 90 days); it closes at expiry. A checklist is drafted
    while the window is open: a credential already expired gets its EXPIRED calendar entry
    instead (:mod:`bot.register.credentials`).
CYCLE
    One expiry date of one credential. The draft's idempotency key is derived from the
    practice, the credential id and the expiry date, so each cycle gets exactly one draft;
    setting the next expiry date in the register starts the next cycle.

Exactly once: the draft is looked for in the Drafts folder by its key before it is written,
and recorded afterwards as an audit event (``checklist.create``, or ``checklist.reconcile``
when a crash had left it written but unrecorded). A recorded cycle is never drafted again,
even when the practitioner has deleted or sent the draft. The checklist is not a ``Draft`` row
because a row belongs to a received message, and this draft answers none.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import crash
from bot.clocks.clocks import ClockSet
from bot.errors import ConnectorError, TemplateError, UserError
from bot.features.cpd import RequirementProgress
from bot.keys import stable_key
from bot.letters.drafting import practitioner_identity
from bot.letters.headers import OUTGOING_POLICY, clean_header_text, finish_draft
from bot.letters.templates import render_template
from bot.register.credentials import DEFAULT_LEAD_DAYS, Credential
from bot.store.models import AuditEvent
from bot.sync.audit import connector_name, record_audit
from bot.sync.steps import SyncReport
from connectors.base import OutgoingDraft

if TYPE_CHECKING:
    from bot.register.register import Register
    from bot.sync.runtime import Runtime

__all__ = [
    "TEMPLATE",
    "ChecklistReport",
    "checklist_key",
    "checklist_pass",
    "checklists_written",
    "due_checklists",
    "key_dates",
    "render_checklist",
    "window_opens",
    "write_renewal_checklists",
]

log = logging.getLogger(__name__)

TEMPLATE = "credentialing/renewal_checklist.j2"
CREATED, RECONCILED = "checklist.create", "checklist.reconcile"

# Dates worth knowing per kind of credential: (label, clock counted from the expiry date).
KIND_DATES: dict[str, tuple[tuple[str, str], ...]] = {
    "dea": (
        ("DEA renewal notice expected about", "credential.dea_notice"),
        ("Last day to reinstate after expiry", "credential.dea_reinstatement"),
    ),
    "hcpc": (("HCPC renewal window opens", "credential.hcpc_window_opens"),),
    "gmc": (("GMC notice of the revalidation date due by", "credential.gmc_revalidation_notice"),),
}


@dataclass
class ChecklistReport:
    written: int = 0
    found: int = 0
    errors: list[str] = field(default_factory=list)


def window_opens(credential: Credential, clocks: ClockSet) -> date:
    """The day the credential's renewal window opens (see RENEWAL WINDOW)."""
    hcpc = clocks.get("credential.hcpc_window_opens")
    if credential.kind == "hcpc" and hcpc is not None:
        opens = hcpc.due(credential.expires)
        return opens.date() if isinstance(opens, datetime) else opens
    lead = max(credential.lead_days, default=DEFAULT_LEAD_DAYS[0])
    return credential.expires - timedelta(days=lead)


def due_checklists(
    credentials: Iterable[Credential], today: date, clocks: ClockSet
) -> list[tuple[Credential, date]]:
    """(credential, window opening) for each credential whose renewal window is open today."""
    out = []
    for credential in credentials:
        opens = window_opens(credential, clocks)
        if opens <= today <= credential.expires:
            out.append((credential, opens))
    return out


def checklist_key(practice_slug: str, credential: Credential) -> str:
    """One key per practice, credential and expiry date: one draft per renewal cycle."""
    return stable_key(
        practice_slug, "credential", credential.id, "renewal-checklist", credential.expires
    )


def key_dates(credential: Credential, clocks: ClockSet) -> list[dict[str, Any]]:
    """The dates the checklist lists for this kind of credential, each with its clock."""
    out = []
    for label, clock_id in KIND_DATES.get(credential.kind, ()):
        clock = clocks.get(clock_id)
        if clock is None:
            continue
        due = clock.due(credential.expires)
        out.append(
            {
                "label": label,
                "date": due.date() if isinstance(due, datetime) else due,
                "clock": clock.id,
                "source": clock.source,
                "verify": clock.verify,
            }
        )
    return out


def render_checklist(
    rt: Runtime,
    credential: Credential,
    opens: date,
    key: str,
    progress: Sequence[RequirementProgress] = (),
    now: datetime | None = None,
) -> bytes:
    """The checklist as a complete RFC 5322 message from and to the practitioner."""
    me = practitioner_identity(rt.practitioner)
    context = {
        "practice": rt.practice_context(),
        "credential": {
            "id": credential.id,
            "kind": credential.kind,
            "name": credential.name,
            "issuer": credential.issuer,
            "number": credential.number,
            "expires": credential.expires,
            "renewal_url": credential.renewal_url,
        },
        "opens": opens,
        "dates": key_dates(credential, rt.clocks),
        "cme": [p.as_dict() | {"period_end": p.period_end} for p in progress],
        "today": rt.today(),
    }
    body, exported = render_template(rt.drafter.env, TEMPLATE, context)
    subject = clean_header_text(exported.get("subject") or f"Renewal checklist: {credential.name}")
    msg = EmailMessage(policy=OUTGOING_POLICY)
    msg["From"] = me
    msg["To"] = me
    msg["Subject"] = subject
    return finish_draft(msg, me.addr_spec, body, key, now)


def checklists_written(session: Session, practice_id: int) -> int:
    """How many renewal checklists are in the practice's Drafts folder (by the audit log)."""
    return (
        session.scalar(
            select(func.count(func.distinct(AuditEvent.target))).where(
                AuditEvent.practice_id == practice_id,
                AuditEvent.action.in_((CREATED, RECONCILED)),
            )
        )
        or 0
    )


def _recorded(rt: Runtime, key: str) -> bool:
    with rt.sessions() as session:
        found = session.scalar(
            select(AuditEvent.id).where(
                AuditEvent.practice_id == rt.practice_id,
                AuditEvent.action.in_((CREATED, RECONCILED)),
                AuditEvent.target == key,
            )
        )
    return found is not None


def write_renewal_checklists(rt: Runtime, register: Register) -> ChecklistReport:
    """Draft the checklist of every credential whose renewal window is open, once per cycle."""
    from bot.features.cpd import cpd_progress, load_certificates

    report = ChecklistReport()
    due = due_checklists(register.credentials, rt.today(), rt.clocks)
    if not due:
        return report
    with rt.sessions() as session:
        certificates = load_certificates(session, rt.practice_id)
    progress = cpd_progress(register.cme, certificates, rt.today())
    sink = rt.mail()
    for credential, opens in due:
        key = checklist_key(rt.config.practice.slug, credential)
        if _recorded(rt, key):
            continue
        linked = [p for p in progress if p.credential == credential.id]
        try:
            remote = sink.find_draft(key)
            action = RECONCILED
            if remote is None:
                raw = render_checklist(rt, credential, opens, key, linked)
                remote = sink.create_draft(OutgoingDraft(key=key, raw=raw))
                crash.step("checklist.remote")
                action = CREATED
                report.written += 1
            else:
                report.found += 1
        except (ConnectorError, TemplateError, UserError) as exc:
            report.errors.append(f"renewal checklist for `{credential.id}`: {exc}")
            log.warning("renewal checklist %s not written: %s", key, type(exc).__name__)
            continue
        with rt.sessions.begin() as session:
            record_audit(
                session,
                rt,
                action,
                key,
                remote_id=remote,
                connector=connector_name(rt, "mail"),
                detail=f"credential {credential.id}, expires {credential.expires.isoformat()}",
            )
        crash.step("checklist.commit")
    return report


def checklist_pass(rt: Runtime, report: SyncReport) -> None:
    """Practice pass: a renewal checklist drafted for every renewal window that is open. A
    register that cannot be read is left to the reminders pass to report."""
    try:
        register = rt.register()
    except UserError:
        return
    if register is None:
        return
    checklists = write_renewal_checklists(rt, register)
    report.drafts_written += checklists.written
    report.errors.extend(checklists.errors)
