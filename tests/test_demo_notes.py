"""`chief demo`'s notes, reports and outbound referrals, practice by practice: each demo
practice holds notes for two reports and gets them drafted, filled from the notes (the OT's
expert report with no placeholder its notes answer); the integrative practice's network shows
its referrals out, an outcome, a chase and a gap."""

from __future__ import annotations

import email
import email.policy
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

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
    for practice in ("occupational-therapy-uk", "sports-medicine-us", "integrative-medicine"):
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
    clearance = drafts["Return to play after concussion: PKAGSN"]
    assert "Step 3, Individual sport-specific exercise, away from the team: completed" in clearance
    assert "Step 4, Non-contact training drills: not yet" in clearance
    assert "cleared to progress through steps 4 to 6" in clearance
    assessment = drafts["Initial assessment report: IOA-RF-40913"]
    assert "Patient: Caleb Wintermoor [notes]" in assessment
    assert "Referred by: Inland Orthopaedic Associates [case log]" in assessment
    assert PLACEHOLDER.findall(assessment) == []


def test_the_integrative_practice_gets_two_reports_and_a_chase(homes: dict[str, Path]) -> None:
    drafts = _drafts(homes["integrative-medicine"])
    assert "Patient: Renée Duchamp-Wilde [notes]" in drafts["Initial assessment report: 6CJF01"]
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
