"""Writing our own messages into IMAP folders exactly once (drafts, the daily summary).

The IDEMPOTENCY KEY travels in the ``X-Chief-Key`` header of the message itself. Before an
APPEND (RFC 3501 6.3.11) the folder is searched for it: ``UID SEARCH HEADER X-Chief-Key key``
(RFC 3501 6.4.4), whose match is a case-insensitive *substring* match, so every hit's header is
then fetched (``BODY.PEEK[HEADER.FIELDS (X-Chief-Key)]``) and compared exactly. A crash between
an APPEND and the database commit is therefore reconciled by finding the message, never by
appending it again (the journal-before-acting order of mbsync, with the key on the remote
object instead of a temporary UID in a journal).

The remote id of an appended message is ``folder/UIDVALIDITY/UID`` from the APPENDUID response
code (RFC 4315 3, UIDPLUS); without UIDPLUS it is found again by its key.
"""

from __future__ import annotations

import email.parser
import email.policy
import logging
from collections.abc import Sequence

from bot.errors import ConnectorError
from bot.keys import KEY_HEADER, key_hash, with_key_header
from connectors.imap.folders import DRAFTS_NAMES, FolderMap, Resolved
from connectors.imap.session import ImapSession

__all__ = [
    "append_once",
    "drafts_folder",
    "find_key",
]

log = logging.getLogger(__name__)

INBOX = "INBOX"
_KEY_ITEM = b"BODY.PEEK[HEADER.FIELDS (" + KEY_HEADER.upper().encode("ascii") + b")]"


def find_key(session: ImapSession, folder: str, key: str) -> str | None:
    """``folder/UIDVALIDITY/UID`` of the message in ``folder`` whose X-Chief-Key is exactly
    ``key``; None when there is none (or the folder does not exist)."""
    if session.selected != folder and session.examine(folder) is None:
        return None
    status = session.status
    assert status is not None
    hits = session.uid_search(["HEADER", KEY_HEADER, key])
    if not hits:
        return None
    fetched = session.uid_fetch(hits, [_KEY_ITEM])
    parser = email.parser.BytesHeaderParser(policy=email.policy.compat32)
    for uid in hits:
        data = fetched.get(uid, {})
        head = next((v for k, v in data.items() if k.startswith(b"BODY[HEADER")), b"")
        values = parser.parsebytes(head if isinstance(head, bytes) else b"").get_all(KEY_HEADER)
        if any(str(v).strip() == key for v in values or ()):
            return f"{folder}/{status.uidvalidity}/{uid}"
    return None


def append_once(
    session: ImapSession, folder: str, raw: bytes, key: str, flags: Sequence[bytes]
) -> str:
    """Append ``raw`` to ``folder`` unless a message with ``key`` is there; its remote id."""
    found = find_key(session, folder, key)
    if found is not None:
        log.debug("imap: key %s already present as %s", key_hash(key), found)
        return found
    appended = session.append(folder, with_key_header(raw, key), flags)
    if appended is not None:
        return f"{folder}/{appended[0]}/{appended[1]}"
    session.selected = None  # no UIDPLUS: look again with a fresh view of the folder
    found = find_key(session, folder, key)
    if found is None:
        raise ConnectorError(
            f"appended a message to {folder!r} but could not find it again by its key; "
            "the next run looks for it before writing"
        )
    return found


def drafts_folder(session: ImapSession, folders: FolderMap, configured: str) -> Resolved:
    """The drafts folder (:meth:`FolderMap.special`: ``\\Drafts`` by RFC 6154, else
    ``drafts_folder``, else a well-known name), created under the personal namespace when
    none of them exists."""
    found = folders.special("\\Drafts", configured, "drafts_folder", DRAFTS_NAMES)
    if found.exists:
        return found
    session.create_folder(found.name)
    log.info("imap: created the drafts folder %s", found.name)
    return Resolved(found.name, "`drafts_folder`, created", True)
