"""Deadline clocks: how long the practitioner (or the other side) has, counted from which event.

A clock is data (``rules/clocks.yaml``, layered with a practice's own ``clocks.yaml``)::

    clocks:
      - id: ehcp.advice                 # stable, dotted; rules refer to it
        amount: 6
        unit: weeks                     # calendar_days | business_days | weeks | months | hours
                                        # | calendar_date
        direction: after                # after (default) | before (advice due before a meeting)
        from: message_date              # the event counted from
        calendar: england               # business_days only: england | wales | scotland |
                                        # northern_ireland | us | weekends | ISO code ("US-NY")
        source: "SEN and Disability Regulations 2014 reg 8(1)"   # required
        note: "..."                     # optional
        action: "Send {party} your advice"   # optional: what the practitioner does by the
                                        # due date, in their words, for the daily summary
                                        # ({party}: who the case is with)
        verify: true                    # optional: secondary source, practice should confirm
        presumed_receipt_days: 5        # optional: a notice counts as received N days after
                                        # its date (Medicare appeals, 42 CFR 405.942(a)(2))

    A ``calendar_date`` clock names a day of the year instead of an amount (``on: "08-01"``,
    optionally ``years: odd``): the first such day on or after the start (``after``), or the
    last on or before it (``before``). The HCPC renewal window (1 August - 31 October of odd
    years) and the EHCP phase-transfer dates (15 February, 31 March) are clocks of this kind.

    A **variant** applies instead of its base clock when the sender's party matches ``when``
    (a party attribute such as ``payer_type``, or ``party`` for the party's name)::

      - id: prior_auth.standard.erisa
        variant_of: prior_auth.standard
        when: {payer_type: commercial}
        amount: 15
        ...

    Rules name the base clock; :meth:`ClockSet.resolve` picks the variant. A variant naming the
    party beats one naming only attributes; among equals, the lowest id wins.

Counting rules (what :meth:`Clock.due` computes)
------------------------------------------------
- ``calendar_days`` / ``weeks``: plain date arithmetic on the start's date.
- ``months``: same day-of-month N months on, clamped to the month's last day (31 January + 1
  month = 28/29 February), the reading the ICO gives for UK GDPR's "one month" (Art. 12(3)) and
  the usual reading of "2 months" in the SEND tribunal rules. Never overflows into the next
  month, and is monotone in the start date.
- ``business_days``: the Nth business day strictly after the start (day 1 is the next business
  day), skipping Saturdays, Sundays and the calendar's public holidays (``holidays`` package:
  England = ``GB``/``ENG``, US = federal). ``before`` gives the Nth business day strictly before.
- ``hours``: elapsed time (computed in UTC, so a DST change in between does not add or lose an
  hour); the result keeps the start's ``tzinfo``. A bare date counts from 00:00 UTC.
- ``calendar_date``: the ``amount``-th (default first) matching day counted from the start,
  the start itself included.
- ``presumed_receipt_days`` moves the start on by that many calendar days first.
- ``includes_start: true`` reads "N days / months *beginning with* (or *starting with*) the
  day": the start day is day 1, so the period ends one day earlier than "N days after" (SEN
  Regs 2014 reg 13(1)(a): 15 days beginning with service on 16 November end on 30 November;
  CFA 2014 s.44(1): 12 months starting with 31 August 2026 end on 30 August 2027). A month
  with no corresponding day ends on its last day (12 months from 29 February 2024: 28 February).
- ``roll: preceding`` (with a ``calendar``) moves a date that falls on a weekend or holiday
  to the working day before: a thing due *before* a meeting is never due on a bank holiday.
  With ``closures: school`` it also skips the school closure days the practice lists
  (``[practice] school_closures``, :func:`with_closures`): advice sent to a school is never
  due while the school is shut.

Which clock applies, and with what the notice says
--------------------------------------------------
- ``purpose`` (``appeal``, ``peer_to_peer``, ``decision``, ``reply``) pairs a clock with a
  window the notice states for the same purpose ("request an appeal within 65 days of the date
  of this notice"). ``stated: earlier`` (the default, for a rule of law) diarises the earlier of
  the two and shows both: a notice may give more time than the law, never less safely.
  ``stated: wins`` (practice policy and defaults) lets the notice's own date replace the clock.
- ``country`` (``US`` or ``GB``) limits a clock to a practice in that country (or, with no
  practice, a notice of that country): a UK practice never gets a US appeal clock.
- ``diarise: false`` marks a variant where the regime leaves the practice nothing to meet (a
  Medicare Advantage plan that upholds its denial forwards the case to the independent review
  entity itself): no deadline is set, and the base clock's default does not stand in for it.
- ``amount_in_controversy`` (year: dollars) is the least amount in dispute a request filed in
  that year needs (Medicare's ALJ hearing and judicial review, 42 CFR 405.1006, adjusted each
  1 January by a CMS notice): the deadline still stands (claims may be aggregated), and its
  note says the year's figure and whether the notice's amount reaches it
  (:mod:`bot.clocks.controversy`).

Days, weeks and months work on dates: a ``datetime`` start is reduced to its own (local) date.

A practice's chase intervals (``[chase]`` in chief.toml) replace the amounts of the
:data:`CHASE_CLOCKS` (:func:`with_chase_intervals`). Files are read and validated by
:mod:`bot.clocks.files`. Facts and their sources: the project's domain facts (FACTS.md) and the
``source`` of each clock; ``tests/test_clock_examples.py`` works an example of each.
"""

