"""Crash injection for tests, in the spirit of mbsync's journal limit.

With ``CHIEF_CRASH_AFTER=N`` in the environment, the process exits abruptly (``os._exit``, no
clean-up, no flush) right after its Nth durable step: a database commit, a remote write (a
draft appended, calendar entries stored, the summary delivered) or a file appended. Unset,
:func:`step` costs two dictionary lookups.

``CHIEF_CRASH_AFTER=NAME:N`` counts only the steps called NAME (``draft.remote:1``: right
after the first draft is written, before it is recorded), so a test aimed at one gap does not
depend on how many other steps come before it.

With ``CHIEF_CRASH_TRACE=PATH`` each step is also appended to PATH as ``N name``, so a test can
run once to completion, learn how many steps there are and what they are, then kill a run at
each of them (or at a sample). Step names are fixed words, never data from a message.

Every durable step of a pass calls :func:`step` once, after the write it names:

- ``practice.commit`` (first run only), ``mailbox.commit``: the practice's and mailbox's rows;
- ``labels.commit``: category labels put on a batch's messages, then recorded;
- ``batch.commit``: a batch of messages, their cases, planned actions and the new cursor;
- ``draft.remote`` / ``draft.commit``: a draft written, then recorded as written;
- ``calendar.remote`` / ``calendar.commit``: planned calendar entries written, then recorded;
- ``reminders.commit``, ``chases.commit``: credential reminders and booking chases planned;
- ``checklists.commit``: renewal checklists journalled as drafts (written as ``draft.*``);
- ``report.journal``, ``report.delete``, ``report.remote``, ``report.commit``: a report a new
  note updated, its replacement journalled, chief's old draft removed, the new version
  written, then recorded (bot/sync/revising.py, bot/features/note_reports.py);
- ``corrections.commit``, ``withdraw.*``, ``party.*``, ``undo.commit``, ``return.remote`` /
  ``return.commit``: corrections refiled, their drafts withdrawn and parties written, an undo
  committed and its message moved back, then recorded (bot/sync/correction_mail.py);
- ``summary.copy``, ``summary.remote``, ``summary.commit``: the daily summary's copy written,
  delivered, recorded with the research digest it carried.
"""

from __future__ import annotations

import os
from collections import Counter

__all__ = ["CRASH_ENV", "EXIT_CODE", "TRACE_ENV", "point", "reset", "step"]

CRASH_ENV = "CHIEF_CRASH_AFTER"
TRACE_ENV = "CHIEF_CRASH_TRACE"
EXIT_CODE = 77
_count = 0
_by_name: Counter[str] = Counter()


def _reached(limit: str, name: str) -> bool:
    wanted, sep, nth = limit.rpartition(":")
    if not sep:
        return _count >= int(limit)
    return wanted == name and _by_name[name] >= int(nth)


def step(name: str) -> None:
    """Count one durable step; exit the process at once if it is the one asked for."""
    global _count
    limit = os.environ.get(CRASH_ENV)
    trace = os.environ.get(TRACE_ENV)
    if not limit and not trace:
        return
    _count += 1
    _by_name[name] += 1
    if trace:
        # O_APPEND and one write per line: lines from one process stay whole and in order.
        fd = os.open(trace, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, f"{_count} {name}\n".encode())
        finally:
            os.close(fd)
    if limit and _reached(limit, name):
        os.write(2, f"crash injected after step {_count} ({name})\n".encode())
        os._exit(EXIT_CODE)


def point(name: str) -> None:
    """A fine-grained crash point (each statement of a migration), reached only by its name
    (``CHIEF_CRASH_AFTER=name:n``): numbered sweeps and traces never see it, so adding such
    points does not multiply every crash-point test."""
    limit = os.environ.get(CRASH_ENV)
    if not limit or limit.rpartition(":")[0] != name:
        return
    _by_name[name] += 1
    if _reached(limit, name):
        os.write(2, f"crash injected at {name} #{_by_name[name]}\n".encode())
        os._exit(EXIT_CODE)


def reset() -> None:
    """Start counting from zero again (a test harness that runs several passes in one
    process, each with its own limit)."""
    global _count
    _count = 0
    _by_name.clear()
