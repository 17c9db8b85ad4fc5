"""The practitioner's notes to reports: a note read from mail to herself and from ``notes/``,
an unreadable one answered line by line, reports filled from notes and the case log, and a
second note replacing chief's unedited draft (a new draft beside an edited one).

Real Maildir, .ics and SQLite case log; the sample mailbox's letter of instruction opens the
medico-legal case, its EHC advice request the EHCP case.
"""

from __future__ import annotations

import email
import email.policy
import logging
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import load_config
from bot.crash import EXIT_CODE
from bot.features.note_format import parse_note
from bot.features.report_content import provision_items, smart_outcomes
from bot.features.retention import forget_case
from bot.jobs.catalogue import sync
from bot.store.case_ids import short_case_id
from bot.store.models import AuditEvent, Case, Draft
from bot.store.note_models import CaseNote, ReportDraft
from bot.sync.runtime import Runtime
from bot.sync.steps import SyncReport
from tests.conftest import deliver
from tests.samples import sample

INSTRUCTION = "0004-hl-letter-of-instruction"  # Harcourt Lyle, ref HL/4471/JS
EHC_REQUEST = "0003-surrey-ehc-advice"  # Surrey, EHC/2026/01234

EXPERT_NOTE = """\
# Notes: HL/4471/JS expert report
Claimant: Joan Sample
Date of birth: 12 Mar 1971
Defendant: Acme Logistics Ltd
Date of examination: 2026-10-20

## Findings
Reduced grip strength right hand (Jamar 12 kg).

## Opinion
Needs 4 hours a week of domestic help for 12 months.
"""


def run(home: Path) -> tuple[Runtime, SyncReport]:
    rt = Runtime.from_config(load_config(home / "chief.toml"))
    return rt, sync(rt)


def drafts(home: Path) -> dict[str, email.message.EmailMessage]:
    """Subject -> message, of every draft in the Drafts folder."""
    out = {}
    for path in sorted((home / "Maildir" / ".Drafts" / "cur").iterdir()):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(msg, email.message.EmailMessage)
        out[str(msg["Subject"])] = msg
    return out


def body(msg: email.message.EmailMessage) -> str:
    part = msg.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def write_note(home: Path, name: str, text: str) -> None:
    (home / "notes").mkdir(exist_ok=True)
    (home / "notes" / name).write_text(text)


@pytest.fixture
def home(practice_dir: Callable[..., Path]) -> Path:
    home = practice_dir()
    for name in (INSTRUCTION, EHC_REQUEST):
        deliver(home, name, sample(name).read_bytes())
    return home


def test_parse_names_each_line_it_did_not_understand() -> None:
    note = parse_note(
        "Notes: VT30K5",
        "Claimant: J\nDat of birth: 1980-01-01\nrandom words\n## Opinon\nDate of examination: "
        "soon\n",
    )
    assert note.target == "VT30K5"
    assert [(p.line, p.why.split(";")[-1].strip()) for p in note.problems] == [
        (2, "did you mean 'Date of birth'?"),
        (
            3,
            "neither a 'Field: value' line nor a section heading ("
            + note.problems[1].why.split("(", 1)[1],
        ),
        (4, "did you mean 'Opinion'?"),
        (5, "not a date chief can read: write 2026-11-03 or 3 Nov 2026"),
    ]
    assert note.fields == {"patient": "J"}


def test_provision_and_outcomes_are_checked() -> None:
    items = provision_items(
        "- Direct OT, 1 x 45 minute session per week for 12 weeks\n- sensory diet"
    )
    assert [(i["quantified"], i["educates"]) for i in items] == [(True, True), (False, False)]
    outcomes = smart_outcomes("- By July 2027 she fastens buttons independently\n- Better")
    assert [(o["measurable"], o["timed"]) for o in outcomes] == [(True, True), (False, False)]