from __future__ import annotations

import calendar as _calendar
import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from bot.clocks.calendars import (
    CALENDAR_ALIASES,
    WEEKENDS_ONLY,
    add_business_days,
    business_calendar,
    is_business_day,
    previous_business_day,
)

__all__ = [
    "CALENDAR_ALIASES",
    "CHASE_CLOCKS",
    "Clock",
    "ClockSet",
    "Direction",
    "Unit",
    "add_business_days",
    "add_months",
    "business_calendar",
    "is_business_day",
    "with_chase_intervals",
    "with_closures",
]

log = logging.getLogger(__name__)


class Unit(StrEnum):
    CALENDAR_DAYS = "calendar_days"
    BUSINESS_DAYS = "business_days"
    WEEKS = "weeks"
    MONTHS = "months"
    HOURS = "hours"
    CALENDAR_DATE = "calendar_date"


class Direction(StrEnum):
    AFTER = "after"
    BEFORE = "before"


# The practice-policy clocks a practice sets in ``[chase]`` of chief.toml: key -> clock id.
CHASE_CLOCKS: dict[str, str] = {
    "prior_auth_pended": "prior_auth.chase_pended",
    "claim": "claim.chase",
    "solicitor_acknowledge": "solicitor.acknowledge",
    "referral_acknowledge": "referral.acknowledge",
}


