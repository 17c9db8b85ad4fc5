"""Helpers for the Gmail and Google Calendar tests: a stored sign-in pointing at the local
Google API server's token endpoint, and connectors pointed at the server.

Plain code, no pytest: the fixtures are in ``tests/fixtures_google.py``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from connectors.google.auth import CALENDAR_SCOPES, GMAIL_SCOPES
from connectors.google.calendar import GoogleCalendar
from connectors.google.gmail import GmailConnector
from tests.connector_contract import PRACTITIONER
from tests.servers.google_api import GoogleApiServer

__all__ = ["ALL_SCOPES", "calendar_for", "gmail_for", "seed_calendar", "signed_in"]

ALL_SCOPES = (*GMAIL_SCOPES, *CALENDAR_SCOPES)


def signed_in(
    server: GoogleApiServer,
    path: Path,
    scopes: Sequence[str] = ALL_SCOPES,
    claimed: Sequence[str] | None = None,
) -> Path:
    """Write the grant a finished sign-in leaves (0600), refreshing against ``server``;
    ``claimed`` lets the file claim other scopes than the server granted."""
    info = {
        "client_id": server.client_id,
        "client_secret": server.client_secret,
        "refresh_token": server.grant(list(scopes)),
        "token_uri": server.token_uri,
        "scopes": sorted(claimed if claimed is not None else scopes),
        "account": server.account,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(info))
    path.chmod(0o600)
    return path


def gmail_for(server: GoogleApiServer, token: Path, **kwargs: Any) -> GmailConnector:
    values: dict[str, Any] = {
        "token_file": token,
        "token_store": "file",
        "api_root": server.root_url,
        "retry_base_s": 0.01,
        "practitioner_address": PRACTITIONER,
    }
    values.update(kwargs)
    return GmailConnector(server.account, **values)


def calendar_for(server: GoogleApiServer, token: Path, **kwargs: Any) -> GoogleCalendar:
    values: dict[str, Any] = {
        "token_file": token,
        "token_store": "file",
        "api_root": server.root_url,
        "retry_base_s": 0.01,
        "tz": "Europe/London",
    }
    values.update(kwargs)
    return GoogleCalendar(server.account, **values)


def seed_calendar(server: GoogleApiServer, ics: Path, tz: str) -> int:
    """Put the VEVENTs of ``ics`` into the server's calendar as the practitioner's own events
    (server-side, not through the connector): floating times in ``tz``. How many."""
    import icalendar

    from tests.servers.google_calendar import CalendarStore

    store: CalendarStore = server.calendar
    count = 0
    for event in icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT"):
        body: dict[str, Any] = {"summary": str(event.get("SUMMARY", ""))}
        for name, key in (("DESCRIPTION", "description"), ("LOCATION", "location")):
            if event.get(name):
                body[key] = str(event[name])
        for name, side in (("DTSTART", "start"), ("DTEND", "end")):
            value = event.decoded(name)
            if not isinstance(value, datetime):
                body[side] = {"date": value.isoformat()}
                continue
            zone = getattr(value.tzinfo, "key", None) or ("UTC" if value.tzinfo else tz)
            if value.tzinfo is None:
                value = value.replace(tzinfo=ZoneInfo(tz))
            body[side] = {"dateTime": value.isoformat(), "timeZone": zone}
        if event.get("RRULE"):
            body["recurrence"] = ["RRULE:" + event["RRULE"].to_ical().decode("ascii")]
        body["iCalUID"] = str(event["UID"])
        with store.lock:
            store.m_events_insert({"calendarId": "primary"}, body)
        count += 1
    return count
