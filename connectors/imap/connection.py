"""The connector's one IMAP connection: opened on first use, reopened once if it drops.

An *operation* is one public call of the connector (a whole ``changes()`` iteration, one
``create_draft``...). Within an operation a dropped connection
(:class:`~connectors.imap.session.ServerUnavailable` from a command) is reopened once and the
step retried; a second drop, or a failure to connect at all, reaches the caller: the pipeline
stops and the next run resumes from the stored cursor.

A refused sign-in is never retried with the same secret by the same instance: the
:class:`~bot.errors.AuthError` is remembered (by a hash of the secret, never the secret) and
raised again without contacting the server, so the pipeline asking for a connection once per
pending draft cannot turn one wrong password into a storm of LOGINs and an account lock-out.
A changed password file (or a refreshed XOAUTH2 token) is tried, once.
"""

from __future__ import annotations

import hashlib
import logging
import ssl
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from bot.errors import AuthError
from connectors.imap.session import ImapSession, ServerUnavailable, Tls

__all__ = ["Budget", "Connection"]

log = logging.getLogger(__name__)

T = TypeVar("T")


class Budget:
    """How many reconnects one operation may still make."""

    def __init__(self, reconnects: int = 1) -> None:
        self.reconnects = reconnects


class Connection:
    """Holds at most one :class:`ImapSession`."""

    def __init__(
        self,
        host: str,
        port: int,
        tls: Tls,
        timeout: float,
        username: str,
        secret: Callable[[], tuple[str, str]],
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host, self.port, self.tls, self.timeout = host, port, tls, timeout
        self.ssl_context = ssl_context
        self.username = username
        self._secret = secret
        self._session: ImapSession | None = None
        self._refused: tuple[str, AuthError] | None = None
        # One command at a time: a sync's prefetching thread and a draft written between two
        # batches share the connection.
        self._lock = threading.RLock()
        self._interrupted = False

    def session(self) -> ImapSession:
        """The open session, connecting and signing in first if needed."""
        with self._lock:
            return self._open()

    def _open(self) -> ImapSession:
        if self._session is None:
            kind, secret = self._secret()
            tried = hashlib.sha256(f"{kind}\0{secret}".encode()).hexdigest()
            if self._refused is not None and self._refused[0] == tried:
                raise AuthError(str(self._refused[1]))
            try:
                self._session = ImapSession.open(
                    self.host,
                    self.port,
                    self.tls,
                    self.timeout,
                    self.username,
                    (kind, secret),
                    self.ssl_context,
                )
            except AuthError as exc:
                self._refused = (tried, exc)
                raise
        return self._session

    def attempt(self, budget: Budget, op: Callable[..., T], *args: Any) -> T:
        """``op(session, *args)``, reopening the connection once per operation if it drops.
        ``op`` must be safe to repeat (re-EXAMINE what it needs, search before appending)."""
        with self._lock:
            session = self._open()  # a failure to connect is not retried here
            try:
                return op(session, *args)
            except ServerUnavailable:
                self.discard()
                if budget.reconnects <= 0 or self._interrupted:
                    self._interrupted = False
                    raise
                budget.reconnects -= 1
                log.warning(
                    "imap: connection to %s:%d lost; reconnecting once", self.host, self.port
                )
                return op(self._open(), *args)

    def interrupt(self) -> None:
        """Cut the open connection from another thread, without waiting for the command in
        flight (which then fails); the next operation reconnects."""
        self._interrupted = True  # the failing command is not retried
        session = self._session
        if session is not None:
            session.interrupt()

    def discard(self) -> None:
        """Drop the session without a LOGOUT (its state is unknown)."""
        with self._lock:
            session, self._session = self._session, None
            if session is not None:
                session.close(logout=False)

    def close(self) -> None:
        """LOGOUT and close; a later :meth:`session` opens a new connection."""
        with self._lock:
            session, self._session = self._session, None
            if session is not None:
                session.close()
