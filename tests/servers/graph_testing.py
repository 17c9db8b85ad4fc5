"""Helpers for the Outlook tests: a real msal sign-in (device code) against the local Graph
server's identity endpoints, and connectors pointed at the server.

Plain code, no pytest: the fixtures are in ``tests/fixtures_graph.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from connectors.microsoft.auth import CALENDAR_SCOPES, MAIL_SCOPES, provider_for, sign_in
from connectors.microsoft.calendar import OutlookCalendar
from connectors.microsoft.outlook import OutlookConnector
from tests.connector_contract import PRACTITIONER
from tests.servers.graph_api import CLIENT_ID, TENANT, GraphServer

__all__ = ["auth_settings", "calendar_for", "outlook_for", "signed_in"]


def auth_settings(server: GraphServer, cache: Path) -> dict[str, Any]:
    """The [mail] / [calendar] keys naming the sign-in against ``server``."""
    return {
        "account": server.account,
        "client_id": CLIENT_ID,
        "tenant": TENANT,
        "token_cache_file": cache,
        "token_store": "file",
        "login_root": server.root,
    }


def signed_in(
    server: GraphServer, cache: Path, scopes: tuple[str, ...] = (*MAIL_SCOPES, *CALENDAR_SCOPES)
) -> Path:
    """Sign in with msal's device-code flow (the server approves at once); the cache file."""
    provider = provider_for("mail", auth_settings(server, cache), scopes)
    shown: list[str] = []
    sign_in(provider, device_code=True, show=shown.append)
    assert shown and "LOCAL1234" in shown[0]
    return cache


def outlook_for(server: GraphServer, cache: Path, **kwargs: Any) -> OutlookConnector:
    values: dict[str, Any] = {
        **auth_settings(server, cache),
        "api_root": server.api_root,
        "retry_base_s": 0.01,
        "practitioner_address": PRACTITIONER,
    }
    values.update(kwargs)
    return OutlookConnector(**values)


def calendar_for(server: GraphServer, cache: Path, **kwargs: Any) -> OutlookCalendar:
    values: dict[str, Any] = {
        **auth_settings(server, cache),
        "api_root": server.api_root,
        "retry_base_s": 0.01,
        "tz": "Europe/London",
    }
    values.update(kwargs)
    return OutlookCalendar(**values)


def seed_calendar(server: GraphServer, ics: Path, tz: str) -> int:
    """Put the VEVENTs of ``ics`` into the server's calendar as the practitioner's own events
    (server-side, not through the connector): floating times in ``tz``. How many."""
    from datetime import date, datetime, timedelta
    from zoneinfo import ZoneInfo

    import icalendar

    count = 0
    for event in icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT"):
        body: dict[str, Any] = {"subject": str(event.get("SUMMARY", ""))}
        if event.get("DESCRIPTION"):
            body["body"] = {"contentType": "text", "content": str(event["DESCRIPTION"])}
        if event.get("LOCATION"):
            body["location"] = {"displayName": str(event["LOCATION"])}
        start = event.decoded("DTSTART")
        end = event.decoded("DTEND") if event.get("DTEND") else None
        if not isinstance(start, datetime):
            stop = end if isinstance(end, date) else start + timedelta(days=1)
            body["isAllDay"] = True
            body["start"] = {"dateTime": f"{start.isoformat()}T00:00:00", "timeZone": tz}
            body["end"] = {"dateTime": f"{stop.isoformat()}T00:00:00", "timeZone": tz}
        else:
            finish = end if isinstance(end, datetime) else start
            for side, value in (("start", start), ("end", finish)):
                if value.tzinfo is not None:
                    value = value.astimezone(ZoneInfo(tz)).replace(tzinfo=None)
                body[side] = {"dateTime": value.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": tz}
        with server.calendar.lock:
            server.calendar.create(body, "UTC")
        count += 1
    return count
