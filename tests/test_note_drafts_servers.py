"""Notes and the reports drafted from them on every mail connector, each against its real or
faithful local server: Dovecot (IMAP, the ``\\Drafts`` folder), the local Gmail API server
(drafts) and the local Graph server (the ``drafts`` folder), and the embedded Maildir++ tree
(more of it: tests/test_case_notes.py).

- A second note replaces chief's unedited report draft: one draft left, the new content, in
  the conversation the first was in; an edited one is left as she wrote it and the update
  drafted beside it, saying so at its top.
- Killed after each step of a replacement (journal, removal, write), the rerun ends with one
  current draft.
- A note she saves as a draft is read, once, without changing it; saved again with changes,
  it is read again as a new version; chief's own drafts are never taken for notes.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select

from bot.config import load_config
from bot.crash import EXIT_CODE
from bot.jobs.catalogue import sync
from bot.keys import marked_message_id
from bot.mail.mime import parse_message
from bot.store.models import AuditEvent
from bot.store.note_models import CaseNote, ReportDraft
from bot.sync.runtime import Runtime
from tests.conftest import deliver, make_practice
from tests.samples import sample
from tests.servers.dovecot import Dovecot
from tests.servers.google_api import GoogleApiServer
from tests.servers.google_testing import ALL_SCOPES
from tests.servers.google_testing import signed_in as google_signed_in
from tests.servers.graph_api import CLIENT_ID, TENANT, GraphServer
from tests.servers.graph_testing import signed_in as graph_signed_in
from tests.test_case_notes import EXPERT_NOTE, INSTRUCTION

if TYPE_CHECKING:
    from tests.fixtures_dovecot import DovecotAccount

pytest_plugins = ["tests.fixtures_dovecot"]
pytestmark = pytest.mark.servers

ME = "dr@practice.example"
SUBJECT = "Expert report: HL/4471/JS"
SECOND_NOTE = "# Notes: HL/4471/JS\n## Opinion\nNeeds 6 hours a week.\n"


def crlf(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def note_draft(body: str, message_id: str = "<saved-note-1@practice.example>") -> bytes:
    return crlf(
        (
            f"From: Dr Test <{ME}>\nTo: {ME}\nSubject: Notes: HL/4471/JS expert report\n"
            f"Date: Mon, 12 Oct 2026 18:00:00 +0100\nMessage-ID: {message_id}\n\n{body}"
        ).encode()
    )


@dataclass
class Box:
    """One server's mailbox, as the practitioner's own mail program sees and changes it."""

    config: Path
    deliver: Callable[[bytes], None]
    drafts: Callable[[], list[bytes]]  # every draft in the Drafts folder, raw
    edit: Callable[[bytes, bytes, bytes], None]  # (draft, old text, new text): saved again
    save: Callable[[bytes], None]  # a message she writes and saves as a draft
    thread: Callable[[bytes], str]  # the conversation a draft is in

    def reports(self) -> list[bytes]:
        return [raw for raw in self.drafts() if parse_message(raw, "d").subject == SUBJECT]


def practice(tmp_path: Path, mail: str) -> Path:
    home = make_practice(tmp_path)
    shutil.rmtree(home / "Maildir")
    config = home / "chief.toml"
    text = config.read_text()
    head, _, rest = text.partition("[mail]")
    _, _, tail = rest.partition("[calendar]")
    config.write_text(f"{head}[mail]\n{mail}\n[calendar]{tail}")
    config.chmod(0o600)
    return config


def imap_box(tmp_path: Path, account: DovecotAccount) -> Box:
    secret = tmp_path / "practice" / "secrets" / "imap-password"
    config = practice(
        tmp_path,
        f'connector = "imap"\nhost = "{account.host}"\nport = {account.port}\n'
        f'username = "{account.username}"\npassword_file = "secrets/imap-password"\n'
        'tls = "none"\ntimeout = 10\n',
    )
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text(account.password + "\n")
    secret.chmod(0o600)

    def drafts() -> list[bytes]:
        return [raw for raw, flags in account.messages("Drafts") if b"\\Deleted" not in flags]

    def edit(draft: bytes, old: bytes, new: bytes) -> None:
        """As a mail program saves an edited draft: the new one appended, the old expunged."""
        with account.client() as client:
            client.select_folder("Drafts")
            (uid,) = [
                u
                for u, item in client.fetch(client.search(["ALL"]), ["BODY.PEEK[]"]).items()
                if item[b"BODY[]"] == draft
            ]
            client.append("Drafts", draft.replace(old, new), [b"\\Draft", b"\\Seen"])
            client.delete_messages([uid])
            client.expunge()

    def thread(raw: bytes) -> str:
        return str(parse_message(raw, "d").in_reply_to)

    return Box(
        config,
        lambda raw: None if account.seed([raw]) else None,
        drafts,
        edit,
        lambda raw: None if account.seed([raw], "Drafts", [b"\\Draft", b"\\Seen"]) else None,
        thread,
    )


def google_box(tmp_path: Path, api: GoogleApiServer) -> Box:
    config = practice(
        tmp_path,
        f'connector = "gmail"\naccount = "{api.account}"\n'
        'token_file = "secrets/google-token.json"\ntoken_store = "file"\n'
        f'api_root = "{api.root_url}"\nretry_base_s = 0.02\n',
    )
    google_signed_in(api, config.parent / "secrets" / "google-token.json", ALL_SCOPES)
    gmail = api.gmail

    def drafts() -> list[bytes]:
        return [gmail.messages[m].raw for m in gmail.drafts.values()]

    def edit(draft: bytes, old: bytes, new: bytes) -> None:
        (draft_id,) = [d for d, m in gmail.drafts.items() if gmail.messages[m].raw == draft]
        gmail.edit_draft(draft_id, draft.replace(old, new))

    def thread(raw: bytes) -> str:
        """Its In-Reply-To, and the Gmail conversation it is in: a received message's, or
        its own (Gmail threads a draft only under the subject of the message it answers)."""
        (found,) = [m.thread_id for m in gmail.messages.values() if m.raw == raw]
        received = {m.thread_id for m in gmail.messages.values() if "INBOX" in m.labels}
        where = "a received message's" if found in received else "its own"
        return f"{parse_message(raw, 'd').in_reply_to} in {where}"

    return Box(
        config, lambda raw: None if gmail.deliver(raw) else None, drafts, edit,
        lambda raw: None if gmail.save_draft(raw) else None, thread,
    )  # fmt: skip


def graph_box(tmp_path: Path, api: GraphServer) -> Box:
    config = practice(
        tmp_path,
        f'connector = "outlook"\naccount = "{api.account}"\nclient_id = "{CLIENT_ID}"\n'
        f'tenant = "{TENANT}"\ntoken_cache_file = "secrets/microsoft-token.json"\n'
        f'token_store = "file"\napi_root = "{api.api_root}"\nlogin_root = "{api.root}"\n'
        "retry_base_s = 0.02\n",
    )
    graph_signed_in(api, config.parent / "secrets" / "microsoft-token.json")
    mail = api.mail

    def drafts() -> list[bytes]:
        return [mail.mime(m) for m in mail.in_folder("drafts")]

    def stored(raw: bytes) -> str:
        (found,) = [m.id for m in mail.in_folder("drafts") if mail.mime(m) == raw]
        return found

    def edit(draft: bytes, old: bytes, new: bytes) -> None:
        text = parse_message(draft, "d").text.replace(old.decode(), new.decode())
        mail.update(stored(draft), {"body": {"contentType": "text", "content": text}})

    def thread(raw: bytes) -> str:
        return str(mail.messages[stored(raw)].props["conversationId"])

    return Box(
        config, lambda raw: None if mail.deliver(raw) else None, drafts, edit,
        lambda raw: None if mail.save_draft(raw) else None, thread,
    )  # fmt: skip


def maildir_box(tmp_path: Path) -> Box:
    """The embedded Maildir++ tree, for the same checks (tests/test_case_notes.py has more)."""
    home = make_practice(tmp_path)
    folder = home / "Maildir" / ".Drafts"
    for sub in ("cur", "new", "tmp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    (folder / "maildirfolder").touch()
    names = itertools.count(1)

    def files() -> list[Path]:
        return sorted(p for sub in ("cur", "new") for p in (folder / sub).iterdir())

    def save(raw: bytes) -> None:
        (folder / "cur" / f"saved-{next(names)}.host:2,DS").write_bytes(raw)

    def edit(draft: bytes, old: bytes, new: bytes) -> None:
        """As a mail program saves an edited draft: a new file, the old one removed."""
        (path,) = [p for p in files() if p.read_bytes() == draft]
        save(draft.replace(old, new))
        path.unlink()

    return Box(
        home / "chief.toml",
        lambda raw: None if deliver(home, f"in-{next(names)}", raw) else None,
        lambda: [p.read_bytes() for p in files()],
        edit,
        save,
        lambda raw: str(parse_message(raw, "d").in_reply_to),
    )


@pytest.fixture(params=["maildir", "imap", "gmail", "outlook"])
def box(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Box]:
    if request.param == "maildir":
        yield maildir_box(tmp_path)
        return
    if request.param == "imap":
        yield imap_box(tmp_path, request.getfixturevalue("dovecot"))
        return
    if request.param == "gmail":
        google = GoogleApiServer(account=ME).start()
        try:
            yield google_box(tmp_path, google)
        finally:
            google.stop()
        assert google.problems == []
        return
    graph = GraphServer(account=ME).start()
    try:
        yield graph_box(tmp_path, graph)
    finally:
        graph.stop()
    assert graph.problems == []


def run(box: Box) -> Runtime:
    rt = Runtime.from_config(load_config(box.config))
    try:
        report = sync(rt)
        assert report.errors == [], report.errors
        return rt
    finally:
        rt.close()


def write_note(box: Box, name: str, text: str) -> None:
    (box.config.parent / "notes").mkdir(exist_ok=True)
    (box.config.parent / "notes" / name).write_text(text)


def text_of(raw: bytes) -> str:
    return parse_message(raw, "d").text


def filed_with_a_report(box: Box) -> bytes:
    """The letter of instruction filed and the first note's report drafted; the draft."""
    box.deliver(crlf(sample(INSTRUCTION).read_bytes()))
    write_note(box, "expert.md", EXPERT_NOTE)
    run(box)
    (report,) = box.reports()
    assert "Needs 4 hours" in text_of(report)
    return report


