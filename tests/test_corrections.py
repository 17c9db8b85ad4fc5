"""Corrections from the mailbox, on a real Maildir++ tree, an .ics calendar and a SQLite case
log: a message moved (or copied) into ``.Chief.<Category>`` is refiled exactly once, its wrong
filing withdrawn (case link, deadlines, drafts the practitioner left untouched; an edited draft
stays), and the correction teaches the practice's model and its party directory. The same
correction on IMAP, Gmail and Outlook: tests/test_corrections_servers.py."""

from __future__ import annotations

import logging
import mailbox
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot import crash
from bot.config import load_config
from bot.errors import UserError
from bot.jobs.catalogue import sync
from bot.keys import draft_marker
from bot.store.models import (
    AuditEvent,
    Case,
    Correction,
    Deadline,
    Draft,
    LearnedCount,
    MessageRow,
)
from bot.sync.runtime import Runtime
from bot.sync.steps import SyncReport
from bot.sync.withdrawing import WITHDRAWN_REASON
from tests.conftest import deliver
from tests.samples import sample

REFERRAL = "0018-ortho-referral-acl"  # referral.acknowledge + two reply drafts

PHYSIO = """\
From: Northfield Physio Desk <desk@northfield-physio.example>
To: dr@practice.example
Subject: {subject}
Message-ID: <{mid}@northfield-physio.example>
Date: Mon, 02 Nov 2026 10:00:00 +0000

Hello, we are referring one of our runners to you for assessment of persistent {what}.
Could you let us know when you could see her? Many thanks, the desk.
"""


def physio(mid: str, subject: str = "Runner with knee pain", what: str = "knee pain") -> bytes:
    return PHYSIO.format(mid=mid, subject=subject, what=what).encode()


def run(home: Path) -> tuple[Runtime, SyncReport]:
    rt = Runtime.from_config(load_config(home / "chief.toml"))
    return rt, sync(rt)


def put_correction(home: Path, folder: str, raw: bytes) -> None:
    """File a copy of ``raw`` into ``.Chief.<folder>`` as a mail client does."""
    tree = mailbox.Maildir(home / "Maildir", create=False)
    name = f"Chief.{folder}"
    if name not in tree.list_folders():
        tree.add_folder(name)
    tree.get_folder(name).add(mailbox.MaildirMessage(raw))


def move_to_correction(home: Path, folder: str, delivered: Path) -> None:
    """Move a delivered message into ``.Chief.<folder>`` (a rename, as a mail client does)."""
    target = home / "Maildir" / f".Chief.{folder}" / "cur" / (delivered.name + ":2,S")
    assert target.parent.is_dir(), "chief makes the correction folders on its first run"
    os.rename(delivered, target)


def drafts_folder(home: Path) -> dict[str, bytes]:
    cur = home / "Maildir" / ".Drafts"
    return {p.name: p.read_bytes() for sub in ("cur", "new") for p in (cur / sub).glob("*")}


def rows(rt: Runtime, model: type, *where: object) -> list:  # type: ignore[type-arg]
    with rt.sessions() as session:
        return list(session.scalars(select(model).where(*where)).all())


def no_learned(home: Path) -> str:
    return "learned = false\n"


@pytest.fixture
def home(practice_dir: Callable[..., Path]) -> Path:
    """A practice with its own (empty) rules folder, where corrections add parties."""
    built = practice_dir(rules={"parties/.keep": ""})
    return built


def test_the_first_run_makes_every_correction_folder(home: Path) -> None:
    run(home)
    folders = sorted(mailbox.Maildir(home / "Maildir", create=False).list_folders())
    assert [f for f in folders if f.startswith("Chief.")] == sorted(
        f"Chief.{name}"
        for name in (
            "Payer", "Solicitor", "Local authority", "Referral", "Team", "Lab", "CME",
            "Credentialing", "Supplier", "Research", "Not practice mail",
        )
    )  # fmt: skip


