"""Signing in to Microsoft 365 / Outlook.com with msal, and keeping the token cache safe.

Delegated permissions only, the narrowest that do the job (Graph permissions reference):

``Mail.ReadWrite``
    Read mail, and write drafts (Graph has no drafts-only permission; ``Mail.Read`` cannot
    create one). The daily summary is put into the practitioner's own Inbox as a message, not
    sent, so ``Mail.Send`` is never asked for: chief cannot send mail through Graph.
``Calendars.ReadWrite``
    Read the practitioner's calendar and write our entries.

msal adds ``offline_access`` (the refresh token) and ``openid`` / ``profile`` itself.

Sign-in (``chief auth microsoft``) is msal's ``PublicClientApplication``: the device-code
flow (``--device-code``: a code to type at microsoft.com/devicelogin from any browser, so it
works on a headless server) or the interactive auth-code flow with PKCE (a browser, redirected
back to a one-off server on localhost; ``--no-browser`` prints the address instead). The
answer comes back as ``response_mode=form_post``, the only one msal's local server takes. The
app registration is the practice's own (a "public client" with ``client_id`` and the redirect
URI ``http://localhost``; ``tenant`` is its directory, ``organizations`` or ``common``).

msal's ``SerializableTokenCache`` (refresh token, account; access tokens while valid) is kept
in the OS keyring when one is usable (``token_store = "keyring"``, or ``"auto"`` when a backend
exists), else in ``token_cache_file``, written 0600 and refused when others can read it. Every
Graph call gets its token from :class:`MsalTokenProvider` (``acquire_token_silent``: msal
refreshes it when it expires; after a 401 the client asks again with ``force_refresh``). A
refusal (consent revoked by the practitioner or an administrator, password changed, grant
expired) becomes :class:`bot.errors.AuthError` naming ``chief auth microsoft``.

:class:`TokenProvider` is the seam Graph uses; ``login_root`` sends msal's requests to another
origin than ``https://login.microsoftonline.com/`` (a local test authority; plain http only to
127.0.0.1) through msal's own ``http_client`` hook, so the real msal runs in tests.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from bot.errors import AuthError, ConnectorError, UserError
from bot.keyring_store import SecretStore, StoreKind
from connectors.microsoft.graph import check_root

__all__ = [
    "CALENDAR_SCOPES",
    "MAIL_SCOPES",
    "LOGIN_ROOT",
    "cache_store",
    "MsalTokenProvider",
    "TokenProvider",
    "kept_in",
    "sign_in",
    "sign_in_for",
]

log = logging.getLogger(__name__)

MAIL_SCOPES = ("Mail.ReadWrite",)
CALENDAR_SCOPES = ("Calendars.ReadWrite",)
LOGIN_ROOT = "https://login.microsoftonline.com/"
SIGN_IN_AGAIN = "run `chief auth microsoft` to sign in again"
_GRAPH = "https://graph.microsoft.com/"


def graph_scopes(names: Sequence[str]) -> list[str]:
    """Fully qualified scopes (msal wants the resource in them)."""
    return [n if n.startswith("https://") else _GRAPH + n for n in names]


class TokenProvider(Protocol):
    """Where the Graph client gets a bearer token (see :class:`MsalTokenProvider`)."""

    def access_token(self, refresh: bool = False) -> str: ...


def kept_in(tokens: TokenProvider) -> str:
    """`` (sign-in kept in …)`` for ``chief doctor``, when ``tokens`` keeps one."""
    store = getattr(tokens, "store", None)
    return f" (sign-in kept in {store.describe()})" if isinstance(store, SecretStore) else ""


def cache_store(account: str, path: Path | None, kind: StoreKind, section: str) -> SecretStore:
    """Where one account's msal token cache lives: the OS keyring entry
    ``microsoft:<account>`` or the 0600 ``token_cache_file``."""
    return SecretStore(
        f"microsoft:{account}", path, kind, section, "the Microsoft sign-in", "token_cache_file"
    )


class _Redirect:
    """msal's ``http_client`` hook: requests to ``https://login.microsoftonline.com/`` go to
    ``root`` instead (a local authority); the rest of msal is untouched."""

    def __init__(self, root: str) -> None:
        import requests

        self.root = root.rstrip("/") + "/"
        self.session = requests.Session()
        self.session.trust_env = False

    def _url(self, url: str) -> str:
        return self.root + url[len(LOGIN_ROOT) :] if url.startswith(LOGIN_ROOT) else url

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.session.get(self._url(url), **kwargs)

    def post(self, url: str, **kwargs: Any) -> Any:
        return self.session.post(self._url(url), **kwargs)

    def close(self) -> None:
        self.session.close()


def _revoked_message(result: dict[str, Any]) -> str:
    """A clear sentence for msal's error answer (never its free text: it can echo ids)."""
    codes = set(result.get("error_codes") or ())
    error = str(result.get("error", ""))
    sub = str(result.get("suberror", ""))
    if sub == "consent_required" or codes & {65001, 65004}:
        return f"the consent chief was given has been withdrawn: {SIGN_IN_AGAIN}"
    if error == "invalid_grant" or codes & {50173, 70008, 700082, 50076, 50079}:
        return f"Microsoft refused the stored sign-in (revoked or expired): {SIGN_IN_AGAIN}"
    return f"Microsoft sign-in failed ({error or 'no answer'}): {SIGN_IN_AGAIN}"


