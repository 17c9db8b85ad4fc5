"""Where a connector's password comes from, and where plain text may go.

A password never sits in ``chief.toml``. A connector names it instead, with one of:

``password_file``
    A file holding the password (one line; a trailing newline is dropped) that only its owner
    can read: a file readable by group or others is refused, with the ``chmod`` to run.
``password_env``
    The name of an environment variable holding it (for a service manager's secret store).

With neither, the OS keyring is asked (:mod:`bot.keyring_store`: service ``practice-chief``,
user ``<section>:<username>``).

The password itself is never logged or put in an error message; messages name the key, the
file or the variable. Unencrypted connections (``http://``, SMTP without TLS) are allowed only to
the loopback interface (:func:`is_loopback`), where a local test server or a local bridge such
as Proton Mail Bridge listens.
"""

from __future__ import annotations

import ipaddress
import os
import stat
from pathlib import Path
from urllib.parse import urlsplit

from bot.errors import UserError

__all__ = ["is_loopback", "read_password"]

_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def read_password(
    section: str,
    password_file: Path | str | None,
    password_env: str | None,
    username: str = "",
) -> str | None:
    """The password configured in ``[section]``, or None when none is (then ``username`` must
    be empty too). :class:`UserError` names the key to fix."""
    if password_file and password_env:
        raise UserError(
            f"both `password_file` and `password_env` are set in [{section}] of chief.toml",
            ["keep one of them"],
        )
    if password_file:
        return _from_file(section, Path(password_file).expanduser())
    if password_env:
        value = os.environ.get(password_env)
        if value is None:
            raise UserError(
                f"environment variable `{password_env}` (`password_env` in [{section}]) is not set",
                [f"export {password_env}=... in the environment that runs chief"],
            )
        if not value:
            raise UserError(f"environment variable `{password_env}` is empty ([{section}])")
        return value
    if username:
        from bot.keyring_store import KEYRING_SERVICE, keyring_password

        stored = keyring_password(section, username)
        if stored is not None:
            return stored
        raise UserError(
            f"[{section}] of chief.toml has a `username` but no password",
            [
                f"store it in the OS keyring (`keyring set {KEYRING_SERVICE} "
                f"{section}:{username}`), or put it in a file only you can read (chmod 600) "
                "and set `password_file`, or name an environment variable with `password_env`"
            ],
        )
    return None


def _from_file(section: str, path: Path) -> str:
    try:
        info = path.stat()
    except FileNotFoundError:
        raise UserError(
            f"password file {path} (`password_file` in [{section}]) does not exist"
        ) from None
    except OSError as exc:
        raise UserError(f"cannot read password file {path}: {exc.strerror}") from None
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise UserError(
            f"password file {path} can be read by others (mode {mode:o})",
            [f"run `chmod 600 {path}`"],
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise UserError(f"cannot read password file {path}: {reason}") from None
    password = text.splitlines()[0] if text else ""
    if not password:
        raise UserError(f"password file {path} (`password_file` in [{section}]) is empty")
    return password


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and the usual names of the local machine."""
    name = host.strip("[]").lower().rstrip(".")
    if name in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def require_secure_url(url: str | None, what: str) -> None:
    """``url`` (an API root, a token or sign-in endpoint) must be https://, or plain http to
    this machine only (a local test server); ``what`` names it in the error (None: unset,
    the connector's default)."""
    if url is None:
        return
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and is_loopback(parts.hostname or "")):
        return
    raise UserError(f"{what} must be https:// (plain http only to 127.0.0.1), not {url!r}")
