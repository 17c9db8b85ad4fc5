"""IMAP: the practitioner's own mail server (Fastmail, iCloud, Proton Bridge, Dovecot...).

Reading (:mod:`connectors.imap.reading`) is strictly read-only: EXAMINE and ``BODY.PEEK``, so no
flag is ever touched. A PROVIDER ID is ``folder/UIDVALIDITY/UID``; the CURSOR is per-folder
UIDVALIDITY, highest UID read and HIGHESTMODSEQ (:mod:`connectors.imap.cursor`). Besides the
watched folders the connector reads, each with a cursor of its own, the practitioner's sent mail
(the folder flagged ``\\Sent``, RFC 6154 SPECIAL-USE, else ``sent_folder``, else a well-known name)
and the correction folders under ``corrections_folder`` (``Chief/payer``: category ``payer``;
``INBOX.Chief.payer`` on Cyrus or Courier: every name is resolved in the personal namespace).

Writing is exactly-once per IDEMPOTENCY KEY: the key travels in a draft's Message-ID (``bot.keys``
DRAFT MARKER) or the summary's ``X-Chief-Key`` header, and before any APPEND (RFC 3501 6.3.11) the
target folder is searched for it (``UID SEARCH HEADER``, then the header compared exactly, since
SEARCH matches substrings). Drafts go to the folder flagged ``\\Drafts`` (RFC 6154 SPECIAL-USE),
else ``drafts_folder``, else a well-known name, each under the personal namespace (RFC 2342; see
:mod:`connectors.imap.folders`), created only when none exists; flagged ``\\Draft \\Seen``; the
remote id comes from APPENDUID (RFC 4315 UIDPLUS). The daily summary is appended to INBOX, unread,
and only when addressed to the practitioner alone. Nothing is appended to the folder that is
selected (:meth:`~connectors.imap.session.ImapSession.append`).
One connection per instance, opened on first use and closed by :meth:`close`. Within one
operation a dropped connection is reopened once; a refused sign-in never is.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import ClassVar

from bot.errors import AuthError, ChiefError, ConnectorError, RemoteGone, UserError
from bot.keys import check_key
from bot.mail.message import Limits, Message
from connectors.base import Batch, Correction, Cursor, OutgoingDraft
from connectors.imap import draft_removal as moves
from connectors.imap.append import append_once, drafts_folder, find_key
from connectors.imap.connection import Budget, Connection
from connectors.imap.cursor import parse_cursor
from connectors.imap.folders import DRAFTS_NAMES, SENT_NAMES, FolderMap, Resolved, discover
from connectors.imap.reading import FolderReader
from connectors.imap.saved_notes import saved_notes
from connectors.imap.session import ImapSession, ServerUnavailable, Tls
from connectors.oauth_token import token_provider
from connectors.passwords import is_loopback, read_password
from connectors.recipients import require_practitioner_only
from connectors.tls import ca_file_problem, client_context

__all__ = ["ImapConnector", "ServerUnavailable"]

log = logging.getLogger(__name__)

INBOX = "INBOX"
_DRAFT_FLAGS = (b"\\Draft", b"\\Seen")
_CAPABILITIES = ("CONDSTORE", "QRESYNC", "SPECIAL-USE", "UIDPLUS", "IDLE")
_OTHERS_EVERY_S = 60.0  # how often wait_for_changes() looks at the folders it cannot IDLE on


class ImapConnector:
    """Mail source, draft sink and summary sender over one IMAP account."""

    # UIDVALIDITY + UID cursor (None: full); headers thread; EXAMINE + BODY.PEEK; IDLE waits.
    supports_incremental: ClassVar[bool] = True

    def __init__(
        self,
        host: str,
        port: int = 993,
        username: str = "",
        password_file: Path | None = None,
        password_env: str | None = None,
        tls: Tls = "ssl",
        watch: Sequence[str] = (INBOX,),
        drafts_folder: str = "Drafts",
        batch_size: int = 200,
        max_body_bytes: int = 256 * 1024,
        timeout: float = 30.0,
        auth: str = "password",
        token_command: Sequence[str] | None = None,
        token_file: Path | None = None,
        ca_file: Path | None = None,
        xoauth2_token_provider: Callable[[], str] | None = None,
        practitioner_address: str | None = None,
        limits: Limits | None = None,
        sent_folder: str = "Sent",
        corrections_folder: str = "Chief",
    ) -> None:
        problems = []
        if not host:
            problems.append("set `host` in [mail] of chief.toml")
        if not username:
            problems.append("set `username` in [mail] of chief.toml")
        if tls not in ("ssl", "starttls", "none"):
            problems.append('`tls` in [mail] must be "ssl", "starttls" or "none"')
        elif tls == "none" and host and not is_loopback(host):
            problems.append(
                'tls = "none" is allowed only for a server on this machine (127.0.0.1); '
                'use "ssl" or "starttls"'
            )
        if not 0 < int(port) < 65536:
            problems.append("`port` in [mail] must be between 1 and 65535")
        watch = (watch,) if isinstance(watch, str) else tuple(dict.fromkeys(watch))
        if not watch or not all(isinstance(f, str) and f for f in watch):
            problems.append('`watch` in [mail] must be a list of folder names, e.g. ["INBOX"]')
        if batch_size < 1:
            problems.append("`batch_size` in [mail] must be at least 1")
        if max_body_bytes < 1024:
            problems.append("`max_body_bytes` in [mail] must be at least 1024")
        if timeout <= 0:
            problems.append("`timeout` in [mail] must be positive (seconds)")
        if auth not in ("password", "xoauth2"):
            problems.append('`auth` in [mail] must be "password" or "xoauth2"')
        if (problem := ca_file_problem("mail", ca_file)) is not None:
            problems.append(problem)
        if problems:
            raise UserError("invalid [mail] settings for the IMAP connector", problems)
        if auth == "xoauth2" and xoauth2_token_provider is None:
            xoauth2_token_provider = token_provider("mail", token_command, token_file)
        if xoauth2_token_provider is None:  # fail early on a missing or unsafe password file
            read_password("mail", password_file, password_env, username)
        self.host, self.port, self.username, self.tls = host, int(port), username, tls
        self.password_file, self.password_env = password_file, password_env
        self.watch = watch
        self.drafts_folder, self.sent_folder = drafts_folder, sent_folder
        self.corrections_folder = corrections_folder
        self.batch_size = batch_size
        self.max_body_bytes = max_body_bytes
        self.timeout = float(timeout)
        self.xoauth2_token_provider = xoauth2_token_provider
        self.practitioner_address = (practitioner_address or "").strip().lower() or None
        self.limits = limits or Limits()
        # A private CA (a practice's own server, a bridge's certificate) is trusted only when
        # named; the system's trust store otherwise.
        context = client_context("mail", ca_file) if ca_file else None
        self._link = Connection(host, self.port, tls, self.timeout, username, self._secret, context)
        self._drafts_name: Resolved | None = None
        self._watch_names: tuple[str, ...] | None = None  # ``watch`` as the server names it
        self.reader = FolderReader(self._link, self.limits, batch_size, max_body_bytes)

    # --- connection -------------------------------------------------------------------------

    def _secret(self) -> tuple[str, str]:
        if self.xoauth2_token_provider is not None:
            try:
                return "xoauth2", self.xoauth2_token_provider()
            except ChiefError:
                raise
            except Exception as exc:
                raise AuthError(
                    f"could not get an access token for {self.username} "
                    f"({type(exc).__name__}): sign in again with `chief init`"
                ) from exc
        password = read_password("mail", self.password_file, self.password_env, self.username)
        return "password", password or ""

    def close(self) -> None:
        """Log out and close the connection (a later call opens a new one)."""
        self._link.close()

    def interrupt(self) -> None:
        """From another thread, at any time: end a wait (or any command) by cutting the link."""
        self._link.interrupt()

    def __enter__(self) -> ImapConnector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- MailSource -------------------------------------------------------------------------

    def estimate(self, cursor: Cursor | None) -> int | None:
        """At most how many messages ``changes(cursor)`` reads (a progress bar's total)."""
        return self.reader.estimate(self._watched(), cursor)

    def changes(self, cursor: Cursor | None) -> Iterator[Batch]:
        """Yield batches of messages that arrived after ``cursor`` (all when ``None``); a
        cursor of another shape raises :class:`~bot.errors.CursorInvalid` before yielding."""
        folders = self._watched()
        for _, batch in self.reader.read(folders, cursor):
            yield batch

    def _watching(self, session: ImapSession, folders: FolderMap | None = None) -> tuple[str, ...]:
        """``watch`` as the server names it, resolved once; an INBOX-only watch sends nothing
        (a sync with nothing new stays one EXAMINE)."""
        if self._watch_names is None:
            if all(folder.upper() == INBOX for folder in self.watch):
                self._watch_names = self.watch  # INBOX needs no LIST (RFC 3501 5.1)
            else:
                folders = folders or discover(session)
                self._watch_names = tuple(
                    dict.fromkeys(
                        f if f.upper() == INBOX else folders.resolve(f) for f in self.watch
                    )
                )
        return self._watch_names

    def _watched(self) -> tuple[str, ...]:
        """``watch`` resolved under the personal namespace, once per connector."""
        return self._watch_names or self._link.attempt(Budget(), self._watching)

    # --- ReadsSentMail and WatchesCorrections ---------------------------------------------

    def _sent(self, session: ImapSession) -> str | None:
        found = discover(session).special("\\Sent", self.sent_folder, "sent_folder", SENT_NAMES)
        return found.name if found.exists else None

    def sent_changes(self, cursor: Cursor | None) -> Iterator[Batch]:
        """Batches of the sent mail (the folder flagged ``\\Sent``, RFC 6154, else
        ``sent_folder``) since ``cursor``, read as :meth:`changes` reads."""
        parse_cursor(cursor)  # a cursor of another shape is refused before any request
        folder = self._link.attempt(Budget(), self._sent)
        if folder is None:
            log.debug("imap: no sent folder on %s", self.host)
            return
        for _, batch in self.reader.read((folder,), cursor, missing=logging.DEBUG):
            yield batch

    def corrections(self, cursor: Cursor | None) -> Iterator[Correction]:
        """A :class:`Correction` per batch read in the correction folders since ``cursor``."""
        parse_cursor(cursor)
        folders = self._link.attempt(Budget(), moves.correction_folders, self.corrections_folder)
        category = {folder: name for name, folder in folders.items()}
        for folder, batch in self.reader.read(sorted(category), cursor, missing=logging.DEBUG):
            yield Correction(category[folder], batch)

    def make_correction_folders(self, names: Sequence[str]) -> int:
        """CREATE ``Chief/<name>`` under the personal namespace (RFC 2342) where missing."""
        parent = self.corrections_folder
        return self._link.attempt(Budget(), moves.make_folders, parent, tuple(names))

    def return_corrected(self, provider_id: str, folder: str, home: str | None) -> bool:
        """Move an undone correction's message back to the folder it was read in."""
        parent, watched = self.corrections_folder, self._watched()
        return self._link.attempt(
            Budget(), moves.return_message, provider_id, parent, home, watched
        )

    # --- DraftSink and Sender ---------------------------------------------------------------

    def _drafts(self, session: ImapSession, create: bool) -> Resolved:
        """The drafts folder, looked up once (again after a failed write); created when
        ``create`` and there is none."""
        if self._drafts_name is None:
            folders = discover(session)
            if create:
                self._drafts_name = drafts_folder(session, folders, self.drafts_folder)
            else:
                found = self._drafts_in(folders)
                if not found.exists:
                    return found
                self._drafts_name = found
        return self._drafts_name

    def _drafts_in(self, folders: FolderMap) -> Resolved:
        return folders.special("\\Drafts", self.drafts_folder, "drafts_folder", DRAFTS_NAMES)

    def _draft_once(self, session: ImapSession, draft: OutgoingDraft) -> str:
        folder = self._drafts(session, create=True).name
        try:
            return append_once(session, folder, draft.raw, draft.key, _DRAFT_FLAGS, draft=True)
        except ServerUnavailable:
            raise
        except ConnectorError:
            self._drafts_name = None  # deleted or renamed meanwhile? look it up again next time
            raise

    def create_draft(self, draft: OutgoingDraft) -> str:
        """APPEND ``draft`` to the Drafts folder flagged \\Draft \\Seen, once per key; its
        remote id. Never sends anything."""
        check_key(draft.key)
        return self._link.attempt(Budget(), self._draft_once, draft)

    def _find_draft(self, session: ImapSession, key: str) -> str | None:
        folder = self._drafts(session, create=False)  # \\Deleted drafts are not found
        return find_key(session, folder.name, key, draft=True) if folder.exists else None

    def find_draft(self, key: str) -> str | None:
        """The remote id of the draft carrying ``key`` in the Drafts folder, or None."""
        check_key(key)
        return self._link.attempt(Budget(), self._find_draft, key)

    def drafts_folder_name(self) -> str:
        """The Drafts folder as found on the server (else as configured), for the summary
        (``bot.summary.links``); no server round trip."""
        return self._drafts_name.name if self._drafts_name is not None else self.drafts_folder

    # --- WithdrawsDrafts and ReadsDrafts ----------------------------------------------------

    def draft_content(self, key: str) -> bytes | None:
        """The draft carrying ``key`` in the Drafts folder, as the server holds it now."""
        check_key(key)
        return self._link.attempt(Budget(), moves.draft_content, self._find_draft, key)

    def saved_notes(self) -> Iterator[Message]:
        """The notes saved as drafts (:mod:`connectors.imap.saved_notes`), read-only."""
        return iter(self._link.attempt(Budget(), self._saved_notes))

    def _saved_notes(self, session: ImapSession) -> list[Message]:
        folder = self._drafts(session, create=False)
        return saved_notes(session, folder.name, self.limits) if folder.exists else []

    def delete_draft(self, key: str) -> bool:
        """Remove the draft carrying ``key`` from the Drafts folder, and nothing else."""
        check_key(key)
        return self._link.attempt(Budget(), moves.delete_draft, self._find_draft, key)

    def send_to_practitioner(self, raw: bytes, key: str) -> str:
        """APPEND the summary to INBOX (unread) once per ``key``; practitioner only."""
        check_key(key)
        require_practitioner_only(raw, self.practitioner_address)
        return self._link.attempt(Budget(), append_once, INBOX, raw, key, ())

    # --- chief doctor and chief run ---------------------------------------------------------

    def _check(self, session: ImapSession) -> str:
        folders = discover(session)
        self._watch_names = None  # resolved afresh, as a sync would
        watched = self._watching(session, folders)
        missing = [f for f in watched if f.upper() != INBOX and folders.has(f) is None]
        if missing:
            raise RemoteGone(
                f"watched folder(s) {', '.join(map(repr, missing))} not found on {self.host}",
                [
                    f"check `watch` in [mail] of chief.toml; the server has: "
                    f"{', '.join(sorted(f.name for f in folders.listed)[:15])}"
                ],
            )
        drafts = self._drafts_in(folders)
        sent = folders.special("\\Sent", self.sent_folder, "sent_folder", SENT_NAMES)
        corrections = sorted(folders.children(self.corrections_folder).values())
        offered = [c for c in _CAPABILITIES if c in session.capabilities]
        lacking = [c for c in _CAPABILITIES if c not in session.capabilities]
        return "; ".join(
            [
                f"signed in to {self.host}:{self.port} ({self.tls}) as {self.username}",
                f"server offers {', '.join(offered) or 'none of the extensions we use'}",
                *([f"lacks {', '.join(lacking)} (slower, still correct)"] if lacking else []),
                folders.namespace_line(),
                f"watching {', '.join(watched)}",
                "drafts: "
                + (drafts.describe() if drafts.exists else f"{drafts.name} (created on first use)"),
                "sent: " + (sent.describe() if sent.exists else "none found (not read)"),
                f"corrections: {', '.join(corrections) or 'none yet'}",
            ]
        )

    def check(self) -> str:
        """Connect, sign in, look at capabilities and folders: one line for `chief doctor`.
        Raises the connector's errors, each saying what to fix."""
        return self._link.attempt(Budget(), self._check)

    def _wait(self, session: ImapSession, timeout_s: float) -> bool | None:
        """True when a watched folder has mail the last sync did not read; else IDLE on the
        first folder for ``timeout_s`` (None when the server cannot IDLE: poll)."""
        first, *others = self._watching(session)
        for folder in others:  # STATUS: no need to leave the folder we IDLE on
            uidnext = session.uidnext(folder)
            if uidnext is not None and uidnext > self.reader.seen_uidnext.get(folder, 0):
                return True
        status = session.examine(first)
        if status is None:
            raise RemoteGone(f"watched folder {first!r} not found on {self.host}")
        if status.uidnext is not None and status.uidnext > self.reader.seen_uidnext.get(first, 0):
            return True  # arrived since the last sync looked
        if "IDLE" not in session.capabilities:
            return None
        try:
            return session.idle(timeout_s)
        finally:
            session.status = None  # what IDLE reported is newer than the EXAMINE

    def wait_for_changes(self, timeout_s: float) -> bool:
        """Block until new mail may have arrived in a watched folder, at most ``timeout_s``;
        True when it did. The first folder is watched with IDLE (RFC 2177) where offered, the
        others by STATUS at least every :data:`_OTHERS_EVERY_S` (IDLE sees one folder only);
        a server without IDLE is polled every 30 s. Holds the connection meanwhile: give
        it a connector of its own (``chief run`` does), or call it between syncs."""
        deadline = time.monotonic() + timeout_s
        slice_s = _OTHERS_EVERY_S if len(self._watched()) > 1 else timeout_s
        while True:
            left = max(0.0, deadline - time.monotonic())
            result = self._link.attempt(Budget(), self._wait, min(left, slice_s))
            if result:
                return True
            if left <= 0 or (result is False and deadline - time.monotonic() <= 0):
                return False
            if result is None:
                time.sleep(min(30.0, left))

    def mark_seen(self) -> None:
        """Take the folders as they are now as seen (a watcher that did not sync itself:
        ``chief run`` wakes a sync, then watches for what comes after)."""
        self._link.attempt(Budget(), self._mark_seen)

    def _mark_seen(self, session: ImapSession) -> None:
        for folder in self._watching(session):
            uidnext = session.uidnext(folder)
            if uidnext is not None:
                self.reader.seen_uidnext[folder] = uidnext
