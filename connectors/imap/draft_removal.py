"""chief's own drafts read back and removed, the correction folders made, and a corrected
message moved back when its correction is undone.

A correction withdraws the drafts of a wrong filing (``bot/sync/withdrawing.py``): each is
read back whole (``BODY.PEEK[]``: no flag changes) to compare with what chief wrote, and
removed alone: SELECT (read-write), UID STORE +FLAGS.SILENT (\\Deleted), then UID EXPUNGE of
that UID only (RFC 4315 2.1), so no other message the practitioner marked deleted is expunged.
A server without UIDPLUS keeps it marked \\Deleted, for the practitioner's mail program to
expunge. The correction folders are made with CREATE under the personal namespace (RFC 2342),
``Chief`` first where the server wants parents made. An undone correction's message is moved
out of its correction folder back to the watched folder it was read in (INBOX when it was first
read in the correction folder): UID MOVE (RFC 6851) where offered, else UID COPY, \\Deleted and
UID EXPUNGE of that UID only; a copy (the message still in the folder it was read in) is
removed so; a UID no longer there (UIDVALIDITY changed, moved on) is left be.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connectors.imap.folders import discover
from connectors.imap.session import ImapSession

__all__ = ["correction_folders", "delete_draft", "draft_content", "make_folders", "return_message"]

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


def correction_folders(session: ImapSession, parent_name: str) -> dict[str, str]:
    """Category name -> folder, for every folder directly under ``parent_name``."""
    return discover(session).children(parent_name)


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


def return_message(
    session: ImapSession,
    provider_id: str,
    parent_name: str,
    home: str | None,
    watched: tuple[str, ...],
) -> bool:
    """Move the message ``provider_id`` (``folder/UIDVALIDITY/UID`` in a correction folder
    under ``parent_name``) back to ``home``'s folder when it is watched, else the first
    watched folder (a copy, ``home`` still there, is removed instead); False when it is no
    longer there."""
    rest, _, uid_text = provider_id.rpartition("/")
    folder, _, validity = rest.rpartition("/")
    if not uid_text.isdigit() or not validity.isdigit():
        return False
    if folder not in correction_folders(session, parent_name).values():
        return False  # never anything outside the correction folders
    home_rest, _, home_uid = (home or "").rpartition("/")
    home_folder, _, home_validity = home_rest.rpartition("/")
    target = home_folder if home_folder in watched else watched[0]
    uid = int(uid_text)
    session.selected, session.status = None, None
    with session._translated(f"moving a message back from folder {folder!r}"):
        client = session._client
        # A copy (the message ``home`` names still in its folder) is removed instead: the
        # folder holds the message once, as it did before the copy.
        copy = home_folder == target and _there(client, home_folder, home_validity, home_uid)
        if not _there(client, folder, validity, uid_text, readonly=False):
            return False
        if "MOVE" in session.capabilities and not copy:
            client.move([uid], target)
            return True
        if not copy:
            client.copy([uid], target)
        client.add_flags([uid], [b"\\Deleted"], silent=True)
        if "UIDPLUS" in session.capabilities:
            client.expunge([uid])
    return True


def _there(client: Any, folder: str, validity: str, uid: str, readonly: bool = True) -> bool:
    """Whether UID ``uid`` of UIDVALIDITY ``validity`` is in ``folder`` (left selected)."""
    if not (folder and validity.isdigit() and uid.isdigit()):
        return False
    selected = client.select_folder(folder, readonly=readonly)
    if int(selected.get(b"UIDVALIDITY", 0)) != int(validity):
        return False
    return bool(client.search(["UID", uid]))
