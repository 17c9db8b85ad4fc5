"""Letters and drafts, one per purpose: each rendered from a message of the sample mailbox, the
demo practices' ``chief.toml`` and credentials register; the banner, every required field and
section (FACTS.md for the CPR 35 report and the concussion clearance), visible placeholders for
missing facts, addressing to the sender or to the practitioner herself, the rule that produces
each letter, and no patient identity in the logs, the drafts or the case log."""

from __future__ import annotations

import email
import email.policy
import logging
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cli.classify_files import load_layers
from bot.cli.rule_check import check_rules
from bot.clocks.act_by import clock_due
from bot.clocks.clocks import ClockSet
from bot.config import load_config
from bot.errors import UserError
from bot.jobs.catalogue import sync
from bot.keys import draft_marker, marker_of
from bot.letters.drafting import Drafter
from bot.letters.headers import DRAFT_BANNER, reply_subject
from bot.letters.recipients import is_no_reply
from bot.mail.message import Message
from bot.mail.mime import parse_message
from bot.register.register import load_register
from bot.resources import shipped_examples, shipped_templates
from bot.rules.engine import Classification, RuleSet
from bot.rules.facts import stated_facts
from bot.rules.schema import DraftAction, DraftSpec
from bot.store.models import Draft, MessageRow
from bot.sync.matching import identifying_refs
from bot.sync.redrafting import register_context as _register
from bot.sync.runtime import Runtime
from tests.conftest import deliver
from tests.fixtures_postgres import case_log_text
from tests.samples import sample as sample_path

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
EXAMPLES = shipped_examples()
US, GB, INTEGRATIVE = "sports-medicine-us", "occupational-therapy-uk", "integrative-medicine"


@dataclass(frozen=True)
class Letter:
    """One purpose: its template, a sample message that should produce it, and what it holds."""

    template: str
    sample: str  # a file of examples/mailbox/new
    practice: str  # a folder of examples/practices
    to: str  # "sender" or "practitioner"
    rules: frozenset[str]  # rules whose event produces it (at least these)
    fields: tuple[str, ...]  # labels and sections, in this order
    refs: tuple[str, ...] = ()  # refs the sample carries that the letter must show
    placeholders: tuple[str, ...] = ()  # what it shows when nothing is known


INSTRUCTION_RULES = frozenset(
    {
        "solicitor.medico_legal.instruction",
        "solicitor.medico_legal.instruction.forwarded",
        "solicitor.medico_legal.instruction.text",
    }
)
ANNUAL_REVIEW_RULES = frozenset(
    {"local_authority.ehcp.annual_review", "local_authority.ehcp.annual_review.invite"}
)
NEW_REFERRAL_RULES = frozenset(
    {
        "referral.referral.new",
        "referral.referral.new.known_referrer",
        "referral.referral.new.informal",
    }
)

# PD35 para 3.2(1)-(9) and 3.3, in the order FACTS.md lists them.
CPR35_SECTIONS = (
    "QUALIFICATIONS (PD35 para 3.2(1))",
    "LITERATURE AND OTHER MATERIAL RELIED ON (PD35 para 3.2(2))",
    "SUBSTANCE OF MY INSTRUCTIONS (PD35 para 3.2(3))",
    "FACTS WITHIN MY OWN KNOWLEDGE (PD35 para 3.2(4))",
    "EXAMINATIONS, MEASUREMENTS, TESTS AND EXPERIMENTS (PD35 para 3.2(5))",
    "RANGE OF OPINION (PD35 para 3.2(6))",
    "SUMMARY OF CONCLUSIONS (PD35 para 3.2(7))",
    "QUALIFICATIONS TO MY OPINION (PD35 para 3.2(8))",
    "DECLARATION (PD35 para 3.2(9))",
    "STATEMENT OF TRUTH (PD35 para 3.3)",
)
# The six steps of the graduated return to sport (Amsterdam 2022; FACTS.md "Concussion").
RTS_STEPS = (
    "Step 1, symptom-limited activity",
    "Step 2, aerobic exercise (2A light, then 2B moderate; light resistance training may start)",
    "Step 3, individual sport-specific exercise, away from the team environment",
    "Step 4, non-contact training drills",
    "Step 5, full-contact practice",
    "Step 6, return to sport",
)
# The Berlin 2016 table's wording, which the Amsterdam 2022 steps replaced.
BERLIN_2016 = (
    "light aerobic exercise:",
    "resistance training begins",
    "full-contact practice after medical clearance",
)

