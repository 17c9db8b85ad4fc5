"""The IMAP sync cursor: per folder, UIDVALIDITY, the highest UID read, and HIGHESTMODSEQ.

::

    {"v": 1, "folders": {"INBOX": {"uidvalidity": 1700000000, "last_uid": 4242, "modseq": 9100}}}

A message's UID never changes and new messages always get higher ones, as long as the folder's
UIDVALIDITY stays the same (RFC 3501 2.3.1.1, RFC 9051 2.3.1.1). So "UIDVALIDITY + highest UID
read" is a complete incremental state for new mail: the next sync asks for UIDs above it. When
UIDVALIDITY differs the old UIDs mean nothing and the folder is read again in full (the case
log's Message-ID keys keep that from logging anything twice). ``modseq`` is the folder's
HIGHESTMODSEQ (RFC 7162 3.1.2.1) when the server offers CONDSTORE, recorded only once a folder
has been read to its end; ``None`` otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from bot.errors import CursorInvalid

__all__ = ["CURSOR_VERSION", "FolderMark", "dump_cursor", "parse_cursor"]

CURSOR_VERSION = 1


@dataclass(frozen=True, slots=True)
class FolderMark:
    """How far one folder has been read."""

    uidvalidity: int
    last_uid: int
    modseq: int | None = None


def _int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def parse_cursor(cursor: Mapping[str, Any] | None) -> dict[str, FolderMark]:
    """Folder name → mark; ``{}`` for ``None``. Raises :class:`CursorInvalid` on any other
    shape, and the pipeline then syncs in full."""
    if cursor is None:
        return {}
    if not isinstance(cursor, Mapping):
        raise CursorInvalid("IMAP cursor not understood; resyncing in full")
    folders = cursor.get("folders")
    if cursor.get("v") != CURSOR_VERSION or not isinstance(folders, Mapping):
        raise CursorInvalid("IMAP cursor not understood; resyncing in full")
    marks: dict[str, FolderMark] = {}
    for name, value in folders.items():
        if not isinstance(name, str) or not isinstance(value, Mapping):
            raise CursorInvalid("IMAP cursor not understood; resyncing in full")
        uidvalidity, last_uid, modseq = (
            value.get("uidvalidity"),
            value.get("last_uid"),
            value.get("modseq"),
        )
        if not (_int(uidvalidity) and _int(last_uid) and (modseq is None or _int(modseq))):
            raise CursorInvalid("IMAP cursor not understood; resyncing in full")
        marks[name] = FolderMark(uidvalidity, last_uid, modseq)
    return marks


def dump_cursor(marks: Mapping[str, FolderMark]) -> dict[str, Any]:
    """The JSON-serialisable cursor for ``marks``."""
    return {
        "v": CURSOR_VERSION,
        "folders": {
            name: {"uidvalidity": m.uidvalidity, "last_uid": m.last_uid, "modseq": m.modseq}
            for name, m in marks.items()
        },
    }
