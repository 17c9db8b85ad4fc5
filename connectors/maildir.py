"""Maildir++ on local disk: the embedded default mailbox (no account, no server).

Layout (Maildir, https://cr.yp.to/proto/maildir.html; Maildir++ folders as in Courier and
Dovecot): the root holds INBOX (``cur/ new/ tmp/``); a folder ``Drafts`` is the directory
``.Drafts`` with the same three subdirectories and an empty ``maildirfolder`` file; nested folders
use dots (``.Archive.2024``). A message file is named ``UNIQUE`` in ``new/`` and
``UNIQUE:2,FLAGS`` in ``cur/``; the unique part is stable while clients rename for flags.

Reading is strictly read-only: files are opened for reading, never moved from ``new/`` to
``cur/`` and never re-flagged. A PROVIDER ID is the unique name, prefixed ``Folder/`` outside
INBOX. The CURSOR is ``{"v": 1, "folders": {folder: ctime_ns watermark}}``. The inode change
time is used, not mtime, because every delivery, rename or move between folders sets it to "now"
while mtime can be old (a message moved in from another folder, an IMAP APPEND with an old
INTERNALDATE). A folder is listed (``new/`` before ``cur/``, so a concurrent ``new -> cur`` move
is seen at least once), files at or after the watermark are read oldest first, one at a time, and
the next watermark is ``min(scan start, newest ctime seen) - 2 s``: overlap is re-read (the
pipeline dedupes by message key), nothing is missed. Messages carrying ``X-Chief-Generated``
(our own summaries, delivered to INBOX, and drafts, in Drafts) are skipped.

Writing (drafts, the summary) is exactly-once per IDEMPOTENCY KEY: the file's unique name is
``chief-`` + SHA-256(key)[:32]; it is written to ``tmp/``, fsynced, then hard-linked into place
(``link`` fails if the name exists, so a repeated key can never create a second file) and the
directory fsynced. Before writing, the key is looked up by that unique name and by the
``X-Chief-Key`` header in every folder (headers only, indexed once per instance), so a draft
the user re-flagged, moved or re-saved is found instead of written again.
"""

from __future__ import annotations

import email.parser
import email.policy
import email.utils
import errno
import hashlib
import io
import logging
import mailbox
import os
import re
import secrets
import stat
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, ClassVar

from bot.errors import CursorInvalid, RemoteGone, UserError
from bot.keys import check_key, key_hash
from bot.mail.message import KEY_HEADER, Limits, Message
from connectors.base import Batch, Cursor, OutgoingDraft
from connectors.parsing import parse_or_report
from connectors.recipients import require_practitioner_only

__all__ = ["MaildirConnector"]

log = logging.getLogger(__name__)

INBOX = "INBOX"
_CURSOR_VERSION = 1
_HEAD_LIMIT = 256 * 1024  # header block read when indexing keys
_STALE_TMP_S = 36 * 3600  # Maildir: tmp files untouched for 36 hours may be removed
_SUBDIRS = ("new", "cur")
_FOLDER_RE = re.compile(r"[^/\\\x00-\x1f.][^/\\\x00-\x1f]{0,200}")


