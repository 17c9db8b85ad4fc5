"""Times read back from the case log: every time is stored in UTC, and SQLite hands them back
without a zone; :func:`stored_utc` gives them their zone again."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload

__all__ = ["sent_order", "stored_utc"]


@overload
def stored_utc(moment: datetime) -> datetime: ...
@overload
def stored_utc(moment: None) -> None: ...
@overload
def stored_utc(moment: datetime | None) -> datetime | None: ...


def stored_utc(moment: datetime | None) -> datetime | None:
    """``moment`` as stored in the case log, in UTC (a naive value from SQLite is UTC);
    None (a time never set) stays None."""
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def sent_order(moment: datetime | None) -> float:
    """A sort key putting moments in time order (naive ones read as UTC), those without one
    last; a stable sort keeps equal ones as listed."""
    return stored_utc(moment).timestamp() if moment is not None else float("inf")
