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

KINDS = ("prior_auth", "claim", "ehcp", "medico_legal", "referral", "team", "credential")


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
    assert report["messages"] >= 150
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
    checklists = 0
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
        assert msg["Subject"].startswith("Re: ")
        assert msg["From"] and msg["Date"] and msg["Message-ID"]
        body = msg.get_body(preferencelist=("plain",)).get_content()
        # Addressed, or saying why not (a sender that reads no replies, none outside).
        assert msg["To"] or "add the recipient" in body
        assert marker_of(msg["Message-ID"])  # found again by it; nothing else marks it
        assert not [h for h in msg if h.lower().startswith("x-chief-")]
        body = msg.get_body(preferencelist=("plain",)).get_content()
        assert "DRAFT FOR REVIEW" in body
    assert checklists == 1  # the New York licence's renewal window is open on the demo's day


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
    assert "DRAFTS WAITING" in text.upper()
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


def test_summary_shows_the_four_coordination_sections(demo: dict[str, Any]) -> None:
    text, html = _summary_parts(demo)
    assert demo["first"]["today"] == "2026-11-24"

    payments = _section(text, "PAYMENT POSITIONS")
    assert "UnitedHealthcare (payer): billed $687.00, paid $186.52, outstanding $331.00" in payments
    assert "Harcourt Lyle LLP (solicitor): billed £1,850.00, paid £0.00" in payments
    assert "oldest unpaid 2 October 2026 (53 days)" in payments
    assert "Penhallow & Grieve Solicitors (solicitor): billed £1,200.00, paid £1,200.00" in payments
    assert "Total USD: billed $1,941.88, paid $715.40, outstanding $1,032.00" in payments
    assert "Total GBP: billed £5,165.00, paid £2,935.00, outstanding £2,230.00" in payments

    flagged = _section(text, "IMAGING BOOKED BEFORE AUTHORISATION")
    assert "27 November 2026 09:00: prior_auth CRL-2026-7740215" in flagged
    assert "is pended; chase draft in your Drafts folder" in flagged
    assert "EVC-2026-118842" not in flagged  # booked too, but its authorisation is approved

    quiet = _section(text, "REFERRERS GONE QUIET (no new referral for more than 60 days)")
    assert "Inland Orthopaedic Associates: last referral 14 September 2026 (71 days ago)" in quiet

    briefs = _section(text, "APPOINTMENT BRIEFS")
    assert "10:00, linked by patient" in briefs
    assert "results ready, lab_result LC-26-2948817" in briefs
    assert "27 November 2026: supplement order FS-2298410" in briefs
    assert "Last correspondence: 22 November 2026" in briefs
    assert "11:30, linked by reference UHC-PA-7731920" in briefs

    for heading in (
        "Payment positions",
        "Imaging booked before authorisation",
        "Referrers gone quiet",
        "Appointment briefs",
    ):
        assert heading in html
    assert "CRL-2026-7740215" in html and "Inland Orthopaedic Associates" in html
    calendar = (Path(demo["home"]) / "calendar.ics").read_text()
    patients = {"Marguerite", "Oyelaran"}
    assert {name for name in patients if name in calendar} == patients
    assert not any(name in text or name in html for name in patients), "patient in summary"


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


def test_overdue_list_holds_no_decided_case(demo: dict[str, Any]) -> None:
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
