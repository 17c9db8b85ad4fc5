"""The practitioner's notes on a case, read where she writes them, kept sealed in the case log.

Two places (the format: :mod:`bot.features.note_format`, the README's "Notes"):

MAIL TO HERSELF
    A message from the practitioner's own address, to no one else, subject ``Notes: ...``:
    read as it arrives (a message step), in her sent mail (the sent-replies pass hands it
    over: :func:`note_from_sent`) and saved as a draft on any connector (read-only, every
    pass: :class:`connectors.base.ReadsDrafts`); kept once, by its content: the same note met
    in two places is one note, a draft saved again with changes is a new one.
THE NOTES FOLDER
    A Markdown or text file in ``notes/`` next to ``chief.toml``, its first line the subject
    (``# Notes: VT30K5``); read every pass, kept once per content (an edited file is a new
    note).

A note is stored only on the case it names (``case_note``, body sealed with
:meth:`bot.store.pseudonyms.Pseudonymiser.seal`), and the report it is for is drafted or
updated (:mod:`bot.features.note_reports`). A note with lines chief did not understand gets a
draft addressed to the practitioner alone listing them, line by line. Nothing of a note goes
into a log line: case ids, key hashes and counts only.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.errors import ConnectorError, TemplateError, UserError
from bot.keys import key_hash, stable_key
from bot.letters.drafting import practitioner_identity
from bot.letters.headers import OUTGOING_POLICY, clean_header_text, finish_draft
from bot.letters.templates import render_template
from bot.mail.message import Message
from bot.store.case_ids import normalise_case_id, short_case_id
from bot.store.models import Case, CaseRef, Draft
from bot.store.note_models import CaseNote
from bot.sync.own_mail import is_note_to_self
from bot.sync.runtime import Runtime
from bot.sync.steps import FiledMessage, SyncReport
from connectors.base import ReadsDrafts, is_saved_note

from .note_format import Note, Problem, parse_note
from .note_reports import DEFAULT_REPORT, load_notes, plan_report

__all__ = [
    "PROBLEMS_TEMPLATE",
    "case_named",
    "load_notes",
    "note_from_sent",
    "note_step",
    "notes_folder_pass",
    "take_note",
]

log = logging.getLogger(__name__)

PROBLEMS_TEMPLATE = "notes/note_not_understood.j2"
NOTES_FOLDER = "notes"
_SUFFIXES = (".md", ".txt", ".markdown")


def case_named(session: Session, practice_id: int, target: str) -> Case | None:
    """The case ``target`` names: its short id (``VT30K5``) or one of its references."""
    wanted = normalise_case_id(target)
    ids = session.scalars(select(Case.id).where(Case.practice_id == practice_id)).all()
    for case_id in ids:
        if short_case_id(case_id) == wanted:
            return session.get(Case, case_id)
    ref = session.scalar(
        select(CaseRef).where(
            CaseRef.practice_id == practice_id,
            func.lower(CaseRef.value) == target.strip().lower(),
        )
    )
    return session.get(Case, ref.case_id) if ref is not None else None


def take_note(
    session: Session,
    rt: Runtime,
    key: str,
    source: str,
    subject: str,
    body: str,
    reply_to: Message | None = None,
    first_line: int = 1,
) -> Note | None:
    """Read one note; store it on its case and plan its report; draft the problems to the
    practitioner. None when the note was taken before (same key)."""
    if session.scalar(select(CaseNote.id).where(CaseNote.key == key)) is not None:
        return None
    note = parse_note(subject, body, first_line)
    case = case_named(session, rt.practice_id, note.target) if note.target else None
    if note.target and case is None:
        note.problems.insert(
            0, Problem(0, subject, f"no case has the short id or reference '{note.target}'")
        )
    report = note.report or (DEFAULT_REPORT.get(case.kind) if case is not None else None)
    if case is not None and note.sections and report is None:
        note.problems.append(
            Problem(0, subject, "say which report this note is for: a 'Report: ...' line")
        )
    if case is not None and note.readable:
        note.report = report
        sealed = rt.pseudonyms.seal(json.dumps(note.as_dict(), ensure_ascii=False).encode())
        session.add(
            CaseNote(
                key=key,
                practice_id=rt.practice_id,
                case_id=case.id,
                source=source,
                report=report if note.sections or note.fields else None,
                noted_at=rt.now(),
                body=sealed,
            )
        )
        session.flush()
        if report is not None and (note.sections or note.fields):
            note.drafts += plan_report(session, rt, case, report)
        log.info("note %s taken on case %s", key_hash(key), case.id)
    if note.problems:
        note.drafts += _draft_problems(session, rt, key, subject, note.problems, case, reply_to)
        log.info("note %s: %d line(s) not understood", key_hash(key), len(note.problems))
    return note


def _draft_problems(
    session: Session,
    rt: Runtime,
    key: str,
    subject: str,
    problems: Sequence[Problem],
    case: Case | None,
    reply_to: Message | None,
) -> bool:
    """Journal the draft listing the note's problems; whether it was."""
    draft_key = rt.keyed_key(key, "note problems")
    if session.scalar(select(Draft.id).where(Draft.key == draft_key)) is not None:
        return False
    context = {
        "practice": rt.practice_context(),
        "note_subject": subject,
        "problems": [{"line": p.line, "text": p.text, "why": p.why} for p in problems],
        "case_id": short_case_id(case.id) if case is not None else None,
        "today": rt.today(),
    }
    try:
        if reply_to is not None:
            raw = rt.drafter.render_reply(
                PROBLEMS_TEMPLATE,
                reply_to,
                context,
                draft_key,
                rt.practitioner,
                to="practitioner",
            ).raw
        else:
            body, exported = render_template(rt.drafter.env, PROBLEMS_TEMPLATE, context)
            me = practitioner_identity(rt.practitioner)
            msg = EmailMessage(policy=OUTGOING_POLICY)
            msg["From"], msg["To"] = me, me
            msg["Subject"] = clean_header_text(exported.get("subject") or "Your note")
            raw = finish_draft(msg, me.addr_spec, body, draft_key, rt.now())
    except (TemplateError, UserError) as exc:
        log.warning("note problems %s not drafted: %s", key_hash(key), type(exc).__name__)
        return False
    session.add(
        Draft(
            key=draft_key,
            practice_id=rt.practice_id,
            case_id=case.id if case is not None else None,
            template=PROBLEMS_TEMPLATE,
            state="planned",
            raw=raw,
            created_at=rt.now(),
        )
    )
    return True


