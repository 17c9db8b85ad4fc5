"""Time limits a notice states (bot.rules.stated_windows) and the regime it belongs to
(bot.rules.jurisdiction): each phrase read for its purpose, length, unit and start, in the
wordings payers, councils and firms use; and the payer type chosen from the party directory,
then the notice's words."""

from __future__ import annotations

from datetime import date

import pytest

from bot.clocks.deadlines import stated_due
from bot.rules.jurisdiction import notice_country, payer_type
from bot.rules.parties import Party
from bot.rules.stated_windows import Stated, find_stated, mentions, notice_date

SENT = date(2026, 11, 2)


def one(text: str) -> Stated:
    (found,) = find_stated(text, SENT)
    return found


@pytest.mark.parametrize(
    ("text", "purpose", "amount", "unit", "start"),
    [
        (
            "You must ask for a reconsideration within 65 calendar days of the date of this "
            "notice.",
            "appeal", 65, "calendar_days", "notice",
        ),
        (
            "You have the right to appeal. You must ask within sixty (60) calendar days from "
            "the date on this letter.",
            "appeal", 60, "calendar_days", "notice",
        ),
        (
            "The requesting physician may discuss this decision with the reviewer within 14 "
            "calendar days of this notice.",
            "peer_to_peer", 14, "calendar_days", "notice",
        ),
        (
            "To request a peer-to-peer review, call us within five business days of the "
            "determination.",
            "peer_to_peer", 5, "business_days", "notice",
        ),
        (
            "You have 120 days from the date you get this notice to ask for a redetermination.",
            "appeal", 120, "calendar_days", "receipt",
        ),
        (
            "Please provide copies of the records within 30 days.",
            "reply", 30, "calendar_days", "message",
        ),
        (
            "Claims must be filed within one hundred and eighty days of the date of service.",
            "reply", 180, "calendar_days", "service",
        ),
        (
            "A decision will be made within 14 days of receipt of the request.",
            "decision", 14, "calendar_days", "receipt",
        ),
        (
            "Please send your comments within one month of this letter.",
            "reply", 1, "months", "notice",
        ),
    ],
)  # fmt: skip
def test_windows_are_read_with_purpose_unit_and_start(
    text: str, purpose: str, amount: int, unit: str, start: str
) -> None:
    found = one(text)
    assert (found.purpose, found.amount, found.unit, found.start) == (
        purpose,
        amount,
        unit,
        start,
    )


def test_two_windows_in_one_sentence_keep_their_own_purposes() -> None:
    text = (
        "A peer-to-peer may be requested within 5 business days of the determination; an "
        "appeal within 180 days of receipt of this notice."
    )
    p2p, appeal = find_stated(text, SENT)
    assert (p2p.purpose, p2p.unit, p2p.start) == ("peer_to_peer", "business_days", "notice")
    assert (appeal.purpose, appeal.amount, appeal.start) == ("appeal", 180, "receipt")


def test_beginning_with_counts_the_start_day() -> None:
    found = one("at least 15 days, beginning with the day on which the draft plan was served")
    assert found.includes_start and found.start == "notice"
    assert stated_due(found, date(2026, 11, 16), date(2026, 11, 16)) == date(2026, 11, 30)


def test_a_stated_presumption_of_receipt_is_used() -> None:
    text = (
        "Request a redetermination within 120 days of the date you receive the initial "
        "determination (notices are presumed received 5 days after their date)."
    )
    found = one(text)
    assert found.presumed_days == 5
    assert stated_due(found, date(2026, 9, 25), date(2026, 9, 25)) == date(2027, 1, 28)


def test_receipt_without_a_stated_presumption_takes_the_regimes() -> None:
    found = one("Redetermination requests must be received within 120 days of receipt.")
    assert stated_due(found, date(2026, 10, 8), date(2026, 10, 9), presumed_default=5) == date(
        2027, 2, 10
    )
    assert stated_due(found, date(2026, 10, 8), date(2026, 10, 9)) == date(2027, 2, 6)


@pytest.mark.parametrize(
    "text",
    [
        "without a recent trial of conservative care of at least 6 weeks",
        "The family has 15 days to comment on the draft plan.",
        "Symptoms for 3 weeks; seen within the last 2 months by physiotherapy? no.",
    ],
)
def test_descriptions_of_time_are_not_limits(text: str) -> None:
    assert [s for s in find_stated(text, SENT) if s.on is None and s.amount in (6, 15)] == []


