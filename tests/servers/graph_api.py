"""A local HTTP server speaking the Microsoft Graph v1.0 calls the Outlook connectors use, and the
Microsoft identity platform endpoints msal talks to.

One :class:`GraphServer` on 127.0.0.1 holds a mailbox (:mod:`tests.servers.graph_mail`) and a
calendar (:mod:`tests.servers.graph_calendar`) and answers:

- ``/v1.0/me``, mail folders and their child folders (list, create), messages (list, get,
  ``$value``, create, PATCH, permanentDelete, createReply, move), ``messages/delta`` per folder,
  events (list, create, PATCH, DELETE) and ``calendarView``; each request body and each answer
  checked against :mod:`tests.servers.graph_shapes` (a mismatch is a 400 and a recorded
  problem, so the test fails);
- ``/v1.0/$batch``: JSON batching, at most 20 requests (more is 400), each part dispatched as
  its own call (faults included); non-JSON answers base64-encoded;
- the identity platform under ``/{tenant}/…``: OpenID configuration (advertising the real
  ``https://login.microsoftonline.com`` endpoints, as msal requires https; the connector's
  ``login_root`` brings msal's requests here), the device-code endpoint (approved at once
  unless :attr:`GraphServer.pending_devices` says otherwise), the token endpoint (device code,
  authorization code and refresh-token grants) and ``authorize`` (consents at once and
  answers as a user clicking "Accept" would: a redirect, or with ``response_mode=form_post``
  the page whose form posts the code back); each sign-in's parameters are kept in
  :attr:`GraphServer.sign_ins`. Access tokens carry the scopes granted and
  are enforced (403 ``ErrorAccessDenied``); an unknown or expired one is 401.
- faults: :meth:`GraphServer.fault` makes chosen calls answer 429 / 503 / 504 (with or
  without ``Retry-After``), 401, 410 or 424 (a ``$batch`` part whose dependency failed),
  once, N times or every Nth call.

Plain code, no pytest; the fixtures are in ``tests/fixtures_graph.py``.
"""

from __future__ import annotations

import base64
import copy
import html
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

from tests.servers.graph_calendar import GraphCalendar
from tests.servers.graph_mail import GraphError, GraphMailbox
from tests.servers.graph_shapes import check

__all__ = ["CLIENT_ID", "Call", "GraphServer", "TENANT"]

CLIENT_ID = "00000000-0000-4000-8000-00000000c1ef"
TENANT = "11111111-2222-4333-8444-555555555555"
LOGIN = "https://login.microsoftonline.com"
_SCOPE_PREFIX = "https://graph.microsoft.com/"
_BATCH_LIMIT = 20
_PREFER_TZ = re.compile(r'outlook\.timezone="([^"]+)"')
_PAGE = re.compile(r"odata\.maxpagesize=(\d+)")
_FAULT_CODES = {
    401: "InvalidAuthenticationToken",
    410: "SyncStateNotFound",
    424: "FailedDependency",
    429: "TooManyRequests",
}
_REVOKED = {
    "error": "invalid_grant",
    "error_codes": [50173],
    "error_description": "AADSTS50173: The provided grant has expired due to it being revoked.",
}
_NO_CONSENT = {
    "error": "invalid_grant",
    "error_codes": [65001],
    "suberror": "consent_required",
    "error_description": "AADSTS65001: The user or administrator has not consented.",
}
_EXPIRED = {
    "error": {
        "code": "InvalidAuthenticationToken",
        "message": "Access token has expired or is not yet valid.",
    }
}


@dataclass
class Call:
    method: str
    path: str
    in_batch: bool
    status: int = 0


@dataclass
class Fault:
    status: int
    when: Callable[[Call], bool]
    times: int | None = 1
    every: int = 1
    retry_after: str | None = None
    code: str = ""
    header: str = "Retry-After"  # as spelled in the answer (a $batch part may lower-case it)
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
    revoked: str = ""  # "", "revoked" or "consent"


