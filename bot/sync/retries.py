"""Failed remote writes: tried once per pass, again on later passes after a growing wait.

Terms
-----
JOURNAL ROW
    A draft, calendar entry or label write in the case log (``bot.store.models``), planned
    before its remote write. One that failed has state ``failed``, ``attempts`` (how many
    passes tried it), ``next_try`` (not before) and ``error`` (why, without content).
PASS
    One ``chief sync`` (or one renewals job): effects are applied after every batch of mail
    and again at the end, but a row that failed during a pass is not tried again in it, so a
    Drafts folder that refuses 87 drafts costs 87 attempts, not 87 per batch.
BACKOFF
    After its first failure a row is tried again by the next pass; after the n-th (n ≥ 2) it
    waits ``min(2**(n-2) minutes, 12 hours)``: a write that keeps failing is tried less and
    less often, never given up on. It stays in the daily summary until it is
    written or the practitioner dismisses it (``chief effects dismiss``: state
    ``dismissed``).
FAILURE LINE
    :class:`Failures` counts failures by kind and reason (an exception's class), so a sync
    reports one line per kind ("87 drafts not written (ConnectorError: ...)"), not one per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.store.times import stored_utc

__all__ = [
    "FAILED",
    "MAX_WAIT",
    "Failures",
    "Retryable",
    "due",
    "record_failure",
    "record_success",
    "retry_wait",
]

FAILED = "failed"
MAX_WAIT = timedelta(hours=12)


class Retryable(Protocol):
    """A journal row as this module sees it."""

    state: str
    attempts: int
    next_try: datetime | None
    error: str | None


def retry_wait(attempts: int) -> timedelta:
    """How long a row waits after its ``attempts``-th failed attempt (BACKOFF)."""
    if attempts <= 1:
        return timedelta(0)  # the next pass tries again (a server restarting, a manual rerun)
    return min(timedelta(minutes=2 ** min(attempts - 2, 20)), MAX_WAIT)


def due(row: Retryable, now: datetime, since: datetime | None) -> bool:
    """Whether a failed ``row`` is to be tried now: its wait is over, and it did not fail
    during the pass that began at ``since`` (PASS). A row never tried is always due."""
    if row.attempts <= 0 or row.next_try is None:
        return True
    next_try = stored_utc(row.next_try)
    if next_try > now:
        return False
    last_failure = next_try - retry_wait(row.attempts)
    return since is None or last_failure < since


def record_failure(row: Retryable, now: datetime, error: str) -> None:
    """Mark ``row`` failed once more: ``error`` (no content: a class and a message the
    project wrote), one more attempt, the next try after the BACKOFF."""
    row.state = FAILED
    row.attempts = (row.attempts or 0) + 1
    # In UTC: SQLite keeps no zone, and a naive value read back is taken as UTC (stored_utc).
    row.next_try = now.astimezone(UTC) + retry_wait(row.attempts)
    row.error = error[:300]


def record_success(row: Retryable) -> None:
    """Forget a row's failures once its write succeeded."""
    row.attempts, row.next_try, row.error = 0, None, None


@dataclass
class Failures:
    """Failures of one pass, by kind ("draft", "draft template", "calendar", "labels",
    "correction"...) and reason: the lines a sync prints (FAILURE LINE)."""

    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    examples: dict[tuple[str, str], str] = field(default_factory=dict)

    def add(self, kind: str, exc: BaseException, count: int = 1) -> str:
        """Count ``count`` failures of ``kind`` for ``exc``; returns the row's error text."""
        reason = type(exc).__name__
        text = f"{reason}: {exc}"[:300]
        self.counts[(kind, reason)] = self.counts.get((kind, reason), 0) + count
        self.examples.setdefault((kind, reason), text)
        return text

    def merge(self, other: Failures) -> None:
        for pair, count in other.counts.items():
            self.counts[pair] = self.counts.get(pair, 0) + count
            self.examples.setdefault(pair, other.examples[pair])

    def __bool__(self) -> bool:
        return bool(self.counts)

    def lines(self) -> list[str]:
        """One line per kind and reason, e.g. ``3 draft(s) not written, tried again on the
        next sync: ConnectorError: Drafts folder not available``."""
        return [
            f"{count} {_NOUNS.get(kind, kind + ' not written')}, tried again on a later sync: "
            f"{self.examples[(kind, reason)]}"
            for (kind, reason), count in sorted(self.counts.items())
        ]


_NOUNS = {
    "draft": "draft(s) not written",
    "draft template": "draft(s) whose template failed not written",
    "calendar": "calendar entr(ies) not written",
    "labels": "category label(s) not written",
    "correction": "correction(s) not refiled",
    "correction return": "undone correction(s) whose message was not moved back",
    "correction folders": "correction folder(s) not made or read",
}
