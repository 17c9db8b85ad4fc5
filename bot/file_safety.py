"""Files and folders that hold practice data are the owner's alone: 0600 files, 0700 folders.

The case log, the pseudonym key, token files, the Maildir and the practice folder are created
owner-only whatever the process umask (the mode is set explicitly after creation, since a
umask can only remove bits, and a lax one such as 0002 would leave group access). A
configuration or secret file that others can read is refused with the command that fixes it,
in the manner of OpenSSH refusing a private key with loose permissions.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from bot.errors import UserError

__all__ = [
    "DIR_MODE",
    "FILE_MODE",
    "create_private_file",
    "private_dir",
    "require_private",
    "write_private",
]

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) as 0700 folders; an existing folder is left as it
    is (it may be shared on purpose, e.g. a home directory)."""
    missing: list[Path] = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue
        os.chmod(folder, DIR_MODE)
    return path


def create_private_file(path: Path) -> bool:
    """Create ``path`` empty and 0600 if it does not exist (its folder 0700 if new); True when
    it was created here."""
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
    except FileExistsError:
        return False
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    return True


def require_private(path: Path, what: str) -> None:
    """Refuse ``path`` when its group or others may read or write it, naming the fix."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return  # a missing file is reported by whoever reads it, with its own advice
    if mode & 0o077:
        raise UserError(
            f"{what} {path} can be read by others (mode {mode:o})",
            [f"run `chmod 600 {path}`"],
        )


def write_private(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically, 0600 (its folder 0700 if new): written to a
    temporary file beside it, flushed to disk, then renamed over it, so a crash leaves the old
    file or the new one, never half of either."""
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