class MsalTokenProvider:
    """Access tokens for one account from msal's cache, refreshed silently."""

    def __init__(
        self,
        account: str,
        client_id: str,
        tenant: str,
        store: SecretStore,
        scopes: Sequence[str],
        login_root: str | None = None,
    ) -> None:
        check_root(login_root, "login_root", store.section)
        self.account = account
        self.client_id, self.tenant = client_id, tenant
        self.store = store
        self.scopes = graph_scopes(scopes)
        self.login_root = login_root
        self._app: Any = None
        self._cache: Any = None
        self._lock = threading.Lock()

    def app(self) -> Any:
        if self._app is None:
            import msal

            self._cache = msal.SerializableTokenCache()
            text = self.store.load()
            if text:
                try:
                    self._cache.deserialize(text)
                except ValueError:
                    raise AuthError(
                        f"the stored Microsoft sign-in is unreadable: {SIGN_IN_AGAIN}"
                    ) from None
            options: dict[str, Any] = {}
            if self.login_root is not None:
                options = {"http_client": _Redirect(self.login_root), "instance_discovery": False}
            self._app = msal.PublicClientApplication(
                self.client_id,
                authority=LOGIN_ROOT + self.tenant,
                token_cache=self._cache,
                **options,
            )
        return self._app

    def save(self) -> None:
        if self._cache is not None and self._cache.has_state_changed:
            self.store.save(self._cache.serialize())
            self._cache.has_state_changed = False

    def access_token(self, refresh: bool = False) -> str:
        with self._lock:
            try:  # building the app may fetch the authority's metadata
                app = self.app()
            except OSError as exc:  # requests' errors are OSErrors: a network fault
                raise _unreachable(exc) from exc
            accounts = app.get_accounts(username=self.account) or app.get_accounts()
            if not accounts:
                raise AuthError(
                    f"not signed in to Microsoft as {self.account}: run `chief auth microsoft` "
                    f"(the sign-in is kept in {self.store.describe()})"
                )
            try:
                result = app.acquire_token_silent_with_error(
                    self.scopes, account=accounts[0], force_refresh=refresh
                )
            except (OSError, ValueError) as exc:
                raise _unreachable(exc) from exc
            self.save()
            if not result or "access_token" not in result:
                raise AuthError(_revoked_message(result or {}))
            return str(result["access_token"])


def _unreachable(exc: Exception) -> ConnectorError:
    """A network fault on the way to the sign-in service: transient, not a refused grant (the
    Graph client retries it with backoff; the next sync tries again)."""
    return ConnectorError(
        f"could not reach Microsoft's sign-in service ({type(exc).__name__}); "
        "the next sync tries again"
    )


_SIGNED_IN_PAGE = "Signed in: you can close this window and go back to chief."
SIGN_IN_TIMEOUT_S = 600
_NO_ANSWER = (
    f"no answer from the Microsoft sign-in page within {SIGN_IN_TIMEOUT_S // 60} minutes: "
    "run `chief auth microsoft` again"
)


def sign_in(
    provider: MsalTokenProvider,
    device_code: bool,
    show: Callable[[str], None] = print,
    open_browser: bool = True,
) -> str:
    """Run the device-code or interactive flow, keep the cache; the signed-in user name.

    With ``open_browser`` msal opens the browser itself (and prints the address when there is
    none). Without it the address is only shown: msal's ``acquire_token_interactive`` always
    tries a browser first, so the same auth-code flow (PKCE, ``response_mode=form_post``,
    redirect to ``http://localhost:PORT``) is run from msal's public parts instead."""
    app = provider.app()
    if device_code:
        flow = app.initiate_device_flow(scopes=provider.scopes)
        if "user_code" not in flow:
            raise AuthError(_revoked_message(flow))
        show(str(flow["message"]))
        result = app.acquire_token_by_device_flow(flow)
    elif open_browser:
        from msal.oauth2cli.oauth2 import BrowserInteractionTimeoutError

        try:
            result = app.acquire_token_interactive(
                provider.scopes,
                login_hint=provider.account,
                prompt="select_account",
                timeout=SIGN_IN_TIMEOUT_S,
                success_template=_SIGNED_IN_PAGE,
                auth_uri_callback=lambda uri: show(f"Sign in to Microsoft here: {uri}"),
            )
        except BrowserInteractionTimeoutError:
            raise AuthError(_NO_ANSWER) from None
    else:
        result = _sign_in_without_browser(provider, app, show)
    if not result or "access_token" not in result:
        raise AuthError(_revoked_message(result or {}))
    provider.save()
    claims = result.get("id_token_claims") or {}
    user = str(claims.get("preferred_username") or provider.account)
    log.info("microsoft: signed in; cache kept in %s", provider.store.describe())
    return user


