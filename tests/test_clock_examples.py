"""Every shipped clock, computed from a worked example of the primary source it encodes.

Each test's docstring quotes the regulation's own words (or, for practice policy, the clock's
own statement of it) and works an example through them by hand: the dates in the assertions
were counted on a calendar from the quoted text, not from the clock. "Beginning with" periods
count the start day as day 1; dates due *before* an event move off bank holidays to the working
day before. Tests register under the clock ids they prove (``@worked``); the completeness tests
fail when a clock has no worked example, or no rule and no register date uses it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clocks.clocks import ClockSet, with_closures
from bot.clocks.files import load_clocks
from bot.features.renewal_checklist import HCPC_PROFESSIONS
from bot.rules.parties import Party, load_parties

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "rules" / "clocks.yaml"
NEW_YORK = ZoneInfo("America/New_York")

WORKED: dict[str, Callable[..., None]] = {}


def worked(*clock_ids: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register a test as the worked example of ``clock_ids``."""

    def register(test: Callable[..., None]) -> Callable[..., None]:
        for clock_id in clock_ids:
            assert clock_id not in WORKED, f"two worked examples for {clock_id}"
            WORKED[clock_id] = test
        return test

    return register


@pytest.fixture(scope="module")
def clocks() -> ClockSet:
    return load_clocks([SHIPPED])


def payer(name: str, payer_type: str) -> Party:
    return Party("payer", name, ("payer.example",), {"country": "US", "payer_type": payer_type})


AETNA = payer("Aetna", "commercial")
HUMANA = payer("Humana", "medicare_advantage")
NORIDIAN = payer("Noridian Healthcare Solutions", "medicare_mac")
MOLINA = payer("Molina Healthcare", "medicaid_managed_care")
OSCAR = payer("Oscar Health", "exchange")
TRICARE = payer("Tricare", "tricare")
EVICORE = payer("eviCore healthcare", "benefit_manager")


def where(country: str, **attributes: str) -> Party:
    """A notice's facts for resolving a clock: the law's country and other attributes."""
    return Party("payer", "", (), {"country": country, **attributes})


# ------------------------------------------------------------------ England: EHCP


@worked("ehcp.advice")
def test_ehcp_advice(clocks: ClockSet) -> None:
    """SEN and Disability Regulations 2014 reg 8(1): a body asked for advice "must comply with
    the request within 6 weeks of the date on which it receives it".

    Received Monday 2 November 2026: due Monday 14 December 2026, also when the request
    arrives late in the evening; no such clock for a US practice."""
    assert clocks.due("ehcp.advice", date(2026, 11, 2)) == date(2026, 12, 14)
    late = datetime(2026, 11, 2, 23, 40, tzinfo=ZoneInfo("Europe/London"))
    assert clocks.due("ehcp.advice", late) == date(2026, 12, 14)
    assert not clocks["ehcp.advice"].applies_in("US")


@worked("ehcp.draft_plan_comments")
def test_ehcp_draft_plan_comments(clocks: ClockSet) -> None:
    """SEN and Disability Regulations 2014 reg 13(1)(a): the parent or young person has "at
    least 15 days, beginning with the day on which the draft plan was served"; reg 22(2)(c)
    says the same of proposed amendments.

    Day 1 is the day of service. Served Monday 16 November 2026 (sample 0162): day 15 is
    Monday 30 November, not 1 December. Served Monday 2 November: Monday 16 November. Served
    Thursday 17 December 2026: Thursday 31 December (calendar days: Christmas counts)."""
    due = "ehcp.draft_plan_comments"
    assert clocks.due(due, date(2026, 11, 16)) == date(2026, 11, 30)
    assert clocks.due(due, date(2026, 11, 2)) == date(2026, 11, 16)
    assert clocks.due(due, date(2026, 12, 17)) == date(2026, 12, 31)


