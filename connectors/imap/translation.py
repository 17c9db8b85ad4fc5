"""What the IMAP server's failures mean to the practitioner, in words that say what to fix.

:class:`ServerUnavailable` is the transient failure (cannot connect, no answer, connection
dropped); the other helpers turn socket, TLS and imapclient failures into sentences that never
quote message data (an aborted read can hold a fragment of a message).
"""

from __future__ import annotations

import re
import socket
import ssl
from typing import Any

from bot.errors import ConnectorError

__all__ = [
    "ServerUnavailable",
    "abort_reason",
    "connect_error",
    "is_exists",
    "is_nonexistent",
    "os_reason",
    "server_words",
]


class ServerUnavailable(ConnectorError):
    """The IMAP server could not be reached, did not answer in time, or dropped the connection.

    Transient: nothing was half-done on our side (reading is read-only, and writes are found
    again by their key), so the next run simply resumes from the stored cursor.
    """


def connect_error(exc: BaseException, host: str, port: int, timeout: float) -> ConnectorError:
    where = f"{host}:{port}"
    fix = "check `host`, `port` and `tls` in [mail] of chief.toml"
    if isinstance(exc, ConnectionRefusedError):
        return ServerUnavailable(
            f"cannot connect to the IMAP server {where}: connection refused; {fix}, "
            "and that the server is running"
        )
    if isinstance(exc, socket.gaierror):
        return ServerUnavailable(f"cannot find the IMAP server {host} (DNS lookup failed); {fix}")
    if isinstance(exc, TimeoutError):
        return ServerUnavailable(
            f"no answer from the IMAP server {where} within {timeout:g} s; {fix}, "
            "and the network or firewall"
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        return ConnectorError(
            f"the TLS certificate of {host} could not be verified ({exc.verify_message}); "
            "check `host` in [mail] of chief.toml; a server with its own certificate "
            "authority needs that CA's certificate named in `ca_file`"
        )
    if isinstance(exc, ssl.SSLError):
        return ConnectorError(
            f"TLS handshake with {where} failed ({exc.reason or type(exc).__name__}); "
            'a server on port 143 wants tls = "starttls", one on 993 tls = "ssl"'
        )
    if isinstance(exc, OSError):
        return ServerUnavailable(
            f"cannot connect to the IMAP server {where} ({exc.strerror or type(exc).__name__}); "
            f"{fix}"
        )
    return ServerUnavailable(
        f"the IMAP server {where} did not greet us properly ({type(exc).__name__}); {fix}"
    )


def abort_reason(exc: BaseException) -> str:
    text = str(exc)
    if "EOF" in text:
        return "the server closed the connection"
    if "shutting down" in text.lower():
        return "the server is shutting down"
    if "BYE" in text or "Disconnected" in text or "Logged out" in text:
        return "the server ended the session"
    return "the answer broke off"


def os_reason(exc: OSError) -> str:
    if isinstance(exc, ConnectionResetError):
        return "the connection was reset"
    if isinstance(exc, BrokenPipeError | ConnectionAbortedError):
        return "the server closed the connection"
    if isinstance(exc, ssl.SSLError):
        return "TLS error"
    return exc.strerror or type(exc).__name__


def server_words(text: str) -> str:
    """The server's own reason, without imaplib's prefixes, bounded."""
    text = re.sub(r"^.*?(?:failed|error):\s*", "", text, count=1)
    text = re.sub(r"\s*\(\d+\.\d+ \+ [^)]*secs\)\.?$", "", text)  # Dovecot's timing suffix
    return "".join(ch if ch.isprintable() else " " for ch in text)[:200] or "no reason given"


def is_nonexistent(exc: BaseException | None) -> bool:
    text = str(exc or "")
    return "[NONEXISTENT]" in text.upper() or "doesn't exist" in text or "not exist" in text


def is_exists(answer: Any) -> bool:
    return isinstance(answer, tuple) and len(answer) >= 2 and answer[1] == b"EXISTS"