LETTERS = (
    Letter(
        "payer/prior_auth_chase.j2",
        "0010-aetna-pa-pended",
        US,
        "sender",
        frozenset({"payer.prior_auth.pended"}),
        (
            "Prior authorization request: your reference",
            "Patient / member: as named in your notice of",
            "Service requested:",
            # The notice asked for the records: they are answered as enclosed, not asked for.
            "asked for:\n- the records\n",
            "I enclose this information.",
        ),
        ("pa_ref", "procedure_code"),
        ("[AUTHORIZATION REFERENCE]",),
    ),
    Letter(
        "payer/appeal_request.j2",
        "0027-anthem-claim-denied-co197",
        US,
        "sender",
        frozenset({"payer.prior_auth.denied", "payer.claim.denied", "payer.claim.denied.medicare"}),
        (
            "Request for review of an adverse decision",
            "Claim number:",
            "Patient / member: as named in your notice of",
            "Member ID: [MEMBER ID]",
            "Denial reason code:",
            "Provider: Dr Nathaniel Brandt, NPI [NPI]",
            # The claim lines as the notice states them: DOS, code with modifiers, billed.
            "Claim lines:",
            "- Line 1: date of service 08/27/2026; CPT/HCPCS 20611-RT; ICD-10-CM"
            " [ICD-10-CM CODE]; billed $412.00",
            # The level of review is the one the notice's regime names (its appeal clock).
            "I am writing to request an internal appeal of the decision",
            "[GROUNDS FOR REVIEW",
            "peer-to-peer discussion with the clinical reviewer",
            "same or a similar specialty",
            "copy of the claim file and of the clinical criteria",
            "Enclosed:",
            "- a copy of your decision notice",
        ),
        ("claim_ref", "reason_code", "service_date"),
        (
            "[CLAIM NUMBER]",
            "[MEMBER ID]",
            "[NPI]",
            "CPT/HCPCS [CODE] [MODIFIERS]; ICD-10-CM [ICD-10-CM CODE]; billed [AMOUNT]",
            "[AN INTERNAL APPEAL / A REDETERMINATION",
            "[GROUNDS FOR REVIEW",
        ),
    ),
    Letter(
        "payer/claim_status_inquiry.j2",
        "0064-uhc-claim-co16",
        US,
        "sender",
        frozenset({"payer.claim.denied.missing_information"}),
        ("Claim status query", "Claim number:", "Patient / member:", "Date(s) of service:"),
        ("claim_ref", "service_date"),
        ("[CLAIM NUMBER]",),
    ),
    Letter(
        "solicitor/instruction_ack.j2",
        "0004-hl-letter-of-instruction",
        GB,
        "sender",
        INSTRUCTION_RULES,
        (
            "Your reference:",
            "Claimant / client: as named in your letter",
            "I confirm receipt.",
            "on the following terms:",
            "CPR Part 35",
            "Please confirm your agreement to these terms",
        ),
        ("solicitor_ref",),
        ("[FEE TERMS", "[DATE]"),
    ),
    Letter(
        "solicitor/expert_report_skeleton.j2",
        "0004-hl-letter-of-instruction",
        GB,
        "practitioner",
        INSTRUCTION_RULES,
        (
            "EXPERT REPORT",
            "Claimant: [CLAIMANT NAME AND DATE OF BIRTH]",
            "On the instructions of:",
            "Expert:",
            "Date of instruction:",
            "This report is addressed to the court",
            *CPR35_SECTIONS,
            "Signed: [SIGNATURE]",
            "Date: [DATE SIGNED]",
        ),
        ("solicitor_ref",),
        (
            "[INSTRUCTING PARTY]",
            "[INSTRUCTING PARTY REFERENCE]",
            "[DATE OF INSTRUCTION]",
            "[EXPERT NAME]",
            "[QUALIFICATIONS]",
            "[PROFESSIONAL REGISTRATION AND NUMBER]",
        ),
    ),
    Letter(
        "solicitor/records_request_response.j2",
        "0015-mtl-records-request",
        GB,
        "sender",
        frozenset({"solicitor.medico_legal.records_request"}),
        (
            "Your reference:",
            "signed and dated authority",
            "the period and type of records required",
            "does not confirm whether any records are held",
        ),
        ("solicitor_ref",),
        (),
    ),
    Letter(
        "local_authority/ehcp_advice_ack.j2",
        "0003-surrey-ehc-advice",
        GB,
        "sender",
        frozenset({"local_authority.ehcp.advice_request"}),
        (
            "Your reference:",
            "Child or young person: as named in your request",
            "I confirm receipt. I will provide my advice by",
        ),
        ("ehcp_ref",),
        ("[DATE: six weeks",),
    ),
    Letter(
        "local_authority/ehcp_advice_skeleton.j2",
        "0003-surrey-ehc-advice",
        GB,
        "practitioner",
        frozenset({"local_authority.ehcp.advice_request"}),
        (
            "ADVICE FOR AN EDUCATION, HEALTH AND CARE NEEDS ASSESSMENT",
            "Local authority:",
            "Local authority reference:",
            "Child or young person: [NAME AND DATE OF BIRTH]",
            "Advice requested on:",
            "Advice due by:",
            "Advice given by:",
            "Professional registration:",
            "Contact:",
            "1. SOURCES OF INFORMATION",
            "2. NEEDS (for sections B, C and D of the plan)",
            "3. OUTCOMES (for section E)",
            "4. PROVISION (for sections F, G and H)",
            "Signed: [SIGNATURE]",
        ),
        ("ehcp_ref",),
        (
            "[LOCAL AUTHORITY]",
            "[LOCAL AUTHORITY REFERENCE]",
            "[DATE OF REQUEST]",
            "[DATE: six weeks",
            "[PROFESSIONAL REGISTRATION AND NUMBER]",
        ),
    ),
    Letter(
        "local_authority/annual_review_ack.j2",
        "0007-bristol-annual-review",
        GB,
        "sender",
        ANNUAL_REVIEW_RULES,
        (
            "Your reference:",
            "Meeting:",
            # the date is the council's circulation deadline (reg 20(3)), not the contributor's
            "I will send my written advice in time for you to circulate it at least two weeks"
            " before the meeting",
            "that is before",
            "If you need it by an earlier date",
        ),
        ("ehcp_ref", "meeting_date"),
        ("[MEETING DATE]", "[DATE: at least two weeks"),
    ),
    Letter(
        "local_authority/annual_review_contribution.j2",
        "0007-bristol-annual-review",
        GB,
        "practitioner",
        ANNUAL_REVIEW_RULES,
        (
            "ANNUAL REVIEW OF AN EDUCATION, HEALTH AND CARE PLAN: CONTRIBUTION",
            "Local authority reference:",
            "Child or young person: [NAME AND DATE OF BIRTH]",
            "Review meeting:",
            "Contribution due by:",
            "Contribution from:",
            "PROGRESS TOWARDS THE OUTCOMES IN THE PLAN",
            "WHETHER THE OUTCOMES REMAIN APPROPRIATE",
            "CHANGES IN NEEDS",
            "PROVISION",
            "PREPARING FOR ADULTHOOD",
            "RECOMMENDATION",
            "Signed: [SIGNATURE]",
        ),
        ("ehcp_ref", "meeting_date"),
        ("[LOCAL AUTHORITY REFERENCE]", "[MEETING DATE]", "[DATE: at least two weeks"),
    ),
    Letter(
        "referral/referral_ack.j2",
        "0018-ortho-referral-acl",
        US,
        "sender",
        NEW_REFERRAL_RULES,
        ("Your reference:", "Patient: as named in your referral of", "I confirm receipt."),
        ("referral_ref",),
        (),
    ),
    Letter(
        "referral/outcome_letter.j2",
        "0018-ortho-referral-acl",
        US,
        "sender",
        NEW_REFERRAL_RULES,
        (
            "Your reference:",
            "Patient: as named in your referral of",
            "Referral received:",
            "Seen on: [DATE(S) OF ASSESSMENT]",
            "Assessment: [FINDINGS]",
            "Diagnosis or working impression:",
            "Plan:",
            "Action requested of you:",
            "Follow-up:",
        ),
        ("referral_ref",),
        ("[DATE OF REFERRAL]", "[PRACTICE EMAIL]", "[FINDINGS]"),
    ),
    Letter(
        "team/liaison.j2",
        "0045-cpu-injury-report",
        US,
        "sender",
        frozenset({"team.team.injury_report", "team.team.injury_report.clearance"}),
        (
            "Athlete: as named in your report of",
            "Sport:",
            "Date of injury:",
            "I can see the athlete on [DATE AND TIME OFFERED]",
            "agreed that I may share information with the team",
        ),
        (),
        ("[DATE AND TIME OFFERED]", "[CLINIC ADDRESS]", "[PHONE]", "[EMAIL]"),
    ),
    Letter(
        "team/clearance_letter.j2",
        "0051-rchs-concussion-report",
        US,
        "sender",
        frozenset({"team.team.injury_report.clearance"}),
        # Every element FACTS.md lists for a clearance letter, in the letter's order.
        (
            "MEDICAL CLEARANCE: RETURN TO PLAY AFTER CONCUSSION",
            "Athlete: [ATHLETE NAME]",
            "Date of birth: [DATE OF BIRTH]",
            "Sport and level:",
            "Date of injury:",
            "Mechanism of injury: [MECHANISM OF INJURY]",
            "Evaluation date(s): [DATE(S) OF EVALUATION]",
            "Symptom-free since: [DATE SYMPTOM-FREE]",
            "Exertion testing: [EXERTION TEST",
            "Assessment tool: [SCAT6 / SCOAT6",
            "Return to learn: [COMPLETED",
            "Graduated return to sport (Amsterdam 2022",
            "Return to learn comes first.",
            "at least 24 hours",
            *RTS_STEPS,
            "The athlete has completed steps 1 to 3 without symptoms returning, as reported",
            "I certify no step beyond these.",
            "Clearance: [CHOOSE ONE:",
            '"Cleared to progress through steps 4 to 6, at least 24 hours per step',
            "Full-contact practice (step 5) must be completed without symptoms before any"
            " competition.",
            "cleared to return to sport, including competition.",
            "Cleared with these restrictions: [RESTRICTIONS",
            "If any symptom returns, the athlete must stop, drop back to the last step completed"
            " without symptoms, and be re-evaluated",
            "Clinician:",
            "Credential:",
            "License or registration:",
            "Practice:",
            "Address:",
            "Telephone:",
            "Email:",
            "Signature: [SIGNATURE]",
            "Date: [DATE SIGNED]",
        ),
        ("sport", "injury_date"),
        (
            "[SPORT AND LEVEL]",
            "[DATE OF INJURY]",
            "[CLINICIAN NAME]",
            "[CREDENTIAL]",
            "[LICENSE OR REGISTRATION NUMBER]",
            "[PRACTICE NAME]",
            "[ADDRESS]",
            "[PHONE]",
            "[EMAIL]",
        ),
    ),
    Letter(
        "lab/result_followup.j2",
        "0021-quest-results",
        US,
        "practitioner",
        frozenset({"lab.lab_result.results_ready"}),
        ("Dear [PATIENT NAME],", "Your test results from", "have come back.", "[CHOOSE ONE:"),
        ("order_ref",),
        ("[LABORATORY]", "[ORDER OR ACCESSION NUMBER]", "[DATE RECEIVED]", "[PHONE]"),
    ),
    Letter(
        "supplier/supplement_reorder.j2",
        "0014-metagenics-backorder",
        INTEGRATIVE,
        "sender",
        frozenset(
            {"supplier.supplement_order.stock", "supplier.supplement_order.reorder_reminder"}
        ),
        (
            "Your order number:",
            # The product and quantity the notice names, for the practitioner to check.
            "- Probiotic blend 50B, 60 capsules, quantity 12",
            "back-order",
            "Delivery address:",
            "Please confirm the order",
        ),
        ("order_ref",),
        ("[PRODUCT, SIZE AND QUANTITY]", "[DELIVERY ADDRESS]"),
    ),
)
IDS = [letter.template for letter in LETTERS]


