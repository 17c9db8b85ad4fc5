"""Renewal preparation checklists: one draft to the practitioner when a renewal window opens.

When a credential's RENEWAL WINDOW opens, a checklist for that credential is drafted into the
practitioner's own Drafts folder, addressed to her alone and marked DRAFT FOR REVIEW: the
dates that matter (from the deadline clocks, with their sources), what the issuer asks for
(facts per kind of credential, from the project's domain facts), and CME progress for a
requirement linked to the credential. Template: ``credentialing/renewal_checklist.j2``.

RENEWAL WINDOW
    Opens on the HCPC window's first day for an HCPC registration: each profession renews in
    its own window (occupational therapists 1 August of odd years, physiotherapists 1 February
    of even years; clock ``credential.hcpc_window_opens`` and its variants). The profession is
    read from the credential's name, else the practice's ``[practice] kind``; a profession
    whose window chief does not know gets the lead time instead, never another's window. Else
    the longest lead time before expiry (the register's ``lead_days``, default 90 days); it
    closes at expiry. A checklist is drafted
    while the window is open: a credential already expired gets its EXPIRED calendar entry
    instead (:mod:`bot.register.credentials`).
CYCLE
    One expiry date of one credential. The draft's idempotency key is derived from the
    practice, the credential id and the expiry date, so each cycle gets exactly one draft;
    setting the next expiry date in the register starts the next cycle.

Exactly once: the checklist is journalled as a ``Draft`` row (one that answers no message)
and written by the effects pass like every other draft (:mod:`bot.sync.effects`): looked for
in the Drafts folder by its key, written only when absent, then recorded with its audit row.
A journalled cycle is never drafted again, even when the practitioner has deleted or sent the
draft.
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
from bot.errors import TemplateError, UserError
from bot.features.cpd import RequirementProgress
from bot.keys import stable_key
from bot.letters.drafting import practitioner_identity
from bot.letters.headers import OUTGOING_POLICY, clean_header_text, finish_draft
from bot.letters.templates import render_template
from bot.register.credentials import DEFAULT_LEAD_DAYS, Credential
from bot.rules.parties import Party
from bot.store.models import Draft
from bot.sync.steps import SyncReport

if TYPE_CHECKING:
    from bot.register.register import Register
    from bot.sync.runtime import Runtime

__all__ = [
    "TEMPLATE",
    "ChecklistReport",
    "checklist_key",
    "checklist_pass",
    "HCPC_PROFESSIONS",
    "WINDOW_CLOCK",
    "checklists_written",
    "due_checklists",
    "hcpc_profession",
    "key_dates",
    "plan_renewal_checklists",
    "render_checklist",
    "window_opens",
]

log = logging.getLogger(__name__)

TEMPLATE = "credentialing/renewal_checklist.j2"

# Dates worth knowing per kind of credential: (label, clock counted from the expiry date).
KIND_DATES: dict[str, tuple[tuple[str, str], ...]] = {
    "dea": (
        ("DEA renewal notice expected about", "credential.dea_notice"),
        ("Renewal may be filed from (21 CFR 1301.13(b))", "credential.dea_renewal_opens"),
        (
            "File by this date to stay registered while it is decided (21 CFR 1301.36(i))",
            "credential.dea_renewal_keeps_valid",
        ),
        ("Last day to reinstate after expiry", "credential.dea_reinstatement"),
    ),
    "gmc": (("GMC notice of the revalidation date due by", "credential.gmc_revalidation_notice"),),
}
WINDOW_CLOCK = "credential.hcpc_window_opens"
# HCPC professions whose renewal window the shipped clocks know (profession -> words naming it
# in a credential, lower case): the 15 the HCPC registers.
HCPC_PROFESSIONS: dict[str, tuple[str, ...]] = {
    "occupational_therapy": ("occupational therap",),
    "physiotherapy": ("physiotherap",),
    "arts_therapy": (
        "arts therap",
        "art therap",
        "music therap",
        "drama therap",
        "dramatherap",
    ),
    "dietetics": (
        "dietitian",
        "dietetic",
    ),
    "chiropody_podiatry": (
        "podiatr",
        "chiropod",
    ),
    "hearing_aid_dispensing": ("hearing aid",),
    "operating_department_practice": ("operating department",),
    "practitioner_psychology": ("psycholog",),
    "orthoptics": (
        "orthoptist",
        "orthoptic",
    ),
    "paramedicine": ("paramedic",),
    "clinical_science": ("clinical scien",),
    "prosthetics_orthotics": (
        "prosthetist",
        "orthotist",
    ),
    "speech_and_language_therapy": (
        "speech and language",
        "speech & language",
        "speech therap",
    ),
    "biomedical_science": ("biomedical scien",),
    "radiography": ("radiograph",),
}


def hcpc_profession(credential: Credential, practice_kind: str | None) -> str | None:
    """The HCPC profession of ``credential``: named in it, else the practice's kind."""
    name = credential.name.lower()
    for profession, words in HCPC_PROFESSIONS.items():
        if any(word in name for word in words):
            return profession
    return practice_kind if practice_kind in HCPC_PROFESSIONS else None


