"""The daily summary is delivered at most once a day: under the practice's lock (never racing a
sync, never two at once), its research digest recorded with it, and by SMTP never sent twice
after a kill mid-send (a mail server cannot be asked whether it took a message)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli.demo import prepare_home
from bot.config import load_config
from bot.locking import exclusive_lock
from bot.store.models import AuditEvent
from bot.summary.delivery import UNCERTAIN
from bot.sync.runtime import Runtime
from tests.fixtures_smtp import SmtpServer, smtp_server_fixture  # noqa: F401 - the fixture

PRACTITIONER = "nbrandt@riverside-sportsmed.example"


def chief(
    config: Path, *args: str, crash_after: str | None = None, wait: bool = True
) -> subprocess.Popen[str] | subprocess.CompletedProcess[str]:
    env = {**os.environ, "CHIEF_CONFIG": str(config)}
    env.pop("CHIEF_CRASH_AFTER", None)
    if crash_after is not None:
        env["CHIEF_CRASH_AFTER"] = crash_after
    command = ["chief", *args]
    if not wait:
        return subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def smtp_practice(tmp_path: Path, smtp_server: SmtpServer) -> Path:
    """The demo practice, synced, with its summary sent by SMTP."""
    config = prepare_home(tmp_path / "home", "sports-medicine-us")
    secret = config.parent / "smtp-password"
    secret.write_bytes(smtp_server.password_file.read_bytes())
    secret.chmod(0o600)
    text = config.read_text().replace(
        "[summary]\nhour = 7\n", '[summary]\nhour = 7\nvia = "smtp"\n'
    )
    text += (
        f'\n[smtp]\nhost = "127.0.0.1"\nport = {smtp_server.port}\n'
        f'username = "{smtp_server.username}"\npassword_file = "smtp-password"\ntls = "none"\n'
    )
    config.write_text(text)
    synced = chief(config, "sync")
    assert isinstance(synced, subprocess.CompletedProcess)
    assert synced.returncode == 0, synced.stderr[-2000:]
    return config


def deliveries(config: Path) -> list[tuple[str, str | None]]:
    rt = Runtime.from_config(load_config(config))
    try:
        with rt.sessions() as session:
            rows = session.execute(
                select(AuditEvent.action, AuditEvent.remote_id).where(
                    AuditEvent.action.in_(("summary.deliver", "research.digest"))
                )
            ).all()
        return [(action, remote) for action, remote in rows]
    finally:
        rt.close()
        rt.engine.dispose()


@pytest.mark.parametrize("step", ["summary.copy:1", "summary.remote:1"])
def test_killed_while_sending_by_smtp_it_is_never_sent_twice(
    smtp_practice: Path, smtp_server: SmtpServer, step: str
) -> None:
    killed = chief(smtp_practice, "summary", "--send", crash_after=step)
    assert isinstance(killed, subprocess.CompletedProcess) and killed.returncode == 77
    sent_before = len(smtp_server.messages)
    again = chief(smtp_practice, "summary", "--send")
    assert isinstance(again, subprocess.CompletedProcess)
    assert again.returncode == 0, again.stderr[-2000:]
    assert len(smtp_server.messages) == 1  # at most once, and here exactly once
    assert smtp_server.messages[0].rcpt_tos == [PRACTITIONER]
    recorded = [
        remote for action, remote in deliveries(smtp_practice) if action == "summary.deliver"
    ]
    assert len(recorded) == 1
    if step == "summary.remote:1":  # sent before the kill: perhaps sent, so not again
        assert sent_before == 1 and recorded == [UNCERTAIN]
        assert "not sent again" in again.stderr and ".eml" in again.stderr
    else:  # killed before sending: sent by the rerun, recorded with its id
        assert sent_before == 0 and recorded[0] != UNCERTAIN
    digests = [a for a, _ in deliveries(smtp_practice) if a == "research.digest"]
    assert len(digests) == 1  # recorded with the summary that carried it
    third = chief(smtp_practice, "summary", "--send")
    assert isinstance(third, subprocess.CompletedProcess) and third.returncode == 0
    assert len(smtp_server.messages) == 1


def test_two_sends_at_once_send_one_summary(smtp_practice: Path, smtp_server: SmtpServer) -> None:
    runs = [chief(smtp_practice, "summary", "--send", wait=False) for _ in range(2)]
    for run in runs:
        assert isinstance(run, subprocess.Popen)
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err[-2000:]
    assert len(smtp_server.messages) == 1


def test_the_summary_waits_for_a_sync_in_progress(
    smtp_practice: Path, smtp_server: SmtpServer
) -> None:
    """A sync holds the practice's lock while it writes: the summary waits for it, rather than
    reading a case log half written (and delivering "nothing due" as the day's one summary)."""
    copies = smtp_practice.parent / "data" / "summaries"
    with exclusive_lock(smtp_practice.parent / "data" / "sync.lock"):  # a sync, running
        waiting = chief(smtp_practice, "summary", "--send", wait=False)
        assert isinstance(waiting, subprocess.Popen)
        time.sleep(3)
        assert waiting.poll() is None  # still waiting for the lock
        assert not list(copies.glob("*.eml")) and smtp_server.messages == []
    _, err = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, err[-2000:]
    assert len(smtp_server.messages) == 1 and len(list(copies.glob("*.eml"))) == 1
