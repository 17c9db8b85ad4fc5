"""CME / CPD: certificates read from mail, counted against the register's requirements."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import load_config
from bot.features.cpd import (
    CERTIFICATE_REF,
    CertificateLine,
    certificate_record,
    cpd_progress,
    cpd_status,
    load_certificates,
)
from bot.jobs.catalogue import sync
from bot.register.register import CmeRequirement
from bot.store.models import Case, CaseRef, MessageRow
from bot.sync.runtime import Runtime
from tests.samples import sample

ROOT = Path(__file__).resolve().parent.parent
CERTIFICATES = (
    "0026-acsm-certificate",  # 6.5 credits, completed 09/19/2026
    "0016-medlearn-certificate",  # 1.00 credit, 10/15/2026
    "0071-amssm-certificate",  # 14.25 credits once the evaluation is done: pending
    "0086-acsm-transcript",  # a statement totalling 18.0: never added
)
REGISTER = """\
cme:
  - id: cme-2026
    name: CME 2026
    required: 20
    unit: AMA PRA Category 1 credits
    period_start: 2026-01-01
    period_end: 2026-12-31
"""


def line(credits: float, completed: date, status: str = "counted", **kw: str) -> CertificateLine:
    return CertificateLine(
        id=f"{credits}-{completed}", status=status, credits=credits, completed=completed, **kw
    )  # type: ignore[arg-type]


REQUIREMENT = CmeRequirement(
    "r", "CME 2026", 20.0, date(2026, 1, 1), date(2026, 12, 31), "credits", None
)


# ------------------------------------------------------------------ reading a certificate


def test_certificate_record_from_refs() -> None:
    sent = date(2026, 9, 21)
    record = certificate_record(
        "a" * 32,
        {"credits": "6.5", "cme_course": "Team Physician Course Part I", "cme_date": "09/19/2026"},
        sent,
        day_first=False,
    )
    assert record == {
        "id": "a" * 12,
        "status": "counted",
        "credits": 6.5,
        "date": "2026-09-19",
        "course": "Team Physician Course Part I",
    }
    pending = certificate_record("b" * 32, {"credits": "14.25", "cme_pending": "once"}, sent, False)
    assert (pending["status"], pending["credits"], pending["date"]) == (
        "pending",
        14.25,
        "2026-09-21",
    )
    statement = certificate_record("c" * 32, {"credits": "2", "cme_total": "18.0"}, sent, False)
    assert (statement["status"], statement["credits"]) == ("statement", 18.0)
    unread = certificate_record("d" * 32, {}, sent, False)
    assert (unread["status"], unread["credits"]) == ("unread", 0.0)
    future = certificate_record("e" * 32, {"credits": "1", "cme_date": "12/01/2026"}, sent, False)
    assert future["date"] == "2026-09-21"  # completion after arrival is a misreading


def test_long_course_titles_fit_the_reference_column() -> None:
    record = certificate_record(
        "f" * 32, {"credits": "1", "cme_course": "x " * 150}, date.today(), False
    )
    assert len(json.dumps(record, ensure_ascii=False, separators=(",", ":"))) <= 200
    assert record["course"].endswith("…")


@pytest.mark.parametrize(
    ("body", "credits"),
    [
        ("This certificate confirms 1.5 hours of CPD.", 1.5),
        ("CPD hours: 3\nDate: 12 November 2026", 3.0),
        ("You have earned 2 CPD points.", 2.0),
    ],
)
def test_uk_cpd_certificates_are_read_by_the_rules(body: str, credits: float) -> None:
    from bot.mail.mime import parse_message
    from bot.rules.engine import load_rules
    from tests.conftest import make_message

    raw = make_message(
        "c@rcot",
        "Certificate of attendance: Sensory integration webinar",
        body,
        "RCOT Learning <learning@rcot.co.uk>",
    )
    result = load_rules([ROOT / "rules"]).classify(parse_message(raw, "1"))
    assert (result.category, result.event) == ("cme", "certificate")
    record = certificate_record("a" * 32, result.refs, date(2026, 11, 20), day_first=True)
    assert (record["status"], record["credits"]) == ("counted", credits)
    assert record["course"] == "Sensory integration webinar"


# ------------------------------------------------------------------ counting


def test_progress_statuses() -> None:
    certificates = [
        line(6.5, date(2026, 9, 19), provider="ACSM", course="Team Physician"),
        line(6.5, date(2026, 9, 19), provider="ACSM", course="team physician"),  # sent twice
        line(1.0, date(2025, 12, 31), provider="MedLearn"),  # before the period
        line(14.25, date(2026, 11, 9), "pending", provider="AMSSM"),
        line(18.0, date(2026, 11, 22), "statement", provider="ACSM"),
    ]
    (progress,) = cpd_progress([REQUIREMENT], certificates, date(2026, 11, 24))
    assert (progress.earned, progress.pending, progress.remaining) == (6.5, 14.25, 13.5)
    assert progress.status == "behind"
    assert [c.credits for c in progress.certificates] == [6.5]
    assert progress.days_left == 37
    early = cpd_progress([REQUIREMENT], certificates, date(2026, 3, 1))[0]
    assert early.status == "on_track"  # 6.5 >= 20 x 60/365
    assert cpd_progress([REQUIREMENT], certificates, date(2025, 12, 1))[0].status == "not_started"
    assert cpd_progress([REQUIREMENT], certificates, date(2027, 1, 1))[0].status == "short"
    redeemed = [*certificates, line(14.25, date(2026, 12, 1), provider="AMSSM")]
    done = cpd_progress([REQUIREMENT], redeemed, date(2026, 12, 2))[0]
    assert (done.earned, done.pending, done.status) == (20.75, 0.0, "met")
    assert done.as_dict()["period_end"] == "2026-12-31"


# ------------------------------------------------------------------ from the mailbox


@pytest.fixture
def home(practice_dir: Callable[..., Path]) -> Path:
    home = practice_dir()
    config = home / "chief.toml"
    config.write_text(
        config.read_text().replace(
            'timezone = "America/New_York"\n',
            'timezone = "America/New_York"\nregister = "register.yaml"\n',
        )
    )
    (home / "register.yaml").write_text(REGISTER)
    for name in CERTIFICATES:
        shutil.copyfile(sample(name), home / "Maildir" / "new" / name)
    return home


def test_certificates_recorded_once_and_counted(home: Path) -> None:
    rt = Runtime.from_config(load_config(home / "chief.toml"), today=date(2026, 11, 24))
    first = sync(rt)
    assert first.errors == []
    assert first.cases_opened == 4
    sync(rt)  # nothing read twice
    with rt.sessions() as session:
        lines = load_certificates(session, rt.practice_id)
        refs = session.scalars(select(CaseRef).where(CaseRef.name == CERTIFICATE_REF)).all()
        assert len(refs) == 4
        cases = session.scalars(select(Case).where(Case.kind == "cme")).all()
        assert all(case.closed for case in cases)
        filed = session.scalars(select(MessageRow.match_how)).all()
        assert filed == ["opened"] * 4
    by_status = {(c.status, c.credits, c.completed, c.course) for c in lines}
    assert by_status == {
        ("counted", 6.5, date(2026, 9, 19), "Team Physician Course Part I"),
        (
            "counted",
            1.0,
            date(2026, 10, 15),
            "Iron deficiency without anaemia: a case-based review",
        ),
        ("pending", 14.25, date(2026, 11, 9), "Sports Ultrasound Course"),
        ("statement", 18.0, date(2026, 11, 22), None),
    }
    assert {c.provider for c in lines} >= {"American College of Sports Medicine"}
    status = cpd_status(rt)
    (progress,) = status.requirements
    assert (progress.earned, progress.pending, progress.remaining) == (7.5, 14.25, 12.5)


def test_chief_cpd_command(home: Path, chief_exe: str) -> None:
    config = str(home / "chief.toml")
    subprocess.run([chief_exe, "--config", config, "sync"], check=True, capture_output=True)
    shown = subprocess.run(
        [chief_exe, "--config", config, "cpd", "--today", "2026-11-24"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert (
        "CME 2026: 7.5 of 20 AMA PRA Category 1 credits, 12.5 still needed by 2026-12-31" in shown
    )
    assert "behind, 14.25 pending" in shown
    assert "statement" in shown and "Not counted:" in shown
    as_json = subprocess.run(
        [chief_exe, "--config", config, "cpd", "--json", "--today", "2026-11-24"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    data = json.loads(as_json)
    assert data["today"] == "2026-11-24"
    assert data["requirements"][0]["earned"] == 7.5
    assert len(data["certificates"]) == 4
