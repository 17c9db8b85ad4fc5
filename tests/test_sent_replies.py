"""Open items close themselves: a case's deciding status closes what it makes moot, a reply
the practitioner sent closes the deadline it answers (and marks chief's draft sent), and
``chief deadlines done ID`` closes one by hand; each keeps why and when, visibly.

Real Maildir, .ics and SQLite case log; the practitioner's reply is filed in the Maildir's
``.Sent`` folder the way a mail client files it. The same reply on IMAP, Gmail and Outlook:
tests/test_sent_replies_servers.py.
"""

from __future__ import annotations

import json
import mailbox
import subprocess
from collections.abc import Callable
from pathlib import Path

from icalendar import Calendar
from sqlalchemy import select

from bot.config import load_config
from bot.jobs.catalogue import sync
from bot.keys import marked_message_id
from bot.resources import shipped_examples
from bot.store.models import Deadline, Draft, Mailbox
from bot.summary.case_detail import case_detail, format_case_detail
from bot.sync.runtime import Runtime
from bot.sync.steps import SyncReport
from tests.conftest import deliver, make_message

SAMPLES = shipped_examples() / "mailbox" / "new"
REFERRAL = "0028-ortho-referral-acl"  # referral.acknowledge: 2 business days, a reply draft
REFERRAL_ID = "<20260915002000.00c9c40c25551f5f@inland-ortho.example>"


def reply(
    to: str = "mfeverel@inland-ortho.example",
    in_reply_to: str | None = REFERRAL_ID,
    body: str = "Thank you, I will see him next week.",
    day: str = "Tue, 15 Sep 2026 09:30:00 -0400",
) -> bytes:
    """The practitioner's reply as her mail client files it in Sent."""
    thread = f"In-Reply-To: {in_reply_to}\nReferences: {in_reply_to}\n" if in_reply_to else ""
    return (
        "From: Dr Test <dr@practice.example>\n"
        f"To: {to}\n"
        "Subject: Re: Referral\n"
        f"Date: {day}\n"
        "Message-ID: <sent-1@practice.example>\n"
        f"{thread}\n{body}\n"
    ).encode()


def put_sent(home: Path, raw: bytes) -> None:
    tree = mailbox.Maildir(home / "Maildir", create=True)
    if "Sent" not in tree.list_folders():
        tree.add_folder("Sent")
    tree.get_folder("Sent").add(mailbox.MaildirMessage(raw))


def run(home: Path) -> tuple[Runtime, SyncReport]:
    rt = Runtime.from_config(load_config(home / "chief.toml"))
    return rt, sync(rt)


def deadlines(rt: Runtime) -> list[tuple[str, bool, str | None]]:
    with rt.sessions() as session:
        rows = session.scalars(select(Deadline).order_by(Deadline.id)).all()
        return [(d.clock, d.done, d.closed_reason) for d in rows]


def test_a_reply_in_the_thread_closes_the_acknowledgement(
    practice_dir: Callable[..., Path],
) -> None:
    home = practice_dir()
    deliver(home, REFERRAL, (SAMPLES / REFERRAL).read_bytes())
    rt, _ = run(home)
    assert deadlines(rt) == [("referral.acknowledge", False, None)]
    put_sent(home, reply())
    rt, report = run(home)
    assert deadlines(rt) == [("referral.acknowledge", True, "reply sent on 15 Sep 2026")]
    assert (report.replies_seen, report.deadlines_closed) == (1, 1)
    with rt.sessions() as session:
        (case_id,) = session.scalars(select(Deadline.case_id)).all()
    shown = format_case_detail(case_detail(rt, str(case_id)))
    assert "closed: reply sent on 15 Sep 2026" in shown
    with rt.sessions() as session:
        states = {d.template: d.state for d in session.scalars(select(Draft))}
    assert states == {"referral/referral_ack.j2": "sent", "referral/outcome_letter.j2": "written"}
    calendar = Calendar.from_ical((home / "calendar.ics").read_bytes())
    summaries = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
    assert any(s.startswith("Closed: ") for s in summaries), summaries
    assert not any(s.startswith("Due: ") for s in summaries)
    # Read again (a lost cursor): nothing changes.
    with rt.sessions.begin() as session:
        for box in session.scalars(select(Mailbox)):
            box.sent_cursor = None
    rt, report = run(home)
    assert report.deadlines_closed == 0
    assert deadlines(rt) == [("referral.acknowledge", True, "reply sent on 15 Sep 2026")]


