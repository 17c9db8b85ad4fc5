"""Google Calendar over the Calendar API v3: the practitioner's own calendar.

Same contract as :mod:`connectors.ical.ics` and :mod:`connectors.ical.caldav`:

- **Exactly once.** Each entry is one event whose ``id`` is derived from its key
  (:func:`event_id_for`: base32hex, as the API requires of client-chosen ids), so a second
  insert of the same entry is refused by Google with 409 instead of making a copy; the key also
  travels in the event's private extended properties (``chiefKey``, with ``chiefHash`` of what
  was written and ``chiefOwner`` marking our events). An upsert lists our events once
  (``privateExtendedProperty=chiefOwner=practice-chief``), skips those whose hash is unchanged,
  and inserts or updates the others in batch requests; an insert answered 409 (written before a
  crash, or deleted in the calendar app) is read back and updated in place.
- **Reminders** come from the entry's lead times: one override per lead time and method
  (``reminders`` in ``[calendar]``: ``["popup"]`` by default, ``"email"`` too), at most 5 and at
  most four weeks ahead, as Google allows; longer lead times are left out with a warning.
- **Time zone.** Timed entries are written with their IANA zone (else the practice's,
  ``timezone`` in ``[practice]``) so recurrences and the calendar app keep local time; all-day
  entries are dates. :meth:`GoogleCalendar.events` reads a window with ``singleEvents=true``
  (recurrences expanded by Google) in the practice's zone.
- **Only ours change.** Only events carrying our private ``chiefOwner`` property are written.

Config (``[calendar]`` with ``connector = "google_calendar"``): ``account``, ``token_file`` /
``token_store`` (the Gmail sign-in is shared when both use the same), ``calendar`` (default
``primary``), ``reminders``, ``timeout``, retry settings. ``tz`` comes from the runtime.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import ConnectorError, RemoteGone, UserError
from bot.keyring_store import StoreKind
from bot.keys import check_key
from connectors.base import CalendarEntry
from connectors.broken_events import build_or_skip
from connectors.calendar_upsert import Stored, Write, entry_digest, upsert_events
from connectors.google.auth import CALENDAR_SCOPES, TokenStore, load_credentials
from connectors.google.client import Conflict, GoogleClient, check_api_root
from connectors.http_retry import Retry

__all__ = ["OWNER", "GoogleCalendar", "event_id_for"]

log = logging.getLogger(__name__)

OWNER = "practice-chief"
_MAX_OVERRIDES = 5
_MAX_MINUTES = 40320  # four weeks: Google's limit on a reminder override
_BATCH = 50  # Calendar's guidance for batch sizes
_PAGE = 2500
_STATUSES = {"CANCELLED": "cancelled", "TENTATIVE": "tentative", "CONFIRMED": "confirmed"}


def event_id_for(key: str) -> str:
    """The event id for ``key``: base32hex characters (0-9, a-v), as Calendar requires."""
    digest = hashlib.sha256(f"{OWNER}:{key}".encode()).digest()
    return "chief" + base64.b32hexencode(digest).decode("ascii").lower().rstrip("=")[:40]


class GoogleCalendar:
    """CalendarSource + CalendarSink on one Google calendar."""

    # Alarms; recurrence read expanded by Google and written from extra["rrule"]; the event id
    # derives from the key, so find_event works after a crash.

    def __init__(
        self,
        account: str,
        token_file: Path | None = None,
        token_store: StoreKind = "auto",
        client_secrets_file: Path | None = None,
        calendar: str = "primary",
        reminders: Sequence[str] = ("popup",),
        timeout: float = 30.0,
        retry_attempts: int = 8,
        retry_base_s: float = 1.0,
        max_retry_wait_s: float = 300.0,
        api_root: str | None = None,
        tz: str = "UTC",
    ) -> None:
        problems = []
        if not account or "@" not in account:
            problems.append("set `account` in [calendar] of chief.toml to your Google address")
        reminders = (reminders,) if isinstance(reminders, str) else tuple(reminders)
        if not set(reminders) <= {"popup", "email"}:
            problems.append('`reminders` in [calendar] must list "popup" and/or "email"')
        if timeout <= 0 or retry_attempts < 1 or retry_base_s < 0 or max_retry_wait_s < 0:
            problems.append("`timeout` and the retry settings in [calendar] must be positive")
        try:
            self.tz: tzinfo = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"unknown time zone `{tz}`: set `timezone` in [practice]")
        if problems:
            raise UserError("invalid [calendar] settings for Google Calendar", problems)
        check_api_root(api_root, "calendar")
        self.account = account.strip().lower()
        self.calendar = calendar
        self.reminders = reminders
        self.client_secrets_file = client_secrets_file
        self.store = TokenStore(self.account, token_file, token_store, "calendar")
        self.client = GoogleClient(
            "calendar",
            "v3",
            lambda: load_credentials(self.store, CALENDAR_SCOPES),
            api_root,
            timeout,
            Retry(retry_attempts, retry_base_s, max_retry_wait_s),
            _BATCH,
        )

    def __repr__(self) -> str:
        return f"GoogleCalendar(account={self.account!r}, calendar={self.calendar!r})"

    def close(self) -> None:
        self.client.close()

    # ------------------------------------------------------------------ CalendarSink

    def find_event(self, key: str) -> str | None:
        """The id of our live event keyed ``key``, or None."""
        check_key(key)
        eid = event_id_for(key)
        try:
            event = self.client.call(
                lambda s: s.events().get(calendarId=self.calendar, eventId=eid),
                "looking up an event",
            )
        except RemoteGone:
            return None
        if event.get("status") == "cancelled" or _private(event).get("chiefKey") != key:
            return None
        return eid

    def upsert_event(self, entry: CalendarEntry) -> str:
        """Create or update ``entry``; its event id. No write when already identical."""
        return self.upsert_events([entry])[0]

    def upsert_events(self, entries: Sequence[CalendarEntry]) -> list[str]:
        """Upsert many entries after one listing of ours; ids in input order."""
        return upsert_events(entries, self.tz, self._stored, self._write_all)

    def _stored(self, keys: Sequence[str]) -> dict[str, Stored[dict[str, Any]]]:
        """Every event of ours, by key; a deleted one (cancelled) has no digest, so it is
        written again (which brings it back)."""
        return {
            key: Stored(
                event_id_for(key),
                None if event.get("status") == "cancelled" else _private(event).get("chiefHash"),
                event,
            )
            for key, event in self._ours().items()
        }

    def _write_all(self, writes: Sequence[Write[dict[str, Any]]]) -> dict[str, str]:
        """Insert or update in one batch; an insert that meets an event of the same id (made
        by a run that crashed before recording it) updates that event instead."""
        entries = {item.entry.key: item.entry for item in writes}
        requests = {
            item.entry.key: self._write(
                self._body(item.entry), item.current.handle if item.current else None
            )
            for item in writes
        }
        answers = self.client.batch(requests, "writing calendar entries")
        for key, answer in answers.items():
            if isinstance(answer, Conflict):
                log.info(
                    "google calendar: event %s exists already: updating it", event_id_for(key)[:12]
                )
                current = self.client.call(_get_event(self.calendar, key), "reading an event")
                self.client.call(
                    self._write(self._body(entries[key]), current), "updating an event"
                )
            elif isinstance(answer, ConnectorError):
                raise answer
        log.info("google calendar: %d entr(ies) written", len(requests))
        return {key: event_id_for(key) for key in requests}

    def _write(self, body: dict[str, Any], current: dict[str, Any] | None) -> Any:
        if current is None:
            return lambda s: s.events().insert(
                calendarId=self.calendar, body=body, sendUpdates="none"
            )
        update = {k: v for k, v in body.items() if k != "id"}
        update["sequence"] = int(current.get("sequence", 0)) + 1
        return lambda s: s.events().update(
            calendarId=self.calendar, eventId=current["id"], body=update, sendUpdates="none"
        )

    def _ours(self) -> dict[str, dict[str, Any]]:
        """Our events (deleted ones too), by key."""
        found: dict[str, dict[str, Any]] = {}
        for page in self.client.pages(
            lambda s, token: s.events().list(
                calendarId=self.calendar,
                privateExtendedProperty=[f"chiefOwner={OWNER}"],
                showDeleted=True,
                maxResults=_PAGE,
                pageToken=token,
            ),
            "events",
            "looking up calendar entries",
        ):
            for event in page.get("items", ()):
                key = _private(event).get("chiefKey")
                if key and event.get("id") == event_id_for(key):
                    found[key] = event
        return found

    def _body(self, entry: CalendarEntry) -> dict[str, Any]:
        private = {
            "chiefOwner": OWNER,
            "chiefKey": entry.key,
            "chiefHash": entry_digest(entry, self.tz),
        }
        if entry.categories:
            private["chiefCategories"] = ",".join(entry.categories)
        body: dict[str, Any] = {
            "id": event_id_for(entry.key),
            "summary": entry.summary,
            "status": "confirmed",  # also brings back an entry deleted in the calendar app
        }
        if entry.description:
            body["description"] = entry.description
        if entry.location:
            body["location"] = entry.location
        zone = entry.extra.get("tzid")
        body["start"] = self._moment(entry.start, zone)
        end = entry.end
        if end is None:
            end = (
                entry.start
                if isinstance(entry.start, datetime)
                else entry.start + timedelta(days=1)
            )
        body["end"] = self._moment(end, zone)
        overrides: list[dict[str, Any]] = []
        for minutes in entry.alarms:
            if not 0 <= minutes <= _MAX_MINUTES:
                log.warning(
                    "entry %s: a reminder %d minutes ahead is beyond Google's four weeks; left out",
                    entry.key,
                    minutes,
                )
                continue
            overrides.extend({"method": m, "minutes": int(minutes)} for m in self.reminders)
        if len(overrides) > _MAX_OVERRIDES:
            log.warning(
                "entry %s: Google keeps %d reminders; the rest are left out",
                entry.key,
                _MAX_OVERRIDES,
            )
        body["reminders"] = {"useDefault": False, "overrides": overrides[:_MAX_OVERRIDES]}
        for name, value in sorted(entry.extra.items()):
            if name == "status" and value.upper() in _STATUSES:
                body["status"] = _STATUSES[value.upper()]
            elif name == "rrule":
                body["recurrence"] = [f"RRULE:{value}"]
                body["start"].setdefault("timeZone", self._zone_name(zone))
                body["end"].setdefault("timeZone", self._zone_name(zone))
            elif name != "tzid":
                private[f"chief_{name}"[:44]] = str(value)[:1024]
        body["extendedProperties"] = {"private": private}
        return body

    def _zone_name(self, hint: str | None) -> str:
        return str(hint or getattr(self.tz, "key", "UTC"))

    def _moment(self, value: date | datetime, hint: str | None) -> dict[str, str]:
        if not isinstance(value, datetime):
            return {"date": value.isoformat()}
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.tz)
        key = getattr(value.tzinfo, "key", None) or hint
        if key and key not in ("UTC", "Etc/UTC"):
            try:
                zone = ZoneInfo(key)
            except (ZoneInfoNotFoundError, ValueError):
                zone = None
            if zone is not None:
                return {"dateTime": value.astimezone(zone).isoformat(), "timeZone": key}
        return {
            "dateTime": value.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "timeZone": "UTC",
        }

    # ---------------------------------------------------------------- CalendarSource

    def events(self, start: datetime, end: datetime) -> Iterator[CalendarEntry]:
        """Entries (one per occurrence) overlapping [start, end), sorted by start."""
        low, high = _instant(start, self.tz), _instant(end, self.tz)
        zone = getattr(self.tz, "key", "UTC")
        found: list[CalendarEntry] = []
        for page in self.client.pages(
            lambda s, token: s.events().list(
                calendarId=self.calendar,
                timeMin=low.isoformat(),
                timeMax=high.isoformat(),
                singleEvents=True,
                orderBy="startTime",
                timeZone=zone,
                maxResults=_PAGE,
                pageToken=token,
            ),
            "events",
            "reading events",
        ):
            for event in page.get("items", ()):
                uid = event.get("id") if isinstance(event, dict) else None
                entry = build_or_skip(partial(self._entry, event), f"google:{self.calendar}", uid)
                if entry is not None:
                    found.append(entry)
        return iter(found)

    def _entry(self, event: dict[str, Any]) -> CalendarEntry:
        private = _private(event)
        alarms = tuple(
            dict.fromkeys(
                int(o["minutes"]) for o in event.get("reminders", {}).get("overrides", ())
            )
        )
        categories = tuple(c for c in private.get("chiefCategories", "").split(",") if c)
        extra = {k.removeprefix("chief_"): v for k, v in private.items() if k.startswith("chief_")}
        return CalendarEntry(
            key=private.get("chiefKey") or f"google:{event['id']}",
            summary=event.get("summary", ""),
            start=self._read(event["start"]),
            end=self._read(event["end"]),
            description=event.get("description", ""),
            location=event.get("location", ""),
            alarms=alarms,
            categories=categories,
            extra=extra,
        )

    def _read(self, moment: dict[str, Any]) -> date | datetime:
        if "date" in moment:
            return date.fromisoformat(moment["date"])
        value = datetime.fromisoformat(moment["dateTime"].replace("Z", "+00:00"))
        zone = moment.get("timeZone")
        try:
            target: tzinfo = ZoneInfo(zone) if zone else self.tz
        except (ZoneInfoNotFoundError, ValueError):
            target = self.tz
        if value.tzinfo is None:
            return value.replace(tzinfo=target)
        return value.astimezone(target)

    # ------------------------------------------------------------------------ doctor

    def check(self) -> str:
        """For ``chief doctor``: signed in and the calendar readable."""
        self.client.call(
            lambda s: s.events().list(calendarId=self.calendar, maxResults=1),
            "opening the calendar",
        )
        return (
            f"Google Calendar `{self.calendar}` of {self.account} reachable; times in "
            f"{getattr(self.tz, 'key', self.tz)}; reminders by {', '.join(self.reminders)}; "
            f"sign-in kept in {self.store.describe()}"
        )


def _get_event(calendar: str, key: str) -> Callable[[Any], Any]:
    return lambda s: s.events().get(calendarId=calendar, eventId=event_id_for(key))


def _private(event: dict[str, Any]) -> dict[str, str]:
    props: dict[str, str] = event.get("extendedProperties", {}).get("private", {})
    return props


def _instant(value: date | datetime, tz: tzinfo) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    return datetime.combine(value, time(), tz)
