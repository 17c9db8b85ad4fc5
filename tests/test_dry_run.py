"""``chief sync --dry-run``: the whole pass planned and shown, nothing written anywhere, the
case log as it was; then a real sync does what the dry run said."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, select

from bot.cli.demo import DEMO_DAY, prepare_home
from bot.config import load_config
from bot.jobs.catalogue import STEPS
from bot.store.models import Case, Draft, MessageRow
from bot.sync.dry_run import plan_sync
from bot.sync.runtime import Runtime
from tests.samples import sample_files

if TYPE_CHECKING:
    from tests.fixtures_dovecot import DovecotAccount

pytest_plugins = ["tests.fixtures_dovecot"]


def chief(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CHIEF_CONFIG": str(config)}
    return subprocess.run(["chief", *args], env=env, capture_output=True, text=True, timeout=300)


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` (but the lock files a pass takes) and its sha256."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


def counts(config: Path) -> dict[str, int]:
    rt = Runtime.from_config(load_config(config), today=DEMO_DAY)
    try:
        with rt.sessions() as session:
            return {
                name: int(session.scalar(select(func.count()).select_from(table)) or 0)
                for name, table in (("messages", MessageRow), ("cases", Case), ("drafts", Draft))
            }
    finally:
        rt.close()
        rt.engine.dispose()


def test_a_dry_run_on_a_new_practice_plans_everything_and_creates_nothing(
    tmp_path: Path,
) -> None:
    config = prepare_home(tmp_path / "home", "sports-medicine-us")
    home = config.parent
    before = tree_digest(home)
    shown = chief(config, "sync", "--dry-run", "--json")
    assert shown.returncode == 0, shown.stderr
    plan: dict[str, Any] = json.loads(shown.stdout)
    assert plan["dry_run"] is True
    assert sum(plan["filed"].values()) == len(sample_files("sports-medicine-us"))  # all of it
    assert len(plan["opened"]) > 20 and len(plan["drafts"]) > 20 and plan["deadlines"]
    assert plan["calendar"]
    assert tree_digest(home) == before  # no case log, no draft, no calendar entry, no key

    # The real pass then does what the dry run said it would.
    done = chief(config, "sync", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["messages"] == sum(plan["filed"].values())
    assert report["by_category"] == plan["filed"]
    assert report["cases_opened"] == len(plan["opened"])
    assert report["drafts_planned"] == len(plan["drafts"])


def test_a_dry_run_after_new_mail_shows_it_and_leaves_the_case_log_as_it_was(
    tmp_path: Path,
) -> None:
    config = prepare_home(tmp_path / "home", "sports-medicine-us")
    home = config.parent
    inbox = home / "Maildir" / "new"
    held = tmp_path / "held"
    held.mkdir()
    later = sorted(inbox.iterdir())[-25:]
    for path in later:
        shutil.move(path, held / path.name)
    assert chief(config, "sync", "--json").returncode == 0
    for path in sorted(held.iterdir()):
        shutil.move(path, inbox / path.name)  # mail arrives
    logged = counts(config)
    before = tree_digest(home)

    rt = Runtime.from_config(load_config(config), dry_run=True)
    try:
        plan = plan_sync(rt, STEPS)
    finally:
        rt.close()
        rt.engine.dispose()
    assert sum(plan.filed.values()) == 25
    assert plan.report.drafts_written == 0 and plan.report.calendar_written == 0
    assert tree_digest(home) == before  # case log, Maildir, Drafts and calendar untouched
    assert counts(config) == logged

    text = chief(config, "sync", "--dry-run")
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith("Dry run: nothing was written")
    assert "Would file 25 new message(s)" in text.stdout
    assert tree_digest(home) == before
    report = json.loads(chief(config, "sync", "--json").stdout)
    assert report["messages"] == 25 and report["drafts_planned"] == len(plan.drafts)


@pytest.mark.servers
def test_a_dry_run_over_imap_writes_nothing_on_the_server(
    dovecot: DovecotAccount, tmp_path: Path
) -> None:
    from tests.test_imap_pipeline import imap_practice, sample_mailbox

    messages = sample_mailbox()[:40]
    dovecot.seed(messages)
    config = imap_practice(tmp_path, dovecot)
    inbox_before = dovecot.snapshot("INBOX")
    rawlog = dovecot.server.enable_rawlog(dovecot.username)  # every session from now on
    shown = chief(config, "sync", "--dry-run", "--json")
    assert shown.returncode == 0, shown.stderr
    plan = json.loads(shown.stdout)
    assert sum(plan["filed"].values()) == 40 and plan["drafts"]
    assert dovecot.snapshot("INBOX") == inbox_before  # bodies and flags (no \\Seen) as they were
    assert dovecot.messages("Drafts") == []
    done = json.loads(chief(config, "sync", "--json").stdout)
    assert done["messages"] == 40 and done["drafts_planned"] == len(plan["drafts"])
    # The plan shows the drafts a later message of the run made moot, as such: never written.
    written = [d for d in plan["drafts"] if d["state"] != "moot"]
    assert len(dovecot.messages("Drafts")) >= len(written)
    # `chief sync` logs out of every connection it opened, dry or not (RFC 3501 6.1.3).
    sessions = sorted(rawlog.glob("*.in"))
    assert len(sessions) >= 2
    for session in sessions:
        lines = [line for line in session.read_text(errors="replace").splitlines() if line]
        assert lines[-1].endswith(" LOGOUT"), session.name  # its last command
