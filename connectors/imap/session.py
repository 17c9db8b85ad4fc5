"""One IMAP connection: connect, sign in, and the few commands the connector sends.

Every imapclient / imaplib / socket / TLS exception is translated here into :mod:`bot.errors`
(``raise ... from exc``), so nothing above this module sees a provider exception::

    ConnectorError
    ├── AuthError            LOGIN / AUTHENTICATE refused (RFC 3501 6.2.3; RFC 5530
    │                        AUTHENTICATIONFAILED): never retried
    └── ServerUnavailable    cannot connect, no answer within the timeout, or the connection
                             dropped (EOF, reset, BYE): transient; the connector reopens once
                             within an operation, and the next run resumes from the cursor

Commands answered NO or BAD become a plain :class:`~bot.errors.ConnectorError` naming the
command and the server's own words (:class:`~bot.errors.RateLimited` for the RFC 5530
``[LIMIT]`` code, or Gmail's ``[THROTTLED]``). Error texts never carry message data: an
aborted read can hold a fragment of a message, so it is reported by kind ("the server closed
the connection"), not quoted.

imapclient logs the protocol (message literals and the LOGIN line included) at DEBUG level;
that logger is capped at INFO here and imaplib's own trace is switched off per connection, so
``chief -v`` never shows a password, a subject or a body.
"""

from __future__ import annotations

import logging
import re
import socket
import ssl
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any, Literal

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError

from bot.errors import AuthError, ConnectorError, RateLimited, UserError
from connectors.imap.fetch_parser import FetchSyntax, parse_fetch, uid_set
from connectors.imap.translation import (
    ServerUnavailable,
    abort_reason,
    connect_error,
    is_exists,
    is_nonexistent,
    os_reason,
    server_words,
)

__all__ = ["FolderStatus", "ImapSession", "Listed", "ServerUnavailable", "Tls"]

log = logging.getLogger(__name__)
# imapclient's DEBUG trace quotes literals (message bytes) and the LOGIN command.
logging.getLogger("imapclient").setLevel(logging.INFO)

Tls = Literal["ssl", "starttls", "none"]
_APPENDUID_RE = re.compile(rb"\[APPENDUID (\d+) (\d+)\]", re.IGNORECASE)
_TEMPORARY_AUTH_CODES = ("[UNAVAILABLE]", "[SERVERBUG]", "[INUSE]", "[LIMIT]")


@dataclass(frozen=True, slots=True)
class FolderStatus:
    """What SELECT / EXAMINE reports about a folder (RFC 3501 6.3.1, RFC 7162 3.1.2.1)."""

    uidvalidity: int
    uidnext: int | None  # None when the server did not send it
    highestmodseq: int | None  # None without CONDSTORE
    exists: int


@dataclass(frozen=True, slots=True)
class Listed:
    """One folder of a LIST answer (RFC 3501 7.2.2): name (decoded from modified UTF-7),
    hierarchy delimiter (None: flat) and attributes, lower-cased (``\\drafts``)."""

    name: str
    delimiter: str | None
    attributes: frozenset[str]


