"""The project's own exceptions.

Every error a user can see is one of these; provider and library exceptions are translated at
the edge (``raise ... from exc``), never above ``connectors/``.

::

    ChiefError
    ├── UserError            a problem the user can fix (config, rule file, arguments);
    │                        carries a list of problems, shown without a traceback
    ├── MessageError         one message cannot be understood; the run goes on
    ├── TemplateError        a template cannot be rendered; names the template, never the data
    └── ConnectorError       a provider failed
        ├── AuthError        sign-in refused or expired: tells the user how to sign in again
        ├── RateLimited      the provider asked us to slow down (``retry_after`` seconds)
        ├── CursorInvalid    the stored sync cursor is no longer valid: resync in full
        └── RemoteGone       the remote object or folder no longer exists

Messages in these exceptions name files, lines, ids and hashes: never a patient's name, a
subject line or a message body.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "AuthError",
    "ChiefError",
    "ConnectorError",
    "CursorInvalid",
    "MessageError",
    "RateLimited",
    "RemoteGone",
    "TemplateError",
    "UserError",
]


class ChiefError(Exception):
    """Base of every error raised by Practice Chief of Staff."""


class UserError(ChiefError):
    """Something the user can fix; ``problems`` are shown one per line, without a traceback."""

    def __init__(self, message: str, problems: Iterable[str] = ()) -> None:
        self.problems = list(problems)
        super().__init__(message)

    def __str__(self) -> str:
        head = super().__str__()
        if not self.problems:
            return head
        return "\n".join([head, *self.problems])


class MessageError(ChiefError):
    """One message could not be parsed or processed; ``item`` names it (path or provider id)."""

    def __init__(self, item: str, reason: str) -> None:
        self.item = item
        self.reason = reason
        super().__init__(f"{item}: {reason}")


class TemplateError(ChiefError):
    """A template failed to render; names the template and line, never the values."""


class ConnectorError(ChiefError):
    """A mail or calendar provider failed."""


class AuthError(ConnectorError):
    """Sign-in refused, revoked or expired."""


class RateLimited(ConnectorError):
    """The provider throttled us; retry after ``retry_after`` seconds (None: use backoff)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class CursorInvalid(ConnectorError):
    """The stored sync cursor can no longer be used; the caller resyncs in full."""


class RemoteGone(ConnectorError):
    """A remote folder, calendar or object no longer exists."""
