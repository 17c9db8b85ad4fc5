"""The IMAP connector driven by the real pipeline (``bot.sync.pipeline.sync`` and ``chief sync``)
against a real Dovecot: the shipped sample mailbox end to end, a UIDVALIDITY change, a crash
between a draft's APPEND and its database commit, the server stopping mid-sync and the
connection dropping mid-FETCH. After each: every message logged exactly once, every draft
written once, and the practitioner's own mail untouched, flags included.
"""

from __future__ import annotations

import email
import json
import logging
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, select

from bot.config import load_config
from bot.errors import ConnectorError
from bot.jobs.catalogue import sync
from bot.keys import draft_marker, marker_of
from bot.resources import shipped_examples
from bot.store.models import AuditEvent, Draft, MessageRow
from bot.sync.runtime import Runtime
from bot.sync.steps import SyncReport
from tests.samples import sample_calendar, sample_files
from tests.servers.imap_testing import big, message, unrecent

if TYPE_CHECKING:
    from tests.fixtures_dovecot import DovecotAccount

pytest_plugins = ["tests.fixtures_dovecot"]
pytestmark = pytest.mark.servers


def sample_mailbox() -> list[bytes]:
    return [
        p.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        for p in sample_files("sports-medicine-us")
    ]


def imap_practice(
    tmp_path: Path, account: DovecotAccount, batch_size: int = 50, port: int | None = None
) -> Path:
    """The demo practice's chief.toml with ``[mail] connector = "imap"``; the password file
    sits beside it and is named relatively (resolved against chief.toml's folder)."""
    source = shipped_examples() / "practices" / "sports-medicine-us"
    home = tmp_path / "practice"
    (home / "secrets").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source / "register.yaml", home / "register.yaml")
    shutil.copyfile(sample_calendar("sports-medicine-us"), home / "calendar.ics")
    secret = home / "secrets" / "imap-password"
    secret.write_text(account.password + "\n")
    secret.chmod(0o600)
    text = (source / "chief.toml").read_text()
    head, _, rest = text.partition("[mail]")
    _, _, tail = rest.partition("[calendar]")
    mail = (
        "[mail]\n"
        'connector = "imap"\n'
        f'host = "{account.host}"\n'
        f"port = {port or account.port}\n"
        f'username = "{account.username}"\n'
        'password_file = "secrets/imap-password"\n'
        'tls = "none"\n'
        f"batch_size = {batch_size}\n"
        "timeout = 10\n\n"
    )
    (home / "chief.toml").write_text(head + mail + "[calendar]" + tail)
    (home / "chief.toml").chmod(0o600)  # `chief` refuses a configuration others can read
    return home / "chief.toml"


def run_sync(config: Path, progress: Any = None) -> SyncReport:
    rt = Runtime.from_config(load_config(config))
    try:
        return sync(rt, progress)
    finally:
        rt.close()
        rt.engine.dispose()


def case_log(config: Path) -> dict[str, Any]:
    rt = Runtime.from_config(load_config(config))
    try:
        with rt.sessions() as session:
            keys = session.scalars(select(MessageRow.key)).all()
            provider_ids = session.scalars(select(MessageRow.provider_id)).all()
            drafts = session.execute(
                select(Draft.key, Draft.state, Draft.remote_id).where(Draft.state != "moot")
            ).all()
            reconciled = session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "draft.reconcile")
            )
            checklists = session.scalars(select(Draft.key).where(Draft.message_id.is_(None))).all()
        return {
            "keys": keys,
            "provider_ids": provider_ids,
            "drafts": drafts,
            "reconciled": reconciled,
            "checklists": checklists,
        }
    finally:
        rt.engine.dispose()


def check_drafts(account: DovecotAccount, log: dict[str, Any], originals: list[bytes]) -> None:
    """Every draft row written exactly once, flagged \\Draft, threaded to its original; and
    each renewal checklist (a draft to the practitioner that answers no message) once."""
    on_server = account.messages("Drafts")
    keys = [marker_of(email.message_from_bytes(raw)["Message-ID"]) for raw, _ in on_server]
    assert len(keys) == len(set(keys)), "a draft was appended twice"
    checklists = {draft_marker(key) for key in log["checklists"]}  # among the draft rows
    assert checklists and sorted(keys) == sorted(draft_marker(key) for key, _, _ in log["drafts"])
    assert all(state == "written" and remote for _, state, remote in log["drafts"])
    message_ids = {email.message_from_bytes(raw)["Message-ID"] for raw in originals}
    for raw, flags in on_server:
        assert b"\\Draft" in flags
        parsed = email.message_from_bytes(raw)
        assert not [h for h in parsed if h.lower().startswith("x-chief-")]
        if marker_of(parsed["Message-ID"]) not in checklists:
            assert parsed["In-Reply-To"] in message_ids


