"""Reading Maildir++ folders incrementally, strictly read-only.

Files are opened for reading, never moved from ``new/`` to ``cur/`` and never re-flagged. A
PROVIDER ID is the unique name, prefixed ``Folder/`` outside INBOX. The CURSOR is
``{"v": 2, "folders": {folder: FolderMark}}``: per folder a ctime watermark held back by a
margin, the names read within the margin, and when the scan started
(:mod:`connectors.maildir.watermark`, which explains why a ctime alone misses mail after a
clock step). The inode change time is used, not mtime, because every delivery, rename or move
between folders sets it to "now" while mtime can be old (a message moved in from another
folder, an IMAP APPEND with an old INTERNALDATE). A folder is listed (``new/`` before
``cur/``, so a concurrent ``new -> cur`` move is seen at least once) and the files at or
after the watermark not read before are read oldest first, one at a time. A cursor of the
first format (``"v": 1``, a bare watermark) is taken over, lowered by the margin.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from bot.errors import CursorInvalid
from bot.mail.message import Limits, Message
from connectors.base import Batch, Cursor
from connectors.maildir.files import MaildirTree, NotAFile, open_regular, read_head
from connectors.maildir.watermark import SEEN_CAP, FolderMark, Now, stepped_back, system_now
from connectors.parsing import parse_or_report

__all__ = ["FolderReader"]

log = logging.getLogger(__name__)

_CURSOR_VERSION = 2
_Listing = Mapping[str, tuple[Path, int]]


class FolderReader:
    """Reads folders of one tree since a cursor, in batches. ``clock`` reads the wall and boot
    clocks (:func:`connectors.maildir.watermark.system_now`; tests step it)."""

    def __init__(
        self,
        tree: MaildirTree,
        limits: Limits,
        batch_size: int,
        cursor_slack_ns: int,
        clock: Callable[[], Now] = system_now,
    ) -> None:
        self.tree = tree
        self.limits = limits
        self.batch_size = batch_size
        self.margin_ns = cursor_slack_ns
        self.clock = clock

    def parse_cursor(self, cursor: Cursor | None) -> dict[str, FolderMark]:
        if cursor is None:
            return {}
        folders = cursor.get("folders") if isinstance(cursor, dict) else None
        if not isinstance(folders, dict) or not all(isinstance(k, str) for k in folders):
            raise CursorInvalid("Maildir cursor not understood; resyncing in full")
        if cursor.get("v") == 1 and all(isinstance(v, int) for v in folders.values()):
            return {k: FolderMark.from_version_1(v, self.margin_ns) for k, v in folders.items()}
        marks = {k: FolderMark.from_json(v) for k, v in folders.items()}
        if cursor.get("v") != _CURSOR_VERSION or any(v is None for v in marks.values()):
            raise CursorInvalid("Maildir cursor not understood; resyncing in full")
        return {k: v for k, v in marks.items() if v is not None}

    def estimate(self, folders: Sequence[str], cursor: Cursor | None) -> int | None:
        """How many messages a scan of ``folders`` from ``cursor`` would read."""
        try:
            marks = self.parse_cursor(cursor)
        except CursorInvalid:
            return None
        now = self.clock()
        total = 0
        for folder in folders:
            if self.tree.folder_dir(folder).is_dir():
                since, seen = _since(marks.get(folder), now, folder, quiet=True)
                listing = self.tree.listing(folder)
                total += len(_todo(listing, since, seen))
        return total

    def scan(
        self,
        folders: Sequence[str],
        cursor: Cursor | None,
        batch_size: int | None = None,
        by_folder: bool = False,
        missing: int = logging.WARNING,
    ) -> Iterator[tuple[str, Batch]]:
        """(folder, batch) for the messages of ``folders`` changed at or after ``cursor``.

        Each batch carries a cursor that is safe to store after its messages are logged; the
        last one (possibly empty) the cursor for the whole scan. ``by_folder`` ends a batch with
        each folder (always yielded, so every folder's batch names it); otherwise batches span
        folders. A folder that does not exist is logged at level ``missing`` and skipped.
        """
        size = batch_size or self.batch_size
        marks = self.parse_cursor(cursor)
        done: dict[str, FolderMark] = dict(marks)
        pending: list[Message] = []
        failed: list[tuple[str, str]] = []
        folder = ""
        for folder in folders:
            if not self.tree.folder_dir(folder).is_dir():
                log.log(missing, "maildir: folder %s not found; skipped", folder)
                continue
            now = self.clock()
            listing = self.tree.listing(folder)
            since, seen = _since(marks.get(folder), now, folder)
            todo = _todo(listing, since, seen)
            log.debug("maildir: folder %s: %d listed, %d to read", folder, len(listing), len(todo))
            read: set[str] = set()
            for ctime, unique, path in todo:
                item_id = self.tree.item_id(folder, unique)
                message = self._read(folder, unique, path, item_id, failed)
                if message is not None:
                    pending.append(message)
                read.add(unique)
                if len(pending) + len(failed) >= size:
                    mark = min(ctime, now.wall_ns)  # everything older is read
                    kept = _kept(listing, mark, seen | read)
                    done[folder] = FolderMark(mark, kept, now)
                    yield folder, Batch(tuple(pending), _cursor(done), tuple(failed))
                    pending, failed = [], []
            done[folder] = self._final(listing, now, seen | read)
            if by_folder:
                yield folder, Batch(tuple(pending), _cursor(done), tuple(failed))
                pending, failed = [], []
        if not by_folder:
            yield folder, Batch(tuple(pending), _cursor(done), tuple(failed))

    def _final(self, listing: _Listing, now: Now, read: frozenset[str]) -> FolderMark:
        """The folder's mark after a whole scan: the scan's start less the margin, with the
        names read above it; when more than :data:`SEEN_CAP` are, the mark rises to the
        newest ``SEEN_CAP`` of them (all older ones are read)."""
        mark = now.wall_ns - self.margin_ns
        recent = sorted(
            (c for u, (_, c) in listing.items() if c >= mark and u in read), reverse=True
        )
        if len(recent) > SEEN_CAP:
            mark = recent[SEEN_CAP - 1]
        return FolderMark(mark, _kept(listing, mark, read), now)

    def _read(
        self,
        folder: str,
        unique: str,
        path: Path,
        item_id: str,
        failed: list[tuple[str, str]],
    ) -> Message | None:
        """Parse one file (re-located if a client renamed it since the listing)."""
        try:
            raw, size = self._read_bytes(path)
            if raw is None:
                moved = self.tree.locate(folder, unique)
                raw, size = self._read_bytes(moved) if moved else (None, 0)
        except NotAFile:
            failed.append((item_id, "not a regular file"))
            return None
        except OSError as exc:
            failed.append((item_id, f"unreadable ({exc.__class__.__name__})"))
            return None
        if raw is None:
            log.debug("maildir: %s vanished before it could be read", item_id)
            return None
        return parse_or_report(item_id, raw, size, self.limits, failed, "maildir")

    def _read_bytes(self, path: Path) -> tuple[bytes | None, int]:
        """The file's bytes (headers only when over the size limit) and full size; ``None`` when
        it is gone."""
        try:
            fh, size = open_regular(path)
        except FileNotFoundError:
            return None, 0
        with fh:
            if size <= self.limits.max_message_bytes:
                return fh.read(), size
            return read_head(fh) + b"\n\n", size


def _since(
    before: FolderMark | None, now: Now, folder: str, quiet: bool = False
) -> tuple[int | None, frozenset[str]]:
    """(ctime from which files are read, or None for all; names already read) for a folder
    last read to ``before``, the watermark lowered by any step back of the clock since."""
    if before is None:
        return None, frozenset()
    back = stepped_back(before.at, now)
    level = logging.DEBUG if quiet else logging.WARNING
    if back is None:
        log.log(
            level,
            "maildir: the clock is behind the last scan of %s: the folder is read in full once"
            " (nothing is logged twice)",
            folder,
        )
        return None, before.seen
    if back:
        log.log(
            level,
            "maildir: the clock went back %d s since the last scan of %s",
            back // 10**9,
            folder,
        )
    return before.mark - back, before.seen


def _todo(
    listing: _Listing, since: int | None, seen: frozenset[str]
) -> list[tuple[int, str, Path]]:
    """(ctime, unique, path) of the files to read, oldest first."""
    return sorted(
        (ctime, unique, path)
        for unique, (path, ctime) in listing.items()
        if (since is None or ctime >= since) and unique not in seen
    )


def _kept(listing: _Listing, mark: int, read: set[str] | frozenset[str]) -> frozenset[str]:
    """The names read that are at or above ``mark``: those a cursor at ``mark`` must carry."""
    return frozenset(u for u, (_, ctime) in listing.items() if ctime >= mark and u in read)


def _cursor(marks: Mapping[str, FolderMark]) -> Cursor:
    return {"v": _CURSOR_VERSION, "folders": {k: v.to_json() for k, v in marks.items()}}
