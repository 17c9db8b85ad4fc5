"""Failed writes over a real Maildir, .ics file and SQLite case log: tried once per pass and
again on a later pass after a wait, reported once per kind, shown in the summary until written
or dismissed; `chief sync` exits 3 when writes failed; a draft whose template failed is written
once the template is fixed.

The Drafts folder is made unwritable the way a file system can be (its ``tmp`` is a file, not
a folder: refused even to root, which a test may run as); the wait is skipped by setting the
row's next try in the past, as time passing would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.config import load_config
from bot.jobs.catalogue import sync
from bot.store.models import AuditEvent, Draft
from bot.summary.job import summary_text
from bot.sync.retries import retry_wait
from bot.sync.runtime import Runtime
from tests.conftest import deliver, make_message

PARTIES = """\
kind: payer
parties:
  - name: Example Plan
    domains: [plan.example]
"""

RULES = """\
pack: test
rules:
  - id: test.prior_auth.pended
    category: payer
    case_kind: prior_auth
    event: pended
    priority: 500
    match: {from_party: payer, text_any: ['pended']}
    extract: {pa_ref: 'auth(?:orization)?\\s*#\\s*:?\\s*([A-Z0-9-]{6,20})'}
    actions:
      - case: {key: pa_ref, status: pended, open: true}
      - draft: {template: payer/prior_auth_chase.j2}
"""

SENDER = "Plan PA Desk <pa@plan.example>"
BROKEN = "{{ DRAFT_BANNER }}\nDear {{ message.no_such_value }},\n"
FIXED = "{{ DRAFT_BANNER }}\nDear {{ message.from_name or 'colleague' }}, a chase.\n"


@pytest.fixture
def home(practice_dir: Callable[..., Path]) -> Path:
    home = practice_dir(
        {"test.yaml": RULES, "parties/payer.yaml": PARTIES},
        extra_toml='[templates]\ndirs = ["templates"]\n',
    )
    config = home / "chief.toml"
    config.write_text(
        config.read_text().replace('path = "Maildir"', 'path = "Maildir"\nbatch_size = 2')
    )
    for n in range(5):  # three batches of mail: effects run after each
        deliver(
            home,
            f"m{n}",
            make_message(f"pa{n}@plan.example", "PA pended", f"Auth # PA-00{n}123 pended.", SENDER),
        )
    return home


def runtime(home: Path) -> Runtime:
    return Runtime.from_config(load_config(home / "chief.toml"))


def drafts(rt: Runtime) -> list[Draft]:
    with rt.sessions() as session:
        return list(session.scalars(select(Draft).order_by(Draft.id)))


def drafts_folder(home: Path) -> list[Path]:
    folder = home / "Maildir" / ".Drafts"
    return [
        p for sub in ("cur", "new") if (folder / sub).is_dir() for p in (folder / sub).iterdir()
    ]


def time_passes(rt: Runtime) -> None:
    """Every failed row's wait is over."""
    with rt.sessions() as session:
        session.execute(update(Draft).values(next_try=datetime.now(UTC) - timedelta(seconds=1)))
        session.commit()


