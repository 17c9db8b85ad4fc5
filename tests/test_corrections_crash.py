"""A correction killed between its steps, then run again, refiles once: the crash-point knob
(``CHIEF_CRASH_AFTER=NAME:N``, :mod:`bot.crash`) stops ``chief sync`` right after each durable
step of a refile (the refile's commit, a withdrawn draft removed then recorded, the party
directory written then recorded, the new drafts and calendar entries written then recorded);
the rerun ends where an uncrashed run ends. Real Maildir++ tree, .ics file and SQLite case log.
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


def chief_sync(home: Path, crash_after: str | None) -> int:
    def work() -> int:
        for name in (crash.CRASH_ENV, crash.TRACE_ENV, "CHIEF_CONFIG"):
            os.environ.pop(name, None)
        if crash_after is not None:
            os.environ[crash.CRASH_ENV] = crash_after
        crash.reset()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        from bot.cli.app import main

        code = main.main(["--config", str(home / "chief.toml"), "sync"], standalone_mode=False)
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
