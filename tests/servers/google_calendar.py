"""An in-memory Google Calendar answering the Calendar v3 methods the connector uses.

Documented behaviour the connector relies on, kept here:

- A client may choose an event's ``id`` (base32hex: ``a-v`` and ``0-9``, 5 to 1024 characters);
  inserting an id that exists, even a deleted one, is 409 ``duplicate``.
- ``privateExtendedProperty=name=value`` filters ``events.list`` (every one given must match).
- Reminder overrides: at most 5, ``method`` ``email`` or ``popup``, ``minutes`` 0 to 40320 (four
  weeks); overrides with ``useDefault`` true are refused.
- A ``dateTime`` without an offset needs a ``timeZone``; a recurring event needs one too.
- ``singleEvents=true`` expands recurring events into instances (RRULE via dateutil);
  ``orderBy=startTime`` is refused without it; deleted events are ``cancelled`` and only
  listed with ``showDeleted=true``.
"""

from __future__ import annotations

import copy
import re
import threading
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule

from tests.servers.google_errors import ApiError

__all__ = ["CalendarStore"]

_EVENT_ID = re.compile(r"[a-v0-9]{5,1024}")
_WRITABLE = (
    "summary",
    "description",
    "location",
    "start",
    "end",
    "reminders",
    "extendedProperties",
    "status",
    "recurrence",
    "transparency",
    "visibility",
    "colorId",
    "iCalUID",
    "sequence",
)
_MAX_OVERRIDE_MINUTES = 40320


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class CalendarStore:
    """The calendars of one user; ``primary`` is the user's own."""

    def __init__(self, address: str, tz: str = "America/New_York") -> None:
        self.address = address
        self.tz = tz
        self.lock = threading.RLock()
        self.events: dict[str, dict[str, Any]] = {}
        self._serial = 0

    # ------------------------------------------------------------------ server-side means

    def live_events(self) -> list[dict[str, Any]]:
        with self.lock:
            return [copy.deepcopy(e) for e in self.events.values() if e["status"] != "cancelled"]

    # ------------------------------------------------------------------ API methods

    def handle(self, method: str, params: dict[str, Any], body: Any) -> Any:
        if params.get("calendarId") not in ("primary", self.address):
            raise ApiError(404, "notFound", "Not Found")
        handler = getattr(self, "m_" + method.removeprefix("calendar.").replace(".", "_"), None)
        if handler is None:
            raise ApiError(501, "notImplemented", f"{method} is not served by the local server")
        with self.lock:
            return handler(params, body)

    def m_calendars_get(self, params: dict[str, Any], body: Any) -> Any:
        return {
            "kind": "calendar#calendar",
            "etag": '"cal-etag"',
            "id": self.address,
            "summary": self.address,
            "timeZone": self.tz,
        }

    def m_events_get(self, params: dict[str, Any], body: Any) -> Any:
        event = self.events.get(params["eventId"])
        if event is None:
            raise ApiError(404, "notFound", "Not Found")
        return copy.deepcopy(event)

    def m_events_insert(self, params: dict[str, Any], body: Any) -> Any:
        event_id = body.get("id")
        if event_id is not None and not _EVENT_ID.fullmatch(event_id):
            raise ApiError(400, "invalid", "Invalid resource id value.")
        if event_id in self.events:
            raise ApiError(409, "duplicate", "The requested identifier already exists.")
        self._serial += 1
        event_id = event_id or f"local{self._serial:08d}"
        now = _rfc3339(datetime.now(UTC))
        event = {k: copy.deepcopy(body[k]) for k in _WRITABLE if k in body}
        self._validate(event)
        event.update(
            kind="calendar#event",
            id=event_id,
            created=now,
            htmlLink=f"https://calendar.example/event?eid={event_id}",
            creator={"email": self.address, "self": True},
            organizer={"email": self.address, "self": True},
        )
        event.setdefault("iCalUID", f"{event_id}@google.com")
        event.setdefault("sequence", 0)
        event.setdefault("status", "confirmed")
        event.setdefault("reminders", {"useDefault": True})
        self._touch(event)
        self.events[event_id] = event
        return copy.deepcopy(event)

    def m_events_update(self, params: dict[str, Any], body: Any) -> Any:
        current = self.events.get(params["eventId"])
        if current is None:
            raise ApiError(404, "notFound", "Not Found")
        if body.get("iCalUID") not in (None, current["iCalUID"]):
            raise ApiError(400, "invalid", "Invalid iCalUID value: it cannot change")
        fresh = {k: copy.deepcopy(body[k]) for k in _WRITABLE if k in body}
        self._validate(fresh)
        for key in _WRITABLE:
            if key not in ("iCalUID", "sequence"):
                current.pop(key, None)
        current.update(fresh)
        current.setdefault("status", "confirmed")
        current.setdefault("reminders", {"useDefault": True})
        current["sequence"] = max(int(body.get("sequence") or 0), int(current["sequence"]))
        self._touch(current)
        return copy.deepcopy(current)

    def m_events_delete(self, params: dict[str, Any], body: Any) -> Any:
        current = self.events.get(params["eventId"])
        if current is None:
            raise ApiError(404, "notFound", "Not Found")
        if current["status"] == "cancelled":
            raise ApiError(410, "deleted", "Resource has been deleted")
        current["status"] = "cancelled"
        self._touch(current)
        return None

    def m_events_list(self, params: dict[str, Any], body: Any) -> Any:
        single = bool(params.get("singleEvents"))
        if params.get("orderBy") == "startTime" and not single:
            raise ApiError(
                400,
                "badRequest",
                "The requested ordering is not available for the particular query.",
            )
        wanted = []
        for pair in params.get("privateExtendedProperty") or ():
            name, sep, value = pair.partition("=")
            if not sep:
                raise ApiError(400, "badRequest", "Invalid extended property constraint")
            wanted.append((name, value))
        low = _parse_instant(params.get("timeMin"))
        high = _parse_instant(params.get("timeMax"))
        found = []
        for event in self.events.values():
            if event["status"] == "cancelled" and not params.get("showDeleted"):
                continue
            private = event.get("extendedProperties", {}).get("private", {})
            if any(private.get(n) != v for n, v in wanted):
                continue
            if params.get("iCalUID") and event["iCalUID"] != params["iCalUID"]:
                continue
            instances = self._instances(event, low, high) if single else [event]
            for item in instances:
                start, end = self._span(item)
                if (low is None or end > low) and (high is None or start < high):
                    found.append((start, item["id"], item))
        if params.get("orderBy") == "startTime":
            found.sort(key=lambda t: (t[0], t[1]))
        size = min(int(params.get("maxResults") or 250), 2500)
        offset = int(params.get("pageToken") or 0)
        page = found[offset : offset + size]
        out: dict[str, Any] = {
            "kind": "calendar#events",
            "etag": f'"{self._serial}"',
            "summary": self.address,
            "updated": _rfc3339(datetime.now(UTC)),
            "timeZone": self.tz,
            "accessRole": "owner",
            "defaultReminders": [{"method": "popup", "minutes": 10}],
            "items": [copy.deepcopy(item) for _, _, item in page],
        }
        if offset + size < len(found):
            out["nextPageToken"] = str(offset + size)
        return out

    # ------------------------------------------------------------------ internals

    def _touch(self, event: dict[str, Any]) -> None:
        self._serial += 1
        event["etag"] = f'"{3_000_000_000 + self._serial}"'
        event["updated"] = _rfc3339(datetime.now(UTC))

    def _validate(self, event: dict[str, Any]) -> None:
        for side in ("start", "end"):
            moment = event.get(side) or {}
            if ("date" in moment) == ("dateTime" in moment):
                raise ApiError(400, "required", f"Missing {side} time: give date or dateTime")
            zone = moment.get("timeZone")
            if zone:
                try:
                    ZoneInfo(zone)
                except (ZoneInfoNotFoundError, ValueError):
                    raise ApiError(
                        400, "timeRangeEmpty", f"Invalid time zone definition: {zone}"
                    ) from None
            if "dateTime" in moment and _parse_instant(moment["dateTime"], zone or None) is None:
                raise ApiError(400, "invalid", "Missing time zone definition for start time.")
        if ("date" in event["start"]) != ("date" in event["end"]):
            raise ApiError(
                400, "invalid", "Start and end times must either both be date or both be dateTime."
            )
        start, end = self._span(event)
        if end < start or ("date" in event["start"] and end == start):
            raise ApiError(400, "timeRangeEmpty", "The specified time range is empty.")
        if (
            event.get("recurrence")
            and "dateTime" in event["start"]
            and not event["start"].get("timeZone")
        ):
            raise ApiError(400, "invalid", "Missing time zone definition for start time.")
        reminders = event.get("reminders") or {}
        overrides = reminders.get("overrides") or []
        if overrides and reminders.get("useDefault"):
            raise ApiError(
                400,
                "cannotUseDefaultRemindersAndSpecifyOverride",
                "Cannot specify both default reminders and overrides at the same time.",
            )
        if len(overrides) > 5:
            raise ApiError(400, "tooManyReminders", "Too many reminders: at most 5.")
        for item in overrides:
            if item.get("method") not in ("email", "popup"):
                raise ApiError(400, "invalid", "Invalid reminder method.")
            if not 0 <= int(item.get("minutes", -1)) <= _MAX_OVERRIDE_MINUTES:
                raise ApiError(400, "invalid", "Invalid value for: minutes")

    def _zone(self, name: str | None = None) -> tzinfo:
        return ZoneInfo(name or self.tz)

    def _moment(self, moment: dict[str, Any]) -> datetime:
        if "date" in moment:
            return datetime.combine(date.fromisoformat(moment["date"]), time(), self._zone())
        parsed = _parse_instant(moment["dateTime"], moment.get("timeZone") or self.tz)
        assert parsed is not None
        return parsed

    def _span(self, event: dict[str, Any]) -> tuple[datetime, datetime]:
        return self._moment(event["start"]), self._moment(event["end"])

    def _instances(
        self, event: dict[str, Any], low: datetime | None, high: datetime | None
    ) -> list[dict[str, Any]]:
        rules = [r for r in event.get("recurrence") or () if r.upper().startswith("RRULE:")]
        if not rules:
            return [event]
        start, end = self._span(event)
        all_day = "date" in event["start"]
        zone = self._zone(None if all_day else event["start"].get("timeZone"))
        local = start.astimezone(zone).replace(tzinfo=None)
        out = []
        for rule_text in rules:
            rule = rrule.rrulestr(rule_text[6:], dtstart=local)
            stop = (high or start + timedelta(days=3660)).astimezone(zone).replace(tzinfo=None)
            for n, occurrence in enumerate(rule):
                if occurrence >= stop or n > 1000:
                    break
                begin = occurrence.replace(tzinfo=zone)
                finish = begin + (end - start)
                if low is not None and finish <= low:
                    continue
                item = copy.deepcopy(event)
                item.pop("recurrence", None)
                suffix = (
                    begin.strftime("%Y%m%d")
                    if all_day
                    else begin.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
                )
                item["id"] = f"{event['id']}_{suffix}"
                item["recurringEventId"] = event["id"]
                if all_day:
                    item["start"] = {"date": begin.date().isoformat()}
                    item["end"] = {"date": finish.date().isoformat()}
                else:
                    tzname = event["start"].get("timeZone")
                    item["start"] = {"dateTime": begin.isoformat(), "timeZone": tzname}
                    item["end"] = {"dateTime": finish.isoformat(), "timeZone": tzname}
                item["originalStartTime"] = dict(item["start"])
                out.append(item)
        return out


def _parse_instant(value: str | None, zone: str | None = None) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        if not zone:
            return None
        parsed = parsed.replace(tzinfo=ZoneInfo(zone))
    return parsed
