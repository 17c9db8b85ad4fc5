"""Every shipped clock, computed from a worked example of the fact it encodes.

Each test's docstring quotes the fact (from the project's domain facts, FACTS.md, or, for the
few clocks FACTS.md does not cover, the clock's own source) and works one example through it.
Tests register under the clock ids they prove (``@worked``); the last test fails when a clock
is added to ``rules/clocks.yaml`` without one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clocks.clocks import ClockSet
from bot.clocks.files import load_clocks
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


# ------------------------------------------------------------------ England: EHCP


@worked("ehcp.advice")
def test_ehcp_advice(clocks: ClockSet) -> None:
    """FACTS.md: "Advice requested from a professional by the local authority: due within
    **6 weeks** of the request (SEN Regs 2014 reg 8(1))."

    Requested Monday 2 November 2026: due Monday 14 December 2026, also when the request
    arrives late in the evening."""
    assert clocks.due("ehcp.advice", date(2026, 11, 2)) == date(2026, 12, 14)
    late = datetime(2026, 11, 2, 23, 40, tzinfo=ZoneInfo("Europe/London"))
    assert clocks.due("ehcp.advice", late) == date(2026, 12, 14)


@worked("ehcp.assessment_decision", "ehcp.no_plan_notice", "ehcp.assessment_final_plan")
def test_ehcp_assessment_timescales(clocks: ClockSet) -> None:
    """FACTS.md: "Whole assessment: **20 weeks** from request to final plan; decision to assess
    by week 6; notice by week 16 if no plan."

    Request Monday 12 January 2026: decision by 23 February, no-plan notice by 4 May (a bank
    holiday: weeks are calendar weeks), final plan by 1 June 2026."""
    start = date(2026, 1, 12)
    assert clocks.due("ehcp.assessment_decision", start) == date(2026, 2, 23)
    assert clocks.due("ehcp.no_plan_notice", start) == date(2026, 5, 4)
    assert clocks.due("ehcp.assessment_final_plan", start) == date(2026, 6, 1)


@worked("ehcp.draft_plan_comments")
def test_ehcp_draft_plan_comments(clocks: ClockSet) -> None:
    """FACTS.md: "**15 days** for comments on a draft plan."

    Draft plan served Monday 2 November 2026: comments by Tuesday 17 November 2026."""
    assert clocks.due("ehcp.draft_plan_comments", date(2026, 11, 2)) == date(2026, 11, 17)


@worked("ehcp.annual_review")
def test_ehcp_annual_review(clocks: ClockSet) -> None:
    """FACTS.md: "Annual review: within **12 months** of the plan, then of the last review."

    A plan dated 29 February 2024 is reviewed by 28 February 2025 (no 29 February that year);
    a review on 31 August 2026 is followed by the next by 31 August 2027."""
    assert clocks.due("ehcp.annual_review", date(2024, 2, 29)) == date(2025, 2, 28)
    assert clocks.due("ehcp.annual_review", date(2026, 8, 31)) == date(2027, 8, 31)


@worked("ehcp.annual_review_advice", "ehcp.annual_review_report", "ehcp.annual_review_decision")
def test_ehcp_annual_review_meeting(clocks: ClockSet) -> None:
    """FACTS.md: "advice circulated **2 weeks before** the meeting; report sent within
    **2 weeks after**; LA decision within **4 weeks** of the meeting."

    Meeting Thursday 19 November 2026: advice by Thursday 5 November, report by Thursday
    3 December, decision by Thursday 17 December 2026."""
    meeting = date(2026, 11, 19)
    assert clocks.due("ehcp.annual_review_advice", meeting) == date(2026, 11, 5)
    assert clocks.due("ehcp.annual_review_report", meeting) == date(2026, 12, 3)
    assert clocks.due("ehcp.annual_review_decision", meeting) == date(2026, 12, 17)


@worked("ehcp.amended_plan_final")
def test_ehcp_amended_plan(clocks: ClockSet) -> None:
    """FACTS.md: "Amended plan: final within **8 weeks** (start point disputed between
    sources: VERIFY reg 22)."

    Amendment notice Monday 5 October 2026: final amended plan by Monday 30 November 2026;
    the clock is marked for verification."""
    assert clocks.due("ehcp.amended_plan_final", date(2026, 10, 5)) == date(2026, 11, 30)
    assert clocks["ehcp.amended_plan_final"].verify


@worked("ehcp.phase_transfer", "ehcp.phase_transfer_post16")
def test_ehcp_phase_transfer(clocks: ClockSet) -> None:
    """FACTS.md: "Phase transfer: final amended plan by **15 February** of the transfer year;
    **31 March** for secondary → post-16."

    Transfer on 1 September 2027: plan by 15 February 2027, or 31 March 2027 for a move to
    post-16; the day itself counts (a transfer dated 15 February 2027 gives that day)."""
    autumn = date(2027, 9, 1)
    assert clocks.due("ehcp.phase_transfer", autumn) == date(2027, 2, 15)
    assert clocks.due("ehcp.phase_transfer_post16", autumn) == date(2027, 3, 31)
    assert clocks.due("ehcp.phase_transfer", date(2027, 2, 15)) == date(2027, 2, 15)


@worked("ehcp.tribunal_appeal", "ehcp.tribunal_appeal_mediation")
def test_ehcp_tribunal_appeal(clocks: ClockSet) -> None:
    """FACTS.md: "Tribunal appeal: **2 months** from the decision letter, or 1 month from a
    mediation certificate, whichever is later."

    Decision letter 31 December 2026: appeal by 28 February 2027 (months end on the month's
    last day). Decision 10 December 2026 (appeal by 10 February 2027) and certificate
    20 January 2027 (20 February 2027): the later, 20 February 2027, applies."""
    assert clocks.due("ehcp.tribunal_appeal", date(2026, 12, 31)) == date(2027, 2, 28)
    assert clocks.due("ehcp.tribunal_appeal_mediation", date(2027, 1, 31)) == date(2027, 2, 28)
    decision = clocks.due("ehcp.tribunal_appeal", date(2026, 12, 10))
    mediation = clocks.due("ehcp.tribunal_appeal_mediation", date(2027, 1, 20))
    assert (decision, mediation) == (date(2027, 2, 10), date(2027, 2, 20))
    assert max(decision, mediation) == date(2027, 2, 20)


# ------------------------------------------------------------------ US: prior authorisation


@worked("prior_auth.standard")
def test_prior_auth_standard(clocks: ClockSet) -> None:
    """FACTS.md: "CMS-0057-F ... from 1 Jan 2026 for Medicare Advantage, Medicaid / CHIP and
    their managed care: decisions within ... **7 calendar days** (standard)."

    Requested Monday 12 January 2026 of a Medicare Advantage plan: decision due Monday
    19 January 2026, Martin Luther King Jr. Day counted (calendar days)."""
    assert clocks.due("prior_auth.standard", date(2026, 1, 12), HUMANA) == date(2026, 1, 19)
    assert clocks.due("prior_auth.standard", date(2026, 1, 12)) == date(2026, 1, 19)
    assert clocks["prior_auth.standard"] is clocks.resolve("prior_auth.standard", HUMANA)


@worked("prior_auth.standard.erisa")
def test_prior_auth_standard_erisa(clocks: ClockSet) -> None:
    """FACTS.md: "ERISA group plans (29 CFR 2560.503-1): first decision urgent 72 h,
    pre-service 15 days, post-service 30 days."

    The same request of a commercial (ERISA group) plan, Monday 12 January 2026: decision due
    Tuesday 27 January 2026, not 19 January."""
    assert clocks.due("prior_auth.standard", date(2026, 1, 12), AETNA) == date(2026, 1, 27)
    assert clocks["prior_auth.standard.erisa"] is clocks.resolve("prior_auth.standard", AETNA)


@worked("prior_auth.expedited", "prior_auth.expedited.erisa")
def test_prior_auth_expedited(clocks: ClockSet) -> None:
    """FACTS.md: CMS-0057-F "decisions within **72 hours** (expedited)"; ERISA "first decision
    urgent 72 h".

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
    """Not in FACTS.md (practice policy); the requirement: "chase a pended prior auth after
    3 business days", counted on the US federal calendar.

    Pended Thursday 2 July 2026: Friday 3 July is Independence Day (observed), so the chase
    is due Wednesday 8 July 2026; pended Wednesday 31 December 2025, due Tuesday 6 January."""
    assert clocks.due("prior_auth.chase_pended", date(2026, 7, 2)) == date(2026, 7, 8)
    assert clocks.due("prior_auth.chase_pended", date(2025, 12, 31)) == date(2026, 1, 6)


