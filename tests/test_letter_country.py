"""Letters spelt and dated for the practice's country: every shipped template rendered for a US
and a UK practice, with nothing known and with every fact known, holds no spelling or date form
of the other country; and the date filters follow ``practice.country``."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import jinja2
import pytest

from bot.letters.templates import full_date, long_date, render_template, template_environment
from bot.resources import shipped_templates

TEMPLATES = sorted(
    p.relative_to(shipped_templates()).as_posix()
    for p in shipped_templates().rglob("*.j2")
    if not p.name.startswith(("summary", "_")) and "_partials" not in p.parts
)
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# Words spelt only one way in one country (as they appear in letters); each pattern is a
# whole word or stem, case-insensitive.
UK_ONLY = (
    r"\blicence",
    r"organis",
    r"programme",
    r"pitch-?side",
    r"authoris",
    r"recognis",
    r"behaviour",
    r"colour",
    r"\bcentre",
    r"favour",
    r"paediatric",
    r"orthopaedic",
    r"oedema",
    r"anaesthe",
    r"\bwhilst\b",
    r"specialis",
    r"summaris",
    r"apologis",
    r"prioritis",
    r"catalogue",
    r"labelled",
    r"\bdefence\b",
    r"\bcheque",
    r"judgement",
    r"\bpractise[sd]?\b",
    r"\benrol\b",
    rf"\b\d{{1,2}} (?:{MONTHS}) \d{{4}}\b",
)
US_ONLY = (
    r"\blicense\b(?! to)",
    r"organiz",
    r"\bprogram\b",
    r"sideline",
    r"authoriz",
    r"recogniz",
    r"behavior",
    r"\bcolor",
    r"\bcenter",
    r"\bfavor",
    r"\bpediatric",
    r"\borthopedic",
    r"\bedema",
    r"specializ",
    r"summariz",
    r"apologiz",
    r"prioritiz",
    r"\bcatalog\b",
    r"\blabeled",
    r"\bdefense\b",
    r"\bcheck(?= for the fee| payable)",
    rf"\b(?:{MONTHS}) \d{{1,2}}, \d{{4}}\b",
)


def _practice(country: str) -> dict[str, Any]:
    return {
        "name": "Riverside Practice",
        "practitioner": "Dr Alex Morgan",
        "credentials": "MD" if country == "US" else "MSc",
        "email": "alex@riverside.example",
        "phone": "555 0100",
        "address": "1 High Street",
        "signature": None,
        "fee_terms": None,
        "country": country,
    }


ON = date(2026, 10, 17)
FACTS = {
    "service_date": ON,
    "procedure_code": "73721 (MRI knee)",
    "diagnosis_code": "S83.511A",
    "reason_code": "CO-50",
    "amount_billed": "$1,250.00",
    "amount_paid": "$0.00",
    "member_id": "XJH123456",
    "required": ["the clinical notes", "imaging report"],
    "products": ["Probiotic blend 50B, 60 capsules, quantity 12"],
    "order_ref": "ORD-55521",
    "event_date": ON,
    "venue": "Riverside Ground",
    "arrival_time": "09:30",
    "report_within": "10 weeks",
    "report_by": ON,
    "records_period": "2019 to the present",
    "sport": "Football, varsity",
    "injury_date": ON,
    "submitted_date": ON,
    "recall": {"product": "Omega-3 softgels", "lot": "L2231", "reason": "undeclared milk"},
    "claim_lines": [{"code": "20611", "modifiers": "RT", "billed": "$412.00"}],
    "steps_completed": "3",
    "authority_enclosed": "yes",
    "certified_copies": "yes",
    "report_date": ON,
}
REFS = {
    "claim_ref": "CLM-778812",
    "pa_ref": "PA-99812",
    "solicitor_ref": "HL/123/OT",
    "ehcp_ref": "EHC-4411",
    "referral_ref": "REF-1",
    "meeting_date": ON,
    "amount": "$1,250.00",
}


def _context(country: str, known: bool) -> dict[str, Any]:
    refs = dict(REFS) if known else {}
    message_date = datetime(2026, 10, 17, 9, 0)
    return {
        "practice": _practice(country),
        "register": [],
        "message": {
            "from_name": "A Sender",
            "from_addr": "sender@example.org",
            "reply_to": "sender@example.org",
            "no_reply": False,
            "subject": "Re: matter",
            "date": message_date if known else None,
            "received_date": ON if known else None,
        },
        "case": {
            "kind": "case",
            "status": "open",
            "reference": "REF-1" if known else None,
            "refs": refs,
            "opened": ON,
            "short_id": "c1",
            "party": "Riverside High School" if known else None,
        },
        "refs": refs,
        "deadline": {"due": ON, "clock": "x", "title": "deadline"} if known else None,
        "today": ON,
        "facts": dict(FACTS) if known else {},
        "appeal": None,
        "to_self": False,
        "recipient": {"address": "sender@example.org", "name": "", "how": "from", "note": ""},
        "note": {"injured": ON, "symptom_free": ON, "sport": "Football"} if known else {},
        "sections": {},
        "steps": 5 if known else 3,
        "report": {"type": "x", "name": "Report", "notes": 1},
        "provision": [],
        "outcomes": [],
        "patients": [{"case": "c1", "first": ON, "last": ON, "open": False}] if known else [],
        "recall": {"product": "Omega-3", "lot": "L1", "reason": "undeclared milk", "since": "x"}
        if known
        else {},
        "stock": [{"case": "c2", "first": ON, "last": ON, "open": True}] if known else [],
        "since": ON if known else None,
        "opens": ON,
        "dates": [{"label": "Renew by", "date": ON, "clock": "c", "source": "s", "verify": True}],
        "cme": [],
    }


# The renewal checklist has a branch per kind of credential.
CREDENTIAL_KINDS = ("caqh", "hcpc", "dea", "gmc", "state_licence", "board_certification",
                    "hospital_privileges", "indemnity", "cme", "other")  # fmt: skip


def _renders(env: jinja2.Environment, name: str, country: str, known: bool) -> list[str]:
    """Every rendering of ``name`` for the country: one, or one per credential kind."""
    context = _context(country, known)
    if not name.startswith("credentialing/"):
        return [render_template(env, name, context)[0]]
    return [
        render_template(env, name, context | {"credential": {
            "id": kind, "kind": kind, "name": "Credential", "issuer": None, "number": None,
            "expires": ON, "renewal_url": None,
        }})[0]
        for kind in CREDENTIAL_KINDS
    ]  # fmt: skip


@pytest.fixture(scope="module")
def env() -> jinja2.Environment:
    environment = template_environment([])
    # Templates rendered outside their feature's context: a value a feature adds (a note's
    # fields, a report's sections) reads as empty, so every template's own words render.
    environment.undefined = jinja2.ChainableUndefined
    return environment


def _words(text: str, patterns: tuple[str, ...]) -> list[str]:
    found = []
    for pattern in patterns:
        for match in re.finditer(pattern, text, re.IGNORECASE):
            start = max(0, match.start() - 30)
            found.append(f"{match.group(0)!r} in …{text[start : match.end() + 30]!r}…")
    return found


@pytest.mark.parametrize("name", TEMPLATES)
@pytest.mark.parametrize("known", [False, True], ids=["nothing-known", "all-known"])
def test_us_letter_has_no_uk_spelling_or_dates(
    env: jinja2.Environment, name: str, known: bool
) -> None:
    for text in _renders(env, name, "US", known):
        assert text.strip()
        assert _words(text, UK_ONLY) == []


@pytest.mark.parametrize("name", TEMPLATES)
@pytest.mark.parametrize("known", [False, True], ids=["nothing-known", "all-known"])
def test_uk_letter_has_no_us_spelling_or_dates(
    env: jinja2.Environment, name: str, known: bool
) -> None:
    for text in _renders(env, name, "GB", known):
        assert text.strip()
        assert _words(text, US_ONLY) == []


def test_the_word_lists_catch_the_other_country() -> None:
    """The check can fail: each list finds the other country's forms."""
    uk = "The licence and organisation of the programme, pitch-side, 17 October 2026."
    us = "The license and organization of the program, sideline, October 17, 2026."
    assert len(_words(uk, UK_ONLY)) == 5
    assert len(_words(us, US_ONLY)) == 5
    assert _words(uk, US_ONLY) == [] and _words(us, UK_ONLY) == []


