"""One authorised Google API client: calls and batches with backoff, errors translated.

The client is google-api-python-client built from the discovery document the library ships
(the same JSON its ``build(static_discovery=True)`` reads), over httplib2 authorised by
google-auth (which refreshes the access token when it expires or when Google answers 401,
mid-sync included). ``api_root`` points it elsewhere (a local test server: http only to
127.0.0.1): every call, upload and batch then goes there.

Throttling and faults (Google's "exponential backoff" guidance, Gmail and Calendar usage
limits): 429, 403 ``rateLimitExceeded`` / ``userRateLimitExceeded`` and 500/502/503/504 are
retried after ``base * 2**n`` seconds (capped at 64 s, the documented maximum backoff) with
random jitter, and never sooner than the server's ``Retry-After``. A wait longer than
``max_wait_s``, or throttling that outlasts the attempts, becomes
:class:`~bot.errors.RateLimited` (with the server's ``retry_after``); nothing is skipped, the
next sync resumes. In a batch only the parts that failed are sent again. Translation:

============================  ===============================================
401 (after google-auth's own  :class:`~bot.errors.AuthError`: sign in again
refresh), a refused refresh
403 insufficientPermissions   :class:`~bot.errors.AuthError`: sign in again
403 daily / quota limits      :class:`~bot.errors.RateLimited`
404, 410                      :class:`~bot.errors.RemoteGone`
409                           :class:`Conflict`
anything else                 :class:`~bot.errors.ConnectorError`
============================  ===============================================
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from bot.errors import AuthError, ConnectorError, RateLimited, RemoteGone
from connectors.google.auth import SIGN_IN_AGAIN
from connectors.http_retry import RETRY_STATUS, Backoff, Retry, retry_after
from connectors.passwords import require_secure_url

__all__ = ["Conflict", "GoogleClient", "check_api_root"]

log = logging.getLogger(__name__)

_RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
_QUOTA_REASONS = frozenset({"dailyLimitExceeded", "quotaExceeded"})

Request = Callable[[Any], Any]  # service -> googleapiclient HttpRequest


class Conflict(ConnectorError):
    """HTTP 409: the object exists already (a Calendar event id taken)."""


def check_api_root(api_root: str | None, section: str) -> None:
    require_secure_url(api_root, f"`api_root` in [{section}]")


def _reason(content: bytes | str | None) -> str:
    try:
        data = json.loads(content or b"{}")
        return str(data["error"]["errors"][0]["reason"])
    except (ValueError, KeyError, IndexError, TypeError):
        return ""


class GoogleClient:
    """Calls to one Google API for one account (``api`` "gmail" v1 or "calendar" v3)."""

    def __init__(
        self,
        api: str,
        version: str,
        credentials_factory: Callable[[], Any],
        api_root: str | None,
        timeout: float,
        retry: Retry,
        batch_limit: int,
    ) -> None:
        self.api, self.version = api, version
        self.api_root = api_root
        self.timeout = timeout
        self.batch_limit = batch_limit
        self._credentials_factory = credentials_factory
        self._service: Any = None
        # Google's 403 rateLimitExceeded / userRateLimitExceeded is throttling like a 429.
        self.backoff = Backoff(retry, "Google", f"google {api}", frozenset({429, 403}))

    @property
    def retries(self) -> int:
        return self.backoff.retries

    @property
    def waited_s(self) -> float:
        """Time spent backing off (reported by benchmarks and tests)."""
        return self.backoff.waited_s

    def service(self) -> Any:
        if self._service is None:
            import google_auth_httplib2
            import httplib2
            from googleapiclient.discovery import build_from_document
            from googleapiclient.discovery_cache import get_static_doc

            text = get_static_doc(self.api, self.version)
            if text is None:  # pragma: no cover - the library ships both documents
                raise ConnectorError(f"google-api-python-client lacks the {self.api} document")
            document = json.loads(text)
            if self.api_root:
                document["rootUrl"] = self.api_root.rstrip("/") + "/"
                document.pop("mtlsRootUrl", None)
            http = google_auth_httplib2.AuthorizedHttp(
                self._credentials_factory(), http=httplib2.Http(timeout=self.timeout)
            )
            self._service = build_from_document(document, http=http)
        return self._service

    def close(self) -> None:
        if self._service is not None:
            self._service.close()
            self._service = None

    # ------------------------------------------------------------------ one call

    def call(self, request: Request, doing: str) -> Any:
        """Execute ``request(service)``, retrying throttling and server faults."""
        from googleapiclient.errors import HttpError

        attempt = 0
        while True:
            try:
                return self._guarded(lambda: request(self.service()).execute(), doing)
            except HttpError as exc:
                after = retry_after(exc.resp)
                error = self.translate(exc.resp.status, exc.content, after, doing)
                if error is not None:
                    raise error from exc
                self.backoff.pause(attempt, after, exc.resp.status, doing)
                attempt += 1

    def pages(
        self, request: Callable[[Any, str | None], Any], key: str, doing: str
    ) -> Iterable[dict[str, Any]]:
        """Each page of a listing (``request(service, page_token)``), following nextPageToken."""
        token: str | None = None
        while True:

            def one(service: Any, token: str | None = token) -> Any:
                return request(service, token)

            page = self.call(one, doing)
            yield page
            token = page.get("nextPageToken")
            if not token:
                return

    # ------------------------------------------------------------------ batches

    def batch(self, requests: dict[str, Request], doing: str) -> dict[str, Any]:
        """Execute many requests as batch requests of at most ``batch_limit``; each id maps
        to its response, or to the translated :class:`ConnectorError` of a part that failed
        for good (404 → :class:`RemoteGone`...). Throttled parts are sent again after a backoff;
        a throttled or failing batch as a whole too."""
        from googleapiclient.errors import HttpError

        results: dict[str, Any] = {}
        pending = dict(requests)
        attempt = 0
        while pending:
            retry: dict[str, Request] = {}
            longest: float | None = None
            ids = list(pending)
            status = 0
            for start in range(0, len(ids), self.batch_limit):
                chunk = ids[start : start + self.batch_limit]
                answers: dict[str, tuple[Any, Any]] = {}
                service = self.service()
                batch = service.new_batch_http_request(
                    callback=lambda rid, resp, exc, into=answers: into.__setitem__(rid, (resp, exc))
                )
                for n, rid in enumerate(chunk):  # short part ids: long ones get folded
                    batch.add(pending[rid](service), request_id=str(n))
                try:
                    self._guarded(batch.execute, doing)
                except HttpError as exc:  # the batch request itself
                    after = retry_after(exc.resp)
                    error = self.translate(exc.resp.status, exc.content, after, doing)
                    if error is not None:
                        raise error from exc
                    retry.update({rid: pending[rid] for rid in chunk})
                    longest, status = max(longest or 0.0, after or 0.0), exc.resp.status
                    continue
                for n, rid in enumerate(chunk):
                    resp, failure = answers.get(str(n), (None, None))
                    if failure is None:
                        results[rid] = resp
                        continue
                    after = retry_after(getattr(failure, "resp", None))
                    code = getattr(getattr(failure, "resp", None), "status", 0)
                    error = self.translate(code, getattr(failure, "content", b""), after, doing)
                    if error is None:
                        retry[rid] = pending[rid]
                        longest, status = max(longest or 0.0, after or 0.0), code
                    else:
                        results[rid] = error
            pending = retry
            if pending:
                self.backoff.pause(attempt, longest, status, doing, parts=len(pending))
                attempt += 1
        return results

    # ------------------------------------------------------------------ faults

    def translate(
        self, status: int, content: Any, retry_after: float | None, doing: str
    ) -> ConnectorError | None:
        """The project's error for an HTTP failure, or None when it is worth retrying."""
        reason = _reason(content)
        if status in RETRY_STATUS or (status == 403 and reason in _RATE_REASONS):
            return None
        where = f"Google {self.api.title()} while {doing}"
        if status == 401:
            return AuthError(f"{where}: the sign-in was refused (HTTP 401): {SIGN_IN_AGAIN}")
        if status == 403 and reason == "insufficientPermissions":
            return AuthError(
                f"{where}: the sign-in lacks a permission chief needs: {SIGN_IN_AGAIN}"
            )
        if status == 403 and reason in _QUOTA_REASONS:
            return RateLimited(f"{where}: the daily quota is used up ({reason})", retry_after)
        if status in (404, 410):
            return RemoteGone(f"{where}: not found (HTTP {status})")
        if status == 409:
            return Conflict(f"{where}: already exists (HTTP 409)")
        return ConnectorError(f"{where}: HTTP {status} {reason}".rstrip())

    def _guarded(self, action: Callable[[], Any], doing: str) -> Any:
        """Run ``action``, translating sign-in and transport failures (HttpError passes)."""
        import httplib2
        from google.auth import exceptions as auth_errors

        try:
            return action()
        except auth_errors.RefreshError as exc:
            raise AuthError(
                f"Google refused the stored sign-in while {doing} (revoked or expired): "
                f"{SIGN_IN_AGAIN}"
            ) from exc
        except auth_errors.TransportError as exc:
            raise ConnectorError(f"could not reach Google's sign-in service while {doing}") from exc
        except (TimeoutError, httplib2.HttpLib2Error, OSError) as exc:
            raise ConnectorError(
                f"could not reach Google {self.api.title()} while {doing} "
                f"({type(exc).__name__}); the next sync tries again"
            ) from exc
