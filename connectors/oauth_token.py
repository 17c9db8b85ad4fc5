"""Where an IMAP or SMTP account's OAuth 2.0 access token comes from (SASL XOAUTH2).

Providers that have retired passwords for IMAP (Microsoft 365, Google Workspace, Yahoo) take
an access token instead. Getting and refreshing one is the provider's sign-in flow, which a
dedicated tool already does (the provider's own helper, ``oama``, ``mutt_oauth2.py``...); the
connector asks it for a fresh token at every sign-in, as mbsync's ``PassCmd`` does. One of:

``token_command``
    The command to run, as a list of words (never through a shell): it prints the current
    access token on standard output. Run with a 30-second limit; its output is never logged.
``token_file``
    A file holding the current token (one line), kept fresh by another program, readable by
    its owner only (as a ``password_file``).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.errors import AuthError, UserError
from connectors.passwords import read_password

__all__ = ["token_provider"]

_COMMAND_TIMEOUT_S = 30.0


def token_provider(
    section: str, token_command: Sequence[str] | None, token_file: Path | str | None
) -> Callable[[], str]:
    """A callable returning a fresh access token; :class:`UserError` for a bad setting."""
    if bool(token_command) == bool(token_file):
        raise UserError(
            f'auth = "xoauth2" in [{section}] needs one of `token_command` or `token_file`',
            [
                'token_command = ["your-token-helper", "--account", "you@practice.example"] '
                "(prints an access token), or token_file = a 0600 file holding one"
            ],
        )
    if token_file:
        path = Path(token_file)

        def from_file() -> str:
            token = read_password(section, path, None)
            if not token:
                raise AuthError(f"the token file {path} ([{section}] `token_file`) is empty")
            return token

        from_file()  # a missing or unsafe file is a configuration error: say so now
        return from_file
    if isinstance(token_command, str) or not all(isinstance(w, str) for w in token_command or ()):
        raise UserError(
            f"`token_command` in [{section}] must be a list of words, "
            'e.g. ["oama", "access", "you@practice.example"]'
        )
    argv = list(token_command or ())

    def from_command() -> str:
        try:
            done = subprocess.run(
                argv, capture_output=True, text=True, timeout=_COMMAND_TIMEOUT_S, check=False
            )
        except FileNotFoundError:
            raise AuthError(
                f"`token_command` in [{section}]: {argv[0]!r} not found; check the path"
            ) from None
        except subprocess.TimeoutExpired:
            raise AuthError(
                f"`token_command` in [{section}] ({argv[0]}) gave no token within "
                f"{_COMMAND_TIMEOUT_S:g} s"
            ) from None
        token = done.stdout.strip()
        if done.returncode != 0 or not token or "\n" in token:
            raise AuthError(
                f"`token_command` in [{section}] ({argv[0]}) failed (exit {done.returncode}); "
                "run it by hand to see why (you may need to sign in again)"
            )
        return token

    return from_command