def test_dates_follow_the_country() -> None:
    assert long_date(ON, "US") == "October 17, 2026"
    assert long_date(ON, "GB") == "17 October 2026"
    assert long_date(date(2026, 3, 5), "US") == "March 5, 2026"
    assert full_date(ON, "US") == "Saturday, October 17, 2026"
    assert full_date(ON, "GB") == "Saturday 17 October 2026"


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("US", "October 17, 2026|Saturday, October 17, 2026|2026-10-17|[DATE]"),
        ("GB", "17 October 2026|Saturday 17 October 2026|2026-10-17|[DATE]"),
    ],
)
def test_date_filters_read_the_practice_country(country: str, expected: str) -> None:
    env = template_environment([])
    template = env.from_string(
        "{{ d | longdate }}|{{ d | fulldate }}|{{ d | isodate }}|{{ none | longdate }}"
    )
    assert template.render(d=ON, practice={"country": country}) == expected


def test_date_filter_in_an_imported_macro_reads_the_country() -> None:
    """``known()`` of _partials/refs.j2, imported with context, dates for the practice too."""
    env = template_environment([])
    template = env.from_string(
        '{% from "_partials/refs.j2" import known with context %}{{ known("On", "when") }}'
    )
    context = {"refs": {"when": ON}, "case": {"refs": {}}, "facts": {}}
    assert template.render(practice={"country": "US"}, **context) == "On: October 17, 2026\n"
    assert template.render(practice={"country": "GB"}, **context) == "On: 17 October 2026\n"


