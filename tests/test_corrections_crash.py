"""A correction killed between its steps, then run again, refiles once: the crash-point knob
(``CHIEF_CRASH_AFTER=NAME:N``, :mod:`bot.crash`) stops ``chief sync`` right after each durable
step of a refile (the refile's commit, a withdrawn draft removed then recorded, the party
directory written then recorded, the new drafts and calendar entries written then recorded);
the rerun ends where an uncrashed run ends. The same for ``chief corrections undo``, killed
after its commit, after the message is moved back and after that is recorded: the sync that
follows ends with the message back in INBOX once and its first filing restored once. Real
Maildir++ tree, .ics file and SQLite case log.
"""

from __future__ import annotations

import email
import os
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot import crash
from bot.config import load_config
from bot.store.models import Case, Correction, Deadline, Draft, LearnedCount, MessageRow
from bot.sync.runtime import Runtime
from tests.conftest import deliver, make_practice
from tests.samples import sample
from tests.test_corrections import REFERRAL, move_to_correction, physio, put_correction
from tests.test_crash_points import forked

POINTS = (
    "corrections.commit:1",
    "corrections.commit:3",
    "withdraw.remote:1",
    "withdraw.commit:1",
    "withdraw.remote:2",
    "party.file:1",
    "party.commit:1",
    "draft.remote:1",
    "draft.commit:2",
    "calendar.remote:1",
    "calendar.commit:1",
)


def chief_sync(home: Path, crash_after: str | None, *command: str) -> int:
    def work() -> int:
        for name in (crash.CRASH_ENV, crash.TRACE_ENV, "CHIEF_CONFIG"):
            os.environ.pop(name, None)
        if crash_after is not None:
            os.environ[crash.CRASH_ENV] = crash_after
        crash.reset()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        from bot.cli.app import main

        code = main.main(
            ["--config", str(home / "chief.toml"), *(command or ("sync",))],
            standalone_mode=False,
        )
        return int(code or 0)

    return forked(work)


def outcome(home: Path) -> dict[str, Any]:
    rt = Runtime.from_config(load_config(home / "chief.toml"))
    with rt.sessions() as session:
        keys: Counter[str] = Counter()
        for sub in ("cur", "new"):
            for path in (home / "Maildir" / ".Drafts" / sub).glob("*"):
                keys[str(email.message_from_bytes(path.read_bytes())["X-Chief-Key"])] += 1
        drafts = session.scalars(select(Draft).order_by(Draft.key)).all()
        return {
            "drafts_in_folder": sorted(keys.values()),
            "written_keys": sorted(d.key for d in drafts if d.state == "written") == sorted(keys),
            "draft_states": sorted(d.state for d in drafts),
            "corrections": sorted(
                (c.category, c.state, c.party_state) for c in session.scalars(select(Correction))
            ),
            "filed": sorted(
                (m.category or "", m.source or "") for m in session.scalars(select(MessageRow))
            ),
            "cases": sorted((c.kind, c.closed) for c in session.scalars(select(Case))),
            "deadlines": sorted((d.clock, d.done) for d in session.scalars(select(Deadline))),
            "taught": len(session.scalars(select(LearnedCount)).all()) > 0,
            "party_file": (home / "rules" / "parties" / "corrections-referrer.yaml")
            .read_text()
            .count("northfield-physio.example]"),
            "calendar_events": (home / "calendar.ics").read_text().count("BEGIN:VEVENT"),
        }


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A practice synced once, then corrected in the mailbox and not synced since."""
    root = tmp_path_factory.mktemp("corrections-crash")
    home = make_practice(root, rules={"parties/.keep": ""}, extra_toml="learned = false\n")
    delivered = deliver(home, REFERRAL, sample(REFERRAL).read_bytes())
    deliver(home, "np-1", physio("np-1"))
    assert chief_sync(home, None) == 0
    move_to_correction(home, "Team", delivered)
    put_correction(home, "Referral", physio("np-1"))
    return home


@pytest.fixture(scope="module")
def expected(pristine: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("reference") / "practice"
    shutil.copytree(pristine, home)
    assert chief_sync(home, None) == 0
    found = outcome(home)
    assert found["corrections"] == [
        ("referral", "refiled", "written"),
        ("team", "refiled", "written"),
    ]
    assert found["party_file"] == 1 and found["taught"] is True
    return found


@pytest.mark.parametrize("point", POINTS)
def test_a_refile_killed_at_each_step_then_rerun_ends_as_one_uncrashed_run(
    point: str, pristine: Path, expected: dict[str, Any], tmp_path: Path
) -> None:
    home = tmp_path / "practice"
    shutil.copytree(pristine, home)
    assert chief_sync(home, point) == crash.EXIT_CODE, f"{point} was never reached"
    assert chief_sync(home, None) == 0
    assert outcome(home) == expected


UNDO_POINTS = ("undo.commit:1", "return.remote:1", "return.commit:1", "draft.remote:1")


def mail_files(home: Path) -> dict[str, list[str]]:
    """Folder -> the names of the messages in it (Drafts aside)."""
    found: dict[str, list[str]] = {}
    for path in sorted((home / "Maildir").rglob("*")):
        if path.parent.name in ("cur", "new") and path.parent.parent.name != ".Drafts":
            folder = path.parent.parent.name
            found.setdefault("INBOX" if folder == "Maildir" else folder, []).append(path.name)
    return found


def undone(home: Path, crash_after: str | None) -> dict[str, Any]:
    """Sync (refiling both corrections), undo the Team one (killed at ``crash_after``), sync."""
    assert chief_sync(home, None) == 0
    rt = Runtime.from_config(load_config(home / "chief.toml"))
    with rt.sessions() as session:
        (ident,) = session.scalars(select(Correction.id).where(Correction.category == "team"))
    rt.engine.dispose()
    code = chief_sync(home, crash_after, "corrections", "undo", str(ident))
    assert code == (crash.EXIT_CODE if crash_after else 0), f"{crash_after} was never reached"
    assert chief_sync(home, None) == 0
    assert chief_sync(home, None) == 0
    return {**outcome(home), "mail": mail_files(home)}


@pytest.fixture(scope="module")
def expected_undo(pristine: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("undo-reference") / "practice"
    shutil.copytree(pristine, home)
    found = undone(home, None)
    assert found["corrections"] == [
        ("referral", "refiled", "written"),
        ("team", "undone", "removed"),
    ]
    assert [name for name in found["mail"]["INBOX"] if "ortho" in name]  # back in INBOX
    assert ".Chief.Team" not in found["mail"]
    return found


@pytest.mark.parametrize("point", UNDO_POINTS)
def test_an_undo_killed_at_each_step_then_synced_ends_as_one_uncrashed_undo(
    point: str, pristine: Path, expected_undo: dict[str, Any], tmp_path: Path
) -> None:
    home = tmp_path / "practice"
    shutil.copytree(pristine, home)
    assert undone(home, point) == expected_undo