@dataclass(frozen=True, slots=True)
class Clock:
    """One deadline rule. ``origin`` is ``file:line`` of its definition (for error messages)."""

    id: str
    amount: int
    unit: Unit
    source: str
    direction: Direction = Direction.AFTER
    from_event: str = "message_date"
    calendar: str | None = None
    note: str = ""
    action: str = ""  # "Send {party} your advice": the summary's words (bot.summary.wording)
    verify: bool = False
    origin: str = ""
    on: tuple[int, int] | None = None  # calendar_date: (month, day)
    years: str | None = None  # calendar_date: "odd" | "even" | None (every year)
    presumed_receipt_days: int = 0
    variant_of: str | None = None
    when: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (attribute, accepted values)
    purpose: str = "reply"  # what the date is for: appeal | peer_to_peer | decision | reply
    stated: str = "earlier"  # a date the notice states: "earlier" of the two, or it "wins"
    includes_start: bool = False  # "beginning with" / "starting with" the start day
    roll: str | None = None  # "preceding": a day off moves to the working day before
    country: str | None = None  # applies only to a practice (or notice) in this country
    diarise: bool = True  # False: the regime leaves the practice nothing to meet (module doc)
    closures: str | None = None  # "school": ``roll`` also skips the practice's school closures
    closed_days: frozenset[date] = frozenset()  # those days (set by :func:`with_closures`)
    # (year, dollars): the least amount in controversy a request filed that year needs
    amount_in_controversy: tuple[tuple[int, int], ...] = ()

    def due(self, start: date | datetime) -> date | datetime:
        """The deadline for an event at ``start`` (see the module docstring for the rules)."""
        sign = -1 if self.direction is Direction.BEFORE else 1
        if self.presumed_receipt_days:
            start = start + timedelta(days=self.presumed_receipt_days)
        if self.unit is Unit.HOURS:
            moment = start if isinstance(start, datetime) else datetime.combine(start, time(), UTC)
            delta = timedelta(hours=sign * self.amount)
            if moment.tzinfo is None:
                return moment + delta
            # Aware arithmetic in Python is wall-clock; elapsed hours must be counted in UTC.
            return (moment.astimezone(UTC) + delta).astimezone(moment.tzinfo)
        day = start.date() if isinstance(start, datetime) else start
        if self.unit is Unit.CALENDAR_DAYS:
            result = day + timedelta(days=sign * self.amount)
        elif self.unit is Unit.WEEKS:
            result = day + timedelta(weeks=sign * self.amount)
        elif self.unit is Unit.MONTHS:
            result = add_months(day, sign * self.amount)
        elif self.unit is Unit.CALENDAR_DATE:
            assert self.on is not None
            return day_of_year(day, self.on, sign * self.amount, self.years)
        else:
            result = add_business_days(day, sign * self.amount, self.calendar or WEEKENDS_ONLY)
        if self.includes_start and self.unit is not Unit.BUSINESS_DAYS and sign > 0:
            # "15 days beginning with the day served": the start day is day 1, so the period
            # ends the day before the plain count would (Interpretation Act usage; SEN Regs
            # 2014 reg 13(1)(a); CFA 2014 s.44(1) "12 months starting with").
            # A month with no corresponding day (29 February 2025) already ends on its last.
            clamped = self.unit is Unit.MONTHS and result.day != day.day
            result -= timedelta(days=0 if clamped else 1)
        if self.roll == "preceding":
            result = previous_business_day(result, self.calendar or WEEKENDS_ONLY, self.closed_days)
        return result

    def describe(self) -> str:
        """Human wording, e.g. ``6 weeks after message date``."""
        event = self.from_event.replace("_", " ")
        if self.unit is Unit.CALENDAR_DATE:
            assert self.on is not None
            named = f"{self.on[1]} {_calendar.month_name[self.on[0]]}"
            if self.years:
                named += f" of an {self.years} year"
            if self.amount > 1:
                named = f"occurrence {self.amount} of {named}"
            where = "on or before" if self.direction is Direction.BEFORE else "on or after"
            text = f"{named} {where} {event}"
        else:
            unit = self.unit.value.replace("_", " ")
            if self.amount == 1:
                unit = unit[:-1]  # every unit name is a plural ending in "s"
            if self.presumed_receipt_days:
                days = self.presumed_receipt_days
                event = f"receipt (presumed {days} days after {event})"
            text = f"{self.amount} {unit} {self.direction.value} {event}"
            if self.includes_start:
                text = f"{self.amount} {unit} beginning with {event}"
        if self.roll == "preceding":
            text += ", on a working day"
            if self.closed_days:
                text += " outside school closures"
        return text

    def applies_in(self, country: str | None) -> bool:
        """Whether this clock applies where ``country``'s law governs (unknown: it does)."""
        return self.country is None or country is None or self.country == country

    def specificity(self, party: Any) -> int:
        """How well this variant's ``when`` fits ``party`` (0: not at all).

        ``party`` is anything with ``name`` and ``attributes`` (:class:`bot.rules.parties.Party`).
        Every condition must hold; naming the party counts more than any attributes.
        """
        if not self.when or party is None:
            return 0
        score = 0
        attributes = {k.lower(): str(v).lower() for k, v in dict(party.attributes).items()}
        for key, accepted in self.when:
            value = str(party.name).lower() if key == "party" else attributes.get(key)
            if value is None or value not in accepted:
                return 0
            score += 100 if key == "party" else 1
        return score


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months, clamped to the last day of the month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = _calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def day_of_year(day: date, on: tuple[int, int], count: int, years: str | None = None) -> date:
    """The ``|count|``-th ``on`` (month, day) on or after (count > 0) / before (< 0) ``day``.

    ``years`` ``odd`` or ``even`` keeps only such years (HCPC renews in odd years).
    """
    month, dom = on
    step = 1 if count > 0 else -1
    remaining = abs(count)
    year = day.year
    while True:
        candidate = date(year, month, dom)
        wanted = years is None or (year % 2 == 1) == (years == "odd")
        on_side = candidate >= day if step > 0 else candidate <= day
        if wanted and on_side:
            remaining -= 1
            if not remaining:
                return candidate
        year += step