@worked("ehcp.annual_review_advice")
def test_ehcp_annual_review_advice(clocks: ClockSet) -> None:
    """SEN and Disability Regulations 2014 reg 20(4): the person arranging the review meeting
    "must obtain advice and information ... and must circulate it to those persons at least
    two weeks in advance of the review meeting".

    The contributor's advice must reach the school before it is circulated: a week before the
    circulation date, on an English working day. Meeting Friday 15 January 2027 (sample 0169):
    circulation by Friday 1 January (New Year's Day), the contributor's three weeks before is
    Christmas Day, so Thursday 24 December 2026. Meeting Monday 21 June 2027: 31 May is the
    spring bank holiday, so Friday 28 May. Meeting Thursday 19 November 2026: Thursday
    29 October, a working day, stays."""
    due = "ehcp.annual_review_advice"
    assert clocks.due(due, date(2027, 1, 15)) == date(2026, 12, 24)
    assert clocks.due(due, date(2027, 6, 21)) == date(2027, 5, 28)
    assert clocks.due(due, date(2026, 11, 19)) == date(2026, 10, 29)
    # FACTS.md: "never on a bank holiday or in a school closure". A school shut from Saturday
    # 19 December 2026 to Monday 4 January 2027 ([practice] school_closures): its last open
    # day, Friday 18 December.
    shut = with_closures(clocks, [(date(2026, 12, 19), date(2027, 1, 4))])
    assert shut.due(due, date(2027, 1, 15)) == date(2026, 12, 18)
    assert shut.due(due, date(2026, 11, 19)) == date(2026, 10, 29)
    assert "outside school closures" in shut[due].describe()
    # Only a clock that says so skips school closures: a UK records request's month does not.
    records = "solicitor.records_request"
    assert shut.due(records, date(2026, 11, 20)) == clocks.due(records, date(2026, 11, 20))


# ------------------------------------------------------------------ US: prior authorisation


@worked("prior_auth.standard")
def test_prior_auth_standard(clocks: ClockSet) -> None:
    """42 CFR 422.568(b)(1), as amended by CMS-0057-F from 1 January 2026: a standard
    organization determination "as expeditiously as the enrollee's health condition requires,
    but no later than 7 calendar days after the organization receives the request".

    Requested Monday 12 January 2026 of a Medicare Advantage plan: decision due Monday
    19 January 2026, Martin Luther King Jr. Day counted (calendar days)."""
    assert clocks.due("prior_auth.standard", date(2026, 1, 12), HUMANA) == date(2026, 1, 19)
    assert clocks.due("prior_auth.standard", date(2026, 1, 12), MOLINA) == date(2026, 1, 19)
    assert clocks["prior_auth.standard"] is clocks.resolve("prior_auth.standard", HUMANA)


@worked("prior_auth.standard.erisa")
def test_prior_auth_standard_erisa(clocks: ClockSet) -> None:
    """29 CFR 2560.503-1(f)(2)(iii)(A): a pre-service claim is decided "not later than 15 days
    after receipt of the claim by the plan"; 45 CFR 147.136(b) applies the same to individual
    and exchange plans, which CMS-0057-F leaves out.

    The same request, Monday 12 January 2026, of an employer plan or an exchange plan:
    decision due Tuesday 27 January 2026, not 19 January."""
    assert clocks.due("prior_auth.standard", date(2026, 1, 12), AETNA) == date(2026, 1, 27)
    assert clocks.due("prior_auth.standard", date(2026, 1, 12), OSCAR) == date(2026, 1, 27)
    assert clocks["prior_auth.standard.erisa"] is clocks.resolve("prior_auth.standard", AETNA)


@worked("prior_auth.expedited", "prior_auth.expedited.erisa")
def test_prior_auth_expedited(clocks: ClockSet) -> None:
    """42 CFR 422.572(a): an expedited determination "no later than 72 hours after receiving
    the request"; 29 CFR 2560.503-1(f)(2)(i): an urgent care claim "not later than 72 hours
    after receipt of the claim by the plan".

    Expedited request Friday 9 January 2026, 16:00 in New York: decision due Monday
    12 January 2026, 16:00, whichever rule applies; each cites its own source."""
    start = datetime(2026, 1, 9, 16, 0, tzinfo=NEW_YORK)
    expected = datetime(2026, 1, 12, 16, 0, tzinfo=NEW_YORK)
    assert clocks.due("prior_auth.expedited", start, HUMANA) == expected
    assert clocks.due("prior_auth.expedited", start, AETNA) == expected
    erisa = clocks.resolve("prior_auth.expedited", AETNA)
    assert erisa is not None and "2560.503-1(f)(2)(i)" in erisa.source