def _sign_in_without_browser(
    provider: MsalTokenProvider, app: Any, show: Callable[[str], None]
) -> dict[str, Any] | None:
    """The auth-code flow with the address shown, never opened."""
    from msal.oauth2cli.authcode import AuthCodeReceiver

    with AuthCodeReceiver(port=0) as receiver:
        flow = app.initiate_auth_code_flow(
            provider.scopes,
            redirect_uri=f"http://localhost:{receiver.get_port()}",
            login_hint=provider.account,
            prompt="select_account",
            response_mode="form_post",
        )
        uri = str(flow["auth_uri"])
        if provider.login_root is not None and uri.startswith(LOGIN_ROOT):
            uri = provider.login_root + uri[len(LOGIN_ROOT) :]  # the local authority's page
        show(f"Sign in to Microsoft here (in a browser on this computer): {uri}")
        answer = receiver.get_auth_response(
            timeout=SIGN_IN_TIMEOUT_S, state=flow["state"], success_template=_SIGNED_IN_PAGE
        )
    if not answer:
        raise AuthError(_NO_ANSWER)
    try:
        result: dict[str, Any] = app.acquire_token_by_auth_code_flow(flow, answer)
    except ValueError:  # a state mismatch: not the answer to our request
        raise AuthError(f"the sign-in answer did not match the request: {SIGN_IN_AGAIN}") from None
    return result


def provider_for(section: str, kwargs: dict[str, Any], scopes: Sequence[str]) -> MsalTokenProvider:
    """The token provider a connector's config (``[mail]`` / ``[calendar]`` keys) describes."""
    account = str(kwargs.get("account", "")).strip().lower()
    client_id = str(kwargs.get("client_id") or "")
    problems = []
    if "@" not in account:
        problems.append(f"set `account` in [{section}] of chief.toml to your Microsoft address")
    if not client_id:
        problems.append(
            f"set `client_id` in [{section}]: the Application (client) id of the practice's "
            "app registration (a public client with the device-code flow allowed)"
        )
    if problems:
        raise UserError(f"invalid [{section}] settings for Microsoft 365", problems)
    store = cache_store(
        account, kwargs.get("token_cache_file"), kwargs.get("token_store", "auto"), section
    )
    login_root = kwargs.get("login_root")
    if login_root is not None:
        parts = urlsplit(str(login_root))
        if not parts.path.endswith("/"):
            login_root = str(login_root) + "/"
    return MsalTokenProvider(
        account, client_id, str(kwargs.get("tenant") or "common"), store, scopes, login_root
    )


def sign_in_for(
    config: Any,
    device_code: bool = False,
    show: Callable[[str], None] = print,
    open_browser: bool = True,
) -> tuple[str, list[str], str]:
    """``chief auth microsoft``: one sign-in covering the Outlook connectors in ``config``,
    kept in each connector's store. Returns where it was kept, the permissions asked for and
    the signed-in user."""
    plans = []
    for section, name, needed in (
        ("mail", "outlook", MAIL_SCOPES),
        ("calendar", "outlook_calendar", CALENDAR_SCOPES),
    ):
        connector, kwargs = config.connector_args(section)
        if connector == name:
            plans.append((section, kwargs, needed))
    if not plans:
        raise UserError(
            "chief.toml uses no Microsoft connector",
            ['set connector = "outlook" in [mail] and/or "outlook_calendar" in [calendar]'],
        )
    scopes = sorted({s for _, _, group in plans for s in group})
    section, kwargs, _ = plans[0]
    first = provider_for(section, kwargs, scopes)
    user = sign_in(first, device_code, show, open_browser)
    places = [first.store.describe()]
    text = first.store.load()
    for section, kwargs, _ in plans[1:]:
        other = provider_for(section, kwargs, scopes).store
        if other.describe() not in places and text:
            other.save(text)
            places.append(other.describe())
    return ", ".join(places), scopes, user
