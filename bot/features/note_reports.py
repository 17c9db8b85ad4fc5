"""Reports filled from the practitioner's notes and the case log, drafted for her to sign.

REPORT
    One of :data:`bot.features.note_format.REPORTS` (initial assessment, progress, EHCP
    advice, annual-review contribution, CPR 35 expert report, return-to-play clearance,
    insurer progress report), rendered from ``templates/reports/<report>.j2``. A case has at
    most one of each: its notes for that report, oldest first, later values overriding earlier
    ones (a field, a whole section).
MARKS
    Every value says where it came from: ``[notes]`` (her notes), ``[case log]`` (what chief
    logged: references, the instructing party, dates, deadlines); a bracketed capitalised
    placeholder is what neither holds.
UPDATE
    A new note for a report whose draft is not written yet re-renders the planned draft. Once
    written, the new version waits (``report_draft.pending``, sealed) for
    :func:`report_updates_pass`: the draft in her Drafts folder is replaced (removed, and the
    new version written under the same key, in the same conversation) only while it still
    says what chief wrote (:func:`connectors.base.draft_digest`), on every connector
    (:mod:`bot.sync.revising`: journal, remove, write, record; a crash anywhere is taken up
    on the next pass). Edited, the new version is a new draft beside hers, which is left
    alone, and says so at its top; sent or deleted, the new version is a new draft.

The draft is threaded in the case's conversation (In-Reply-To and References of the newest
logged message with a Message-ID) and addressed to the payer's address when the case log keeps
one, else to no one: she chooses the recipient.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from email.message import EmailMessage
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import crash
from bot.errors import ConnectorError, TemplateError, UserError
from bot.keys import key_hash
from bot.letters.drafting import practitioner_identity
from bot.letters.headers import MSGID_RE, OUTGOING_POLICY, clean_header_text, finish_draft
from bot.letters.templates import render_template
from bot.store.case_ids import short_case_id
from bot.store.models import Case, Deadline, Draft, MessageRow
from bot.store.note_models import CaseNote, ReportDraft
from bot.sync.redrafting import register_context
from bot.sync.revising import REVISE, Revisable, carry_out, journal_revision, unedited
from bot.sync.runtime import Runtime
from bot.sync.steps import SyncReport
from connectors.base import draft_digest

from .note_format import DATE_FIELDS, REPORTS, Note, parse_date
from .report_content import provision_items, smart_outcomes, steps_completed

__all__ = [
    "DEFAULT_REPORT",
    "load_notes",
    "plan_report",
    "report_template",
    "report_updates_pass",
]

log = logging.getLogger(__name__)

# The report a note is for when it does not say, by the kind of its case.
DEFAULT_REPORT: dict[str, str] = {
    "medico_legal": "expert_report",
    "ehcp": "ehcp_advice",
    "team": "clearance",
    "insured_treatment": "insurer_progress",
    "referral": "initial_assessment",
}


def load_notes(session: Session, rt: Runtime, case_id: int, report: str | None) -> list[Note]:
    """The case's notes (for ``report``, or all when None), oldest first, unsealed; a note
    sealed under another key is skipped."""
    query = select(CaseNote).where(CaseNote.case_id == case_id)
    if report is not None:
        query = query.where(CaseNote.report == report)
    out = []
    for row in session.scalars(query.order_by(CaseNote.noted_at, CaseNote.id)):
        opened = rt.pseudonyms.unseal(row.body)
        if opened is not None:
            out.append(Note.from_dict(json.loads(opened)))
    return out


def report_template(report: str) -> str:
    return f"reports/{report}.j2"


def _merged(notes: Sequence[Note]) -> tuple[dict[str, Any], dict[str, str]]:
    fields: dict[str, Any] = {}
    sections: dict[str, str] = {}
    for note in notes:
        fields.update(note.fields)
        sections.update(note.sections)
    for key in DATE_FIELDS & fields.keys():
        fields[key] = parse_date(str(fields[key])) or fields[key]
    return fields, sections


def _case_log(session: Session, case: Case) -> dict[str, Any]:
    """What the case log says of the case, for the report."""
    rows = session.scalars(
        select(MessageRow)
        .where(MessageRow.case_id == case.id, MessageRow.received_at.is_not(None))
        .order_by(MessageRow.received_at)
    ).all()
    deadline = session.scalar(
        select(Deadline)
        .where(Deadline.case_id == case.id, Deadline.done.is_(False))
        .order_by(Deadline.due)
    )
    first = rows[0].received_at if rows else None
    instructed = next((r.received_at for r in rows if r.event == "instruction"), None)
    return {
        "short_id": short_case_id(case.id),
        "kind": case.kind,
        "reference": next((r.value for r in case.refs), None),
        "refs": {r.name: r.value for r in case.refs},
        "party": case.party.name if case.party is not None else None,
        "opened": case.opened_at.date(),
        "first_contact": first.date() if first is not None else None,
        "instructed": instructed.date() if instructed is not None else None,
        "messages": len(rows),
        "deadline": {"due": deadline.due, "title": deadline.title} if deadline else None,
    }


def _thread(session: Session, case: Case) -> tuple[str | None, list[str], str | None]:
    """(In-Reply-To, References, reply address) of the case's conversation."""
    rows = session.scalars(
        select(MessageRow)
        .where(MessageRow.case_id == case.id, MessageRow.message_id.is_not(None))
        .order_by(MessageRow.received_at.desc(), MessageRow.id.desc())
    ).all()
    address = next((r.reply_address for r in rows if r.reply_address), None)
    for row in rows:
        if row.message_id and MSGID_RE.fullmatch(row.message_id):
            refs = [r for r in (row.thread_root, row.message_id) if r and MSGID_RE.fullmatch(r)]
            return row.message_id, list(dict.fromkeys(refs)), address
    return None, [], address