class MaildirConnector:
    """Mail source, draft sink and summary sender over a local Maildir++ tree."""

    # The cursor resumes; None means full. (No provider thread ids: replies are threaded by
    # headers.) Reading never alters the user's files; delivery goes to INBOX, practitioner only.
    supports_incremental: ClassVar[bool] = True

    def __init__(
        self,
        path: Path,
        drafts_folder: str = "Drafts",
        watch: Sequence[str] = (INBOX,),
        practitioner_address: str | None = None,
        batch_size: int = 200,
        limits: Limits | None = None,
        cursor_slack_s: float = 2.0,
    ) -> None:
        self.path = Path(path).expanduser()
        for folder in (drafts_folder, *watch):
            if folder != INBOX and not _FOLDER_RE.fullmatch(folder):
                raise UserError(f"invalid Maildir folder name in [mail] of chief.toml: {folder!r}")
        if batch_size < 1:
            raise UserError("`batch_size` in [mail] of chief.toml must be at least 1")
        self.drafts_folder = drafts_folder
        self.watch = tuple(dict.fromkeys(watch))
        self.practitioner_address = (practitioner_address or "").strip().lower() or None
        self.batch_size = batch_size
        self.limits = limits or Limits()
        self.cursor_slack_ns = int(cursor_slack_s * 1e9)
        self._key_index: dict[str, tuple[str, str]] = {}  # key -> (folder, unique)
        self._indexed: set[tuple[str, str]] = set()

    # --- layout ---------------------------------------------------------------------------

    def _folder_dir(self, folder: str) -> Path:
        return self.path if folder == INBOX else self.path / f".{folder}"

    def _ensure_folder(self, folder: str) -> Path:
        """Create the root and ``folder`` (Maildir++: ``.Name`` + ``maildirfolder``) if missing."""
        root = mailbox.Maildir(self.path, create=True)
        base = self._folder_dir(folder)
        if folder != INBOX and not base.is_dir():
            root.add_folder(folder)
        for sub in ("tmp", "new", "cur"):
            (base / sub).mkdir(mode=0o700, exist_ok=True)
        return base

    def _all_folders(self) -> list[str]:
        if not self.path.is_dir():
            return []
        try:
            subfolders = mailbox.Maildir(self.path, create=False).list_folders()
        except (OSError, mailbox.Error):
            subfolders = []
        return [INBOX, *sorted(subfolders)]

    @staticmethod
    def _unique(filename: str) -> str:
        return filename.split(mailbox.Maildir.colon, 1)[0]

    @staticmethod
    def _item_id(folder: str, unique: str) -> str:
        return unique if folder == INBOX else f"{folder}/{unique}"

    def _listing(self, folder: str) -> dict[str, tuple[Path, int]]:
        """unique name -> (path, ctime_ns) for ``new/`` then ``cur/`` (``cur/`` wins)."""
        base = self._folder_dir(folder)
        found: dict[str, tuple[Path, int]] = {}
        for sub in _SUBDIRS:
            try:
                entries = os.scandir(base / sub)
            except FileNotFoundError:
                continue
            with entries:
                for entry in entries:
                    if entry.name.startswith("."):
                        continue
                    try:
                        st = entry.stat(follow_symlinks=False)
                    except FileNotFoundError:
                        continue  # moved while listing: its new ctime brings it back next time
                    # Anything but a directory is listed: a symlink or device is reported as
                    # failed when read, never silently dropped.
                    if not entry.is_dir(follow_symlinks=False):
                        found[self._unique(entry.name)] = (Path(entry.path), st.st_ctime_ns)
        return found

    def _locate(self, folder: str, unique: str) -> Path | None:
        base = self._folder_dir(folder)
        prefix = unique + mailbox.Maildir.colon
        for sub in ("cur", "new"):
            try:
                names = os.listdir(base / sub)
            except FileNotFoundError:
                continue
            for name in names:
                if name == unique or name.startswith(prefix):
                    return base / sub / name
        return None

    # --- MailSource -----------------------------------------------------------------------

    def _parse_cursor(self, cursor: Cursor | None) -> dict[str, int]:
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

    def estimate(self, cursor: Cursor | None) -> int | None:
        """How many messages ``changes(cursor)`` would read: a progress bar's total."""
        try:
            marks = self._parse_cursor(cursor)
        except CursorInvalid:
            return None
        total = 0
        for folder in self.watch:
            if self._folder_dir(folder).is_dir():
                since = marks.get(folder)
                listing = self._listing(folder).values()
                total += sum(1 for _, ctime in listing if since is None or ctime >= since)
        return total

    def changes(self, cursor: Cursor | None, batch_size: int | None = None) -> Iterator[Batch]:
        """Yield batches of messages changed at or after ``cursor`` (all when ``None``).

        The last batch (possibly empty) carries the cursor for the whole scan; each earlier
        batch carries a cursor that is safe to store after its messages are logged.
        """
        if not (self.path / "cur").is_dir() and not (self.path / "new").is_dir():
            raise RemoteGone(
                f"no Maildir at the configured path; check `path` in [mail] "
                f"of chief.toml ({self.path.name})"
            )
        size = batch_size or self.batch_size
        marks = self._parse_cursor(cursor)
        done = dict(marks)
        pending: list[Message] = []
        failed: list[tuple[str, str]] = []
        for folder in self.watch:
            if not self._folder_dir(folder).is_dir():
                log.warning("maildir: watched folder %s not found; skipped", folder)
                continue
            started = time.time_ns()
            listing = self._listing(folder)
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
                item_id = self._item_id(folder, unique)
                message = self._read(folder, unique, path, item_id, failed)
                if message is not None:
                    pending.append(message)
                if len(pending) + len(failed) >= size:
                    mark = {**done, folder: min(ctime, final_mark)}
                    yield Batch(
                        tuple(pending), {"v": _CURSOR_VERSION, "folders": mark}, tuple(failed)
                    )
                    pending, failed = [], []
            done[folder] = final_mark
        yield Batch(tuple(pending), {"v": _CURSOR_VERSION, "folders": done}, tuple(failed))

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
                moved = self._locate(folder, unique)
                raw, size = self._read_bytes(moved) if moved else (None, 0)
        except _NotAFile:
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
            fh, size = _open_regular(path)
        except FileNotFoundError:
            return None, 0
        with fh:
            if size <= self.limits.max_message_bytes:
                return fh.read(), size
            return _read_head(fh) + b"\n\n", size

    # --- writing ---------------------------------------------------------------------------

    @staticmethod
    def _unique_for(key: str) -> str:
        return "chief-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]

    def _deliver(self, folder: str, raw: bytes, key: str, info: str) -> str:
        """Write ``raw`` once into ``folder`` (``info``: "" for new/, "2,DS" for cur/)."""
        check_key(key)
        found = self._find_by_key(key, prefer=folder)
        if found is not None:
            log.debug("maildir: key %s already present as %s", key_hash(key), found)
            return found
        base = self._ensure_folder(folder)
        unique = self._unique_for(key)
        raw = _with_key_header(raw.replace(b"\r\n", b"\n"), key)
        tmp = base / "tmp" / f"{unique}.{os.getpid()}.{secrets.token_hex(4)}"
        target = (
            base
            / ("cur" if info else "new")
            / (f"{unique}{mailbox.Maildir.colon}{info}" if info else unique)
        )
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(raw)
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.link(tmp, target)
            except FileExistsError:
                log.debug("maildir: %s existed already (concurrent write)", target.name)
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
                    raise
                # No hard links on this file system (some FUSE/SMB mounts): rename instead;
                # only a concurrent writer of the very same key could race the check.
                if not target.exists():
                    os.rename(tmp, target)
            _fsync_dir(target.parent)
        finally:
            tmp.unlink(missing_ok=True)
        self._clean_tmp(base / "tmp")
        item_id = self._item_id(folder, unique)
        self._key_index[key] = (folder, unique)
        self._indexed.add((folder, unique))
        return item_id

    def create_draft(self, draft: OutgoingDraft) -> str:
        """Store ``draft`` in the Drafts folder's ``cur/`` flagged Draft+Seen; return its id."""
        return self._deliver(self.drafts_folder, draft.raw, draft.key, "2,DS")

    def find_draft(self, key: str) -> str | None:
        """The id of the message carrying ``key``, wherever the user moved or re-flagged it."""
        return self._find_by_key(key, prefer=self.drafts_folder)

    def draft_link(self, remote_id: str) -> str | None:
        """A ``file://`` URI of the draft's file (``bot.summary.links``), or None when gone.

        The file is looked up afresh: a mail client moves a message from ``new/`` to ``cur/``
        and rewrites its flags in the name."""
        folder, _, unique = remote_id.rpartition("/")
        if "/" in unique or not unique or (folder and not _FOLDER_RE.fullmatch(folder)):
            return None
        found = self._locate(folder or INBOX, unique)
        return found.resolve().as_uri() if found is not None else None

    def send_to_practitioner(self, raw: bytes, key: str) -> str:
        """Deliver the summary into INBOX ``new/`` once per ``key``; practitioner only."""
        require_practitioner_only(raw, self.practitioner_address)
        return self._deliver(INBOX, raw, key, "")

    def _find_by_key(self, key: str, prefer: str) -> str | None:
        unique = self._unique_for(key)
        if self._locate(prefer, unique) is not None:  # fast path: where we wrote it
            self._key_index[key] = (prefer, unique)
            return self._item_id(prefer, unique)
        cached = self._key_index.pop(key, None)
        if cached and self._locate(*cached) is not None:
            self._key_index[key] = cached
            return self._item_id(*cached)
        self._index_headers()
        cached = self._key_index.get(key)
        return self._item_id(*cached) if cached else None

    def _index_headers(self) -> None:
        """Read the header block of every message not indexed yet, recording X-Chief-Key."""
        parser = email.parser.BytesHeaderParser(policy=email.policy.compat32)
        for folder in self._all_folders():
            for unique, (path, _) in self._listing(folder).items():
                if (folder, unique) in self._indexed:
                    continue
                try:
                    fh, _ = _open_regular(path)
                    with fh:
                        head = _read_head(fh)
                except (OSError, _NotAFile):
                    continue
                self._indexed.add((folder, unique))
                value = parser.parsebytes(head).get(KEY_HEADER)
                if value:
                    self._key_index[str(value).strip()] = (folder, unique)

    def _clean_tmp(self, tmp_dir: Path) -> None:
        """Remove our own tmp files left by a crash, once older than 36 hours."""
        cutoff = time.time() - _STALE_TMP_S
        try:
            for entry in os.scandir(tmp_dir):
                if entry.name.startswith("chief-") and entry.stat().st_mtime < cutoff:
                    Path(entry.path).unlink(missing_ok=True)
        except OSError:
            pass