def test_a_note_file_fills_the_expert_report_threaded_and_marked(
    home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    write_note(home, "expert.md", EXPERT_NOTE)
    rt, report = run(home)
    assert report.errors == []
    report_draft = drafts(home)["Expert report: HL/4471/JS"]
    text = body(report_draft)
    # (a US practice: dates read the US way)
    assert "Claimant: Joan Sample [notes], born March 12, 1971 [notes]" in text
    assert "On the instructions of: Harcourt Lyle LLP [case log]" in text
    assert "Needs 4 hours a week of domestic help" in text
    assert "[CLAIMANT NAME]" not in text and "[FINDINGS]" not in text
    assert "proceedings for contempt of court may be brought" in text  # PD35 3.3, verbatim
    assert report_draft["In-Reply-To"] and report_draft["In-Reply-To"].endswith(
        "@harcourtlyle.example>"
    )
    with rt.sessions() as session:
        note = session.scalars(select(CaseNote)).one()
        assert "Joan" not in note.body  # sealed in the case log
    assert "Joan" not in caplog.text and "grip" not in caplog.text


def test_an_unreadable_note_gets_a_reply_to_herself_line_by_line(home: Path) -> None:
    write_note(home, "bad.md", "# Notes: NOSUCH1\nDat of birth: 2017-05-01\n## Findings\nx\n")
    rt, _ = run(home)
    reply = drafts(home)["Your note: what chief did not understand"]
    assert reply["To"].addresses[0].addr_spec == "dr@practice.example"
    text = body(reply)
    assert "could not be filed" in text
    assert "no case has the short id or reference 'NOSUCH1'" in text
    assert "line 2: Dat of birth: 2017-05-01" in text
    assert "did you mean 'Date of birth'?" in text
    with rt.sessions() as session:
        assert session.scalars(select(CaseNote)).all() == []
    run(home)  # read again: no second reply
    assert len([s for s in drafts(home) if s.startswith("Your note")]) == 1


def test_a_note_mailed_to_herself_by_short_id_drafts_the_ehcp_advice(home: Path) -> None:
    rt, _ = run(home)
    with rt.sessions() as session:
        case = session.scalars(select(Case).where(Case.kind == "ehcp")).one()
        short = short_case_id(case.id)
    note = (
        "From: Dr Test <dr@practice.example>\nTo: dr@practice.example\n"
        f"Subject: Notes: {short} EHCP advice\nDate: Mon, 12 Oct 2026 18:00:00 +0100\n"
        "Message-ID: <note-1@practice.example>\n\n"
        "Child: Sam Sample\nSchool: Hilltop Primary\n\nProvision\n"
        "- Direct OT, 1 x 45 minute session per week for 12 weeks, by an HCPC OT\n"
        "- sensory diet\n\nOutcomes\n- Better handwriting\n"
    )
    deliver(home, "note-1", note.encode())
    run(home)
    text = body(
        drafts(home)["Occupational therapy advice for EHC needs assessment: EHC/2026/01234"]
    )
    assert "Child or young person: Sam Sample [notes]" in text
    assert "To: Surrey County Council [case log]" in text
    section_f = text.split("SECTION F")[1].split("SECTION G")[0]
    assert "educates or trains" in section_f
    assert "1. Direct OT, 1 x 45 minute session per week" in section_f
    assert "2. sensory diet [notes] [QUANTIFY" in section_f
    assert "[MAKE MEASURABLE" in text.split("SECTION E")[1]


def test_a_second_note_updates_the_unedited_draft_in_place(home: Path) -> None:
    write_note(home, "expert.md", EXPERT_NOTE)
    rt, _ = run(home)
    before = drafts(home)
    assert "Expert report: HL/4471/JS" in before
    write_note(home, "expert-2.md", "# Notes: HL/4471/JS\n## Opinion\nNeeds 6 hours a week.\n")
    rt, report = run(home)
    after = drafts(home)
    assert len(after) == len(before)  # replaced, not added
    text = body(after["Expert report: HL/4471/JS"])
    assert "Needs 6 hours a week." in text and "Needs 4 hours" not in text
    assert "Claimant: Joan Sample [notes]" in text  # the first note still counts
    with rt.sessions() as session:
        row = session.scalars(select(ReportDraft)).one()
        assert (row.version, row.state, row.pending) == (1, "drafted", None)
        keys = session.scalars(select(Draft.key).where(Draft.template.like("reports/%"))).all()
        assert keys == [row.key]


def test_an_edited_draft_is_left_alone_and_the_update_drafted_beside_it(home: Path) -> None:
    write_note(home, "expert.md", EXPERT_NOTE)
    run(home)
    (path,) = [
        p
        for p in (home / "Maildir" / ".Drafts" / "cur").iterdir()
        if b"Expert report" in p.read_bytes()
    ]
    edited = path.read_bytes().replace(b"Needs 4 hours", b"Needs 5 hours")
    path.write_bytes(edited)
    write_note(home, "expert-2.md", "# Notes: HL/4471/JS\n## Opinion\nNeeds 6 hours a week.\n")
    rt, _ = run(home)
    assert path.read_bytes() == edited  # hers, untouched
    reports = [
        p
        for p in (home / "Maildir" / ".Drafts" / "cur").iterdir()
        if b"Expert report" in p.read_bytes()
    ]
    assert len(reports) == 2
    (beside,) = [p for p in reports if p != path]
    assert b"chief left yours as you wrote it" in beside.read_bytes().replace(b"=\n", b"")
    with rt.sessions() as session:
        assert session.scalars(select(ReportDraft.version)).one() == 2


def test_a_note_copied_into_the_sample_is_read_once(home: Path) -> None:
    write_note(home, "expert.md", EXPERT_NOTE)
    run(home)
    shutil.copy(home / "notes" / "expert.md", home / "notes" / "expert-copy.md")
    rt, _ = run(home)
    with rt.sessions() as session:
        # the same content under another name is another note, but the report is unchanged
        row = session.scalars(select(ReportDraft)).one()
        assert row.state == "drafted" and row.version == 1


def test_a_note_saved_as_a_draft_is_read_and_the_same_note_mailed_is_one_note(
    home: Path,
) -> None:
    note = (
        "From: Dr Test <dr@practice.example>\n"
        "Subject: Notes: HL/4471/JS expert report\nDate: Mon, 12 Oct 2026 18:00:00 +0100\n"
        "Message-ID: <draft-note@practice.example>\n\n"
        "Claimant: Joan Sample\n\nOpinion\nNeeds 4 hours a week.\n"
    )
    drafts_dir = home / "Maildir" / ".Drafts"
    for sub in ("cur", "new", "tmp"):
        (drafts_dir / sub).mkdir(parents=True, exist_ok=True)
    (drafts_dir / "maildirfolder").touch()
    (drafts_dir / "cur" / "saved-note:2,DS").write_text(note)
    rt, _ = run(home)
    assert "Claimant: Joan Sample [notes]" in body(drafts(home)["Expert report: HL/4471/JS"])
    mailed = note.replace("From: Dr Test", "To: dr@practice.example\nFrom: Dr Test")
    deliver(home, "mailed-note", mailed.encode())
    rt, _ = run(home)
    with rt.sessions() as session:
        assert len(session.scalars(select(CaseNote)).all()) == 1  # one note, read twice
        assert session.scalars(select(ReportDraft.version)).one() == 1


def test_a_crash_between_the_replace_and_its_record_replaces_once(
    home: Path, chief_exe: str
) -> None:
    write_note(home, "expert.md", EXPERT_NOTE)
    run(home)
    write_note(home, "expert-2.md", "# Notes: HL/4471/JS\n## Opinion\nNeeds 6 hours a week.\n")
    env = {**os.environ, "CHIEF_CRASH_AFTER": "report.remote:1"}
    crashed = subprocess.run(
        [chief_exe, "--config", str(home / "chief.toml"), "sync"], env=env, capture_output=True
    )
    assert crashed.returncode == EXIT_CODE
    assert "Needs 6 hours" in body(drafts(home)["Expert report: HL/4471/JS"])  # written...
    rt, _ = run(home)  # ...not recorded: found as written, recorded once
    assert len([s for s in drafts(home) if s.startswith("Expert report")]) == 1
    with rt.sessions() as session:
        row = session.scalars(select(ReportDraft)).one()
        assert (row.version, row.state, row.pending) == (1, "drafted", None)
        replaced = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "draft.replace")
        ).all()
        assert len(replaced) == 1