@pytest.mark.parametrize(
    "text",
    [
        "A repeat injection within 3 months does not meet our clinical criteria.",
        "Samples must be received at the lab within 7 days of the first collection.",
        "Most requests are decided within 2 business days once all information is received.",
    ],
)
def test_limits_that_ask_the_reader_nothing_are_none(text: str) -> None:
    assert [s for s in find_stated(text, SENT) if s.purpose in ("reply", "appeal")] == []


def test_a_conditional_demand_is_a_reply_limit() -> None:
    found = one(
        "If the information is not received within 2 business days the case will be "
        "reviewed with the information on file."
    )
    assert (found.purpose, found.amount, found.unit) == ("reply", 2, "business_days")


def test_a_reply_quoting_the_thread_is_not_a_forward() -> None:
    text = (
        "We have not yet received the records.\n\n____\nFrom: Firm <a@firm.example>\n"
        "Sent: Tuesday, September 29, 2026 03:12 PM\nTo: admin@practice.example\n"
    )
    assert notice_date(text, date(2026, 11, 2), subject="Records request - chaser") is None
    assert notice_date(text, date(2026, 11, 2), subject="FW: Records request") == date(2026, 9, 29)


def test_a_purpose_in_the_previous_paragraph_does_not_carry_over() -> None:
    text = "Appeal rights are described below.\n\nPlease send the records within 30 days."
    assert one(text).purpose == "reply"


def test_a_date_keeps_its_clauses_purpose() -> None:
    (found,) = find_stated("Please send any comments by 1 December 2026.", SENT)
    assert (found.on, found.purpose) == (date(2026, 12, 1), "reply")


def test_mentions() -> None:
    assert "peer_to_peer" in mentions("Peer to peer: call the reviewer.")
    assert "peer_to_peer" not in mentions("Decision: denied. You may appeal.")


def test_a_forwarded_notice_counts_from_the_originals_date() -> None:
    text = (
        "FYI below.\n\n---------- Forwarded message ---------\n"
        "From: Noridian JE Part B <jeb-notices@noridian.com>\n"
        "Date: Thu, 8 Oct 2026 at 11:02\nSubject: Medicare remittance\n\nLine denied.\n"
    )
    assert notice_date(text, date(2026, 10, 9)) == date(2026, 10, 8)
    assert notice_date("Notice date: 10/28/2026\nDenied.", date(2026, 11, 2)) == date(2026, 10, 28)
    assert notice_date("Date of service: 10/28/2026", date(2026, 11, 2)) is None


MA = "medicare_advantage"


def payer(*types: str) -> Party:
    return Party("payer", "Plan", ("plan.example",), {"payer_type": ", ".join(types)})


@pytest.mark.parametrize(
    ("party", "text", "expected"),
    [
        (payer("commercial", "medicare_advantage"), "Your plan denied the request.", "commercial"),
        (payer("commercial", "medicare_advantage"), "Aetna Medicare Advantage (HMO)", MA),
        (payer("medicaid_managed_care", "exchange"), "Molina Marketplace plan", "exchange"),
        (payer("commercial"), "Medicaid members may ask for a fair hearing", "commercial"),
        (payer("benefit_manager"), "for the member's Humana Medicare Advantage plan", MA),
        (payer("benefit_manager"), "for the member's health plan", "benefit_manager"),
        (None, "Noridian - Jurisdiction E Part B: redetermination", "medicare_mac"),
        (None, "TRICARE East Region", "tricare"),
        (None, "We reviewed your request.", None),
    ],
)  # fmt: skip
def test_payer_type_from_directory_then_words(
    party: Party | None, text: str, expected: str | None
) -> None:
    assert payer_type(party, text) == expected


def test_notice_country() -> None:
    uk = Party("payer", "AXA Health", ("axahealth.co.uk",), {"country": "GB"})
    assert notice_country(uk, "axahealth.co.uk", "") == "GB"
    assert notice_country(None, "kent.gov.uk", "") == "GB"
    assert notice_country(None, "firm.example", "Enclosed is a HIPAA authorization.") == "US"
    assert notice_country(None, "firm.example", "Our client asks under UK GDPR.") == "GB"
    assert notice_country(None, "firm.example", "Please send the records.") is None