def test_a_moved_message_is_refiled_once_its_untouched_draft_withdrawn_its_edited_one_kept(
    home: Path,
) -> None:
    delivered = deliver(home, REFERRAL, sample(REFERRAL).read_bytes())
    rt, report = run(home)
    assert report.drafts_written == 2
    referral = rows(rt, MessageRow)[0]
    assert (referral.category, referral.match_how) == ("referral", "opened")
    drafts = rows(rt, Draft)
    assert {d.state for d in drafts} == {"written"}
    # The practitioner edits one of chief's two drafts in the Drafts folder...
    edited = next(iter(drafts_folder(home)))
    path = next((home / "Maildir" / ".Drafts").glob(f"*/{edited}"))
    path.write_bytes(path.read_bytes().replace(b"\n\n", b"\n\nSeen him already - call.\n", 1))
    # ...then decides the message is a sports team's, and moves it.
    move_to_correction(home, "Team", delivered)
    folder = home / "Maildir" / ".Chief.Team"
    before = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    rt, report = run(home)
    assert report.corrections == 1
    assert report.drafts_withdrawn == 1
    after = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert after == before  # read, never renamed, moved or re-flagged
    row = rows(rt, MessageRow)[0]
    assert (row.category, row.source, row.needs_look) == ("team", "correction", None)
    opened = rows(rt, Case, Case.kind == "referral")[0]
    assert (opened.closed, opened.status) == (True, "withdrawn")
    deadline = rows(rt, Deadline, Deadline.clock == "referral.acknowledge")[0]
    assert (deadline.done, deadline.closed_reason) == (True, WITHDRAWN_REASON)
    states = sorted(d.state for d in rows(rt, Draft))
    assert states == ["kept", "withdrawn"]
    assert list(drafts_folder(home)) == [edited]  # only the edited draft is left
    assert b"Seen him already" in drafts_folder(home)[edited]
    calendar = (home / "calendar.ics").read_text()
    assert "Withdrawn: " in calendar
    # Read again (a cursor lost, the same folder listed again): nothing twice.
    with rt.sessions.begin() as session:
        from bot.store.models import Mailbox

        for box in session.scalars(select(Mailbox)):
            box.corrections_cursor = {"v": 2, "folders": {}}
    rt, report = run(home)
    assert report.corrections == 0
    assert len(rows(rt, Correction)) == 1
    audit = rows(rt, AuditEvent, AuditEvent.action.in_(("draft.withdraw", "draft.kept")))
    assert sorted(a.action for a in audit) == ["draft.kept", "draft.withdraw"]


def test_a_correction_adds_the_party_and_the_rules_catch_the_next_message(
    practice_dir: Callable[..., Path],
) -> None:
    home = practice_dir(rules={"parties/.keep": ""}, extra_toml=no_learned(Path()))
    deliver(home, "np-1", physio("np-1"))
    rt, _ = run(home)
    first = rows(rt, MessageRow)[0]
    assert first.category is None  # no rule knows this physiotherapy practice yet
    put_correction(home, "Referral", physio("np-1"))  # a copy, the original left in INBOX
    rt, report = run(home)
    assert report.corrections == 1
    entry = home / "rules" / "parties" / "corrections-referrer.yaml"
    text = entry.read_text()
    assert "northfield-physio.example" in text
    assert "from correction 1 (Chief/Referral)" in text
    correction = rows(rt, Correction)[0]
    assert (correction.party_domain, correction.party_state) == (
        "northfield-physio.example",
        "written",
    )
    row = rows(rt, MessageRow, MessageRow.id == first.id)[0]
    assert (row.category, row.case_id is not None) == ("referral", True)
    # A second message from that sender: the rules recognise it now, by the party directory.
    deliver(home, "np-2", physio("np-2", "Footballer with ankle pain", "ankle instability"))
    rt, report = run(home)
    second = rows(rt, MessageRow, MessageRow.message_id == "<np-2@northfield-physio.example>")[0]
    assert second.category == "referral"  # by a rule (the learned model is off here)
    assert second.rule_id == "referral.referral.new.known_referrer"
    assert entry.read_text().count("northfield-physio.example]") == 1


