"""The pipeline over a real Maildir, .ics file and SQLite case log: matching order,
exactly-once logging and effects, crash safety at every durable step."""

from __future__ import annotations

import email
import os
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlalchemy import create_engine, func, select, update
from sqlalchemy.orm import Session

from bot.config import load_config
from bot.jobs.catalogue import sync
from bot.keys import marker_of
from bot.store.models import Case, Deadline, Mailbox, MessageRow
from bot.sync.runtime import Runtime
from tests.conftest import deliver, make_message
from tests.fixtures_postgres import case_log_url
from tests.samples import sample_files

PARTIES = """\
kind: payer
parties:
  - name: Example Plan
    domains: [plan.example]
"""

RULES = """\
pack: test
extract:
  patient: 'member:\\s*([A-Za-z -]+?)\\s+dob'
  dob: 'dob:?\\s*([0-9/]+)'
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
      - deadline: {clock: prior_auth.chase_pended}
      - draft: {template: payer/prior_auth_chase.j2}
  - id: test.prior_auth.approved
    category: payer
    case_kind: prior_auth
    event: approved
    priority: 500
    match: {from_party: payer, text_any: ['approved']}
    extract: {pa_ref: 'auth(?:orization)?\\s*#\\s*:?\\s*([A-Z0-9-]{6,20})'}
    actions:
      - case: {key: pa_ref, status: approved}
  - id: test.newsletter.any
    category: research
    priority: 500
    match: {subject_any: ['zzdigest']}
"""

SENDER = "Plan PA Desk <pa@plan.example>"


@pytest.fixture
def home(practice_dir: Callable[..., Path]) -> Path:
    return practice_dir({"test.yaml": RULES, "parties/payer.yaml": PARTIES})


def run(home: Path) -> Runtime:
    rt = Runtime.from_config(load_config(home / "chief.toml"))
    sync(rt)
    return rt


def cases_of(rt: Runtime) -> dict[str, tuple[int | None, str | None]]:
    """provider id → (case id, how it was filed)."""
    with Session(rt.engine) as s:
        rows = s.execute(select(MessageRow.provider_id, MessageRow.case_id, MessageRow.match_how))
        return {pid: (case, how) for pid, case, how in rows}


def test_matching_order_thread_reference_party_opened_unfiled(home: Path) -> None:
    member = "Member: Alex Example DOB: 01/02/1990"
    deliver(
        home,
        "1",
        make_message("1@plan", "PA pended", f"{member}\nAuth #: PA-100001 pended", SENDER),
    )
    rt = run(home)
    deliver(
        home,
        "2",
        make_message(
            "2@plan",
            "Re: thanks",
            "Noted.",
            "Someone <s@else.example>",
            "In-Reply-To: <1@plan>\nReferences: <1@plan>",
        ),
    )
    deliver(
        home, "3", make_message("3@plan", "Decision", "Authorization # PA-100001 approved", SENDER)
    )
    deliver(
        home, "4", make_message("4@plan", "Update", f"{member}\nStill pended, no number.", SENDER)
    )
    deliver(
        home,
        "5",
        make_message(
            "5@plan", "Decision", "Member: Other Person DOB: 02/02/1992\napproved", SENDER
        ),
    )
    deliver(home, "6", make_message("6@plan", "zzdigest", "weekly", "news@journal.example"))
    deliver(home, "7", make_message("7@plan", "Lunch?", "Fancy lunch?", "friend@else.example"))
    run(home)
    filed = cases_of(rt)
    case = filed["1"][0]
    assert filed["1"] == (case, "opened")
    assert filed["2"] == (case, "thread")
    assert filed["3"] == (case, "reference")
    assert filed["4"] == (case, "party")
    assert filed["5"] == (None, "unfiled")  # approved never opens a case; other patient
    assert filed["6"] == (None, "unfiled")
    assert filed["7"] == (None, "unfiled")
    with Session(rt.engine) as s:
        the_case = s.get(Case, case)
        assert the_case is not None
        assert [e.event for e in the_case.events] == [
            "pended",
            "correspondence",
            "approved",
            "pended",
        ]
        assert the_case.status == "pended"  # the latest message's status
        assert the_case.patient_pseudonym and "Alex" not in the_case.patient_pseudonym