@worked("prior_auth.chase_pended")
def test_prior_auth_chase_pended(clocks: ClockSet) -> None:
    """The clock's source: "Practice policy (chase interval, not a regulation)": chase a
    pended prior auth after 3 business days, on the US federal calendar.

    Pended Thursday 2 July 2026: Friday 3 July is Independence Day (observed), so the chase
    is due Wednesday 8 July 2026; pended Wednesday 31 December 2025, due Tuesday 6 January.
    A date the payer states replaces it."""
    assert clocks.due("prior_auth.chase_pended", date(2026, 7, 2)) == date(2026, 7, 8)
    assert clocks.due("prior_auth.chase_pended", date(2025, 12, 31)) == date(2026, 1, 6)
    assert clocks["prior_auth.chase_pended"].stated == "wins"


@worked("prior_auth.peer_to_peer")
def test_prior_auth_peer_to_peer(clocks: ClockSet) -> None:
    """The clock's source: "The payer's offer in its notice (no regulation sets a
    peer-to-peer window)"; sample 0031 offers it "within 14 calendar days of this notice".

    Notice Tuesday 15 September 2026: Tuesday 29 September 2026. The notice's own window
    replaces the default, and no UK practice gets it."""
    clock = clocks["prior_auth.peer_to_peer"]
    assert clock.due(date(2026, 9, 15)) == date(2026, 9, 29)
    assert (clock.purpose, clock.stated) == ("peer_to_peer", "wins")
    assert not clock.applies_in("GB")


# ------------------------------------------------------------------ US: first-level appeals


@worked("appeal.first_level")
def test_appeal_first_level_unknown_payer_type(clocks: ClockSet) -> None:
    """The clock's source: "Payer type unknown: the window the notice states; without one,
    60 days, the shortest first-level window of the US regimes (42 CFR 438.402(c)(2)(ii))".

    A benefit manager's notice dated Monday 2 November 2026 that names neither its plan's
    type nor a window: Friday 1 January 2027, the earliest any regime allows."""
    clock = clocks.resolve("appeal.first_level", EVICORE)
    assert clock is clocks["appeal.first_level"]
    assert clock.due(date(2026, 11, 2)) == date(2027, 1, 1)
    assert clock.stated == "wins"


@worked("appeal.erisa")
def test_erisa_appeal(clocks: ClockSet) -> None:
    """29 CFR 2560.503-1(h)(3)(i): a plan must "provide claimants at least 180 days following
    receipt of a notification of an adverse benefit determination within which to appeal".

    UnitedHealthcare's commercial denial e-mailed Tuesday 15 September 2026 (sample 0031):
    Sunday 14 March 2027. It never applies to Medicare, Medicaid or TRICARE."""
    assert clocks.due("appeal.first_level", date(2026, 9, 15), AETNA) == date(2027, 3, 14)
    for other in (HUMANA, MOLINA, NORIDIAN, TRICARE):
        assert clocks.resolve("appeal.first_level", other) is not clocks["appeal.erisa"]


@worked("appeal.aca_individual")
def test_aca_individual_appeal(clocks: ClockSet) -> None:
    """45 CFR 147.136(b)(3)(i): individual and exchange coverage "must comply with the
    requirements for internal claims and appeals processes" of 29 CFR 2560.503-1, whose
    (h)(3)(i) gives "at least 180 days following receipt".

    An exchange plan's denial dated Monday 2 November 2026: Saturday 1 May 2027."""
    assert clocks.due("appeal.first_level", date(2026, 11, 2), OSCAR) == date(2027, 5, 1)


@worked("appeal.medicare_redetermination")
def test_medicare_redetermination(clocks: ClockSet) -> None:
    """42 CFR 405.942(a): a redetermination request "must be filed ... within 120 days from
    the date of receipt of the notice of initial determination"; "the date of receipt ... is
    presumed to be 5 days after the date of the notice" unless shown otherwise.

    Noridian's notice dated Friday 25 September 2026 (sample 0047): received Wednesday
    30 September, due Thursday 28 January 2027."""
    due = clocks.due("appeal.first_level", date(2026, 9, 25), NORIDIAN)
    assert due == date(2027, 1, 28)


@worked("appeal.ma_reconsideration")
def test_medicare_advantage_reconsideration(clocks: ClockSet) -> None:
    """42 CFR 422.582(b): a reconsideration is requested "within 65 calendar days from the date
    of the notice of the organization determination".

    Humana's Medicare Advantage denial dated Monday 2 November 2026: Wednesday 6 January
    2027 (not 1 May 2027, ERISA's 180 days, nor Part 405's 120 + 5)."""
    assert clocks.due("appeal.first_level", date(2026, 11, 2), HUMANA) == date(2027, 1, 6)


