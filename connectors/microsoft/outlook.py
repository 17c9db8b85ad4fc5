"""Outlook / Microsoft 365 mail over Microsoft Graph v1.0.

Reading never changes the mailbox (only GETs). A PROVIDER ID is the Graph message id.

Sync, following Graph's "Get incremental changes to messages in a folder":

1. **Full** (no cursor, or one Graph no longer honours): a delta round per watched folder
   (default ``inbox``; well-known names or display names), ``$select=id,receivedDateTime`` and
   ``Prefer: odata.maxpagesize``, following ``@odata.nextLink`` to the ``@odata.deltaLink``
   that is stored. The messages are then read oldest first (a reply is filed after what it
   answers), each one's MIME (``/messages/{id}/$value``, parsed with the shared bounded parser)
   in JSON ``$batch`` requests of ``batch_size`` (at most 20). Each batch is yielded with a
   cursor naming the last message read, so a crash resumes after it (the rest is listed again
   with ``$filter=receivedDateTime ge …``).
2. **Incremental**: the stored deltaLink, followed to a new one: messages created or changed
   since (changed ones are read again; the case log's message keys drop what it has). A
   no-change sync is one request. An expired delta token answers 410 (``syncStateNotFound``,
   ``resyncRequired``...): :class:`~bot.errors.CursorInvalid` is raised before anything is
   yielded and the pipeline syncs in full, as Graph documents.

Writing is exactly-once per IDEMPOTENCY KEY, kept in a single-value extended property
(``String {GUID} Name chiefKey``) and the ``X-Chief-Key`` internet header:

- **Drafts** answering a message are made with ``createReply`` on the original (found by its
  ``internetMessageId``), so Outlook threads them in its conversation with the right
  In-Reply-To / References; the key is set in the same request. The body, subject and
  recipients are then set from our template (PATCH) together with a second property marking the
  draft complete. :meth:`OutlookConnector.find_draft` looks the key up with ``$filter`` on the
  property: a draft made before a crash is found (and completed if the PATCH was lost), never
  made twice. A draft with no original is one ``POST /me/messages``.
- **The daily summary** is put into the practitioner's own Inbox as a received message (not
  sent: ``PR_MESSAGE_FLAGS`` set on creation, so it is no draft), unread, only when addressed
  to the practitioner alone, and found again by its key.

Nothing is ever sent: no ``send``, ``sendMail``, ``reply`` or ``forward`` call exists here.
Polling can give way to change notifications (Graph subscriptions); see docs/outlook.md.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import email.utils
import hashlib
import logging
import re
from collections.abc import Iterator, Sequence
from email.message import EmailMessage
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

from bot.errors import ConnectorError, CursorInvalid, RemoteGone, UserError
from bot.keyring_store import StoreKind
from bot.keys import check_key, key_hash, with_key_header
from bot.mail.message import KEY_HEADER, Limits, Message
from connectors.base import Batch, Cursor, OutgoingDraft
from connectors.http_retry import Retry
from connectors.microsoft.auth import MAIL_SCOPES, TokenProvider, kept_in, provider_for
from connectors.microsoft.graph import (
    BATCH_LIMIT,
    GraphClient,
    GraphGone,
    GraphRequest,
    check_root,
)
from connectors.parsing import parse_or_report
from connectors.recipients import require_practitioner_only

__all__ = ["KEY_PROPERTY", "STATE_PROPERTY", "OutlookConnector", "odata_quote"]

log = logging.getLogger(__name__)

_GUID = "{6d3c8a51-2f0e-4c1b-9a57-3e8f0c2b7d14}"  # this project's property set
KEY_PROPERTY = f"String {_GUID} Name chiefKey"
STATE_PROPERTY = f"String {_GUID} Name chiefState"
MESSAGE_FLAGS = "Integer 0x0E07"  # PR_MESSAGE_FLAGS: set on creation, the item is no draft
GENERATED_HEADER = "X-Chief-Generated"
_CURSOR_VERSION = 1
_WELL_KNOWN = frozenset({"inbox", "drafts", "sentitems", "deleteditems", "junkemail", "archive"})
_MSGID = re.compile(r"<[^<>\s]+>")
_HEAD_END = re.compile(rb"\r?\n\r?\n")
_PARSER = email.parser.BytesParser(policy=email.policy.default)


def odata_quote(value: str) -> str:
    """A string literal for ``$filter`` (single quotes doubled, OData 4.01 ABNF)."""
    return "'" + value.replace("'", "''") + "'"


def _has_key(key: str) -> str:
    return (
        f"singleValueExtendedProperties/any(ep: ep/id eq {odata_quote(KEY_PROPERTY)} "
        f"and ep/value eq {odata_quote(key)})"
    )


class OutlookConnector:
    """Mail source, draft sink and summary sender over one Microsoft 365 / Outlook mailbox."""

    # deltaLink per folder; None means full. createReply keeps Outlook's conversation; drafts
    # are found again by an extended property. No waiting for mail yet (Graph subscriptions):
    # the interval sync polls.
    supports_incremental: ClassVar[bool] = True

    def __init__(
        self,
        account: str,
        client_id: str = "",
        tenant: str = "common",
        token_cache_file: Path | None = None,
        token_store: StoreKind = "auto",
        watch: Sequence[str] = ("inbox",),
        batch_size: int = BATCH_LIMIT,
        page_size: int = 100,
        timeout: float = 30.0,
        retry_attempts: int = 8,
        retry_base_s: float = 1.0,
        max_retry_wait_s: float = 300.0,
        api_root: str | None = None,
        login_root: str | None = None,
        practitioner_address: str | None = None,
        limits: Limits | None = None,
        token_provider: TokenProvider | None = None,
    ) -> None:
        problems = []
        watch = (watch,) if isinstance(watch, str) else tuple(dict.fromkeys(watch))
        if not watch or not all(isinstance(w, str) and w for w in watch):
            problems.append('`watch` in [mail] must be a list of folders, e.g. ["inbox"]')
        if not 1 <= batch_size <= BATCH_LIMIT:
            problems.append(f"`batch_size` in [mail] must be 1 to {BATCH_LIMIT} (Graph $batch)")
        if not 1 <= page_size <= 1000:
            problems.append("`page_size` in [mail] must be 1 to 1000")
        if timeout <= 0 or retry_attempts < 1 or retry_base_s < 0 or max_retry_wait_s < 0:
            problems.append("`timeout` and the retry settings in [mail] must be positive")
        if problems:
            raise UserError("invalid [mail] settings for the Outlook connector", problems)
        check_root(api_root, "api_root", "mail")
        self.account = account.strip().lower()
        self.watch = watch
        self.batch_size = batch_size
        self.page_size = page_size
        self.practitioner_address = (practitioner_address or "").strip().lower() or None
        self.limits = limits or Limits()
        self.tokens = token_provider or provider_for(
            "mail",
            {
                "account": account,
                "client_id": client_id,
                "tenant": tenant,
                "token_cache_file": token_cache_file,
                "token_store": token_store,
                "login_root": login_root,
            },
            MAIL_SCOPES,
        )
        self.client = GraphClient(
            self.tokens,
            api_root,
            timeout,
            Retry(retry_attempts, retry_base_s, max_retry_wait_s),
            batch_size,
        )
        self._folders: dict[str, str] | None = None

    def __repr__(self) -> str:  # never a token
        return f"OutlookConnector(account={self.account!r}, watch={list(self.watch)!r})"

    def close(self) -> None:
        self.client.close()

    # --- MailSource -------------------------------------------------------------------------

    def changes(self, cursor: Cursor | None) -> Iterator[Batch]:
        """Batches of messages that arrived after ``cursor`` (all when ``None``).

        Raises :class:`CursorInvalid` before yielding anything for a cursor of another shape,
        other folders, or a delta token Graph no longer honours."""
        if cursor is None:
            return self._run({f: None for f in self.watch})
        states = cursor.get("folders")
        if (
            cursor.get("v") != _CURSOR_VERSION
            or not isinstance(states, dict)
            or list(states) != list(self.watch)
        ):
            raise CursorInvalid("the Outlook sync cursor is of another shape or other folders")
        plans: dict[str, Any] = {}
        for folder, state in states.items():
            if not isinstance(state, dict) or not state.get("delta"):
                raise CursorInvalid("the Outlook sync cursor is of another shape")
            if state.get("after"):
                plans[folder] = state
                continue
            try:  # eager: an expired token is known before anything is yielded
                ids, link = self._delta(str(state["delta"]))
            except GraphGone as exc:
                if exc.status == 410 or "sync" in exc.code.lower():
                    raise CursorInvalid(
                        f"Graph no longer honours the delta token of a watched folder "
                        f"(HTTP {exc.status} {exc.code}); syncing in full"
                    ) from None
                raise
            plans[folder] = {"delta": state["delta"], "new": (ids, link)}
        return self._run(plans)

    def _cursor(self, states: dict[str, Any]) -> Cursor:
        return {"v": _CURSOR_VERSION, "folders": {f: states[f] for f in self.watch}}

    def _run(self, plans: dict[str, Any]) -> Iterator[Batch]:
        states: dict[str, Any] = {
            f: {"delta": p["delta"]} if p else {"delta": ""} for f, p in plans.items()
        }
        for folder, plan in plans.items():
            if plan is None:  # full: a delta round, then read oldest first
                ids, link = self._delta(self._start_link(folder))
                yield from self._read(folder, ids, link, states, resumable=True)
            elif "after" in plan:
                after = tuple(plan["after"])
                ids = self._listed_after(folder, str(after[0]), str(after[1]))
                yield from self._read(folder, ids, str(plan["delta"]), states, resumable=True)
            else:
                ids, link = plan["new"]
                yield from self._read(folder, ids, link, states, resumable=False)

    def _read(
        self,
        folder: str,
        ids: list[tuple[str, str]],
        link: str,
        states: dict[str, Any],
        resumable: bool,
    ) -> Iterator[Batch]:
        """Fetch ``ids`` ((received, id) pairs) oldest first in batches; then the folder's
        state becomes ``link``. An incremental read keeps the old link until its last batch
        (a crash re-reads it; the case log drops what it has)."""
        ids = sorted(set(ids))
        if not ids:
            states[folder] = {"delta": link}
            yield Batch((), self._cursor(states))
            return
        for at in range(0, len(ids), self.batch_size):
            chunk = ids[at : at + self.batch_size]
            messages, failed = self._fetch([mid for _, mid in chunk])
            final = at + self.batch_size >= len(ids)
            if final:
                states[folder] = {"delta": link}
            elif resumable:
                states[folder] = {"delta": link, "after": list(chunk[-1])}
            yield Batch(messages, self._cursor(states), failed)

    def _folder_ids(self) -> dict[str, str]:
        """Watched folder (as configured) -> the path segment naming it."""
        if self._folders is None:
            found = {w: w.lower() for w in self.watch if w.lower() in _WELL_KNOWN}
            if len(found) < len(self.watch):
                for page in self.client.pages(
                    GraphRequest("GET", "/me/mailFolders?$select=id,displayName&$top=100"),
                    "listing mail folders",
                ):
                    for item in page.get("value", ()):
                        for wanted in self.watch:
                            if wanted in (item.get("id"), item.get("displayName")):
                                found[wanted] = str(item["id"])
            missing = [w for w in self.watch if w not in found]
            if missing:
                raise RemoteGone(
                    f"watched Outlook folder(s) {', '.join(map(repr, missing))} not found: "
                    "check `watch` in [mail] of chief.toml"
                )
            self._folders = found
        return self._folders

    def _start_link(self, folder: str) -> str:
        segment = quote(self._folder_ids()[folder], safe="")
        return f"/me/mailFolders/{segment}/messages/delta?$select=id,receivedDateTime"

    def _delta(self, link: str) -> tuple[list[tuple[str, str]], str]:
        """Follow a delta round from ``link``: the (received, id) of messages created or
        changed, and the new deltaLink."""
        found: dict[str, str] = {}
        request: GraphRequest | None = GraphRequest(
            "GET", link, headers={"Prefer": f"odata.maxpagesize={self.page_size}"}
        )
        while request is not None:
            page = self.client.call(request, "reading mailbox changes")
            for item in page.get("value", ()):
                if "@removed" in item:
                    found.pop(str(item.get("id")), None)
                    continue
                found[str(item["id"])] = str(item.get("receivedDateTime") or "")
            nxt = page.get("@odata.nextLink")
            if nxt:
                request = GraphRequest("GET", nxt, headers=request.headers)
                continue
            delta = page.get("@odata.deltaLink")
            if not delta:
                raise ConnectorError("Graph ended a delta round without a deltaLink")
            return [(r, i) for i, r in found.items()], str(delta)
        raise AssertionError("unreachable")

    def _listed_after(self, folder: str, received: str, last: str) -> list[tuple[str, str]]:
        """Messages of ``folder`` after (received, id): resuming an interrupted full sync."""
        segment = quote(self._folder_ids()[folder], safe="")
        query = (
            f"$select=id,receivedDateTime&$filter=receivedDateTime ge {received}"
            f"&$orderby=receivedDateTime asc&$top={self.page_size}"
        )
        out: list[tuple[str, str]] = []
        for page in self.client.pages(
            GraphRequest("GET", f"/me/mailFolders/{segment}/messages?{query}"),
            "resuming the first sync",
        ):
            for item in page.get("value", ()):
                pair = (str(item.get("receivedDateTime") or ""), str(item["id"]))
                if pair > (received, last):
                    out.append(pair)
        return out

    def _fetch(self, ids: Sequence[str]) -> tuple[tuple[Message, ...], tuple[tuple[str, str], ...]]:
        """Each message's MIME (``$value``) in $batch requests, parsed."""
        answers = self.client.batch(
            {mid: GraphRequest("GET", f"/me/messages/{quote(mid, safe='')}/$value") for mid in ids},
            "reading messages",
        )
        messages: list[Message] = []
        failed: list[tuple[str, str]] = []
        for mid in ids:
            answer = answers[mid]
            if isinstance(answer, RemoteGone):
                log.debug("outlook: message %s deleted meanwhile; skipped", key_hash(mid))
                continue
            if isinstance(answer, ConnectorError):
                raise answer
            raw = answer if isinstance(answer, bytes) else str(answer or "").encode("utf-8")
            message = parse_or_report(mid, raw, len(raw), self.limits, failed, "outlook")
            if message is not None:
                messages.append(message)
        return tuple(messages), tuple(failed)

    # --- DraftSink --------------------------------------------------------------------------

    def _lookup(self, key: str, where: str = "/me/messages") -> tuple[str, bool] | None:
        """(id, complete) of the item carrying ``key``, or None."""
        query = (
            f"$filter={_has_key(key)}&$select=id,isDraft"
            f"&$expand=singleValueExtendedProperties($filter=id eq {odata_quote(STATE_PROPERTY)})"
            "&$top=2"
        )
        page = self.client.call(GraphRequest("GET", f"{where}?{query}"), "looking up a draft")
        items = page.get("value", ())
        if not items:
            return None
        if len(items) > 1:
            log.warning("outlook: key %s is on %d items", key_hash(key), len(items))
        item = items[0]
        state = [
            p.get("value")
            for p in item.get("singleValueExtendedProperties", ())
            if str(p.get("id", "")).lower() == STATE_PROPERTY.lower()
        ]
        return str(item["id"]), "complete" in state

    def find_draft(self, key: str) -> str | None:
        """The id of the complete draft carrying ``key``, or None."""
        check_key(key)
        found = self._lookup(key)
        return found[0] if found and found[1] else None

    def draft_links(self, remote_ids: Sequence[str]) -> dict[str, str]:
        """Outlook on the web's address (``webLink``) of each draft still there, looked up
        in $batch requests (for the summary: :mod:`bot.summary.links`)."""
        answers = self.client.batch(
            {
                rid: GraphRequest("GET", f"/me/messages/{quote(rid, safe='')}?$select=webLink")
                for rid in dict.fromkeys(remote_ids)
            },
            "looking up where drafts open",
        )
        links: dict[str, str] = {}
        for rid, answer in answers.items():
            if isinstance(answer, RemoteGone):
                continue  # sent or deleted since: no link
            if isinstance(answer, ConnectorError):
                raise answer
            link = answer.get("webLink") if isinstance(answer, dict) else None
            if isinstance(link, str) and link.startswith("https://"):
                links[rid] = link
        return links

    def draft_link(self, remote_id: str) -> str | None:
        """The ``webLink`` of one draft, or None when it is gone."""
        return self.draft_links([remote_id]).get(remote_id)

    def _original(self, message_id: str) -> str | None:
        """The Graph id of the message whose Message-ID is ``message_id``."""
        if not _MSGID.fullmatch(message_id):
            return None
        query = f"$filter=internetMessageId eq {odata_quote(message_id)}&$select=id&$top=1"
        page = self.client.call(
            GraphRequest("GET", f"/me/messages?{query}"), "finding the message a draft answers"
        )
        items = page.get("value", ())
        return str(items[0]["id"]) if items else None

    def create_draft(self, draft: OutgoingDraft) -> str:
        """Create the draft once per key, threaded under its original; its Graph id."""
        check_key(draft.key)
        raw = with_key_header(draft.raw, draft.key)
        parsed = _PARSER.parsebytes(raw)
        content = _content(parsed, ("plain", "html"))
        parent_id = draft.in_reply_to or str(parsed.get("In-Reply-To") or "").strip()
        headers = [
            {"name": KEY_HEADER, "value": draft.key},
            {"name": GENERATED_HEADER, "value": "draft"},
        ]
        props = [{"id": KEY_PROPERTY, "value": draft.key}]
        finish: dict[str, Any] = {
            "subject": str(parsed.get("Subject") or ""),
            "body": content,
            "toRecipients": _recipients(parsed, "To"),
            "ccRecipients": _recipients(parsed, "Cc"),
            "singleValueExtendedProperties": [{"id": STATE_PROPERTY, "value": "complete"}],
        }
        found = self._lookup(draft.key)
        if found is not None and found[1]:
            log.debug("outlook: draft %s already present", key_hash(draft.key))
            return found[0]
        if found is not None:
            draft_id = found[0]  # a reply made before a crash, its body never set
        else:
            uploaded = self._lookup_mime(draft.key)
            if uploaded is not None:  # uploaded before a crash, never marked
                self._mark(uploaded, props, finish)
                return uploaded
            original = self._original(parent_id) if parent_id else None
            if original is None:
                return self._new_draft(draft.key, raw, props, finish)
            made = self.client.call(
                GraphRequest(
                    "POST",
                    f"/me/messages/{quote(original, safe='')}/createReply",
                    {
                        "message": {
                            "singleValueExtendedProperties": props,
                            "internetMessageHeaders": headers,
                        }
                    },
                ),
                "creating a reply draft",
                recheck=lambda: self._recheck(draft.key),
            )
            draft_id = str(made["id"])
        self.client.call(
            GraphRequest("PATCH", f"/me/messages/{quote(draft_id, safe='')}", finish),
            "writing a draft",
        )
        log.info("outlook: draft %s created (threaded)", key_hash(draft.key))
        return draft_id

    def _new_draft(
        self, key: str, raw: bytes, props: list[dict[str, str]], finish: dict[str, Any]
    ) -> str:
        """A draft answering nothing in this mailbox: uploaded as MIME (so its In-Reply-To and
        X-Chief-Key headers stay as written), under a Message-ID derived from the key, then
        marked with the key property (found by either after a crash)."""
        mime = _with_message_id(raw, _draft_message_id(key))
        made = self.client.call(
            GraphRequest(
                "POST",
                "/me/messages",
                base64.b64encode(mime),
                headers={"Content-Type": "text/plain"},
            ),
            "creating a draft",
            recheck=lambda: self._recheck_mime(key),
        )
        self._mark(str(made["id"]), props, finish)
        log.info("outlook: draft %s created (new conversation)", key_hash(key))
        return str(made["id"])

    def _mark(self, draft_id: str, props: list[dict[str, str]], finish: dict[str, Any]) -> None:
        self.client.call(
            GraphRequest(
                "PATCH",
                f"/me/messages/{quote(draft_id, safe='')}",
                {
                    "singleValueExtendedProperties": [
                        *props,
                        *finish["singleValueExtendedProperties"],
                    ]
                },
            ),
            "marking a draft",
        )

    def _lookup_mime(self, key: str) -> str | None:
        """The id of a MIME draft uploaded for ``key`` (marked or not), or None."""
        return self._original(_draft_message_id(key))

    def _recheck_mime(self, key: str) -> dict[str, Any] | None:
        found = self._lookup_mime(key)
        return {"id": found} if found else None

    def _recheck(self, key: str) -> dict[str, Any] | None:
        found = self._lookup(key)
        return {"id": found[0]} if found else None

    # --- Sender -----------------------------------------------------------------------------

    def send_to_practitioner(self, raw: bytes, key: str) -> str:
        """Put the summary into the Inbox (unread) once per ``key``; practitioner only."""
        check_key(key)
        own = require_practitioner_only(raw, self.practitioner_address)
        found = self._lookup(key, "/me/mailFolders/inbox/messages")
        if found is not None:
            return found[0]
        parsed = _PARSER.parsebytes(with_key_header(raw, key))
        body = {
            "subject": str(parsed.get("Subject") or ""),
            "body": _content(parsed, ("html", "plain")),
            "from": {"emailAddress": {"address": own}},
            "toRecipients": [{"emailAddress": {"address": own}}],
            "isRead": False,
            "internetMessageHeaders": [
                {"name": KEY_HEADER, "value": key},
                {"name": GENERATED_HEADER, "value": "summary"},
            ],
            "singleValueExtendedProperties": [
                {"id": KEY_PROPERTY, "value": key},
                {"id": STATE_PROPERTY, "value": "complete"},
                {"id": MESSAGE_FLAGS, "value": "1"},
            ],
        }
        made = self.client.call(
            GraphRequest("POST", "/me/mailFolders/inbox/messages", body),
            "delivering the summary",
            recheck=lambda: self._recheck(key),
        )
        return str(made["id"])

    # --- chief doctor -----------------------------------------------------------------------

    def check(self) -> str:
        """Sign in and look at the mailbox: one line for `chief doctor`."""
        me = self.client.call(
            GraphRequest("GET", "/me?$select=mail,userPrincipalName"), "signing in"
        )
        self._folder_ids()
        who = me.get("mail") or me.get("userPrincipalName") or self.account
        return (
            f"signed in to Microsoft 365 as {who}{kept_in(self.tokens)}; watching "
            f"{', '.join(self.watch)}; drafts go to Outlook drafts, threaded under the "
            "message they answer"
        )


