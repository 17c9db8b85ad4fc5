"""The referral network over a real Maildir and SQLite case log: sources, last referral, last
contact, open acknowledgements, and quiet referrers by the configured period."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from bot.config import load_config
from bot.errors import UserError
from bot.features.referral_network import ReferralSource, referral_sources, source_of
from bot.jobs.catalogue import sync
from bot.summary.job import summary_text
from bot.sync.runtime import Runtime
from tests.conftest import deliver, make_message

TODAY = date(2026, 11, 24)
ORTHO = "Malcolm Feverel, MD <mfeverel@inland-ortho.example>"
NORTHGATE = "Northgate Physical Therapy <referrals@northgate-pt.example>"
GP_ONE = "Dr One <gp.one@nhs.net>"
GP_TWO = "Dr Two <gp.two@nhs.net>"
COACH = "Coach <coach.d@coachmail.example>"


def referral(mid: str, sender: str, when: str, patient: str, extra: str = "") -> bytes:
    subject = "Referral: please assess" if not extra else "Re: Referral: please assess"
    body = f"Patient: {patient}   DOB: 01/02/1990\n" + (
        "Thank you for seeing her: clinic note attached, an update.\n"
        if extra
        else "I am referring this patient for assessment.\n"
    )
    raw = make_message(mid, subject, body, sender, extra)
    return raw.replace(b"Mon, 02 Nov 2026 10:00:00 +0000", when.encode())


MAIL = {
    "ortho-new": referral("o1@r", ORTHO, "Mon, 14 Sep 2026 10:00:00 -0700", "Ann Sample"),
    "ortho-update": referral(
        "o2@r",
        ORTHO,
        "Mon, 26 Oct 2026 10:00:00 -0700",
        "Ann Sample",
        "In-Reply-To: <o1@r>\nReferences: <o1@r>",
    ),
    "northgate": referral("n1@r", NORTHGATE, "Wed, 30 Sep 2026 10:00:00 -0700", "Bo Sample"),
    "gp-one": referral("g1@r", GP_ONE, "Fri, 04 Sep 2026 10:00:00 +0100", "Cy Sample"),
    "gp-two": referral("g2@r", GP_TWO, "Sat, 21 Nov 2026 10:00:00 +0000", "Di Sample"),
    "coach": referral("c1@r", COACH, "Sat, 03 Oct 2026 19:00:00 -0700", "Ed Sample"),
}


def run(home: Path) -> Runtime:
    rt = Runtime.from_config(load_config(home / "chief.toml"), today=TODAY)
    sync(rt)
    return rt


def sources(rt: Runtime) -> list[ReferralSource]:
    with rt.sessions() as session:
        found = referral_sources(
            session,
            rt.practice_id,
            rt.rules.parties,
            rt.today(),
            rt.config.referrals.quiet_days,
            rt.tz,
        )
    return found


@pytest.fixture
def network(practice_dir: Callable[..., Path]) -> Callable[[str], Runtime]:
    def build(extra_toml: str = "") -> Runtime:
        home = practice_dir(extra_toml=extra_toml)
        for name, raw in MAIL.items():
            deliver(home, name, raw)
        return run(home)

    return build


def test_sources_last_referral_last_contact_and_open_acknowledgements(
    network: Callable[[str], Runtime],
) -> None:
    rt = network("")
    with rt.sessions() as session:
        found = referral_sources(session, rt.practice_id, rt.rules.parties, TODAY, 90, rt.tz)
    by_label = {s.label: s for s in found}
    ortho = by_label["Inland Orthopaedic Associates"]
    assert ortho.referrals == 1
    assert ortho.last_referral == date(2026, 9, 14)
    assert ortho.last_contact == date(2026, 10, 26)
    assert ortho.open_acknowledgements == 0  # the referrer wrote back on the case
    northgate = by_label["Northgate Physical Therapy"]
    assert (northgate.open_acknowledgements, northgate.oldest_open_acknowledgement) == (
        1,
        date(2026, 9, 30),
    )
    gps = sorted(label for label in by_label if label.startswith("NHSmail sender "))
    assert len(gps) == 2, "two GPs on NHSmail are two sources"
    assert "coachmail.example" in by_label
    assert not any(s.quiet for s in found)  # nobody quiet for 90 days
    assert "Ann Sample" not in json.dumps([s.as_dict() for s in found])


def test_quiet_period_comes_from_the_configuration(network: Callable[[str], Runtime]) -> None:
    rt = network("\n[referrals]\nquiet_days = 60\n")
    quiet = [s for s in sources(rt) if s.quiet]
    assert [(s.label.split(" sender ")[0], s.days_quiet) for s in quiet] == [
        ("NHSmail", 81),
        ("Inland Orthopaedic Associates", 71),
    ]
    inland = next(s for s in sources(rt) if s.label == "Inland Orthopaedic Associates")
    assert (inland.last_referral, inland.last_contact) == (date(2026, 9, 14), date(2026, 10, 26))
    assert inland.open_acknowledgements == 0
    # The summary counts them, with the command that lists each (`chief referrers`).
    text = " ".join(summary_text(rt).split())
    assert "- Referrals: 2 referrers quiet for 60+ days; 4 not acknowledged chief referrers" in text
    assert [s.label for s in sources(rt) if s.label.startswith("Northgate") and s.quiet] == []


def test_quiet_days_must_be_positive(practice_dir: Callable[..., Path]) -> None:
    home = practice_dir(extra_toml="\n[referrals]\nquiet_days = 0\n")
    with pytest.raises(UserError) as raised:
        load_config(home / "chief.toml")
    assert any("quiet_days" in problem for problem in raised.value.problems)


def test_source_names() -> None:
    from bot.rules.parties import Party, PartyDirectory

    directory = PartyDirectory(
        [
            Party("referrer", "NHSmail", ("nhs.net",)),
            Party("referrer", "NHS trusts and organisations", ("nhs.uk",)),
            Party("referrer", "Northgate Physical Therapy", ("northgate-pt.example",)),
        ]
    )
    assert source_of("nhs.net", "abcdef0123", directory) == (
        "sender:abcdef0123",
        "NHSmail sender abcdef",
    )
    assert source_of("gmail.com", "99aa", directory)[1] == "gmail.com sender 99aa"
    assert source_of("rbh.nhs.uk", "h", directory) == ("domain:rbh.nhs.uk", "rbh.nhs.uk")
    assert source_of("mail.northgate-pt.example", "h", directory)[1] == (
        "Northgate Physical Therapy"
    )
    assert source_of("clinic.example", "h", directory) == (
        "domain:clinic.example",
        "clinic.example",
    )


def test_chief_referrers_json(practice_dir: Callable[..., Path], chief_exe: str) -> None:
    home = practice_dir(extra_toml="\n[referrals]\nquiet_days = 60\n")
    for name, raw in MAIL.items():
        deliver(home, name, raw)
    run(home)
    out = subprocess.run(
        [chief_exe, "--config", str(home / "chief.toml"), "referrers", "--json"]
        + ["--today", "2026-11-24"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [d["quiet"] for d in lines][:2] == [True, True]
    assert {d["source"] for d in lines} >= {
        "Inland Orthopaedic Associates",
        "Northgate Physical Therapy",
        "coachmail.example",
    }
    assert "Sample" not in out.stdout + out.stderr
