"""`chief demo` end to end, as the README promises: cases of every kind, drafts threaded in
the Maildir's Drafts folder, calendar entries with alarms, a summary with payment positions, a
flagged imaging booking, quiet referrers and appointment briefs; a second run adds nothing."""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from bot.keys import marker_of

# The sports-medicine practice's own kinds of case (the UK OT's EHCPs are in its own demo).
KINDS = ("prior_auth", "claim", "referral", "team", "credential", "lab_result", "cme")


def _snapshot(home: Path) -> dict[str, str]:
    """Every file under the demo's Maildir and the calendar, by content hash."""
    files = [*sorted((home / "Maildir").rglob("*")), home / "calendar.ics"]
    return {
        str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in files
        if p.is_file()
    }


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("demo") / "home"
    first = subprocess.run(
        ["chief", "demo", "--home", str(home), "--json"], capture_output=True, text=True
    )
    assert first.returncode == 0, first.stderr[-2000:]
    before = _snapshot(home)
    second = subprocess.run(
        ["chief", "demo", "--home", str(home), "--json"], capture_output=True, text=True
    )
    assert second.returncode == 0, second.stderr[-2000:]
    return {
        "home": home,
        "first": json.loads(first.stdout),
        "second": json.loads(second.stdout),
        "before": before,
        "after": _snapshot(home),
        "stderr": first.stderr + second.stderr,
    }


def test_reports_every_case_kind_and_enough_drafts(demo: dict[str, Any]) -> None:
    report = demo["first"]
    assert report["messages"] >= 80
    for kind in KINDS:
        assert report["cases"].get(kind, 0) >= 1, f"no {kind} case"
    assert report["drafts"] >= 10
    assert report["calendar_entries"] >= 10
    assert report["problems"] == [], report["problems"]


def test_drafts_are_threaded_rfc5322_messages_in_drafts_folder(demo: dict[str, Any]) -> None:
    drafts_dir = Path(demo["first"]["maildir"]) / ".Drafts" / "cur"
    files = sorted(drafts_dir.iterdir())
    assert len(files) == demo["first"]["drafts"]
    sample_ids = set()
    for sample in (Path(demo["home"]) / "Maildir" / "new").iterdir():
        mid = email.message_from_bytes(sample.read_bytes())["Message-ID"]
        if mid:
            sample_ids.add(mid.strip())
    checklists = reports = 0
    for path in files:
        assert ":2," in path.name and "D" in path.name.split(":2,")[1]
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.strict)
        if msg["In-Reply-To"] is None and msg["Subject"].startswith("Renewal checklist: "):
            # A renewal checklist answers no message: it goes to the practitioner herself.
            assert msg["To"] == msg["From"] and marker_of(msg["Message-ID"])
            assert "DRAFT FOR REVIEW" in msg.get_body(preferencelist=("plain",)).get_content()
            checklists += 1
            continue
        assert msg["In-Reply-To"] in sample_ids
        assert msg["In-Reply-To"] in msg["References"]
        body = msg.get_body(preferencelist=("plain",)).get_content()
        assert "DRAFT FOR REVIEW" in body
        assert msg["From"] and msg["Date"] and msg["Message-ID"]
        assert marker_of(msg["Message-ID"])  # found again by it; nothing else marks it
        assert not [h for h in msg if h.lower().startswith("x-chief-")]
        if "Drafted by chief from" in body:
            # A report filled from the practitioner's notes: threaded in the case's
            # conversation, its own subject, its recipient hers to choose (README, "Notes").
            reports += 1
            continue
        assert msg["Subject"].startswith("Re: ")
        # Addressed, or saying why not (a sender that reads no replies, none outside).
        assert msg["To"] or "add the recipient" in body
    assert checklists == 1  # the New York licence's renewal window is open on the demo's day
    assert reports == 2  # the clearance letter and the initial assessment, from notes/


