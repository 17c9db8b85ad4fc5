"""Appointment briefs over a real Maildir, .ics calendar and SQLite case log: for today's
appointments linked to a case, what is open for the patient across referrers, labs and
suppliers, without the patient's name anywhere in the summary."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import load_config
from bot.jobs.catalogue import sync
from bot.store.models import CaseRef
from bot.summary.job import collect_summary, summary_text
from bot.sync.runtime import Runtime
from tests.conftest import deliver, make_message
from tests.test_booking_guard import write_calendar

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 24)
PATIENT = "Patient: Mia Sample   DOB: 02/14/1970"


def mail(mid: str, subject: str, body: str, sender: str, when: str) -> bytes:
    raw = make_message(mid, subject, body, sender)
    return raw.replace(b"Mon, 02 Nov 2026 10:00:00 +0000", when.encode())


MAIL = {
    "referral": mail(
        "ref@cedar",
        "New patient referral",
        f"I am referring the patient below for an integrative consultation.\n{PATIENT}\n",
        "Dr Chiro <office@cedarridge-chiro.example>",
        "Thu, 05 Nov 2026 16:41:00 -0800",
    ),
    "lab": mail(
        "lab@labcorp",
        "Results ready - Accession #: LC-26-3310472",
        f"Accession #: LC-26-3310472\n{PATIENT}\nStatus: final results are ready.",
        "Labcorp Client Services <clientservices@labcorp.com>",
        "Thu, 19 Nov 2026 09:50:00 -0500",
    ),
    "other-lab": mail(
        "other@labcorp",
        "Results ready - Accession #: LC-26-9999999",
        "Accession #: LC-26-9999999\nPatient: Someone Else   DOB: 01/01/1980\n"
        "Status: final results are ready.",
        "Labcorp Client Services <clientservices@labcorp.com>",
        "Thu, 19 Nov 2026 10:50:00 -0500",
    ),
    "refill": mail(
        "refill@fullscript",
        "Protocol refill due - Order #: FS-2298410",
        f"A patient's supplement protocol is due for a refill.\nOrder #: FS-2298410\n{PATIENT}\n"
        "Please review the protocol and reorder by November 27, 2026.",
        "Fullscript <orders@fullscript.com>",
        "Sun, 22 Nov 2026 16:30:00 -0500",
    ),
}


@pytest.fixture
def rt(practice_dir: Callable[..., Path]) -> Runtime:
    rules = (ROOT / "examples" / "practice-rules" / "protocol_refills.yaml").read_text()
    home = practice_dir(rules={"protocol_refills.yaml": rules})
    for name, raw in MAIL.items():
        deliver(home, name, raw)
    runtime = Runtime.from_config(load_config(home / "chief.toml"), today=TODAY)
    sync(runtime)
    with runtime.sessions() as session:
        lab_case = session.scalar(select(CaseRef.case_id).where(CaseRef.value == "LC-26-3310472"))
    write_calendar(
        home,
        [
            ("follow", "20261124T100000", "Follow-up", "Patient: Mia Sample DOB: 02/14/1970"),
            ("tag", "20261124T113000", "Lab review", f"see case {lab_case}"),
            ("free", "20261124T150000", "Admin", "nothing linked"),
            ("tomorrow", "20261125T100000", "Follow-up", "Patient: Mia Sample DOB: 02/14/1970"),
        ],
    )
    return runtime


def test_brief_for_a_patient_linked_appointment(rt: Runtime) -> None:
    briefs = collect_summary(rt).appointment_briefs
    assert [b.linked_by.split()[0] for b in briefs] == ["patient", "case"]
    brief = briefs[0]
    assert len(brief.case_ids) == 3  # the referral, the lab result, the protocol refill
    open_items = [i.text for i in brief.open_items]
    assert any("referral: 2 business days after message date" in t for t in open_items)
    assert any(t.startswith("draft referral/referral_ack.j2 waiting in Drafts") for t in open_items)
    (lab,) = brief.labs_awaiting_review
    assert lab.when == date(2026, 11, 19) and "lab_result LC-26-3310472" in lab.text
    (refill,) = brief.reorders_due
    assert refill.when == date(2026, 11, 27) and "FS-2298410" in refill.text
    assert brief.last_correspondence == date(2026, 11, 22)
    assert brief.last_correspondence_about is not None
    assert brief.last_correspondence_about.startswith("supplement_order, case ")


def test_brief_linked_by_case_number_sees_the_patients_other_cases(rt: Runtime) -> None:
    brief = collect_summary(rt).appointment_briefs[1]
    assert len(brief.case_ids) == 3  # the lab case named, and the patient's other cases
    assert [i.when for i in brief.reorders_due] == [date(2026, 11, 27)]


def test_summary_shows_briefs_without_the_patient(rt: Runtime) -> None:
    data = collect_summary(rt)
    text = summary_text(rt).replace("\r\n", "\n")
    start = text.index("TODAY'S CALENDAR")
    section = text[start : text.index("\n\n", start)]
    items = [" ".join(item.split()) for item in section.split("\n- ")[1:]]
    # Each appointment with a brief carries its counts; the items are in `chief cases show`.
    by_time = {
        item.split("  ")[0].split(" ", 2)[0] + " " + item.split(" ")[1]: item for item in items
    }
    counted = [e for e in data.today_events if e.open_items or e.labs_to_review]
    assert len(counted) == 2 and len(data.appointment_briefs) == 2
    patient = by_time["10:00 AM"]
    assert "(cases " in patient and "1 lab result to review · 1 reorder due" in patient
    assert f"{counted[0].open_items} open item" in patient
    assert "(case " in by_time["11:30 AM"] and "open item" in by_time["11:30 AM"]
    assert "open item" not in by_time["3:00 PM"]  # linked to nothing: no brief
    assert "LC-26-9999999" not in section  # another patient's results
    assert not any(part in text for part in ("Mia", "Sample", "02/14/1970")), "patient shown"


def test_no_appointment_today_no_brief(practice_dir: Callable[..., Path]) -> None:
    home = practice_dir()
    deliver(home, "lab", MAIL["lab"])
    write_calendar(
        home,
        [("next", "20261125T100000", "Lab review", "LC-26-3310472 results")],
    )
    runtime = Runtime.from_config(load_config(home / "chief.toml"), today=TODAY)
    sync(runtime)
    assert collect_summary(runtime).appointment_briefs == []
    text = summary_text(runtime).replace("\r\n", "\n")
    assert "open item" not in text and "lab result to review" not in text