def chief_sync(home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CHIEF_CONFIG": str(home / "chief.toml")}
    return subprocess.run(
        ["chief", "sync"], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def break_drafts_folder(home: Path) -> None:
    folder = home / "Maildir" / ".Drafts"
    folder.mkdir(exist_ok=True)
    (folder / "maildirfolder").touch()
    for sub in ("new", "cur"):
        (folder / sub).mkdir(exist_ok=True)
    (folder / "tmp").write_text("not a folder")


def mend_drafts_folder(home: Path) -> None:
    tmp = home / "Maildir" / ".Drafts" / "tmp"
    tmp.unlink()
    tmp.mkdir()


def test_a_refused_draft_is_tried_once_per_pass_reported_once_and_written_later(
    home: Path,
) -> None:
    break_drafts_folder(home)
    first = chief_sync(home)
    assert first.returncode == 3, first.stderr
    lines = [line for line in first.stderr.splitlines() if "not written" in line]
    assert len(lines) == 1, first.stderr  # one line for five drafts over three batches
    assert lines[0].strip().startswith("5 draft(s) not written")
    rt = runtime(home)
    try:
        rows = drafts(rt)
        assert [(d.state, d.attempts) for d in rows] == [("failed", 1)] * 5
        assert all(d.raw for d in rows)  # the rendered draft stays journalled
        shown = summary_text(rt)  # to decide: three named, the rest counted
        assert "TO DECIDE (5)" in shown and shown.count("A draft could not be written") == 3
        assert "- and 2 more: chief effects" in shown

        # The next pass tries again, once: still refused, one line, a second attempt.
        again = sync(rt)
        assert again.failures.lines() == [lines[0].strip()]
        assert [(d.state, d.attempts) for d in drafts(rt)] == [("failed", 2)] * 5

        # Mended, but the wait after a second failure is not over: nothing is tried.
        mend_drafts_folder(home)
        report = sync(rt)
        assert not report.failures and report.drafts_written == 0
        assert drafts_folder(home) == []

        time_passes(rt)
        report = sync(rt)
        assert report.drafts_written == 5 and not report.failures
        rows = drafts(rt)
        assert [(d.state, d.attempts, d.next_try) for d in rows] == [("written", 0, None)] * 5
        assert len(drafts_folder(home)) == 5
        assert "could not be written" not in summary_text(rt)
    finally:
        rt.close()
    assert chief_sync(home).returncode == 0


def test_the_wait_grows_with_each_failure() -> None:
    waits = [retry_wait(n) for n in range(1, 14)]
    assert waits[:2] == [timedelta(0), timedelta(minutes=1)]  # the next pass, then backoff
    assert waits == sorted(waits) and waits[4] == timedelta(minutes=8)
    assert waits[-1] == timedelta(hours=12)  # never longer: never given up


def test_a_draft_whose_template_failed_is_written_once_the_template_is_fixed(
    home: Path,
) -> None:
    template = home / "templates" / "payer" / "prior_auth_chase.j2"
    template.parent.mkdir(parents=True)
    template.write_text(BROKEN)
    first = chief_sync(home)
    assert first.returncode == 3
    assert "5 draft(s) whose template failed not written" in first.stderr
    rt = runtime(home)
    try:
        rows = drafts(rt)
        assert [(d.state, d.raw, d.attempts) for d in rows] == [("failed", None, 1)] * 5
        # What it is rendered from again is kept sealed: no subject in the case log.
        assert all(d.source and "PA pended" not in json.dumps(d.source) for d in rows)
        assert all(d.source and rt.pseudonyms.unseal(d.source["sealed"]) for d in rows)

        time_passes(rt)  # still broken: tried again, one more attempt, still one line
        again = sync(rt)
        assert sum(again.failures.counts.values()) == 5 and len(again.failures.lines()) == 1
        assert {d.attempts for d in drafts(rt)} == {2}

        template.write_text(FIXED)
        time_passes(rt)
        report = sync(rt)
        assert report.drafts_written == 5 and not report.failures
        assert all(d.state == "written" and d.source is None for d in drafts(rt))
    finally:
        rt.close()
    written = [p.read_bytes() for p in drafts_folder(home)]
    assert len(written) == 5
    assert all(b"a chase." in raw and b"In-Reply-To: <pa" in raw for raw in written)


def test_a_dismissed_write_is_never_tried_again_and_leaves_the_summary(home: Path) -> None:
    break_drafts_folder(home)
    assert chief_sync(home).returncode == 3
    env = {**os.environ, "CHIEF_CONFIG": str(home / "chief.toml")}
    listed = subprocess.run(
        ["chief", "effects", "list", "--json"], env=env, capture_output=True, text=True, check=True
    )
    idents = [line.split('"id": "')[1].split('"')[0] for line in listed.stdout.splitlines()]
    assert len(idents) == 5
    done = subprocess.run(
        ["chief", "effects", "dismiss", idents[0]], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0 and "will not be tried again" in done.stdout
    unknown = subprocess.run(
        ["chief", "effects", "dismiss", "zz"], env=env, capture_output=True, text=True
    )
    assert unknown.returncode == 1 and "no failed write" in unknown.stderr
    mend_drafts_folder(home)
    rt = runtime(home)
    try:
        time_passes(rt)
        report = sync(rt)
        assert report.drafts_written == 4
        states = sorted(d.state for d in drafts(rt))
        assert states == ["dismissed"] + ["written"] * 4
        assert "could not be written" not in summary_text(rt)
        with rt.sessions() as session:
            actions = session.scalars(select(AuditEvent.action)).all()
        assert actions.count("effect.dismiss") == 1
    finally:
        rt.close()
    shutil.rmtree(home / "Maildir" / ".Drafts")


def test_a_forgotten_case_drops_its_failed_drafts_and_what_they_were_rendered_from(
    home: Path,
) -> None:
    """An erasure request wins over a retry: the failed draft of a forgotten case keeps its
    key only, and is never written, even once its template is fixed."""
    from bot.features.retention import forget_case

    template = home / "templates" / "payer" / "prior_auth_chase.j2"
    template.parent.mkdir(parents=True)
    template.write_text(BROKEN)
    rt = runtime(home)
    try:
        sync(rt)
        victim = drafts(rt)[0]
        assert victim.case_id is not None and victim.source is not None
        forget_case(rt, str(victim.case_id))
        template.write_text(FIXED)
        time_passes(rt)
        report = sync(rt)
        assert report.drafts_written == 4
        forgotten = next(d for d in drafts(rt) if d.key == victim.key)
        assert (forgotten.state, forgotten.source, forgotten.raw) == ("forgotten", None, None)
    finally:
        rt.close()
    assert len(drafts_folder(home)) == 4


def test_calendar_entries_a_broken_file_refused_are_written_once_it_is_mended(
    home: Path,
) -> None:
    """A calendar file chief cannot parse is never overwritten: its entries wait, counted once
    as one line, and are written by the pass after the file is mended."""
    rules = home / "rules" / "test.yaml"
    rules.write_text(
        rules.read_text().replace(
            "      - draft:", "      - deadline: {clock: prior_auth.chase_pended}\n      - draft:"
        )
    )
    calendar = home / "calendar.ics"
    calendar.write_text("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\n")  # never closed
    first = chief_sync(home)
    assert first.returncode == 3, first.stderr
    lines = [line for line in first.stderr.splitlines() if "not written" in line]
    assert len(lines) == 1 and lines[0].strip().startswith("5 calendar entr(ies) not written")
    calendar.unlink()
    rt = runtime(home)
    try:
        report = sync(rt)
        assert report.calendar_written == 5 and not report.failures
    finally:
        rt.close()
    assert calendar.read_bytes().count(b"BEGIN:VEVENT") == 5
