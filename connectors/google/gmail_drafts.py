"""Gmail drafts, exactly once per IDEMPOTENCY KEY, in the conversation they answer.

Drafts are made with ``users.drafts.create`` (``gmail.compose``) in the original's threadId
(found by its Message-ID, ``rfc822msgid:``, or remembered from the sync) with the draft's own
In-Reply-To / References and ``Re:`` subject, the three things Gmail requires to thread a
draft. The key travels in the draft's Message-ID (``bot.keys`` DRAFT MARKER: an ordinary
id to whoever receives the sent draft; drafts of earlier versions carry an ``X-Chief-Key``
header instead); before creating, the drafts are indexed by both (``drafts.list`` then
``drafts.get(format=metadata)`` in batches, once per run; a later listing reads only drafts
not seen yet), so a draft written before a crash is found, not written again. The REMOTE
ID is the draft id, which stays the same while the practitioner edits it. No draft is ever
sent: ``drafts.send`` is not called.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import logging
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

from bot.errors import ConnectorError, RemoteGone
from bot.keys import check_key, draft_marker, key_hash, marker_of, with_draft_marker
from bot.mail.message import KEY_HEADER, Limits, Message
from connectors.base import OutgoingDraft, is_saved_note
from connectors.google.client import GoogleClient
from connectors.parsing import parse_or_report

__all__ = ["GmailDrafts", "encode_raw"]

log = logging.getLogger(__name__)

_LIST_PAGE = 500  # drafts.list maximum page size
# Within a run only chief writes drafts with keys (one run at a time, by the practice's lock):
# the drafts are listed once, then what we create is added; a long-lived connector (the
# `chief run` loop) lists again when a key is missing and the listing is this old.
_DRAFT_INDEX_S = 300.0
_HEADERS = email.parser.BytesHeaderParser(policy=email.policy.compat32)
_MSGID = re.compile(r"<([^<>\s]+)>")
_HEAD_END = re.compile(rb"\r?\n\r?\n")
_NOTE = re.compile(r"\s*note", re.IGNORECASE)


def _note_like(answer: dict[str, Any]) -> bool:
    """Whether a draft's headers (``format=metadata``) say it may be a note."""
    headers = {
        str(h.get("name", "")).lower(): str(h.get("value", ""))
        for h in answer.get("message", {}).get("payload", {}).get("headers", ())
    }
    return bool(_NOTE.match(headers.get("subject", ""))) and not marker_of(
        headers.get("message-id")
    )


def encode_raw(raw: bytes) -> str:
    """A message for the ``raw`` field of the Gmail API (base64url)."""
    return base64.urlsafe_b64encode(raw).decode("ascii")


