"""Referrals the practitioner sends: opened from her sent mail, closed by the allied
practitioner's reply with its outcome, chased when nothing comes back.

Real Maildir (her letter filed in ``.Sent`` as a mail client files it), .ics and SQLite.
"""

from __future__ import annotations

import email
import email.policy
import json
import mailbox
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import load_config
from bot.features.outbound_referrals import asks_to_see, modality_of
from bot.jobs.catalogue import sync
from bot.mail.message import Message
from bot.store.models import Case, Draft
from bot.store.note_models import OutboundReferral
from bot.sync.runtime import Runtime
from tests.conftest import deliver

ACUPUNCTURE = "clinic@willow-acupuncture.example"
REFERRAL_ID = "<out-1@practice.example>"
TOML = '[referrals]\nmodalities = ["acupuncture", "nutrition"]\noutbound_chase_days = 21\n'


def letter(to: str = ACUPUNCTURE, mid: str = REFERRAL_ID, body: str | None = None) -> bytes:
    body = body or (
        "Dear Ms Lin,\n\nI am referring the patient below for acupuncture for chronic neck "
        "pain.\n\nRe: Maria Example, date of birth 04/05/1980\n\nWith thanks,\nDr Test\n"
    )
    return (
        f"From: Dr Test <dr@practice.example>\nTo: {to}\nSubject: Referral: neck pain\n"
        f"Date: Tue, 15 Sep 2026 09:30:00 -0400\nMessage-ID: {mid}\n\n{body}"
    ).encode()


def answer(body: str, day: str = "Thu, 1 Oct 2026 10:00:00 -0400") -> bytes:
    return (
        f"From: Amy Lin <{ACUPUNCTURE}>\nTo: dr@practice.example\nSubject: Re: Referral\n"
        f"Date: {day}\nMessage-ID: <reply-1@willow-acupuncture.example>\n"
        f"In-Reply-To: {REFERRAL_ID}\nReferences: {REFERRAL_ID}\n\n{body}\n"
    ).encode()


def put_sent(home: Path, raw: bytes) -> None:
    tree = mailbox.Maildir(home / "Maildir", create=True)
    if "Sent" not in tree.list_folders():
        tree.add_folder("Sent")
    tree.get_folder("Sent").add(mailbox.MaildirMessage(raw))


def run(home: Path, today: date | None = None) -> Runtime:
    rt = Runtime.from_config(load_config(home / "chief.toml"), today=today)
    report = sync(rt)
    assert report.errors == []
    return rt


def referrals(rt: Runtime) -> list[tuple[str | None, date | None, str | None, str | None]]:
    with rt.sessions() as session:
        rows = session.scalars(select(OutboundReferral).order_by(OutboundReferral.id)).all()
        return [(r.modality, r.closed_on, r.outcome, r.chase_key and "chased") for r in rows]


def _message(subject: str, text: str) -> Message:
    return Message(
        provider_id="1",
        message_id=None,
        in_reply_to=None,
        references=(),
        from_addr="a@b.c",
        from_name="",
        reply_to=None,
        to=("x@y.z",),
        cc=(),
        subject=subject,
        date=None,
        text=text,
    )


def test_what_counts_as_a_referral_out() -> None:
    assert asks_to_see(_message("Referral", "Would you be able to see him?\nRe: John Doe"))
    assert not asks_to_see(_message("Re: referral", "Thank you for your referral.\nRe: John"))
    assert not asks_to_see(_message("Lunch", "Would you be able to see me Friday?"))
    assert modality_of(["acupuncture", "nutrition"], "willow-acupuncture.example", "", "") == (
        "acupuncture"
    )
    assert modality_of(["acupuncture", "nutrition"], "x.example", "", "a nutritional plan") == (
        "nutrition"
    )


@pytest.fixture
def home(practice_dir: Callable[..., Path]) -> Path:
    return practice_dir(extra_toml=TOML)


def test_a_referral_sent_opens_and_the_reply_closes_it_with_its_outcome(home: Path) -> None:
    put_sent(home, letter())
    rt = run(home, date(2026, 9, 20))
    assert referrals(rt) == [("acupuncture", None, None, None)]
    with rt.sessions() as session:
        case = session.scalars(select(Case)).one()
        assert (case.kind, case.status) == ("referral", "referred out")
    deliver(
        home,
        "reply",
        answer(
            "Thank you. I saw Maria; my assessment and treatment plan "
            "are below: six weekly sessions."
        ),
    )
    rt = run(home, date(2026, 10, 2))
    assert referrals(rt) == [("acupuncture", date(2026, 10, 1), "report", None)]
    rt = run(home, date(2026, 11, 30))  # long after: closed, so never chased
    assert referrals(rt)[0][3] is None