# ------------------------------------------------------------------ US: ERISA


@worked("claim.erisa_post_service_decision")
def test_erisa_post_service_decision(clocks: ClockSet) -> None:
    """FACTS.md: ERISA "first decision ... post-service 30 days".

    Claim received Thursday 1 October 2026: decision due Saturday 31 October 2026."""
    due = clocks.due("claim.erisa_post_service_decision", date(2026, 10, 1))
    assert due == date(2026, 10, 31)


@worked("appeal.erisa")
def test_erisa_appeal(clocks: ClockSet) -> None:
    """FACTS.md: ERISA "the patient may appeal within **180 days**".

    Denial received Thursday 15 January 2026: appeal by Tuesday 14 July 2026."""
    assert clocks.due("appeal.erisa", date(2026, 1, 15)) == date(2026, 7, 14)


@worked(
    "appeal.erisa_decision_urgent",
    "appeal.erisa_decision_pre_service",
    "appeal.erisa_decision_post_service",
)
def test_erisa_appeal_decisions(clocks: ClockSet) -> None:
    """FACTS.md: ERISA "appeal decided urgent 72 h, pre-service 30 days, post-service 60 days".

    Appeal received Monday 2 November 2026, 09:00 in New York (the day after the clocks went
    back): urgent decision by Thursday 5 November 09:00, pre-service by 2 December 2026,
    post-service by 1 January 2027."""
    start = datetime(2026, 11, 2, 9, 0, tzinfo=NEW_YORK)
    assert clocks.due("appeal.erisa_decision_urgent", start) == datetime(
        2026, 11, 5, 9, 0, tzinfo=NEW_YORK
    )
    assert clocks.due("appeal.erisa_decision_pre_service", start) == date(2026, 12, 2)
    assert clocks.due("appeal.erisa_decision_post_service", start) == date(2027, 1, 1)


