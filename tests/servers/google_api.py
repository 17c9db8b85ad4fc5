"""A local HTTP server speaking the Gmail v1 and Calendar v3 REST the connectors use.

One :class:`GoogleApiServer` on 127.0.0.1 holds a mailbox (:mod:`tests.servers.google_gmail`)
and a calendar (:mod:`tests.servers.google_calendar`) in memory and answers:

- every API call the discovery documents route (:mod:`tests.servers.google_discovery`), each
  request checked (parameters, body) and each response checked against the same documents'
  schemas: a request the real API would refuse gets its 400, a response the real API could not
  give is a 500, and both are recorded in :attr:`GoogleApiServer.problems` for the test to fail on;
- batch requests (``multipart/mixed`` of ``application/http`` parts, at most 100 per Gmail
  batch as Gmail documents, 1000 otherwise), each part dispatched as its own call;
- OAuth 2.0: ``/token`` (refresh-token and authorization-code grants, with PKCE) and ``/auth``
  (which consents at once and redirects, as a user clicking "Allow" would); access tokens carry
  the scopes granted, and each method's ``scopes`` in the discovery document are enforced (403);
- faults: :meth:`GoogleApiServer.fault` makes chosen calls answer 429, 403 rate limits, 5xx or
  401, once, N times, every Nth call, with or without ``Retry-After``.

Plain code, no pytest; the fixtures are in ``tests/fixtures_google.py``.
"""

from __future__ import annotations

import base64
import copy
import email.parser
import hashlib
import itertools
import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from tests.servers.google_calendar import CalendarStore
from tests.servers.google_discovery import Api, Method
from tests.servers.google_errors import ApiError, error_body
from tests.servers.google_gmail import Mailbox

__all__ = ["Call", "Fault", "GoogleApiServer"]

CLIENT_ID = "chief-local-client.apps.example"
CLIENT_SECRET = "local-client-secret"
_BATCH_LIMITS = {"gmail": 100, "calendar": 1000}
_REASON_TEXT = {200: "OK", 204: "No Content", 302: "Found"}


@dataclass
class Call:
    """One API call as the server saw it (what a fault's ``when`` is given)."""

    method_id: str
    params: dict[str, Any]
    in_batch: bool
    status: int = 0


@dataclass
class Fault:
    """Answer matching calls with ``status`` / ``reason``: ``times`` of them (None: all),
    each ``every``-th match only."""

    status: int
    reason: str
    when: Callable[[Call], bool]
    times: int | None = 1
    every: int = 1
    retry_after: str | None = None
    matched: int = 0
    fired: int = 0

    def fires(self, call: Call) -> bool:
        if self.times is not None and self.fired >= self.times:
            return False
        if not self.when(call):
            return False
        self.matched += 1
        if self.matched % self.every:
            return False
        self.fired += 1
        return True


@dataclass
class _Grant:
    scopes: frozenset[str]
    revoked: bool = False


@dataclass
class _State:
    tokens: dict[str, tuple[frozenset[str], float]] = field(default_factory=dict)
    grants: dict[str, _Grant] = field(default_factory=dict)
    codes: dict[str, tuple[frozenset[str], str, str | None]] = field(default_factory=dict)


