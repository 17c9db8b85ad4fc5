"""Deadline clocks: how long the practitioner (or the other side) has, counted from which event.

A clock is data (``rules/clocks.yaml``, layered with a practice's own ``clocks.yaml``)::

    clocks:
      - id: ehcp.advice                 # stable, dotted; rules refer to it
        amount: 6
        unit: weeks                     # calendar_days | business_days | weeks | months | hours
        direction: after                # after (default) | before (advice due before a meeting)
        from: message_date              # the event counted from
        calendar: england               # business_days only: england | wales | scotland |
                                        # northern_ireland | us | weekends | ISO code ("US-NY")
        source: "SEN and Disability Regulations 2014 reg 8(1)"   # required
        note: "..."                     # optional
        verify: true                    # optional: secondary source, practice should confirm

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

Days, weeks and months work on dates: a ``datetime`` start is reduced to its own (local) date.
Facts and their sources: ``/work/shared/domain/FACTS.md`` and the ``source`` of each clock.
"""

from __future__ import annotations

import calendar as _calendar
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import holidays
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.errors import UserError
from bot.yaml_source import YamlProblem, item_problems, line_of, load_yaml, unique_items

__all__ = [
    "CALENDAR_ALIASES",
    "Clock",
    "ClockSet",
    "Direction",
    "Unit",
    "add_business_days",
    "add_months",
    "business_calendar",
    "is_business_day",
    "load_clocks",
]

log = logging.getLogger(__name__)


class Unit(StrEnum):
    CALENDAR_DAYS = "calendar_days"
    BUSINESS_DAYS = "business_days"
    WEEKS = "weeks"
    MONTHS = "months"
    HOURS = "hours"


class Direction(StrEnum):
    AFTER = "after"
    BEFORE = "before"


# Friendly names for holiday calendars; anything else must be an ISO 3166 code with an optional
# subdivision ("US-NY", "GB-SCT") that the ``holidays`` package knows.
CALENDAR_ALIASES: dict[str, tuple[str, str | None]] = {
    "england": ("GB", "ENG"),
    "wales": ("GB", "WLS"),
    "scotland": ("GB", "SCT"),
    "northern_ireland": ("GB", "NIR"),
    "us": ("US", None),  # federal holidays only
}
WEEKENDS_ONLY = "weekends"
_ISO_CALENDAR = re.compile(r"^([A-Z]{2})(?:-([A-Z0-9]{1,3}))?$")
_MAX_AMOUNT = 10_000  # a typo guard: no real clock runs for more than ~27 years of days


@lru_cache(maxsize=32)
def business_calendar(name: str) -> holidays.HolidayBase | None:
    """Holiday calendar called ``name`` (None for ``weekends``); ValueError if unknown."""
    if name == WEEKENDS_ONLY:
        return None
    if name in CALENDAR_ALIASES:
        country, subdiv = CALENDAR_ALIASES[name]
    else:
        found = _ISO_CALENDAR.match(name)
        if not found:
            known = ", ".join([*CALENDAR_ALIASES, WEEKENDS_ONLY])
            raise ValueError(f"unknown calendar `{name}`; known: {known}, or an ISO code (US-NY)")
        country, subdiv = found.group(1), found.group(2)
    try:
        return holidays.country_holidays(country, subdiv=subdiv)
    except NotImplementedError as exc:
        raise ValueError(f"unknown calendar `{name}`: {exc}") from None


def is_business_day(day: date, calendar: str) -> bool:
    """Monday to Friday and not a public holiday in ``calendar``."""
    if day.weekday() >= 5:
        return False
    table = business_calendar(calendar)
    return table is None or day not in table


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
    verify: bool = False
    origin: str = ""

    def due(self, start: date | datetime) -> date | datetime:
        """The deadline for an event at ``start`` (see the module docstring for the rules)."""
        sign = -1 if self.direction is Direction.BEFORE else 1
        if self.unit is Unit.HOURS:
            moment = start if isinstance(start, datetime) else datetime.combine(start, time(), UTC)
            delta = timedelta(hours=sign * self.amount)
            if moment.tzinfo is None:
                return moment + delta
            # Aware arithmetic in Python is wall-clock; elapsed hours must be counted in UTC.
            return (moment.astimezone(UTC) + delta).astimezone(moment.tzinfo)
        day = start.date() if isinstance(start, datetime) else start
        if self.unit is Unit.CALENDAR_DAYS:
            return day + timedelta(days=sign * self.amount)
        if self.unit is Unit.WEEKS:
            return day + timedelta(weeks=sign * self.amount)
        if self.unit is Unit.MONTHS:
            return add_months(day, sign * self.amount)
        return add_business_days(day, sign * self.amount, self.calendar or WEEKENDS_ONLY)

    def describe(self) -> str:
        """Human wording, e.g. ``6 weeks after message date``."""
        unit = self.unit.value.replace("_", " ")
        if self.amount == 1:
            unit = unit[:-1]  # every unit name is a plural ending in "s"
        return f"{self.amount} {unit} {self.direction.value} {self.from_event.replace('_', ' ')}"


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months, clamped to the last day of the month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = _calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_business_days(day: date, count: int, calendar: str) -> date:
    """The ``|count|``-th business day strictly after (count > 0) or before (< 0) ``day``."""
    step = timedelta(days=1 if count > 0 else -1)
    remaining = abs(count)
    current = day
    while remaining:
        current += step
        if is_business_day(current, calendar):
            remaining -= 1
    return current