# ------------------------------------------------------------------ US: Medicare appeals


@worked("appeal.medicare_redetermination")
def test_medicare_redetermination(clocks: ClockSet) -> None:
    """FACTS.md: "redetermination within **120 days** of the initial determination ... notices
    presumed received 5 days after their date."

    Initial determination dated Friday 2 January 2026: presumed received 7 January, so the
    request is due Thursday 7 May 2026."""
    assert clocks.due("appeal.medicare_redetermination", date(2026, 1, 2)) == date(2026, 5, 7)


@worked("appeal.medicare_reconsideration")
def test_medicare_reconsideration(clocks: ClockSet) -> None:
    """FACTS.md: "QIC reconsideration within **180 days**; ... notices presumed received 5 days
    after their date."

    Redetermination dated Monday 1 June 2026: presumed received 6 June, so the request is due
    Thursday 3 December 2026."""
    assert clocks.due("appeal.medicare_reconsideration", date(2026, 6, 1)) == date(2026, 12, 3)


@worked("appeal.medicare_alj", "appeal.medicare_appeals_council", "appeal.medicare_federal_court")
def test_medicare_later_levels(clocks: ClockSet) -> None:
    """FACTS.md: "ALJ, Appeals Council, federal court **60 days** each; notices presumed
    received 5 days after their date."

    QIC decision dated 2 November 2026 (received 7 November): ALJ request by 6 January 2027.
    ALJ decision dated 30 December 2026 (received 4 January): Council by 5 March 2027.
    Council decision dated 1 March 2027 (received 6 March): federal court by 5 May 2027."""
    assert clocks.due("appeal.medicare_alj", date(2026, 11, 2)) == date(2027, 1, 6)
    assert clocks.due("appeal.medicare_appeals_council", date(2026, 12, 30)) == date(2027, 3, 5)
    assert clocks.due("appeal.medicare_federal_court", date(2027, 3, 1)) == date(2027, 5, 5)


# ------------------------------------------------------------------ US: claims


@worked("claim.timely_filing")
def test_timely_filing_default(clocks: ClockSet) -> None:
    """FACTS.md: "Commercial (contract governs; secondary tables): UnitedHealthcare 90 days
    in-network / 180 out; Cigna 90 / 180; Anthem 90; Aetna 120. VERIFY per contract."

    A commercial payer not in the table (Kaiser Permanente), service Thursday 15 January 2026:
    the shortest figure, 90 days, gives Wednesday 15 April 2026, marked VERIFY."""
    kaiser = payer("Kaiser Permanente", "commercial")
    assert clocks.due("claim.timely_filing", date(2026, 1, 15), kaiser) == date(2026, 4, 15)
    assert clocks["claim.timely_filing"].verify


