"""The deadlines one classified message sets: each rule clock, counted in the notice's regime,
paired with the limit the notice states for the same purpose.

For each deadline action of the winning rule:

1. the clock resolves to its variant for this notice's facts (payer type, country, the
   practice's profession) and is dropped if it does not apply in the practice's country (a UK
   practice never gets a US appeal clock, nor a US practice UK GDPR's month);
2. it counts from the notice's own date (a forwarded notice's original date, never the
   forward's), or from the date the rule extracted (``from_ref``: a meeting date);
3. a limit the notice states for the same purpose ("request a peer-to-peer within 14 days")
   is counted too: for a rule of law the **earlier** of the two is diarised and both are shown
   (a notice may give more time than the regulation; the practitioner must not rely on it),
   while a practice default (``stated: wins``) gives way to the notice's own date, or to its
   own window for a peer-to-peer or an appeal (a loose "within 2 weeks" in a letter does not
   stretch a service standard).

A date or window the notice asks the reader to meet that no clock covers is kept as a
deadline of its own (``stated``). :func:`act_by` is the earliest of all: the date by which
the practitioner must act on the message (the ``deadline`` of ``chief classify --json``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.clocks.calendars import add_business_days
from bot.clocks.clocks import Clock, ClockSet, add_months
from bot.rules.engine import Classification
from bot.rules.jurisdiction import resolution_party
from bot.rules.stated_dates import parse_date
from bot.rules.stated_windows import Stated

__all__ = ["Due", "act_by", "deadlines_for", "stated_due"]

_US, _GB = "us", "england"


@dataclass(frozen=True, slots=True)
class Due:
    """One deadline of a message: the date diarised and how it was reached."""

    clock_id: str  # the resolved clock, or "stated" for a limit only the notice gives
    due: date
    clock: Clock | None = None
    by_clock: date | None = None
    stated: Stated | None = None
    by_stated: date | None = None
    title: str | None = None

    @property
    def from_notice(self) -> bool:
        """Whether the date diarised is the one the notice states."""
        return self.by_stated is not None and self.due == self.by_stated

    def note(self) -> str:
        """Both dates and their sources, for the calendar entry and the draft's banner."""
        parts = []
        if self.stated is not None and self.by_stated is not None:
            parts.append(
                f"Stated in the notice: {self.stated.describe()}, {self.by_stated:%d %b %Y}."
            )
        if self.clock is not None and self.by_clock is not None:
            parts.append(
                f"Clock {self.clock.id}: {self.clock.describe()}, {self.by_clock:%d %b %Y}."
                f" Source: {self.clock.source}"
            )
        both = self.by_clock is not None and self.by_stated is not None
        if both and self.by_clock != self.by_stated:
            which = "the notice's" if self.from_notice else "the clock's"
            parts.append(f"They differ: {which} is diarised.")
        return " ".join(parts)


def stated_due(
    stated: Stated,
    notice: date,
    received: date,
    presumed_default: int = 0,
    service: date | None = None,
    calendar: str = "weekends",
) -> date | None:
    """The date a stated limit ends. ``presumed_default`` is the regime's presumption of
    receipt (42 CFR 405.942(a)(2): 5 days after the notice's date) when the notice counts from
    receipt without stating one; None when it counts from a date the message lacks."""
    if stated.on is not None:
        return stated.on
    if stated.start == "service":
        if service is None:
            return None
        start = service
    elif stated.start == "receipt":
        days = stated.presumed_days if stated.presumed_days is not None else presumed_default
        start = notice + timedelta(days=days) if days else received
    elif stated.start == "notice":
        start = notice
    else:
        start = received
    if stated.unit == "business_days":
        return add_business_days(start, stated.amount, calendar)
    clamped = False
    if stated.unit == "months":
        end = add_months(start, stated.amount)
        clamped = end.day != start.day
    else:
        end = start + timedelta(days=stated.amount * (7 if stated.unit == "weeks" else 1))
    if stated.includes_start and not clamped:
        end -= timedelta(days=1)
    return end