def test_an_unanswered_referral_is_chased_once_after_the_configured_days(home: Path) -> None:
    put_sent(home, letter())
    rt = run(home, date(2026, 10, 5))  # 20 days
    assert referrals(rt)[0][3] is None
    rt = run(home, date(2026, 10, 6))  # 21 days
    assert referrals(rt)[0][3] == "chased"
    run(home, date(2026, 10, 20))
    drafts = sorted((home / "Maildir" / ".Drafts" / "cur").iterdir())
    assert len(drafts) == 1
    chase = email.message_from_bytes(drafts[0].read_bytes(), policy=email.policy.default)
    assert chase["To"] == ACUPUNCTURE
    assert chase["In-Reply-To"] == REFERRAL_ID
    assert "September 15, 2026" in str(chase["Subject"])  # a US practice
    with rt.sessions() as session:
        assert session.scalars(select(Draft.template)).all() == ["referral/outbound_chase.j2"]


def test_a_thank_you_for_a_referral_received_opens_nothing(home: Path) -> None:
    put_sent(home, letter(body="Thank you for your referral of John Doe; I will see him.\n"))
    rt = run(home)
    assert referrals(rt) == []


def test_a_reply_already_logged_closes_the_referral_read_after_it(home: Path) -> None:
    # one pass reads the inbox before the sent mail: the reply is logged first
    put_sent(home, letter())
    deliver(home, "reply", answer("We have discharged Maria after six sessions."))
    rt = run(home, date(2026, 10, 2))
    ((modality, closed, outcome, _),) = referrals(rt)
    assert (modality, closed) == ("acupuncture", date(2026, 10, 1))
    assert outcome == "report"  # filed by the rules as a referral update


def test_the_network_shows_both_ways_outcomes_and_gaps(
    practice_dir: Callable[..., Path], chief_exe: str
) -> None:
    home = practice_dir(extra_toml=TOML.replace('"nutrition"]', '"nutrition", "osteopathy"]'))
    put_sent(home, letter())
    nutrition = letter(
        to="desk@greenleaf-nutrition.example",
        mid="<out-2@practice.example>",
        body="Would you be able to see this patient for a nutrition review?\n"
        "Patient: Lee Example, DOB 01/02/1975\n",
    )
    put_sent(home, nutrition)
    run(home, date(2026, 9, 20))
    deliver(home, "reply", answer("My assessment: six sessions advised."))
    rt = run(home, date(2026, 10, 2))
    with rt.sessions() as session:
        case_id = session.scalars(
            select(OutboundReferral.case_id).where(OutboundReferral.message_id == REFERRAL_ID)
        ).one()
    from bot.store.case_ids import short_case_id

    (home / "notes").mkdir()
    (home / "notes" / "outcome.md").write_text(
        f"# Notes: {short_case_id(case_id)}\nOutcome: neck pain halved after six sessions\n"
    )
    run(home, date(2026, 10, 3))
    out = subprocess.run(
        [
            chief_exe,
            "--config",
            str(home / "chief.toml"),
            "network",
            "--json",
            "--today",
            "2026-10-03",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = json.loads(out)
    by_modality = {p["modality"]: p for p in found["practitioners"]}
    acupuncture = by_modality["acupuncture"]
    assert acupuncture["referrals_out"] == 1 and acupuncture["open"] == 0
    assert acupuncture["median_days_to_first_report"] == 16
    assert acupuncture["outcome_notes"] == ["neck pain halved after six sessions"]
    assert by_modality["nutrition"]["open"] == 1
    assert found["gaps"] == ["osteopathy"]
    text = subprocess.run(
        [chief_exe, "--config", str(home / "chief.toml"), "network", "--today", "2026-10-03"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "GAP osteopathy" in text and "outcome: neck pain halved" in text


def test_the_summary_has_one_line_for_a_week_that_changed_the_network(home: Path) -> None:
    from bot.summary.job import summary_text

    put_sent(home, letter())
    rt = run(home, date(2026, 9, 18))
    assert "Referrals out this week: 1 sent, 0 answered; 1 still open" in summary_text(rt)
    rt = run(home, date(2026, 9, 30))  # a quiet week: no line
    assert "Referrals out this week" not in summary_text(rt)