@worked("claim.timely_filing_medicare")
def test_timely_filing_medicare(clocks: ClockSet) -> None:
    """FACTS.md: "Timely filing: Medicare **12 months** from date of service (42 CFR 424.44),
    no appeal for a timely-filing denial."

    Claims to a Medicare contractor: service 31 March 2026 → 31 March 2027; service on
    29 February 2028 → 28 February 2029."""
    assert clocks.due("claim.timely_filing", date(2026, 3, 31), NORIDIAN) == date(2027, 3, 31)
    assert clocks.due("claim.timely_filing", date(2028, 2, 29), NORIDIAN) == date(2029, 2, 28)
    assert clocks.due("claim.timely_filing_medicare", date(2024, 2, 29)) == date(2025, 2, 28)


@worked(
    "claim.timely_filing.unitedhealthcare",
    "claim.timely_filing.cigna",
    "claim.timely_filing.anthem",
    "claim.timely_filing.aetna",
)
def test_timely_filing_per_payer(clocks: ClockSet) -> None:
    """FACTS.md: "UnitedHealthcare 90 days in-network / 180 out; Cigna 90 / 180; Anthem 90;
    Aetna 120. VERIFY per contract."

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


@worked("claim.chase")
def test_claim_chase(clocks: ClockSet) -> None:
    """Not in FACTS.md (practice policy); the clock's source: "Practice policy (chase interval,
    not a regulation)": 10 business days after submission, on the US federal calendar.

    Submitted Wednesday 25 November 2026: Thanksgiving (Thursday 26) is skipped, so the chase
    is due Thursday 10 December 2026."""
    assert clocks.due("claim.chase", date(2026, 11, 25)) == date(2026, 12, 10)


# ------------------------------------------------------------------ solicitors and referrals


@worked("solicitor.acknowledge")
def test_solicitor_acknowledge(clocks: ClockSet) -> None:
    """Not in FACTS.md (practice policy); the clock's source: "Practice policy (service
    standard, not a regulation)": 2 business days, on the England calendar.

    Received Thursday 24 December 2026: Christmas Day (Friday) and Boxing Day observed
    (Monday 28) are bank holidays, so the acknowledgement is due Wednesday 30 December."""
    assert clocks.due("solicitor.acknowledge", date(2026, 12, 24)) == date(2026, 12, 30)


@worked("solicitor.records_request")
def test_solicitor_records_request(clocks: ClockSet) -> None:
    """Not in FACTS.md; the clock's source: "UK GDPR Art. 12(3) and Art. 15; Data Protection
    Act 2018 (subject access: one month from receipt)".

    Received 31 January 2027: respond by 28 February 2027 (the month's last day); received
    15 December 2026: by 15 January 2027."""
    assert clocks.due("solicitor.records_request", date(2027, 1, 31)) == date(2027, 2, 28)
    assert clocks.due("solicitor.records_request", date(2026, 12, 15)) == date(2027, 1, 15)


@worked("referral.acknowledge")
def test_referral_acknowledge(clocks: ClockSet) -> None:
    """Not in FACTS.md (practice policy); the clock's source: "Practice policy (service
    standard, not a regulation)": 2 business days, Monday to Friday (no holiday calendar
    unless the practice sets one).

    Received Friday 25 December 2026: due Tuesday 29 December 2026."""
    assert clocks.due("referral.acknowledge", date(2026, 12, 25)) == date(2026, 12, 29)


# ------------------------------------------------------------------ credentials


@worked("credential.renewal")
def test_credential_renewal(clocks: ClockSet) -> None:
    """Not in FACTS.md (practice policy); the clock's source: "Practice policy (act on a
    renewal notice within 30 days)".

    Notice Monday 2 November 2026: act by Wednesday 2 December 2026."""
    assert clocks.due("credential.renewal", date(2026, 11, 2)) == date(2026, 12, 2)


@worked("credential.caqh_reattest")
def test_caqh_reattest(clocks: ClockSet) -> None:
    """FACTS.md: "CAQH ProView: re-attest every **120 days** (180 in Illinois)".

    Attested Tuesday 1 September 2026: next attestation due Wednesday 30 December 2026."""
    assert clocks.due("credential.caqh_reattest", date(2026, 9, 1)) == date(2026, 12, 30)


@worked("credential.ncqa_recredentialing")
def test_ncqa_recredentialing(clocks: ClockSet) -> None:
    """FACTS.md: "Payer recredentialing (NCQA): every **36 months**, no grace period".

    Credentialed 29 February 2024: recredentialing due 28 February 2027."""
    due = clocks.due("credential.ncqa_recredentialing", date(2024, 2, 29))
    assert due == date(2027, 2, 28)


@worked("credential.dea_notice", "credential.dea_reinstatement")
def test_dea_dates(clocks: ClockSet) -> None:
    """FACTS.md: "DEA registration: renewal notice about 65 days before expiry; one calendar
    month to reinstate after expiry".

    Expiry 28 February 2027: notice about 25 December 2026. Expiry 31 January 2027:
    reinstatement possible until 28 February 2027. Both marked VERIFY."""
    assert clocks.due("credential.dea_notice", date(2027, 2, 28)) == date(2026, 12, 25)
    assert clocks.due("credential.dea_reinstatement", date(2027, 1, 31)) == date(2027, 2, 28)
    assert clocks["credential.dea_notice"].verify and clocks["credential.dea_reinstatement"].verify


@worked("credential.gmc_revalidation", "credential.gmc_revalidation_notice")
def test_gmc_revalidation(clocks: ClockSet) -> None:
    """FACTS.md: "GMC (UK doctors): revalidation about every **5 years**, with an annual
    appraisal; notice of the date at least 3 months ahead."

    Revalidated 31 March 2022: next about 31 March 2027. Revalidation date 31 May 2027: the
    GMC's notice due by 28 February 2027."""
    assert clocks.due("credential.gmc_revalidation", date(2022, 3, 31)) == date(2027, 3, 31)
    notice = clocks.due("credential.gmc_revalidation_notice", date(2027, 5, 31))
    assert notice == date(2027, 2, 28)