def test_a_second_note_replaces_the_unedited_report_draft_in_its_conversation(box: Box) -> None:
    first = filed_with_a_report(box)
    others, conversation = len(box.drafts()), box.thread(first)
    write_note(box, "expert-2.md", SECOND_NOTE)
    rt = run(box)
    (report,) = box.reports()
    assert len(box.drafts()) == others  # replaced, not added
    text = text_of(report)
    assert "Needs 6 hours a week." in text and "Needs 4 hours" not in text
    assert "Claimant: Joan Sample [notes]" in text  # the first note still counts
    assert box.thread(report) == conversation
    with rt.sessions() as session:
        row = session.scalars(select(ReportDraft)).one()
        assert (row.version, row.state, row.pending) == (1, "drafted", None)
        replaced = session.scalar(select(func.count()).where(AuditEvent.action == "draft.replace"))
        assert replaced == 1
    run(box)  # nothing new: nothing changes
    assert box.reports() == [report]


def test_an_edited_report_draft_is_kept_and_the_update_drafted_beside_it(box: Box) -> None:
    first = filed_with_a_report(box)
    box.edit(first, b"Needs 4 hours", b"Needs 5 hours")
    (edited,) = box.reports()
    write_note(box, "expert-2.md", SECOND_NOTE)
    rt = run(box)
    reports = box.reports()
    assert len(reports) == 2 and edited in reports  # hers, as she left it
    (new,) = [r for r in reports if r != edited]
    assert "Needs 6 hours a week." in text_of(new)
    assert "chief left yours as you wrote it" in text_of(new)  # says so, at its top
    assert "chief left yours" not in text_of(edited)
    with rt.sessions() as session:
        assert session.scalars(select(ReportDraft.version)).one() == 2