@worked("appeal.medicaid_managed_care")
def test_medicaid_managed_care_appeal(clocks: ClockSet) -> None:
    """42 CFR 438.402(c)(2)(ii): an enrollee "has 60 calendar days from the date on the adverse
    benefit determination notice in which to file a request for an appeal".

    Molina's Medicaid denial dated Monday 2 November 2026: Friday 1 January 2027 (a federal
    holiday: calendar days are not moved)."""
    assert clocks.due("appeal.first_level", date(2026, 11, 2), MOLINA) == date(2027, 1, 1)


@worked("appeal.tricare")
def test_tricare_reconsideration(clocks: ClockSet) -> None:
    """32 CFR 199.10: a reconsideration "must be filed ... within 90 days of the date of the
    initial determination notice" (paragraph to verify).

    A TRICARE denial dated Monday 2 November 2026: Sunday 31 January 2027."""
    assert clocks.due("appeal.first_level", date(2026, 11, 2), TRICARE) == date(2027, 1, 31)
    assert clocks["appeal.tricare"].verify


# ------------------------------------------------------------------ US: Medicare appeals


@worked("appeal.medicare_reconsideration")
def test_medicare_reconsideration(clocks: ClockSet) -> None:
    """42 CFR 405.962(a): a QIC reconsideration is requested "within 180 days from the date
    the party receives notice of the redetermination", receipt presumed 5 days after its date.

    Redetermination dated Monday 1 June 2026: presumed received 6 June, so the request is due
    Thursday 3 December 2026."""
    assert clocks.due("appeal.medicare_reconsideration", date(2026, 6, 1)) == date(2026, 12, 3)


@worked("appeal.medicare_alj", "appeal.medicare_appeals_council", "appeal.medicare_federal_court")
def test_medicare_later_levels(clocks: ClockSet) -> None:
    """42 CFR 405.1002(a), 405.1102(a), 405.1136(c): an ALJ hearing, Council review and a
    civil action are each requested "within 60 days after receipt" of the previous decision,
    receipt presumed 5 days after its date.

    QIC decision dated 2 November 2026 (received 7 November): ALJ request by 6 January 2027.
    ALJ decision dated 30 December 2026 (received 4 January): Council by 5 March 2027.
    Council decision dated 1 March 2027 (received 6 March): federal court by 5 May 2027."""
    assert clocks.due("appeal.medicare_alj", date(2026, 11, 2)) == date(2027, 1, 6)
    assert clocks.due("appeal.medicare_appeals_council", date(2026, 12, 30)) == date(2027, 3, 5)
    assert clocks.due("appeal.medicare_federal_court", date(2027, 3, 1)) == date(2027, 5, 5)


# ------------------------------------------------------------------ US: after an upheld appeal


@worked("appeal.next_level")
def test_next_level_unknown_payer_type(clocks: ClockSet) -> None:
    """Payer type unknown: every regime's final decision must name its next step and window,
    read in the notice; without one the shortest next step, TRICARE's formal review "within
    60 days after the date of the notice of the reconsideration determination" (32 CFR
    199.10).

    A decision dated Monday 2 November 2026 from a plan of unknown type: Friday 1 January
    2027, and the notice's own window replaces it (``stated: wins``)."""
    clock = clocks.resolve("appeal.next_level", where("US"))
    assert clock is not None and clock.id == "appeal.next_level" and clock.stated == "wins"
    assert clocks.due("appeal.next_level", date(2026, 11, 2), where("US")) == date(2027, 1, 1)


@worked("appeal.external_review")
def test_external_review(clocks: ClockSet) -> None:
    """45 CFR 147.136(d)(2)(i): a claimant may file for external review "within four months
    after the date of receipt of a notice of an adverse benefit determination or final internal
    adverse benefit determination"; "If there is no corresponding date four months after the
    date of receipt of such a notice, then the request must be filed by the first day of the
    fifth month following the receipt of the notice."

    Aetna's final decision received Monday 5 October 2026: Friday 5 February 2027; Oscar's
    (an exchange plan) received Saturday 31 October 2026: no 31 February, so the rule allows
    1 March 2027, and the clock diarises the earlier Sunday 28 February."""
    assert clocks.due("appeal.next_level", date(2026, 10, 5), AETNA) == date(2027, 2, 5)
    assert clocks.due("appeal.next_level", date(2026, 10, 31), OSCAR) == date(2027, 2, 28)