# --- fixtures and helpers -------------------------------------------------------------------


@pytest.fixture(scope="module")
def layers() -> tuple[RuleSet, ClockSet]:
    rules, clocks = load_layers([])
    assert not rules.problems, rules.problems
    return rules, clocks


def _practice_home(root: Path, practice: str) -> Path:
    """A practice folder made from a demo practice: its chief.toml, register and a Maildir."""
    source = EXAMPLES / "practices" / practice
    root.mkdir(parents=True, exist_ok=True)
    for name in ("chief.toml", "register.yaml"):
        shutil.copyfile(source / name, root / name)
    for sub in ("cur", "new", "tmp"):
        (root / "Maildir" / sub).mkdir(parents=True, exist_ok=True)
    return root


@pytest.fixture(scope="module")
def runtimes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Runtime]]:
    """A runtime per demo practice, each in its own folder (nothing written to examples/)."""
    out = {}
    for practice in (US, GB, INTEGRATIVE):
        home = _practice_home(tmp_path_factory.mktemp(practice), practice)
        out[practice] = Runtime.from_config(load_config(home / "chief.toml"), today=TODAY)
    yield out
    for rt in out.values():
        rt.close()
        rt.engine.dispose()


def sample(name: str) -> Message:
    path = sample_path(name)
    assert path.is_file(), f"sample message {name} is missing from the sample mailboxes"
    return parse_message(path.read_bytes(), name)


def context_for(
    rt: Runtime, message: Message, result: Classification, clocks: ClockSet
) -> dict[str, Any]:
    """The context planning builds, but with the patient refs left in: the drafter must drop
    them itself."""
    case_refs = identifying_refs(result.refs)
    deadline = None
    for action in result.deadline_actions:
        received = (message.date or NOW).astimezone(rt.tz)
        due = result.stated_deadline or clock_due(
            clocks, action.deadline, result.refs, received, rt.config.practice.country == "GB"
        )
        if due is not None:
            deadline = {"due": due, "clock": action.deadline.clock, "title": "deadline"}
            break
    return {
        "practice": rt.practice_context(),
        "case": {
            "kind": result.case_kind,
            "status": "open",
            "reference": next(iter(case_refs.values()), None),
            "refs": case_refs,
            "opened": TODAY,
        },
        "refs": dict(result.refs),
        "deadline": deadline,
        "today": TODAY,
        "register": _register(rt),
        "facts": stated_facts(message.text, message.calendar_parts, message.date),
    }