@worked("credential.hcpc_window_opens", "credential.hcpc_renewal_deadline")
def test_hcpc_window(clocks: ClockSet) -> None:
    """FACTS.md: "HCPC (UK occupational therapists): renew every 2 years, window **1 August –
    31 October of odd years** (next: 2027)".

    Registration renewing by 31 October 2027: the window opens 1 August 2027. From
    24 November 2026 the next close is 31 October 2027; from 1 November 2027 it is
    31 October 2029 (2028 is even); on 31 October 2027 it is that day."""
    assert clocks.due("credential.hcpc_window_opens", date(2027, 10, 31)) == date(2027, 8, 1)
    deadline = "credential.hcpc_renewal_deadline"
    assert clocks.due(deadline, date(2026, 11, 24)) == date(2027, 10, 31)
    assert clocks.due(deadline, date(2027, 11, 1)) == date(2029, 10, 31)
    assert clocks.due(deadline, date(2027, 10, 31)) == date(2027, 10, 31)


# ------------------------------------------------------------------ completeness


def test_every_clock_has_a_worked_example(clocks: ClockSet) -> None:
    """A clock added to rules/clocks.yaml needs a worked example here."""
    missing = sorted(set(clocks) - set(WORKED))
    assert not missing, f"clocks without a worked-example test: {missing}"
    stale = sorted(set(WORKED) - set(clocks))
    assert not stale, f"worked examples for clocks that no longer exist: {stale}"


def test_worked_examples_quote_their_fact() -> None:
    for clock_id, test in WORKED.items():
        doc = test.__doc__ or ""
        assert test.__name__.startswith("test_"), clock_id
        assert doc.count('"') >= 2, f"{test.__name__} quotes no fact"
        assert "FACTS.md" in doc, f"{test.__name__} does not say where its fact comes from"


def test_variants_name_parties_that_exist(clocks: ClockSet) -> None:
    """A variant chosen by party name must name a party in the shipped directory."""
    parties, problems = load_parties([ROOT / "rules" / "parties"])
    assert not problems
    names = {party.name.lower() for party in parties}
    types = {party.attributes.get("payer_type") for party in parties}
    for clock in clocks.values():
        for key, values in clock.when:
            known = names if key == "party" else types
            assert set(values) <= known, (clock.id, key, values)