def sent_draft(rt: Runtime, template: str, **fields: str | None) -> bytes:
    """chief's draft for ``template`` as a client that keeps the draft's Message-ID sends it."""
    with rt.sessions() as session:
        (key,) = session.scalars(select(Draft.key).where(Draft.template == template)).all()
    raw = reply(**fields).decode()
    return raw.replace(
        "<sent-1@practice.example>", marked_message_id(key, "practice.example")
    ).encode()


def test_the_draft_sent_is_found_by_its_marker_before_rule_order(
    practice_dir: Callable[..., Path],
) -> None:
    """Two reply drafts answer the referral; she sends the second (the outcome letter), which
    rule order alone would have taken for the acknowledgement."""
    home = practice_dir()
    deliver(home, REFERRAL, (SAMPLES / REFERRAL).read_bytes())
    rt, _ = run(home)
    put_sent(home, sent_draft(rt, "referral/outcome_letter.j2"))
    rt, report = run(home)
    with rt.sessions() as session:
        states = {d.template: d.state for d in session.scalars(select(Draft))}
    assert states == {"referral/referral_ack.j2": "written", "referral/outcome_letter.j2": "sent"}
    assert report.replies_seen == 1


def test_a_marked_draft_sent_outside_the_thread_still_answers_its_case(
    practice_dir: Callable[..., Path],
) -> None:
    """No In-Reply-To, an address outside the party directory, no reference quoted: only the
    marker ties the sent message to chief's draft and its case."""
    home = practice_dir()
    deliver(home, REFERRAL, (SAMPLES / REFERRAL).read_bytes())
    rt, _ = run(home)
    raw = sent_draft(
        rt, "referral/referral_ack.j2", to="someone@elsewhere.example", in_reply_to=None
    )
    put_sent(home, raw)
    rt, report = run(home)
    assert deadlines(rt) == [("referral.acknowledge", True, "reply sent on 15 Sep 2026")]
    with rt.sessions() as session:
        states = {d.template: d.state for d in session.scalars(select(Draft))}
    assert states == {"referral/referral_ack.j2": "sent", "referral/outcome_letter.j2": "written"}


def test_a_reply_to_the_party_quoting_the_reference_closes_it(
    practice_dir: Callable[..., Path],
) -> None:
    home = practice_dir()
    deliver(home, REFERRAL, (SAMPLES / REFERRAL).read_bytes())
    put_sent(home, reply(in_reply_to=None, body="About your referral IOA-RF-40913: booked."))
    rt, _ = run(home)
    assert deadlines(rt) == [("referral.acknowledge", True, "reply sent on 15 Sep 2026")]


def test_an_unrelated_reply_closes_nothing(practice_dir: Callable[..., Path]) -> None:
    home = practice_dir()
    deliver(home, REFERRAL, (SAMPLES / REFERRAL).read_bytes())
    put_sent(home, reply(in_reply_to=None, body="See you at the game on Saturday."))
    put_sent(home, reply(to="friend@elsewhere.example", in_reply_to="<other@elsewhere.example>"))
    rt, report = run(home)
    assert deadlines(rt) == [("referral.acknowledge", False, None)]
    assert report.replies_seen == 0


def test_a_reply_sent_before_the_ask_does_not_answer_it(
    practice_dir: Callable[..., Path],
) -> None:
    home = practice_dir()
    deliver(home, REFERRAL, (SAMPLES / REFERRAL).read_bytes())
    put_sent(home, reply(day="Mon, 31 Aug 2026 09:30:00 -0400"))
    rt, _ = run(home)
    assert deadlines(rt) == [("referral.acknowledge", False, None)]


