"""chief's own drafts read back and removed, and the correction folders made.

A correction withdraws the drafts of a wrong filing (``bot/sync/withdrawing.py``): each is
read back whole (``BODY.PEEK[]``: no flag changes) to compare with what chief wrote, and
removed alone: SELECT (read-write), UID STORE +FLAGS.SILENT (\\Deleted), then UID EXPUNGE of
that UID only (RFC 4315 2.1), so no other message the practitioner marked deleted is expunged.
A server without UIDPLUS keeps it marked \\Deleted, for the practitioner's mail program to
expunge. The correction folders are made with CREATE under the personal namespace (RFC 2342),
``Chief`` first where the server wants parents made.
"""

from __future__ import annotations

from collections.abc import Callable

from connectors.imap.folders import discover
from connectors.imap.session import ImapSession

__all__ = ["delete_draft", "draft_content", "make_folders"]

Finder = Callable[[ImapSession, str], "str | None"]


def _located(session: ImapSession, find: Finder, key: str) -> tuple[str, int] | None:
    """(folder, UID) of the draft carrying ``key``, from its id ``folder/UIDVALIDITY/UID``."""
    found = find(session, key)
    if found is None:
        return None
    folder, _, uid = found.rpartition("/")
    return folder.rpartition("/")[0], int(uid)


def draft_content(session: ImapSession, find: Finder, key: str) -> bytes | None:
    located = _located(session, find, key)
    if located is None:
        return None
    folder, uid = located
    if session.selected != folder and session.examine(folder) is None:
        return None
    for name, value in session.uid_fetch([uid], [b"BODY.PEEK[]"]).get(uid, {}).items():
        if name.startswith(b"BODY[") and isinstance(value, bytes):
            return value
    return None


def delete_draft(session: ImapSession, find: Finder, key: str) -> bool:
    located = _located(session, find, key)
    if located is None:
        return False
    folder, uid = located
    session.selected, session.status = None, None
    with session._translated(f"removing a draft from folder {folder!r}"):
        client = session._client
        client.select_folder(folder, readonly=False)
        client.add_flags([uid], [b"\\Deleted"], silent=True)
        if "UIDPLUS" in session.capabilities:
            client.expunge([uid])
    return True


def make_folders(session: ImapSession, parent_name: str, names: tuple[str, ...]) -> int:
    folders = discover(session)
    made = 0
    parent = folders.resolve(parent_name)
    if folders.has(parent) is None:
        session.create_folder(parent)
    for name in names:
        wanted = folders.resolve(f"{parent_name}/{name}")
        if folders.has(wanted) is None:
            session.create_folder(wanted)
            made += 1
    return made