def _resolve(
    clocks: Mapping[str, Clock], clock_id: str, result: Classification, facts: dict[str, str | None]
) -> Clock | None:
    if isinstance(clocks, ClockSet):
        kind = result.party.kind if result.party else (result.category or "")
        return clocks.resolve(clock_id, resolution_party(result.party, kind, facts))
    return clocks.get(clock_id)


def deadlines_for(
    result: Classification,
    received: datetime | None,
    clocks: Mapping[str, Clock],
    day_first: bool = False,
    country: str | None = None,
    profession: str | None = None,
) -> list[Due]:
    """Every deadline ``result`` sets, in the rule's order, then limits only the notice states.

    ``country`` and ``profession`` are the practice's (``[practice] country`` and ``kind``);
    without them (``chief classify``) the notice's own country decides.
    """
    if result.category is None or received is None:
        return []
    law = country or result.country
    facts = {"payer_type": result.payer_type, "country": law, "profession": profession}
    got = received.date()
    notice = result.notice_date or got
    service = parse_date(result.refs.get("service_date", ""), got, day_first)
    calendar = _GB if law == "GB" else _US
    out: list[Due] = []
    covered: set[str] = set()
    for action in result.deadline_actions:
        spec = action.deadline
        clock = _resolve(clocks, spec.clock, result, facts)
        if clock is None or not clock.applies_in(law) or not clock.diarise:
            continue
        if spec.if_offered and clock.purpose not in result.mentions:
            continue
        start: date | datetime = received if notice == got else notice
        if spec.from_ref:
            ref = parse_date(result.refs.get(spec.from_ref, ""), got, day_first)
            if ref is None:
                continue
            start = ref
        due = clock.due(start)
        by_clock = due.date() if isinstance(due, datetime) else due
        covered.add(clock.purpose)
        stated, by_stated = _stated_for(result, clock, notice, got, service, calendar)
        if by_stated is None or stated is None:
            chosen = by_clock
        elif clock.stated == "wins" and (stated.on is not None or stated.purpose != "reply"):
            chosen = by_stated
        else:
            # A loose "within 2 weeks" in a letter (see him within 2 weeks) does not stretch
            # a practice's own service standard: the earlier of the two.
            chosen = min(by_clock, by_stated)
        out.append(Due(clock.id, chosen, clock, by_clock, stated, by_stated, spec.title))
    for stated in result.stated:
        # A date alone is the message's own deadline ("respond by 12 March"); an appeal or a
        # peer-to-peer is diarised only through its clock (a decision letter that recalls the
        # old peer-to-peer window sets none).
        if stated.purpose in covered or stated.purpose != "reply":
            continue
        when = stated_due(stated, notice, got, 0, service, calendar)
        # A date already past counts only where the rule sets no clock of its own: a chaser
        # restating "was due on 19 October" is overdue; a denial recalling a missed filing
        # date sets nothing.
        if when is not None and (when >= got or not result.deadline_actions):
            covered.add(stated.purpose)
            name = "stated" if stated.purpose == "reply" else f"stated.{stated.purpose}"
            out.append(Due(name, when, None, None, stated, when))
    return out


def _stated_for(
    result: Classification,
    clock: Clock,
    notice: date,
    received: date,
    service: date | None,
    calendar: str,
) -> tuple[Stated | None, date | None]:
    """The earliest limit the notice states for ``clock``'s purpose."""
    best: tuple[Stated | None, date | None] = (None, None)
    for stated in result.stated:
        if stated.purpose != clock.purpose or stated.purpose == "decision":
            continue  # the sender's own promise ("decided within 2 days") binds no one
        when = stated_due(stated, notice, received, clock.presumed_receipt_days, service, calendar)
        if when is not None and (best[1] is None or when < best[1]):
            best = (stated, when)
    return best


def act_by(
    result: Classification,
    received: datetime | None,
    clocks: Mapping[str, Clock],
    day_first: bool = False,
    country: str | None = None,
    profession: str | None = None,
) -> date | None:
    """The date by which the practitioner must act on the message: the earliest deadline."""
    found = deadlines_for(result, received, clocks, day_first, country, profession)
    return min((d.due for d in found), default=None)
