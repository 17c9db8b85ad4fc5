"""Times read back from the case log: every time is stored in UTC, and SQLite hands them back
without a zone; :func:`stored_utc` gives them their zone again."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["stored_utc"]


def stored_utc(moment: datetime) -> datetime:
    """``moment`` as stored in the case log, in UTC (a naive value from SQLite is UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