class ClockSet(Mapping[str, Clock]):
    """Clocks by id, after layering (a later file's clock replaces an earlier one's)."""

    def __init__(self, clocks: Mapping[str, Clock] | None = None) -> None:
        self._clocks: dict[str, Clock] = dict(clocks or {})
        self._variants: dict[str, list[Clock]] = {}
        for clock in sorted(self._clocks.values(), key=lambda c: c.id):
            if clock.variant_of is not None:
                self._variants.setdefault(clock.variant_of, []).append(clock)

    def __getitem__(self, clock_id: str) -> Clock:
        return self._clocks[clock_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._clocks)

    def __len__(self) -> int:
        return len(self._clocks)

    def __repr__(self) -> str:
        return f"ClockSet({sorted(self._clocks)!r})"

    def variants(self, clock_id: str) -> list[Clock]:
        """The variants of base clock ``clock_id``, by id."""
        return list(self._variants.get(clock_id, ()))

    def resolve(self, clock_id: str, party: Any = None) -> Clock | None:
        """The clock that applies to mail from ``party``: its best variant, else the clock."""
        clock = self._clocks.get(clock_id)
        if clock is None or party is None:
            return clock
        best, score = clock, 0
        for variant in self._variants.get(clock_id, ()):
            fit = variant.specificity(party)
            if fit > score:
                best, score = variant, fit
        return best

    def due(self, clock_id: str, start: date | datetime, party: Any = None) -> date | datetime:
        """Shortcut for ``self.resolve(clock_id, party).due(start)``; KeyError names the clock."""
        clock = self.resolve(clock_id, party)
        if clock is None:
            raise KeyError(f"unknown clock `{clock_id}`")
        return clock.due(start)


def with_closures(clocks: ClockSet, school: Iterable[tuple[date, date]]) -> ClockSet:
    """``clocks`` whose ``closures: school`` roll also skips the days of ``school``, the
    practice's school closures (first and last day of each, inclusive)."""
    days = frozenset(
        first + timedelta(days=n) for first, last in school for n in range((last - first).days + 1)
    )
    if not days:
        return clocks
    changed = {
        clock_id: replace(clock, closed_days=days) if clock.closures == "school" else clock
        for clock_id, clock in clocks.items()
    }
    return ClockSet(changed)


def with_chase_intervals(
    clocks: ClockSet, intervals: Mapping[str, int], calendar: str | None, origin: str
) -> ClockSet:
    """``clocks`` with the practice's chase intervals (``[chase]`` in chief.toml) applied.

    ``intervals`` maps a :data:`CHASE_CLOCKS` key to a count in the clock's own unit;
    ``calendar`` (when given) replaces the holiday calendar of every chase clock counted in
    business days. ``origin`` names where the values came from, for error messages.
    """
    changed = dict(clocks)
    for key, clock_id in CHASE_CLOCKS.items():
        clock = changed.get(clock_id)
        if clock is None:
            continue
        amount = intervals.get(key, clock.amount)
        new_calendar = clock.calendar
        if calendar is not None and clock.unit is Unit.BUSINESS_DAYS:
            new_calendar = calendar
        if (amount, new_calendar) == (clock.amount, clock.calendar):
            continue
        changed[clock_id] = replace(
            clock,
            amount=amount,
            calendar=new_calendar,
            source=f"Practice policy ([chase] {key} in chief.toml)",
            origin=origin,
        )
    return ClockSet(changed)
