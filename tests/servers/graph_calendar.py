"""An in-memory Outlook calendar answering the Graph v1.0 event calls the connector uses.

Documented behaviour kept here:

- ``start`` / ``end`` are ``dateTimeTimeZone`` (a local time without offset, and a zone: IANA
  or Windows names); an all-day event (``isAllDay``) starts and ends at midnight in one zone,
  at least a day apart.
- Times come back in UTC unless ``Prefer: outlook.timezone="…"`` names another zone.
- ``transactionId`` makes a repeated POST return the event made the first time.
- One reminder per event: ``reminderMinutesBeforeStart`` with ``isReminderOn``.
- ``calendarView`` needs ``startDateTime`` and ``endDateTime`` and lists events overlapping
  them; ``$filter`` on a single-value extended property and its ``$expand`` as for messages.
"""

from __future__ import annotations

import copy
import itertools
import threading
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tests.servers.graph_mail import _ANY, _EXPAND, GraphError, odata_unquote
from tests.servers.graph_shapes import check, check_select

__all__ = ["GraphCalendar", "zone"]

_WINDOWS = {
    "UTC": "UTC",
    "GMT Standard Time": "Europe/London",
    "Eastern Standard Time": "America/New_York",
    "Pacific Standard Time": "America/Los_Angeles",
    "Central Standard Time": "America/Chicago",
}


def zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(_WINDOWS.get(name, name))
    except (ZoneInfoNotFoundError, ValueError):
        raise GraphError(
            400, "TimeZoneNotSupportedException", "A valid TimeZone value must be specified."
        ) from None


def _instant(moment: dict[str, Any]) -> datetime:
    local = datetime.fromisoformat(str(moment["dateTime"])[:19])
    return local.replace(tzinfo=zone(moment["timeZone"]))


