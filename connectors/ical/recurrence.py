"""Reading events out of parsed iCalendar components, recurrences expanded (RFC 5545 3.8.5).

Used by :mod:`connectors.ical.ics`. Expansion is deliberately simple and bounded:

- ``RRULE`` (one or more) through ``dateutil.rrule.rrulestr``, anchored at ``DTSTART`` in its own
  zone, so a weekly 10:00 Europe/London meeting stays at 10:00 across DST; ``DTSTART`` is always
  an instance, as RFC 5545 3.8.5.3 requires;
- ``RDATE`` dates, date-times and periods (a period keeps its own duration); ``EXDATE`` removes
  instances; a ``VEVENT`` with ``RECURRENCE-ID`` replaces the instance it names (``RANGE=
  THISANDFUTURE`` is treated as that one instance only);
- floating times, all-day dates and ``TZID``s the library cannot resolve are read in the
  connector's time zone;
- at most ``MAX_EXAMINED`` candidate instances are looked at per event (a ``FREQ=SECONDLY`` rule
  from 1970 cannot stall a run), and a rule dateutil cannot read (RSCALE, RFC 7529) degrades to
  the single ``DTSTART`` instance, with a warning.

Warnings name the calendar file and a hash of the event's UID, never a summary or description.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import partial
from typing import Any

import icalendar
from dateutil.rrule import rruleset, rrulestr

from connectors.base import CalendarEntry
from connectors.broken_events import EventSkipped, build_or_skip, uid_hash
from connectors.ical.vevent import UID_SUFFIX

__all__ = ["MAX_EXAMINED", "expand_component"]

log = logging.getLogger(__name__)

MAX_EXAMINED = 50_000
Window = tuple[datetime, datetime]
_UNTIL = re.compile(r"(UNTIL=)(\d{8})(T\d{6})?(Z?)", re.IGNORECASE)


def expand_component(
    component: icalendar.Component, window: Window, tz: tzinfo, label: str
) -> list[tuple[datetime, CalendarEntry]]:
    """Occurrences of every VEVENT under ``component`` overlapping ``window``, with sort keys."""
    masters: list[Any] = []
    overrides: dict[str, set[datetime]] = {}
    singles: list[Any] = []
    for event in component.walk("VEVENT"):
        uid = str(event.get("UID", ""))
        if "RECURRENCE-ID" in event:
            rid = build_or_skip(partial(_recurrence_id, event, tz), label, uid)
            if rid is None:  # an override of no known instance: neither it nor a hole
                continue
            overrides.setdefault(uid, set()).add(rid)
            singles.append(event)
        else:
            masters.append(event)
    out: list[tuple[datetime, CalendarEntry]] = []
    for event in masters:
        skip = overrides.get(str(event.get("UID", "")), set())
        out.extend(_guarded(event, label, partial(_expand, event, skip, window, tz, label)))
    for event in singles:
        out.extend(_guarded(event, label, partial(_expand, event, None, window, tz, label)))
    return out


def _guarded(
    event: Any, label: str, run: Callable[[], Iterator[tuple[datetime, CalendarEntry]]]
) -> list[tuple[datetime, CalendarEntry]]:
    """Every occurrence of one event, or none when any part of it is broken."""
    return build_or_skip(lambda: list(run()), label, event.get("UID", "")) or []


def _expand(
    event: Any,
    skip: set[datetime] | None,
    window: Window,
    tz: tzinfo,
    label: str,
) -> Iterator[tuple[datetime, CalendarEntry]]:
    """``skip`` None: a RECURRENCE-ID override, a single instance; else the instants to skip."""
    first = _value(event, "DTSTART")
    all_day = not isinstance(first, datetime)
    if isinstance(first, datetime) and first.tzinfo is None:
        first = first.replace(tzinfo=tz)  # floating time or an unknown TZID
    length = _duration(event, first, all_day, tz)
    anchor = _instant(first, tz)
    recurring = skip is not None and ("RRULE" in event or "RDATE" in event)
    starts = _starts(event, anchor, length, window, tz, label) if recurring else [(anchor, length)]
    for instant, span in starts:
        if skip and instant in skip:
            continue
        if not _overlaps(instant, span, window):
            continue
        yield instant, _entry(event, instant, span, all_day, recurring or skip is None)


def _starts(
    event: Any, anchor: datetime, length: timedelta, window: Window, tz: tzinfo, label: str
) -> Iterator[tuple[datetime, timedelta]]:
    rules = rruleset()
    rules.rdate(anchor)  # DTSTART is always the first instance
    periods: list[tuple[datetime, timedelta]] = []
    for rule in _as_list(event.get("RRULE")):
        try:
            text = _utc_until(rule.to_ical().decode("ascii"), anchor.tzinfo or tz)
            rules.rrule(rrulestr(text, dtstart=anchor))
        except Exception as exc:
            log.warning(
                "calendar %s: event %s: recurrence rule not expanded (%s)",
                label,
                _uid_hash(event),
                type(exc).__name__,
            )
    for value in _dates(event, "RDATE"):
        if isinstance(value, tuple):
            begin = _instant(value[0], anchor.tzinfo or tz)
            end = value[1]
            span = end if isinstance(end, timedelta) else _instant(end, anchor.tzinfo or tz) - begin
            periods.append((begin, max(span, timedelta(0))))
        else:
            rules.rdate(_instant(value, anchor.tzinfo or tz))
    excluded = {
        _instant(value, anchor.tzinfo or tz)
        for value in _dates(event, "EXDATE")
        if not isinstance(value, tuple)
    }
    for begin, span in periods:
        if begin not in excluded:
            yield begin, span
    for examined, instant in enumerate(rules, start=1):
        if examined > MAX_EXAMINED:
            log.warning(
                "calendar %s: event %s: expansion stopped after %d instances",
                label,
                _uid_hash(event),
                MAX_EXAMINED,
            )
            return
        if instant >= window[1]:
            return
        if instant not in excluded:
            yield instant, length


def _entry(
    event: Any, instant: datetime, span: timedelta, all_day: bool, instance: bool
) -> CalendarEntry:
    uid = str(event.get("UID", "")) or f"nouid-{_uid_hash(event)}"
    ours = uid.endswith(UID_SUFFIX)
    extra: dict[str, str] = {"uid": uid, "origin": "chief" if ours else "external"}
    if "STATUS" in event:
        extra["status"] = str(event["STATUS"]).upper()
    if "RECURRENCE-ID" in event:
        extra["recurrence_id"] = _value(event, "RECURRENCE-ID").isoformat()
    elif instance:
        extra["recurrence_id"] = instant.isoformat()
    if ours:
        for name, value in event.property_items(recursive=False):
            if name.startswith("X-CHIEF-") and name not in ("X-CHIEF-KEY", "X-CHIEF-HASH"):
                extra[name[8:].lower().replace("-", "_")] = str(value)
        rule = _as_list(event.get("RRULE"))
        if rule:
            extra["rrule"] = rule[0].to_ical().decode("ascii")
    key = str(event.get("X-CHIEF-KEY", "")) if ours else ""
    start: date | datetime = instant
    end: date | datetime = instant + span
    if all_day:
        start = instant.date()
        end = start + timedelta(days=max(span.days, 1) if span else 1)
    return CalendarEntry(
        key=key or uid,
        summary=_text(event.get("SUMMARY")),
        start=start,
        end=end,
        description=_text(event.get("DESCRIPTION")),
        location=_text(event.get("LOCATION")),
        alarms=_alarms(event),
        categories=_categories(event),
        extra=extra,
    )


# ------------------------------------------------------------------------ values


def _value(event: Any, name: str) -> date | datetime:
    prop = event.get(name)
    value = getattr(prop, "dt", None)
    if isinstance(value, date):  # datetime is a date too
        return value
    raise EventSkipped(f"missing or invalid {name}")


def _recurrence_id(event: Any, tz: tzinfo) -> datetime:
    """The instant an override replaces (its ``RECURRENCE-ID``)."""
    return _instant(_value(event, "RECURRENCE-ID"), tz)


def _duration(event: Any, first: date | datetime, all_day: bool, tz: tzinfo) -> timedelta:
    end = getattr(event.get("DTEND"), "dt", None)
    if isinstance(end, date):
        span = _instant(end, getattr(first, "tzinfo", None) or tz) - _instant(first, tz)
        return max(span, timedelta(0))
    duration = getattr(event.get("DURATION"), "dt", None)
    if isinstance(duration, timedelta) and abs(duration) < timedelta(days=3660):
        return max(duration, timedelta(0))
    return timedelta(days=1) if all_day else timedelta(0)


def _dates(event: Any, name: str) -> Iterator[Any]:
    """RDATE/EXDATE values; a broken one is ignored (the event itself still counts)."""
    for prop in _as_list(event.get(name)):
        try:
            items = list(getattr(prop, "dts", []) or [])
        except Exception:
            log.debug("unreadable %s ignored", name)
            continue
        for item in items:
            value = getattr(item, "dt", None)
            if isinstance(value, date | tuple):
                yield value


def _instant(value: date | datetime, tz: tzinfo) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    return datetime.combine(value, time(), tz)


def _overlaps(instant: datetime, span: timedelta, window: Window) -> bool:
    start, end = window
    if instant >= end:
        return False
    return instant + span > start if span else instant >= start


def _utc_until(rule: str, tz: tzinfo) -> str:
    """dateutil needs UNTIL in UTC with an aware DTSTART; local or date UNTILs are converted."""

    def convert(found: re.Match[str]) -> str:
        if found.group(4):
            return found.group(0)
        day = datetime.strptime(found.group(2), "%Y%m%d")
        moment = (
            datetime.strptime(found.group(2) + found.group(3), "%Y%m%dT%H%M%S")
            if found.group(3)
            else datetime.combine(day.date(), time(23, 59, 59))  # a date UNTIL is inclusive
        )
        utc = moment.replace(tzinfo=tz).astimezone(UTC)
        return f"{found.group(1)}{utc.strftime('%Y%m%dT%H%M%S')}Z"

    return _UNTIL.sub(convert, rule)


def _alarms(event: Any) -> tuple[int, ...]:
    minutes: list[int] = []
    for alarm in event.walk("VALARM"):
        trigger = alarm.get("TRIGGER")
        offset = getattr(trigger, "dt", None)
        related = str(getattr(trigger, "params", {}).get("RELATED", "START")).upper()
        if isinstance(offset, timedelta) and related == "START":
            minutes.append(int(-offset.total_seconds() // 60))
    return tuple(minutes)


def _categories(event: Any) -> tuple[str, ...]:
    out: list[str] = []
    for prop in _as_list(event.get("CATEGORIES")):
        out.extend(str(cat) for cat in getattr(prop, "cats", []) or [])
    return tuple(out)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _uid_hash(event: Any) -> str:
    return uid_hash(event.get("UID", ""))
