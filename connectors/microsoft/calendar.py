"""The practitioner's Outlook / Microsoft 365 calendar over Microsoft Graph v1.0.

Same contract as :mod:`connectors.ical.ics`, :mod:`connectors.ical.caldav` and
:mod:`connectors.google.calendar`:

- **Exactly once.** Graph chooses event ids, so each entry's key is kept on the event in a
  single-value extended property (``chiefKey``, with ``chiefHash`` of what was written). An
  upsert looks the keys up with ``$filter`` on the property (in ``$batch`` requests), skips
  events whose hash is unchanged, PATCHes the others and POSTs the new ones. A POST carries a
  ``transactionId`` derived from the key, which Graph documents for exactly this: a create
  retried after a lost answer returns the event made the first time instead of a second one.
  A crash between the write and our database commit is found by the key on the next run.
- **Reminders.** An Outlook event has one reminder: ``reminderMinutesBeforeStart`` is the
  entry's longest lead time (the earliest warning), ``isReminderOn`` when it has any.
- **Time zone.** Timed entries are written as local time in their IANA zone (else the
  practice's, ``timezone`` in ``[practice]``); all-day entries are ``isAllDay`` from midnight
  to midnight in the practice's zone. :meth:`OutlookCalendar.events` reads a window with
  ``calendarView`` (recurrences expanded by Graph) and ``Prefer: outlook.timezone`` set to the
  practice's zone.
- **Only ours change.** Only events carrying our key property are ever written.

Config (``[calendar]`` with ``connector = "outlook_calendar"``): ``account``, ``client_id``,
``tenant``, ``token_cache_file`` / ``token_store`` (shared with ``[mail]`` when the same),
``timeout``, retry settings; ``tz`` comes from the runtime.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import ConnectorError, UserError
from bot.keyring_store import StoreKind
from bot.keys import check_key
from connectors.base import CalendarEntry
from connectors.broken_events import build_or_skip
from connectors.calendar_upsert import Stored, Write, upsert_events
from connectors.http_retry import Retry
from connectors.microsoft.auth import CALENDAR_SCOPES, TokenProvider, kept_in, provider_for
from connectors.microsoft.graph import GraphClient, GraphRequest, check_root
from connectors.microsoft.outlook_items import odata_quote

__all__ = ["HASH_PROPERTY", "KEY_PROPERTY", "OutlookCalendar", "transaction_id"]

log = logging.getLogger(__name__)

_GUID = "{6d3c8a51-2f0e-4c1b-9a57-3e8f0c2b7d14}"
KEY_PROPERTY = f"String {_GUID} Name chiefKey"
HASH_PROPERTY = f"String {_GUID} Name chiefHash"
EXTRA_PROPERTY = f"String {_GUID} Name chiefExtra"
_NAMESPACE = uuid.UUID("6d3c8a51-2f0e-4c1b-9a57-3e8f0c2b7d14")
_PAGE = 100


def transaction_id(key: str) -> str:
    """The event's ``transactionId``: stable per key, so a repeated create is recognised."""
    return str(uuid.uuid5(_NAMESPACE, f"practice-chief:{key}"))


def _has_key(key: str) -> str:
    return (
        f"singleValueExtendedProperties/any(ep: ep/id eq {odata_quote(KEY_PROPERTY)} "
        f"and ep/value eq {odata_quote(key)})"
    )


