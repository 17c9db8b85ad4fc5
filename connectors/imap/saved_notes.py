"""The practitioner's notes saved as drafts, read from the Drafts folder without changing it.

The folder is the one drafts go to (flagged ``\\Drafts``, RFC 6154 SPECIAL-USE, else
``drafts_folder``), opened with EXAMINE (read-only, RFC 3501 6.3.2); ``UID SEARCH UNDELETED
SUBJECT "note"`` (a case-insensitive substring match, RFC 3501 6.4.4) finds the candidates, each
read whole with ``BODY.PEEK[]`` (no flag set) and kept when its subject begins with ``Note``
and it is not one of chief's own drafts (:func:`connectors.base.is_saved_note`). A draft
marked \\Deleted is on its way out: not read. A note is a few lines: read whole, within the
limits of any message.
"""

from __future__ import annotations

import logging

from bot.errors import MessageError
from bot.mail.message import Limits, Message
from bot.mail.mime import parse_message
from connectors.base import is_saved_note
from connectors.imap.session import ImapSession

__all__ = ["saved_notes"]

log = logging.getLogger(__name__)


def saved_notes(session: ImapSession, folder: str, limits: Limits) -> list[Message]:
    """The notes saved as drafts in ``folder`` (none when it does not exist)."""
    status = session.examine(folder)
    if status is None:
        return []
    uids = session.uid_search(["UNDELETED", "SUBJECT", "note"])
    found = []
    for uid, data in sorted(session.uid_fetch(uids, [b"BODY.PEEK[]"]).items()):
        raw = next((v for k, v in data.items() if k.startswith(b"BODY[")), None)
        if not isinstance(raw, bytes):
            continue
        item_id = f"{folder}/{status.uidvalidity}/{uid}"
        try:
            message = parse_message(raw, item_id, limits)
        except MessageError:
            log.debug("imap: saved draft %s cannot be read", item_id)
            continue
        if is_saved_note(message):
            found.append(message)
    return found