AMSTERDAM_STEPS = (
    "Symptom-limited activity",
    "Aerobic exercise (2A light, then 2B moderate)",
    "Individual sport-specific exercise, away from the team",
    "Non-contact training drills",
    "Full-contact practice",
    "Return to sport",
)


@pytest.mark.parametrize(("country", "steps"), [("US", 3), ("US", 5), ("GB", 3), ("GB", 1)])
def test_clearance_report_follows_amsterdam_2022(
    env: jinja2.Environment, country: str, steps: int
) -> None:
    """reports/clearance.j2 (from the physician's notes): the Amsterdam 2022 steps, only the
    steps the notes record as completed, competition only after symptom-free full-contact
    practice, the recurrence instruction, and the UK 21-day rule for a UK practice."""
    context = _context(country, True) | {"steps": steps}
    text, _ = render_template(env, "reports/clearance.j2", context)
    text = re.sub(r"(?<=\S)\n(?=\S)", " ", text)
    for name in AMSTERDAM_STEPS:
        assert name in text, name
    assert "resistance training begins" not in text
    assert "after medical clearance" not in text
    assert text.count("completed [notes]") == steps
    assert text.count(": not yet") == 6 - steps
    if 3 <= steps < 5:
        assert f"cleared to progress through steps {steps + 1} to 6" in text
        assert "Competition only after symptom-free full-contact practice (step 5)" in text
    if steps >= 5:
        assert "cleared for" in text
    if steps < 3:
        assert "this letter does not clear the athlete beyond step" in text
    assert (
        "must stop, drop back to the last step completed without symptoms, and be re-evaluated"
        in (text)
    )
    assert "Return to learn:" in text
    assert ("No competitive sport before day 21" in text) is (country == "GB")