def test_calendar_entries_have_alarms(demo: dict[str, Any]) -> None:
    cal = Calendar.from_ical(Path(demo["first"]["calendar"]).read_bytes())
    events = list(cal.walk("VEVENT"))
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids))
    ours = [e for e in events if str(e["UID"]).endswith("@practice-chief")]
    assert len(ours) == demo["first"]["calendar_entries"]
    # A deadline closed by its case's decision stays in the calendar, marked, without alarms.
    closed = [e for e in ours if str(e["SUMMARY"]).startswith("Closed: ")]
    assert closed and not any(e.walk("VALARM") for e in closed)
    assert all(e.walk("VALARM") for e in ours if e not in closed)
    assert any("demo-clinic-session" in uid for uid in uids), "the user's own event was lost"
    categories = {
        str(c) for e in ours for c in (e.get("CATEGORIES").cats if e.get("CATEGORIES") else [])
    }
    assert "deadline" in categories and "credential" in categories


def test_summary_is_multipart_to_practitioner_only(demo: dict[str, Any]) -> None:
    path = Path(demo["first"]["summary"])
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert msg.get_content_type() == "multipart/alternative"
    assert msg["To"] == msg["From"]
    assert msg["Cc"] is None and msg["Bcc"] is None
    text = msg.get_body(preferencelist=("plain",)).get_content()
    assert "DRAFTS TO SIGN" in text.upper()
    delivered = [
        p
        for p in (Path(demo["first"]["maildir"]) / "new").iterdir()
        if "X-Chief-Generated: summary" in p.read_text(errors="replace")
    ]
    assert len(delivered) == 1


def test_second_run_adds_nothing(demo: dict[str, Any]) -> None:
    first, second = demo["first"], demo["second"]
    for key in ("messages", "cases", "drafts", "calendar_entries"):
        assert second[key] == first[key], key
    assert second["new"] == {"messages": 0, "cases": 0, "drafts": 0, "calendar_entries": 0}
    assert demo["after"] == demo["before"], "the second run changed files"


def test_no_patient_data_on_stderr(demo: dict[str, Any]) -> None:
    # Fictional patient lines in the sample mailbox look like "Patient: <name>".
    assert "Patient:" not in demo["stderr"] and "DOB" not in demo["stderr"]


def _summary_parts(demo: dict[str, Any]) -> tuple[str, str]:
    msg = email.message_from_bytes(
        Path(demo["first"]["summary"]).read_bytes(), policy=email.policy.default
    )
    plain = msg.get_body(preferencelist=("plain",)).get_content()
    html = msg.get_body(preferencelist=("html",)).get_content()
    return plain.replace("\r\n", "\n"), html


def _section(text: str, heading: str) -> str:
    """A section of the text summary: its heading up to the blank line that ends it."""
    start = text.index(heading)
    return text[start : text.index("\n\n", start)]


def test_summary_shows_the_four_coordination_sections(
    demo: dict[str, Any], module_case_log: None
) -> None:
    """Each duty reaches the summary: today's part in words (a flagged booking, an
    appointment's brief), the rest counted with the command that lists it; the figures
    behind the counts are the ones `chief payments` and `chief referrers` list."""
    from bot.cli.demo import DEMO_DAY
    from bot.config import load_config
    from bot.summary.job import collect_summary
    from bot.sync.runtime import Runtime

    text, html = _summary_parts(demo)
    flat = " ".join(text.split())
    assert demo["first"]["today"] == "2026-11-24"

    assert "- Outstanding: $1,032.00 chief payments" in flat  # a US practice: dollars only
    rt = Runtime.from_config(load_config(Path(demo["home"]) / "chief.toml"), today=DEMO_DAY)
    try:
        data = collect_summary(rt)
    finally:
        rt.close()
    positions = {(p.party, p.currency): p for p in data.payment_positions}
    assert {currency for _, currency in positions} == {"USD"}
    united = positions["UnitedHealthcare", "USD"]
    assert (str(united.billed), str(united.paid), str(united.outstanding)) == (
        "$687.00",
        "$186.52",
        "$331.00",
    )

    flagged = _section(text, "TO DECIDE")
    assert "Imaging Fri, Nov 27, 9:00 AM is booked before Carelon" in " ".join(flagged.split())
    assert "(pended)" in flagged and "chase draft in your Drafts folder" in flagged
    assert "EVC-2026-118842" not in flagged  # booked too, but its authorisation is approved

    assert "Referrals: 1 referrer quiet for 60+ days" in flat and "chief referrers" in flat
    inland = next(r for r in data.quiet_referrers if r.label == "Inland Orthopaedic Associates")
    assert inland.days_quiet == 71

    calendar_part = _section(text, "TODAY'S CALENDAR")
    assert "Elbow follow-up" in calendar_part  # linked by reference UHC-PA-7731920
    assert "2 open items · 1 lab result to review" in calendar_part
    briefs = {b.start.strftime("%H:%M"): b for b in data.appointment_briefs}
    assert [i.text for i in briefs["11:30"].labs_awaiting_review] == [
        "results ready, lab_result QD-EN-5520918 (case 9, Quest Diagnostics)"
    ]

    for heading in ("To decide", "Today's calendar", "Everything else"):
        assert heading in html
    assert "CRL-2026-7740215" in html and "chief referrers" in html


