"""Finding the folders the connector reads or writes, by the standards before by name.

Servers disagree on where a user's folders live and what they are called, so nothing is
assumed:

- **Where.** NAMESPACE (RFC 2342 5) gives the personal namespace's prefix and hierarchy
  delimiter: Dovecot's default is ``""`` and ``/``, Cyrus and Courier put every folder under
  ``INBOX.`` with ``.``. A configured name (``drafts_folder``, ``sent_folder``, a watched
  folder, ``Chief/payer`` under ``corrections_folder``) is written with ``/`` between levels
  and resolved under that prefix with the server's delimiter (``Drafts`` → ``INBOX.Drafts``,
  ``Chief/payer`` → ``INBOX.Chief.payer``); a name the server already has is taken as it is.
  Without NAMESPACE the delimiter comes from LIST and the prefix is empty.
- **What for.** A folder's role is its RFC 6154 SPECIAL-USE attribute (``\\Drafts``,
  ``\\Sent``), whatever it is called in the practitioner's language. Some servers (Cyrus as
  Debian configures it) report those attributes only when asked: where SPECIAL-USE and
  LIST-EXTENDED (RFC 5258, whose return options RFC 6154 2 extends) are both offered the
  listing is ``LIST "" "*" RETURN (SPECIAL-USE)``; otherwise a plain ``LIST``, whose
  attributes count too (RFC 6154 5.2 shows a server without LIST-EXTENDED returning them).
- **Else by name.** Then the configured name, then the names mail programs use (``Sent
  Items``, ``Sent Messages``...), each under the personal prefix. Only the drafts folder is
  ever created, and only when none of these exists: never a second Drafts or Sent.

Names are Unicode here; imapclient encodes them as modified UTF-7 (RFC 3501 5.1.3) on the
wire and decodes what LIST returns, so ``Entwürfe`` is compared as ``Entwürfe``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot.errors import ConnectorError
from connectors.imap.session import ImapSession, Listed, ServerUnavailable

__all__ = ["DRAFTS_NAMES", "SENT_NAMES", "FolderMap", "Resolved", "discover"]

log = logging.getLogger(__name__)

INBOX = "INBOX"
DRAFTS_NAMES = ("Drafts", "Draft")
SENT_NAMES = ("Sent", "Sent Items", "Sent Messages", "Sent Mail")


@dataclass(frozen=True, slots=True)
class Resolved:
    """A folder found for a role, and why it was chosen (shown by ``chief doctor``)."""

    name: str
    why: str
    exists: bool

    def describe(self) -> str:
        return f"{self.name} ({self.why})"


@dataclass(frozen=True)
class FolderMap:
    """The server's folders as one LIST saw them, with the personal namespace."""

    prefix: str
    delimiter: str | None
    listed: tuple[Listed, ...]
    namespace_from: str  # "NAMESPACE, RFC 2342" or how it was guessed
    listing: str  # the LIST command that gave the attributes

    def has(self, name: str) -> str | None:
        """The server's spelling of ``name`` (INBOX in any case, RFC 3501 5.1), or None."""
        wanted = INBOX if name.upper() == INBOX else name
        for folder in self.listed:
            if folder.name == wanted or (wanted == INBOX and folder.name.upper() == INBOX):
                return folder.name
        return None

    def resolve(self, configured: str) -> str:
        """``configured`` as the server names it: an existing name as it is, else its ``/``
        levels joined by the server's delimiter under the personal prefix."""
        existing = self.has(configured)
        if existing is not None:
            return existing
        if configured.upper() == INBOX:
            return INBOX
        levels = [level for level in configured.split("/") if level]
        name = self.delimiter.join(levels) if self.delimiter else configured
        inbox_child = self.delimiter and name.upper().startswith(INBOX + self.delimiter)
        if self.prefix and not name.startswith(self.prefix) and not inbox_child:
            name = self.prefix + name
        return name

    def special(self, use: str, configured: str, key: str, well_known: Sequence[str]) -> Resolved:
        """The folder for role ``use`` (``"\\\\Drafts"``): flagged by SPECIAL-USE, else
        ``configured`` (the ``chief.toml`` key ``key``), else a well-known name; else
        ``configured`` resolved, marked as not existing."""
        for folder in self.listed:
            if use.lower() in folder.attributes and "\\noselect" not in folder.attributes:
                return Resolved(folder.name, f"{use}, RFC 6154", True)
        wanted = self.resolve(configured)
        if self.has(wanted) is not None:
            return Resolved(wanted, f"`{key}`", True)
        by_fold = {folder.name.casefold(): folder.name for folder in self.listed}
        for name in well_known:
            candidates = [self.resolve(name)]
            if not self.prefix and self.delimiter:  # no NAMESPACE: Courier-style guesses too
                candidates.append(INBOX + self.delimiter + name)
            for candidate in candidates:
                found = by_fold.get(candidate.casefold())
                if found is not None:
                    return Resolved(found, "well-known name", True)
        return Resolved(wanted, f"`{key}`, not on the server", False)

    def children(self, parent: str) -> dict[str, str]:
        """Child name -> folder, for every folder directly under ``parent`` (resolved)."""
        base = self.resolve(parent)
        found: dict[str, str] = {}
        for folder in self.listed:
            delimiter = folder.delimiter or self.delimiter
            if not delimiter or "\\noselect" in folder.attributes:
                continue
            prefix = base + delimiter
            child = folder.name[len(prefix) :]
            if folder.name.startswith(prefix) and child and delimiter not in child:
                found.setdefault(child, folder.name)
        return found

    def namespace_line(self) -> str:
        delimiter = self.delimiter or "none"
        return f"folders under {self.prefix!r}, separator {delimiter!r} ({self.namespace_from})"


def discover(session: ImapSession) -> FolderMap:
    """NAMESPACE (once per session) and one LIST, with SPECIAL-USE asked for where offered."""
    namespace = session.personal_namespace()
    ask = {"SPECIAL-USE", "LIST-EXTENDED"} <= session.capabilities
    listing = 'LIST "" "*" RETURN (SPECIAL-USE)' if ask else 'LIST "" "*"'
    try:
        listed = session.list_folders(return_special_use=ask)
    except ServerUnavailable:
        raise
    except ConnectorError:
        if not ask:
            raise
        log.info("imap: %s refused LIST RETURN (SPECIAL-USE); using a plain LIST", session.where)
        listing = 'LIST "" "*"'
        listed = session.list_folders(return_special_use=False)
    if namespace is not None:
        prefix, delimiter = namespace
        origin = "NAMESPACE, RFC 2342"
    else:
        inbox = next((f for f in listed if f.name.upper() == INBOX), None)
        delimiter = inbox.delimiter if inbox else next((f.delimiter for f in listed), None)
        prefix, origin = "", "no NAMESPACE: separator from LIST"
    return FolderMap(prefix, delimiter, tuple(listed), origin, listing)
