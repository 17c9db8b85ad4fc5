"""Dates a message states as a deadline: "please return your advice by 28 November 2026",
"respond no later than December 4, 2026", "your licence expires on 31/12/2026".

Only a date introduced by a deadline phrase counts; a date alone (a meeting, a date of birth)
does not. Numeric dates are ambiguous (04/12/2026): ``day_first`` decides, and the caller sets it
from what it knows (a UK sender, a UK practice); a number over 12 settles it either way.
"""

from __future__ import annotations

from datetime import date, timedelta

import re2

__all__ = ["day_first", "find_stated_deadline", "parse_date", "stated_date_positions"]

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = "(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
_DAY = r"[0-3]?[0-9](?:st|nd|rd|th)?"
_DATE = (
    rf"{_WEEKDAY}(?:the\s+)?(?:{_DAY}\s+(?:of\s+)?{_MONTH},?(?:\s+[0-9]{{4}})?"
    rf"|{_MONTH}\s+{_DAY},?(?:\s+[0-9]{{4}})?"
    r"|[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"|[0-9]{1,2}[/.][0-9]{1,2}[/.][0-9]{2,4})"
)
_LEAD = (
    r"(?:no later than|not later than|on or before|by|before|deadline(?:\s+is|:)?"
    r"|due(?:\s+date)?(?:\s+is|:|\s+on|\s+by)?|expires?(?:\s+on)?|expiry date(?:\s+is|:)?"
    r"|expiration date(?:\s+is|:)?|renew(?:al)?\s+(?:by|date:?)|return(?:ed)?\s+by"
    r"|(?:submission|revalidation|renewal|recertification|attestation)\s+date(?:\s+is|:)?"
    r"|respond\s+by|reply\s+by|valid\s+until|lapses?\s+on|ends?\s+on)"
)
# "by close of business on", "by 5pm on", "no later than noon,": a time of day between the
# lead and the date keeps the date the deadline.
_TIME_OF_DAY = (
    r"(?:\s+(?:close\s+of\s+(?:business|play)|COB|end\s+of\s+(?:the\s+)?(?:business\s+)?day"
    r"|noon|midday|midnight|[0-9]{1,2}(?:[.:][0-9]{2})?\s*(?:am|pm|a\.m\.|p\.m\.)"
    r"|[0-9]{1,2}[.:][0-9]{2}(?:\s*(?:hrs|hours))?)"
    r"(?:\s+on)?,?)?"
)
_PHRASE = re2.compile(rf"(?i)\b{_LEAD}{_TIME_OF_DAY}\s*:?\s+({_DATE})", _OPTIONS)
_DMY_WORDS = re2.compile(rf"(?i)({_DAY})\s+(?:of\s+)?({_MONTH}),?(?:\s+([0-9]{{4}}))?", _OPTIONS)
_MDY_WORDS = re2.compile(rf"(?i)({_MONTH})\s+({_DAY}),?(?:\s+([0-9]{{4}}))?", _OPTIONS)
_ISO = re2.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", _OPTIONS)
_NUMERIC = re2.compile(r"([0-9]{1,2})[/.]([0-9]{1,2})[/.]([0-9]{2,4})", _OPTIONS)


def _day(text: str) -> int:
    return int(text.rstrip("stndrh").rstrip("STNDRH"))


def _month(text: str) -> int:
    return _MONTHS[text.lower().rstrip(".")]


def _infer_year(month: int, day: int, received: date | None) -> int | None:
    """A date without a year means its next occurrence after the message was sent."""
    if received is None:
        return None
    year = received.year
    try:
        candidate = date(year, month, day)
    except ValueError:
        return None
    if candidate < received - timedelta(days=31):
        year += 1
    return year


def day_first(sender_domain: str, country: str | None = None) -> bool:
    """Whether the writer of a message puts the day first in a numeric date (02/11/2026).

    The one rule every reader of dates uses: a sender at a ``.uk`` domain writes day first; any
    other sender is read the way the practice's country writes (``GB``: day first; ``US`` or
    unknown: month first, as US payers, labs and boards write).
    """
    return sender_domain.lower().rstrip(".").endswith(".uk") or country == "GB"


def parse_date(text: str, received: date | None = None, day_first: bool = False) -> date | None:
    """Parse one written date; ``None`` when it is not a real calendar date."""
    text = text.strip()
    try:
        if (m := _ISO.search(text)) is not None:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if (m := _NUMERIC.search(text)) is not None:
            a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if year < 100:
                year += 2000
            if a > 12 or (day_first and b <= 12):
                day, month = a, b
            else:
                month, day = a, b
            return date(year, month, day)
        if (m := _DMY_WORDS.search(text)) is not None:
            day, month = _day(m.group(1)), _month(m.group(2))
        elif (m := _MDY_WORDS.search(text)) is not None:
            month, day = _month(m.group(1)), _day(m.group(2))
        else:
            return None
        written = int(m.group(3)) if m.group(3) else _infer_year(month, day, received)
        return date(written, month, day) if written else None
    except (ValueError, KeyError):
        return None


def stated_date_positions(
    text: str, received: date | None = None, day_first: bool = False
) -> list[tuple[int, int, date]]:
    """Every date the text states as a deadline, as (start, end, date) of its phrase.

    Dates implausibly far from the message (before it by more than a year, or more than ten
    years after) are ignored: they are dates of birth or references, not deadlines.
    """
    out = []
    for found in _PHRASE.finditer(text):
        when = parse_date(found.group(1), received, day_first)
        if when is None:
            continue
        if received is not None and not (
            received - timedelta(days=366) <= when <= received + timedelta(days=3660)
        ):
            continue
        out.append((found.start(), found.end(), when))
    return out


def find_stated_deadline(
    text: str, received: date | None = None, day_first: bool = False
) -> date | None:
    """The first date the text states as a deadline, or ``None``."""
    found = stated_date_positions(text, received, day_first)
    return found[0][2] if found else None