class GoogleApiServer:
    """Gmail + Calendar for one account, on 127.0.0.1 (see the module docstring)."""

    def __init__(self, account: str = "dr@practice.example", tz: str = "America/New_York") -> None:
        self.account = account
        self.apis = {"gmail": Api.load("gmail", "v1"), "calendar": Api.load("calendar", "v3")}
        self.gmail = Mailbox(account)
        self.calendar = CalendarStore(account, tz)
        self.client_id, self.client_secret = CLIENT_ID, CLIENT_SECRET
        self.token_lifetime = 3600
        self.problems: list[str] = []
        self.calls: list[Call] = []
        self.token_requests = 0
        self.batches: list[int] = []  # size of every batch request
        self.auth_requests: list[dict[str, str]] = []
        self.faults: list[Fault] = []
        self.tamper: Callable[[str, Any], Any] | None = None
        self._auth = _State()
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._ids = itertools.count(1)

    # ------------------------------------------------------------------ life cycle

    def start(self) -> GoogleApiServer:
        handler = type("Handler", (_Handler,), {"api": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        # A client killed mid-connect can leave the listening socket "readable" with nothing
        # to accept; non-blocking, the accept just fails and serving (and stop()) goes on.
        self._httpd.socket.setblocking(False)
        threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> GoogleApiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None
        return int(self._httpd.server_address[1])

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def token_uri(self) -> str:
        return self.root_url + "token"

    def snapshot(self) -> tuple[Any, ...]:
        """Everything held, to :meth:`restore` later (crash tests start each round afresh)."""
        with self.gmail.lock, self.calendar.lock:
            return tuple(
                copy.deepcopy({k: v for k, v in store.__dict__.items() if k != "lock"})
                for store in (self.gmail, self.calendar)
            )

    def restore(self, saved: tuple[Any, ...]) -> None:
        with self.gmail.lock, self.calendar.lock:
            for store, state in zip((self.gmail, self.calendar), saved, strict=True):
                store.__dict__.update(copy.deepcopy(state))

    # ------------------------------------------------------------------ accounts and faults

    def grant(self, scopes: list[str] | tuple[str, ...]) -> str:
        """A refresh token for ``scopes`` (as a finished sign-in leaves behind)."""
        token = "1//local-" + secrets.token_urlsafe(24)
        self._auth.grants[token] = _Grant(frozenset(scopes))
        return token

    def revoke(self, refresh_token: str) -> None:
        self._auth.grants[refresh_token].revoked = True
        self._auth.tokens.clear()

    def expire_access_tokens(self) -> None:
        """Every access token handed out so far stops working (the next call gets 401)."""
        self._auth.tokens.clear()

    def fault(
        self,
        status: int = 429,
        *,
        reason: str | None = None,
        times: int | None = 1,
        every: int = 1,
        retry_after: float | None = None,
        when: Callable[[Call], bool] | None = None,
        method: str | None = None,
    ) -> Fault:
        """Answer matching calls with an error; see :class:`Fault`. ``method`` matches a method
        id suffix (``"messages.get"``), ``when`` any predicate."""
        if reason is None:
            reason = {429: "rateLimitExceeded", 401: "authError", 403: "userRateLimitExceeded"}.get(
                status, "backendError"
            )

        def matches(call: Call) -> bool:
            if method is not None and not call.method_id.endswith(method):
                return False
            return when is None or when(call)

        made = Fault(
            status,
            reason,
            matches,
            times,
            every,
            None if retry_after is None else f"{retry_after:g}",
        )
        with self._lock:
            self.faults.append(made)
        return made

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def count(self, suffix: str) -> int:
        """How many calls of a method (id suffix) were answered, faults included."""
        return sum(1 for c in self.calls if c.method_id.endswith(suffix))

    # ------------------------------------------------------------------ dispatch

    def call(
        self, http_method: str, target: str, headers: dict[str, str], body: bytes, in_batch: bool
    ) -> tuple[int, dict[str, str], bytes]:
        """Serve one API call: (status, headers, body)."""
        parts = urlsplit(target)
        query = parse_qs(parts.query, keep_blank_values=True)
        for api in self.apis.values():
            routed = api.route(http_method, parts.path)
            if routed is not None:
                break
        else:
            self._problem(f"no discovery method serves {http_method} {parts.path}")
            return _json(404, error_body(404, "notFound", "Not Found"))
        method, path_params = routed
        call = Call(method.id, dict(path_params), in_batch)
        with self._lock:
            self.calls.append(call)
            fault = next((f for f in self.faults if f.fires(call)), None)
        status, out_headers, payload = self._answer(
            api, method, path_params, query, headers, body, call, fault
        )
        call.status = status
        return status, out_headers, payload

    def _answer(
        self,
        api: Api,
        method: Method,
        path_params: dict[str, str],
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: bytes,
        call: Call,
        fault: Fault | None,
    ) -> tuple[int, dict[str, str], bytes]:
        if fault is not None:
            status, extra, payload = _json(
                fault.status, error_body(fault.status, fault.reason, "injected fault")
            )
            if fault.retry_after is not None:
                extra["Retry-After"] = fault.retry_after
            if fault.status == 401:
                extra["WWW-Authenticate"] = (
                    'Bearer realm="https://accounts.google.com/", error="invalid_token"'
                )
            return status, extra, payload
        denied = self._authorise(method, headers)
        if denied is not None:
            return denied
        values, problems = api.check_query(method, query)
        if "fields" in values:
            problems.append(f"{method.id}: `fields` (partial responses) is not served locally")
        parsed: Any = None
        if method.request is not None:
            try:
                parsed = json.loads(body or b"null")
            except ValueError:
                problems.append(f"{method.id}: request body is not JSON")
            else:
                problems.extend(api.check_body(method.request, parsed, method.id, "request"))
        elif body:
            problems.append(f"{method.id}: takes no request body")
        if problems:
            for problem in problems:
                self._problem(problem)
            return _json(400, error_body(400, "invalidArgument", "; ".join(problems)))
        params = {**values, **path_params}
        call.params = params
        store: Any = self.gmail if api.name == "gmail" else self.calendar
        try:
            result = store.handle(method.id, params, parsed)
        except ApiError as exc:
            return _json(exc.code, error_body(exc.code, exc.reason, exc.message))
        if self.tamper is not None:
            result = self.tamper(method.id, result)
        if method.response is None:
            if result is not None:
                self._problem(f"{method.id}: answered a body where the API answers none")
            return 204, {}, b""
        violations = api.check_body(method.response, result, method.id, "response")
        if violations:
            for problem in violations:
                self._problem(problem)
            return _json(
                500, error_body(500, "backendError", "local server answer failed its schema")
            )
        return _json(200, result)

    def _authorise(
        self, method: Method, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes] | None:
        value = headers.get("authorization", "")
        token = value[7:] if value.lower().startswith("bearer ") else ""
        held = self._auth.tokens.get(token)
        if held is None or held[1] < time.time():
            status, extra, payload = _json(401, error_body(401, "authError", "Invalid Credentials"))
            extra["WWW-Authenticate"] = (
                'Bearer realm="https://accounts.google.com/", error="invalid_token"'
            )
            return status, extra, payload
        if not held[0] & method.scopes:
            return _json(
                403,
                error_body(
                    403,
                    "insufficientPermissions",
                    "Request had insufficient authentication scopes.",
                ),
            )
        return None

    def _problem(self, text: str) -> None:
        with self._lock:
            self.problems.append(text)

    # ------------------------------------------------------------------ batch

    def batch(
        self, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        kind = headers.get("content-type", "")
        message = email.parser.BytesParser().parsebytes(
            f"Content-Type: {kind}\r\n\r\n".encode() + body
        )
        if not message.is_multipart():
            self._problem("batch request is not multipart/mixed")
            return _json(400, error_body(400, "badRequest", "batch must be multipart/mixed"))
        parts = message.get_payload()
        assert isinstance(parts, list)
        api = "calendar" if "calendar" in path else "gmail"
        if api == "gmail" and parts:
            first = str(parts[0].get_payload()).split(" ", 2)[1]
            api = "calendar" if first.startswith("/calendar/") else "gmail"
        if len(parts) > _BATCH_LIMITS[api]:
            self._problem(f"{api} batch of {len(parts)} requests (limit {_BATCH_LIMITS[api]})")
            return _json(400, error_body(400, "badRequest", "Too many requests in batch."))
        with self._lock:
            self.batches.append(len(parts))
            outer = Call("batch", {}, False)
            self.calls.append(outer)
            fault = next((f for f in self.faults if f.fires(outer)), None)
        if fault is not None:
            status, extra, payload = _json(
                fault.status, error_body(fault.status, fault.reason, "injected fault")
            )
            if fault.retry_after is not None:
                extra["Retry-After"] = fault.retry_after
            return status, extra, payload
        boundary = "batch_" + secrets.token_hex(8)
        chunks = []
        for part in parts:
            text = part.get_payload(decode=True).decode("utf-8")
            line, _, rest = text.partition("\n")
            verb, target, _ = line.strip().split(" ", 2)
            inner = email.parser.Parser().parsestr(rest)
            inner_headers = {k.lower(): v for k, v in inner.items()}
            inner_body = (
                (inner.get_payload() or "").encode("utf-8")
                if inner_headers.get("content-length")
                else b""
            )
            status, out_headers, payload = self.call(verb, target, inner_headers, inner_body, True)
            head = f"HTTP/1.1 {status} {_REASON_TEXT.get(status, 'Error')}\r\n"
            for name, value in {
                "Content-Type": "application/json; charset=UTF-8",
                **out_headers,
            }.items():
                head += f"{name}: {value}\r\n"
            content_id = re.sub(r"\r?\n[ \t]+", " ", str(part["Content-ID"])).strip().strip("<>")
            chunks.append(
                f"--{boundary}\r\nContent-Type: application/http\r\n"
                f"Content-ID: <response-{content_id}>\r\n\r\n{head}\r\n".encode()
                + payload
                + b"\r\n"
            )
        chunks.append(f"--{boundary}--\r\n".encode())
        return 200, {"Content-Type": f"multipart/mixed; boundary={boundary}"}, b"".join(chunks)

    # ------------------------------------------------------------------ OAuth 2.0

    def token(self, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        form = {k: v[0] for k, v in parse_qs(body.decode("ascii")).items()}
        basic = headers.get("authorization", "")
        if basic.lower().startswith("basic "):  # client authentication, RFC 6749 2.3.1
            user, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
            form.setdefault("client_id", unquote(user))
            form.setdefault("client_secret", unquote(secret))
        with self._lock:
            self.token_requests += 1
        if (
            form.get("client_id") != self.client_id
            or form.get("client_secret") != self.client_secret
        ):
            return _json(
                401,
                {"error": "invalid_client", "error_description": "The OAuth client was not found."},
            )
        grant_type = form.get("grant_type")
        refresh = None
        if grant_type == "refresh_token":
            refresh = form.get("refresh_token", "")
            grant = self._auth.grants.get(refresh)
            if grant is None or grant.revoked:
                return _json(
                    400,
                    {
                        "error": "invalid_grant",
                        "error_description": "Token has been expired or revoked.",
                    },
                )
            scopes = grant.scopes
        elif grant_type == "authorization_code":
            code = self._auth.codes.pop(form.get("code", ""), None)
            if code is None or code[1] != form.get("redirect_uri"):
                return _json(400, {"error": "invalid_grant", "error_description": "Bad Request"})
            scopes, _, challenge = code
            if challenge is not None:
                verifier = form.get("code_verifier", "")
                digest = base64.urlsafe_b64encode(
                    hashlib.sha256(verifier.encode()).digest()
                ).rstrip(b"=")
                if digest.decode() != challenge:
                    return _json(
                        400,
                        {"error": "invalid_grant", "error_description": "Invalid code verifier."},
                    )
            refresh = self.grant(sorted(scopes))
        else:
            return _json(400, {"error": "unsupported_grant_type"})
        access = f"ya29.local-{next(self._ids)}-" + secrets.token_urlsafe(12)
        self._auth.tokens[access] = (scopes, time.time() + self.token_lifetime)
        answer = {
            "access_token": access,
            "expires_in": self.token_lifetime,
            "scope": " ".join(sorted(scopes)),
            "token_type": "Bearer",
        }
        if grant_type == "authorization_code":
            answer["refresh_token"] = refresh
        return _json(200, answer)

    def authorize(self, target: str) -> tuple[int, dict[str, str], bytes]:
        query = {k: v[0] for k, v in parse_qs(urlsplit(target).query).items()}
        self.auth_requests.append(query)
        if query.get("client_id") != self.client_id or query.get("response_type") != "code":
            return 400, {"Content-Type": "text/plain"}, b"Error 400: invalid_request"
        code = "4/local-" + secrets.token_urlsafe(16)
        challenge = (
            query.get("code_challenge") if query.get("code_challenge_method") == "S256" else None
        )
        self._auth.codes[code] = (
            frozenset(query.get("scope", "").split()),
            query["redirect_uri"],
            challenge,
        )
        back = {"code": code, "scope": query.get("scope", "")}
        if "state" in query:
            back["state"] = query["state"]
        return 302, {"Location": f"{query['redirect_uri']}?{urlencode(back)}"}, b""


def _json(status: int, value: Any) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json; charset=UTF-8"}, json.dumps(value).encode()


class _Handler(BaseHTTPRequestHandler):
    api: GoogleApiServer
    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16  # headers and body in one write: no delayed-ACK stall per answer
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if len(body) < length:  # the client was killed mid-request: no request was made
            self.close_connection = True
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        path = urlsplit(self.path).path
        if path == "/token" and self.command == "POST":
            answer = self.api.token(body, headers)
        elif path == "/auth" and self.command == "GET":
            answer = self.api.authorize(self.path)
        elif path.startswith("/batch") and self.command == "POST":
            answer = self.api.batch(path, headers, body)
        else:
            answer = self.api.call(self.command, self.path, headers, body, False)
        status, out_headers, payload = answer
        self.send_response(status)
        for name, value in out_headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve
