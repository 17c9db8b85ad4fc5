"""Reading IMAP folders incrementally, strictly read-only (RFC 3501 / RFC 9051).

Each folder is opened with EXAMINE, never SELECT, and bodies are fetched with
``BODY.PEEK[]<0.N>``, so nothing is marked \\Seen and no flag is touched. Per folder:

1. EXAMINE: UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ (RFC 7162 CONDSTORE, enabled at sign-in).
   Same UIDVALIDITY and UIDNEXT not past the highest UID read: nothing new, nothing fetched,
   nothing yielded. With an open connection a no-change sync is this one round trip.
2. Otherwise ``UID SEARCH UID a:b`` (in windows of 10,000 UIDs, so memory never grows with the
   mailbox), then, ``batch_size`` UIDs at a time, two rounds of ``UID FETCH``
   (:mod:`connectors.imap.parse`): ``RFC822.SIZE``, ``BODYSTRUCTURE`` and the headers a
   Message needs; then only the text and calendar parts, as ``BODY.PEEK[section]<0.N>``
   (at most ``max_body_bytes`` of a part). Attachments are never downloaded. Each batch is
   parsed and yielded as one :class:`~connectors.base.Batch` whose cursor is that batch's
   highest UID, so a crash mid-sync resumes after the last batch the pipeline committed.
   The next batch is fetched on a worker thread while the pipeline works on this one
   (:mod:`connectors.prefetch`); the connection's lock keeps each command whole.
3. A different UIDVALIDITY (the folder was recreated, or the server rebuilt its index) is
   logged at INFO and the folder is read again from the start.

The same reader serves the watched folders, the sent folder and the correction folders, each
with a cursor of its own.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from bot.errors import ConnectorError, CursorInvalid, RemoteGone
from bot.mail.message import Limits
from connectors.base import Batch, Cursor
from connectors.imap.connection import Budget, Connection
from connectors.imap.cursor import FolderMark, dump_cursor, parse_cursor
from connectors.imap.parse import (
    SURVEY_ITEMS,
    Surveyed,
    build,
    section_groups,
    section_items,
    survey,
)
from connectors.imap.session import FolderStatus, ImapSession
from connectors.prefetch import prefetched

__all__ = ["FolderReader"]

log = logging.getLogger(__name__)

_SEARCH_WINDOW = 10_000  # UIDs per UID SEARCH: memory stays flat however big the folder
_FRESH_S = 1.0  # estimate()'s EXAMINE, handed to the read() that follows at once


class _ValidityChanged(Exception):
    """UIDVALIDITY changed while a folder was being read."""


class FolderReader:
    """Reads folders over one connection since a cursor, in batches."""

    def __init__(
        self, link: Connection, limits: Limits, batch_size: int, max_body_bytes: int
    ) -> None:
        self.link = link
        self.limits = limits
        self.batch_size = batch_size
        self.max_body_bytes = max_body_bytes
        self.seen_uidnext: dict[str, int] = {}  # folder -> UIDNEXT when last read
        self._estimated: dict[str, tuple[ImapSession, FolderStatus, float]] = {}

    def estimate(self, folders: Sequence[str], cursor: Cursor | None) -> int | None:
        """At most how many messages a read of ``folders`` from ``cursor`` fetches."""
        try:
            marks = parse_cursor(cursor)
        except CursorInvalid:
            marks = {}
        total, budget = 0, Budget()
        for folder in folders:
            status = self.link.attempt(budget, ImapSession.examine, folder)
            if status is None:
                continue
            self._estimated[folder] = (self.link.session(), status, time.monotonic())
            mark = marks.get(folder)
            if mark and mark.uidvalidity == status.uidvalidity and status.uidnext is not None:
                total += max(0, status.uidnext - 1 - mark.last_uid)
            else:
                total += status.exists
        return total

    def read(
        self, folders: Sequence[str], cursor: Cursor | None, missing: int = logging.WARNING
    ) -> Iterator[tuple[str, Batch]]:
        """(folder, batch) for the messages of ``folders`` that arrived after ``cursor`` (all
        when ``None``); every batch's cursor covers all of ``folders``. A folder the server
        does not have is logged at level ``missing`` and skipped.

        Raises :class:`~bot.errors.CursorInvalid` (before yielding) for a cursor of another
        shape; nothing is yielded when no folder changed.
        """
        marks = parse_cursor(cursor)
        budget = Budget()
        for position, folder in enumerate(folders):
            if position:  # estimate()'s view of later folders is not "just before" any more
                self._estimated.pop(folder, None)
            for _ in range(3):
                try:
                    for batch in self._folder_changes(folder, marks, budget, missing):
                        yield folder, batch
                    break
                except _ValidityChanged:
                    log.info("imap: folder %s: UIDVALIDITY changed mid-sync; rereading", folder)
                    marks.pop(folder, None)
            else:
                raise ConnectorError(
                    f"folder {folder!r} keeps changing its UIDVALIDITY; try again later"
                )

    def _folder_changes(
        self, folder: str, marks: dict[str, FolderMark], budget: Budget, missing: int
    ) -> Iterator[Batch]:
        status = self.link.attempt(budget, self._status, folder)
        if status is None:
            log.log(missing, "imap: folder %s not found on the server; skipped", folder)
            return
        if status.uidnext is not None:
            self.seen_uidnext[folder] = status.uidnext
        mark = marks.get(folder)
        if mark is not None and mark.uidvalidity != status.uidvalidity:
            log.info(
                "imap: folder %s: UIDVALIDITY changed (%d -> %d); reading it again in full "
                "(messages already logged are not logged twice)",
                folder,
                mark.uidvalidity,
                status.uidvalidity,
            )
            mark = None
        last = mark.last_uid if mark else 0
        end = status.uidnext - 1 if status.uidnext is not None else None
        if mark is not None and end is not None and end <= last:
            if mark.modseq != status.highestmodseq:  # flags or expunges only: nothing to read
                marks[folder] = replace(mark, modseq=status.highestmodseq)
                yield Batch((), dump_cursor(marks))
            return
        validity, top = status.uidvalidity, last
        reads = prefetched(self._reads(folder, validity, last, end, budget), "chief-imap-fetch")
        for chunk, final, (surveyed, parts) in reads:
            messages, failed = build(folder, validity, surveyed, parts, self.limits)
            del surveyed, parts
            top = max(chunk[-1], end or 0) if final else chunk[-1]
            marks[folder] = FolderMark(validity, top, status.highestmodseq if final else None)
            yield Batch(tuple(messages), dump_cursor(marks), tuple(failed))
            if final:
                return
        # The last window held nothing (expunged, or an empty folder): close the folder.
        marks[folder] = FolderMark(validity, max(top, end or 0), status.highestmodseq)
        yield Batch((), dump_cursor(marks))

    def _reads(
        self, folder: str, validity: int, last: int, end: int | None, budget: Budget
    ) -> Iterator[tuple[list[int], bool, tuple[list[Surveyed], dict[int, dict[bytes, Any]]]]]:
        """(UIDs, last batch of the folder?, what was fetched) per batch after ``last``: the
        network side of a folder's sync, run one batch ahead by :func:`prefetched`."""
        lo = last + 1
        while end is None or lo <= end:
            hi = None if end is None else min(end, lo + _SEARCH_WINDOW - 1)
            uids = self.link.attempt(budget, self._search, folder, validity, lo, hi)
            last_window = hi is None or hi == end
            for start in range(0, len(uids), self.batch_size):
                chunk = uids[start : start + self.batch_size]
                final = last_window and start + self.batch_size >= len(uids)
                yield chunk, final, self.link.attempt(budget, self._fetch, folder, validity, chunk)
                if final:
                    return
            if hi is None:
                return
            lo = hi + 1

    def _status(self, session: ImapSession, folder: str) -> FolderStatus | None:
        """EXAMINE ``folder``, unless :meth:`estimate` did so just before this sync (its
        answer is used once: a later sync always asks the server again)."""
        handed = self._estimated.pop(folder, None)
        if handed is not None:
            owner, status, at = handed
            fresh = time.monotonic() - at < _FRESH_S
            if owner is session and session.selected == folder and fresh:
                return status
        return session.examine(folder)

    def _enter(self, session: ImapSession, folder: str, validity: int) -> None:
        """Make ``folder`` the selected one again (a draft search may have moved away)."""
        if session.selected == folder:
            return
        status = session.examine(folder)
        if status is None:
            raise RemoteGone(f"folder {folder!r} disappeared from the server during the sync")
        if status.uidvalidity != validity:
            raise _ValidityChanged

    def _search(
        self, session: ImapSession, folder: str, validity: int, lo: int, hi: int | None
    ) -> list[int]:
        self._enter(session, folder, validity)
        found = session.uid_search(["UID", f"{lo}:{'*' if hi is None else hi}"])
        # "n:*" always matches the highest UID, even one below n (RFC 3501 6.4.8).
        return [uid for uid in found if uid >= lo and (hi is None or uid <= hi)]

    def _fetch(
        self, session: ImapSession, folder: str, validity: int, uids: list[int]
    ) -> tuple[list[Surveyed], dict[int, dict[bytes, Any]]]:
        """The two FETCH rounds of one batch: structures and headers, then the parts read."""
        self._enter(session, folder, validity)
        first = session.uid_fetch(uids, SURVEY_ITEMS)
        surveyed = survey(uids, first, self.limits, self.max_body_bytes)
        del first
        parts: dict[int, dict[bytes, Any]] = {}
        for sections, group in section_groups(surveyed).items():
            parts.update(session.uid_fetch(group, section_items(sections)))
        return surveyed, parts