@worked("appeal.medicaid_state_fair_hearing")
def test_medicaid_state_fair_hearing(clocks: ClockSet) -> None:
    """42 CFR 438.408(f)(2): "the enrollee must request a State fair hearing no later than 120
    calendar days from the date of the MCO's, PIHP's, or PAHP's notice of resolution".

    Molina's notice of resolution dated Tuesday 10 November 2026: 20 days to 30 November, 31
    to 31 December, 31 to 31 January, 28 to 28 February, 10 to Wednesday 10 March 2027."""
    assert clocks.due("appeal.next_level", date(2026, 11, 10), MOLINA) == date(2027, 3, 10)


@worked("appeal.ma_independent_review")
def test_medicare_advantage_independent_review(clocks: ClockSet) -> None:
    """42 CFR 422.590(a)(2) and 422.592(a): when the MA organization "affirms, in whole or in
    part, its adverse organization determination", it "must ... forward the case to the
    independent, outside entity", so the practice files nothing and no deadline is set.

    Humana's upheld reconsideration: the variant applies and is not diarised; the base clock's
    60 days do not stand in for it."""
    clock = clocks.resolve("appeal.next_level", HUMANA)
    assert clock is not None and clock.id == "appeal.ma_independent_review"
    assert not clock.diarise


@worked("appeal.tricare_formal_review")
def test_tricare_formal_review(clocks: ClockSet) -> None:
    """32 CFR 199.10(c): a formal review is requested "within 60 days after the date of the
    notice of the reconsideration determination" (paragraph to verify).

    A TRICARE reconsideration dated Monday 2 November 2026: Friday 1 January 2027."""
    assert clocks.due("appeal.next_level", date(2026, 11, 2), TRICARE) == date(2027, 1, 1)
    assert clocks["appeal.tricare_formal_review"].verify


# ------------------------------------------------------------------ US: claims


@worked("claim.timely_filing")
def test_timely_filing_default(clocks: ClockSet) -> None:
    """The clock's source: "Commercial timely-filing default: the shortest limit in secondary
    payer tables (90 days); the contract governs".

    A commercial payer not in the table (Kaiser Permanente), service Thursday 15 January 2026:
    Wednesday 15 April 2026, marked VERIFY."""
    kaiser = payer("Kaiser Permanente", "commercial")
    assert clocks.due("claim.timely_filing", date(2026, 1, 15), kaiser) == date(2026, 4, 15)
    assert clocks["claim.timely_filing"].verify


@worked("claim.timely_filing_medicare")
def test_timely_filing_medicare(clocks: ClockSet) -> None:
    """42 CFR 424.44(a)(1): a claim must be filed "no later than the close of the period
    ending 1 calendar year after the date of service".

    Service 31 March 2026: 31 March 2027. Service on 29 February 2028: 28 February 2029."""
    assert clocks.due("claim.timely_filing", date(2026, 3, 31), NORIDIAN) == date(2027, 3, 31)
    assert clocks.due("claim.timely_filing", date(2028, 2, 29), NORIDIAN) == date(2029, 2, 28)


@worked(
    "claim.timely_filing.unitedhealthcare",
    "claim.timely_filing.cigna",
    "claim.timely_filing.anthem",
    "claim.timely_filing.aetna",
)
def test_timely_filing_per_payer(clocks: ClockSet) -> None:
    """The clocks' sources: "timely filing 90 days in network (secondary payer tables; the
    contract governs)" for UnitedHealthcare, Cigna and Anthem, 120 days for Aetna.

    Service Thursday 15 January 2026: UnitedHealthcare, Cigna and Anthem by 15 April 2026,
    Aetna by 15 May 2026; each chosen by the payer's name, each marked VERIFY."""
    start = date(2026, 1, 15)
    for name, expected in [
        ("UnitedHealthcare", date(2026, 4, 15)),
        ("Cigna Healthcare", date(2026, 4, 15)),
        ("Anthem Blue Cross", date(2026, 4, 15)),
        ("Aetna", date(2026, 5, 15)),
    ]:
        party = payer(name, "commercial")
        clock = clocks.resolve("claim.timely_filing", party)
        assert clock is not None and clock.variant_of == "claim.timely_filing", name
        assert clock.verify and clock.due(start) == expected, name


