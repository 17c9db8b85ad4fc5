"""Working-day calendars: weekends and public holidays, for business-day clocks and for
moving a "before" date off a day nobody works.

A calendar is named by a friendly alias (``england``, ``us``...), ``weekends`` (Monday to Friday,
no holidays), or an ISO 3166 code with an optional subdivision (``US-NY``, ``GB-SCT``) that the
``holidays`` package knows.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache

import holidays

__all__ = [
    "CALENDAR_ALIASES",
    "WEEKENDS_ONLY",
    "add_business_days",
    "business_calendar",
    "is_business_day",
    "previous_business_day",
]

CALENDAR_ALIASES: dict[str, tuple[str, str | None]] = {
    "england": ("GB", "ENG"),
    "wales": ("GB", "WLS"),
    "scotland": ("GB", "SCT"),
    "northern_ireland": ("GB", "NIR"),
    "us": ("US", None),  # federal holidays only
}
WEEKENDS_ONLY = "weekends"
_ISO_CALENDAR = re.compile(r"^([A-Z]{2})(?:-([A-Z0-9]{1,3}))?$")


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


def previous_business_day(day: date, calendar: str, closed: frozenset[date] = frozenset()) -> date:
    """``day`` itself if people work on it, else the last working day before it; ``closed``
    adds days the recipient does not work (a school's closure days).

    A date something must be done *before* (advice circulated two weeks before a meeting) is
    never moved later: a deadline on a bank holiday is met on the working day before it.
    """
    while day in closed or not is_business_day(day, calendar):
        day -= timedelta(days=1)
    return day
