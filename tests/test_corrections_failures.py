"""A corrected message chief cannot refile stops nothing else, and is refiled on a later sync.

On a real Maildir++ tree, .ics calendar and case log, run as ``chief sync`` is: in one pass
the practitioner has moved a referral to ``.Chief.Team`` (refiled), a file in
``.Chief.Referral`` is not a message yet (a mail program that had not finished writing it: no
headers), another there has a ``Date`` that no calendar can hold once put in UTC (year 9999,
twelve hours west of it: its refile raises), and new mail has arrived in INBOX. The pass
refiles the good correction, files the new mail and writes its drafts, names each failed
message by its id (never a word of it) and exits 3. Once the two files are whole, the next
sync refiles both, once; the one after it nothing.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import load_config
from bot.store.models import Correction, Draft, MessageRow
from bot.sync.runtime import Runtime
from tests.conftest import deliver
from tests.samples import sample
from tests.test_corrections import REFERRAL, move_to_correction, physio

BEYOND_UTC = b"Date: Fri, 31 Dec 9999 23:00:00 -1200"
SENT = b"Date: Mon, 02 Nov 2026 10:00:00 +0000"


def chief_sync(chief_exe: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [chief_exe, "--config", str(home / "chief.toml"), "sync"],
        capture_output=True,
        text=True,
        timeout=300,
    )


def state(home: Path) -> dict[str, object]:
    rt = Runtime.from_config(load_config(home / "chief.toml"))
    try:
        with rt.sessions() as session:
            messages = session.scalars(select(MessageRow)).all()
            return {
                "filed": sorted(
                    (str(m.message_id), m.category or "", m.source or "") for m in messages
                ),
                "corrections": sorted(
                    (c.category or "", c.state) for c in session.scalars(select(Correction))
                ),
                "drafts_written": len(
                    session.scalars(select(Draft).where(Draft.state == "written")).all()
                ),
            }
    finally:
        rt.close()
        rt.engine.dispose()


def corrected_file(home: Path, folder: str, name: str, raw: bytes) -> Path:
    path = home / "Maildir" / f".Chief.{folder}" / "cur" / f"{name}:2,S"
    path.write_bytes(raw)
    return path


@pytest.fixture
def home(practice_dir: Callable[..., Path]) -> Path:
    return practice_dir()


def test_a_correction_that_fails_is_named_skipped_and_refiled_once_later(
    home: Path, chief_exe: str
) -> None:
    delivered = deliver(home, REFERRAL, sample(REFERRAL).read_bytes())
    first = chief_sync(chief_exe, home)
    assert first.returncode == 0, first.stderr
    move_to_correction(home, "Team", delivered)
    unfinished = corrected_file(home, "Referral", "1700000001.unfinished", b"\x00\x01\x02\n")
    far = physio("np-far").replace(SENT, BEYOND_UTC)
    assert BEYOND_UTC in far
    beyond = corrected_file(home, "Referral", "1700000002.beyond", far)
    deliver(home, "np-new", physio("np-new", "Runner with hip pain", "hip pain"))

    failed = chief_sync(chief_exe, home)
    assert failed.returncode == 3, failed.stderr
    assert "2 correction(s) not refiled" in failed.stderr or (
        failed.stderr.count("correction(s) not refiled") == 2
    )
    assert "Chief.Referral/1700000001.unfinished" in failed.stderr  # named by its id
    for word in ("Runner", "hip", "knee", "Northfield"):
        assert word not in failed.stderr + failed.stdout
    after = state(home)
    assert after["corrections"] == [("team", "refiled")]  # the good one refiled
    filed = {mid: (category, source) for mid, category, source in after["filed"]}
    assert filed["<np-new@northfield-physio.example>"][0] == "referral"  # new mail filed
    assert "<np-far@northfield-physio.example>" not in filed  # nothing of it kept
    assert after["drafts_written"] >= 2  # the new referral's drafts written

    # The causes go: the mail program finishes its file, the date is put right.
    unfinished.write_bytes(physio("np-late", "Swimmer with shoulder pain", "shoulder pain"))
    beyond.write_bytes(far.replace(BEYOND_UTC, SENT))
    again = chief_sync(chief_exe, home)
    assert again.returncode == 0, again.stderr
    assert "2 correction(s) refiled" in again.stdout
    refiled = state(home)
    assert refiled["corrections"] == [
        ("referral", "refiled"),
        ("referral", "refiled"),
        ("team", "refiled"),
    ]
    filed = {mid: (category, source) for mid, category, source in refiled["filed"]}
    assert filed["<np-late@northfield-physio.example>"] == ("referral", "correction")
    assert filed["<np-far@northfield-physio.example>"] == ("referral", "correction")

    last = chief_sync(chief_exe, home)
    assert last.returncode == 0, last.stderr
    assert "correction(s) refiled" not in last.stdout
    assert state(home)["corrections"] == refiled["corrections"]
