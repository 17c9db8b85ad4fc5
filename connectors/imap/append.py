"""Writing our own messages into IMAP folders exactly once (drafts, the daily summary).

The IDEMPOTENCY KEY travels in the message itself: a draft's in its Message-ID (``bot.keys``
DRAFT MARKER, so the practitioner's sent copy shows nothing of it), the summary's in the
``X-Chief-Key`` header. Before an APPEND (RFC 3501 6.3.11) the folder is searched for it:
``UID SEARCH HEADER Message-ID chief.<hash>`` or ``UID SEARCH HEADER X-Chief-Key key``
(RFC 3501 6.4.4; a draft is also looked for by the header, as an earlier version wrote it),
whose match is a case-insensitive *substring* match, so every hit's header is then fetched
(``BODY.PEEK[HEADER.FIELDS (...)]``) and compared exactly. A crash between
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
from bot.keys import (
    KEY_HEADER,
    draft_marker,
    key_hash,
    marker_of,
    with_draft_marker,
    with_key_header,
)
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
_MSGID_ITEM = b"BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"


def _search(
    session: ImapSession, field: str, value: str, item: bytes, undeleted: bool = False
) -> list[tuple[int, str]]:
    """(uid, value) of each message whose ``field`` contains ``value`` (a substring match:
    the caller compares exactly); with ``undeleted``, none flagged \\Deleted."""
    hits = session.uid_search([*(["UNDELETED"] if undeleted else []), "HEADER", field, value])
    if not hits:
        return []
    fetched = session.uid_fetch(hits, [item])
    parser = email.parser.BytesHeaderParser(policy=email.policy.compat32)
    found: list[tuple[int, str]] = []
    for uid in hits:
        data = fetched.get(uid, {})
        head = next((v for k, v in data.items() if k.startswith(b"BODY[HEADER")), b"")
        values = parser.parsebytes(head if isinstance(head, bytes) else b"").get_all(field)
        found.extend((uid, str(v).strip()) for v in values or ())
    return found


def find_key(session: ImapSession, folder: str, key: str, *, draft: bool = False) -> str | None:
    """``folder/UIDVALIDITY/UID`` of the message in ``folder`` carrying ``key``: as its
    X-Chief-Key, or for a ``draft`` also as the DRAFT MARKER of its Message-ID; None when there
    is none (or the folder does not exist). A draft flagged \\Deleted is not one: removed
    on a server without UIDPLUS (:mod:`connectors.imap.draft_removal`), it waits there for
    the practitioner's mail program to expunge it, and a draft written again under its key
    (a report's new version) must not be taken for it."""
    if session.selected != folder and session.examine(folder) is None:
        return None
    status = session.status
    assert status is not None
    if draft:
        marker = draft_marker(key)
        for uid, value in _search(session, "Message-ID", marker, _MSGID_ITEM, undeleted=True):
            if marker_of(value) == marker:
                return f"{folder}/{status.uidvalidity}/{uid}"
    for uid, value in _search(session, KEY_HEADER, key, _KEY_ITEM, undeleted=draft):
        if value == key:
            return f"{folder}/{status.uidvalidity}/{uid}"
    return None


def append_once(
    session: ImapSession,
    folder: str,
    raw: bytes,
    key: str,
    flags: Sequence[bytes],
    *,
    draft: bool = False,
) -> str:
    """Append ``raw`` to ``folder`` unless a message with ``key`` is there; its remote id. A
    ``draft`` carries its key as the DRAFT MARKER, anything else as X-Chief-Key."""
    found = find_key(session, folder, key, draft=draft)
    if found is not None:
        log.debug("imap: key %s already present as %s", key_hash(key), found)
        return found
    marked = with_draft_marker(raw, key) if draft else with_key_header(raw, key)
    appended = session.append(folder, marked, flags)
    if appended is not None:
        return f"{folder}/{appended[0]}/{appended[1]}"
    session.selected = None  # no UIDPLUS: look again with a fresh view of the folder
    found = find_key(session, folder, key, draft=draft)
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
