"""One upsert for every calendar connector: each entry written exactly once per key.

Terminology
-----------
DIGEST
    :func:`entry_digest`, a hash of everything written for an entry, stored on the remote
    object with it (``X-CHIEF-HASH`` in iCalendar, a private extended property in Google and
    Graph), so an entry that has not changed is never written again.
STORED
    What a connector finds on the remote side for a key (:class:`Stored`): the REMOTE ID, the
    DIGEST written with it (``None`` when it must be written again whatever it holds, such as
    a Google event deleted in the calendar app), and the provider's own handle on it (an
    ETag and href, a block of the file, the event itself).
WRITE
    An entry to create (nothing stored) or to replace (stored with another digest):
    :class:`Write`.

The algorithm, :func:`upsert_events`, is the same for the ``.ics`` file, CalDAV, Google and
Graph: check every IDEMPOTENCY KEY (:func:`bot.keys.check_key`, before anything is read); keep
the last entry of each key; find what is stored for those keys in one lookup; leave alone the
entries whose digest is unchanged; create or replace the others in one call; return the remote
ids in input order. A connector supplies only its primitives: ``find`` and ``write`` (creating
and replacing together, because Google's and Graph's ``$batch`` and the one rewrite of an
``.ics`` file write many entries at once), and, when they must share one lock or one read,
``session`` around both.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Generic, TypeVar

from bot.keys import check_key, key_hash
from connectors.base import CalendarEntry

__all__ = ["FORMAT", "Stored", "Write", "entry_digest", "upsert_events"]

log = logging.getLogger(__name__)

FORMAT = 1  # bump when the written form of an entry changes, so events are refreshed once

H = TypeVar("H")


def entry_digest(entry: CalendarEntry, tz: tzinfo) -> str:
    """A stable hash of everything written for ``entry`` (stored as ``X-CHIEF-HASH``)."""

    def value(v: date | datetime | None) -> str | None:
        if isinstance(v, datetime):
            return f"{v.isoformat()}|{getattr(v.tzinfo, 'key', None) or v.tzname()}"
        return v.isoformat() if v is not None else None

    payload = {
        "format": FORMAT,
        "tz": str(tz),
        "key": entry.key,
        "summary": entry.summary,
        "start": value(entry.start),
        "end": value(entry.end),
        "description": entry.description,
        "location": entry.location,
        "alarms": list(entry.alarms),
        "categories": list(entry.categories),
        "extra": sorted(entry.extra.items()),
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Stored(Generic[H]):
    """Our object found on the remote side for one key."""

    remote_id: str
    digest: str | None
    handle: H


@dataclass(frozen=True, slots=True)
class Write(Generic[H]):
    """An entry to write: created when ``current`` is None, else replacing ``current``."""

    entry: CalendarEntry
    digest: str
    current: Stored[H] | None


def upsert_events(
    entries: Sequence[CalendarEntry],
    tz: tzinfo,
    find: Callable[[Sequence[str]], Mapping[str, Stored[H]]],
    write: Callable[[Sequence[Write[H]]], Mapping[str, str]],
    session: Callable[[], AbstractContextManager[object]] | None = None,
) -> list[str]:
    """Create or update ``entries`` (the last of a key wins); remote ids in input order.

    ``find(keys)`` returns what is stored for (at least) those keys; ``write(writes)`` creates
    or replaces each and returns the remote id of every key it wrote. Nothing is written for
    an entry whose stored digest is unchanged. ``session`` (default: none) is entered before
    ``find`` and left after ``write``.
    """
    for entry in entries:
        check_key(entry.key)
    if not entries:
        return []
    latest = {entry.key: entry for entry in entries}
    ids: dict[str, str] = {}
    with (session or nullcontext)():
        stored = find(list(latest))
        writes: list[Write[H]] = []
        for key, entry in latest.items():
            digest = entry_digest(entry, tz)
            current = stored.get(key)
            if current is not None and current.digest == digest:
                ids[key] = current.remote_id
            else:
                writes.append(Write(entry, digest, current))
        if writes:
            ids.update(write(writes))
    for write_ in writes:
        log.debug(
            "calendar entry %s %s",
            key_hash(write_.entry.key),
            "updated" if write_.current else "created",
        )
    return [ids[entry.key] for entry in entries]