@worked("claim.chase", "claim.chase.uk")
def test_claim_chase(clocks: ClockSet) -> None:
    """The clocks' source: "Practice policy (chase interval, not a regulation)": 10 business
    days, on the US federal calendar, or England's for a UK insurer.

    Submitted Wednesday 25 November 2026: Thanksgiving is skipped, due Thursday 10 December.
    AXA's rejection of Friday 20 November 2026 (sample 0175): Friday 4 December. A UK
    rejection on Thursday 17 December 2026: Christmas, Boxing Day (Monday 28) and New Year's
    Day are skipped, due Tuesday 5 January 2027."""
    assert clocks.due("claim.chase", date(2026, 11, 25)) == date(2026, 12, 10)
    uk = where("GB", payer_type="pmi")
    assert clocks.due("claim.chase", date(2026, 11, 20), uk) == date(2026, 12, 4)
    assert clocks.due("claim.chase", date(2026, 12, 17), uk) == date(2027, 1, 5)


# ------------------------------------------------------------------ solicitors and referrals


@worked("solicitor.acknowledge")
def test_solicitor_acknowledge(clocks: ClockSet) -> None:
    """The clock's source: "Practice policy (service standard, not a regulation)": 2 business
    days, on the England calendar.

    Received Thursday 24 December 2026: Christmas Day (Friday) and Boxing Day observed
    (Monday 28) are bank holidays, so the acknowledgement is due Wednesday 30 December."""
    assert clocks.due("solicitor.acknowledge", date(2026, 12, 24)) == date(2026, 12, 30)


@worked("solicitor.records_request")
def test_solicitor_records_request(clocks: ClockSet) -> None:
    """UK GDPR Art. 12(3): information on action taken on a request "without undue delay and in
    any event within one month of receipt of the request".

    Received 31 January 2027: by 28 February 2027 (the month's last day); received
    15 December 2026: by 15 January 2027. Never for a US practice."""
    uk = where("GB")
    assert clocks.due("solicitor.records_request", date(2027, 1, 31), uk) == date(2027, 2, 28)
    assert clocks.due("solicitor.records_request", date(2026, 12, 15), uk) == date(2027, 1, 15)
    assert not clocks["solicitor.records_request"].applies_in("US")


@worked("solicitor.records_request.us")
def test_records_request_hipaa(clocks: ClockSet) -> None:
    """45 CFR 164.524(b)(2)(i): a covered entity "must act on a request for access no later
    than 30 days after receipt of the request".

    A US attorney's request received Wednesday 14 October 2026 (sample 0089): Friday
    13 November 2026, not UK GDPR's 14 November."""
    us = where("US")
    assert clocks.due("solicitor.records_request", date(2026, 10, 14), us) == date(2026, 11, 13)


@worked("referral.acknowledge")
def test_referral_acknowledge(clocks: ClockSet) -> None:
    """The clock's source: "Practice policy (service standard, not a regulation)": 2 business
    days, Monday to Friday (no holiday calendar unless the practice sets one).

    Received Friday 25 December 2026: due Tuesday 29 December 2026."""
    assert clocks.due("referral.acknowledge", date(2026, 12, 25)) == date(2026, 12, 29)


# ------------------------------------------------------------------ credentials


@worked("credential.renewal")
def test_credential_renewal(clocks: ClockSet) -> None:
    """The clock's source: "Practice policy (act on a renewal notice within 30 days)".

    Notice Monday 2 November 2026: act by Wednesday 2 December 2026; an expiry date the
    notice states replaces it."""
    assert clocks.due("credential.renewal", date(2026, 11, 2)) == date(2026, 12, 2)
    assert clocks["credential.renewal"].stated == "wins"


@worked(
    "credential.dea_notice",
    "credential.dea_renewal_opens",
    "credential.dea_renewal_keeps_valid",
    "credential.dea_reinstatement",
)
def test_dea_dates(clocks: ClockSet) -> None:
    """21 CFR 1301.13(b): a registrant "may apply to be reregistered not more than 60 days
    before the expiration date"; 21 CFR 1301.36(i): an application filed "at least 45 days
    before the date on which the existing registration is due to expire" keeps it in effect
    until decided. DEA Diversion Control Division practice (not the CFR): the renewal notice
    about 65 days before expiry, one calendar month to reinstate after it.

    Expiry 28 February 2027: notice about 25 December 2026; filing opens 30 December 2026;
    file by 14 January 2027 to stay registered while pending. Expiry 31 January 2027:
    reinstatement possible until 28 February 2027."""
    expiry = date(2027, 2, 28)
    assert clocks.due("credential.dea_notice", expiry) == date(2026, 12, 25)
    assert clocks.due("credential.dea_renewal_opens", expiry) == date(2026, 12, 30)
    assert clocks.due("credential.dea_renewal_keeps_valid", expiry) == date(2027, 1, 14)
    assert clocks.due("credential.dea_reinstatement", date(2027, 1, 31)) == date(2027, 2, 28)
    assert "1301.13" not in clocks["credential.dea_notice"].source


