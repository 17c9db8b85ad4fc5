"""Signing in to Google (OAuth 2.0 for installed apps) and keeping the grant safe.

Scopes are the narrowest that do the job (Gmail and Calendar API scope lists):

``gmail.readonly``
    Read mail and its history. Never ``https://mail.google.com/`` (full access).
``gmail.compose``
    Create drafts. Gmail has no drafts-only scope and this one would also allow sending:
    chief never sends (the connector has no code that calls ``messages.send`` or
    ``drafts.send``, and a test checks every call it makes).
``gmail.insert``
    Put the daily summary into the practitioner's own inbox (``messages.insert``, not a send).
``calendar.events.owned``
    Read and write events on calendars the practitioner owns.

Sign-in (``chief auth google``, or ``chief init``) runs the installed-app flow of
google-auth-oauthlib with PKCE: a browser opens on Google's consent page and Google redirects
back to a one-off server on 127.0.0.1. The OAuth client is the practice's own "Desktop app"
client (``client_secrets_file``, the JSON Google Cloud console gives).

The grant (refresh token, client id and secret; never an access token) is kept in the OS
keyring when one is usable (``token_store = "keyring"``, or ``"auto"`` when a backend exists),
else in ``token_file``, written 0600 and refused when others can read it. Access tokens are
refreshed by google-auth when they expire or when Google answers 401; a grant Google refuses
(revoked, expired, password changed) becomes :class:`bot.errors.AuthError` saying to run
``chief auth google`` again. Token endpoints other than https are accepted only on loopback
(a local test server).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.errors import AuthError, UserError
from bot.keyring_store import SecretStore, StoreKind
from connectors.passwords import is_loopback, require_secure_url

__all__ = [
    "CALENDAR_SCOPES",
    "GMAIL_LABEL_SCOPE",
    "GMAIL_SCOPES",
    "SIGN_IN_AGAIN",
    "TokenStore",
    "load_credentials",
    "sign_in",
    "sign_in_for",
]

log = logging.getLogger(__name__)

_PREFIX = "https://www.googleapis.com/auth/"
GMAIL_SCOPES = (_PREFIX + "gmail.readonly", _PREFIX + "gmail.compose", _PREFIX + "gmail.insert")
# Only when `category_labels` is on: labels are created and put on messages (never mail
# moved, deleted or marked read); gmail.modify is the narrowest scope that applies labels.
GMAIL_LABEL_SCOPE = _PREFIX + "gmail.modify"
CALENDAR_SCOPES = (_PREFIX + "calendar.events.owned",)
_GOOGLE_TOKEN_URIS = (
    "https://oauth2.googleapis.com/token",
    "https://accounts.google.com/o/oauth2/token",
)
SIGN_IN_AGAIN = "run `chief auth google` to sign in again"


class TokenStore:
    """One Google account's grant (google-auth's JSON) in a :class:`SecretStore`: the OS
    keyring entry ``google:<account>`` or the 0600 ``token_file``."""

    def __init__(
        self, account: str, token_file: Path | None, kind: StoreKind, section: str
    ) -> None:
        self.account, self.token_file = account, token_file
        self.secret = SecretStore(
            f"google:{account}", token_file, kind, section, "the Google sign-in", "token_file"
        )

    def describe(self) -> str:
        return self.secret.describe()

    def load(self) -> dict[str, Any] | None:
        text = self.secret.load()
        if not text:
            return None
        try:
            info = json.loads(text)
        except ValueError:
            raise AuthError(f"the stored Google sign-in is unreadable: {SIGN_IN_AGAIN}") from None
        return info if isinstance(info, dict) else None

    def save(self, info: dict[str, Any]) -> None:
        self.secret.save(json.dumps(info, sort_keys=True))


def load_credentials(store: TokenStore, scopes: Sequence[str]) -> Any:
    """google-auth Credentials from ``store`` (refreshed on first use), checked to hold
    ``scopes``; :class:`AuthError` when there is no sign-in or it lacks a scope."""
    from google.oauth2.credentials import Credentials

    info = store.load()
    if info is None:
        raise AuthError(
            f"not signed in to Google as {store.account}: run `chief auth google` "
            f"(the sign-in is kept in {store.describe()})"
        )
    missing = sorted(set(scopes) - set(info.get("scopes") or ()))
    if missing:
        names = ", ".join(s.removeprefix(_PREFIX) for s in missing)
        raise AuthError(f"the Google sign-in does not allow {names}: {SIGN_IN_AGAIN}")
    if not all(info.get(k) for k in ("refresh_token", "client_id", "client_secret")):
        raise AuthError(f"the stored Google sign-in is incomplete: {SIGN_IN_AGAIN}")
    return Credentials(  # type: ignore[no-untyped-call]
        token=None,
        refresh_token=info["refresh_token"],
        token_uri=_token_uri(info.get("token_uri")),
        client_id=info["client_id"],
        client_secret=info["client_secret"],
        scopes=list(info.get("scopes") or ()),
    )


def _token_uri(stored: str | None) -> str:
    """Google's token endpoint; a stored one only when it is Google's or on this machine (a
    local test server), so an edited file cannot send the refresh token elsewhere."""
    if not stored or stored in _GOOGLE_TOKEN_URIS:
        return _GOOGLE_TOKEN_URIS[0]
    parts = urlsplit(stored)
    if parts.scheme in ("http", "https") and is_loopback(parts.hostname or ""):
        return stored
    raise AuthError(
        f"the stored Google sign-in names a token endpoint that is not Google's: {SIGN_IN_AGAIN}"
    )


def sign_in(
    client_secrets_file: Path,
    scopes: Sequence[str],
    store: TokenStore,
    open_browser: bool = True,
) -> str:
    """Run the installed-app flow for ``scopes`` and keep the grant in ``store``; returns
    where it was kept. Nothing but the grant is stored; the access token is not."""
    from google_auth_oauthlib.flow import InstalledAppFlow

    try:
        config = json.loads(Path(client_secrets_file).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(
            f"no OAuth client file at {client_secrets_file}",
            [
                "create a Desktop app OAuth client in Google Cloud console, download its JSON "
                "and name it with `client_secrets_file`"
            ],
        ) from None
    except ValueError:
        raise UserError(f"{client_secrets_file} is not an OAuth client JSON file") from None
    client = config.get("installed") or config.get("web") or {}
    for key in ("auth_uri", "token_uri"):
        if key in client:
            require_secure_url(client[key], f"`{key}` in {Path(client_secrets_file).name}")
    flow = InstalledAppFlow.from_client_config(config, scopes=list(scopes))
    creds = flow.run_local_server(
        host="127.0.0.1",
        port=0,
        open_browser=open_browser,
        authorization_prompt_message="Sign in to Google in your browser: {url}",
        success_message="Signed in: you can close this window and go back to chief.",
        access_type="offline",
        prompt="consent",
    )
    if not creds.refresh_token:
        raise AuthError(
            "Google gave no refresh token; remove chief's access in your Google "
            "account's security settings and sign in again"
        )
    info = json.loads(creds.to_json())
    info.pop("token", None)
    info.pop("expiry", None)
    info["scopes"] = sorted(set(info.get("scopes") or scopes))
    store.save(info)
    log.info("google: signed in; grant kept in %s", store.describe())
    return store.describe()


def sign_in_for(config: Any, open_browser: bool = True) -> tuple[str, list[str]]:
    """``chief auth google``: one sign-in covering every Google connector in ``config`` (a
    :class:`bot.config.Config`), kept in each connector's token store. Returns where it was
    kept and the scopes granted."""
    wanted = (("mail", "gmail", GMAIL_SCOPES), ("calendar", "google_calendar", CALENDAR_SCOPES))
    plans = []
    for section, connector, needed in wanted:
        name, kwargs = config.connector_args(section)
        if name == connector:
            if section == "mail" and kwargs.get("category_labels"):
                needed = (*needed, GMAIL_LABEL_SCOPE)
            plans.append((section, kwargs, needed))
    if not plans:
        raise UserError(
            "chief.toml uses no Google connector",
            [
                'set connector = "gmail" in [mail] and/or '
                'connector = "google_calendar" in [calendar]'
            ],
        )
    secrets = next(
        (k["client_secrets_file"] for _, k, _ in plans if k.get("client_secrets_file")), None
    )
    if secrets is None:
        raise UserError(
            "no OAuth client to sign in with",
            [
                "create a Desktop app OAuth client in Google Cloud console, download its JSON "
                f"and set `client_secrets_file` in [{plans[0][0]}] of chief.toml"
            ],
        )
    granted = sorted({s for _, _, group in plans for s in group})
    stores: dict[tuple[str, str, str], TokenStore] = {}
    for section, kwargs, _ in plans:
        token_file = kwargs.get("token_file")
        kind = kwargs.get("token_store", "auto")
        account = str(kwargs.get("account", "")).strip().lower()
        if not account:
            raise UserError(f"set `account` in [{section}] of chief.toml to your Google address")
        stores.setdefault(
            (account, str(token_file), kind), TokenStore(account, token_file, kind, section)
        )
    first, *others = stores.values()
    where = sign_in(Path(secrets), granted, first, open_browser=open_browser)
    grant = first.load()
    assert grant is not None
    for store in others:
        store.save(grant)
    return ", ".join([where, *(s.describe() for s in others)]), granted
