"""Backing off from web APIs that throttle (Gmail, Google Calendar, Microsoft Graph).

One policy for every REST connector: retry 429 and 5xx answers (and whatever else a client
judges passing) with exponential backoff and jitter, never sooner than the server's
``Retry-After``, for at most :attr:`Retry.attempts` tries; then give up as the project's own
errors: :class:`bot.errors.RateLimited` when the service was throttling (nothing was lost: the
next sync goes on from the stored cursor), :class:`bot.errors.ConnectorError` otherwise.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.errors import ConnectorError, RateLimited

__all__ = ["RETRY_STATUS", "Backoff", "Retry", "retry_after"]

log = logging.getLogger(__name__)

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_MAX_BACKOFF_S = 64.0


@dataclass(frozen=True)
class Retry:
    """How long to keep trying a throttled or failing call."""

    attempts: int = 8
    base_s: float = 1.0
    max_wait_s: float = 300.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        step = min(_MAX_BACKOFF_S, self.base_s * 2**attempt)
        wait = step / 2 + random.uniform(0, step / 2)  # jitter: runs never retry in step
        return float(max(wait, retry_after or 0.0))


def retry_after(headers: Mapping[str, Any] | None) -> float | None:
    """Seconds to wait from ``Retry-After``, in seconds or as an HTTP-date (RFC 9110 10.2.3),
    whatever the header name's case (a Graph ``$batch`` part's headers are plain JSON)."""
    items: Iterable[tuple[Any, Any]] = (headers or {}).items()
    value = next((v for k, v in items if str(k).lower() == "retry-after"), None)
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        from email.utils import parsedate_to_datetime

        try:
            return max(0.0, parsedate_to_datetime(str(value)).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


class Backoff:
    """The waits of one client: :meth:`pause` sleeps before the next try, or gives up."""

    def __init__(self, retry: Retry, service: str, label: str, throttled: frozenset[int]) -> None:
        self.retry = retry
        self.service = service  # in messages: "Google", "Microsoft Graph"
        self.label = label  # in the log: "google gmail", "graph"
        self.throttled = throttled  # statuses that mean "slow down" (429; Google's 403 too)
        self.waited_s = 0.0
        self.retries = 0

    def pause(
        self, attempt: int, after: float | None, status: int, doing: str, parts: int = 1
    ) -> None:
        if attempt + 1 >= self.retry.attempts or (after or 0.0) > self.retry.max_wait_s:
            if status in self.throttled:
                raise RateLimited(
                    f"{self.service} is throttling chief while {doing} (HTTP {status}); nothing "
                    "was lost: the next sync goes on from here",
                    retry_after=after,
                )
            raise ConnectorError(
                f"{self.service} kept failing while {doing} (HTTP {status or 'no answer'}); "
                "the next sync tries again"
            )
        wait = self.retry.delay(attempt, after)
        log.info(
            "%s: HTTP %s while %s (%d part(s)); retrying in %.2f s",
            self.label,
            status or "no answer",
            doing,
            parts,
            wait,
        )
        self.waited_s += wait
        self.retries += 1
        time.sleep(wait)
