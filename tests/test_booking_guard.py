"""The booking guard over a real Maildir, .ics calendar and SQLite case log: an imaging
appointment linked to an authorisation that is not approved is flagged in the summary and
gets exactly one chase draft, however often the sync runs and wherever the appointment moves."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest

from bot.config import load_config
from bot.features.appointment_links import appointments
from bot.features.booking_guard import is_imaging
from bot.jobs.catalogue import sync
from bot.summary.job import collect_summary, summary_text
from bot.sync.runtime import Runtime
from connectors.base import CalendarEntry
from tests.conftest import deliver, make_message

TODAY = date(2026, 11, 24)
CARELON = "Carelon Medical Benefits Management <noreply@carelon.com>"
UHC = "UnitedHealthcare Provider Notifications <no-reply@notifications.uhc.com>"
PATIENT = "Patient: Robin Sample   DOB: 05/14/1992"

PENDED = make_message(
    "pended@carelon",
    "Additional information needed - Reference number: CRL-2026-7740215",
    f"Reference number: CRL-2026-7740215\n{PATIENT}\nExam: 73221 (right shoulder)\n"
    "Your request is pending additional clinical information.",
    CARELON,
)
APPROVED = make_message(
    "approved@carelon",
    "Order request approved - Reference number: CRL-2026-7740999",
    f"Reference number: CRL-2026-7740999\n{PATIENT}\nExam: 73721 (left knee)\n"
    "The request has been approved.",
    CARELON,
)
DENIED = make_message(
    "denied@uhc",
    "Prior authorization determination: Denied - Reference: UHC-PA-7731920",
    "Reference: UHC-PA-7731920\nPatient: Sam Other   DOB: 07/23/1975\n"
    "Procedure: 72148 MRI lumbar spine\nDecision: DENIED. Not medically necessary.",
    UHC,
)


def write_calendar(home: Path, events: list[tuple[str, str, str, str]]) -> None:
    """(uid, local start YYYYMMDDTHHMMSS, title, notes) as the practitioner's own events."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"]
    for uid, start, title, notes in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}@test.example",
            "DTSTAMP:20261101T000000Z",
            f"DTSTART:{start}",
            f"SUMMARY:{title}",
            f"DESCRIPTION:{notes}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    (home / "calendar.ics").write_text("\r\n".join(lines) + "\r\n")


@pytest.fixture
def home(practice_dir: Callable[..., Path]) -> Path:
    return practice_dir()


def run(home: Path) -> Runtime:
    rt = Runtime.from_config(load_config(home / "chief.toml"), today=TODAY)
    sync(rt)
    return rt


def chases(home: Path) -> list[email.message.EmailMessage]:
    found = []
    for path in (home / "Maildir" / ".Drafts" / "cur").iterdir():
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if "service booked" in str(msg["Subject"]):
            found.append(msg)
    return found


def summary(rt: Runtime) -> str:
    return summary_text(rt).replace("\r\n", "\n")


def section(text: str, heading: str) -> str:
    start = text.index(heading)
    return text[start : text.index("\n\n", start)]


def test_booked_imaging_before_approval_is_flagged_with_one_chase(home: Path) -> None:
    deliver(home, "pended", PENDED)
    write_calendar(
        home,
        [("mri", "20261127T090000", "MRI right shoulder", "Carelon ref CRL-2026-7740215")],
    )
    rt = run(home)
    run(home)
    (chase,) = chases(home)
    assert chase["To"] is None  # Carelon writes from noreply@: the draft says why, no To
    assert "reads no replies" in chase.get_body(preferencelist=("plain",)).get_content()
    assert chase["In-Reply-To"] == "<pended@carelon>"
    assert chase["Subject"] == (
        "Re: Prior authorization CRL-2026-7740215: service booked for November 27, 2026"
    )
    body = chase.get_body(preferencelist=("plain",)).get_content()
    assert "DRAFT FOR REVIEW" in body and "CRL-2026-7740215" in body
    assert "Robin" not in body

    text = summary(rt)
    flagged = " ".join(section(text, "TO DECIDE").split())
    assert (
        "- Imaging Fri, Nov 27, 9:00 AM is booked before Carelon Medical Benefits Management"
        " authorised it (pended): keep, chase or move it" in flagged
    )
    assert "CRL-2026-7740215 · case " in flagged
    assert "chase draft in your Drafts folder" in flagged

    # The appointment moves (same event): still the one chase.
    write_calendar(
        home,
        [("mri", "20261201T140000", "MRI right shoulder", "Carelon ref CRL-2026-7740215")],
    )
    run(home)
    assert len(chases(home)) == 1
    (flag,) = collect_summary(rt).booking_flags
    assert flag.start == datetime(2026, 12, 1, 14, 0, tzinfo=rt.tz)


