"""Microsoft Graph v1.0 over HTTPS: one call or a JSON ``$batch``, with backoff, a token
refresh on 401, and errors translated into the project's own.

The transport is ``requests``; the access token comes from a :class:`TokenSource` (the msal
token provider of :mod:`connectors.microsoft.auth` in production). ``api_root`` points the client
elsewhere (a local test server: plain http only to 127.0.0.1).

Throttling and faults (Graph "throttling guidance" and the Outlook service limits):
429, 503 and 504 (and 500/502) are retried after ``base * 2**n`` seconds (capped at 64 s) with
random jitter, never sooner than the server's ``Retry-After``. A wait longer than
``max_wait_s``, or throttling that outlasts the attempts, becomes
:class:`~bot.errors.RateLimited`: nothing is skipped, the next sync resumes. A 401 asks the
token source for a fresh token once (mid-sync included) and tries again.

JSON batching (``POST /$batch``) holds at most 20 requests (documented limit). Graph evaluates
each part against its throttling limits on its own, so a batch answered 200 can hold parts
answered 429 / 503 / 504, each with its own ``Retry-After``: only those parts are sent again,
after the longest ``Retry-After`` among them (backoff when none says), and throttling that
outlasts the attempts is :class:`~bot.errors.RateLimited` as for a single call. A part that
waited on another (``dependsOn``) fails with 424 when that one failed; it is sent again with
it, never taken as a final answer. Parts that failed for good are returned as the translated
error, not raised. Creating in a batch is safe to repeat only with a key Graph deduplicates
on (events carry ``transactionId``); drafts are never created in a batch. A non-JSON answer in
a batch (a message's MIME from ``/$value``) comes base64-encoded, as Graph documents.

A POST that is not idempotent (creating a draft) must not be blindly retried after a 5xx or a
timeout, since the server may have done it: :meth:`GraphClient.call` then asks ``recheck``
(which looks for the object by its idempotency key) before sending it again.

Translation:

===============================  ==============================================
401 after one refresh            :class:`~bot.errors.AuthError`: sign in again
403                              :class:`~bot.errors.AuthError` (consent missing)
404, 410                         :class:`~bot.errors.RemoteGone` (410 carries the
                                 Graph error code: ``syncStateNotFound``...)
409                              :class:`GraphConflict`
anything else                    :class:`~bot.errors.ConnectorError`
===============================  ==============================================
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from bot.errors import AuthError, ConnectorError, RemoteGone
from connectors.http_retry import RETRY_STATUS, Backoff, Retry, retry_after
from connectors.passwords import require_secure_url

__all__ = [
    "BATCH_LIMIT",
    "GRAPH_ROOT",
    "GraphClient",
    "GraphConflict",
    "GraphGone",
    "GraphRequest",
    "TokenSource",
    "check_root",
]

log = logging.getLogger(__name__)

GRAPH_ROOT = "https://graph.microsoft.com/v1.0"
BATCH_LIMIT = 20  # JSON batching: at most 20 requests per $batch
SIGN_IN_AGAIN = "run `chief auth microsoft` to sign in again"


class TokenSource(Protocol):
    """Gives the bearer token for Graph; ``refresh=True`` after a 401 asks for a new one."""

    def access_token(self, refresh: bool = False) -> str: ...


class GraphConflict(ConnectorError):
    """HTTP 409: the object exists already."""


class GraphGone(RemoteGone):
    """HTTP 404 / 410 with Graph's error ``code`` (``syncStateNotFound`` for an old delta)."""

    def __init__(self, message: str, code: str = "", status: int = 404) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


@dataclass(frozen=True)
class GraphRequest:
    """One request, relative to the API root (``/me/messages``) or an absolute ``@odata``
    link Graph gave us."""

    method: str
    url: str
    body: Any = None
    headers: dict[str, str] | None = None


def check_root(url: str | None, key: str, section: str) -> None:
    """``url`` must be https, or plain http to this machine (a local test server)."""
    require_secure_url(url, f"`{key}` in [{section}]")


def _error_code(body: Any) -> str:
    try:
        return str(body["error"]["code"])
    except (KeyError, TypeError):
        return ""


