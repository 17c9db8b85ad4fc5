"""CalendarEntry ⇄ JSON, so a planned entry can be journalled in the database and replayed."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

from connectors.base import CalendarEntry

__all__ = ["entry_from_payload", "entry_to_payload", "payload_hash"]


def _when(value: date | datetime | None) -> dict[str, str] | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    return {"date": value.isoformat()}


def _parse_when(value: dict[str, str] | None) -> date | datetime | None:
    if value is None:
        return None
    if "datetime" in value:
        return datetime.fromisoformat(value["datetime"])
    return date.fromisoformat(value["date"])


def entry_to_payload(entry: CalendarEntry) -> dict[str, Any]:
    return {
        "key": entry.key,
        "summary": entry.summary,
        "start": _when(entry.start),
        "end": _when(entry.end),
        "description": entry.description,
        "location": entry.location,
        "alarms": list(entry.alarms),
        "categories": list(entry.categories),
        "extra": dict(entry.extra),
    }


def entry_from_payload(payload: dict[str, Any]) -> CalendarEntry:
    start = _parse_when(payload["start"])
    assert start is not None
    return CalendarEntry(
        key=payload["key"],
        summary=payload["summary"],
        start=start,
        end=_parse_when(payload.get("end")),
        description=payload.get("description", ""),
        location=payload.get("location", ""),
        alarms=tuple(payload.get("alarms", ())),
        categories=tuple(payload.get("categories", ())),
        extra=dict(payload.get("extra", {})),
    )


def payload_hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:32]
