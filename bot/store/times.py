"""Times read back from the case log: every time is stored in UTC, and SQLite hands them back
without a zone; :func:`stored_utc` gives them their zone again."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload

__all__ = ["stored_utc"]


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
