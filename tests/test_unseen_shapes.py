"""Notices in shapes the sample corpora lack, read as a practitioner reads them: a meeting date
on a wrapped line, a lab's "results are final" with a four-part accession number, a patient's
own subject access request (no firm, no legal words: the same statutory month).

Each is run through ``chief classify --json`` (the shipped rules, no database).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

NOTICES = {
    "annual-review": (
        "SEN Team <senteam@westborough.gov.uk>",
        "Annual review meeting - EHCP ref WB/EHCP/3310",
        "Tue, 03 Nov 2026 09:00:00 +0000",
        "The annual review meeting for the child below will be held at Brookfield Primary"
        " School on\nThursday 10 December 2026 at 1.30pm.\n\nEHCP reference: WB/EHCP/3310\n\n"
        "Please send your written advice to the school at least two weeks before the meeting.",
    ),
    "lab-final": (
        "Labcorp Link <noreply@labcorp.com>",
        "Your patient's results are final",
        "Mon, 09 Nov 2026 06:30:00 -0500",
        "Results for accession 312-664-0921-0 are now final.\nOrdering physician: Okafor, S\n"
        "Sign in to Labcorp Link to review.",
    ),
    "own-sar": (
        "Ben Carter <ben.carter@mail.example>",
        "Subject access request",
        "Wed, 18 Nov 2026 20:00:00 +0000",
        "Hello,\n\nI would like a copy of all the personal data you hold about me, including my "
        "assessment report and session notes, under Article 15 of the UK GDPR.\n\nBen",
    ),
    "medicaid-denial": (
        "Sunshine Health UM <um@sunshine-plan.example>",
        "Adverse benefit determination - auth request 55120934",
        "Mon, 02 Nov 2026 10:00:00 -0500",
        "Sunshine Health (Florida Medicaid managed care)\n\nWe have denied the requested"
        " service 97112.\nYou have 60 days from the date on this notice to ask for a plan"
        " appeal.",
    ),
    "close-of-business": (
        "Eastvale SEND <send@eastvale.gov.uk>",
        "Phase transfer - EHCP ref EV/EHC/9001 - advice needed",
        "Tue, 10 Nov 2026 10:00:00 +0000",
        "For the phase transfer review (EHCP ref EV/EHC/9001), please send your occupational"
        " therapy advice by close of business on Friday 27 November 2026.",
    ),
    "part35-questions": (
        "Rachel Osei <r.osei@osei-law.example>",
        "Our ref RO/5521",
        "Wed, 04 Nov 2026 10:00:00 +0000",
        "We act for the Defendant. Please find below our written questions to you under CPR"
        " 35.6 arising from your report. Please answer them within 28 days of the date of"
        " this letter.\n\nOur ref: RO/5521",
    ),
    "course-announced": (
        "Events <events@regional-msk-society.example>",
        "Registration open",
        "Thu, 12 Nov 2026 09:00:00 +0000",
        "Registration is now open for the Regional Musculoskeletal Update. Sessions on"
        " tendinopathy and return to play. CME credits available.",
    ),
    "course-advert": (
        "Events <events@regional-msk-society.example>",
        "Early-bird rate ends Friday",
        "Thu, 12 Nov 2026 09:00:00 +0000",
        "Register now for the Regional Musculoskeletal Update. CME credits available.\n\n"
        "Unsubscribe | Manage preferences",
    ),
    "practitioner-order": (
        "Trade Orders <trade@nutrition-supplier.example>",
        "Order update",
        "Thu, 12 Nov 2026 09:00:00 +0000",
        "Invoice 53975 for your practitioner order is attached. Payment terms 30 days.",
    ),
}


def _classified(tmp_path: Path, chief_exe: str) -> dict[str, dict[str, object]]:
    for name, (sender, subject, date, body) in NOTICES.items():
        (tmp_path / f"{name}.eml").write_text(
            f"From: {sender}\nTo: Practice <office@practice.example>\nSubject: {subject}\n"
            f"Date: {date}\nMessage-ID: <{name}@t>\n\n{body}\n"
        )
    out = subprocess.run(
        [chief_exe, "classify", "--json", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = {}
    for line in out.splitlines():
        record = json.loads(line)
        found[Path(str(record["path"])).stem] = record
    return found


def test_unseen_shapes(tmp_path: Path, chief_exe: str) -> None:
    got = _classified(tmp_path, chief_exe)
    review = got["annual-review"]
    assert (review["event"], review["deadline"]) == ("annual_review", "2026-11-19")
    assert review["refs"] == {"ehcp_ref": "WB/EHCP/3310", "meeting_date": "10 December 2026"}
    lab = got["lab-final"]
    assert (lab["category"], lab["event"]) == ("lab", "results_ready")
    assert lab["refs"] == {"order_ref": "312-664-0921-0"}
    sar = got["own-sar"]
    assert (sar["category"], sar["event"], sar["deadline"]) == (
        "solicitor",
        "records_request",
        "2026-12-18",  # one month from receipt, UK GDPR Art. 12(3)
    )


def test_unseen_deadlines(tmp_path: Path, chief_exe: str) -> None:
    """A Medicaid plan outside the directory: 60 days from the notice (42 CFR
    438.402(c)(2)(ii)); a time of day before the stated date; questions to the expert from a
    firm outside the directory, due on the date the letter states."""
    got = _classified(tmp_path, chief_exe)
    denial = got["medicaid-denial"]
    assert (denial["category"], denial["event"], denial["deadline"]) == (
        "payer",
        "denied",
        "2027-01-01",
    )
    assert got["close-of-business"]["deadline"] == "2026-11-27"
    questions = got["part35-questions"]
    assert (questions["event"], questions["deadline"]) == ("part35_questions", "2026-12-02")


def test_course_mail_and_orders(tmp_path: Path, chief_exe: str) -> None:
    """A course announced to the practitioner is CME mail (filed, nothing to act on); the same
    course in a mass advert stays noise; a practitioner order's invoice is a supplier's."""
    got = _classified(tmp_path, chief_exe)
    assert (got["course-announced"]["category"], got["course-announced"]["event"]) == (
        "cme",
        "course_offer",
    )
    assert got["course-advert"]["category"] is None
    assert got["practitioner-order"]["category"] == "supplier"