class OutlookCalendar:
    """CalendarSource + CalendarSink on the practitioner's default Outlook calendar."""

    # One reminder per event; recurrence read expanded by Graph, never written; find_event
    # works after a crash ($filter on the key property).

    def __init__(
        self,
        account: str,
        client_id: str = "",
        tenant: str = "common",
        token_cache_file: Path | None = None,
        token_store: StoreKind = "auto",
        timeout: float = 30.0,
        retry_attempts: int = 8,
        retry_base_s: float = 1.0,
        max_retry_wait_s: float = 300.0,
        api_root: str | None = None,
        login_root: str | None = None,
        tz: str = "UTC",
        token_provider: TokenProvider | None = None,
    ) -> None:
        problems = []
        if timeout <= 0 or retry_attempts < 1 or retry_base_s < 0 or max_retry_wait_s < 0:
            problems.append("`timeout` and the retry settings in [calendar] must be positive")
        try:
            self.tz: tzinfo = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"unknown time zone `{tz}`: set `timezone` in [practice]")
        if problems:
            raise UserError("invalid [calendar] settings for the Outlook calendar", problems)
        check_root(api_root, "api_root", "calendar")
        self.account = account.strip().lower()
        self.zone = tz
        self.tokens = token_provider or provider_for(
            "calendar",
            {
                "account": account,
                "client_id": client_id,
                "tenant": tenant,
                "token_cache_file": token_cache_file,
                "token_store": token_store,
                "login_root": login_root,
            },
            CALENDAR_SCOPES,
        )
        self.client = GraphClient(
            self.tokens, api_root, timeout, Retry(retry_attempts, retry_base_s, max_retry_wait_s)
        )

    def __repr__(self) -> str:
        return f"OutlookCalendar(account={self.account!r})"

    def close(self) -> None:
        self.client.close()

    def _prefer(self) -> dict[str, str]:
        return {"Prefer": f'outlook.timezone="{self.zone}", outlook.body-content-type="text"'}

    # ------------------------------------------------------------------ CalendarSink

    def _lookup_request(self, key: str) -> GraphRequest:
        query = urlencode(
            {
                "$filter": _has_key(key),
                "$select": "id",
                "$expand": f"singleValueExtendedProperties($filter=id eq {odata_quote(HASH_PROPERTY)})",  # noqa: E501
                "$top": "2",
            }
        )
        return GraphRequest("GET", f"/me/calendar/events?{query}", headers=self._prefer())

    def find_event(self, key: str) -> str | None:
        """The id of our event keyed ``key``, or None."""
        check_key(key)
        page = self.client.call(self._lookup_request(key), "looking up an event")
        items = page.get("value", ())
        return str(items[0]["id"]) if items else None

    def upsert_event(self, entry: CalendarEntry) -> str:
        """Create or update ``entry``; its event id. No write when already identical."""
        return self.upsert_events([entry])[0]

    def upsert_events(self, entries: Sequence[CalendarEntry]) -> list[str]:
        """Upsert many entries after one $batch lookup of their keys; ids in input order."""
        return upsert_events(entries, self.tz, self._stored, self._write_all)

    def _stored(self, keys: Sequence[str]) -> dict[str, Stored[None]]:
        """Our event per key, with the hash written with it (one $batch of lookups)."""
        found = self.client.batch(
            {key: self._lookup_request(key) for key in keys}, "looking up calendar entries"
        )
        stored: dict[str, Stored[None]] = {}
        for key in keys:
            answer = found[key]
            if isinstance(answer, ConnectorError):
                raise answer
            items = answer.get("value", ())
            if items:
                current = items[0]
                properties = {
                    str(p.get("id", "")).lower(): p.get("value")
                    for p in current.get("singleValueExtendedProperties", ())
                }
                digest = properties.get(HASH_PROPERTY.lower())
                stored[key] = Stored(
                    str(current["id"]), digest if isinstance(digest, str) else None, None
                )
        return stored

    def _write_all(self, writes: Sequence[Write[None]]) -> dict[str, str]:
        """PATCH the changed events and POST the new ones (with a ``transactionId`` from the
        key, so a create retried after a lost answer is not made twice), in one $batch."""
        requests: dict[str, GraphRequest] = {}
        for item in writes:
            body = self._body(item.entry, item.digest)
            if item.current is None:
                body["transactionId"] = transaction_id(item.entry.key)
                requests[item.entry.key] = GraphRequest(
                    "POST", "/me/calendar/events", body, self._prefer()
                )
            else:
                path = f"/me/events/{quote(item.current.remote_id, safe='')}"
                requests[item.entry.key] = GraphRequest("PATCH", path, body, self._prefer())
        ids: dict[str, str] = {}
        for key, answer in self.client.batch(requests, "writing calendar entries").items():
            if isinstance(answer, ConnectorError):
                raise answer
            ids[key] = str(answer["id"])
        log.info("outlook calendar: %d entr(ies) written", len(requests))
        return ids

    def _body(self, entry: CalendarEntry, digest: str) -> dict[str, Any]:
        props = [
            {"id": KEY_PROPERTY, "value": entry.key},
            {"id": HASH_PROPERTY, "value": digest},
            {"id": EXTRA_PROPERTY, "value": json.dumps(entry.extra, sort_keys=True)},
        ]
        body: dict[str, Any] = {
            "subject": entry.summary,
            "body": {"contentType": "text", "content": entry.description},
            "location": {"displayName": entry.location},
            "categories": list(entry.categories),
            "isReminderOn": bool(entry.alarms),
            "reminderMinutesBeforeStart": max((int(a) for a in entry.alarms), default=0),
            "showAs": "free",
            "singleValueExtendedProperties": props,
        }
        if not isinstance(entry.start, datetime):
            end = entry.end if isinstance(entry.end, date) else entry.start + timedelta(days=1)
            if isinstance(end, datetime):
                end = end.date()
            if end <= entry.start:
                end = entry.start + timedelta(days=1)
            body["isAllDay"] = True
            body["start"] = _local(datetime.combine(entry.start, time()), self.zone)
            body["end"] = _local(datetime.combine(end, time()), self.zone)
            return body
        start = entry.start if entry.start.tzinfo else entry.start.replace(tzinfo=self.tz)
        end_at = entry.end if isinstance(entry.end, datetime) else start
        if end_at.tzinfo is None:
            end_at = end_at.replace(tzinfo=self.tz)
        zone = entry.extra.get("tzid") or getattr(start.tzinfo, "key", None) or "UTC"
        try:
            target = ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            zone, target = "UTC", ZoneInfo("UTC")
        body["isAllDay"] = False
        body["start"] = _local(start.astimezone(target).replace(tzinfo=None), zone)
        body["end"] = _local(end_at.astimezone(target).replace(tzinfo=None), zone)
        return body

    # ---------------------------------------------------------------- CalendarSource

    def events(self, start: datetime, end: datetime) -> Iterator[CalendarEntry]:
        """Entries (one per occurrence) overlapping [start, end), sorted by start."""
        low, high = _instant(start, self.tz), _instant(end, self.tz)
        query = urlencode(
            {
                "startDateTime": low.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "endDateTime": high.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "$select": "subject,body,start,end,isAllDay,location,categories,"
                "reminderMinutesBeforeStart,isReminderOn",
                "$expand": f"singleValueExtendedProperties($filter=id eq {odata_quote(KEY_PROPERTY)})",  # noqa: E501
                "$top": str(_PAGE),
            }
        )
        found: list[CalendarEntry] = []
        for page in self.client.pages(
            GraphRequest("GET", f"/me/calendar/calendarView?{query}", headers=self._prefer()),
            "reading events",
        ):
            for event in page.get("value", ()):
                uid = event.get("id") if isinstance(event, dict) else None
                entry = build_or_skip(partial(self._entry, event), "outlook", uid)
                if entry is not None:
                    found.append(entry)
        found.sort(key=lambda e: _instant(e.start, self.tz))
        return iter(found)

    def _entry(self, event: dict[str, Any]) -> CalendarEntry:
        props = {
            str(p.get("id", "")).lower(): str(p.get("value", ""))
            for p in event.get("singleValueExtendedProperties", ())
        }
        all_day = bool(event.get("isAllDay"))
        start = self._read(event["start"], all_day)
        finish = self._read(event["end"], all_day)
        reminder = event.get("reminderMinutesBeforeStart")
        alarms = (int(reminder),) if event.get("isReminderOn") and reminder is not None else ()
        return CalendarEntry(
            key=props.get(KEY_PROPERTY.lower()) or f"outlook:{event['id']}",
            summary=str(event.get("subject") or ""),
            start=start,
            end=finish,
            description=str((event.get("body") or {}).get("content") or ""),
            location=str((event.get("location") or {}).get("displayName") or ""),
            alarms=alarms,
            categories=tuple(event.get("categories") or ()),
        )

    def _read(self, moment: dict[str, Any], all_day: bool) -> date | datetime:
        local = datetime.fromisoformat(str(moment["dateTime"])[:19])
        try:
            zone: tzinfo = ZoneInfo(str(moment.get("timeZone") or self.zone))
        except (ZoneInfoNotFoundError, ValueError):
            zone = self.tz
        if all_day:
            return local.date()
        return local.replace(tzinfo=zone).astimezone(self.tz)

    # ------------------------------------------------------------------------ doctor

    def check(self) -> str:
        """For ``chief doctor``: signed in and the calendar readable."""
        self.client.call(
            GraphRequest("GET", "/me/calendar/events?$select=id&$top=1", headers=self._prefer()),
            "opening the calendar",
        )
        return (
            f"Outlook calendar of {self.account} reachable{kept_in(self.tokens)}; "
            f"times in {self.zone}"
        )


def _local(moment: datetime, zone: str) -> dict[str, str]:
    return {"dateTime": moment.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": zone}


def _instant(value: date | datetime, tz: tzinfo) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    return datetime.combine(value, time(), tz)