def test_approved_or_unlinked_or_not_imaging_is_not_flagged(home: Path) -> None:
    deliver(home, "pended", PENDED)
    deliver(home, "approved", APPROVED)
    write_calendar(
        home,
        [
            ("knee", "20261126T090000", "MRI left knee", "Carelon CRL-2026-7740999"),
            ("consult", "20261126T110000", "Shoulder consult", "Carelon CRL-2026-7740215"),
            ("other", "20261126T150000", "MRI lumbar spine", "no reference written"),
            ("past", "20261120T090000", "MRI right shoulder", "CRL-2026-7740215"),
            ("later", "20261230T090000", "MRI right shoulder", "CRL-2026-7740215"),
        ],
    )
    rt = run(home)
    assert chases(home) == []
    assert collect_summary(rt).booking_flags == []
    assert "TO DECIDE (0)\nNothing." in summary(rt)


def test_a_denied_authorisation_is_flagged_without_a_chase(home: Path) -> None:
    deliver(home, "denied", DENIED)
    write_calendar(
        home, [("spine", "20261125T080000", "Lumbar spine MRI (72148)", "case UHC-PA-7731920")]
    )
    rt = run(home)
    assert chases(home) == []
    (flag,) = collect_summary(rt).booking_flags
    assert (flag.status, flag.chase) == ("denied", "none")
    flagged = " ".join(section(summary(rt), "TO DECIDE").split())
    assert "authorised it (denied)" in flagged and "denied: appeal or rebook" in flagged


def test_linked_by_case_number_and_by_patient(home: Path) -> None:
    deliver(home, "pended", PENDED)
    rt = run(home)
    case_id = collect_summary(rt).cases_needing_action[0].case_id
    write_calendar(
        home,
        [
            ("tag", "20261125T090000", "Ultrasound shoulder", f"see case {case_id}"),
            ("patient", "20261126T090000", "MRI", "Patient: Robin Sample DOB: 05/14/1992"),
        ],
    )
    run(home)
    flags = collect_summary(rt).booking_flags
    assert [(f.linked_by, f.case_id) for f in flags] == [("case", case_id), ("patient", case_id)]
    assert len(chases(home)) == 2  # one per appointment
    # An approved authorisation for the same patient (another plan's case) covers a booking
    # linked by patient only.
    deliver(
        home,
        "aetna",
        make_message(
            "approved@aetna",
            "Precertification approved - Authorization #: PA-2026-0412345",
            f"Authorization #: PA-2026-0412345\n{PATIENT}\nService: 73221. Status: approved.",
            "Aetna Provider Services <precert-noreply@aetna.com>",
        ),
    )
    run(home)
    assert [f.linked_by for f in collect_summary(rt).booking_flags] == ["case"]


def test_imaging_words_and_own_entries() -> None:
    for title in ("mri L knee", "CT chest", "PET-CT", "ultrasound", "DEXA scan", "CPT 73221"):
        assert is_imaging(title), title
    for title in ("Follow-up", "Clinic day", "Contract review", "Pet insurance call", "ct"):
        assert not is_imaging(title), title
    own = CalendarEntry(
        key="k", summary="Due: MRI CRL-2026-7740215", start=TODAY, categories=("deadline",)
    )
    cancelled = CalendarEntry(
        key="c", summary="MRI", start=TODAY, extra={"uid": "c", "status": "CANCELLED"}
    )
    theirs = CalendarEntry(key="t", summary="MRI", start=TODAY, extra={"uid": "t"})
    assert [a.start for a in appointments([own, cancelled, theirs])] == [TODAY]
