"""Outlook drafts, exactly once per IDEMPOTENCY KEY, threaded under the message they answer.

The key is kept in an extended property (:mod:`connectors.microsoft.outlook_items`), which stays
in the mailbox: nothing of it travels with the draft when the practitioner sends it (no
``X-Chief-*`` internet header). A draft answering a message is made with
``createReply`` on the original (found by its ``internetMessageId``), so Outlook threads it in
its conversation with the right In-Reply-To / References; the key is set in the same request.
The body, subject and recipients are then set from our template (PATCH) together with the
second property marking the draft complete. :meth:`OutlookDrafts.find` looks the key up: a
draft made before a crash is found (and completed if the PATCH was lost), never made twice. A
draft with no original is one ``POST /me/messages`` of its MIME. No draft is ever sent: no
``send``, ``reply`` or ``forward`` call exists here.
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import logging
import re
from collections.abc import Sequence
from email.message import EmailMessage
from typing import Any
from urllib.parse import quote

from bot.errors import ConnectorError, RemoteGone
from bot.keys import check_key, key_hash, marker_of, with_draft_marker
from bot.mail.message import Limits, Message
from connectors.base import OutgoingDraft, is_saved_note
from connectors.headers import with_message_id
from connectors.microsoft.graph import GraphClient, GraphRequest
from connectors.microsoft.outlook_items import (
    KEY_PROPERTY,
    PARSER,
    STATE_PROPERTY,
    item_body,
    lookup,
    odata_quote,
    recheck_by_key,
)
from connectors.parsing import parse_or_report

__all__ = ["OutlookDrafts"]

log = logging.getLogger(__name__)

_MSGID = re.compile(r"<[^<>\s]+>")
_NOTE = re.compile(r"\s*note", re.IGNORECASE)


class OutlookDrafts:
    """Writes, finds and links the drafts of one mailbox."""

    def __init__(self, client: GraphClient) -> None:
        self.client = client

    def find(self, key: str) -> str | None:
        """The id of the complete draft carrying ``key``, or None."""
        check_key(key)
        found = lookup(self.client, key)
        return found[0] if found and found[1] else None

    def content(self, key: str) -> bytes | None:
        """The draft carrying ``key`` as Outlook holds it now (its MIME, ``$value``)."""
        check_key(key)
        found = lookup(self.client, key)
        if found is None:
            return None
        try:
            answer = self.client.call(
                GraphRequest("GET", f"/me/messages/{quote(found[0], safe='')}/$value"),
                "reading a draft back",
            )
        except RemoteGone:
            return None
        return answer if isinstance(answer, bytes) else None

    def delete(self, key: str) -> bool:
        """Delete the draft carrying ``key`` for good (``POST /me/messages/{id}/permanentDelete``:
        moved to Deleted Items it would still carry the key, and be found as chief's draft);
        False when there is none."""
        check_key(key)
        found = lookup(self.client, key)
        if found is None:
            return False
        try:
            self.client.call(
                GraphRequest("POST", f"/me/messages/{quote(found[0], safe='')}/permanentDelete"),
                "removing a draft",
            )
        except RemoteGone:
            return False
        log.info("outlook: draft %s removed (withdrawn by a correction)", key_hash(key))
        return True

    def saved_notes(self, limits: Limits) -> list[Message]:
        """The notes saved as drafts (:class:`connectors.base.ReadsDrafts`), read-only (GETs
        only): the well-known folder ``drafts`` listed (subject, Message-ID and chief's key
        property), and each draft whose subject begins with ``Note`` and that is not chief's
        own (no key property, no DRAFT MARKER) read whole (``$value``) and parsed."""
        query = (
            "$select=id,subject,internetMessageId"
            f"&$expand=singleValueExtendedProperties($filter=id eq {odata_quote(KEY_PROPERTY)})"
            "&$top=100"
        )
        wanted = []
        for page in self.client.pages(
            GraphRequest("GET", f"/me/mailFolders/drafts/messages?{query}"), "listing drafts"
        ):
            for item in page.get("value", ()):
                ours = item.get("singleValueExtendedProperties") or marker_of(
                    item.get("internetMessageId")
                )
                if _NOTE.match(str(item.get("subject") or "")) and not ours:
                    wanted.append(str(item["id"]))
        answers = self.client.batch(
            {
                mid: GraphRequest("GET", f"/me/messages/{quote(mid, safe='')}/$value")
                for mid in wanted
            },
            "reading saved notes",
        )
        notes: list[Message] = []
        failed: list[tuple[str, str]] = []
        for mid, answer in answers.items():
            if isinstance(answer, ConnectorError) and not isinstance(answer, RemoteGone):
                raise answer
            if isinstance(answer, bytes):
                message = parse_or_report(mid, answer, len(answer), limits, failed, "outlook")
                if message is not None and is_saved_note(message):
                    notes.append(message)
        return notes

    def links(self, remote_ids: Sequence[str]) -> dict[str, str]:
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

    def create(self, draft: OutgoingDraft) -> str:
        """Create the draft once per key, threaded under its original; its Graph id."""
        check_key(draft.key)
        raw = with_draft_marker(draft.raw, draft.key)
        parsed = PARSER.parsebytes(raw)
        content = item_body(parsed, ("plain", "html"))
        parent_id = draft.in_reply_to or str(parsed.get("In-Reply-To") or "").strip()
        mime_id = str(parsed.get("Message-ID") or "").strip()
        props = [{"id": KEY_PROPERTY, "value": draft.key}]
        finish: dict[str, Any] = {
            "subject": str(parsed.get("Subject") or ""),
            "body": content,
            "toRecipients": _recipients(parsed, "To"),
            "ccRecipients": _recipients(parsed, "Cc"),
            "singleValueExtendedProperties": [{"id": STATE_PROPERTY, "value": "complete"}],
        }
        found = lookup(self.client, draft.key)
        if found is not None and found[1]:
            log.debug("outlook: draft %s already present", key_hash(draft.key))
            return found[0]
        if found is not None:
            draft_id = found[0]  # a reply made before a crash, its body never set
        else:
            uploaded = self._lookup_mime(draft.key, mime_id)
            if uploaded is not None:  # uploaded before a crash, never marked
                self._mark(uploaded, props, finish)
                return uploaded
            original = self._original(parent_id) if parent_id else None
            if original is None:
                return self._new_draft(draft.key, raw, mime_id, props, finish)
            made = self.client.call(
                GraphRequest(
                    "POST",
                    f"/me/messages/{quote(original, safe='')}/createReply",
                    {"message": {"singleValueExtendedProperties": props}},
                ),
                "creating a reply draft",
                recheck=lambda: recheck_by_key(self.client, draft.key),
            )
            draft_id = str(made["id"])
        self.client.call(
            GraphRequest("PATCH", f"/me/messages/{quote(draft_id, safe='')}", finish),
            "writing a draft",
        )
        log.info("outlook: draft %s created (threaded)", key_hash(draft.key))
        return draft_id

    def _new_draft(
        self,
        key: str,
        raw: bytes,
        mime_id: str,
        props: list[dict[str, str]],
        finish: dict[str, Any],
    ) -> str:
        """A draft answering nothing in this mailbox: uploaded as MIME (so its In-Reply-To
        stays as written) under its Message-ID carrying the key (``bot.keys`` DRAFT MARKER),
        then marked with the key property (found by either after a crash)."""
        mime = raw if marker_of(mime_id) else with_message_id(raw, _draft_message_id(key))
        made = self.client.call(
            GraphRequest(
                "POST",
                "/me/messages",
                base64.b64encode(mime),
                headers={"Content-Type": "text/plain"},
            ),
            "creating a draft",
            recheck=lambda: self._recheck_mime(key, mime_id),
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

    def _lookup_mime(self, key: str, mime_id: str) -> str | None:
        """The id of a MIME draft uploaded for ``key`` (marked or not), or None: under its
        marked Message-ID, or the one an earlier version uploaded it under."""
        found = self._original(mime_id) if marker_of(mime_id) else None
        return found or self._original(_draft_message_id(key))

    def _recheck_mime(self, key: str, mime_id: str) -> dict[str, Any] | None:
        found = self._lookup_mime(key, mime_id)
        return {"id": found} if found else None


def _draft_message_id(key: str) -> str:
    """The Message-ID an earlier version uploaded a MIME draft for ``key`` under."""
    return f"<draft-{hashlib.sha256(key.encode()).hexdigest()[:32]}@practice-chief>"


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
