"""IMAP: the practitioner's own mail server (Fastmail, iCloud, Proton Bridge, Dovecot...).

Reading (RFC 3501 / RFC 9051) is strictly read-only: each watched folder is opened with
EXAMINE, never SELECT, and bodies are fetched with ``BODY.PEEK[]<0.N>``, so nothing is marked
\\Seen and no flag is touched. A PROVIDER ID is ``folder/UIDVALIDITY/UID``; the CURSOR is
per-folder UIDVALIDITY, highest UID read and HIGHESTMODSEQ (:mod:`connectors.imap.cursor`).

One sync, per watched folder:

1. EXAMINE: UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ (RFC 7162 CONDSTORE, enabled at sign-in).
   Same UIDVALIDITY and UIDNEXT not past the highest UID read: nothing new, nothing fetched,
   nothing yielded. With an open connection a no-change sync is this one round trip.
2. Otherwise ``UID SEARCH UID a:b`` (in windows of 10,000 UIDs, so memory never grows with the
   mailbox), then, ``batch_size`` UIDs at a time, two rounds of ``UID FETCH``
   (:mod:`connectors.imap.parse`): ``RFC822.SIZE``, ``BODYSTRUCTURE`` and the headers a
   Message needs; then only the text and calendar parts, as ``BODY.PEEK[section]<0.N>``
   (at most ``max_body_bytes`` of a part). Attachments are never downloaded. Each batch is
   parsed and yielded as one :class:`~connectors.base.Batch` whose cursor is that batch's
   highest UID, so a crash mid-sync resumes after the last batch the pipeline committed.
   The next batch is fetched on a worker thread while the pipeline works on this one
   (:mod:`connectors.prefetch`); the connection's lock keeps each command whole.
3. A different UIDVALIDITY (the folder was recreated, or the server rebuilt its index) is
   logged at INFO and the folder is read again from the start.

Writing is exactly-once per IDEMPOTENCY KEY: the key travels in the ``X-Chief-Key`` header,
and before any APPEND (RFC 3501 6.3.11) the target folder is searched for it
(``UID SEARCH HEADER``, then the header compared exactly, since SEARCH matches substrings).
Drafts go to the folder flagged ``\\Drafts`` (RFC 6154 SPECIAL-USE), else ``drafts_folder``
(created if missing), flagged ``\\Draft \\Seen``; the remote id comes from APPENDUID
(RFC 4315 UIDPLUS). The daily summary is appended to INBOX, unread, and only when addressed to
the practitioner alone.

One connection per instance, opened on first use and closed by :meth:`close`. Within one
operation a dropped connection is reopened once; a refused sign-in never is.
"""

from __future__ import annotations

import logging
import ssl
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

from bot.errors import AuthError, ChiefError, ConnectorError, CursorInvalid, RemoteGone, UserError
from bot.keys import check_key
from bot.mail.message import Limits
from connectors.base import Batch, Cursor, OutgoingDraft
from connectors.imap.append import (
    append_once,
    drafts_folder,
    find_key,
)
from connectors.imap.connection import Budget, Connection
from connectors.imap.cursor import FolderMark, dump_cursor, parse_cursor
from connectors.imap.parse import (
    SURVEY_ITEMS,
    Surveyed,
    build,
    section_groups,
    section_items,
    survey,
)
from connectors.imap.session import FolderStatus, ImapSession, ServerUnavailable, Tls
from connectors.oauth_token import token_provider
from connectors.passwords import is_loopback, read_password
from connectors.prefetch import prefetched
from connectors.recipients import require_practitioner_only

__all__ = ["ImapConnector", "ServerUnavailable"]

log = logging.getLogger(__name__)

INBOX = "INBOX"
_SEARCH_WINDOW = 10_000  # UIDs per UID SEARCH: memory stays flat however big the folder
_FRESH_S = 1.0  # estimate()'s EXAMINE, handed to the changes() that follows at once
_DRAFT_FLAGS = (b"\\Draft", b"\\Seen")
_CAPABILITIES = ("CONDSTORE", "QRESYNC", "SPECIAL-USE", "UIDPLUS", "IDLE")
_OTHERS_EVERY_S = 60.0  # how often wait_for_changes() looks at the folders it cannot IDLE on