@pytest.mark.parametrize("point", ["report.journal:1", "report.delete:1", "report.remote:1"])
def test_a_replacement_killed_at_each_step_ends_with_one_current_draft(
    box: Box, point: str, chief_exe: str
) -> None:
    filed_with_a_report(box)
    write_note(box, "expert-2.md", SECOND_NOTE)
    crashed = subprocess.run(
        [chief_exe, "--config", str(box.config), "sync"],
        env={**os.environ, "CHIEF_CRASH_AFTER": point},
        capture_output=True,
    )
    assert crashed.returncode == EXIT_CODE, crashed.stderr
    if point == "report.delete:1":
        assert box.reports() == []  # removed, the new version not written yet
    rt = run(box)
    (report,) = box.reports()
    assert "Needs 6 hours a week." in text_of(report)
    with rt.sessions() as session:
        row = session.scalars(select(ReportDraft)).one()
        assert (row.version, row.state) == (1, "drafted")
        replaced = session.scalar(select(func.count()).where(AuditEvent.action == "draft.replace"))
        assert replaced == 1


def test_a_note_saved_as_a_draft_is_read_once_unchanged_and_again_when_edited(
    box: Box,
) -> None:
    box.deliver(crlf(sample(INSTRUCTION).read_bytes()))
    note = note_draft("Claimant: Joan Sample\n\nOpinion\nNeeds 4 hours a week.\n")
    box.save(note)
    # A draft of chief's own (its Message-ID carries a DRAFT MARKER) is never a note.
    ours = marked_message_id("a-key-of-chiefs-0001", "practice.example")
    box.save(note_draft("Claimant: Someone Else\n", message_id=ours))
    saved = sorted(box.drafts())
    rt = run(box)
    (report,) = box.reports()
    assert "Claimant: Joan Sample [notes]" in text_of(report)
    assert "Someone Else" not in text_of(report)
    assert sorted(d for d in box.drafts() if d in saved) == saved  # read, never altered
    run(box)  # read again: the same note, taken once
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(CaseNote)) == 1
    (mine,) = [d for d in box.drafts() if b"Joan Sample" in d and d in saved]
    box.edit(mine, b"Needs 4 hours", b"Needs 6 hours")  # saved again with a change
    run(box)
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(CaseNote)) == 2
    (report,) = box.reports()
    assert "Needs 6 hours a week." in text_of(report)
    run(box)
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(CaseNote)) == 2


