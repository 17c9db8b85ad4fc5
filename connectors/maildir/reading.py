"""Reading Maildir++ folders incrementally, strictly read-only.

Files are opened for reading, never moved from ``new/`` to ``cur/`` and never re-flagged. A
PROVIDER ID is the unique name, prefixed ``Folder/`` outside INBOX. The CURSOR is
``{"v": 1, "folders": {folder: ctime_ns watermark}}``. The inode change time is used, not mtime,
because every delivery, rename or move between folders sets it to "now" while mtime can be old
(a message moved in from another folder, an IMAP APPEND with an old INTERNALDATE). A folder is
listed (``new/`` before ``cur/``, so a concurrent ``new -> cur`` move is seen at least once),
files at or after the watermark are read oldest first, one at a time, and the next watermark is
``min(scan start, newest ctime seen) - 2 s``: overlap is re-read (the pipeline dedupes by
message key), nothing is missed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from bot.errors import CursorInvalid
from bot.mail.message import Limits, Message
from connectors.base import Batch, Cursor
from connectors.maildir.files import MaildirTree, NotAFile, open_regular, read_head
from connectors.parsing import parse_or_report

__all__ = ["FolderReader"]

log = logging.getLogger(__name__)

_CURSOR_VERSION = 1


class FolderReader:
    """Reads folders of one tree since a cursor, in batches."""

    def __init__(
        self, tree: MaildirTree, limits: Limits, batch_size: int, cursor_slack_ns: int
    ) -> None:
        self.tree = tree
        self.limits = limits
        self.batch_size = batch_size
        self.cursor_slack_ns = cursor_slack_ns

    @staticmethod
    def parse_cursor(cursor: Cursor | None) -> dict[str, int]:
        if cursor is None:
            return {}
        if not isinstance(cursor, dict):
            raise CursorInvalid("Maildir cursor not understood; resyncing in full")
        folders = cursor.get("folders")
        if (
            cursor.get("v") != _CURSOR_VERSION
            or not isinstance(folders, dict)
            or not all(isinstance(k, str) and isinstance(v, int) for k, v in folders.items())
        ):
            raise CursorInvalid("Maildir cursor not understood; resyncing in full")
        return dict(folders)

    def estimate(self, folders: Sequence[str], cursor: Cursor | None) -> int | None:
        """How many messages a scan of ``folders`` from ``cursor`` would read."""
        try:
            marks = self.parse_cursor(cursor)
        except CursorInvalid:
            return None
        total = 0
        for folder in folders:
            if self.tree.folder_dir(folder).is_dir():
                since = marks.get(folder)
                listing = self.tree.listing(folder).values()
                total += sum(1 for _, ctime in listing if since is None or ctime >= since)
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
        done = dict(marks)
        pending: list[Message] = []
        failed: list[tuple[str, str]] = []
        folder = ""
        for folder in folders:
            if not self.tree.folder_dir(folder).is_dir():
                log.log(missing, "maildir: folder %s not found; skipped", folder)
                continue
            started = time.time_ns()
            listing = self.tree.listing(folder)
            newest = max((c for _, c in listing.values()), default=started)
            since = marks.get(folder)
            final_mark = min(started, newest) - self.cursor_slack_ns
            if since is not None:  # never move back (the newest file may have been deleted)
                final_mark = max(final_mark, since)
            todo = sorted(
                (
                    (ctime, unique, path)
                    for unique, (path, ctime) in listing.items()
                    if since is None or ctime >= since
                ),
                key=lambda item: (item[0], item[1]),
            )
            log.debug("maildir: folder %s: %d listed, %d to read", folder, len(listing), len(todo))
            for ctime, unique, path in todo:
                item_id = self.tree.item_id(folder, unique)
                message = self._read(folder, unique, path, item_id, failed)
                if message is not None:
                    pending.append(message)
                if len(pending) + len(failed) >= size:
                    mark = {**done, folder: min(ctime, final_mark)}
                    yield folder, Batch(tuple(pending), _cursor(mark), tuple(failed))
                    pending, failed = [], []
            done[folder] = final_mark
            if by_folder:
                yield folder, Batch(tuple(pending), _cursor(done), tuple(failed))
                pending, failed = [], []
        if not by_folder:
            yield folder, Batch(tuple(pending), _cursor(done), tuple(failed))

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


def _cursor(marks: dict[str, int]) -> Cursor:
    return {"v": _CURSOR_VERSION, "folders": dict(marks)}
