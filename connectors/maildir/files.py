"""The Maildir++ tree on disk: folders, listings, and reading a file safely.

Maildir (https://cr.yp.to/proto/maildir.html), Maildir++ folders as in Courier and Dovecot: the
root holds INBOX (``cur/ new/ tmp/``); a folder ``Drafts`` is the directory ``.Drafts`` with the
same three subdirectories and an empty ``maildirfolder`` file; nested folders use dots
(``.Chief.payer``). A file is named ``UNIQUE`` in ``new/`` and ``UNIQUE:2,FLAGS`` in ``cur/``;
the unique part is stable while clients rename for flags. Files are opened without following
symlinks and without blocking on a FIFO or device (:func:`open_regular`).
"""

from __future__ import annotations

import errno
import mailbox
import os
import re
import stat
from pathlib import Path
from typing import BinaryIO

from bot.errors import UserError

__all__ = [
    "INBOX",
    "FOLDER_RE",
    "MaildirTree",
    "NotAFile",
    "fsync_dir",
    "open_regular",
    "read_head",
]

INBOX = "INBOX"
FOLDER_RE = re.compile(r"[^/\\\x00-\x1f.][^/\\\x00-\x1f]{0,200}")
_HEAD_LIMIT = 256 * 1024  # header block read when indexing keys
_SUBDIRS = ("new", "cur")


class NotAFile(Exception):
    """A directory entry that is not a regular file (symlink, FIFO, device)."""


class MaildirTree:
    """Where folders and messages are in one Maildir++ root."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @staticmethod
    def check_folder(folder: str) -> None:
        if folder != INBOX and not FOLDER_RE.fullmatch(folder):
            raise UserError(f"invalid Maildir folder name in [mail] of chief.toml: {folder!r}")

    def folder_dir(self, folder: str) -> Path:
        return self.path if folder == INBOX else self.path / f".{folder}"

    def ensure_folder(self, folder: str) -> Path:
        """Create the root and ``folder`` (Maildir++: ``.Name`` + ``maildirfolder``) if missing."""
        root = mailbox.Maildir(self.path, create=True)
        base = self.folder_dir(folder)
        if folder != INBOX and not base.is_dir():
            root.add_folder(folder)
            # The stdlib creates the empty ``maildirfolder`` marker 0666 less the umask: made
            # owner-only like every other file chief creates in the practice's mail.
            os.chmod(base / "maildirfolder", 0o600)
        for sub in ("tmp", "new", "cur"):
            (base / sub).mkdir(mode=0o700, exist_ok=True)
        return base

    def all_folders(self) -> list[str]:
        if not self.path.is_dir():
            return []
        try:
            subfolders = mailbox.Maildir(self.path, create=False).list_folders()
        except (OSError, mailbox.Error):
            subfolders = []
        return [INBOX, *sorted(subfolders)]

    @staticmethod
    def unique(filename: str) -> str:
        return filename.split(mailbox.Maildir.colon, 1)[0]

    @staticmethod
    def item_id(folder: str, unique: str) -> str:
        return unique if folder == INBOX else f"{folder}/{unique}"

    def listing(self, folder: str) -> dict[str, tuple[Path, int]]:
        """unique name -> (path, ctime_ns) for ``new/`` then ``cur/`` (``cur/`` wins)."""
        base = self.folder_dir(folder)
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
                        found[self.unique(entry.name)] = (Path(entry.path), st.st_ctime_ns)
        return found

    def locate(self, folder: str, unique: str) -> Path | None:
        base = self.folder_dir(folder)
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


def open_regular(path: Path) -> tuple[BinaryIO, int]:
    """Open a regular file for reading, with its size. Symlinks are not followed and FIFOs or
    devices never block: both raise :class:`NotAFile`."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotAFile from exc
        raise
    fh = os.fdopen(fd, "rb")
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        fh.close()
        raise NotAFile
    return fh, st.st_size


def read_head(fh: BinaryIO) -> bytes:
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


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
