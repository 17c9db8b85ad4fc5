"""A notice is filed by what it decided, not by what it says could happen.

Approval letters warn about later denials and denial letters promise what follows an approved
appeal; matched word for word, either files as the other (an approval taken for a denial gets
an appeal deadline and an appeal letter). The rules read the body with conditional clauses and
possibilities blanked out (bot/rules/hedges.py).
"""

from __future__ import annotations

import pytest

from bot.mail.mime import parse_message
from bot.resources import shipped_rules
from bot.rules.engine import load_rules
from bot.rules.hedges import asserted
from tests.conftest import make_message

RULES = load_rules([shipped_rules()])


def test_conditions_and_possibilities_are_blanked() -> None:
    text = asserted(
        "Good news - the request has been approved.\n"
        "If a later request is denied, you will receive a written notice.\n"
        "Claims without a referral may be denied. Unless you tell us otherwise, we will pay."
    )
    assert "approved" in text
    assert "denied" not in text
    assert "you will receive a written notice" in text and "we will pay" in text
    # The decision itself is kept, and so is a sentence that merely starts with "If"-less text.
    assert "We have denied this request" in asserted("We have denied this request.")
    assert asserted("Sift the file") == "Sift the file"  # "if" inside a word is no condition


NOTICES = {
    "approval warning of later denials": (
        "Anthem Blue Cross <no-reply@anthem.com>",
        "Authorization update for your patient",
        "Good news - the request below has been approved.\n\nAuthorization #: 241105-00934\n"
        "Service: 97110 Therapeutic exercise, 12 visits\n\nThis approval is not a guarantee "
        "of payment. If a later request is denied, you will receive a written notice.",
        "approved",
    ),
    "denial promising what follows an approved appeal": (
        "Aetna Precertification <precert@aetna.com>",
        "Prior authorization determination - case 26-551204",
        "We reviewed the request for 29881 knee arthroscopy. It is not medically necessary "
        "under our criteria and is denied.\n\nIf your appeal is approved, we will notify you "
        "and the service will be covered.",
        "denied",
    ),
    "approval whose boilerplate says claims may be rejected": (
        "Humana Clinical Intake <clinicalintake@humana.com>",
        "Prior authorization approved - reference HUM-PA-7712045",
        "The service you requested is approved for dates 11/10/2026 to 01/10/2027.\n"
        "Claims billed outside these dates may be rejected.",
        "approved",
    ),
}


@pytest.mark.parametrize("name", sorted(NOTICES))
def test_the_decision_is_what_the_notice_decided(name: str) -> None:
    sender, subject, body, event = NOTICES[name]
    message = parse_message(make_message("n1@t", subject, body, sender), "n1")
    result = RULES.classify(message, "US")
    assert (result.category, result.event) == ("payer", event), result.rule_id