def test_every_message_logged_once_even_after_cursor_loss(home: Path) -> None:
    for n in range(30):
        deliver(
            home,
            f"m{n}",
            make_message(f"{n}@plan", "PA pended", f"Auth #: PA-2000{n:02d} pended", SENDER),
        )
    rt = run(home)
    run(home)
    with Session(rt.engine) as s, s.begin():
        s.execute(update(Mailbox).values(cursor=None))  # as after a UIDVALIDITY change
    run(home)
    with Session(rt.engine) as s:
        keys = s.scalars(select(MessageRow.provider_id)).all()
    assert sorted(keys) == sorted(f"m{n}" for n in range(30))
    drafts = list((home / "Maildir" / ".Drafts" / "cur").iterdir())
    assert len(drafts) == 30
    cal = Calendar.from_ical((home / "calendar.ics").read_bytes())
    uids = [str(e["UID"]) for e in cal.walk("VEVENT")]
    assert len(uids) == 30 == len(set(uids))


def test_bad_message_is_reported_once_and_the_run_goes_on(home: Path) -> None:
    deliver(home, "bad", b"\x00\x01 not a message at all")
    deliver(home, "good", make_message("g@plan", "PA pended", "Auth #: PA-300001 pended", SENDER))
    rt = Runtime.from_config(load_config(home / "chief.toml"))
    first = sync(rt)
    assert first.messages == 1
    assert [e for e in first.errors if e.startswith("message bad:")]
    second = sync(rt)
    assert second.messages == 0 and second.errors == []


def test_users_mail_is_never_altered(home: Path) -> None:
    for n in range(5):
        deliver(
            home,
            f"u{n}",
            make_message(f"u{n}@plan", "PA pended", f"Auth #: PA-40000{n} pended", SENDER),
        )
    inbox = home / "Maildir"
    before = {
        p.relative_to(inbox): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in inbox.glob("[cn][ue][rw]/*")
    }
    run(home)
    after = {
        p.relative_to(inbox): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in inbox.glob("[cn][ue][rw]/*")
    }
    assert after == before


def _invariants(home: Path, expected_messages: int) -> None:
    engine = create_engine(case_log_url(home))
    with Session(engine) as s:
        keys = s.scalars(select(MessageRow.key)).all()
    engine.dispose()
    assert len(keys) == expected_messages == len(set(keys))
    drafts = [
        email.message_from_bytes(p.read_bytes())
        for p in (home / "Maildir" / ".Drafts" / "cur").iterdir()
    ]
    draft_keys = Counter(marker_of(d["Message-ID"]) for d in drafts)
    assert None not in draft_keys
    assert draft_keys and max(draft_keys.values()) == 1
    cal = Calendar.from_ical((home / "calendar.ics").read_bytes())
    uids = Counter(str(e["UID"]) for e in cal.walk("VEVENT"))
    assert uids and max(uids.values()) == 1


def test_crash_at_every_durable_step_then_rerun(
    home: Path, chief_exe: str, tmp_path: Path, new_case_log: Callable[[], str | None]
) -> None:
    """Kill `chief sync` after its Nth durable step, for every N, then finish the run: each
    message logged once, each draft and calendar entry present once."""
    for n in range(6):
        deliver(
            home,
            f"c{n}",
            make_message(f"c{n}@plan", "PA pended", f"Auth #: PA-50000{n} pended", SENDER),
        )
    deliver(home, "cbad", b"\x00 broken")
    pristine = tmp_path / "pristine"
    shutil.copytree(home, pristine)
    tried = 0
    for n in range(1, 200):
        shutil.rmtree(home)
        shutil.copytree(pristine, home)
        new_case_log()
        env = {**os.environ, "CHIEF_CONFIG": str(home / "chief.toml")}
        crashed = subprocess.run(
            [chief_exe, "sync"],
            env={**env, "CHIEF_CRASH_AFTER": str(n)},
            capture_output=True,
            text=True,
        )
        if crashed.returncode == 0:
            break
        assert crashed.returncode == 77, crashed.stderr
        tried += 1
        finished = subprocess.run([chief_exe, "sync"], env=env, capture_output=True, text=True)
        assert finished.returncode == 0, finished.stderr
        _invariants(home, expected_messages=7)
        again = subprocess.run(
            [chief_exe, "sync", "--json"], env=env, capture_output=True, text=True
        )
        assert '"messages": 0' in again.stdout and '"drafts_written": 0' in again.stdout
        _invariants(home, expected_messages=7)
    print(f"crash points tried: {tried}")
    assert tried >= 10