@dataclass
class _Auth:
    tokens: dict[str, frozenset[str]] = field(default_factory=dict)
    grants: dict[str, _Grant] = field(default_factory=dict)
    codes: dict[str, frozenset[str]] = field(default_factory=dict)
    nonces: dict[str, str] = field(default_factory=dict)  # code -> the authorize nonce


def _b64url(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


class GraphServer:
    """Graph + the identity platform for one user, on 127.0.0.1."""

    def __init__(self, account: str = "dr@practice.example") -> None:
        self.account = account
        self.mail = GraphMailbox(account)
        self.calendar = GraphCalendar()
        self.problems: list[str] = []
        self.calls: list[Call] = []
        self.batches: list[int] = []
        self.token_requests: list[str] = []  # grant types, in order
        self.sign_ins: list[dict[str, str]] = []  # authorize / devicecode parameters, in order
        self.faults: list[Fault] = []
        self.pending_devices = 0  # device-code polls answered authorization_pending first
        self._auth = _Auth()
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._ids = itertools.count(1)

    # ------------------------------------------------------------------ life cycle

    def start(self) -> GraphServer:
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

    @property
    def root(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/"

    @property
    def api_root(self) -> str:
        return self.root + "v1.0"

    def snapshot(self) -> tuple[Any, ...]:
        with self.mail.lock, self.calendar.lock:
            return tuple(
                copy.deepcopy({k: v for k, v in store.__dict__.items() if k != "lock"})
                for store in (self.mail, self.calendar)
            )

    def restore(self, saved: tuple[Any, ...]) -> None:
        with self.mail.lock, self.calendar.lock:
            for store, state in zip((self.mail, self.calendar), saved, strict=True):
                store.__dict__.update(copy.deepcopy(state))

    # ------------------------------------------------------------------ accounts and faults

    def revoke(self, how: str = "revoked") -> None:
        """Every grant refused from now on (``"consent"``: the consent was withdrawn)."""
        for grant in self._auth.grants.values():
            grant.revoked = how
        self._auth.tokens.clear()

    def expire_access_tokens(self) -> None:
        self._auth.tokens.clear()

    def fault(
        self,
        status: int = 429,
        *,
        times: int | None = 1,
        every: int = 1,
        retry_after: float | None = None,
        path: str | None = None,
        method: str | None = None,
        code: str = "",
        header: str = "Retry-After",
    ) -> Fault:
        """Answer matching calls (``path`` a substring of the path, ``method`` the verb);
        ``header`` is how the answer spells ``Retry-After``."""

        def matches(call: Call) -> bool:
            if path is not None and path not in call.path:
                return False
            return method is None or call.method == method

        made = Fault(
            status,
            matches,
            times,
            every,
            None if retry_after is None else f"{retry_after:g}",
            code or _FAULT_CODES.get(status, "ServiceUnavailable"),
            header,
        )
        with self._lock:
            self.faults.append(made)
        return made

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def count(self, fragment: str, method: str | None = None) -> int:
        return sum(
            1
            for c in self.calls
            if fragment in c.path and (method is None or c.method == method) and c.status < 300
        )

    def _problem(self, text: str) -> None:
        with self._lock:
            self.problems.append(text)

    # ------------------------------------------------------------------ identity platform

    def _tokens(
        self, scopes: frozenset[str], refresh: str | None = None, nonce: str | None = None
    ) -> dict[str, Any]:
        access = "eyLocalAccess." + secrets.token_urlsafe(18)
        self._auth.tokens[access] = scopes
        if refresh is None:
            refresh = "0.LocalRefresh." + secrets.token_urlsafe(24)
            self._auth.grants[refresh] = _Grant(scopes)
        uid = "00000000-0000-0000-aaaa-000000000001"
        now = int(time.time())
        claims = {
            "aud": CLIENT_ID,
            "iss": f"{LOGIN}/{TENANT}/v2.0",
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "name": "Practitioner",
            "oid": uid,
            "preferred_username": self.account,
            "sub": "local-subject",
            "tid": TENANT,
            "ver": "2.0",
        }
        if nonce is not None:  # OpenID Connect Core 3.1.3.7: echoed from the authorize request
            claims["nonce"] = nonce
        return {
            "token_type": "Bearer",
            "scope": " ".join(sorted(_SCOPE_PREFIX + s for s in scopes)),
            "expires_in": 3600,
            "ext_expires_in": 3600,
            "access_token": access,
            "refresh_token": refresh,
            "id_token": f"{_b64url({'alg': 'none', 'typ': 'JWT'})}.{_b64url(claims)}.",
            "client_info": _b64url({"uid": uid, "utid": TENANT}),
        }

    def identity(
        self, verb: str, path: str, query: dict[str, str], form: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        tenant, _, rest = path.strip("/").partition("/")
        if verb == "GET" and rest == "v2.0/.well-known/openid-configuration":
            base = f"{LOGIN}/{tenant}/oauth2/v2.0"
            return _json(
                200,
                {
                    "authorization_endpoint": base + "/authorize",
                    "token_endpoint": base + "/token",
                    "device_authorization_endpoint": base + "/devicecode",
                    "issuer": f"{LOGIN}/{TENANT}/v2.0",
                    "response_types_supported": ["code", "id_token", "code id_token"],
                },
            )
        if verb == "GET" and rest == "oauth2/v2.0/authorize":
            self.sign_ins.append({"endpoint": "authorize", **query})
            code = "code-" + secrets.token_urlsafe(12)
            self._auth.codes[code] = _requested(query.get("scope", ""))
            if query.get("nonce"):
                self._auth.nonces[code] = query["nonce"]
            answer = {"code": code, "state": query.get("state", "")}
            if query.get("response_mode") == "form_post":
                return _form_post(query["redirect_uri"], answer)
            return 302, {"Location": query["redirect_uri"] + "?" + urlencode(answer)}, b""
        if verb != "POST" or form.get("client_id") != CLIENT_ID:
            return _json(400, {"error": "invalid_client", "error_codes": [700016]})
        if rest == "oauth2/v2.0/devicecode":
            self.sign_ins.append({"endpoint": "devicecode", **form})
            code = "device-" + secrets.token_urlsafe(12)
            self._auth.codes[code] = _requested(form.get("scope", ""))
            return _json(
                200,
                {
                    "device_code": code,
                    "user_code": "LOCAL1234",
                    "verification_uri": "https://microsoft.com/devicelogin",
                    "expires_in": 900,
                    "interval": 1,
                    "message": "To sign in, open https://microsoft.com/devicelogin and enter the code LOCAL1234.",  # noqa: E501
                },
            )
        if rest != "oauth2/v2.0/token":
            return _json(404, {"error": "not_found"})
        grant = form.get("grant_type", "")
        self.token_requests.append(grant)
        if grant in ("urn:ietf:params:oauth:grant-type:device_code", "authorization_code"):
            code = form.get("device_code") or form.get("code") or ""
            if grant.endswith("device_code") and self.pending_devices > 0:
                self.pending_devices -= 1
                return _json(400, {"error": "authorization_pending", "error_codes": [70016]})
            scopes = self._auth.codes.pop(code, None)
            if scopes is None:
                return _json(400, {"error": "invalid_grant", "error_codes": [70000]})
            return _json(200, self._tokens(scopes, nonce=self._auth.nonces.pop(code, None)))
        if grant == "refresh_token":
            held = self._auth.grants.get(form.get("refresh_token", ""))
            wanted = _requested(form.get("scope", ""))
            if held is None or held.revoked == "revoked":
                return _json(400, _REVOKED)
            if held.revoked == "consent" or not wanted <= held.scopes:
                return _json(400, _NO_CONSENT)
            return _json(200, self._tokens(held.scopes, form["refresh_token"]))
        return _json(400, {"error": "unsupported_grant_type"})

    # ------------------------------------------------------------------ Graph dispatch

    def call(
        self, verb: str, target: str, headers: dict[str, str], body: bytes, in_batch: bool
    ) -> tuple[int, dict[str, str], Any]:
        """One Graph call (``target`` relative to /v1.0): status, headers, JSON or bytes."""
        parts = urlsplit(target)
        path = parts.path
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        call = Call(verb, path, in_batch)
        with self._lock:
            self.calls.append(call)
            fault = None if path == "/$batch" and in_batch else next(
                (f for f in self.faults if f.fires(call)), None
            )  # fmt: skip
        if fault is not None:
            extra = {fault.header: fault.retry_after} if fault.retry_after else {}
            call.status = fault.status
            return fault.status, extra, {"error": {"code": fault.code, "message": "injected fault"}}
        scopes = self._auth.tokens.get(headers.get("authorization", "").removeprefix("Bearer "))
        if scopes is None:
            call.status = 401
            return 401, {}, copy.deepcopy(_EXPIRED)
        parsed: Any = None
        if body and headers.get("content-type", "").startswith("text/plain"):
            parsed = body  # a MIME upload, base64 (the only non-JSON body Graph takes here)
        elif body:
            try:
                parsed = json.loads(body)
            except ValueError:
                self._problem(f"{verb} {path}: body is not JSON")
                call.status = 400
                return 400, {}, {"error": {"code": "BadRequest", "message": "Invalid JSON"}}
        try:
            status, out = self._route(verb, path, query, headers, parsed, scopes, in_batch)
        except GraphError as exc:
            if exc.status == 400:
                self._problem(f"{verb} {path}: {exc.message}")
            call.status = exc.status
            return exc.status, {}, exc.body()
        call.status = status
        if isinstance(out, bytes):
            return status, {"Content-Type": "text/plain"}, out
        if isinstance(out, dict):
            self._fix_links(out, path, query)
        return status, {}, out

    def _fix_links(self, out: dict[str, Any], path: str, query: dict[str, str]) -> None:
        for name in ("@odata.nextLink", "@odata.deltaLink"):
            if isinstance(out.get(name), tuple):
                param, value = out[name]
                kept = {
                    k: v
                    for k, v in query.items()
                    if k not in ("$skip", "$skiptoken", "$deltatoken")
                }
                kept[param] = value
                out[name] = f"{self.api_root}{path}?{urlencode(kept)}"

    def _need(self, scopes: frozenset[str], area: str, write: bool) -> None:
        allowed = {f"{area}.ReadWrite"} | (set() if write else {f"{area}.Read"})
        if not scopes & allowed:
            raise GraphError(
                403, "ErrorAccessDenied", "Access is denied. Check credentials and try again."
            )

    def _route(
        self,
        verb: str,
        path: str,
        query: dict[str, str],
        headers: dict[str, str],
        body: Any,
        scopes: frozenset[str],
        in_batch: bool,
    ) -> tuple[int, Any]:
        if path == "/$batch" and verb == "POST":
            if in_batch:
                raise GraphError(400, "BadRequest", "a batch cannot hold a batch")
            return 200, self._batch(body, headers)
        segments = [unquote(s) for s in path.split("/") if s]
        if segments[:1] != ["me"]:
            raise GraphError(400, "BadRequest", f"{path}: not served by the local server")
        rest = segments[1:]
        if rest == [] and verb == "GET":
            return 200, {
                "id": "local-user",
                "mail": self.account,
                "userPrincipalName": self.account,
            }
        if rest[:1] in (["messages"], ["mailFolders"]):
            self._need(scopes, "Mail", verb != "GET")
            with self.mail.lock:
                return self._mail(verb, rest, query, headers, body)
        if rest[:1] == ["calendar"]:
            rest = rest[1:]
        if rest[:1] in (["events"], ["calendarView"]):
            self._need(scopes, "Calendars", verb != "GET")
            tz = _PREFER_TZ.search(headers.get("prefer", ""))
            with self.calendar.lock:
                return self._events(verb, rest, query, body, tz.group(1) if tz else "UTC")
        raise GraphError(400, "BadRequest", f"{verb} {path}: not served by the local server")

    def _checked(self, resource: str, out: dict[str, Any]) -> dict[str, Any]:
        items = out.get("value") if "value" in out else [out]
        for item in items or ():
            if "@removed" not in item:
                for problem in check(resource, item, "response"):
                    self._problem("response: " + problem)
        return out

    def _mail(
        self, verb: str, rest: list[str], query: dict[str, str], headers: dict[str, str], body: Any
    ) -> tuple[int, Any]:
        box = self.mail
        if rest == ["mailFolders"] and verb == "GET":
            return 200, self._checked("mailFolder", box.list_folders(query))
        if rest == ["mailFolders"] and verb == "POST":
            return 201, self._checked("mailFolder", box.create_folder(body))
        if rest[:1] == ["mailFolders"] and rest[2:] == ["childFolders"] and verb == "GET":
            return 200, self._checked("mailFolder", box.list_folders(query, rest[1]))
        if rest[:1] == ["mailFolders"] and rest[2:] == ["childFolders"] and verb == "POST":
            return 201, self._checked("mailFolder", box.create_folder(body, rest[1]))
        if rest[:1] == ["mailFolders"] and rest[2:] == ["messages", "delta"] and verb == "GET":
            size = _PAGE.search(headers.get("prefer", ""))
            page = int(size.group(1)) if size else 10
            return 200, self._checked("message", box.delta(rest[1], query, page))
        if rest[:1] == ["mailFolders"] and rest[2:] == ["messages"]:
            if verb == "GET":
                return 200, self._checked("message", box.list_messages(rest[1], query))
            if verb == "POST":
                return 201, self._checked("message", box.create(rest[1], body))
        if rest == ["messages"]:
            if verb == "GET":
                return 200, self._checked("message", box.list_messages(None, query))
            if verb == "POST" and isinstance(body, bytes):
                return 201, self._checked("message", box.create_mime(body))
            if verb == "POST":
                return 201, self._checked("message", box.create("drafts", body))
        if len(rest) == 2 and rest[0] == "messages":
            if verb == "GET":
                return 200, self._checked("message", box.get(rest[1], query))
            if verb == "PATCH":
                return 200, self._checked("message", box.update(rest[1], body))
        if len(rest) == 3 and rest[0] == "messages":
            if rest[2] == "$value" and verb == "GET":
                return 200, box.value(rest[1])
            if rest[2] == "permanentDelete" and verb == "POST":
                box.delete(rest[1])  # gone for good, not into Deleted Items
                return 204, None
            if rest[2] == "move" and verb == "POST":  # a new id in its new folder, as Graph
                moved = box.move(rest[1], str((body or {}).get("destinationId", "")))
                return 201, self._checked("message", box.get(moved, {}))
            if rest[2] == "createReply" and verb == "POST":
                return 201, self._checked("message", box.create_reply(rest[1], body))
        raise GraphError(400, "BadRequest", f"{verb} /me/{'/'.join(rest)}: not served locally")

    def _events(
        self, verb: str, rest: list[str], query: dict[str, str], body: Any, tz: str
    ) -> tuple[int, Any]:
        cal = self.calendar
        if rest == ["calendarView"] and verb == "GET":
            return 200, self._checked("event", cal.list(query, tz, view=True))
        if rest == ["events"]:
            if verb == "GET":
                return 200, self._checked("event", cal.list(query, tz, view=False))
            if verb == "POST":
                status, made = cal.create(body, tz)
                return status, self._checked("event", made)
        if len(rest) == 2 and rest[0] == "events":
            if verb == "GET":
                return 200, self._checked("event", cal.get(rest[1], tz, query))
            if verb == "PATCH":
                return 200, self._checked("event", cal.update(rest[1], body, tz))
            if verb == "DELETE":
                cal.delete(rest[1])
                return 204, None
        raise GraphError(400, "BadRequest", f"{verb} /me/{'/'.join(rest)}: not served locally")

    def _batch(self, body: Any, headers: dict[str, str]) -> dict[str, Any]:
        parts = (body or {}).get("requests")
        if not isinstance(parts, list) or not parts:
            raise GraphError(400, "BadRequest", "$batch: requests is a non-empty array")
        if len(parts) > _BATCH_LIMIT:
            raise GraphError(400, "BadRequest", f"$batch: at most {_BATCH_LIMIT} requests")
        ids = [str(p.get("id")) for p in parts]
        if len(set(ids)) != len(ids):
            raise GraphError(400, "BadRequest", "$batch: request ids must be unique")
        with self._lock:
            self.batches.append(len(parts))
        answers = []
        for part in parts:
            if set(part) - {"id", "method", "url", "body", "headers", "dependsOn"}:
                raise GraphError(400, "BadRequest", "$batch: unknown request property")
            url = str(part.get("url", ""))
            if not url.startswith("/") or url.startswith("/v1.0"):
                raise GraphError(400, "BadRequest", "$batch: url is relative to the version root")
            inner = {str(k).lower(): str(v) for k, v in (part.get("headers") or {}).items()}
            inner["authorization"] = headers.get("authorization", "")
            payload = json.dumps(part["body"]).encode() if "body" in part else b""
            status, extra, out = self.call(part["method"], url, inner, payload, in_batch=True)
            answer: dict[str, Any] = {"id": part["id"], "status": status}
            if isinstance(out, bytes):
                extra = {**extra, "Content-Type": "text/plain"}
                out = base64.b64encode(out).decode("ascii")
            elif out is not None:
                extra = {**extra, "Content-Type": "application/json"}
            if extra:
                answer["headers"] = extra
            if out is not None:
                answer["body"] = out
            answers.append(answer)
        return {"responses": answers}


def _requested(scope: str) -> frozenset[str]:
    """Graph scopes named in a space-separated OAuth ``scope`` (resource prefix dropped)."""
    return frozenset(
        s.removeprefix(_SCOPE_PREFIX)
        for s in scope.split()
        if s not in ("openid", "profile", "offline_access")
    )


def _form_post(target: str, fields: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    """The identity platform's ``response_mode=form_post`` answer: a page whose form a
    browser submits at once (OAuth 2.0 Form Post Response Mode)."""
    inputs = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}"/>'
        for k, v in fields.items()
    )
    page = (
        "<html><head><title>Working...</title></head><body>"
        f'<form method="POST" name="hiddenform" action="{html.escape(target)}">{inputs}'
        '<noscript><input type="submit" value="Continue"/></noscript></form>'
        "<script>document.forms[0].submit();</script></body></html>"
    )
    return 200, {"Content-Type": "text/html; charset=utf-8"}, page.encode()


def _json(status: int, body: Any) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()


class _Handler(BaseHTTPRequestHandler):
    api: GraphServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if len(body) < length:  # the client was killed mid-request: no request was made
            self.close_connection = True
            return
        parts = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        if parts.path.startswith("/v1.0/"):
            target = self.path[len("/v1.0") :]
            status, extra, out = self.api.call(self.command, target, headers, body, False)
            if isinstance(out, bytes):
                payload = out
            elif out is None:
                payload = b""
            else:
                payload = json.dumps(out).encode()
                extra = {**extra, "Content-Type": "application/json"}
        else:
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
            with self.api._lock:
                status, extra, payload = self.api.identity(self.command, parts.path, query, form)
        self.send_response(status)
        for name, value in extra.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_DELETE = _serve