def render_report(
    session: Session,
    rt: Runtime,
    case: Case,
    report: str,
    notes: Sequence[Note],
    key: str,
    beside_edited: bool = False,
) -> bytes:
    """The report as a complete RFC 5322 draft (raises TemplateError on a broken template);
    ``beside_edited``: drafted beside an earlier version she edited (its legend says so)."""
    fields, sections = _merged(notes)
    context = {
        "practice": rt.practice_context(),
        "register": register_context(rt),
        "today": rt.today(),
        "report": {
            "type": report,
            "name": REPORTS[report][0],
            "notes": len(notes),
            "beside_edited": beside_edited,
        },
        "case": _case_log(session, case),
        "note": fields,
        "sections": sections,
        "provision": provision_items(sections.get("provision", "")),
        "outcomes": smart_outcomes(sections.get("outcomes", "")),
        "steps": steps_completed(str(fields.get("steps_completed", ""))),
    }
    body, exported = render_template(rt.drafter.env, report_template(report), context)
    me = practitioner_identity(rt.practitioner)
    in_reply_to, references, address = _thread(session, case)
    msg = EmailMessage(policy=OUTGOING_POLICY)
    msg["From"] = me
    if address:
        msg["To"] = address
    msg["Subject"] = clean_header_text(exported.get("subject") or REPORTS[report][0])
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = " ".join(references)
    return finish_draft(msg, me.addr_spec, body, key, rt.now())