@pytest.fixture(scope="module")
def no_uidplus_server() -> Iterator[Dovecot]:
    from tests.fixtures_dovecot import need_dovecot  # imported late: pytest rewrites it

    need_dovecot()
    server = Dovecot(capability="IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE SPECIAL-USE NAMESPACE")
    server.start()
    try:
        yield server
    finally:
        server.close()


def test_imap_without_uidplus_a_removed_draft_waiting_to_be_expunged_is_not_the_new_one(
    no_uidplus_server: Dovecot, tmp_path: Path
) -> None:
    """Without UIDPLUS a removed draft stays flagged \\Deleted (only that UID could not be
    expunged alone): the new version under the same key is written beside it, and found."""
    from connectors.base import OutgoingDraft, draft_digest
    from tests.fixtures_dovecot import account_on

    with account_on(no_uidplus_server, tmp_path) as account:
        mail = account.connector(practitioner_address=ME)
        try:
            old = OutgoingDraft("revised-without-uidplus-01", note_draft("Needs 4 hours.\n"))
            new = OutgoingDraft(old.key, note_draft("Needs 6 hours.\n"))
            mail.create_draft(old)
            assert mail.delete_draft(old.key) is True
            assert mail.find_draft(old.key) is None and mail.draft_content(old.key) is None
            remote = mail.create_draft(new)
            content = mail.draft_content(new.key)
            assert content is not None and draft_digest(content) == draft_digest(new.raw)
            assert mail.find_draft(new.key) == remote
            flags = sorted(b"\\Deleted" in f for _, f in account.messages("Drafts"))
            assert flags == [False, True]  # hers to expunge; the new one live
        finally:
            mail.close()
