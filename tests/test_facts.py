"""The facts a message states, read for the drafts that answer it (issue 18, item 2).

Wording of the trade, not of the sample mailbox: labelled fields in several spellings, CARC
group codes, CPT / HCPCS codes beside a code word, amounts, a payer's list of what it needs
(inline and as a list), a dispensary's products and quantities, an invitation's event, a report's
time limit. And the letters that use them: no placeholder for what the message states.
"""

from __future__ import annotations

from datetime import date

import pytest

from bot.letters.drafting import Drafter
from bot.mail.mime import parse_message
from bot.rules.facts import stated_facts

PRACTITIONER = ("Dr Test", "dr@practice.example")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DOS: 03/15/2026\nCPT 97110 x4 units", date(2026, 3, 15)),
        ("Service date: 2026-03-15", date(2026, 3, 15)),
        ("Date(s) of service: March 15, 2026", date(2026, 3, 15)),
        ("> Date of service: 15 Mar 2026", date(2026, 3, 15)),
    ],
)
def test_date_of_service(text: str, expected: date) -> None:
    assert stated_facts(text)["service_date"] == expected


def test_codes_amounts_and_member() -> None:
    text = (
        "Subscriber ID: W123456789\n"
        "Line 1: 97110 GP   billed $180.00   paid $0.00\n"
        "Adjustment: PR - 204 (not covered under the patient's plan)\n"
        "Diagnosis: M54.50\n"
    )
    facts = stated_facts(text)
    assert facts["member_id"] == "W123456789"
    assert facts["procedure_code"] == "97110 GP"
    assert facts["amount_billed"] == "$180.00" and facts["amount_paid"] == "$0.00"
    assert facts["reason_code"] == "PR-204"
    assert facts["diagnosis_code"] == "M54.50"
    assert "J1100" in stated_facts("HCPCS J1100 dexamethasone")["procedure_code"]


def test_what_a_payer_needs_inline_and_as_a_list() -> None:
    inline = (
        "We are unable to decide. Please submit the physical therapy notes for the last six "
        "weeks and the operative report by fax to 555-0100 within 5 days."
    )
    assert stated_facts(inline)["required"] == [
        "the physical therapy notes for the last six weeks",
        "the operative report",
    ]
    listed = (
        "Additional information required:\n"
        "1. Progress notes documenting functional limitation\n"
        "2. Imaging report\n\n"
        "Send via the portal."
    )
    assert stated_facts(listed)["required"] == [
        "Progress notes documenting functional limitation",
        "Imaging report",
    ]


def test_products_and_quantities() -> None:
    notice = "Backordered:\n  Omega-3 1000 mg softgels, 120 count (qty 6)\n  Zinc 30 mg (qty: 2)\n"
    assert stated_facts(notice)["products"] == [
        "Omega-3 1000 mg softgels, 120 count, quantity 6",
        "Zinc 30 mg, quantity 2",
    ]
    reminder = "Item: Vitamin D3 5000 IU, 60 caps\nReorder quantity: 12\n"
    assert stated_facts(reminder)["products"] == ["Vitamin D3 5000 IU, 60 caps, quantity 12"]


def test_event_from_an_invitation_and_from_prose() -> None:
    ics = (
        "BEGIN:VCALENDAR\nBEGIN:VTIMEZONE\nDTSTART:19701025T030000\nEND:VTIMEZONE\n"
        "BEGIN:VEVENT\nSUMMARY:County cup final - medical cover\n"
        "LOCATION:Memorial Ground\\, Bristol\nDTSTART;TZID=Europe/London:20261205T143000\n"
        "END:VEVENT\nEND:VCALENDAR\n"
    )
    facts = stated_facts("Please report by 1:45pm at the main gate.", [ics])
    assert facts["event_name"] == "County cup final - medical cover"
    assert facts["venue"] == "Memorial Ground, Bristol"
    assert facts["event_date"] == date(2026, 12, 5) and facts["event_time"] == "14:30"
    assert facts["arrival_time"] == "1:45pm"
    utc = ics.replace("DTSTART;TZID=Europe/London:20261205T143000", "DTSTART:20261205T143000Z")
    assert "event_time" not in stated_facts("", [utc])  # a UTC time is not the local one
    prose = stated_facts("Could you cover our tournament on Sunday 8 November 2026?")
    assert prose["event_date"] == date(2026, 11, 8)


def test_report_time_limit_and_nothing_invented() -> None:
    assert (
        stated_facts("Please provide your report within 8 weeks of the examination.")[
            "report_within"
        ]
        == "8 weeks of the examination"
    )
    assert stated_facts("We need the report by 4 December 2026.")["report_by"] == date(2026, 12, 4)
    assert stated_facts("Thank you for your letter.") == {}


def test_a_chase_answers_the_list_instead_of_asking_for_it() -> None:
    raw = (
        b"From: UM <um@plan.example>\nTo: dr@practice.example\nSubject: Pended\n"
        b"Message-ID: <p1@plan.example>\nDate: Mon, 02 Nov 2026 10:00:00 +0000\n\n"
        b"Reference: PA-77\nPlease provide the following:\n- Office notes\n- X-ray report\n\n"
    )
    message = parse_message(raw, "p1")
    facts = stated_facts(message.text, message.calendar_parts, message.date)
    draft = Drafter([]).render_reply(
        "payer/prior_auth_chase.j2",
        message,
        {"refs": {"pa_ref": "PA-77"}, "facts": facts},
        "k1",
        PRACTITIONER,
    )
    body = draft.raw.decode()
    assert "- Office notes\r\n- X-ray report" in body
    assert "tell me exactly what is required" not in body
    assert "[" not in body.split("Dear", 1)[1].split("Kind regards")[0]  # no placeholder


def test_claim_lines_with_modifiers_and_amounts() -> None:
    text = (
        "Billed: CPT 20611 RT   $412.00\n"
        "Line 2: 97110-GP-KX  billed $50.00\n"
        "Exam: 73221 (right shoulder)\n"
        "Rendering NPI: 1234567893\n"
    )
    facts = stated_facts(text)
    assert facts["claim_lines"] == [
        {"code": "20611", "modifiers": "RT", "billed": "$412.00"},
        {"code": "97110", "modifiers": "GP-KX", "billed": "$50.00"},
        {"code": "73221", "modifiers": "", "billed": ""},
    ]
    assert facts["npi"] == "1234567893"
    assert "npi" not in stated_facts("NPI on file")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("She completed steps 1-3 of our graduated\nreturn-to-sport protocol.", "3"),
        ("He has completed step 4 without symptoms.", "4"),
        ("Completed steps 1 through 5 of the return to play progression.", "5"),
        ("She completed steps in her rehab.", None),
    ],
)
def test_return_to_sport_steps_completed(text: str, expected: str | None) -> None:
    assert stated_facts(text).get("steps_completed") == expected


def test_records_request_authority_and_report_date() -> None:
    facts = stated_facts(
        "Enclosed is a HIPAA-compliant authorization signed by our client. Please provide "
        "certified copies of all records."
    )
    assert facts["authority_enclosed"] == "yes" and facts["certified_copies"] == "yes"
    assert "authority_enclosed" not in stated_facts("Please send us a signed authority form.")
    assert stated_facts("Thank you for your report dated 19 October 2026.")["report_date"] == (
        date(2026, 10, 19)
    )
