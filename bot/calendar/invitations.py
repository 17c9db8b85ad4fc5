"""Calendar invitations found in mail (iTIP, RFC 5546), turned into calendar entries.

Each ``VEVENT`` of each ``text/calendar`` part becomes a :class:`CalendarEntry`:

- ``METHOD`` REQUEST, PUBLISH, ADD or none: an entry; CANCEL (or ``STATUS:CANCELLED``): the same
  entry with ``extra["status"] = "CANCELLED"`` and "Cancelled: " before its summary, so the
  calendar shows it cancelled rather than silently dropping it. REPLY, COUNTER, REFRESH and
  DECLINECOUNTER are answers about someone else's event and give nothing.
- The key is ``invite-`` + a hash of the invite's ``UID`` (and ``RECURRENCE-ID`` for a changed
  single occurrence), so the same invitation arriving twice, or an update with a higher
  ``SEQUENCE`` (RFC 5546 2.1.4), maps to the same entry and is updated in place.
  ``extra["sequence"]`` lets the planner refuse an older update arriving late. Within one
  message the highest (SEQUENCE, DTSTAMP) wins.
- Times: ``TZID`` (resolved by icalendar, Windows zone names included), UTC, floating (read in
  ``tz``, the practice's zone) and all-day dates. An IANA zone is also kept as
  ``extra["tzid"]`` so it survives storage as a fixed offset; ``RRULE`` is kept as
  ``extra["rrule"]``.
- Alarms are the practice's ``default_alarms``; an organiser's own VALARMs are not copied
  (RFC 5546 leaves alarms to the attendee).

A part or event that cannot be read is skipped with a warning naming the message's
fingerprint, never its content; nothing here raises.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import icalendar

from bot.mail.message import Message
from connectors.base import CalendarEntry

__all__ = ["MAX_EVENTS_PER_MESSAGE", "entries_from_invites", "invite_key"]

log = logging.getLogger(__name__)

MAX_EVENTS_PER_MESSAGE = 500  # a season's fixture list fits; a calendar dump does not
CATEGORY = "invitation"
_ACCEPTED = frozenset({"", "REQUEST", "PUBLISH", "ADD", "CANCEL"})
_LIMITS = {"SUMMARY": 500, "LOCATION": 500, "DESCRIPTION": 8000}


class _Broken(Exception):
    """This VEVENT cannot become an entry; the message says why (no content)."""


def invite_key(uid: str, recurrence_id: str | None = None) -> str:
    """Idempotency key of an invitation's entry: stable across re-sends and updates."""
    basis = uid if recurrence_id is None else f"{uid}\x00{recurrence_id}"
    return "invite-" + hashlib.sha256(basis.encode("utf-8", "replace")).hexdigest()[:24]


def entries_from_invites(
    message: Message, default_alarms: tuple[int, ...], tz: str | tzinfo = "UTC"
) -> list[CalendarEntry]:
    """Calendar entries for every invitation event in ``message.calendar_parts``."""
    zone = _zone(tz)
    best: dict[str, tuple[tuple[int, str], CalendarEntry]] = {}
    seen = 0
    for index, part in enumerate(message.calendar_parts):
        try:
            parsed = icalendar.Calendar.from_ical(part, multiple=True)
        except Exception as exc:  # the library raises many types on broken input
            log.warning(
                "message %s: calendar part %d unreadable (%s)",
                message.fingerprint,
                index,
                type(exc).__name__,
            )
            continue
        for component in parsed if isinstance(parsed, list) else [parsed]:
            method = str(component.get("METHOD", "")).strip().upper()
            if method not in _ACCEPTED:
                log.debug("message %s: part %d is an iTIP %s", message.fingerprint, index, method)
                continue
            for event in component.walk("VEVENT"):
                seen += 1
                if seen > MAX_EVENTS_PER_MESSAGE:
                    log.warning(
                        "message %s: more than %d invitation events; the rest ignored",
                        message.fingerprint,
                        MAX_EVENTS_PER_MESSAGE,
                    )
                    return [entry for _, entry in best.values()]
                try:
                    rank, entry = _entry(event, method, default_alarms, zone)
                except Exception as exc:
                    reason = str(exc) if isinstance(exc, _Broken) else type(exc).__name__
                    log.warning(
                        "message %s: invitation event in part %d skipped (%s)",
                        message.fingerprint,
                        index,
                        reason,
                    )
                    continue
                current = best.get(entry.key)
                if current is None or rank >= current[0]:
                    best[entry.key] = (rank, entry)
    return [entry for _, entry in best.values()]