@pytest.fixture
def mailbox(dovecot: DovecotAccount) -> list[bytes]:
    messages = sample_mailbox()
    dovecot.seed(messages)
    return messages


def test_sample_mailbox_then_a_uidvalidity_change_logs_nothing_twice(
    dovecot: DovecotAccount,
    mailbox: list[bytes],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    config = imap_practice(tmp_path, dovecot)
    before = unrecent(dovecot.snapshot())
    first = run_sync(config)
    assert first.messages == len(mailbox) and first.drafts_written > 10
    log = case_log(config)
    assert len(log["keys"]) == len(mailbox)
    check_drafts(dovecot, log, mailbox)

    rawlog = dovecot.server.enable_rawlog(dovecot.username)
    assert run_sync(config).messages == 0  # incremental: nothing new
    # What the server received from that whole `sync` (after LOGIN, which rawlog omits):
    (session_log,) = rawlog.glob("*.in")
    commands = [line.split(" ", 2)[2] for line in session_log.read_text().splitlines()]
    # INBOX, then the correction folders chief made on its first run (the corrections pass),
    # then the practitioner's sent mail (the sent-replies pass), found by its special use
    # (RFC 6154), then her notes saved as drafts (the notes pass: one SEARCH, no note there):
    # all read-only, nothing fetched, nothing stored, no folder made again.
    corrections = sorted(
        f'EXAMINE "Chief/{name}"'
        for name in (
            "Payer", "Solicitor", "Local authority", "Referral", "Team", "Lab", "CME",
            "Credentialing", "Supplier", "Research", "Not practice mail",
        )
    )  # fmt: skip
    assert commands == [
        "ENABLE CONDSTORE",
        'EXAMINE "INBOX"',
        "NAMESPACE",
        'LIST "" "*" RETURN (SPECIAL-USE)',
        *corrections,
        'LIST "" "*" RETURN (SPECIAL-USE)',
        'EXAMINE "Sent"',
        'LIST "" "*" RETURN (SPECIAL-USE)',
        'EXAMINE "Drafts"',
        "UID SEARCH UNDELETED SUBJECT note",
        "LOGOUT",
    ]

    dovecot.server.set_uidvalidity(dovecot.username, "INBOX", 777)
    with caplog.at_level(logging.INFO, logger="connectors.imap"):
        again = run_sync(config)
    assert "UIDVALIDITY changed" in caplog.text
    assert again.messages == 0 and again.skipped_known == len(mailbox)
    assert again.drafts_written == 0
    after = case_log(config)
    assert sorted(after["keys"]) == sorted(log["keys"])
    check_drafts(dovecot, after, mailbox)
    assert unrecent(dovecot.snapshot()) == before  # the user's mail, flags included


def test_crash_between_draft_append_and_commit_is_reconciled(
    dovecot: DovecotAccount, mailbox: list[bytes], tmp_path: Path
) -> None:
    config = imap_practice(tmp_path, dovecot, batch_size=500)
    chief = shutil.which("chief")
    assert chief, "the `chief` console script is not installed (pip install -e '.[test]')"
    env = {**os.environ, "CHIEF_CRASH_AFTER": "draft.remote:1"}  # first draft APPENDed
    crashed = subprocess.run(
        [chief, "--config", str(config), "sync"], env=env, capture_output=True, text=True
    )
    assert crashed.returncode == 77, crashed.stderr
    assert "draft.remote" in crashed.stderr
    assert len(dovecot.messages("Drafts")) == 1  # on the server, not yet in the case log
    env.pop("CHIEF_CRASH_AFTER")
    done = subprocess.run(
        [chief, "--config", str(config), "sync"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    log = case_log(config)
    assert log["reconciled"] == 1  # found by its key, not appended again
    assert len(log["keys"]) == len(mailbox)
    check_drafts(dovecot, log, mailbox)


class StopServerAfterFirstBatch:
    """A progress reporter that stops Dovecot once the first batch is committed."""

    def __init__(self, account: DovecotAccount) -> None:
        self.account = account
        self.batches = 0

    def set_total(self, total: int | None) -> None:
        pass

    def __call__(self, n: int) -> None:
        self.batches += 1
        if self.batches == 1:
            self.account.stop()


def test_server_stopped_mid_sync_then_rerun(
    dovecot: DovecotAccount, mailbox: list[bytes], tmp_path: Path
) -> None:
    config = imap_practice(tmp_path, dovecot, batch_size=20)
    before = unrecent(dovecot.snapshot())
    with pytest.raises(ConnectorError, match="connection refused"):
        run_sync(config, StopServerAfterFirstBatch(dovecot))
    logged = case_log(config)["keys"]
    # Whole batches, each committed with its cursor: the first, and those already read ahead
    # (at most two) when the server went away; never the whole mailbox.
    assert len(logged) % 20 == 0 and 20 <= len(logged) <= 60 < len(mailbox)
    dovecot.start()
    rerun = run_sync(config)
    assert rerun.skipped_known == 0  # resumed after the committed batch: nothing re-read
    log = case_log(config)
    assert len(log["keys"]) == len(set(log["keys"])) == len(mailbox)
    assert len(set(log["provider_ids"])) == len(mailbox)
    check_drafts(dovecot, log, mailbox)
    assert unrecent(dovecot.snapshot()) == before


def test_connection_dropped_mid_fetch_then_rerun(
    dovecot: DovecotAccount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    messages = [big(n, kib=300) for n in range(60)]
    dovecot.seed(messages)
    before = unrecent(dovecot.snapshot())
    proxy = dovecot.proxy()
    # The first batch's FETCH answer and its one retry both lose the connection half-way.
    proxy.cut_after(2_000_000, times=2)
    with pytest.raises(ConnectorError, match="during UID FETCH") as lost:
        run_sync(imap_practice(tmp_path, dovecot, batch_size=20, port=proxy.port))
    assert "the next sync resumes" in str(lost.value)
    config = imap_practice(tmp_path, dovecot, batch_size=20)  # the same practice, direct
    assert case_log(config)["keys"] == []
    rerun = run_sync(config)
    assert rerun.messages == len(messages)
    log = case_log(config)
    assert len(log["keys"]) == len(set(log["keys"])) == len(messages)
    assert unrecent(dovecot.snapshot()) == before


def test_chief_doctor_checks_the_imap_account(dovecot: DovecotAccount, tmp_path: Path) -> None:
    config = imap_practice(tmp_path, dovecot)
    env = {**os.environ, "CHIEF_CONFIG": str(config)}

    def mail_check() -> dict[str, Any]:
        done = subprocess.run(
            ["chief", "doctor", "--json"], env=env, capture_output=True, text=True
        )
        checks = json.loads(done.stdout)["checks"]
        (found,) = [c for c in checks if c["name"] == "mail (imap)"]
        return dict(found)

    healthy = mail_check()
    assert healthy["ok"] and "CONDSTORE" in healthy["detail"]
    assert "drafts: Drafts (\\Drafts, RFC 6154)" in healthy["detail"]
    (config.parent / "secrets" / "imap-password").write_text("wrong\n")
    refused = mail_check()
    assert not refused["ok"] and "password / app password" in refused["detail"]
    (config.parent / "secrets" / "imap-password").chmod(0o640)
    loose = mail_check()
    assert not loose["ok"] and "chmod 600" in loose["detail"]


def test_chief_run_syncs_as_soon_as_mail_arrives(
    dovecot: DovecotAccount, tmp_path: Path, chief_exe: str
) -> None:
    """With an hour between interval syncs, new mail is still logged within seconds: the
    daemon's watcher (IDLE on a second connection) wakes the sync."""
    config = imap_practice(tmp_path, dovecot)
    text = config.read_text()
    config.write_text(text.replace("[mail]", "[schedule]\nsync_minutes = 60\n\n[mail]", 1))
    dovecot.seed([message(1)])
    env = {**os.environ, "CHIEF_CONFIG": str(config)}
    daemon = subprocess.Popen(
        [chief_exe, "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        _wait_for_logged(config, 1, daemon)
        dovecot.seed([message(2)])
        started = time.monotonic()
        _wait_for_logged(config, 2, daemon)
        assert time.monotonic() - started < 15
        daemon.send_signal(signal.SIGTERM)
        _, stderr = daemon.communicate(timeout=20)
        assert daemon.returncode == 0, stderr[-2000:]
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.communicate()


def _wait_for_logged(config: Path, count: int, daemon: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert daemon.poll() is None, "the daemon stopped"
        try:
            if len(case_log(config)["keys"]) >= count:
                return
        except Exception:  # the database is being created
            pass
        time.sleep(0.2)
    raise AssertionError(f"{count} message(s) not logged within 30 s")