def test_forgetting_a_case_forgets_its_notes_and_reports(home: Path) -> None:
    write_note(home, "expert.md", EXPERT_NOTE)
    rt, _ = run(home)
    with rt.sessions() as session:
        case_id = session.scalars(select(CaseNote.case_id)).one()
    forget_case(rt, str(case_id))
    with rt.sessions() as session:
        assert session.scalars(select(CaseNote)).all() == []
        assert session.scalars(select(ReportDraft)).all() == []


@pytest.mark.parametrize(
    ("report", "subject"),
    [
        ("initial assessment", "Initial assessment report: EHC/2026/01234"),
        ("progress report", "Progress report: EHC/2026/01234"),
        ("annual review", "Annual review contribution (occupational therapy): EHC/2026/01234"),
        ("insurer progress report", "Progress report: EHC/2026/01234"),
        ("clearance letter", "Return to play after concussion: EHC/2026/01234"),
    ],
)
def test_every_report_renders_from_a_note(home: Path, report: str, subject: str) -> None:
    write_note(
        home,
        "note.md",
        f"# Notes: EHC/2026/01234 {report}\nPatient: Sam Sample\nSessions: 6 of 8\n"
        "Steps completed: 1-5\n\nFindings\nGrip reduced.\n\nProgress\nBetter.\n\n"
        "Outcomes\n- By July 2027 she fastens buttons independently\n",
    )
    _, result = run(home)
    assert result.errors == []
    text = body(drafts(home)[subject])
    assert "Grip reduced." in text and "Sam Sample [notes]" in text
    if report == "clearance letter":
        assert "cleared for full participation" in text  # steps 1-5 done: step 6 next
