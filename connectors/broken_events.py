"""One broken event never hides the others: the guard every calendar reader builds events in.

A practitioner's calendar holds what other apps wrote: a ``DTSTART`` that is not a date, an
``RRULE`` with an unknown ``FREQ``, a ``TZID`` nobody defines, a Google or Graph item without a
``start``. Each reader (the ``.ics`` file and CalDAV through :mod:`connectors.ical.recurrence`,
Google and Outlook through their ``_entry``) builds every event inside :func:`build_or_skip`:
an event that cannot be built is left out with a warning naming the calendar, a hash of the
event's UID and the reason, and the pass goes on. The same event is warned about once per
process (the summary and the booking guard read the same calendar within seconds, and
``chief run`` reads it every few minutes); later skips are logged at debug level.

The reason names the property and the kind of fault, never a value: icalendar's own messages
quote the broken text (a ``SUMMARY`` could be a patient's name), so they are not passed on.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from typing import TypeVar

from icalendar.error import BrokenCalendarProperty

__all__ = ["EventSkipped", "build_or_skip", "skip_reason", "uid_hash", "warn_skipped"]

log = logging.getLogger(__name__)

T = TypeVar("T")
_BROKEN_NAME = re.compile(r"broken property '([A-Za-z0-9-]{1,40})'")
_KEY_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,40}")
_WARNED_MAX = 4096  # distinct skips remembered for "warn once"; beyond it, warned again
_warned: set[tuple[str, str, str]] = set()


class EventSkipped(Exception):
    """A reader's own verdict on one event; ``str()`` is the reason, written without values."""


def uid_hash(uid: object) -> str:
    """A short hash naming an event in a log line without showing its UID."""
    return hashlib.sha256(str(uid or "").encode("utf-8", "replace")).hexdigest()[:12]


def skip_reason(exc: BaseException) -> str:
    """Why an event could not be built, in words that carry no value from the calendar."""
    if isinstance(exc, EventSkipped):
        return str(exc)
    if isinstance(exc, BrokenCalendarProperty):
        found = _BROKEN_NAME.search(str(exc))
        return f"broken {found.group(1).upper()}" if found else "broken property"
    key = exc.args[0] if isinstance(exc, KeyError) and exc.args else None
    if isinstance(key, str) and _KEY_NAME.fullmatch(key):
        return f"missing `{key}`"
    return f"unreadable ({type(exc).__name__})"


def warn_skipped(label: str, uid: object, reason: str) -> None:
    """Log that the event ``uid`` of calendar ``label`` was left out: a warning the first time."""
    seen = (label, uid_hash(uid), reason)
    if seen in _warned:
        log.debug("calendar %s: event %s skipped again (%s)", label, seen[1], reason)
        return
    if len(_warned) >= _WARNED_MAX:
        _warned.clear()
    _warned.add(seen)
    log.warning("calendar %s: event %s skipped (%s)", label, seen[1], reason)


def build_or_skip(build: Callable[[], T], label: str, uid: object) -> T | None:
    """``build()``, or None (warned once) when the event it reads is broken in any way."""
    try:
        return build()
    except Exception as exc:  # a library edge case in one event never hides the others
        warn_skipped(label, uid, skip_reason(exc))
        return None
