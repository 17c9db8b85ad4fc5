"""Files and folders that hold practice data are the owner's alone: 0600 files, 0700 folders.

The case log, the pseudonym key, token files, the Maildir and the practice folder are created
owner-only whatever the process umask (the mode is set explicitly after creation, since a
umask can only remove bits, and a lax one such as 0002 would leave group access). A
configuration or secret file that others can read is refused with the command that fixes it,
in the manner of OpenSSH refusing a private key with loose permissions.

Every file a practitioner edits (chief.toml, rule packs, party directories, clocks, the
register, templates) is read by :func:`read_practice_file`, the one reader that cannot be made
to hang or to fill memory: only a regular file is read (a symlink only when it resolves to
one), a FIFO is opened without waiting for a writer and refused, a device (``/dev/zero``) or
folder is refused, and a file over :data:`MAX_PRACTICE_FILE_BYTES` is refused without reading
more than that. The caller reports the refusal as ``file:line`` and skips the file.
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
    "MAX_PRACTICE_FILE_BYTES",
    "UnreadableFile",
    "create_private_file",
    "private_dir",
    "read_practice_file",
    "require_private",
    "write_private",
]

FILE_MODE = 0o600
DIR_MODE = 0o700
# The largest shipped pack is ~30 KB: a practice file a hundred times that is a mistake (or a
# symlink to something that is not a practice file), never something to parse.
MAX_PRACTICE_FILE_BYTES = 1024 * 1024
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


class UnreadableFile(Exception):
    """A practice file :func:`read_practice_file` refused; ``reason`` says why in plain words
    (never a byte of the file), ``missing`` when there is no such file."""

    def __init__(self, path: Path, reason: str, missing: bool = False) -> None:
        self.path = path
        self.reason = reason
        self.missing = missing
        super().__init__(f"{path}: {reason}")


def read_practice_file(path: Path, limit: int = MAX_PRACTICE_FILE_BYTES) -> bytes:
    """The bytes of ``path`` if it is a regular file (or a symlink to one) of at most ``limit``
    bytes; :class:`UnreadableFile` otherwise.

    The file is opened with ``O_NONBLOCK`` (a FIFO opens at once instead of waiting for a
    writer) and judged by ``fstat`` of the open descriptor, so what is read is what was
    checked even if the name is swapped meanwhile; at most ``limit + 1`` bytes are read, so a
    file that grows (or a size that lies) cannot fill memory."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except (FileNotFoundError, NotADirectoryError):
        raise UnreadableFile(path, "not found", missing=True) from None
    except OSError as exc:
        raise UnreadableFile(path, f"cannot read ({exc.strerror})") from None
    try:
        mode = os.fstat(fd).st_mode
        for test, kind in _KINDS:
            if test(mode):
                raise UnreadableFile(path, f"not a regular file ({kind})")
        if not stat.S_ISREG(mode):
            raise UnreadableFile(path, "not a regular file")
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(65536, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise UnreadableFile(path, f"cannot read ({exc.strerror})") from None
    finally:
        os.close(fd)
    if size > limit:
        raise UnreadableFile(path, f"larger than {limit // 1024} KiB; not a practice file")
    return b"".join(chunks)


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