def _hcpc_opens(credential: Credential, clocks: ClockSet, practice_kind: str | None) -> date | None:
    profession = hcpc_profession(credential, practice_kind)
    if credential.kind != "hcpc" or profession is None:
        return None
    facts = Party("credentialing", "", (), {"profession": profession})
    clock = clocks.resolve(WINDOW_CLOCK, facts)
    if clock is None:
        return None
    opens = clock.due(credential.expires)
    return opens.date() if isinstance(opens, datetime) else opens


@dataclass
class ChecklistReport:
    planned: int = 0
    errors: list[str] = field(default_factory=list)


def window_opens(
    credential: Credential, clocks: ClockSet, practice_kind: str | None = None
) -> date:
    """The day the credential's renewal window opens (see RENEWAL WINDOW)."""
    opens = _hcpc_opens(credential, clocks, practice_kind)
    if opens is not None:
        return opens
    lead = max(credential.lead_days, default=DEFAULT_LEAD_DAYS[0])
    return credential.expires - timedelta(days=lead)


def due_checklists(
    credentials: Iterable[Credential],
    today: date,
    clocks: ClockSet,
    practice_kind: str | None = None,
) -> list[tuple[Credential, date]]:
    """(credential, window opening) for each credential whose renewal window is open today."""
    out = []
    for credential in credentials:
        opens = window_opens(credential, clocks, practice_kind)
        if opens <= today <= credential.expires:
            out.append((credential, opens))
    return out


def checklist_key(practice_slug: str, credential: Credential) -> str:
    """One key per practice, credential and expiry date: one draft per renewal cycle."""
    return stable_key(
        practice_slug, "credential", credential.id, "renewal-checklist", credential.expires
    )


def key_dates(
    credential: Credential, clocks: ClockSet, practice_kind: str | None = None
) -> list[dict[str, Any]]:
    """The dates the checklist lists for this kind of credential, each with its clock."""
    out = []
    opens = _hcpc_opens(credential, clocks, practice_kind)
    profession = hcpc_profession(credential, practice_kind) or ""
    window = clocks.resolve(
        WINDOW_CLOCK, Party("credentialing", "", (), {"profession": profession})
    )
    if opens is not None and window is not None:
        out.append(
            {
                "label": "HCPC renewal window opens",
                "date": opens,
                "clock": window.id,
                "source": window.source,
                "verify": window.verify,
            }
        )
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
        "dates": key_dates(credential, rt.clocks, rt.config.practice.kind),
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
    """How many renewal checklists are in the practice's Drafts folder (written drafts)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Draft)
            .where(
                Draft.practice_id == practice_id,
                Draft.template == TEMPLATE,
                Draft.state == "written",
            )
        )
        or 0
    )


def plan_renewal_checklists(rt: Runtime, register: Register) -> ChecklistReport:
    """Journal the checklist of every credential whose renewal window is open, once per cycle
    (see CYCLE); the effects pass writes it (:mod:`bot.sync.effects`)."""
    from bot.features.cpd import cpd_progress, load_certificates

    report = ChecklistReport()
    due = due_checklists(register.credentials, rt.today(), rt.clocks, rt.config.practice.kind)
    if not due:
        return report
    keys = {checklist_key(rt.config.practice.slug, credential): credential for credential, _ in due}
    with rt.sessions.begin() as session:
        known = set(session.scalars(select(Draft.key).where(Draft.key.in_(keys))))
        if len(known) == len(keys):
            return report
        certificates = load_certificates(session, rt.practice_id)
        progress = cpd_progress(register.cme, certificates, rt.today())
        for credential, opens in due:
            key = checklist_key(rt.config.practice.slug, credential)
            if key in known:
                continue
            linked = [p for p in progress if p.credential == credential.id]
            try:
                raw = render_checklist(rt, credential, opens, key, linked)
            except (TemplateError, UserError) as exc:
                report.errors.append(f"renewal checklist for `{credential.id}`: {exc}")
                log.warning("renewal checklist %s not drafted: %s", key, type(exc).__name__)
                continue
            session.add(
                Draft(
                    key=key,
                    practice_id=rt.practice_id,
                    case_id=None,
                    message_id=None,
                    template=TEMPLATE,
                    state="planned",
                    raw=raw,
                    created_at=rt.now(),
                )
            )
            report.planned += 1
    if report.planned:
        crash.step("checklists.commit")
    return report


def checklist_pass(rt: Runtime, report: SyncReport) -> None:
    """Practice pass: a renewal checklist journalled for every renewal window that is open,
    for the effects pass after it to write. A register that cannot be read is left to the
    reminders pass to report."""
    try:
        register = rt.register()
    except UserError:
        return
    if register is None:
        return
    checklists = plan_renewal_checklists(rt, register)
    report.drafts_planned += checklists.planned
    report.errors.extend(checklists.errors)