class GmailDrafts:
    """Writes, finds and links the drafts of one Gmail account."""

    def __init__(self, client: GoogleClient, account: str, threads: dict[str, str]) -> None:
        self.client = client
        self.account = account
        self.threads = threads  # Message-ID -> Gmail threadId, from reading and lookups
        self._draft_keys: dict[str, str] = {}  # X-Chief-Key or DRAFT MARKER -> draft id
        self._drafts_indexed: set[str] = set()
        self._drafts_listed_at = -_DRAFT_INDEX_S - 1.0
        self._note_like: dict[str, bool] = {}  # Gmail message id -> may be a saved note

    def find(self, key: str) -> str | None:
        """The id of the Gmail draft carrying ``key`` (its marker or X-Chief-Key), or None."""
        check_key(key)
        marker = draft_marker(key)
        stale = time.monotonic() - self._drafts_listed_at > _DRAFT_INDEX_S
        if marker not in self._draft_keys and key not in self._draft_keys and stale:
            self._index_drafts()
        return self._draft_keys.get(marker) or self._draft_keys.get(key)

    def _index_drafts(self) -> None:
        """Read the marker (or X-Chief-Key) of every draft not indexed yet (headers only)."""
        listed: list[str] = []
        self._drafts_listed_at = time.monotonic()
        for page in self.client.pages(
            lambda s, token: (
                s.users().drafts().list(userId="me", maxResults=_LIST_PAGE, pageToken=token)
            ),
            "drafts",
            "listing drafts",
        ):
            listed.extend(d["id"] for d in page.get("drafts", ()))
        fresh = [d for d in listed if d not in self._drafts_indexed]
        if not fresh:
            return
        answers = self.client.batch(
            {did: _get_draft(did) for did in fresh},
            "reading drafts",
        )
        for did, answer in answers.items():
            if isinstance(answer, RemoteGone):
                continue
            if isinstance(answer, ConnectorError):
                raise answer
            self._drafts_indexed.add(did)
            headers = answer.get("message", {}).get("payload", {}).get("headers", ())
            for header in headers:
                name = header.get("name", "").lower()
                if name == KEY_HEADER.lower():
                    self._draft_keys.setdefault(header.get("value", "").strip(), did)
                elif name == "message-id" and marker_of(header.get("value")):
                    self._draft_keys.setdefault(str(marker_of(header.get("value"))), did)

    def _thread_of(self, message_id: str) -> str | None:
        """The Gmail threadId of the message with ``message_id``, or None."""
        if message_id in self.threads:
            return self.threads[message_id]
        found = _MSGID.search(message_id)
        if found is None:
            return None
        page = self.client.call(
            lambda s: (
                s.users()
                .messages()
                .list(
                    userId="me",
                    q=f"rfc822msgid:{found.group(1)}",
                    maxResults=1,
                    includeSpamTrash=True,
                )
            ),
            "finding the conversation of a draft",
        )
        hits = page.get("messages", ())
        thread = str(hits[0]["threadId"]) if hits else None
        if thread:
            self.threads[message_id] = thread
        return thread

    def create(self, draft: OutgoingDraft) -> str:
        """Create the draft once per key, in the original's thread; its draft id."""
        existing = self.find(draft.key)
        if existing is not None:
            log.debug("gmail: draft %s already present", key_hash(draft.key))
            return existing
        raw = with_draft_marker(draft.raw, draft.key)
        head = _HEADERS.parsebytes(_HEAD_END.split(raw, maxsplit=1)[0])
        parent = draft.in_reply_to or str(head.get("In-Reply-To") or "").strip()
        thread = draft.thread_hint or (self._thread_of(parent) if parent else None)
        message: dict[str, Any] = {"raw": encode_raw(raw)}
        if thread:
            message["threadId"] = thread
        created = self.client.call(
            lambda s: s.users().drafts().create(userId="me", body={"message": message}),
            "creating a draft",
        )
        draft_id = str(created["id"])
        self._draft_keys[draft_marker(draft.key)] = draft_id
        self._drafts_indexed.add(draft_id)
        log.info(
            "gmail: draft %s created (%s)",
            key_hash(draft.key),
            "threaded" if thread else "new thread",
        )
        return draft_id

    def content(self, key: str) -> bytes | None:
        """The draft carrying ``key`` as Gmail holds it now (``format=raw``), or None."""
        draft_id = self.find(key)
        if draft_id is None:
            return None
        try:
            answer = self.client.call(
                lambda s: s.users().drafts().get(userId="me", id=draft_id, format="raw"),
                "reading a draft back",
            )
        except RemoteGone:
            self._forget(key)
            return None
        raw = str(answer.get("message", {}).get("raw") or "")
        return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)) if raw else None

    def delete(self, key: str) -> bool:
        """Delete the draft carrying ``key`` (``users.drafts.delete``); False when absent."""
        draft_id = self.find(key)
        if draft_id is None:
            return False
        try:
            self.client.call(
                lambda s: s.users().drafts().delete(userId="me", id=draft_id),
                "removing a draft",
            )
        except RemoteGone:
            return False
        finally:
            self._forget(key)
        log.info("gmail: draft %s removed (withdrawn by a correction)", key_hash(key))
        return True

    def _forget(self, key: str) -> None:
        """The draft of ``key`` is gone: forgotten under its marker and its old header key."""
        self._draft_keys.pop(draft_marker(key), None)
        self._draft_keys.pop(key, None)

    def saved_notes(self, limits: Limits) -> list[Message]:
        """The notes saved as drafts (:class:`connectors.base.ReadsDrafts`), read-only: the
        drafts are listed (``drafts.list``), the headers of each draft's message not seen yet
        read (``format=metadata``; a message id is new each time a draft is saved, so an
        edited note is read again), and those whose subject begins with ``Note`` and whose
        Message-ID carries no DRAFT MARKER read whole (``format=raw``) and parsed."""
        listed: dict[str, str] = {}  # Gmail message id -> draft id
        for page in self.client.pages(
            lambda s, token: (
                s.users().drafts().list(userId="me", maxResults=_LIST_PAGE, pageToken=token)
            ),
            "drafts",
            "listing drafts",
        ):
            for item in page.get("drafts", ()):
                listed[str(item.get("message", {}).get("id") or "")] = str(item["id"])
        fresh = {mid: did for mid, did in listed.items() if mid not in self._note_like}
        if fresh:
            answers = self.client.batch(
                {mid: _get_draft(did) for mid, did in fresh.items()}, "reading drafts"
            )
            for mid, answer in answers.items():
                if isinstance(answer, ConnectorError) and not isinstance(answer, RemoteGone):
                    raise answer
                if isinstance(answer, dict):
                    self._note_like[mid] = _note_like(answer)
        wanted = {mid: listed[mid] for mid in listed if self._note_like.get(mid)}
        if not wanted:
            return []
        answers = self.client.batch(
            {mid: _get_draft(did, "raw") for mid, did in wanted.items()}, "reading saved notes"
        )
        notes: list[Message] = []
        failed: list[tuple[str, str]] = []
        for mid, answer in answers.items():
            if isinstance(answer, ConnectorError) and not isinstance(answer, RemoteGone):
                raise answer
            text = (
                str(answer.get("message", {}).get("raw") or "") if isinstance(answer, dict) else ""
            )
            if not text:
                continue
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            message = parse_or_report(mid, raw, len(raw), limits, failed, "gmail")
            if message is not None and is_saved_note(message):
                notes.append(message)
        return notes

    def links(self, remote_ids: Sequence[str]) -> dict[str, str]:
        """Draft id → web address, in one batch (``bot.summary.links``).

        Gmail opens a draft at ``#drafts?compose=<message id>``; the draft's message id
        changes each time the draft is saved (the draft id does not), so it is read now, not
        remembered from when the draft was written. ``u/<account>`` picks the right account
        when several are signed in. Drafts deleted since are left out.
        """
        wanted = [r for r in dict.fromkeys(remote_ids) if r]
        if not wanted:
            return {}
        answers = self.client.batch({did: _get_draft(did) for did in wanted}, "linking drafts")
        base = f"https://mail.google.com/mail/u/{self.account}/#drafts?compose="
        links = {}
        for did, answer in answers.items():
            if isinstance(answer, RemoteGone):
                continue
            if isinstance(answer, ConnectorError):
                raise answer
            message_id = str(answer.get("message", {}).get("id") or "")
            if message_id.isalnum():
                links[did] = base + message_id
        return links


def _get_draft(draft_id: str, fmt: str = "metadata") -> Callable[[Any], Any]:
    return lambda s: s.users().drafts().get(userId="me", id=draft_id, format=fmt)