@worked("credential.gmc_revalidation_notice")
def test_gmc_revalidation_notice(clocks: ClockSet) -> None:
    """The clock's source: "GMC revalidation: notice of the submission date at least 3 months
    ahead (GMC guidance)".

    Revalidation date 31 May 2027: the GMC's notice due by 28 February 2027."""
    due = clocks.due("credential.gmc_revalidation_notice", date(2027, 5, 31))
    assert due == date(2027, 2, 28)


# The HCPC's table of renewal windows (hcpc-uk.org, Renewals: "Each profession renews at a set
# time. These times are the same every two years"), as published for 2024-2026:
# profession -> (window opens, renewal deadline).
HCPC_WINDOWS = {
    "operating_department_practice": (date(2024, 9, 1), date(2024, 11, 30)),
    "practitioner_psychology": (date(2025, 3, 1), date(2025, 5, 31)),
    "orthoptics": (date(2025, 6, 1), date(2025, 8, 31)),
    "paramedicine": (date(2025, 6, 1), date(2025, 8, 31)),
    "clinical_science": (date(2025, 7, 1), date(2025, 9, 30)),
    "prosthetics_orthotics": (date(2025, 7, 1), date(2025, 9, 30)),
    "speech_and_language_therapy": (date(2025, 7, 1), date(2025, 9, 30)),
    "occupational_therapy": (date(2025, 8, 1), date(2025, 10, 31)),
    "biomedical_science": (date(2025, 9, 1), date(2025, 11, 30)),
    "radiography": (date(2025, 12, 1), date(2026, 2, 28)),
    "physiotherapy": (date(2026, 2, 1), date(2026, 4, 30)),
    "arts_therapy": (date(2026, 3, 1), date(2026, 5, 31)),
    "dietetics": (date(2026, 4, 1), date(2026, 6, 30)),
    "chiropody_podiatry": (date(2026, 5, 1), date(2026, 7, 31)),
    "hearing_aid_dispensing": (date(2026, 5, 1), date(2026, 7, 31)),
}


@worked(
    "credential.hcpc_window_opens",
    "credential.hcpc_renewal_deadline",
    "credential.hcpc_window_opens.physiotherapy",
    "credential.hcpc_renewal_deadline.physiotherapy",
    "credential.hcpc_window_opens.arts_therapy",
    "credential.hcpc_renewal_deadline.arts_therapy",
    "credential.hcpc_window_opens.dietetics",
    "credential.hcpc_renewal_deadline.dietetics",
    "credential.hcpc_window_opens.chiropody_podiatry",
    "credential.hcpc_renewal_deadline.chiropody_podiatry",
    "credential.hcpc_window_opens.hearing_aid_dispensing",
    "credential.hcpc_renewal_deadline.hearing_aid_dispensing",
    "credential.hcpc_window_opens.operating_department_practice",
    "credential.hcpc_renewal_deadline.operating_department_practice",
    "credential.hcpc_window_opens.practitioner_psychology",
    "credential.hcpc_renewal_deadline.practitioner_psychology",
    "credential.hcpc_window_opens.orthoptics",
    "credential.hcpc_renewal_deadline.orthoptics",
    "credential.hcpc_window_opens.paramedicine",
    "credential.hcpc_renewal_deadline.paramedicine",
    "credential.hcpc_window_opens.clinical_science",
    "credential.hcpc_renewal_deadline.clinical_science",
    "credential.hcpc_window_opens.prosthetics_orthotics",
    "credential.hcpc_renewal_deadline.prosthetics_orthotics",
    "credential.hcpc_window_opens.speech_and_language_therapy",
    "credential.hcpc_renewal_deadline.speech_and_language_therapy",
    "credential.hcpc_window_opens.biomedical_science",
    "credential.hcpc_renewal_deadline.biomedical_science",
    "credential.hcpc_window_opens.radiography",
    "credential.hcpc_renewal_deadline.radiography",
)
def test_hcpc_window(clocks: ClockSet) -> None:
    """HCPC renewal window dates: "Each profession renews at a set time. These times are the
    same every two years and are staggered throughout the year" (hcpc-uk.org), e.g.
    "Occupational therapists 1 Aug 2025 31 Oct 2025", "Radiographers 1 Dec 2025 28 Feb 2026".

    For each of the 15 professions, counted from the published table (HCPC_WINDOWS): a
    registration renewing by the deadline opens on the published day, and by the deadline two
    years on too; a CPD audit notice of 1 December 2024 is due by each profession's next close
    (the table's, but the operating department practitioners' 30 November 2024 has passed: 30
    November 2026). The occupational therapists' window is the base clock."""
    assert set(HCPC_WINDOWS) == set(HCPC_PROFESSIONS)
    assert clocks.due("credential.hcpc_window_opens", date(2027, 10, 31)) == date(2027, 8, 1)
    for profession, (opens, deadline) in HCPC_WINDOWS.items():
        facts = where("GB", profession=profession)
        window = "credential.hcpc_window_opens"
        assert clocks.due(window, deadline, facts) == opens, profession
        later = (deadline.replace(year=deadline.year + 2), opens.replace(year=opens.year + 2))
        assert clocks.due(window, later[0], facts) == later[1], profession
        audit = clocks.due("credential.hcpc_renewal_deadline", date(2024, 12, 1), facts)
        expected = deadline if deadline > date(2024, 12, 1) else date(2026, 11, 30)
        assert audit == expected, profession


