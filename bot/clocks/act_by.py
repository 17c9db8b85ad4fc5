"""The date by which the practitioner must act on a message (see :mod:`bot.clocks.deadlines`).

Kept as the name callers know; the work is done by :func:`bot.clocks.deadlines.deadlines_for`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from bot.clocks.clocks import Clock, ClockSet
from bot.clocks.deadlines import act_by
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
    """The due date ``spec``'s clock alone gives, or None (unknown clock, missing start)."""
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