def test_one_chase_per_flagged_booking(demo: dict[str, Any]) -> None:
    drafts = Path(demo["first"]["maildir"]) / ".Drafts" / "cur"
    parsed = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in drafts.iterdir()
    ]
    chases = [m for m in parsed if "service booked for" in str(m["Subject"])]
    assert len(chases) == 1
    assert chases[0]["To"] is None  # Carelon writes from noreply@: the draft says so
    body = chases[0].get_body(preferencelist=("plain",)).get_content()
    assert "Carelon" in body and "reads no replies: add the recipient" in body
    assert chases[0]["Subject"] == (
        "Re: Prior authorization CRL-2026-7740215: service booked for November 27, 2026"
    )


def test_overdue_list_holds_no_decided_case(demo: dict[str, Any], module_case_log: None) -> None:
    """An approved, authorised or paid case, or a closed one, has nothing overdue: its status
    closed what it made moot, each with why ("approved on ..."), and `chief deadlines` (the
    demo's own day) lists none of them."""
    from datetime import date

    from sqlalchemy import select

    from bot.config import load_config
    from bot.store.models import Case, Deadline
    from bot.sync.closing import DECIDING_STATUSES
    from bot.sync.runtime import Runtime

    home = demo["home"]
    rt = Runtime.from_config(load_config(home / "chief.toml"), today=date(2026, 11, 24))
    try:
        with rt.sessions() as session:
            overdue = session.execute(
                select(Deadline, Case)
                .join(Case, Case.id == Deadline.case_id)
                .where(Deadline.done.is_(False), Deadline.due < rt.today())
            ).all()
            assert overdue, "the demo should still have real overdue items"
            decided = [
                (d.clock, c.status) for d, c in overdue if c.status in DECIDING_STATUSES or c.closed
            ]
            assert decided == []
            reasons = [d.closed_reason for d in session.scalars(select(Deadline)) if d.done]
            assert any(r and r.startswith("approved on ") for r in reasons), reasons
            assert any(r and r.startswith("paid on ") for r in reasons), reasons
    finally:
        rt.close()


def test_refuses_a_practices_own_folder(tmp_path: Path) -> None:
    """A folder with a practice's own chief.toml (or another demo's): refused with the file
    named, and nothing in it read, written or added."""
    home = tmp_path / "practice"
    (home / "Maildir" / "new").mkdir(parents=True)
    own = '[practice]\nname = "Our Clinic"\npractitioner = "Dr Own"\nemail = "own@clinic.example"\n'
    (home / "chief.toml").write_text(own)
    (home / "Maildir" / "new" / "1").write_bytes(b"Subject: a patient's letter\n\nprivate\n")
    before = sorted(str(p.relative_to(home)) for p in home.rglob("*"))
    done = subprocess.run(
        ["chief", "demo", "--home", str(home), "--practice", "occupational-therapy-uk"],
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "chief.toml is not the occupational-therapy-uk demo's configuration" in done.stderr
    assert sorted(str(p.relative_to(home)) for p in home.rglob("*")) == before
    assert (home / "chief.toml").read_text() == own
