"""The date by which the practitioner must act on a message.

A date the message itself states as a deadline wins ("return your advice by 28 November");
otherwise the winning rule's first clock, counted from the message's date (or from a date it
extracted, such as an annual review's meeting date). A clock with variants counts with the one
that fits the sender's party (an ERISA plan's 15 days rather than CMS-0057-F's 7).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from bot.clocks.clocks import Clock, ClockSet
from bot.rules.engine import Classification
from bot.rules.schema import DeadlineSpec
from bot.rules.stated_dates import parse_date

__all__ = ["act_by", "clock_due"]


def clock_due(
    clocks: Mapping[str, Clock],
    spec: DeadlineSpec,
    refs: Mapping[str, str],
    received: datetime,
    day_first: bool,
    party: Any = None,
) -> date | None:
    """The due date ``spec``'s clock gives, or None (unknown clock, missing start date)."""
    if isinstance(clocks, ClockSet):
        clock = clocks.resolve(spec.clock, party)
    else:
        clock = clocks.get(spec.clock)
    if clock is None:
        return None
    start: date | datetime = received
    if spec.from_ref:
        ref_date = parse_date(refs.get(spec.from_ref, ""), received.date(), day_first)
        if ref_date is None:
            return None
        start = ref_date
    due = clock.due(start)
    return due.date() if isinstance(due, datetime) else due


def act_by(
    result: Classification,
    received: datetime | None,
    clocks: Mapping[str, Clock],
    day_first: bool = False,
) -> date | None:
    if result.category is None:
        return None
    if result.stated_deadline is not None:
        return result.stated_deadline
    if received is None:
        return None
    for action in result.deadline_actions:
        due = clock_due(clocks, action.deadline, result.refs, received, day_first, result.party)
        if due is not None:
            return due
    return None