def test_a_correction_from_a_free_mail_address_adds_no_party(
    practice_dir: Callable[..., Path],
) -> None:
    home = practice_dir(rules={"parties/.keep": ""}, extra_toml=no_learned(Path()))
    raw = physio("fm-1").replace(b"desk@northfield-physio.example", b"jo.bloggs@gmail.com")
    deliver(home, "fm-1", raw)
    run(home)
    put_correction(home, "Referral", raw)
    rt, report = run(home)
    assert report.corrections == 1
    assert rows(rt, Correction)[0].party_domain is None
    assert not (home / "rules" / "parties" / "corrections-referrer.yaml").exists()


def test_a_correction_teaches_the_model_hashes_only(practice_dir: Callable[..., Path]) -> None:
    home = practice_dir(rules={"parties/.keep": ""})
    deliver(home, "np-1", physio("np-1"))
    rt, _ = run(home)
    assert rows(rt, MessageRow)[0].category == "referral"  # the shipped model's guess
    put_correction(home, "Not practice mail", physio("np-1"))
    rt, report = run(home)
    assert report.corrections == 1
    taught = rows(rt, LearnedCount)
    assert taught and {c.label for c in taught} == {""}
    assert all(isinstance(c.feature, int) for c in taught)
    assert not (home / "rules" / "parties" / "corrections-referrer.yaml").exists()
    # The same kind of mail again: the practice's model now says what the practitioner said.
    deliver(home, "np-2", physio("np-2", "Runner with hip pain", "hip pain"))
    rt, _ = run(home)
    second = rows(rt, MessageRow, MessageRow.message_id == "<np-2@northfield-physio.example>")[0]
    assert second.category is None
    assert second.guess_category is None


def test_what_a_correction_keeps_and_logs_holds_no_word_of_the_message(
    home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    deliver(home, "np-1", physio("np-1"))
    run(home)
    put_correction(home, "Team", physio("np-1"))
    with caplog.at_level(logging.DEBUG):
        rt, report = run(home)
    assert report.corrections == 1
    assert len(rows(rt, LearnedCount)) > 10
    with rt.sessions() as session:
        kept = [
            repr(session.execute(select(table)).all())
            for table in (Correction.__table__, LearnedCount.__table__)
        ]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "correction: message" in logged
    for word in ("runners", "persistent", "knee", "Northfield Physio Desk", "Runner"):
        assert all(word not in text for text in kept), word
        assert word not in logged, word


def count_corrections(rt: Runtime) -> int:
    with rt.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Correction)) or 0)


__all__ = ["crash", "count_corrections", "drafts_folder", "move_to_correction", "physio"]