def test_later_message_moves_the_case_deadline_instead_of_adding_one(home: Path) -> None:
    first = make_message("d1@plan", "PA pended", "Auth #: PA-600001 pended", SENDER)
    later = make_message("d2@plan", "PA pended", "Auth #: PA-600001 still pended", SENDER).replace(
        b"Mon, 02 Nov 2026 10:00:00", b"Mon, 09 Nov 2026 10:00:00"
    )
    deliver(home, "d2", later)  # read first, although it is the newer message
    deliver(home, "d1", first)
    rt = run(home)
    with Session(rt.engine) as s:
        deadlines = s.scalars(select(Deadline)).all()
    assert len(deadlines) == 1
    # 3 US business days after Monday 9 November 2026, Veterans Day (11th) skipped.
    assert deadlines[0].due.isoformat() == "2026-11-13"
    cal = Calendar.from_ical((home / "calendar.ics").read_bytes())
    starts = [e.decoded("DTSTART").isoformat() for e in cal.walk("VEVENT")]
    assert starts == ["2026-11-13"]


def test_message_without_message_id_is_logged_once_when_its_provider_id_changes(
    home: Path,
) -> None:
    raw = make_message("x@plan", "PA pended", "Auth #: PA-700001 pended", SENDER)
    raw = b"\n".join(line for line in raw.split(b"\n") if not line.startswith(b"Message-ID"))
    first = deliver(home, "noid-1", raw)
    rt = run(home)
    # As after an IMAP UIDVALIDITY reset: same message, new provider id, cursor lost.
    first.rename(first.with_name("noid-renamed"))
    with Session(rt.engine) as s, s.begin():
        s.execute(update(Mailbox).values(cursor=None))
    run(home)
    with Session(rt.engine) as s:
        assert len(s.scalars(select(MessageRow.key)).all()) == 1
    assert len(list((home / "Maildir" / ".Drafts" / "cur").iterdir())) == 1


def test_a_feature_runs_on_its_own_below_a_full_sync(
    tmp_path: Path, new_case_log: Callable[[], str | None]
) -> None:
    """A sync with just one message step: the mail is filed, that step's rows are written,
    and no other feature runs (the steps are data, not names in the pipeline)."""
    from bot.cli.demo import prepare_home
    from bot.config import load_config
    from bot.features.payments import payments_step
    from bot.store.models import CalendarEntryRow, Payment, ResearchAlert
    from bot.sync import pipeline
    from bot.sync.runtime import Runtime
    from bot.sync.steps import MessageStep, Steps

    config = prepare_home(tmp_path / "home", "sports-medicine-us")
    rt = Runtime.from_config(load_config(config))
    try:
        alone = Steps(per_message=(MessageStep("payments", payments_step),))
        report = pipeline.sync(rt, alone)
        with rt.sessions() as session:
            payments = session.scalar(select(func.count()).select_from(Payment))
            sources = set(session.scalars(select(CalendarEntryRow.source)))
            alerts = session.scalar(select(func.count()).select_from(ResearchAlert))
        assert report.messages == len(sample_files("sports-medicine-us"))
        assert payments and payments > 0  # the one step ran
        assert "deadline" in sources  # filing and planning are the pipeline's own
        assert not sources & {"credential", "protocol"}  # no reminders pass
        assert alerts == 0  # no alert step

        full = tmp_path / "full"
        new_case_log()  # the whole catalogue, on a case log of its own
        config = prepare_home(full, "sports-medicine-us")
        with Runtime.from_config(load_config(config)) as everything:
            sync(everything)
            with everything.sessions() as session:
                assert {"credential", "protocol"} <= set(
                    session.scalars(select(CalendarEntryRow.source))
                )
                assert session.scalar(select(func.count()).select_from(ResearchAlert))
    finally:
        rt.close()
        rt.engine.dispose()
