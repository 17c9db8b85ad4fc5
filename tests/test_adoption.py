"""A decision read before the notice that opens its case joins that case when it opens.

Medicare's redetermination decision (a reply in the denial's thread, naming the same claim)
may file to a claim case but not open one. Read in its batch before the denial that opens the
case (a Maildir read in another order, one message per batch so that no batch puts them back
in order), it waits unfiled; when the denial opens the case it is adopted: on the case, its
status the case's, the first level's appeal window closed by it, the next level's open, and
every deadline keyed as a read in sent order keys it.
"""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

import icalendar
from sqlalchemy import select

from bot.cli.demo import prepare_home
from bot.config import load_config
from bot.jobs.catalogue import sync
from bot.store.models import Case, CaseRef, Deadline, MessageRow
from bot.sync.runtime import Runtime
from tests.samples import sample

TODAY = date(2026, 11, 24)
DENIAL = "0030-noridian-claim-co50"
DECISION = "0081-noridian-redetermination"
CLAIM = "CLM-61204958"


def practice(home: Path, order: tuple[str, ...], batch_size: int) -> Path:
    """The US demo practice with only ``order``'s messages, listed in that order (a Maildir
    is read oldest change time first), ``batch_size`` to a batch."""
    config = prepare_home(home, "sports-medicine-us")
    for path in (home / "Maildir" / "new").iterdir():
        if path.name not in order:
            path.unlink()
    for name in order:
        os.chmod(home / "Maildir" / "new" / name, 0o600)
        time.sleep(0.01)  # distinct change times
    text = config.read_text()
    config.write_text(
        text.replace('path = "Maildir"', f'path = "Maildir"\nbatch_size = {batch_size}', 1)
    )
    return config


def run(
    home: Path, order: tuple[str, ...], batch_size: int = 1
) -> tuple[dict[str, object], set[str]]:
    config = practice(home, order, batch_size)
    rt = Runtime.from_config(load_config(config), today=TODAY)
    try:
        report = sync(rt)
        assert not report.errors, report.errors
        with rt.sessions() as session:
            case = session.scalar(select(Case).join(CaseRef).where(CaseRef.value == CLAIM))
            assert case is not None
            messages = session.scalars(select(MessageRow)).all()
            deadlines = session.scalars(select(Deadline)).all()
            seen = {
                "status": case.status,
                "on_case": sorted(m.case_id == case.id for m in messages),
                "open": sorted(d.clock for d in deadlines if d.case_id == case.id and not d.done),
                "closed": sorted(d.clock for d in deadlines if d.case_id == case.id and d.done),
                "unfiled_deadlines": [d.clock for d in deadlines if d.case_id is None],
                "how": sorted(str(m.match_how) for m in messages),
            }
    finally:
        rt.close()
        rt.engine.dispose()
    calendar = icalendar.Calendar.from_ical((home / "calendar.ics").read_bytes())
    uids = {str(event["UID"]) for event in calendar.walk("VEVENT")}
    return seen, uids


def test_the_decision_read_first_is_adopted_when_the_denial_opens_the_case(
    tmp_path: Path,
) -> None:
    assert sample(DECISION).exists()
    in_order, in_order_uids = run(tmp_path / "in-order", (DENIAL, DECISION))
    reversed_, reversed_uids = run(tmp_path / "reversed", (DECISION, DENIAL))

    # Read in sent order: both on the case, the decision's status, the redetermination
    # window spent and the reconsideration window open.
    assert in_order["status"] == "appeal_denied"
    assert in_order["on_case"] == [True, True]
    assert in_order["how"] == ["opened", "thread"]
    assert "appeal.medicare_reconsideration" in in_order["open"]
    assert "appeal.medicare_redetermination" in in_order["closed"]

    # Read the other way round, the same case log and the same calendar.
    assert {**reversed_, "how": None} == {**in_order, "how": None}
    assert reversed_["how"] == ["adopted", "opened"]
    assert reversed_["unfiled_deadlines"] == []
    assert reversed_uids == in_order_uids


def test_a_batch_is_filed_in_sent_order_whatever_order_it_was_listed_in(tmp_path: Path) -> None:
    """Both in one batch, listed decision first: the denial is filed first, the decision
    follows it by its thread, and nothing waits."""
    in_order, in_order_uids = run(tmp_path / "in-order", (DENIAL, DECISION), batch_size=50)
    listed, listed_uids = run(tmp_path / "listed", (DECISION, DENIAL), batch_size=50)
    assert listed == in_order
    assert listed["how"] == ["opened", "thread"]
    assert listed_uids == in_order_uids