@dataclass
class _Answer:
    status: int
    headers: dict[str, str]
    body: Any  # parsed JSON, bytes, or None


class GraphClient:
    """Calls to Graph for one signed-in user."""

    def __init__(
        self,
        tokens: TokenSource,
        api_root: str | None = None,
        timeout: float = 30.0,
        retry: Retry | None = None,
        batch_limit: int = BATCH_LIMIT,
    ) -> None:
        import requests

        self.root = (api_root or GRAPH_ROOT).rstrip("/")
        self.tokens = tokens
        self.timeout = timeout
        self.batch_limit = min(batch_limit, BATCH_LIMIT)
        self._session = requests.Session()
        self._session.trust_env = False  # no proxy or netrc surprises for a bearer token
        self._token: str | None = None
        self.backoff = Backoff(retry or Retry(), "Microsoft Graph", "graph", frozenset({429}))
        self.requests = 0

    @property
    def retries(self) -> int:
        return self.backoff.retries

    @property
    def waited_s(self) -> float:
        """Time spent backing off (reported by tests and benchmarks)."""
        return self.backoff.waited_s

    def close(self) -> None:
        self._session.close()

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.root + path

    # ------------------------------------------------------------------ one call

    def call(
        self,
        request: GraphRequest,
        doing: str,
        recheck: Callable[[], Any] | None = None,
    ) -> Any:
        """The parsed answer of ``request`` (JSON, or bytes for ``$value``); retries throttling
        and server faults; ``recheck`` (for a POST that is not idempotent) is asked after an
        ambiguous failure whether the write happened after all."""
        attempt = 0
        refreshed = False
        while True:
            try:
                answer = self._send(request, refresh=False)
            except AuthError:  # no token to send (not signed in, refused): nothing to retry
                raise
            except ConnectorError:
                if recheck is None and request.method not in ("GET", "PATCH", "DELETE"):
                    raise
                if recheck is not None:
                    found = recheck()
                    if found is not None:
                        return found
                self.backoff.pause(attempt, None, 0, doing)
                attempt += 1
                continue
            if answer.status < 300:
                return answer.body
            if answer.status == 401 and not refreshed:
                refreshed = True
                self._token = self.tokens.access_token(refresh=True)
                continue
            after = retry_after(answer.headers)
            error = self.translate(answer.status, answer.body, doing)
            if error is not None:
                raise error
            if recheck is not None and answer.status != 429:  # 429: never processed
                found = recheck()
                if found is not None:
                    return found
            self.backoff.pause(attempt, after, answer.status, doing)
            attempt += 1

    def pages(self, first: GraphRequest, doing: str) -> Any:
        """Each page of a collection, following ``@odata.nextLink``."""
        request: GraphRequest | None = first
        while request is not None:
            page = self.call(request, doing)
            yield page
            link = page.get("@odata.nextLink")
            request = GraphRequest("GET", link, headers=first.headers) if link else None

    def _send(self, request: GraphRequest, refresh: bool) -> _Answer:
        import requests

        if self._token is None or refresh:
            self._token = self.tokens.access_token(refresh=refresh)
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
        headers.update(request.headers or {})
        self.requests += 1
        try:
            raw = isinstance(request.body, bytes)  # a MIME upload: base64 text, not JSON
            response = self._session.request(
                request.method,
                self.url(request.url),
                json=None if raw else request.body,
                data=request.body if raw else None,
                headers=headers,
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise ConnectorError(
                f"could not reach Microsoft Graph ({type(exc).__name__}); the next sync tries again"
            ) from exc
        body: Any = None
        kind = response.headers.get("Content-Type", "")
        if response.content:
            if "json" in kind:
                try:
                    body = response.json()
                except ValueError:
                    body = None
            else:
                body = response.content
        return _Answer(response.status_code, dict(response.headers), body)

    # ------------------------------------------------------------------ $batch

    def batch(self, requests: dict[str, GraphRequest], doing: str) -> dict[str, Any]:
        """Run ``requests`` as JSON batches of at most :data:`BATCH_LIMIT`; each id maps to
        its answer, or to the translated :class:`ConnectorError` of a part that failed for
        good. Throttled parts are sent again after a backoff; a 401 part after a refresh."""
        results: dict[str, Any] = {}
        pending = dict(requests)
        attempt = 0
        refreshed_in: int | None = None  # the round whose 401s got a fresh token
        while pending:
            retry: dict[str, GraphRequest] = {}
            longest: float | None = None
            status = 0
            backoff = False  # False when the only retries are 401s after a fresh token
            ids = list(pending)
            for start in range(0, len(ids), self.batch_limit):
                chunk = ids[start : start + self.batch_limit]
                body = {
                    "requests": [
                        _batch_part(str(n), pending[rid], self.root) for n, rid in enumerate(chunk)
                    ]
                }
                answer = self.call(GraphRequest("POST", "/$batch", body), doing)
                by_part = {str(r.get("id")): r for r in answer.get("responses", ())}
                for n, rid in enumerate(chunk):
                    part = by_part.get(str(n))
                    if part is None:
                        retry[rid] = pending[rid]
                        backoff = True
                        continue
                    code = int(part.get("status", 0))
                    payload = part.get("body")
                    part_headers = {str(k): str(v) for k, v in (part.get("headers") or {}).items()}
                    if code < 300:
                        results[rid] = _decode_part(payload, part_headers)
                        continue
                    if code == 401 and refreshed_in in (None, attempt):
                        if refreshed_in is None:  # once, for every part of this round
                            refreshed_in = attempt
                            self._token = self.tokens.access_token(refresh=True)
                        retry[rid] = pending[rid]
                        continue
                    error = None if code == 424 else self.translate(code, payload, doing)
                    if error is None:  # throttled, failing, or waiting on a part that was
                        retry[rid] = pending[rid]
                        backoff = True
                        after = retry_after(part_headers)
                        if after is not None:
                            longest = max(longest or 0.0, after)
                        status = 429 if 429 in (status, code) else code
                    else:
                        results[rid] = error
            pending = retry
            if pending and backoff:
                self.backoff.pause(attempt, longest, status, doing, parts=len(pending))
            attempt += 1
        return results

    # ------------------------------------------------------------------ faults

    def translate(self, status: int, body: Any, doing: str) -> ConnectorError | None:
        """The project's error for an HTTP failure, or None when it is worth retrying."""
        if status in RETRY_STATUS:
            return None
        code = _error_code(body)
        where = f"Microsoft Graph while {doing}"
        if status == 401:
            return AuthError(f"{where}: the sign-in was refused (HTTP 401): {SIGN_IN_AGAIN}")
        if status == 403:
            return AuthError(
                f"{where}: the sign-in lacks a permission chief needs ({code or 'HTTP 403'}): "
                f"{SIGN_IN_AGAIN}"
            )
        if status in (404, 410):
            return GraphGone(f"{where}: not found (HTTP {status} {code})".rstrip(), code, status)
        if status == 409:
            return GraphConflict(f"{where}: already exists (HTTP 409)")
        return ConnectorError(f"{where}: HTTP {status} {code}".rstrip())


def _batch_part(part_id: str, request: GraphRequest, root: str) -> dict[str, Any]:
    url = request.url
    if url.startswith(root):
        url = url[len(root) :]
    elif url.startswith(("http://", "https://")):
        parts = urlsplit(url)  # an @odata link: batch URLs are relative to the version root
        url = parts.path.split("/v1.0", 1)[-1] + (f"?{parts.query}" if parts.query else "")
    part: dict[str, Any] = {"id": part_id, "method": request.method, "url": url}
    headers = dict(request.headers or {})
    if request.body is not None:
        part["body"] = request.body
        headers.setdefault("Content-Type", "application/json")
    if headers:
        part["headers"] = headers
    return part


def _decode_part(payload: Any, headers: dict[str, str]) -> Any:
    """A batch answer's body: JSON as is; anything else arrives base64-encoded."""
    kind = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if isinstance(payload, str) and kind and "json" not in kind:
        try:
            return base64.b64decode(payload, validate=False)
        except ValueError:
            return payload.encode("utf-8")
    if isinstance(payload, str) and not kind:
        try:
            return json.loads(payload)
        except ValueError:
            return payload
    return payload