def _notes_digest(notes: Sequence[Note]) -> str:
    blob = json.dumps([n.as_dict() for n in notes], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def _key(rt: Runtime, case: Case, report: str, version: int) -> str:
    return rt.keyed_key(rt.config.practice.slug, "case", case.identity, "report", report, version)


def plan_report(session: Session, rt: Runtime, case: Case, report: str) -> bool:
    """Draft (or update) ``report`` of ``case`` from its notes (module docstring); whether a
    new draft was journalled."""
    notes = load_notes(session, rt, case.id, report)
    if not notes:
        return False
    digest = _notes_digest(notes)
    row = session.scalar(
        select(ReportDraft).where(ReportDraft.case_id == case.id, ReportDraft.report == report)
    )
    if row is not None and row.notes_digest == digest:
        return False
    key = row.key if row is not None else _key(rt, case, report, 1)
    try:
        raw = render_report(session, rt, case, report, notes, key)
    except (TemplateError, UserError) as exc:
        log.warning("report %s not drafted: %s", key_hash(key), type(exc).__name__)
        return False
    if row is None:
        row = ReportDraft(
            key=key,
            practice_id=rt.practice_id,
            case_id=case.id,
            report=report,
            version=1,
            digest=draft_digest(raw),
            notes_digest=digest,
            state="drafted",
            updated_at=rt.now(),
        )
        session.add(row)
        session.add(_draft(rt, case, report, key, raw))
        return True
    row.notes_digest, row.updated_at = digest, rt.now()
    draft = session.scalar(select(Draft).where(Draft.key == key))
    if draft is not None and draft.state in ("planned", "failed"):
        draft.raw, row.digest = raw, draft_digest(raw)  # not written yet: the journal updated
    else:
        row.state, row.pending = "update", rt.pseudonyms.seal(raw)
    return False


def _draft(rt: Runtime, case: Case, report: str, key: str, raw: bytes) -> Draft:
    return Draft(
        key=key,
        practice_id=rt.practice_id,
        case_id=case.id,
        template=report_template(report),
        state="planned",
        raw=raw,
        created_at=rt.now(),
    )


def report_updates_pass(rt: Runtime, report: SyncReport) -> None:
    """Practice pass: each report updated by a new note replaces its unedited draft, or is
    journalled as a new draft beside an edited one (module docstring, UPDATE)."""
    sink = rt.mail()
    with rt.sessions() as session:
        rows = session.scalars(
            select(ReportDraft).where(
                ReportDraft.practice_id == rt.practice_id, ReportDraft.state == "update"
            )
        ).all()
        for row in rows:
            raw = rt.pseudonyms.unseal(row.pending or "")
            case = session.get(Case, row.case_id)
            if raw is None or case is None:
                row.state, row.pending = "drafted", None
                session.commit()
                continue
            try:
                outcome = _update(session, rt, sink, row, raw)
                if outcome == "replaced":
                    row.digest = draft_digest(raw)
                    report.drafts_written += 1
                else:
                    _new_version(session, rt, case, row, beside_edited=outcome == "edited")
                    report.drafts_planned += 1
            except ConnectorError as exc:
                report.errors.append(f"report draft not updated: {type(exc).__name__}")
                session.rollback()
                continue
            except (TemplateError, UserError) as exc:
                report.errors.append(f"report draft not rendered: {exc}")
                session.rollback()
                continue
            row.state, row.pending, row.updated_at = "drafted", None, rt.now()
            session.commit()
            crash.step("report.commit")


def _update(
    session: Session, rt: Runtime, sink: object, row: ReportDraft, raw: bytes
) -> Literal["replaced", "edited", "gone"]:
    """Replace the written draft of ``row`` with ``raw`` when she has not edited it
    (:mod:`bot.sync.revising`); else say why not: ``edited``, or ``gone`` (sent, deleted)."""
    draft = session.scalar(select(Draft).where(Draft.key == row.key))
    if draft is None or draft.state not in ("written", REVISE) or not isinstance(sink, Revisable):
        return "gone"
    detail = report_template(row.report)
    if draft.state == REVISE:  # journalled before a crash: taken up where it stopped
        if carry_out(rt, session, sink, draft, detail) == "edited":
            return "edited"
        if draft.written_digest == draft_digest(raw):
            return "replaced"
        # a note came since that revision was journalled: revised again, below
    content = sink.draft_content(draft.key)
    if content is None:
        return "gone"
    if not unedited(draft, content) and draft_digest(content) != draft_digest(raw):
        return "edited"
    journal_revision(draft, raw)
    session.commit()
    crash.step("report.journal")
    return carry_out(rt, session, sink, draft, detail)


def _new_version(
    session: Session, rt: Runtime, case: Case, row: ReportDraft, beside_edited: bool
) -> None:
    """Her copy edited, sent or gone: the update as a new draft beside it (the effects pass
    writes it), keyed with the next version; beside an edited one, its legend says so."""
    row.version += 1
    row.key = _key(rt, case, row.report, row.version)
    notes = load_notes(session, rt, case.id, row.report)
    raw = render_report(session, rt, case, row.report, notes, row.key, beside_edited)
    row.digest = draft_digest(raw)
    session.add(_draft(rt, case, row.report, row.key, raw))
    log.info("report %s: the written draft was edited; a new version drafted", key_hash(row.key))
