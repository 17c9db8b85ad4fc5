"""The CalDAV requests :mod:`connectors.ical.caldav` sends, and what it reads back.

Terminology (RFC 4791 and RFC 4918):

HREF
    The path of one calendar object resource (an ``.ics`` inside the calendar collection). Ours
    are named ``chief-<key>.ics`` when the key is URL-safe, else ``chief-<sha256>.ics``; the
    server decides nothing about it, but we never rely on the name to find an event again.
ETAG
    The server's version tag of a resource; sent back as ``If-Match`` on update so a change made
    in between (by the practitioner's calendar app) is never overwritten blindly.
UID
    The event's iCalendar UID, ``<key>@practice-chief``: unique within a calendar collection
    (RFC 4791 5.3.2.1, precondition ``no-uid-conflict``), so the server itself guarantees an
    entry exists at most once. Lookups go by UID, with a ``calendar-query`` REPORT (RFC 4791 7.8)
    using a ``text-match`` with the case-sensitive ``i;octet`` collation (9.7.5), then an exact
    comparison here (``text-match`` is a substring match).

Library and transport exceptions become :mod:`bot.errors` in :func:`translated`; messages carry
the server's host, statuses and hashes, never an event's summary or description.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import SplitResult, unquote, urlsplit
from xml.sax.saxutils import escape

import icalendar
from caldav.lib import error as dav_error

from bot.errors import (
    AuthError,
    ChiefError,
    ConnectorError,
    RateLimited,
    RemoteGone,
    UserError,
)
from connectors.passwords import is_loopback

__all__ = [
    "NO_UID_CONFLICT",
    "Remote",
    "checked_url",
    "collection_id",
    "href_name",
    "if_match",
    "parse_objects",
    "query_by_uid",
    "query_by_window",
    "remote_id",
    "remote_ours",
    "short_hash",
    "sync_probe",
    "translated",
]

log = logging.getLogger(__name__)

NO_UID_CONFLICT = "{urn:ietf:params:xml:ns:caldav}no-uid-conflict"
_SAFE_KEY = re.compile(r"^[A-Za-z0-9._-]{1,100}$")

_QUERY = """<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">{filter}</C:comp-filter>
  </C:comp-filter></C:filter>