class _NotAFile(Exception):
    """A directory entry that is not a regular file (symlink, FIFO, device)."""


def _open_regular(path: Path) -> tuple[BinaryIO, int]:
    """Open a regular file for reading, with its size. Symlinks are not followed and FIFOs or
    devices never block: both raise :class:`_NotAFile`."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _NotAFile from exc
        raise
    fh = os.fdopen(fd, "rb")
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        fh.close()
        raise _NotAFile
    return fh, st.st_size


def _read_head(fh: BinaryIO) -> bytes:
    """Bytes up to the end of the header block (RFC 5322 2.1), at most 256 KiB."""
    data = b""
    while len(data) < _HEAD_LIMIT:
        chunk = fh.read(16384)
        if not chunk:
            break
        data += chunk
        ends = [(i + len(sep)) for sep in (b"\r\n\r\n", b"\n\n") if (i := data.find(sep)) >= 0]
        if ends:
            return data[: min(ends)]
    return data[:_HEAD_LIMIT]


def _with_key_header(raw: bytes, key: str) -> bytes:
    """``raw`` with an ``X-Chief-Key`` header, prepended when the message lacks one."""
    head = _read_head(io.BytesIO(raw))
    if re.search(rb"(?im)^x-chief-key:", head):
        return raw
    return f"{KEY_HEADER}: {key}\n".encode("ascii") + raw


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
