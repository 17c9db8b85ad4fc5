"""A per-practice lock so two runs (cron and a manual ``chief sync``) never overlap."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.errors import UserError
from bot.file_safety import private_dir

__all__ = ["exclusive_lock"]


@contextmanager
def exclusive_lock(path: Path, wait: bool = False) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created 0600); refuse if another run holds it."""
    private_dir(path.parent)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise UserError(
                f"another chief run holds {path}",
                ["wait for it to finish; if none is running, the lock frees itself"],
            ) from None
        yield
    finally:
        os.close(fd)