def render(
    rt: Runtime, letter: Letter, message: Message, context: dict[str, Any]
) -> email.message.EmailMessage:
    draft = rt.drafter.render_reply(
        letter.template,
        message,
        context,
        "key-" + letter.template.replace("/", "-"),
        rt.practitioner,
        now=NOW,
        to="practitioner" if letter.to == "practitioner" else "sender",
    )
    parsed = email.message_from_bytes(draft.raw, policy=email.policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    return parsed


def body_of(msg: email.message.EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def assert_in_order(body: str, fields: tuple[str, ...]) -> None:
    at = 0
    for field in fields:
        found = body.find(field, at)
        assert found >= 0, f"{field!r} missing (or out of order)"
        at = found + len(field)


def assert_clean(body: str) -> None:
    """Banner first; no Python None, no undefined, no labelled field left empty."""
    lines = body.splitlines()
    assert lines[0] == DRAFT_BANNER
    assert not re.search(r'(?<!")\bNone\b(?!")', body), "a None rendered"
    assert "undefined" not in body.lower()
    assert "[]" not in body and "{{" not in body and "{%" not in body
    label = r"[A-Z][A-Za-z/()',-]*(?: [A-Za-z/()',-]+){0,4}:"  # "Date of injury:"
    for index, line in enumerate(lines):
        # A label with nothing after it must introduce the next line (a list), never stand empty.
        if re.fullmatch(label + r"\s*", line):
            following = lines[index + 1] if index + 1 < len(lines) else ""
            assert following.strip(), f"empty field {line!r}"
        assert not re.fullmatch(label + r"\s*[,.;].*", line), f"empty field {line!r}"


# --- every letter, from realistic case data ---------------------------------------------------


@pytest.mark.parametrize("letter", LETTERS, ids=IDS)
def test_letter_from_the_sample_case(
    letter: Letter, runtimes: dict[str, Runtime], layers: tuple[RuleSet, ClockSet]
) -> None:
    rules, clocks = layers
    rt = runtimes[letter.practice]
    message = sample(letter.sample)
    result = rules.classify(message)
    assert result.rule_id in letter.rules, f"{letter.sample} classified by {result.rule_id}"
    wanted = [a.draft for a in result.draft_actions if a.draft.template == letter.template]
    assert wanted and wanted[0].to == letter.to, f"{result.rule_id} does not draft {letter}"

    msg = render(rt, letter, message, context_for(rt, message, result, clocks))
    body = body_of(msg)
    assert_clean(body)
    assert_in_order(body, letter.fields)
    for name in letter.refs:
        assert result.refs.get(name), f"{letter.sample} carries no {name}"
        assert result.refs[name] in body, name

    # addressing: from the practitioner, threaded under the original, to the right person
    practitioner = rt.practitioner[1]
    assert msg["From"].addresses[0].addr_spec == practitioner
    expected_to = practitioner if letter.to == "practitioner" else message.from_addr.lower()
    if letter.to == "sender" and message.reply_to:
        expected_to = message.reply_to.lower()
    if letter.to == "sender" and is_no_reply(expected_to):
        assert msg["To"] is None and "reads no replies" in body
    else:
        assert str(msg["To"]) == expected_to
    assert msg["In-Reply-To"] == message.message_id
    assert msg["Subject"] == reply_subject(message.subject)
    assert ("addressed to you only" in body) is (letter.to == "practitioner")

    # the patient stays a placeholder: never templated from the mail
    for private in ("patient", "dob"):
        value = result.refs.get(private)
        if value:
            assert value not in body, f"{private} templated into {letter.template}"


@pytest.mark.parametrize("letter", LETTERS, ids=IDS)
def test_letter_with_nothing_known_shows_placeholders(
    letter: Letter, runtimes: dict[str, Runtime]
) -> None:
    rt = runtimes[letter.practice]
    message = replace(sample(letter.sample), from_name="", date=None)
    context = {"practice": {"country": rt.config.practice.country}, "refs": {}, "today": TODAY}
    body = body_of(render(rt, letter, message, context))
    assert_clean(body)
    for placeholder in letter.placeholders:
        assert placeholder in body, placeholder
    if letter.to == "sender":
        assert "Dear Sir or Madam," in body


def test_every_letter_is_shipped_and_wired(layers: tuple[RuleSet, ClockSet]) -> None:
    rules, _ = layers
    drafts: dict[str, dict[str, str]] = {}
    for rule in rules.rules:
        for action in rule.actions:
            if isinstance(action, DraftAction):
                drafts.setdefault(action.draft.template, {})[rule.id] = action.draft.to
    for letter in LETTERS:
        assert (shipped_templates() / letter.template).is_file(), letter.template
        wired = drafts.get(letter.template, {})
        missing = letter.rules - set(wired)
        assert not missing, f"{letter.template} not drafted by {sorted(missing)}"
        assert {wired[r] for r in letter.rules} == {letter.to}, letter.template


# --- the CPR 35 report and the concussion clearance, against FACTS.md -----------------------


def _render_sample(
    letter_template: str, practice: str, runtimes: dict[str, Runtime], layers: Any
) -> str:
    rules, clocks = layers
    letter = next(x for x in LETTERS if x.template == letter_template)
    letter = replace(letter, practice=practice)
    rt = runtimes[practice]
    message = sample(letter.sample)
    result = rules.classify(message)
    return body_of(render(rt, letter, message, context_for(rt, message, result, clocks)))


PD35_DECLARATION = (
    "I understand that my duty is to help the court on matters within my expertise, and that"
    " this duty overrides any obligation to the person from whom I have received instructions"
    " or by whom I am paid. I have complied with that duty. I am aware of the requirements of"
    " Part 35 of the Civil Procedure Rules, Practice Direction 35 and the Guidance for the"
    " Instruction of Experts in Civil Claims 2014."
)
PD35_STATEMENT_OF_TRUTH = (
    "I confirm that I have made clear which facts and matters referred to in this report are"
    " within my own knowledge and which are not. Those that are within my own knowledge I"
    " confirm to be true. The opinions I have expressed represent my true and complete"
    " professional opinions on the matters to which they refer.\n\nI understand that"
    " proceedings for contempt of court may be brought against anyone who makes, or causes to"
    " be made, a false statement in a document verified by a statement of truth without an"
    " honest belief in its truth."
)


def assert_pd35_wording(body: str) -> None:
    """PD35 3.2(9) and 3.3 printed verbatim (the draft's 76-column lines rejoined), after the
    note to check them, and no placeholder in their place."""
    joined = re.sub(r"(?<=\S)\n(?=\S)", " ", body)
    declaration = joined.split("DECLARATION (PD35 para 3.2(9))", 1)[1]
    assert declaration.lstrip().startswith("[Internal note, delete before signing: the declaration")
    assert "check them against the current PD35" in declaration
    assert PD35_DECLARATION in declaration
    truth = joined.split("STATEMENT OF TRUTH (PD35 para 3.3)", 1)[1]
    assert truth.lstrip().startswith(PD35_STATEMENT_OF_TRUTH.replace("\n\n", "\n\n"))
    assert "[STATEMENT OF TRUTH" not in body and "[DECLARATION" not in body


@pytest.mark.parametrize("practice", [GB, US])
def test_expert_report_follows_pd35(
    practice: str, runtimes: dict[str, Runtime], layers: Any
) -> None:
    body = _render_sample("solicitor/expert_report_skeleton.j2", practice, runtimes, layers)
    # FACTS.md, "England and Wales: expert reports": each required content, in a section
    for element in (
        "qualifications",
        "literature",
        "substance of all facts and instructions",
        "within your own knowledge",
        "who carried it out",
        "range of opinion",
        "summary of the conclusions",
        "without qualification",
        "conflict of interest",
    ):
        assert element in body.lower() or element.upper() in body, element
    assert body.index("SUMMARY\n") < body.index("1. MY QUALIFICATIONS")
    # the declaration (3.2(9)) and the statement of truth (3.3) in the Practice Direction's
    # words, verbatim, with the note to check them against the current Practice Direction
    assert_pd35_wording(body)
    # qualifications come from the practice's config and register
    rt = runtimes[practice]
    assert f"Qualifications: {rt.config.practice.credentials}" in body
    for cred in load_register(rt.config.resolve(rt.config.practice.register_file or "")):
        shown = cred.kind in ("state_licence", "board_certification", "gmc", "hcpc")
        assert (f"- {cred.name}, " in body) is shown, cred.name
        if shown and cred.number:
            assert f"number {cred.number}" in body
    assert "addressed to the court, not to the party" in body


@pytest.mark.parametrize(
    ("practice", "title", "licence"),
    [(US, "RETURN TO PLAY", "License"), (GB, "RETURN TO SPORT", "Licence")],
)
def test_clearance_letter_holds_every_facts_element(
    practice: str, title: str, licence: str, runtimes: dict[str, Runtime], layers: Any
) -> None:
    body = _render_sample("team/clearance_letter.j2", practice, runtimes, layers)
    rt = runtimes[practice]
    p = rt.config.practice
    assert f"MEDICAL CLEARANCE: {title} AFTER CONCUSSION" in body
    assert f"{licence} or registration:" in body
    assert_in_order(body, RTS_STEPS)
    # filled from the team's message: sport and level, date of injury
    assert "Sport and level: varsity volleyball" in body
    assert "Date of injury: 10/13/2026" in body
    # clinician's name, credential, contact, from the practice's configuration
    assert f"Clinician: {p.practitioner}" in body
    assert f"Credential: {p.credentials}" in body
    assert f"Telephone: {p.phone}" in body
    assert f"Email: {p.email}" in body
    assert f"Address: {p.address}" in body
    licences = [
        c
        for c in load_register(rt.config.resolve(p.register_file or ""))
        if c.kind in ("state_licence", "gmc", "hcpc")
    ]
    assert licences, "the demo register should hold a licence or registration"
    for cred in licences:
        assert f"- {cred.name}, {cred.issuer}, number {cred.number or '[NUMBER]'}" in body
    # Amsterdam 2022, not the Berlin 2016 table
    assert_in_order(body, RTS_STEPS)
    for berlin in BERLIN_2016:
        assert berlin not in body, berlin
    # certified only what the team's message reports (steps 1-3), never a step not yet done
    assert body.count("completed without symptoms returning, as reported") == 3
    assert body.count("not yet completed") == 3
    assert "Step 4, non-contact training drills: not yet completed" in body
    assert "UP TO AND INCLUDING STEP" not in body
    # competition only after symptom-free full-contact practice; the recurrence instruction
    assert "including full-contact practice and competition" not in body
    assert "before any competition" in body
    assert "stop, drop back to the last step completed without symptoms, and be re-evaluated" in (
        body
    )
    assert "Return to learn:" in body
    # the UK grassroots 21-day rule for a UK practice only
    day21 = "No competitive sport before day 21 after the injury"
    assert (day21 in body) is (practice == GB)
    assert ("If in doubt, sit them out" in body) is (practice == GB)
    assert "[CHOOSE ONE:" in body


# --- practice configuration, register and spelling ---------------------------------------------


@pytest.mark.parametrize("practice", [US, GB, INTEGRATIVE])
def test_instruction_ack_carries_the_fee_terms_from_config(
    practice: str, runtimes: dict[str, Runtime], layers: Any
) -> None:
    body = _render_sample("solicitor/instruction_ack.j2", practice, runtimes, layers)
    terms = runtimes[practice].config.practice.fee_terms
    if terms:
        assert terms in body and "[FEE TERMS" not in body
    else:
        assert "[FEE TERMS: fee for the report" in body


@pytest.mark.parametrize(
    ("practice", "good", "bad"),
    [(US, "authorization", "authorisation"), (GB, "authorisation", "authorization")],
)
def test_payer_letters_spell_for_the_practice(
    practice: str, good: str, bad: str, runtimes: dict[str, Runtime], layers: Any
) -> None:
    # (The appeal sample names no authorisation: its letter has no line to spell.)
    for template in ("payer/prior_auth_chase.j2",):
        body = _render_sample(template, practice, runtimes, layers).lower()
        assert good in body and bad not in body, template


def test_register_entries_expired_and_unnumbered(runtimes: dict[str, Runtime]) -> None:
    rt = runtimes[US]
    letter = next(x for x in LETTERS if x.template == "team/clearance_letter.j2")
    register = [
        {
            "kind": "state_licence",
            "name": "Old licence",
            "issuer": "Board",
            "number": "1",
            "expires": date(2026, 1, 31),
        },
        {
            "kind": "hcpc",
            "name": "HCPC",
            "issuer": "",
            "number": None,
            "expires": date(2027, 10, 31),
        },
        {
            "kind": "dea",
            "name": "DEA registration",
            "issuer": "DEA",
            "number": "X",
            "expires": date(2028, 1, 1),
        },
    ]
    context = {"practice": rt.practice_context(), "refs": {}, "register": register, "today": TODAY}
    body = body_of(render(rt, letter, sample(letter.sample), context))
    # (a US practice: the date reads the US way)
    expired = (
        "- Old licence, Board, number 1 [CHECK: the register shows this expired on January 31,"
    )
    assert expired in body
    assert "- HCPC, number [NUMBER]" in body
    assert "DEA" not in body  # not a licence to practise


def test_register_is_read_from_the_practice_and_reread_when_changed(tmp_path: Path) -> None:
    home = _practice_home(tmp_path / "p", US)
    rt = Runtime.from_config(load_config(home / "chief.toml"), today=TODAY)
    try:
        first = _register(rt)
        assert first
        assert {c["name"] for c in first} == {c.name for c in load_register(home / "register.yaml")}
        (home / "register.yaml").write_text(
            "credentials:\n  - id: gmc\n    kind: gmc\n    name: GMC licence to practise\n"
            '    number: "7654321"\n    expires: 2030-01-31\n'
        )
        assert [c["number"] for c in _register(rt)] == ["7654321"]
        (home / "register.yaml").write_text("credentials: [")  # broken: no entries, no error
        assert _register(rt) == []
    finally:
        rt.close()
        rt.engine.dispose()


# --- the `to:` of a draft action -------------------------------------------------------------


def test_draft_to_defaults_to_the_sender_and_accepts_the_practitioner() -> None:
    assert DraftSpec(template="a/b.j2").to == "sender"
    assert DraftSpec(template="a/b.j2", to="practitioner").to == "practitioner"
    with pytest.raises(ValidationError):
        DraftSpec.model_validate({"template": "a/b.j2", "to": "patient@example.org"})


def test_a_wrong_draft_to_is_reported_with_file_and_line(tmp_path: Path) -> None:
    pack = tmp_path / "mine.yaml"
    pack.write_text(
        "pack: mine\nrules:\n  - id: mine.x.y\n    category: lab\n"
        "    match: {subject_any: [zz]}\n    actions:\n"
        "      - draft: {template: lab/result_followup.j2, to: everyone}\n"
    )
    problems = check_rules([tmp_path])["problems"]
    assert any(p.startswith(f"{pack}:") and "to" in p for p in problems), problems


def test_to_self_draft_to_a_no_reply_sender_needs_no_warning() -> None:
    message = replace(sample("0021-quest-results"), from_addr="no-reply@lab.example")
    drafter = Drafter([])
    args = ("lab/result_followup.j2", message, {"refs": {}}, "k1", ("Dr A", "a@practice.example"))
    to_self = drafter.render_reply(*args, now=NOW, to="practitioner")
    parsed = email.message_from_bytes(to_self.raw, policy=email.policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    assert str(parsed["To"]) == "a@practice.example"
    assert parsed["In-Reply-To"] == message.message_id
    assert "reads no replies" not in body_of(parsed)
    to_sender = drafter.render_reply(*args, now=NOW)
    parsed = email.message_from_bytes(to_sender.raw, policy=email.policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    assert parsed["To"] is None  # never a draft to an address that reads nothing
    assert "reads no replies: add the recipient" in body_of(parsed)


# --- through the pipeline: drafts in Drafts, addressed, and no patient identity in logs -----


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Each demo practice fed the sample messages of its own letters (a rule's drafts are for
    practices of its country: a US practice gets no EHCP skeleton), synced once with the debug
    log captured."""
    out: dict[str, Any] = {
        "practitioner": {},
        "errors": [],
        "drafts": {},
        "rows": [],
        "log": "",
        "database": "",
        "samples": {},
    }
    for practice in sorted({letter.practice for letter in LETTERS}):
        home = _practice_home(tmp_path_factory.mktemp("synced"), practice)
        # A practice of its own: in the PostgreSQL pass it shares the module's case log with
        # the runtimes above, and one practice has one pseudonym key.
        config = home / "chief.toml"
        text = config.read_text()
        config.write_text(re.sub(r'(?m)^slug = ".*"', f'slug = "synced-{practice}"', text, count=1))
        names = sorted({letter.sample for letter in LETTERS if letter.practice == practice})
        for name in names:
            deliver(home, name, sample_path(name).read_bytes())
        handler = _Collect()
        root = logging.getLogger()
        level = root.level
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)
        try:
            rt = Runtime.from_config(load_config(home / "chief.toml"), today=TODAY)
            report = sync(rt)
        finally:
            root.removeHandler(handler)
            root.setLevel(level)
        for path in (home / "Maildir" / ".Drafts" / "cur").iterdir():
            msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            assert isinstance(msg, email.message.EmailMessage)
            out["drafts"][str(marker_of(msg["Message-ID"]))] = msg
        with Session(rt.engine) as session:
            out["rows"].extend(
                session.execute(
                    select(Draft.key, Draft.template, Draft.state, MessageRow.message_id).join(
                        MessageRow, MessageRow.id == Draft.message_id
                    )
                ).all()
            )
        out["practitioner"][practice] = rt.practitioner[1]
        rt.close()
        rt.engine.dispose()  # as at the end of a run: the write-ahead log is checkpointed
        out["errors"].extend(report.errors)
        out["log"] += "\n".join(handler.lines) + "\n"
        out["database"] += case_log_text(home)
        out["samples"].update({name: sample(name) for name in names})
    yield out


def test_pipeline_drafts_every_letter_addressed(synced: dict[str, Any]) -> None:
    assert synced["errors"] == [], synced["errors"]
    by_message: dict[tuple[str | None, str], tuple[str, str]] = {
        (row.message_id, row.template): (row.key, row.state) for row in synced["rows"]
    }
    for letter in LETTERS:
        practitioner = synced["practitioner"][letter.practice]
        original = synced["samples"][letter.sample]
        key, state = by_message[(original.message_id, letter.template)]
        assert state == "written", letter.template
        msg = synced["drafts"][draft_marker(key)]
        to = str(msg["To"])
        if letter.to == "practitioner":
            assert to == practitioner, letter.template
        elif is_no_reply(original.reply_to or original.from_addr):
            # No draft to an address that reads nothing: none, and the draft says why.
            assert msg["To"] is None, letter.template
            assert "reads no replies" in body_of(msg), letter.template
        else:
            assert to == (original.reply_to or original.from_addr).lower(), letter.template
        assert msg["In-Reply-To"] == original.message_id
        assert body_of(msg).startswith(DRAFT_BANNER)


def test_patient_identity_never_in_logs_drafts_or_case_log(
    synced: dict[str, Any], layers: tuple[RuleSet, ClockSet]
) -> None:
    rules, _ = layers
    names = set()
    for message in synced["samples"].values():
        refs = rules.classify(message).refs
        names |= {refs[k] for k in ("patient", "dob") if len(refs.get(k, "")) >= 6}
    assert len(names) >= 8, "the samples should carry patient identities to test with"
    assert synced["log"], "the debug log was not captured"
    # The Subject echoes the sender's own subject (Re: ...); every other header and the body
    # are ours, and the patient is a placeholder in them.
    drafts = [
        (body_of(msg), [str(v) for k, v in msg.items() if k.lower() != "subject"])
        for msg in synced["drafts"].values()
    ]
    leaks = set()
    for name in names:
        if name in synced["log"]:
            leaks.add("log")
        if name in synced["database"]:
            leaks.add("case log")
        for body, headers in drafts:
            if name in body:
                leaks.add("draft body")
            if any(name in value for value in headers):
                leaks.add("draft headers")
    assert not leaks, f"patient identity found in: {sorted(leaks)}"  # never print the names


# --- records requests: UK subject access, US HIPAA ------------------------------------------


def _render_message(
    template: str, sample_name: str, practice: str, runtimes: dict[str, Runtime], layers: Any
) -> str:
    rules, clocks = layers
    rt = runtimes[practice]
    message = sample(sample_name)
    result = rules.classify(message)
    assert any(a.draft.template == template for a in result.draft_actions), result.rule_id
    letter = Letter(template, sample_name, practice, "sender", frozenset(), ())
    return body_of(render(rt, letter, message, context_for(rt, message, result, clocks)))


def _joined(body: str) -> str:
    return re.sub(r"(?<=\S)\n(?=\S)", " ", body)


def test_uk_subject_access_reply_charges_no_fee(runtimes: dict[str, Runtime], layers: Any) -> None:
    body = _joined(
        _render_message(
            "solicitor/records_request_response.j2",
            "0015-mtl-records-request",
            GB,
            runtimes,
            layers,
        )
    )
    for required in (
        "within one month of receipt of your request (UK GDPR Art. 12(3))",
        "extended by up to two further months",
        "No fee is charged for a subject access request (Art. 12(5))",
        "signed and dated authority enclosed",  # the firm enclosed it: not asked for again
        "DPA 2018 Sch 3 Pt 2",
    ):
        assert required in body, required
    for wrong in ("[FEE", "HIPAA", "164.5", "your state's law", "Copying charges"):
        assert wrong not in body, wrong
    assert "- the person's signed and dated authority" not in body


def test_us_records_reply_holds_the_hipaa_elements(
    runtimes: dict[str, Runtime], layers: Any
) -> None:
    body = _joined(
        _render_message(
            "solicitor/records_request_response.j2",
            "0049-bc-records-request-us",
            US,
            runtimes,
            layers,
        )
    )
    # 45 CFR 164.508(c): the core elements and required statements of a valid authorization
    for element in (
        "45 CFR 164.508(c)",
        "a specific description of the information to be disclosed",
        "the name of the person or practice authorized to disclose it",
        "the name of the person or organization it may be disclosed to",
        "the purpose of the disclosure",
        "an expiration date or event",
        "the patient's signature and its date",
        "may be revoked in writing",
        "not conditioned on signing it",
        "may be redisclosed and no longer protected",
        # the firm says the authorization is enclosed, and asks for certified copies
        "Thank you for the authorization enclosed",
        "custodian-of-records certification",
        # 45 CFR 164.524: 30 days, one 30-day extension with written notice, cost-based fee
        "45 CFR 164.524(c)(3)",
        "within 30 days of receiving the request",
        "tell you in writing within those 30 days why",
        "one extension of up to 30 days",
        "Only a reasonable, cost-based fee",
    ):
        assert element in body, element
    for wrong in ("UK GDPR", "Art. 12", "[FEE", "subject access", "authoris", "organis"):
        assert wrong not in body, wrong


def test_cpr35_questions_draft_the_answers_to_the_expert(
    runtimes: dict[str, Runtime], layers: Any
) -> None:
    rules, clocks = layers
    message = sample("0040-pg-part35-questions")
    result = rules.classify(message)
    assert result.rule_id == "solicitor.medico_legal.part35_questions"
    drafts = [a.draft for a in result.draft_actions]
    assert [(d.template, d.to) for d in drafts] == [("solicitor/cpr35_answers.j2", "practitioner")]
    rt = runtimes[GB]
    letter = Letter("solicitor/cpr35_answers.j2", "0040-pg-part35-questions", GB, "practitioner",
                    frozenset(), ())  # fmt: skip
    msg = render(rt, letter, message, context_for(rt, message, result, clocks))
    body = body_of(msg)
    assert_clean(body)
    assert str(msg["To"]) == rt.practitioner[1]
    assert msg["Subject"] == reply_subject(message.subject)  # in the questions' thread
    assert_in_order(
        body,
        (
            "ANSWERS TO WRITTEN QUESTIONS (CPR 35.6)",
            "reference PG/CN/22871",
            "Report: my report dated 19 October 2026",  # as the firm's letter states it
            "Questions put by: [THE PARTY WHO PUT THE QUESTIONS]",
            "Answers due:",
            "for the purpose of clarifying my report",
            "treated as part of my report (CPR 35.6(3))",
            "send them to all parties",
            "Question 1: [THE QUESTION, AS PUT]",
            "Answer: [YOUR ANSWER",
            "DECLARATION (PD35 para 3.2(9))",
            "STATEMENT OF TRUTH (PD35 para 3.3)",
            "Signed: [SIGNATURE]",
        ),
    )
    assert "more than 28 days after the report was served" in _joined(body)
    assert_pd35_wording(body)


# --- the rest of AUDIT.md section 2: each letter's required elements ----------------------------

AUDIT_ELEMENTS = [
    # (template, sample, practice, required, absent)
    (
        "solicitor/instruction_ack.j2",
        "0004-hl-letter-of-instruction",
        GB,
        (
            "as a single joint expert",
            "the court, claim number and track",
            "the date for exchange of reports",
            "the issues you wish me to address",
            "My fee does not depend on the outcome of the case.",
            "privacy notice",
            "fixed recoverable costs",
        ),
        (),
    ),
    (
        "local_authority/ehcp_advice_skeleton.j2",
        "0003-surrey-ehc-advice",
        GB,
        (
            "views, interests and aspirations of the child or young person and their parents",
            "Special educational needs (section B):",
            "Health needs related to the special educational needs (section C):",
            "Social care needs (section D):",
            "SMART",
            "Special educational provision (section F):",
            "direct therapy or a programme others deliver",
            "belongs in section F, where it is enforceable",
            "s.21(5)",
            "6. CONSENT AND SHARING",
        ),
        ("program ",),
    ),
    (
        "local_authority/annual_review_contribution.j2",
        "0007-bristol-annual-review",
        GB,
        (
            "The views of the child or young person and their parents:",
            "SMART",
            "Proposed amendments:",
        ),  # fmt: skip
        (),
    ),
    (
        "team/event_confirm.j2",
        "0003-rchs-home-opener-invite",
        US,
        ("emergency action plan", "defibrillator (AED)", "professional liability cover"),
        ("pitch-side", "indemnity"),
    ),
    (
        "lab/result_followup.j2",
        "0021-quest-results",
        US,
        (
            "record in the patient's record that you reviewed it",
            "critical or markedly abnormal result",
            "same day by phone",
        ),  # fmt: skip
        (),
    ),
    (
        "payer/prior_auth_chase.j2",
        "0010-aetna-pa-pended",
        US,
        ("7 calendar days, 42 CFR 422.568(b)(1)", "expedited decision", "jeopardize"),
        ("jeopardise",),
    ),
    (
        "payer/claim_status_inquiry.j2",
        "0064-uhc-claim-co16",
        US,
        (
            "CO-16 means the claim lacks information",
            "corrected claim",
            "timely filing limit",
            "resubmitted, not appealed",
        ),  # fmt: skip
        ("bundling",),
    ),
    (
        "payer/claim_status_inquiry.j2",
        "0043-fwd-noridian-remit",
        US,
        ("CO-97 is a bundling denial", "42 CFR 405.980(b)(1)"),
        ("lacks information",),
    ),
    (
        "supplier/supplement_reorder.j2",
        "0014-metagenics-backorder",
        INTEGRATIVE,
        ("lot number and expiry date of each item",),
        (),
    ),
    (
        "solicitor/expert_report_skeleton.j2",
        "0004-hl-letter-of-instruction",
        GB,
        ("SUMMARY\n", "CHRONOLOGY AND GLOSSARY", "CONFLICTS OF INTEREST", "Number the paragraphs"),
        ("[STATEMENT OF TRUTH", "[DECLARATION"),
    ),
]


@pytest.mark.parametrize(
    ("template", "sample_name", "practice", "required", "absent"),
    AUDIT_ELEMENTS,
    ids=[f"{t}-{s[:4]}" for t, s, *_ in AUDIT_ELEMENTS],
)
def test_letter_holds_the_audit_elements(
    template: str,
    sample_name: str,
    practice: str,
    required: tuple[str, ...],
    absent: tuple[str, ...],
    runtimes: dict[str, Runtime],
    layers: Any,
) -> None:
    body = _render_message(template, sample_name, practice, runtimes, layers)
    joined = _joined(body)
    for element in required:
        assert element in body or element in joined, element
    for wrong in absent:
        assert wrong not in body, wrong


@pytest.mark.parametrize(
    ("reported", "completed", "progress"),
    [
        ("", 0, "[NEXT STEP]"),  # nothing reported: certify nothing, the next step left to her
        ("She has completed steps 1-2 of the return-to-sport protocol.", 2, "[NEXT STEP]"),
        ("He completed steps 1-5 of the protocol without symptoms.", 5, None),
    ],
)
def test_clearance_letter_certifies_only_what_the_case_shows(
    reported: str, completed: int, progress: str | None, runtimes: dict[str, Runtime]
) -> None:
    rt = runtimes[US]
    letter = next(x for x in LETTERS if x.template == "team/clearance_letter.j2")
    message = replace(sample(letter.sample), text=f"Hi,\n\n{reported}\n\nThanks")
    context = {
        "practice": rt.practice_context(),
        "refs": {},
        "today": TODAY,
        "facts": stated_facts(message.text),
    }
    body = _joined(body_of(render(rt, letter, message, context)))
    assert body.count("completed without symptoms returning, as reported") == completed
    assert body.count("not yet completed") == 6 - completed
    if completed:
        assert f"has completed steps 1 to {completed} without symptoms returning" in body
        assert "I certify no step beyond these." in body
    else:
        assert "[STEPS COMPLETED: record only the steps" in body
    if completed >= 5:
        assert "Cleared to progress through steps" not in body
    else:
        assert f"Cleared to progress through steps {progress or completed + 1} to 6" in body
        assert "must be completed without symptoms before any competition" in body
    assert "cleared to return to sport, including competition" in body
    assert "No competitive sport before day 21" not in body  # a US practice


def test_appeal_prints_the_practice_npi_from_config(runtimes: dict[str, Runtime]) -> None:
    rt = runtimes[US]
    letter = next(x for x in LETTERS if x.template == "payer/appeal_request.j2")
    message = sample(letter.sample)
    for npi, shown in (("1234567893", "NPI 1234567893"), ("", "NPI [NPI]")):
        practice = rt.practice_context() | {"npi": npi}
        context = {"practice": practice, "refs": {}, "today": TODAY}
        body = body_of(render(rt, letter, message, context))
        assert f"Provider: {rt.config.practice.practitioner}, {shown}" in body


def test_npi_in_config_is_ten_digits(tmp_path: Path) -> None:
    home = _practice_home(tmp_path / "p", US)
    toml = (home / "chief.toml").read_text()
    (home / "chief.toml").write_text(
        toml.replace("[practice]", '[practice]\nnpi = "1234567893"', 1)
    )
    assert load_config(home / "chief.toml").practice.npi == "1234567893"
    (home / "chief.toml").write_text(toml.replace("[practice]", '[practice]\nnpi = "12345"', 1))
    with pytest.raises(UserError, match="npi"):
        load_config(home / "chief.toml")


@pytest.mark.parametrize(
    ("clock", "required", "absent"),
    [
        (
            "appeal.medicare_redetermination",
            (
                "Medicare number (MBI): [MBI]",
                "42 CFR 405.944(b)",
                "CMS-1696",
                "request a redetermination",
            ),  # fmt: skip
            ("Member ID:", "waiver of liability"),
        ),
        (
            "appeal.ma_reconsideration",
            ("Member ID:", "waiver of liability", "request a reconsideration"),
            ("MBI", "405.944"),
        ),
        (
            "appeal.erisa",
            ("Member ID:", "representative form", "expedited review", "request an internal appeal"),
            ("MBI", "waiver of liability"),
        ),
    ],
)
def test_appeal_holds_its_regime_elements(
    clock: str, required: tuple[str, ...], absent: tuple[str, ...], runtimes: dict[str, Runtime]
) -> None:
    rt = runtimes[US]
    letter = next(x for x in LETTERS if x.template == "payer/appeal_request.j2")
    context = {
        "practice": rt.practice_context(),
        "refs": {},
        "today": TODAY,
        "appeal": {"due": TODAY, "clock": clock},
    }
    body = _joined(body_of(render(rt, letter, sample(letter.sample), context)))
    for element in required:
        assert element in body, element
    for wrong in absent:
        assert wrong not in body, wrong
    assert "peer-to-peer discussion" in body