def test_undo_takes_the_correction_back(home: Path, chief_exe: str) -> None:
    import json
    import subprocess

    delivered = deliver(home, REFERRAL, sample(REFERRAL).read_bytes())
    run(home)
    originals = drafts_folder(home)
    assert len(originals) == 2
    move_to_correction(home, "Not practice mail", delivered)
    rt, report = run(home)
    assert report.corrections == 1 and drafts_folder(home) == {}
    config = ["--config", str(home / "chief.toml")]
    listed = subprocess.run(
        [chief_exe, *config, "corrections", "--json"], capture_output=True, text=True, check=True
    )
    (item,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert (item["was"], item["category"], item["state"]) == ("referral", None, "refiled")
    assert item["folder"] == "Not practice mail"
    assert "ortho" not in listed.stdout.replace(item["sender_domain"], "")  # ids, no content
    undone = subprocess.run(
        [chief_exe, *config, "corrections", "undo", str(item["id"])],
        capture_output=True,
        text=True,
    )
    assert undone.returncode == 0, undone.stderr
    assert "2 written again" in undone.stdout
    rt = Runtime.from_config(load_config(home / "chief.toml"))
    row = rows(rt, MessageRow)[0]
    assert (row.category, row.source, row.case_id is not None) == ("referral", "rule", True)
    case = rows(rt, Case, Case.id == row.case_id)[0]
    assert (case.closed, case.kind) == (False, "referral")
    deadline = rows(rt, Deadline, Deadline.clock == "referral.acknowledge")[0]
    assert (deadline.done, deadline.closed_reason) == (False, None)
    assert sorted(drafts_folder(home).values()) == sorted(originals.values())
    assert rows(rt, Correction)[0].state == "undone"
    assert rows(rt, LearnedCount) == []
    again = subprocess.run(
        [chief_exe, *config, "corrections", "undo", str(item["id"])], capture_output=True, text=True
    )
    assert again.returncode != 0 and "already undone" in again.stderr
    # The message is back in INBOX, where it was filed from, once, its name and flags kept.
    moved = home / "Maildir" / ".Chief.Not practice mail" / "cur" / (delivered.name + ":2,S")
    assert not moved.exists()
    back = home / "Maildir" / "cur" / moved.name
    assert back.read_bytes() == sample(REFERRAL).read_bytes()
    mail = [
        p.name
        for p in (home / "Maildir").rglob("*")
        if p.parent.name in ("cur", "new") and p.parent.parent.name != ".Drafts"
    ]
    assert mail == [moved.name]
    assert rows(rt, Correction)[0].return_state == "returned"
    # A later sync does not make the correction again, nor file the message twice.
    rt, report = run(home)
    assert (report.corrections, report.messages) == (0, 0)
    assert rows(rt, MessageRow)[0].category == "referral"
    assert sorted(drafts_folder(home).values()) == sorted(originals.values())
    # Moved there again, it is a correction again: made once more.
    os.rename(back, moved)
    rt, report = run(home)
    assert report.corrections == 1 and drafts_folder(home) == {}
    assert [c.state for c in rows(rt, Correction)] == ["undone", "refiled"]
    rt, report = run(home)
    assert report.corrections == 0


def test_undo_removes_the_party_it_added(practice_dir: Callable[..., Path]) -> None:
    from bot.sync.correction_log import undo
    from bot.sync.effects import apply_pending

    home = practice_dir(rules={"parties/.keep": ""}, extra_toml=no_learned(Path()))
    deliver(home, "np-1", physio("np-1"))
    run(home)
    put_correction(home, "Referral", physio("np-1"))
    rt, _ = run(home)
    entry = home / "rules" / "parties" / "corrections-referrer.yaml"
    assert entry.exists()
    undo(rt, rows(rt, Correction)[0].id)
    assert not entry.exists()
    assert rows(rt, Correction)[0].party_state == "removed"
    row = rows(rt, MessageRow)[0]
    assert (row.category, row.case_id) == (None, None)
    # The message was copied, not moved: with the copy taken away the mailbox is as before.
    apply_pending(rt)
    assert rows(rt, Correction)[0].return_state == "returned"
    mail = sorted(
        str(p.relative_to(home / "Maildir"))
        for p in (home / "Maildir").rglob("*")
        if p.parent.name in ("cur", "new") and p.parent.parent.name != ".Drafts"
    )
    assert mail == ["new/np-1"]
    rt, report = run(home)
    assert (report.corrections, report.messages) == (0, 0)


def test_needs_a_look_names_the_move_and_a_correction_clears_it(
    practice_dir: Callable[..., Path],
) -> None:
    from bot.summary.job import summary_text
    from tests.conftest import make_message
    from tests.test_learned import GP_LETTER

    home = practice_dir(extra_toml="[rules]\nlearned_threshold = 1.0\n")
    raw = make_message(
        "<gp-3@larchmere.test>",
        "Referral: Mrs Odile Marchbank - OT assessment",
        GP_LETTER,
        "Larchmere Surgery <admin@larchmere-surgery.test>",
    )
    deliver(home, "gp-3", raw)
    rt, report = run(home)
    assert report.needs_look == 1
    text = summary_text(rt)
    assert "from larchmere-surgery.test: perhaps referral" in text
    assert "move it to Chief/Referral" in text
    put_correction(home, "referral", raw)  # the folder's case does not matter
    rt, report = run(home)
    assert report.corrections == 1
    row = rows(rt, MessageRow)[0]
    assert (row.category, row.needs_look, row.match_how) == ("referral", None, "opened")
    assert {d.template for d in rows(rt, Draft)} == {
        "referral/referral_ack.j2",
        "referral/outcome_letter.j2",
    }
    assert "NEEDS A LOOK" not in summary_text(rt)


def test_many_held_messages_show_a_handful_and_count_the_rest(
    practice_dir: Callable[..., Path],
) -> None:
    from bot.summary.job import summary_text
    from bot.summary.needs_look import SHOWN
    from tests.conftest import make_message
    from tests.test_learned import GP_LETTER

    home = practice_dir(extra_toml="[rules]\nlearned_threshold = 1.0\n")
    for n in range(SHOWN + 3):
        raw = make_message(
            f"<gp-{n}@larchmere.test>",
            f"Referral: OT assessment {n}",
            GP_LETTER,
            "Larchmere Surgery <admin@larchmere-surgery.test>",
        )
        deliver(home, f"gp-{n}", raw)
    rt, _ = run(home)
    text = summary_text(rt)
    assert text.count("move it to Chief/Referral") == SHOWN
    assert "and 3 more in your inbox" in text


def test_what_corrections_teach_is_encrypted_with_the_case_log(
    practice_dir: Callable[..., Path],
) -> None:
    import sqlite3

    from bot.store.database import DATABASE_URL_ENV

    if os.environ.get(DATABASE_URL_ENV):
        pytest.skip("SQLCipher encrypts a SQLite case log; PostgreSQL encrypts its own way")
    pytest.importorskip("sqlcipher3", reason="install practice-chief[sqlcipher]")

    home = practice_dir(
        rules={"parties/.keep": ""},
        extra_toml='[database]\nencryption = "sqlcipher"\nkey_file = "secrets/database.key"\n',
    )
    deliver(home, "np-1", physio("np-1"))
    run(home)
    put_correction(home, "Team", physio("np-1"))
    rt, report = run(home)
    assert report.corrections == 1
    assert len(rows(rt, LearnedCount)) > 10
    path = home / "data" / "chief.db"
    raw = path.read_bytes() + b"".join(
        p.read_bytes() for p in path.parent.glob("chief.db-*") if p.is_file()
    )
    assert not raw.startswith(b"SQLite format 3")
    assert b"learned_count" not in raw and b"correction" not in raw
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(path).execute("SELECT count(*) FROM learned_count").fetchone()


def test_corrected_back_and_forth_each_move_refiles_once(home: Path) -> None:
    """Referral → Team → Referral again: the drafts come back under their keys, once each."""
    deliver(home, REFERRAL, sample(REFERRAL).read_bytes())
    rt, _ = run(home)
    first = sorted(drafts_folder(home).values())
    put_correction(home, "Team", sample(REFERRAL).read_bytes())
    rt, report = run(home)
    assert report.corrections == 1 and drafts_folder(home) == {}
    put_correction(home, "Referral", sample(REFERRAL).read_bytes())
    rt, report = run(home)
    assert report.corrections == 1
    assert rows(rt, MessageRow)[0].category == "referral"
    again = sorted(drafts_folder(home).values())
    assert len(again) == 2
    keys = {d.key for d in rows(rt, Draft, Draft.state == "written")}
    assert len(keys) == 2 and all(draft_marker(k).encode() in b"".join(again) for k in keys)
    assert len(first) == 2


def test_forgetting_the_case_forgets_what_the_correction_kept_of_it(home: Path) -> None:
    from bot.features.retention import forget_case_id
    from bot.sync.correction_log import undo

    delivered = deliver(home, REFERRAL, sample(REFERRAL).read_bytes())
    run(home)
    move_to_correction(home, "Team", delivered)
    rt, _ = run(home)
    (correction,) = rows(rt, Correction)
    assert correction.before is not None and correction.before["case_id"] is not None
    with rt.sessions.begin() as session:
        forget_case_id(session, rt, correction.before["case_id"])
    (correction,) = rows(rt, Correction)
    assert (correction.before, correction.state) == (None, "forgotten")
    with pytest.raises(UserError, match="forgotten"):
        undo(rt, correction.id)