def _draft_message_id(key: str) -> str:
    """The Message-ID a MIME draft for ``key`` is uploaded under (found again by it)."""
    return f"<draft-{hashlib.sha256(key.encode()).hexdigest()[:32]}@practice-chief>"


def _with_message_id(raw: bytes, message_id: str) -> bytes:
    """``raw`` with its Message-ID header(s) replaced by ``message_id``."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    kept: list[bytes] = []
    skipping = False
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and skipping:
            continue
        skipping = line.lower().startswith(b"message-id:")
        if not skipping:
            kept.append(line)
    kept.insert(0, b"Message-ID: " + message_id.encode("ascii"))
    return b"\r\n".join(kept) + sep + body


def _content(parsed: EmailMessage, order: tuple[str, ...]) -> dict[str, str]:
    """The itemBody for ``parsed``: its preferred text part."""
    part = parsed.get_body(preferencelist=order)
    if part is None:
        return {"contentType": "text", "content": ""}
    text = part.get_content() if hasattr(part, "get_content") else ""
    kind = "html" if part.get_content_subtype() == "html" else "text"
    return {"contentType": kind, "content": str(text).replace("\r\n", "\n")}


def _recipients(parsed: EmailMessage, field: str) -> list[dict[str, Any]]:
    values = [str(v) for v in parsed.get_all(field) or ()]
    out = []
    for name, address in email.utils.getaddresses(values):
        if address:
            entry: dict[str, Any] = {"address": address}
            if name:
                entry["name"] = name
            out.append({"emailAddress": entry})
    return out
