"""Crash injection for tests, in the spirit of mbsync's journal limit.

With ``CHIEF_CRASH_AFTER=N`` in the environment, the process exits abruptly (``os._exit``, no
clean-up, no flush) right after its Nth durable step: a database commit or a remote write.
Unset, :func:`step` costs one dictionary lookup.
"""

from __future__ import annotations

import os

__all__ = ["CRASH_ENV", "EXIT_CODE", "step"]

CRASH_ENV = "CHIEF_CRASH_AFTER"
EXIT_CODE = 77
_count = 0


def step(name: str) -> None:
    global _count
    limit = os.environ.get(CRASH_ENV)
    if not limit:
        return
    _count += 1
    if _count >= int(limit):
        os.write(2, f"crash injected after step {_count} ({name})\n".encode())
        os._exit(EXIT_CODE)