# ------------------------------------------------------------------ completeness


def test_every_clock_has_a_worked_example(clocks: ClockSet) -> None:
    """A clock added to rules/clocks.yaml needs a worked example here."""
    missing = sorted(set(clocks) - set(WORKED))
    assert not missing, f"clocks without a worked-example test: {missing}"
    stale = sorted(set(WORKED) - set(clocks))
    assert not stale, f"worked examples for clocks that no longer exist: {stale}"


def test_worked_examples_quote_their_source(clocks: ClockSet) -> None:
    """Each example quotes the words it counts from and names the instrument the clock cites
    (a regulation's section, or "Practice policy" / the payer's own offer)."""
    for clock_id, test in WORKED.items():
        doc = " ".join((test.__doc__ or "").split())
        assert test.__name__.startswith("test_"), clock_id
        assert doc.count('"') >= 2, f"{test.__name__} quotes no source"
        source = clocks[clock_id].source
        cited = re.findall(
            r"[0-9]+\.[0-9]+(?:-[0-9]+)?(?:\([0-9a-z]+\))*|reg [0-9]+\([0-9]+\)"
            r"|Art\. [0-9]+\([0-9]+\)|Practice policy|payer's offer|HCPC|GMC"
            r"|Payer type unknown|secondary payer tables|DEA Diversion Control Division",
            source,
        )
        assert cited, (clock_id, source)
        assert any(c in doc for c in cited), (test.__name__, cited)


def test_every_clock_is_used_by_a_rule_or_the_register(clocks: ClockSet) -> None:
    """A clock earns its place: a shipped rule names it (or its base, for a variant), or the
    register's renewal checklist counts a credential's dates with it."""
    from bot.features.renewal_checklist import KIND_DATES, WINDOW_CLOCK
    from bot.rules.engine import load_rules
    from bot.rules.schema import DeadlineAction

    rules = load_rules([ROOT / "rules"])
    assert not rules.problems
    named = {
        action.deadline.clock
        for rule in rules.rules
        for action in rule.actions
        if isinstance(action, DeadlineAction)
    }
    named |= {clock_id for dates in KIND_DATES.values() for _, clock_id in dates}
    named.add(WINDOW_CLOCK)
    unused = sorted(c.id for c in clocks.values() if (c.variant_of or c.id) not in named)
    assert not unused, f"clocks no rule or register date uses: {unused}"
    assert named <= set(clocks), sorted(named - set(clocks))


def test_variants_name_parties_that_exist(clocks: ClockSet) -> None:
    """A variant chosen by party name must name a party in the shipped directory."""
    parties, problems = load_parties([ROOT / "rules" / "parties"])
    assert not problems
    names = {party.name.lower() for party in parties}
    types = {value for party in parties for value in party.values("payer_type")}
    for clock in clocks.values():
        for key, values in clock.when:
            if key not in ("party", "payer_type"):
                continue  # country and profession come from the notice and the practice
            known = names if key == "party" else types
            assert set(values) <= known, (clock.id, key, values)