</C:calendar-query>
"""

_SYNC_PROBE = """<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:"><D:prop><D:sync-token/><D:supported-report-set/></D:prop></D:propfind>
"""


@dataclass(frozen=True, slots=True)
class Remote:
    """One of our events as stored on the server."""

    url: str  # absolute URL of the resource
    etag: str | None
    uid: str
    digest: str | None  # X-CHIEF-HASH
    sequence: int


def query_by_uid(needle: str) -> str:
    """calendar-query for VEVENTs whose UID contains ``needle`` (case-sensitive)."""
    match = f'<C:text-match collation="i;octet">{escape(needle)}</C:text-match>'
    return _QUERY.format(filter=f'<C:prop-filter name="UID">{match}</C:prop-filter>')


def query_by_window(start: datetime, end: datetime) -> str:
    """calendar-query for VEVENTs with an instance in [start, end) (RFC 4791 9.9: UTC times;
    the server expands recurrences to decide)."""

    def utc(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    return _QUERY.format(filter=f'<C:time-range start="{utc(start)}" end="{utc(end)}"/>')


def sync_probe() -> str:
    """PROPFIND body asking for ``DAV:sync-token`` and the supported reports (RFC 6578 3)."""
    return _SYNC_PROBE


def href_name(key: str, fresh: bool = False) -> str:
    """The resource name for a new event keyed ``key``; ``fresh`` gives a random one (used when
    the usual name is taken by something that is not ours)."""
    if fresh:
        return f"chief-{uuid.uuid4().hex}.ics"
    if _SAFE_KEY.match(key):
        return f"chief-{key}.ics"
    return f"chief-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:40]}.ics"


def short_hash(text: str) -> str:
    """A hash to name a UID or href in a log line without showing it."""
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:12]


def parse_objects(response: Any, base: Any) -> Iterator[tuple[str, str | None, icalendar.Calendar]]:
    """(absolute URL, etag, parsed VCALENDAR) for each object in a calendar-query reply.

    An object the library cannot parse is skipped with a warning naming a hash of its href.
    """
    for item in response.parse_calendar_query():
        if item.status != 200 or not item.calendar_data:
            continue
        url = str(base.join(item.href))
        try:
            parsed = icalendar.Calendar.from_ical(item.calendar_data)
        except Exception as exc:  # the library raises many types on broken input
            log.warning("caldav object %s skipped (%s)", short_hash(url), type(exc).__name__)
            continue
        yield url, item.etag, parsed


def remote_ours(url: str, etag: str | None, parsed: icalendar.Calendar) -> Iterator[Remote]:
    """The master VEVENTs in one object (overrides carry RECURRENCE-ID and are not masters)."""
    for event in parsed.walk("VEVENT"):
        if "RECURRENCE-ID" in event:
            continue
        try:
            sequence = int(event.get("SEQUENCE", 0))
        except (TypeError, ValueError):
            sequence = 0
        digest = event.get("X-CHIEF-HASH")
        yield Remote(
            url=url,
            etag=etag,
            uid=str(event.get("UID", "")),
            digest=str(digest) if digest is not None else None,
            sequence=sequence,
        )


@contextlib.contextmanager
def translated(host: str, doing: str) -> Iterator[None]:
    """Turn caldav and HTTP exceptions into :mod:`bot.errors`, in plain words."""
    try:
        yield
    except ChiefError:
        raise
    except dav_error.RateLimitError as exc:
        raise RateLimited(
            f"the CalDAV server at {host} asked us to slow down while {doing}",
            retry_after=exc.retry_after_seconds,
        ) from exc
    except dav_error.AuthorizationError as exc:
        if exc.status == 403:
            raise AuthError(
                f"the CalDAV server at {host} refused access while {doing} (403 Forbidden): "
                "check that this account may use the calendar named by `calendar` in [calendar]"
            ) from exc
        raise AuthError(
            f"the CalDAV server at {host} refused the sign-in (401): check `username` and the "
            "password in `password_file` / `password_env` of [calendar] in chief.toml "
            "(many providers need an app password)"
        ) from exc
    except dav_error.NotFoundError as exc:
        raise RemoteGone(f"the CalDAV server at {host} has no such calendar ({doing})") from exc
    except dav_error.DAVError as exc:
        status = f" (HTTP {exc.status})" if exc.status else ""
        raise ConnectorError(
            f"the CalDAV server at {host} failed while {doing}: {type(exc).__name__}{status}"
        ) from exc
    except OSError as exc:  # niquests / requests exceptions are OSErrors
        raise ConnectorError(f"cannot reach the CalDAV server at {host}: {_plain(exc)}") from exc
    except (SyntaxError, ValueError) as exc:  # lxml parse errors, malformed replies
        raise ConnectorError(
            f"the CalDAV server at {host} sent a reply we cannot read while {doing} "
            f"({type(exc).__name__}); is `url` in [calendar] a CalDAV address?"
        ) from exc


def _plain(exc: OSError) -> str:
    names = " ".join(cls.__name__ for cls in type(exc).__mro__).lower()
    text = str(exc).lower()
    if "timeout" in names or "timed out" in text:
        return "it did not answer in time (check `timeout` and the network)"
    if "ssl" in names or "certificate" in text:
        return (
            "the TLS connection failed (certificate or protocol problem; a server with the "
            "practice's own certificate authority needs that CA named in `ca_file`)"
        )
    if "refused" in text:
        return "connection refused (is the server running, and are host and port right?)"
    if "name or service not known" in text or "resolve" in text or "nodename" in text:
        return "the host name does not resolve (check `url` in [calendar])"
    return f"the connection failed ({type(exc).__name__})"


def if_match(remote: Remote) -> dict[str, str]:
    """If-Match compares strongly (RFC 9110 13.1.1): a weak or missing ETag sends nothing."""
    if remote.etag and not remote.etag.startswith("W/"):
        return {"If-Match": remote.etag}
    return {}


def remote_id(url: str) -> str:
    return unquote(urlsplit(url).path)


def collection_id(url: str) -> str:
    return urlsplit(url).path.rstrip("/").rpartition("/")[2]


def checked_url(url: str) -> SplitResult:
    """``url`` of ``[calendar]`` split, or :class:`UserError`: an http(s) address without a
    password in it, plain http only to this machine."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UserError(
            f"`url` in [calendar] must be an https:// address of a CalDAV server, not {url!r}"
        )
    if parts.password:
        raise UserError(
            "`url` in [calendar] holds a password: remove it and use `password_file` "
            "(a file only you can read) or `password_env`"
        )
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise UserError(
            f"`url` in [calendar] uses plain http:// to {parts.hostname}",
            ["use https://; plain http is allowed only to 127.0.0.1 / localhost"],
        )
    return parts
