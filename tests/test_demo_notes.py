"""`chief demo` practice by practice: each demo practice reads its own week of mail (addressed
to its own practitioner) and gets no letter foreign to its profession or country; each holds
notes for two reports and gets them drafted, filled from the notes (the OT's expert report with
no placeholder its notes answer); the integrative practice's network shows its referrals out,
an outcome, a chase and a gap, and its day's appointment its labs to review.

The three demos run once, for the whole module."""

from __future__ import annotations

import email
import email.policy
import email.utils
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.samples import PRACTICES, sample_files

PLACEHOLDER = re.compile(r"\[[A-Z][A-Z0-9 ,'()/.:-]{2,}[^\]]*\]")


def _demo(home: Path, practice: str) -> dict[str, Any]:
    run = subprocess.run(
        ["chief", "demo", "--home", str(home), "--practice", practice, "--json"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    result: dict[str, Any] = json.loads(run.stdout)
    assert result["problems"] == []
    return result


def _drafts(home: Path) -> dict[str, str]:
    """Subject -> plain-text body of every draft in the demo's Drafts folder."""
    out = {}
    for path in sorted((home / "Maildir" / ".Drafts" / "cur").iterdir()):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(msg, email.message.EmailMessage)
        part = msg.get_body(("plain",))
        assert part is not None
        out[str(msg["Subject"])] = str(part.get_content())
    return out


@pytest.fixture(scope="module")
def homes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for practice in PRACTICES:
        home = tmp_path_factory.mktemp(practice) / "home"
        _demo(home, practice)
        out[practice] = home
    return out


def test_the_ot_expert_report_has_no_placeholder_its_notes_answer(
    homes: dict[str, Path],
) -> None:
    report = _drafts(homes["occupational-therapy-uk"])["Expert report: HL/4471/JS"]
    assert PLACEHOLDER.findall(report) == ["[DATE OF REPORT]", "[SIGNATURE]", "[DATE SIGNED]"]
    assert "Claimant: Gareth Pennywhistle [notes]" in report
    assert "On the instructions of: Harcourt Lyle LLP [case log]" in report
    assert "Date of instruction: 10 September 2026 [case log]" in report
    assert "number OT12345" in report  # the register's HCPC number
    assert "proceedings for contempt of court may be brought" in report


def test_the_ot_ehcp_advice_is_filled_with_section_f_quantified(homes: dict[str, Path]) -> None:
    advice = _drafts(homes["occupational-therapy-uk"])[
        "Occupational therapy advice for EHC needs assessment: EHC/2026/01234"
    ]
    assert PLACEHOLDER.findall(advice) == []
    section_f = advice.split("SECTION F")[1].split("SECTION G")[0]
    assert "educates or trains" in section_f and "[QUANTIFY" not in section_f
    assert "[MAKE MEASURABLE" not in advice and "[ADD WHEN" not in advice


def test_the_sports_practice_gets_its_clearance_and_assessment(homes: dict[str, Path]) -> None:
    drafts = _drafts(homes["sports-medicine-us"])
    clearance = drafts["Return to play after concussion: 67Q1AJ"]
    assert "Step 3, Individual sport-specific exercise, away from the team: completed" in clearance
    assert "Step 4, Non-contact training drills: not yet" in clearance
    assert "cleared to progress through steps 4 to 6" in clearance
    assessment = drafts["Initial assessment report: IOA-RF-40913"]
    assert "Patient: Caleb Wintermoor [notes]" in assessment
    assert "Referred by: Inland Orthopaedic Associates [case log]" in assessment
    assert PLACEHOLDER.findall(assessment) == []


def test_the_integrative_practice_gets_two_reports_and_a_chase(homes: dict[str, Path]) -> None:
    drafts = _drafts(homes["integrative-medicine"])
    assert "Patient: Renée Duchamp-Wilde [notes]" in drafts["Initial assessment report: 0PSM2W"]
    assert "5 migraine days in the last 30" in drafts["Progress report: LIH-2026-031"]
    chase = drafts["Following up: my referral of October 26, 2026"]  # a US practice
    assert "LIH-2026-034" in chase


def test_the_integrative_network_shows_outbound_an_outcome_and_a_gap(
    homes: dict[str, Path],
) -> None:
    home = homes["integrative-medicine"]
    found = json.loads(
        subprocess.run(
            ["chief", "--config", str(home / "chief.toml"), "network", "--json"]
            + ["--today", "2026-11-24"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    out = {p["modality"]: p for p in found["practitioners"] if p["referrals_out"]}
    assert sorted(out) == ["acupuncture", "chiropractic", "nutrition"]
    assert (out["acupuncture"]["open"], out["acupuncture"]["median_days_to_first_report"]) == (
        0,
        17,
    )
    assert out["acupuncture"]["outcome_notes"] == [
        "Migraine days down from 12 to 5 a month after four acupuncture sessions"
    ]
    assert (out["nutrition"]["open"], out["nutrition"]["chased"]) == (1, 1)
    assert (out["chiropractic"]["open"], out["chiropractic"]["chased"]) == (1, 0)
    assert found["gaps"] == ["psychotherapy"]


def test_a_second_demo_run_adds_no_report_or_chase(homes: dict[str, Path]) -> None:
    home = homes["integrative-medicine"]
    before = sorted(p.name for p in (home / "Maildir" / ".Drafts" / "cur").iterdir())
    again = _demo(home, "integrative-medicine")
    assert again["new"]["drafts"] == 0
    assert sorted(p.name for p in (home / "Maildir" / ".Drafts" / "cur").iterdir()) == before


# --------------------------------------------------------------------------- its own week
def _own(home: Path) -> tuple[str, set[str], str]:
    """The practitioner's address, the practice's own domains and its country."""
    from bot.config import load_config

    practice = load_config(home / "chief.toml").practice
    address = practice.email.lower()
    domains = {d.lower() for d in practice.own_domains} | {address.rpartition("@")[2]}
    return address, domains, practice.country


@pytest.mark.parametrize("practice", PRACTICES)
def test_each_demo_reads_only_its_own_practices_mail(homes: dict[str, Path], practice: str) -> None:
    """Every message the demo delivered is addressed (To, Cc) or delivered (Delivered-To) to
    this practice's practitioner or its own domain: its own sample mailbox and no other's."""
    home = homes[practice]
    _, domains, _ = _own(home)
    delivered = [
        p
        for p in sorted((home / "Maildir" / "new").iterdir())
        if b"X-Chief-Generated" not in p.read_bytes()  # the day's summary, to herself
    ]
    mine = {p.name for p in sample_files(practice)}
    assert mine <= {p.name for p in delivered}
    assert len(delivered) >= 50
    for path in delivered:
        msg = email.message_from_bytes(path.read_bytes())
        heads = [str(msg.get(h, "")) for h in ("To", "Cc", "Delivered-To")]
        addresses = {a.lower() for _, a in email.utils.getaddresses(heads) if a}
        assert any(a.rpartition("@")[2] in domains for a in addresses), path.name


# Templates that exist for one country's or one profession's work only (rules' countries /
# kinds): a draft from one of these in another practice is a letter foreign to it.
US_ONLY = {
    "payer/appeal_request.j2",
    "payer/claim_status_inquiry.j2",
    "payer/peer_to_peer_request.j2",
    "payer/prior_auth_chase.j2",
}
GB_ONLY = {
    "payer/corrected_invoice.j2",
    "solicitor/instruction_ack.j2",
    "solicitor/expert_report_skeleton.j2",
    "reports/expert_report.j2",
    "reports/ehcp_advice.j2",
    "reports/annual_review.j2",
}
SPORTS_ONLY = {"team/clearance_letter.j2", "reports/clearance.j2", "team/event_confirm.j2"}
FOREIGN_WORDS = {
    # A UK practice's drafts speak of no US plan's codes or law; a US practice's of no
    # council's plan or English court's rules.
    "GB": re.compile(r"\bHIPAA\b|\bCPT\b|\bNPI\b|\bconcussion\b|\bMedicare\b", re.I),
    "US": re.compile(
        r"Education, Health and Care|\bEHCP?\b|\bCPR\b|Practice Direction|\bSEND\b|"
        r"local authority|\bNHS\b|\bHCPC\b|£",  # (HCPCS, the US code set, is not the HCPC)
    ),
}
FOREIGN_DOMAINS = {
    "GB": re.compile(r"(?:aetna|uhc|cigna|humana|anthem|evicore|carelon|noridian)\.com$"),
    "US": re.compile(r"\.gov\.uk$|(?:^|\.)nhs\.(?:net|uk)$|\.co\.uk$"),
}


def _draft_templates(home: Path) -> list[str]:
    from sqlalchemy import select

    from bot.cli.demo import DEMO_DAY
    from bot.config import load_config
    from bot.store.models import Draft
    from bot.sync.runtime import Runtime

    rt = Runtime.from_config(load_config(home / "chief.toml"), today=DEMO_DAY)
    try:
        with rt.sessions() as session:
            return list(
                session.scalars(
                    select(Draft.template).where(
                        Draft.practice_id == rt.practice_id, Draft.state == "written"
                    )
                )
            )
    finally:
        rt.close()
        rt.engine.dispose()


@pytest.mark.parametrize("practice", PRACTICES)
def test_no_draft_is_foreign_to_the_practice(
    homes: dict[str, Path], practice: str, module_case_log: None
) -> None:
    """A UK practice gets no US payer's letter (appeal, peer-to-peer, authorization chase) and
    no concussion clearance; a US practice no council's, no CPR Part 35 letter and no UK
    insurer's; a practice that covers no team, no team's letter. Neither in the templates
    drafted from nor in the words or recipients of the drafts."""
    home = homes[practice]
    _, _, country = _own(home)
    templates = _draft_templates(home)
    assert len(templates) >= 10
    foreign = (
        US_ONLY
        if country == "GB"
        else GB_ONLY | {t for t in templates if t.startswith("local_authority/")}
    )
    if practice != "sports-medicine-us":
        foreign = foreign | SPORTS_ONLY | {t for t in templates if t.startswith("team/")}
    assert sorted(set(templates) & foreign) == []
    drafts = sorted((home / "Maildir" / ".Drafts" / "cur").iterdir())
    assert len(drafts) == len(templates)
    for path in drafts:
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(msg, email.message.EmailMessage)
        part = msg.get_body(("plain",))
        assert part is not None
        found = FOREIGN_WORDS[country].search(f"{msg['Subject']}\n{part.get_content()}")
        assert found is None, (path.name, found and found.group(0))
        for _, address in email.utils.getaddresses([str(msg["To"] or "")]):
            assert not FOREIGN_DOMAINS[country].search(address.rpartition("@")[2]), address


def test_the_integrative_day_shows_its_appointment_with_labs_to_review(
    homes: dict[str, Path], module_case_log: None
) -> None:
    """The integrative practice's own calendar: the 10:00 results review is linked to its
    patient's cases (labs to review); her name is in the calendar, never in the summary."""
    from bot.cli.demo import DEMO_DAY
    from bot.config import load_config
    from bot.summary.job import collect_summary, summary_text
    from bot.sync.runtime import Runtime

    home = homes["integrative-medicine"]
    rt = Runtime.from_config(load_config(home / "chief.toml"), today=DEMO_DAY)
    try:
        data = collect_summary(rt)
        text = summary_text(rt)
    finally:
        rt.close()
        rt.engine.dispose()
    briefs = {b.start.strftime("%H:%M"): b for b in data.appointment_briefs}
    labs = [i.text for i in briefs["10:00"].labs_awaiting_review]
    assert len(labs) == 1 and labs[0].startswith("results ready, lab_result LC-26-2948817")
    calendar = (home / "calendar.ics").read_text()
    patient = {"Marguerite", "Oyelaran"}
    assert {name for name in patient if name in calendar} == patient
    assert not any(name in text for name in patient), "patient in summary"


def test_the_uk_practice_is_paid_in_pounds(homes: dict[str, Path], module_case_log: None) -> None:
    from bot.cli.demo import DEMO_DAY
    from bot.config import load_config
    from bot.summary.job import collect_summary
    from bot.sync.runtime import Runtime

    rt = Runtime.from_config(
        load_config(homes["occupational-therapy-uk"] / "chief.toml"), today=DEMO_DAY
    )
    try:
        data = collect_summary(rt)
    finally:
        rt.close()
        rt.engine.dispose()
    positions = {(p.party, p.currency): p for p in data.payment_positions}
    assert {currency for _, currency in positions} == {"GBP"}
    harcourt = positions["Harcourt Lyle LLP", "GBP"]
    assert str(harcourt.billed) == "£1,850.00" and harcourt.oldest_unpaid_days == 53
    assert str(positions["Penhallow & Grieve Solicitors", "GBP"].outstanding) == "£0.00"
