"""The local Google API server keeps to the discovery documents: proof that its validation
catches a malformed response, an unknown parameter, a missing required field, an unknown path,
an oversized batch and a missing scope, and that its history ids behave like Gmail's."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from googleapiclient.errors import HttpError

from connectors.google.auth import GMAIL_SCOPES
from tests.servers.google_api import GoogleApiServer
from tests.servers.google_discovery import Api
from tests.servers.google_testing import gmail_for, signed_in

pytest_plugins = ["tests.fixtures_google"]


def _service(server: GoogleApiServer, token: Path, api: str = "gmail") -> Any:
    connector = gmail_for(server, token)
    if api == "gmail":
        return connector.client.service()
    from tests.servers.google_testing import calendar_for

    return calendar_for(server, token).client.service()


def test_a_malformed_response_is_caught(google: GoogleApiServer, token_file: Path) -> None:
    service = _service(google, token_file)
    google.tamper = lambda method, body: (
        {**body, "historyId": 12345, "bogus": True} if method.endswith("getProfile") else body
    )
    with pytest.raises(HttpError) as failed:
        service.users().getProfile(userId="me").execute()
    assert failed.value.resp.status == 500
    assert any("historyId: expected a string" in p for p in google.problems)
    assert any("unknown field 'bogus'" in p for p in google.problems)
    google.problems.clear()


def test_the_schema_checker_on_nested_values() -> None:
    gmail = Api.load("gmail", "v1")
    good = {"messages": [{"id": "1a", "threadId": "1a"}], "resultSizeEstimate": 1}
    assert (
        gmail.check_body("ListMessagesResponse", good, "gmail.users.messages.list", "response")
        == []
    )
    bad = {"messages": [{"id": 5}], "resultSizeEstimate": "1"}
    problems = gmail.check_body(
        "ListMessagesResponse", bad, "gmail.users.messages.list", "response"
    )
    assert len(problems) == 2
    calendar = Api.load("calendar", "v3")
    event = {"summary": "x", "start": {"date": "2026-02-30"}}
    problems = calendar.check_body("Event", event, "calendar.events.insert", "request")
    assert any("not a yyyy-mm-dd date" in p for p in problems)
    assert any("required field 'end' missing" in p for p in problems)


def _raw(
    server: GoogleApiServer, token_file: Path, method: str, path: str, body: Any = None
) -> tuple[int, Any]:
    """A plain HTTP call with a real access token, bypassing the client library."""
    grant = json.loads(token_file.read_text())
    form = urllib.parse.urlencode(
        {
            "grant_type": "refresh_token",
            "refresh_token": grant["refresh_token"],
            "client_id": grant["client_id"],
            "client_secret": grant["client_secret"],
        }
    ).encode()
    with urllib.request.urlopen(server.token_uri, data=form, timeout=10) as answer:
        token = json.loads(answer.read())["access_token"]
    request = urllib.request.Request(
        server.root_url + path.lstrip("/"),
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def test_requests_outside_the_api_are_refused_and_recorded(
    google: GoogleApiServer, token_file: Path
) -> None:
    status, body = _raw(google, token_file, "GET", "/gmail/v1/users/me/messages?bogus=1")
    assert status == 400 and body["error"]["status"] == "INVALID_ARGUMENT"
    status, _ = _raw(google, token_file, "GET", "/gmail/v1/users/me/messages?maxResults=ten")
    assert status == 400
    status, _ = _raw(
        google, token_file, "POST", "/calendar/v3/calendars/primary/events", {"summary": "no times"}
    )
    assert status == 400
    status, _ = _raw(google, token_file, "GET", "/gmail/v1/users/me/nothing-here")
    assert status == 404
    assert len(google.problems) == 5  # start and end both missing count as two
    assert any("unknown query parameter 'bogus'" in p for p in google.problems)
    assert any("no discovery method serves" in p for p in google.problems)
    google.problems.clear()


def test_scopes_are_enforced_per_method(google: GoogleApiServer, tmp_path: Path) -> None:
    token = signed_in(
        google,
        tmp_path / "t.json",
        scopes=["https://www.googleapis.com/auth/gmail.compose"],
        claimed=GMAIL_SCOPES,
    )
    service = _service(google, token)
    with pytest.raises(HttpError) as refused:
        service.users().messages().list(userId="me").execute()
    assert refused.value.resp.status == 403
    assert service.users().drafts().list(userId="me").execute()["resultSizeEstimate"] == 0


def test_a_batch_over_gmails_limit_is_refused(google: GoogleApiServer, token_file: Path) -> None:
    service = _service(google, token_file)
    batch = service.new_batch_http_request()
    for n in range(101):
        batch.add(service.users().messages().get(userId="me", id=f"{n:x}"))
    with pytest.raises(HttpError):
        batch.execute()
    assert google.problems == ["gmail batch of 101 requests (limit 100)"]
    google.problems.clear()


def test_history_ids_grow_unevenly_and_expire_with_404(
    google: GoogleApiServer, token_file: Path
) -> None:
    service = _service(google, token_file)
    start = int(service.users().getProfile(userId="me").execute()["historyId"])
    for n in range(5):
        google.gmail.deliver(f"Subject: {n}\r\n\r\nx\r\n".encode())
    page = service.users().history().list(userId="me", startHistoryId=str(start)).execute()
    ids = [int(h["id"]) for h in page["history"]]
    assert len(ids) == 5 and ids == sorted(ids) and ids[0] > start
    assert len({b - a for a, b in zip(ids, ids[1:], strict=False)}) > 1  # uneven steps
    google.gmail.expire_history()
    with pytest.raises(HttpError) as gone:
        service.users().history().list(userId="me", startHistoryId=str(start)).execute()
    assert gone.value.resp.status == 404