PA = "Plan PA Desk <pa@plan.example>"
PARTIES = "kind: payer\nparties:\n  - name: Example Plan\n    domains: [plan.example]\n"


def test_a_deciding_status_closes_what_it_makes_moot(practice_dir: Callable[..., Path]) -> None:
    """A pended prior auth's chase closes when it is approved; a claim's status chase when it
    is paid; a claim's appeal window when the appeal is decided, while the next level's
    window (planned by the decision) stays open."""
    home = practice_dir({"parties/payer.yaml": PARTIES})
    deliver(home, "pended", make_message(
        "<p1@plan.example>", "Prior authorization pended - Reference: PA-123456",
        "Member ID: X1. Additional clinical information is needed.", PA))  # fmt: skip
    deliver(home, "ack", make_message(
        "<c1@plan.example>", "Claim received - Claim number: CLM-555001",
        "Your claim has been received and accepted for processing.", PA))  # fmt: skip
    rt, _ = run(home)
    assert [c for c, done, _ in deadlines(rt) if not done] == [
        "prior_auth.chase_pended",
        "claim.chase",
    ]
    deliver(home, "approved", make_message(
        "<p2@plan.example>", "Prior authorization approved - Reference: PA-123456",
        "Member ID: X1. The request is approved.", PA))  # fmt: skip
    deliver(home, "paid", make_message(
        "<c2@plan.example>", "Claim payment issued - Claim number: CLM-555001",
        "Total paid: $120.00. Payment date: 11/20/2026.", PA))  # fmt: skip
    rt, report = run(home)
    states = deadlines(rt)
    assert all(done for _, done, _ in states), states
    reasons = sorted(reason or "" for _, _, reason in states)
    assert reasons[0].startswith("approved on ") and reasons[1].startswith("paid on ")
    assert report.deadlines_closed == 2


def test_an_upheld_medicare_appeal_closes_its_window_and_opens_the_next(
    practice_dir: Callable[..., Path],
) -> None:
    home = practice_dir()
    deliver(home, "denied", (SAMPLES / "0047-noridian-claim-co50").read_bytes())
    rt, _ = run(home)
    assert deadlines(rt) == [("appeal.medicare_redetermination", False, None)]
    deliver(home, "upheld", make_message(
        "<r1@noridian.com>", "Redetermination decision - Claim number: CLM-61204958",
        "Medicare redetermination: the decision is unfavorable; the denial is affirmed.",
        "Noridian JE Part B <jeb-notices@noridian.com>"))  # fmt: skip
    rt, _ = run(home)
    states = deadlines(rt)
    assert states[0][0] == "appeal.medicare_redetermination" and states[0][1]
    assert states[0][2] == "appeal denied on 2 Nov 2026"
    assert states[1] == ("appeal.medicare_reconsideration", False, None)


def test_chief_deadlines_done_closes_one_by_hand(
    practice_dir: Callable[..., Path], chief_exe: str
) -> None:
    home = practice_dir()
    deliver(home, REFERRAL, (SAMPLES / REFERRAL).read_bytes())
    run(home)
    env_config = ["--config", str(home / "chief.toml")]
    listed = subprocess.run(
        [chief_exe, *env_config, "deadlines", "--json", "--within", "3650"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    (item,) = [json.loads(line) for line in listed.stdout.splitlines()]
    done = subprocess.run(
        [chief_exe, *env_config, "deadlines", "done", str(item["id"]), "--json"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    closed = json.loads(done.stdout)
    assert closed["id"] == item["id"]
    assert closed["closed_reason"].startswith("done by hand on ")
    listed = subprocess.run(
        [chief_exe, *env_config, "deadlines", "--json", "--within", "3650"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    assert listed.stdout == ""
    missing = subprocess.run(
        [chief_exe, *env_config, "deadlines", "done", "99999"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert missing.returncode != 0 and "no deadline #99999" in missing.stderr
    assert "Traceback" not in missing.stderr