def note_step(filed: FiledMessage, report: SyncReport) -> None:
    """Message step: a note the practitioner mailed to herself."""
    if is_note_to_self(filed.rt, filed.message):
        message = filed.message
        key = _mail_key(filed.rt, message)
        note = take_note(
            filed.session, filed.rt, key, "mail", message.subject, message.text, message
        )
        report.drafts_planned += note.drafts if note is not None else 0


def note_from_sent(session: Session, rt: Runtime, message: Message) -> bool:
    """A sent message that is a note to herself, taken (the sent-replies pass calls this)."""
    if not is_note_to_self(rt, message):
        return False
    take_note(session, rt, _mail_key(rt, message), "mail", message.subject, message.text, message)
    return True


def _mail_key(rt: Runtime, message: Message) -> str:
    """A mailed note's key is its content: the same note met in the inbox, the sent mail and
    the saved drafts is one note; a draft saved again with changes is a new one."""
    return rt.keyed_key("note", message.subject.strip(), message.text.strip())


def notes_folder_pass(rt: Runtime, report: SyncReport) -> None:
    """Practice pass: every new or changed file in the practice's ``notes/`` folder, and every
    note saved as a draft to herself (a mailbox that can read its drafts)."""
    _saved_notes(rt, report)
    folder = rt.config.resolve(NOTES_FOLDER)
    if not folder.is_dir():
        return
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in _SUFFIXES and p.is_file())
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            report.errors.append(f"notes/{path.name}: cannot be read ({type(exc).__name__})")
            continue
        key = stable_key(rt.config.practice.slug, "note-file", path.name, _digest(text))
        subject, _, body = text.lstrip("\ufeff").lstrip().partition("\n")
        with rt.sessions.begin() as session:
            title = subject.strip().lstrip("#").strip()
            note = take_note(session, rt, key, "file", title, body, first_line=2)
            report.drafts_planned += note.drafts if note is not None else 0


def _saved_notes(rt: Runtime, report: SyncReport) -> None:
    """Every note saved as a draft to herself (:class:`connectors.base.ReadsDrafts`), each
    taken once by its content (:func:`_mail_key`), in a transaction of its own: a crash
    between two notes takes the first once and the second on the next pass. Chief's own
    drafts are never notes (:func:`connectors.base.is_saved_note`)."""
    mailbox = rt.mail()
    if not isinstance(mailbox, ReadsDrafts):
        return
    try:
        saved = [m for m in mailbox.saved_notes() if is_saved_note(m) and is_note_to_self(rt, m)]
    except ConnectorError as exc:
        report.errors.append(f"saved drafts not read for notes: {type(exc).__name__}")
        return
    for message in saved:
        with rt.sessions.begin() as session:
            key = _mail_key(rt, message)
            note = take_note(session, rt, key, "mail", message.subject, message.text, message)
            report.drafts_planned += note.drafts if note is not None else 0


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def note_file_path(rt: Runtime, name: str) -> Path:
    """Where a note file called ``name`` is read from (tests and the demo write there)."""
    return rt.config.resolve(NOTES_FOLDER) / name
