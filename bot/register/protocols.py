"""Protocol review reminders: each protocol in the register, reviewed at a set interval.

A protocol (``protocols:`` in ``register.yaml``, see :mod:`bot.register.register`) is due for review
``review_every_days`` after ``last_reviewed``. The calendar plan, decided as follows:

- an all-day **review** entry on the due date, key ``protocol-<id>-review``, with the
  deadline alarms (``[reminders] deadline_alarm_minutes``);
- while the review is overdue, an **OVERDUE** entry dated ``today``, key
  ``protocol-<id>-overdue``: one entry that moves to the current day on each daily plan.

Keys depend on the protocol id only: recording a review (a new ``last_reviewed``) moves the
entry to the next due date, so each due date has exactly one reminder and a calendar never
gathers stale ones. The same plan twice is the same entries (the sink upserts by key).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from bot.register.register import Protocol
from connectors.base import CalendarEntry

__all__ = ["CATEGORY", "plan_protocol_reminders", "protocol_key"]

CATEGORY = "protocol"


def protocol_key(protocol_id: str, purpose: str) -> str:
    """The idempotency key of one planned entry: ``protocol-<id>-<purpose>``."""
    return f"protocol-{protocol_id}-{purpose}"


def plan_protocol_reminders(
    protocols: Iterable[Protocol], today: date, alarm_minutes: tuple[int, ...] = (0,)
) -> list[CalendarEntry]:
    """Calendar entries for every protocol (see the module docstring for the plan)."""
    entries: list[CalendarEntry] = []
    for protocol in protocols:
        due = protocol.next_review
        common: dict[str, Any] = {
            "description": _description(protocol),
            "alarms": alarm_minutes,
            "categories": (CATEGORY,),
        }
        entries.append(
            CalendarEntry(
                key=protocol_key(protocol.id, "review"),
                summary=f"Review protocol: {protocol.name}",
                start=due,
                end=due + timedelta(days=1),
                extra={"protocol_id": protocol.id, "purpose": "review"},
                **common,
            )
        )
        if due < today:
            entries.append(
                CalendarEntry(
                    key=protocol_key(protocol.id, "overdue"),
                    summary=f"OVERDUE: review protocol {protocol.name}",  # date: description
                    start=today,
                    end=today + timedelta(days=1),
                    extra={"protocol_id": protocol.id, "purpose": "overdue"},
                    **common,
                )
            )
    return entries


def _description(protocol: Protocol) -> str:
    lines = [
        protocol.name,
        f"Last reviewed: {protocol.last_reviewed.isoformat()}",
        f"Review every {protocol.review_every_days} days; next due {protocol.next_review}",
    ]
    if protocol.note:
        lines.append(protocol.note)
    lines.append(
        f"(register protocol `{protocol.id}`: set last_reviewed when reviewed, and this "
        "reminder moves to the next due date)"
    )
    return "\n".join(lines)
