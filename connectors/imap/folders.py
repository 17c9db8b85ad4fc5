"""Finding the folders the connector reads or writes beyond the watched ones.

RFC 6154 SPECIAL-USE names a folder's role with a LIST attribute (``\\Drafts``, ``\\Sent``)
whatever it is called in the practitioner's language; a server without it falls back to the
configured name. Correction folders are the children of one folder (``Chief/payer``), whichever
hierarchy delimiter the server uses (``/`` or ``.``, RFC 3501 6.3.8).
"""

from __future__ import annotations

from connectors.imap.session import ImapSession

__all__ = ["children", "special_use_folder"]

_DELIMITERS = ("/", ".")


def special_use_folder(session: ImapSession, use: str, configured: str) -> str | None:
    """The folder with SPECIAL-USE attribute ``use`` (``"\\\\Sent"``), else ``configured``
    when it exists; else None."""
    folders = session.list_folders()
    for attributes, name in folders:
        if use.lower() in attributes:
            return name
    if any(name == configured for _, name in folders):
        return configured
    return None


def children(session: ImapSession, parent: str) -> dict[str, str]:
    """Child name -> folder, for every folder directly under ``parent``."""
    found: dict[str, str] = {}
    for _, name in session.list_folders():
        for delimiter in _DELIMITERS:
            prefix = parent + delimiter
            child = name[len(prefix) :]
            if name.startswith(prefix) and child and delimiter not in child:
                found.setdefault(child, name)
    return found