class _ValidityChanged(Exception):
    """UIDVALIDITY changed while a folder was being read."""


class ImapConnector:
    """Mail source, draft sink and summary sender over one IMAP account."""

    # UIDVALIDITY + UID cursor; None means full. No provider thread ids: headers thread.
    # EXAMINE + BODY.PEEK: reading changes no flag. Waits with IDLE where offered.
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
        if ca_file is not None and not Path(ca_file).is_file():
            problems.append(f"`ca_file` in [mail]: no file at {ca_file}")
        if problems:
            raise UserError("invalid [mail] settings for the IMAP connector", problems)
        if auth == "xoauth2" and xoauth2_token_provider is None:
            xoauth2_token_provider = token_provider("mail", token_command, token_file)
        if xoauth2_token_provider is None:  # fail early on a missing or unsafe password file
            read_password("mail", password_file, password_env, username)
        self.host, self.port, self.username, self.tls = host, int(port), username, tls
        self.password_file, self.password_env = password_file, password_env
        self.watch = watch
        self.drafts_folder = drafts_folder
        self.batch_size = batch_size
        self.max_body_bytes = max_body_bytes
        self.timeout = float(timeout)
        self.xoauth2_token_provider = xoauth2_token_provider
        self.practitioner_address = (practitioner_address or "").strip().lower() or None
        self.limits = limits or Limits()
        # A private CA (a practice's own server, a bridge's certificate) is trusted only when
        # named; the system's trust store otherwise.
        context = ssl.create_default_context(cafile=str(ca_file)) if ca_file else None
        self._link = Connection(host, self.port, tls, self.timeout, username, self._secret, context)
        self._drafts_name: str | None = None
        self._seen_uidnext: dict[str, int] = {}
        self._estimated: dict[str, tuple[ImapSession, FolderStatus, float]] = {}

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
        """From another thread: end a :meth:`wait_for_changes` (or any command) at once by
        cutting the connection; safe to call at any time."""
        self._link.interrupt()

    def __enter__(self) -> ImapConnector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- MailSource -------------------------------------------------------------------------

    def estimate(self, cursor: Cursor | None) -> int | None:
        """At most how many messages ``changes(cursor)`` reads (a progress bar's total)."""
        try:
            marks = parse_cursor(cursor)
        except CursorInvalid:
            marks = {}
        total, budget = 0, Budget()
        for folder in self.watch:
            status = self._link.attempt(budget, ImapSession.examine, folder)
            if status is None:
                continue
            self._estimated[folder] = (self._link.session(), status, time.monotonic())
            mark = marks.get(folder)
            if mark and mark.uidvalidity == status.uidvalidity and status.uidnext is not None:
                total += max(0, status.uidnext - 1 - mark.last_uid)
            else:
                total += status.exists
        return total

    def changes(self, cursor: Cursor | None) -> Iterator[Batch]:
        """Yield batches of messages that arrived after ``cursor`` (all when ``None``).

        Raises :class:`~bot.errors.CursorInvalid` (before yielding) for a cursor of another
        shape; nothing is yielded when no watched folder changed.
        """
        marks = parse_cursor(cursor)
        budget = Budget()
        for position, folder in enumerate(self.watch):
            if position:  # estimate()'s view of later folders is not "just before" any more
                self._estimated.pop(folder, None)
            for _ in range(3):
                try:
                    yield from self._folder_changes(folder, marks, budget)
                    break
                except _ValidityChanged:
                    log.info("imap: folder %s: UIDVALIDITY changed mid-sync; rereading", folder)
                    marks.pop(folder, None)
            else:
                raise ConnectorError(
                    f"folder {folder!r} keeps changing its UIDVALIDITY; try again later"
                )

    def _folder_changes(
        self, folder: str, marks: dict[str, FolderMark], budget: Budget
    ) -> Iterator[Batch]:
        status = self._link.attempt(budget, self._status, folder)
        if status is None:
            log.warning("imap: watched folder %s not found on the server; skipped", folder)
            return
        if status.uidnext is not None:
            self._seen_uidnext[folder] = status.uidnext
        mark = marks.get(folder)
        if mark is not None and mark.uidvalidity != status.uidvalidity:
            log.info(
                "imap: folder %s: UIDVALIDITY changed (%d -> %d); reading it again in full "
                "(messages already logged are not logged twice)",
                folder,
                mark.uidvalidity,
                status.uidvalidity,
            )
            mark = None
        last = mark.last_uid if mark else 0
        end = status.uidnext - 1 if status.uidnext is not None else None
        if mark is not None and end is not None and end <= last:
            if mark.modseq != status.highestmodseq:  # flags or expunges only: nothing to read
                marks[folder] = replace(mark, modseq=status.highestmodseq)
                yield Batch((), dump_cursor(marks))
            return
        validity, top = status.uidvalidity, last
        reads = prefetched(self._reads(folder, validity, last, end, budget), "chief-imap-fetch")
        for chunk, final, (surveyed, parts) in reads:
            messages, failed = build(folder, validity, surveyed, parts, self.limits)
            del surveyed, parts
            top = max(chunk[-1], end or 0) if final else chunk[-1]
            marks[folder] = FolderMark(validity, top, status.highestmodseq if final else None)
            yield Batch(tuple(messages), dump_cursor(marks), tuple(failed))
            if final:
                return
        # The last window held nothing (expunged, or an empty folder): close the folder.
        marks[folder] = FolderMark(validity, max(top, end or 0), status.highestmodseq)
        yield Batch((), dump_cursor(marks))

    def _reads(
        self, folder: str, validity: int, last: int, end: int | None, budget: Budget
    ) -> Iterator[tuple[list[int], bool, tuple[list[Surveyed], dict[int, dict[bytes, Any]]]]]:
        """(UIDs, last batch of the folder?, what was fetched) per batch after ``last``: the
        network side of a folder's sync, run one batch ahead by :func:`prefetched`."""
        lo = last + 1
        while end is None or lo <= end:
            hi = None if end is None else min(end, lo + _SEARCH_WINDOW - 1)
            uids = self._link.attempt(budget, self._search, folder, validity, lo, hi)
            last_window = hi is None or hi == end
            for start in range(0, len(uids), self.batch_size):
                chunk = uids[start : start + self.batch_size]
                final = last_window and start + self.batch_size >= len(uids)
                yield chunk, final, self._link.attempt(budget, self._fetch, folder, validity, chunk)
                if final:
                    return
            if hi is None:
                return
            lo = hi + 1

    def _status(self, session: ImapSession, folder: str) -> FolderStatus | None:
        """EXAMINE ``folder``, unless :meth:`estimate` did so just before this sync (its
        answer is used once: a later sync always asks the server again)."""
        handed = self._estimated.pop(folder, None)
        if handed is not None:
            owner, status, at = handed
            fresh = time.monotonic() - at < _FRESH_S
            if owner is session and session.selected == folder and fresh:
                return status
        return session.examine(folder)

    def _enter(self, session: ImapSession, folder: str, validity: int) -> None:
        """Make ``folder`` the selected one again (a draft search may have moved away)."""
        if session.selected == folder:
            return
        status = session.examine(folder)
        if status is None:
            raise RemoteGone(f"folder {folder!r} disappeared from the server during the sync")
        if status.uidvalidity != validity:
            raise _ValidityChanged

    def _search(
        self, session: ImapSession, folder: str, validity: int, lo: int, hi: int | None
    ) -> list[int]:
        self._enter(session, folder, validity)
        found = session.uid_search(["UID", f"{lo}:{'*' if hi is None else hi}"])
        # "n:*" always matches the highest UID, even one below n (RFC 3501 6.4.8).
        return [uid for uid in found if uid >= lo and (hi is None or uid <= hi)]

    def _fetch(
        self, session: ImapSession, folder: str, validity: int, uids: list[int]
    ) -> tuple[list[Surveyed], dict[int, dict[bytes, Any]]]:
        """The two FETCH rounds of one batch: structures and headers, then the parts read."""
        self._enter(session, folder, validity)
        first = session.uid_fetch(uids, SURVEY_ITEMS)
        surveyed = survey(uids, first, self.limits, self.max_body_bytes)
        del first
        parts: dict[int, dict[bytes, Any]] = {}
        for sections, group in section_groups(surveyed).items():
            parts.update(session.uid_fetch(group, section_items(sections)))
        return surveyed, parts

    # --- DraftSink and Sender ---------------------------------------------------------------

    def _drafts(self, session: ImapSession, create: bool) -> str | None:
        if self._drafts_name is None:
            self._drafts_name = drafts_folder(session, self.drafts_folder, create)
        return self._drafts_name

    def _draft_once(self, session: ImapSession, draft: OutgoingDraft) -> str:
        folder = self._drafts(session, create=True)
        assert folder is not None
        try:
            return append_once(session, folder, draft.raw, draft.key, _DRAFT_FLAGS)
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
        folder = self._drafts(session, create=False)
        return None if folder is None else find_key(session, folder, key)

    def find_draft(self, key: str) -> str | None:
        """The remote id of the draft carrying ``key`` in the Drafts folder, or None."""
        check_key(key)
        return self._link.attempt(Budget(), self._find_draft, key)

    def send_to_practitioner(self, raw: bytes, key: str) -> str:
        """APPEND the summary to INBOX (unread) once per ``key``; practitioner only."""
        check_key(key)
        require_practitioner_only(raw, self.practitioner_address)
        return self._link.attempt(Budget(), append_once, INBOX, raw, key, ())

    # --- chief doctor and chief run ---------------------------------------------------------

    def _check(self, session: ImapSession) -> str:
        folders = {name for _, name in session.list_folders()}
        missing = [f for f in self.watch if f not in folders and f.upper() != INBOX]
        if missing:
            raise RemoteGone(
                f"watched folder(s) {', '.join(map(repr, missing))} not found on {self.host}",
                [
                    f"check `watch` in [mail] of chief.toml; the server has: "
                    f"{', '.join(sorted(folders)[:15])}"
                ],
            )
        drafts = self._drafts(session, create=False)
        offered = [c for c in _CAPABILITIES if c in session.capabilities]
        lacking = [c for c in _CAPABILITIES if c not in session.capabilities]
        return "; ".join(
            [
                f"signed in to {self.host}:{self.port} ({self.tls}) as {self.username}",
                f"server offers {', '.join(offered) or 'none of the extensions we use'}",
                *([f"lacks {', '.join(lacking)} (slower, still correct)"] if lacking else []),
                f"watching {', '.join(self.watch)}",
                "drafts go to "
                + (repr(drafts) if drafts else f"{self.drafts_folder!r} (created on first use)"),
            ]
        )

    def check(self) -> str:
        """Connect, sign in, look at capabilities and folders: one line for `chief doctor`.
        Raises the connector's errors, each saying what to fix."""
        return self._link.attempt(Budget(), self._check)

    def _wait(self, session: ImapSession, timeout_s: float) -> bool | None:
        """True when a watched folder has mail the last sync did not read; else IDLE on the
        first folder for ``timeout_s`` (None when the server cannot IDLE: poll)."""
        first, *others = self.watch
        for folder in others:  # STATUS: no need to leave the folder we IDLE on
            uidnext = session.uidnext(folder)
            if uidnext is not None and uidnext > self._seen_uidnext.get(folder, 0):
                return True
        status = session.examine(first)
        if status is None:
            raise RemoteGone(f"watched folder {first!r} not found on {self.host}")
        if status.uidnext is not None and status.uidnext > self._seen_uidnext.get(first, 0):
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
        slice_s = _OTHERS_EVERY_S if len(self.watch) > 1 else timeout_s
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
        for folder in self.watch:
            uidnext = session.uidnext(folder)
            if uidnext is not None:
                self._seen_uidnext[folder] = uidnext