class ImapSession:
    """An authenticated connection. Create with :meth:`open`; discard after any
    :class:`ServerUnavailable` (its state is then unknown)."""

    def __init__(self, client: Any, where: str, timeout: float) -> None:
        self._client = client
        self.where = where  # "host:port", for messages
        self.timeout = timeout
        self.capabilities: frozenset[str] = frozenset()
        self.selected: str | None = None
        self.status: FolderStatus | None = None  # of ``selected``, when selected
        self._namespace: tuple[tuple[str, str | None] | None] | None = None  # asked once

    # --- opening ----------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        host: str,
        port: int,
        tls: Tls,
        timeout: float,
        username: str,
        secret: tuple[str, str],
        ssl_context: ssl.SSLContext | None = None,
    ) -> ImapSession:
        """Connect, negotiate TLS, sign in once with ``secret`` (("password" | "xoauth2",
        value)), then ENABLE CONDSTORE (RFC 7162 3.1) where offered."""
        where = f"{host}:{port}"
        context = ssl_context or (ssl.create_default_context() if tls != "none" else None)
        try:
            client = IMAPClient(host, port, ssl=tls == "ssl", ssl_context=context, timeout=timeout)
        except (OSError, IMAPClientError) as exc:
            raise connect_error(exc, host, port, timeout) from exc
        client._imap.debug = 0  # imaplib's own trace (LOGIN line included): off
        session = cls(client, where, timeout)
        try:
            with session._translated("the greeting"):
                if tls == "starttls":
                    if b"STARTTLS" not in client.capabilities():
                        raise UserError(
                            f"the IMAP server {where} does not offer STARTTLS",
                            ['use tls = "ssl" (usually port 993) in [mail] of chief.toml'],
                        )
                    client.starttls(context)
                if b"LOGINDISABLED" in client.capabilities() and tls == "none":
                    raise UserError(
                        f"the IMAP server {where} refuses passwords on an unencrypted connection",
                        ['set tls = "ssl" (port 993) or "starttls" (port 143) in [mail]'],
                    )
            session._login(host, username, secret)
            with session._translated("reading the capabilities"):
                session.capabilities = frozenset(
                    c.decode("ascii", "replace").upper() for c in client.capabilities()
                )
                if "CONDSTORE" in session.capabilities and "ENABLE" in session.capabilities:
                    client.enable("CONDSTORE")
        except BaseException:
            session.close(logout=False)
            raise
        log.debug("imap: signed in to %s; %d capabilities", where, len(session.capabilities))
        return session

    def _login(self, host: str, username: str, secret: tuple[str, str]) -> None:
        """Exactly one LOGIN (RFC 3501 6.2.3) or AUTHENTICATE XOAUTH2; a refusal is an
        :class:`AuthError`."""
        kind, value = secret
        with self._translated("signing in"):
            try:
                if kind == "xoauth2":
                    self._client.oauth2_login(username, value)
                else:
                    self._client.login(username, value)
            except LoginError as exc:
                # imapclient wraps every failure of LOGIN, a dropped connection included.
                text = str(exc)
                if "socket error" in text or "EOF" in text:
                    raise ServerUnavailable(
                        f"lost the connection to the IMAP server {self.where} while signing "
                        f"in ({abort_reason(exc)}); the next run tries again"
                    ) from exc
                if any(code in text.upper() for code in _TEMPORARY_AUTH_CODES):
                    raise ServerUnavailable(
                        f"the IMAP server {self.where} could not check the sign-in right "
                        f"now ({server_words(text)}); the next run tries again"
                    ) from exc
                what = (
                    "access token (`token_command` or `token_file`"
                    if kind == "xoauth2"
                    else "password / app password (`password_file` or `password_env`"
                )
                raise AuthError(
                    f"the IMAP server {host} refused the sign-in for {username}: check the "
                    f"{what} in [mail] of chief.toml); not retried automatically: fix it, "
                    "then run `chief doctor`"
                ) from exc

    # --- commands ---------------------------------------------------------------------------

    def examine(self, folder: str) -> FolderStatus | None:
        """EXAMINE ``folder`` (read-only SELECT, RFC 3501 6.3.2: nothing is marked \\Seen);
        None when the folder does not exist."""
        self.selected, self.status = None, None
        try:
            with self._translated(f"EXAMINE of folder {folder!r}"):
                raw = self._client.select_folder(folder, readonly=True)
        except ConnectorError as exc:
            if not isinstance(exc, ServerUnavailable) and is_nonexistent(exc.__cause__):
                return None
            raise
        try:
            status = FolderStatus(
                uidvalidity=int(raw[b"UIDVALIDITY"]),
                uidnext=int(raw[b"UIDNEXT"]) if b"UIDNEXT" in raw else None,
                highestmodseq=int(raw[b"HIGHESTMODSEQ"]) if b"HIGHESTMODSEQ" in raw else None,
                exists=int(raw.get(b"EXISTS", 0)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConnectorError(
                f"the IMAP server {self.where} sent no usable UIDVALIDITY for {folder!r}"
            ) from exc
        self.selected, self.status = folder, status
        return status

    def uid_search(self, criteria: Sequence[str | bytes]) -> list[int]:
        """UID SEARCH in the selected folder (RFC 3501 6.4.4)."""
        with self._translated("UID SEARCH"):
            return sorted(int(uid) for uid in self._client.search(list(criteria)))

    def uid_fetch(self, uids: Sequence[int], items: Sequence[bytes]) -> dict[int, dict[bytes, Any]]:
        """UID FETCH ``items`` for ``uids`` in the selected folder (RFC 3501 6.4.5), read by
        :mod:`connectors.imap.fetch_parser` (imapclient's own reader costs more than the
        rest of a sync)."""
        if not uids:
            return {}
        with self._translated("UID FETCH"):
            imap = self._client._imap
            typ, data = imap.uid("FETCH", uid_set(sorted(uids)), b"(" + b" ".join(items) + b")")
            if typ != "OK":
                raise ConnectorError(
                    f"the IMAP server {self.where} refused a UID FETCH "
                    f"({server_words(str(data[0] if data else ''))})"
                )
            try:
                return parse_fetch(data)
            except FetchSyntax as exc:
                raise ConnectorError(
                    f"the IMAP server {self.where} sent a FETCH answer that cannot be read "
                    f"({exc}); please report it with `chief doctor` output"
                ) from exc

    def append(self, folder: str, raw: bytes, flags: Sequence[bytes]) -> tuple[int, int] | None:
        """APPEND (RFC 3501 6.3.11); the (UIDVALIDITY, UID) of the new message from APPENDUID
        (RFC 4315 3) when the server offers UIDPLUS, else None. Never into the selected
        folder: Courier refuses an APPEND to the folder it has open read-only (EXAMINE), so
        that folder is left first (:meth:`unselect`)."""
        if self.selected == folder:
            self.unselect()
        with self._translated(f"APPEND to folder {folder!r}"):
            answer = self._client.append(folder, raw, flags=tuple(flags))
        found = _APPENDUID_RE.search(answer if isinstance(answer, bytes) else b"")
        return (int(found.group(1)), int(found.group(2))) if found else None

    def unselect(self) -> None:
        """Leave the selected folder: UNSELECT (RFC 3691) where offered, else CLOSE, which
        after EXAMINE expunges nothing (RFC 3501 6.4.2: the folder is read-only)."""
        self.selected, self.status = None, None
        if "UNSELECT" in self.capabilities:
            with self._translated("UNSELECT"):
                self._client.unselect_folder()
        else:
            with self._translated("CLOSE"):
                self._client.close_folder()

    def personal_namespace(self) -> tuple[str, str | None] | None:
        """(prefix, delimiter) of the first personal namespace by NAMESPACE (RFC 2342 5),
        asked once per session; None when the server lacks NAMESPACE or has none."""
        if self._namespace is None:
            found: tuple[str, str | None] | None = None
            if "NAMESPACE" in self.capabilities:
                try:
                    with self._translated("NAMESPACE"):
                        personal = self._client.namespace().personal
                except ServerUnavailable:
                    raise
                except ConnectorError:  # announced but refused: as if not offered
                    personal = None
                if personal:
                    prefix, delimiter = personal[0]
                    found = (str(prefix), str(delimiter) if delimiter else None)
            self._namespace = (found,)
        return self._namespace[0]

    def list_folders(self, return_special_use: bool = False) -> list[Listed]:
        """``LIST "" "*"``, or with ``return_special_use`` ``LIST "" "*" RETURN
        (SPECIAL-USE)`` (RFC 5258 3, RFC 6154 2): the attributes of a server that reports
        them only when asked."""
        with self._translated("LIST"):
            client = self._client
            if return_special_use:
                root, everything = client._normalise_folder(""), client._normalise_folder("*")
                imap = client._imap
                typ, data = imap._simple_command(
                    "LIST", root, everything, "RETURN", "(SPECIAL-USE)"
                )
                client._checkok("LIST", typ, data)
                typ, data = imap._untagged_response(typ, data, "LIST")
                listing = client._proc_folder_list(data)
            else:
                listing = client.list_folders()
        return [
            Listed(
                str(name),
                delimiter.decode("ascii", "replace")
                if isinstance(delimiter, bytes)
                else (str(delimiter) if delimiter else None),
                frozenset(f.decode("ascii", "replace").lower() for f in flags),
            )
            for flags, delimiter, name in listing
        ]

    def create_folder(self, folder: str) -> None:
        with self._translated(f"CREATE of folder {folder!r}"):
            self._client.create_folder(folder)
            try:
                self._client.subscribe_folder(folder)
            except IMAPClientAbortError:
                raise
            except IMAPClientError:
                log.debug("imap: could not subscribe to a created folder")

    def idle(self, timeout_s: float) -> bool:
        """IDLE (RFC 2177) on the selected folder for up to ``timeout_s``; True when the
        server announced new messages (EXISTS). Re-issued every 25 minutes, under the
        29-minute limit of RFC 2177 3."""
        deadline = time.monotonic() + timeout_s
        with self._translated("IDLE"):
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._client.idle()
                try:
                    answers = self._client.idle_check(timeout=min(left, 25 * 60))
                finally:
                    _text, more = self._client.idle_done()
                if any(is_exists(a) for a in [*answers, *more]):
                    return True

    def uidnext(self, folder: str) -> int | None:
        """UIDNEXT of ``folder`` by STATUS (RFC 3501 6.3.10), without selecting it; None when
        the server does not say."""
        with self._translated(f"STATUS of folder {folder!r}"):
            answer = self._client.folder_status(folder, [b"UIDNEXT"])
        value = answer.get(b"UIDNEXT")
        return int(value) if isinstance(value, int) else None

    def noop(self) -> None:
        with self._translated("NOOP"):
            self._client.noop()

    def close(self, logout: bool = True) -> None:
        """LOGOUT (when asked and possible), then close the socket; never raises."""
        self.selected, self.status = None, None
        client, self._client = self._client, None
        if client is None:
            return
        if logout:
            try:
                client.logout()
                return
            except Exception:  # already gone: fall through to a plain close
                pass
        with suppress(Exception):
            client.shutdown()

    def interrupt(self) -> None:
        """Cut the connection from another thread (a command waiting on it, such as IDLE, then
        fails at once); never raises. The session is unusable afterwards."""
        client = self._client
        if client is not None:
            with suppress(Exception):
                client.socket().shutdown(socket.SHUT_RDWR)

    # --- error translation ------------------------------------------------------------------

    @contextmanager
    def _translated(self, what: str) -> Iterator[None]:
        if self._client is None:
            raise ServerUnavailable(f"the connection to {self.where} is closed")
        try:
            yield
        except LoginError:
            raise
        except IMAPClientAbortError as exc:
            raise ServerUnavailable(
                f"lost the connection to the IMAP server {self.where} during {what} "
                f"({abort_reason(exc)}); the next sync resumes where this one stopped"
            ) from exc
        except TimeoutError as exc:
            raise ServerUnavailable(
                f"the IMAP server {self.where} did not answer {what} within "
                f"{self.timeout:g} s; the next sync resumes where this one stopped"
            ) from exc
        except OSError as exc:  # reset, broken pipe, TLS failure mid-stream
            raise ServerUnavailable(
                f"lost the connection to the IMAP server {self.where} during {what} "
                f"({os_reason(exc)}); the next sync resumes where this one stopped"
            ) from exc
        except IMAPClientError as exc:
            words = server_words(str(exc))
            if any(code in words.upper() for code in ("[LIMIT]", "[THROTTLED]")):
                raise RateLimited(  # RFC 5530 LIMIT; Gmail's THROTTLED
                    f"the IMAP server {self.where} asked us to slow down during {what}: {words}"
                ) from exc
            raise ConnectorError(f"the IMAP server {self.where} refused {what}: {words}") from exc
