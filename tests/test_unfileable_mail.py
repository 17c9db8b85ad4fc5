"""A message chief cannot file stops nothing else: it is named by its id, never a word of it,
and the rest of the mail is filed (as a message no parser can read is: the pass itself ran, so
the exit status stays 0; 3 is kept for remote writes to try again).

The real input: a ``Date`` that no calendar can hold once put in UTC (year 9999, twelve hours
west of it), which used to stop every sync with an internal error, for good. Real Maildir,
.ics calendar and SQLite case log, run as ``chief sync`` is.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from bot.config import load_config
from bot.store.models import MessageRow
from bot.sync.runtime import Runtime
from tests.conftest import deliver
from tests.samples import sample

REFERRAL = "0018-ortho-referral-acl"
SECRET = "Tabitha Quennell"  # a patient's name in the bad message: never in the output


def test_an_unfileable_message_is_named_and_the_rest_filed(
    practice_dir: Callable[..., Path], chief_exe: str
) -> None:
    home = practice_dir()
    bad = (
        "From: Clinic <desk@elsewhere.example>\nTo: dr@practice.example\n"
        "Subject: Referral for Tabitha Quennell\nDate: Fri, 31 Dec 9999 23:00:00 -1200\n"
        f"Message-ID: <bad-1@elsewhere.example>\n\nPlease see {SECRET}, DOB 01/02/1990.\n"
    )
    deliver(home, "bad", bad.encode())
    deliver(home, REFERRAL, sample(REFERRAL).read_bytes())
    run = subprocess.run(
        [chief_exe, "--config", str(home / "chief.toml"), "sync"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "message bad: not filed (OverflowError)" in run.stderr
    assert SECRET not in run.stdout + run.stderr
    rt = Runtime.from_config(load_config(home / "chief.toml"))
    try:
        with rt.sessions() as session:
            rows = session.scalars(select(MessageRow)).all()
            filed = [r for r in rows if r.error is None]
            failed = [r for r in rows if r.error is not None]
    finally:
        rt.close()
        rt.engine.dispose()
    assert [r.category for r in filed] == ["referral"]
    assert len(failed) == 1 and "not filed" in str(failed[0].error)
    again = subprocess.run(
        [chief_exe, "--config", str(home / "chief.toml"), "sync"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr
    assert "not filed" not in again.stderr  # named once, not on every sync