def _shown(moment: datetime, name: str) -> dict[str, str]:
    local = moment.astimezone(zone(name)).replace(tzinfo=None)
    return {"dateTime": local.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": name}


class GraphCalendar:
    """The user's default calendar."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.events: dict[str, dict[str, Any]] = {}
        self.extended: dict[str, dict[str, str]] = {}
        self._ids = itertools.count(1)

    def _validate(self, event: dict[str, Any]) -> None:
        start, end = _instant(event["start"]), _instant(event["end"])
        if end < start:
            raise GraphError(400, "ErrorInvalidRequest", "The end must be after the start.")
        if event.get("isAllDay"):
            for moment in (event["start"], event["end"]):
                if _instant(moment).time() != datetime.min.time():
                    raise GraphError(
                        400,
                        "ErrorPropertyValidationFailure",
                        "All-day events must start and end at midnight.",
                    )
            one_zone = event["start"]["timeZone"] == event["end"]["timeZone"]
            if not one_zone or end - start < timedelta(days=1):
                raise GraphError(
                    400,
                    "ErrorPropertyValidationFailure",
                    "An all-day event spans whole days in one zone.",
                )

    def resource(
        self, eid: str, tz: str, select: list[str] | None = None, expand: str | None = None
    ) -> dict[str, Any]:
        event = copy.deepcopy(self.events[eid])
        event["start"] = _shown(_instant(event["start"]), tz)
        event["end"] = _shown(_instant(event["end"]), tz)
        keep = ["id", *select] if select else list(event)
        out = {k: event[k] for k in keep if k in event}
        if expand is not None:
            wanted = _EXPAND.fullmatch(expand)
            if wanted is None:
                raise GraphError(400, "BadRequest", "$expand form not served locally")
            pid = odata_unquote(wanted.group(1)).lower()
            out["singleValueExtendedProperties"] = [
                {"id": k, "value": v} for k, v in self.extended[eid].items() if k == pid
            ]
        return out

    def _apply(self, eid: str, body: dict[str, Any]) -> None:
        event = self.events[eid]
        for name, value in body.items():
            if name == "singleValueExtendedProperties":
                for prop in value:
                    self.extended[eid][str(prop["id"]).lower()] = str(prop["value"])
            else:
                event[name] = copy.deepcopy(value)
        event["originalStartTimeZone"] = event["start"]["timeZone"]
        event["originalEndTimeZone"] = event["end"]["timeZone"]
        event["lastModifiedDateTime"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        event["changeKey"] = f"ck{next(self._ids)}"
        self._validate(event)

    def create(self, body: Any, tz: str) -> tuple[int, dict[str, Any]]:
        problems = check("event", body, "create")
        if problems:
            raise GraphError(400, "ErrorInvalidProperty", problems[0])
        if "start" not in body or "end" not in body:
            raise GraphError(400, "ErrorInvalidRequest", "start and end are required")
        tid = body.get("transactionId")
        for eid, event in self.events.items():
            if tid and event.get("transactionId") == tid:
                return 201, self.resource(eid, tz)
        eid = f"AAMkEvent{next(self._ids):08d}="
        self.events[eid] = {
            "id": eid,
            "subject": "",
            "isAllDay": False,
            "isReminderOn": True,
            "reminderMinutesBeforeStart": 15,
            "isCancelled": False,
            "type": "singleInstance",
            "iCalUId": f"040000008200E00074C5B7101A82E008{next(self._ids):016X}",
        }
        self.extended[eid] = {}
        try:
            self._apply(eid, body)
        except GraphError:
            del self.events[eid], self.extended[eid]
            raise
        return 201, self.resource(eid, tz)

    def update(self, eid: str, body: Any, tz: str) -> dict[str, Any]:
        if eid not in self.events:
            raise GraphError(404, "ErrorItemNotFound", "The specified object was not found.")
        problems = check("event", body, "update")
        if problems:
            raise GraphError(400, "ErrorInvalidProperty", problems[0])
        before = copy.deepcopy(self.events[eid])
        try:
            self._apply(eid, body)
        except GraphError:
            self.events[eid] = before
            raise
        return self.resource(eid, tz)

    def get(self, eid: str, tz: str, query: dict[str, str]) -> dict[str, Any]:
        if eid not in self.events:
            raise GraphError(404, "ErrorItemNotFound", "The specified object was not found.")
        return self.resource(eid, tz, self._select(query), query.get("$expand"))

    def delete(self, eid: str) -> None:
        if self.events.pop(eid, None) is None:
            raise GraphError(404, "ErrorItemNotFound", "The specified object was not found.")

    def _select(self, query: dict[str, str]) -> list[str]:
        select = [s for s in query.get("$select", "").split(",") if s]
        problems = check_select("event", select)
        if problems:
            raise GraphError(400, "BadRequest", problems[0])
        return select

    def list(self, query: dict[str, str], tz: str, view: bool) -> dict[str, Any]:
        select = self._select(query)
        where = query.get("$filter")
        chosen = []
        low = high = None
        if view:
            try:
                low = datetime.fromisoformat(query["startDateTime"].replace("Z", "+00:00"))
                high = datetime.fromisoformat(query["endDateTime"].replace("Z", "+00:00"))
            except KeyError:
                raise GraphError(
                    400,
                    "ErrorInvalidParameter",
                    "This request requires a time window specified by the query string "
                    "parameters StartDateTime and EndDateTime.",
                ) from None
            if low.tzinfo is None:
                low, high = low.replace(tzinfo=UTC), high.replace(tzinfo=UTC)
        for eid, event in self.events.items():
            if where:
                found = _ANY.fullmatch(where.strip())
                if found is None:
                    raise GraphError(400, "BadRequest", "$filter form not served locally")
                pid = odata_unquote(found.group(2)).lower()
                if self.extended[eid].get(pid) != odata_unquote(found.group(3)):
                    continue
            start, end = _instant(event["start"]), _instant(event["end"])
            if low is not None and high is not None and not (start < high and end > low):
                continue
            chosen.append((start, eid))
        chosen.sort()
        top = int(query.get("$top") or 10)
        skip = int(query.get("$skip") or 0)
        out: dict[str, Any] = {
            "value": [
                self.resource(eid, tz, select, query.get("$expand"))
                for _, eid in chosen[skip : skip + top]
            ]
        }
        if skip + top < len(chosen):
            out["@odata.nextLink"] = ("$skip", str(skip + top))
        return out