class ClockSet(Mapping[str, Clock]):
    """Clocks by id, after layering (a later file's clock replaces an earlier one's)."""

    def __init__(self, clocks: Mapping[str, Clock] | None = None) -> None:
        self._clocks: dict[str, Clock] = dict(clocks or {})

    def __getitem__(self, clock_id: str) -> Clock:
        return self._clocks[clock_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._clocks)

    def __len__(self) -> int:
        return len(self._clocks)

    def __repr__(self) -> str:
        return f"ClockSet({sorted(self._clocks)!r})"

    def due(self, clock_id: str, start: date | datetime) -> date | datetime:
        """Shortcut for ``self[clock_id].due(start)``; KeyError names the unknown clock."""
        try:
            clock = self._clocks[clock_id]
        except KeyError:
            raise KeyError(f"unknown clock `{clock_id}`") from None
        return clock.due(start)


# ---------------------------------------------------------------- loading and validation

_ID = r"^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+$"
_EVENT = r"^[a-z][a-z0-9_]*$"


class _ClockModel(BaseModel):
    """Validation of one YAML entry; field names are the YAML keys."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: Annotated[str, Field(strict=True, pattern=_ID)]
    amount: Annotated[int, Field(strict=True, ge=1, le=_MAX_AMOUNT)]
    unit: Unit
    direction: Direction = Direction.AFTER
    from_event: Annotated[str, Field(alias="from", strict=True, pattern=_EVENT)] = "message_date"
    calendar: str | None = None
    source: Annotated[str, Field(strict=True, min_length=3)]
    note: str = ""
    verify: Annotated[bool, Field(strict=True)] = False

    @field_validator("calendar")
    @classmethod
    def _known_calendar(cls, value: str | None) -> str | None:
        if value is not None:
            business_calendar(value)  # ValueError names the problem
        return value

    def check_calendar(self) -> str | None:
        """Cross-field rule, reported against the ``calendar``/``unit`` key."""
        if self.unit is Unit.BUSINESS_DAYS and self.calendar is None:
            return "business_days needs a `calendar` (england, us, weekends, ...)"
        if self.unit is not Unit.BUSINESS_DAYS and self.calendar is not None:
            return "`calendar` only applies to unit business_days"
        return None


_KNOWN_KEYS = ("id", "amount", "unit", "direction", "from", "calendar", "source", "note", "verify")


def load_clocks(paths: Sequence[Path]) -> ClockSet:
    """Load and layer clock files in order; later files override clocks with the same id.

    Every problem in every file is collected and raised together as one :class:`UserError`
    with ``file:line: message`` lines, so a practice fixes its file in one go.
    """
    problems: list[str] = []
    clocks: dict[str, Clock] = {}
    for path in paths:
        for clock in _load_file(Path(path), problems):
            if clock.id in clocks:
                log.debug(
                    "clock %s from %s overrides %s", clock.id, clock.origin, clocks[clock.id].origin
                )
            clocks[clock.id] = clock
    if problems:
        raise UserError(f"{len(problems)} problem(s) in clock files", problems)
    return ClockSet(clocks)


def _load_file(path: Path, problems: list[str]) -> list[Clock]:
    if not path.exists():
        problems.append(f"{path}:1: clock file not found")
        return []
    try:
        doc = load_yaml(path)
    except YamlProblem as exc:
        problems.append(str(exc))
        return []
    if doc is None:
        return []
    if not isinstance(doc, Mapping) or "clocks" not in doc:
        problems.append(f"{path}:1: expected a mapping with a `clocks:` list")
        return []
    extra = [k for k in doc if k != "clocks"]
    for key in extra:
        problems.append(f"{path}:{line_of(doc, [key])}: unknown top-level key `{key}`")
    items = doc["clocks"]
    if items is None:
        return []
    if not isinstance(items, list):
        problems.append(f"{path}:{line_of(doc, ['clocks'])}: `clocks` must be a list")
        return []
    out: list[Clock] = []
    for line, item in unique_items(items, path, "clock", problems):
        clock = _validate(item, path, line, problems)
        if clock is not None:
            out.append(clock)
    return out


def _validate(item: Any, path: Path, line: int, problems: list[str]) -> Clock | None:
    if not isinstance(item, Mapping):
        problems.append(f"{path}:{line}: each clock must be a mapping (id, amount, unit, ...)")
        return None
    label = f"clock `{item.get('id')}`" if isinstance(item.get("id"), str) else "clock"
    try:
        model = _ClockModel.model_validate(dict(item))
    except ValidationError as exc:
        problems.extend(item_problems(exc, item, path, line, label, _KNOWN_KEYS))
        return None
    cross = model.check_calendar()
    if cross:
        key = "calendar" if "calendar" in item else "unit"
        problems.append(f"{path}:{line_of(item, [key])}: {label}: {cross}")
        return None
    return Clock(
        id=model.id,
        amount=model.amount,
        unit=model.unit,
        direction=model.direction,
        from_event=model.from_event,
        calendar=model.calendar,
        source=model.source.strip(),
        note=model.note.strip(),
        verify=model.verify,
        origin=f"{path}:{line}",
    )