def _entry(
    event: Any, method: str, alarms: tuple[int, ...], zone: tzinfo
) -> tuple[tuple[int, str], CalendarEntry]:
    start = _when(event, "DTSTART", zone)
    if start is None:
        raise _Broken("missing or invalid DTSTART")
    all_day = not isinstance(start, datetime)
    end = _end(event, start, zone)
    uid = _text(event.get("UID"), 1000)
    recurrence = _when(event, "RECURRENCE-ID", zone)
    recurrence_id = recurrence.isoformat() if recurrence is not None else None
    if uid:
        key = invite_key(uid, recurrence_id)
    else:  # no UID: only an exact re-send can be recognised
        basis = "|".join([start.isoformat(), _text(event.get("SUMMARY"), 500)])
        key = invite_key("no-uid:" + _text(event.get("ORGANIZER"), 500) + basis)
    sequence = _integer(event.get("SEQUENCE"))
    stamp = _when(event, "DTSTAMP", zone)
    cancelled = method == "CANCEL" or str(event.get("STATUS", "")).upper() == "CANCELLED"
    summary = _text(event.get("SUMMARY"), _LIMITS["SUMMARY"]) or "(invitation)"
    extra: dict[str, str] = {"method": method or "PUBLISH", "sequence": str(sequence)}
    if cancelled:
        extra["status"] = "CANCELLED"
        summary = f"Cancelled: {summary}"
    if recurrence_id:
        extra["recurrence_id"] = recurrence_id
    rules = event.get("RRULE")
    rule = rules[0] if isinstance(rules, list) and rules else rules
    if rule is not None and recurrence_id is None:
        try:
            extra["rrule"] = rule.to_ical().decode("ascii")
        except Exception:
            log.debug("invitation RRULE not kept (unreadable)")
    if isinstance(start, datetime):
        zone_key = getattr(start.tzinfo, "key", None)
        if zone_key and zone_key not in ("UTC", "Etc/UTC"):
            extra["tzid"] = zone_key
    organizer = _text(event.get("ORGANIZER"), 320)
    if organizer.lower().startswith("mailto:"):
        extra["organizer"] = organizer[7:].strip().lower()
    entry = CalendarEntry(
        key=key,
        summary=summary,
        start=start,
        end=end,
        description=_text(event.get("DESCRIPTION"), _LIMITS["DESCRIPTION"]),
        location=_text(event.get("LOCATION"), _LIMITS["LOCATION"]),
        alarms=tuple(alarms),
        categories=(CATEGORY,) if not all_day else (CATEGORY, "all-day"),
        extra=extra,
    )
    rank = (sequence, stamp.isoformat() if isinstance(stamp, datetime) else "")
    return rank, entry


def _when(event: Any, name: str, zone: tzinfo) -> date | datetime | None:
    """A DATE or an aware DATE-TIME (floating read in ``zone``; non-IANA zones made UTC)."""
    value = getattr(event.get(name), "dt", None)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=zone)
        if not isinstance(value.tzinfo, ZoneInfo):
            return value.astimezone(UTC)  # a VTIMEZONE-only zone: keep the instant
        return value
    if isinstance(value, date):
        return value
    return None


def _end(event: Any, start: date | datetime, zone: tzinfo) -> date | datetime | None:
    end = _when(event, "DTEND", zone)
    if end is None:
        duration = getattr(event.get("DURATION"), "dt", None)
        if isinstance(duration, timedelta) and timedelta(0) < duration < timedelta(days=366):
            end = start + duration
    if isinstance(start, datetime):
        if isinstance(end, datetime) and end > start:
            return end
        return None  # zero length or nonsense: a point in time (RFC 5545 3.6.1)
    if isinstance(end, date) and not isinstance(end, datetime) and end > start:
        return end
    return start + timedelta(days=1)


def _text(value: Any, limit: int) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    text = str(value).replace("\r\n", "\n").strip()
    return "".join(ch for ch in text if ch >= " " or ch in "\n\t")[:limit]


def _integer(value: Any) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


def _zone(tz: str | tzinfo) -> tzinfo:
    if isinstance(tz, tzinfo):
        return tz
    try:
        return ZoneInfo(tz)
    except Exception:
        log.warning("unknown time zone %r for floating invitation times; using UTC", tz)
        return UTC
