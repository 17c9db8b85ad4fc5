"""A CalDAV calendar (RFC 4791): the practitioner's own calendar on their provider's server.

Same contract as the embedded :mod:`connectors.ical.ics`, over HTTP (the ``caldav`` library carries
the requests, sign-in and discovery of the principal and its calendars):

- **Exactly once.** Each entry is one calendar object resource whose UID is
  ``<key>@practice-chief`` (VEVENT built by :mod:`connectors.ical.vevent`, the same code as the file
  connector). An upsert looks the UID up first (one ``calendar-query`` REPORT for a whole batch,
  RFC 4791 7.8) and compares ``X-CHIEF-HASH``: an unchanged entry causes no write at all. A new
  entry is PUT with ``If-None-Match: *`` (RFC 9110 13.1.2), so a second writer gets 412 instead
  of a copy, and the server refuses a second resource with the same UID (RFC 4791 5.3.2.1,
  ``no-uid-conflict``); a changed entry is PUT with ``If-Match: <etag>`` (13.1.1) and
  ``SEQUENCE`` + 1 (RFC 5545 3.8.7.4). When either precondition fails we look again and retry.
  Our event found twice (a server that does not enforce UID uniqueness) is brought back to one.
- **Only ours change.** Only resources holding one of our UIDs are ever written or deleted, and
  an event of ours the practitioner edited in their calendar app keeps the edit until the entry
  itself changes (the stored hash still matches, so nothing is written).
- **Reading.** :meth:`CaldavCalendar.events` asks the server for the VEVENTs with an instance in
  the window (``time-range``, RFC 4791 9.9; widened by a day each side for floating and all-day
  times) and expands recurrences here with :mod:`connectors.ical.recurrence` (the file connector's
  code, not the server's ``expand``: instances keep their ``TZID`` and both connectors read the
  same way).
- **Secrets and transport.** The password comes from a 0600 file or an environment variable
  (:mod:`connectors.passwords`), never from ``chief.toml``, and is never logged. ``http://`` is
  accepted only for 127.0.0.1 / localhost. Sign-in refused → :class:`AuthError`; server
  unreachable → :class:`ConnectorError` in plain words; calendar deleted → :class:`RemoteGone`.

Config (``[calendar]`` with ``connector = "caldav"``): ``url``, ``username``, ``password_file``
or ``password_env``, ``calendar`` (display name, collection id or URL; default the principal's
first calendar for events, ``Practice`` created when there is none; a name not found is created),
``timeout``, ``ca_file`` (the certificate of the practice's own certificate authority, PEM, for
a server whose certificate it issued: :mod:`connectors.tls`). ``tz`` is the practice's time
zone, given by the runtime.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
from caldav.collection import Calendar
from caldav.davclient import DAVClient
from caldav.lib import error as dav_error

from bot.errors import ConnectorError, RemoteGone, UserError
from connectors.base import CalendarEntry
from connectors.calendar_upsert import Stored, Write, upsert_events
from connectors.ical.caldav_protocol import (
    NO_UID_CONFLICT,
    Remote,
    checked_url,
    collection_id,
    href_name,
    if_match,
    parse_objects,
    query_by_uid,
    query_by_window,
    remote_id,
    remote_ours,
    short_hash,
    sync_probe,
    translated,
)
from connectors.ical.recurrence import expand_component
from connectors.ical.vevent import UID_SUFFIX, calendar_resource, uid_for
from connectors.passwords import read_password
from connectors.tls import ca_file_problem

__all__ = ["DEFAULT_CALENDAR", "CaldavCalendar"]

log = logging.getLogger(__name__)

DEFAULT_CALENDAR = "Practice"
_ATTEMPTS = 3  # a write whose precondition failed is looked up and retried this many times
_ICAL = {"Content-Type": "text/calendar; charset=utf-8"}


class CaldavCalendar:
    """CalendarSource + CalendarSink on one CalDAV calendar collection."""

    # Alarms; recurrence read expanded here and written from extra["rrule"]; find_event works
    # after a crash (a REPORT by UID).

    def __init__(
        self,
        url: str,
        username: str = "",
        password_file: Path | None = None,
        password_env: str | None = None,
        calendar: str | None = None,
        tz: str = "UTC",
        timeout: float = 30.0,
        ca_file: Path | None = None,
    ) -> None:
        parts = checked_url(url)
        try:
            self.tz: tzinfo = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise UserError(
                f"unknown time zone `{tz}` for the CalDAV calendar",
                ["set `timezone` in [practice] of chief.toml to an IANA name"],
            ) from None
        if (problem := ca_file_problem("calendar", ca_file)) is not None:
            raise UserError("invalid [calendar] settings", [problem])
        # The practice's own CA, passed with each request, where REQUESTS_CA_BUNDLE (which
        # replaces only verify=True) cannot override it.
        self.verify: bool | str = str(ca_file) if ca_file is not None else True
        self.url = url
        self.host = parts.netloc.rpartition("@")[2]
        self.username = username
        self.calendar = calendar
        self.timeout = timeout
        self.supports_sync_token: bool | None = None  # known after check()
        self._password = read_password("calendar", password_file, password_env, username)
        self._client: DAVClient | None = None
        self._collection: str | None = None  # URL of the calendar collection, once found

    def __repr__(self) -> str:  # never the password
        return f"CaldavCalendar(url={self.url!r}, calendar={self.calendar!r})"

    # ------------------------------------------------------------------ CalendarSink

    def find_event(self, key: str) -> str | None:
        """The href (remote id) of our event keyed ``key``, or None."""
        uid = uid_for(key)
        found = self._ours(uid).get(uid)
        return remote_id(found[0].url) if found else None

    def upsert_event(self, entry: CalendarEntry) -> str:
        """Create or update ``entry``; return its href. No write when already identical."""
        return self.upsert_events([entry])[0]

    def upsert_events(self, entries: Sequence[CalendarEntry]) -> list[str]:
        """Upsert many entries after one lookup; hrefs in input order (the last of a key wins)."""
        return upsert_events(entries, self.tz, self._stored, self._write_all)

    # ---------------------------------------------------------------- CalendarSource

    def events(self, start: datetime, end: datetime) -> Iterator[CalendarEntry]:
        """Entries (one per occurrence) overlapping [start, end), sorted by start."""
        window = (_instant(start, self.tz), _instant(end, self.tz))
        query = query_by_window(window[0] - timedelta(days=1), window[1] + timedelta(days=1))
        label = f"caldav:{short_hash(self._calendar_url() or '')}"
        found: list[tuple[datetime, CalendarEntry]] = []
        for _, _, parsed in self._report(query, "reading events"):
            found.extend(expand_component(parsed, window, self.tz, label))
        found.sort(key=lambda pair: pair[0])
        return iter([entry for _, entry in found])

    # ------------------------------------------------------------------------ doctor

    def check(self) -> str:
        """For ``chief doctor``: reachable, signed in, calendar found, sync-token offered.

        Creates nothing: a missing calendar is reported as "will be created".
        """
        with translated(self.host, "signing in"):
            principal = self._dav().get_principal()
        who = "signed in" if self.username else "no sign-in configured"
        with translated(self.host, "listing calendars"):
            chosen = self._choose(self._dav().get_calendars(principal))
        head = f"CalDAV server {self.host} reachable, {who}"
        if chosen is None and self.calendar and "/" in self.calendar:
            raise RemoteGone(f"{head}, but the calendar at {self.calendar} does not exist")
        if chosen is None:
            name = self.calendar or DEFAULT_CALENDAR
            return f"{head}; calendar `{name}` not found: it will be created on the first sync"
        with translated(self.host, "reading calendar properties"):
            name = _display_name(chosen) or collection_id(str(chosen.url))
            reply = self._dav().propfind(str(chosen.url), sync_probe(), depth=0)
        tree = getattr(reply, "tree", None)
        elements = list(tree.iter()) if tree is not None else []
        self.supports_sync_token = any(
            el.tag == "{DAV:}sync-collection"
            or (el.tag == "{DAV:}sync-token" and (el.text or "").strip())
            for el in elements
        )
        sync = "offered" if self.supports_sync_token else "not offered"
        return f"{head}; calendar `{name}` found; sync-collection (RFC 6578) {sync}"

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # ------------------------------------------------------------------ internals

    def _dav(self) -> DAVClient:
        if self._client is None:
            self._client = DAVClient(
                url=self.url,
                username=self.username or None,
                password=self._password,
                timeout=self.timeout,  # type: ignore[arg-type]  # niquests takes a float
                ssl_verify_cert=self.verify,
                enable_rfc6764=False,  # the URL is given: no DNS discovery, no surprises
                rate_limit_handle=False,  # our scheduler decides when to retry
            )
        return self._client

    def _choose(self, calendars: list[Calendar]) -> Calendar | None:
        """The configured calendar among ``calendars``: by URL, path or id, then display name;
        without one configured, the first that takes events."""
        wanted = self.calendar
        if wanted is None:
            for cal in calendars:
                try:
                    components = cal.get_supported_components()
                except dav_error.DAVError:  # the property is optional (RFC 4791 5.2.3)
                    return cal
                if not isinstance(components, list) or not components or "VEVENT" in components:
                    return cal
            return None
        target = wanted.rstrip("/")
        for cal in calendars:
            url = str(cal.url).rstrip("/")
            if target in (url, urlsplit(url).path, collection_id(url)):
                return cal
        for cal in calendars:
            if _display_name(cal) == wanted:
                return cal
        return None

    def _calendar_url(self, create: bool = False) -> str | None:
        """URL of the calendar collection; None when it does not exist and ``create`` is false
        (reading never creates a calendar; the first write does)."""
        if self._collection is not None:
            return self._collection
        with translated(self.host, "finding the calendar"):
            principal = self._dav().get_principal()
            chosen = self._choose(self._dav().get_calendars(principal))
            if chosen is None and self.calendar and "/" in self.calendar:
                raise RemoteGone(
                    f"the calendar at {self.calendar} does not exist on {self.host}: "
                    "fix `calendar` in [calendar] of chief.toml"
                )
            if chosen is None and not create:
                return None
            if chosen is None:
                name = self.calendar or DEFAULT_CALENDAR
                made = principal.make_calendar(
                    name=name, supported_calendar_component_set=["VEVENT"]
                )
                if not isinstance(made, Calendar):  # only an async client returns a coroutine
                    raise ConnectorError(f"could not create calendar `{name}` on {self.host}")
                chosen = made
                log.info("created CalDAV calendar %s", collection_id(str(chosen.url)))
        url = str(chosen.url)
        self._collection = url if url.endswith("/") else url + "/"
        return self._collection

    def _writable_url(self) -> str:
        url = self._calendar_url(create=True)
        if url is None:  # cannot happen: create=True makes it
            raise ConnectorError(f"no calendar to write to on {self.host}")
        return url

    def _report(self, query: str, doing: str) -> list[tuple[str, str | None, icalendar.Calendar]]:
        collection = self._calendar_url()
        if collection is None:
            log.debug("caldav calendar not created yet: nothing to read")
            return []
        with translated(self.host, doing):
            client = self._dav()
            reply = client.report(collection, query, depth=1)
            if reply.status == 404:
                self._collection = None
                raise RemoteGone(
                    f"the calendar {collection_id(collection)} no longer exists on {self.host}; "
                    "the next run creates it again, or set `calendar` in [calendar]"
                )
            if reply.status not in (200, 207):
                raise ConnectorError(
                    f"the CalDAV server at {self.host} answered HTTP {reply.status} while {doing}"
                )
            return list(parse_objects(reply, client.url))

    def _ours(self, needle: str) -> dict[str, list[Remote]]:
        """Our events whose UID contains ``needle``, by exact UID, hrefs sorted."""
        out: dict[str, list[Remote]] = {}
        for url, etag, parsed in self._report(query_by_uid(needle), "looking up events"):
            for remote in remote_ours(url, etag, parsed):
                if remote.uid.endswith(UID_SUFFIX) and needle in remote.uid:
                    out.setdefault(remote.uid, []).append(remote)
        for found in out.values():
            found.sort(key=lambda r: r.url)
        return out

    def _stored(self, keys: Sequence[str]) -> dict[str, Stored[Remote]]:
        """Our events for ``keys`` (one REPORT); copies of one (ours twice) are removed, the
        first by href kept. The first write creates the calendar, before the lookup."""
        needle = uid_for(keys[0]) if len(keys) == 1 else UID_SUFFIX
        self._writable_url()
        stored = self._ours(needle)
        found: dict[str, Stored[Remote]] = {}
        for key in keys:
            remotes = stored.get(uid_for(key), [])
            for duplicate in remotes[1:]:
                self._delete(duplicate)
            if remotes:
                found[key] = Stored(remote_id(remotes[0].url), remotes[0].digest, remotes[0])
        return found

    def _write_all(self, writes: Sequence[Write[Remote]]) -> dict[str, str]:
        now = datetime.now(UTC).replace(microsecond=0)
        return {
            item.entry.key: remote_id(self._put_entry(item.entry, item.digest, item.current, now))
            for item in writes
        }

    def _put_entry(
        self, entry: CalendarEntry, digest: str, stored: Stored[Remote] | None, now: datetime
    ) -> str:
        """PUT one entry (If-Match its ETag, or If-None-Match: * for a new one); when another
        client changed it meanwhile, look again and retry."""
        uid = uid_for(entry.key)
        current = stored.handle if stored else None
        for attempt in range(_ATTEMPTS):
            if attempt:
                log.info("caldav event %s changed meanwhile: looking again", short_hash(uid))
                remotes = self._ours(uid).get(uid, [])
                for duplicate in remotes[1:]:  # ours twice: keep the first
                    self._delete(duplicate)
                current = remotes[0] if remotes else None
                if current is not None and current.digest == digest:
                    return current.url
            sequence = current.sequence + 1 if current else 0
            body = calendar_resource(
                entry, uid=uid, digest=digest, sequence=sequence, now=now, tz=self.tz
            )
            if current is not None:
                url = current.url
                done = self._put(url, body, if_match(current))
            else:
                url = self._writable_url() + href_name(entry.key, fresh=attempt > 0)
                done = self._put(url, body, {"If-None-Match": "*"})
            if done:
                log.info("caldav event %s %s", short_hash(uid), "updated" if current else "created")
                return url
        raise ConnectorError(
            f"the CalDAV server at {self.host} kept refusing calendar entry {entry.key} "
            "(it changed on every attempt); the next run tries again"
        )

    def _put(self, url: str, body: str, condition: dict[str, str]) -> bool:
        """PUT ``body``; False when a precondition failed (look again), True when stored."""
        with translated(self.host, "writing an event"):
            try:
                reply = self._dav().put(url, body, {**_ICAL, **condition})
            except dav_error.AuthorizationError as exc:
                if NO_UID_CONFLICT in exc.preconditions:  # some servers answer 403
                    return False
                raise
            status = reply.status
            if status in (200, 201, 204):
                return True
            if status == 412:
                return False
            if status in (403, 409) and NO_UID_CONFLICT in dav_error.parse_preconditions(
                getattr(reply, "_raw", None)
            ):
                return False
            if status in (404, 409):  # RFC 4918 9.7.1: the collection itself is missing
                self._collection = None
                raise RemoteGone(
                    f"the calendar on {self.host} disappeared while writing; "
                    "the next run creates it again, or set `calendar` in [calendar]"
                )
            if status == 413:
                raise ConnectorError(f"the CalDAV server at {self.host} refused a large event")
            raise ConnectorError(
                f"the CalDAV server at {self.host} answered HTTP {status} to writing an event"
            )

    def _delete(self, remote: Remote) -> None:
        headers = if_match(remote)
        with translated(self.host, "removing a duplicate event"):
            reply = self._dav().delete(remote.url, headers)
        log.info("caldav duplicate %s removed (HTTP %s)", short_hash(remote.url), reply.status)


def _display_name(cal: Calendar) -> str | None:
    name = cal.get_display_name()
    return name if isinstance(name, str) else None


def _instant(value: date | datetime, tz: tzinfo) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    return datetime.combine(value, time(), tz)
