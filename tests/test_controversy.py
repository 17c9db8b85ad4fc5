"""Medicare's later appeal levels need an amount in controversy (42 CFR 405.1006): the ALJ
hearing's and judicial review's deadlines say the year's figure and whether the notice's amount
reaches it, and a year the table does not hold yet is said so, never guessed.

Worked from the regulation and CMS's notices: a request filed in 2026 needs $200 for an ALJ
hearing and $1,960 for judicial review (90 FR 55869, CY 2026); in 2025, $190 and $1,900
(89 FR 79294).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlalchemy import select

from bot.clocks.controversy import amount_in_dispute, controversy_note
from bot.clocks.files import load_clocks
from bot.config import load_config
from bot.jobs.catalogue import sync
from bot.resources import shipped_rules
from bot.rules.facts import stated_facts
from bot.store.models import Deadline
from bot.sync.runtime import Runtime
from tests.conftest import deliver

CLOCKS = load_clocks([shipped_rules() / "clocks.yaml"])
ALJ = CLOCKS["appeal.medicare_alj"]
COURT = CLOCKS["appeal.medicare_federal_court"]


def test_the_year_s_figure_and_the_notice_s_amount() -> None:
    """QIC decision received 7 Nov 2026, ALJ request due 6 Jan 2027: filed in 2026 it needs
    $200; the 2027 figure is not in the table, so the note says to check it."""
    note = controversy_note(ALJ, date(2026, 11, 7), date(2027, 1, 6), Decimal("150.00"))
    assert "$200 for a request filed in 2026" in note
    assert "$150.00 is below it: only by aggregating claims, 405.1006(e)" in note
    assert "the 2027 figure is not in chief's table" in note and "2026: $200" in note
    within = controversy_note(ALJ, date(2026, 3, 2), date(2026, 5, 6), Decimal("1250"))
    assert within == (
        "Amount in controversy needed (42 CFR 405.1006): $200 for a request filed in 2026"
        " (this notice's $1,250.00 reaches it)."
    )
    court = controversy_note(COURT, date(2025, 6, 2), date(2025, 8, 5), Decimal("1899.99"))
    assert "$1,900 for a request filed in 2025" in court and "is below it" in court
    assert (
        controversy_note(
            CLOCKS["appeal.medicare_appeals_council"], date(2026, 1, 1), date(2026, 3, 1), None
        )
        == ""
    )


def test_the_amount_in_dispute_read_from_the_notice() -> None:
    stated = "Amount in controversy: $1,320.00\nBilled amount: $2,000.00"
    assert amount_in_dispute(stated, stated_facts(stated)) == Decimal("1320.00")
    denied = "Billed amount: $410.00\nDenied amount: $185.00"
    assert amount_in_dispute(denied, stated_facts(denied)) == Decimal("185.00")
    both = "Billed amount: $410.00\nPaid amount: $230.00"
    assert amount_in_dispute(both, stated_facts(both)) == Decimal("180.00")
    assert amount_in_dispute("We reviewed the claim.", {}) is None


def notice(sender: str, subject: str, level_words: str, next_step: str) -> bytes:
    """An unfavourable Medicare appeal decision; the body names the next level, as real
    decisions do."""
    return f"""\
From: Appeals <{sender}>
To: Dr Test <dr@practice.example>
Subject: {subject} - Claim CLM-88120457
Date: Mon, 02 Nov 2026 10:00:00 -0500
Message-ID: <decision-1@{sender.partition("@")[2]}>

{level_words} claim CLM-88120457. The decision is unfavorable: the
previous decision is affirmed.

Date of service: 08/14/2026
Billed amount: $2,400.00
Denied amount: $160.00

{next_step}
""".encode()


LEVELS = {
    "qic": (
        notice(
            "reconsiderations@c2cinc.com",
            "Medicare reconsideration decision",
            "The Qualified Independent Contractor (QIC) has completed its reconsideration of",
            "You may request a hearing before an Administrative Law Judge (ALJ) at OMHA.",
        ),
        "appeal.medicare_alj",
        "$200 for a request filed in 2026 (this notice's $160.00 is below it",
    ),
    "alj": (
        notice(
            "omha.notices@hhs.gov",
            "ALJ hearing decision",
            "An Administrative Law Judge of the Office of Medicare Hearings and Appeals decided",
            "You may ask the Medicare Appeals Council to review this decision.",
        ),
        "appeal.medicare_appeals_council",
        None,
    ),
    "council": (
        notice(
            "dab.council@hhs.gov",
            "Medicare Appeals Council decision",
            "The Medicare Appeals Council of the Departmental Appeals Board reviewed",
            "You may file a civil action in federal district court.",
        ),
        "appeal.medicare_federal_court",
        "$1,960 for a request filed in 2026 (this notice's $160.00 is below it",
    ),
}


@pytest.mark.parametrize("level", sorted(LEVELS))
def test_each_level_sets_the_next_and_says_its_threshold(
    practice_dir: Callable[..., Path], level: str
) -> None:
    """Each decision names the next level in its body; its own level (in its subject) picks
    the clock, and the ALJ and court deadlines say the year's threshold in the calendar."""
    raw, clock, threshold = LEVELS[level]
    home = practice_dir()
    deliver(home, level, raw)
    rt = Runtime.from_config(load_config(home / "chief.toml"), today=date(2026, 11, 9))
    try:
        report = sync(rt)
        assert not report.errors, report.errors
        with rt.sessions() as session:
            dues = [(d.clock, d.due) for d in session.scalars(select(Deadline))]
    finally:
        rt.close()
    assert dues == [(clock, date(2027, 1, 6))]
    calendar = Calendar.from_ical((home / "calendar.ics").read_bytes())
    (event,) = calendar.walk("VEVENT")
    text = " ".join(str(event["DESCRIPTION"]).split())
    if threshold is None:
        assert "Amount in controversy" not in text
    else:
        assert threshold in text
        assert "the 2027 figure is not in chief's table" in text
