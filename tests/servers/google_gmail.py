"""An in-memory Gmail mailbox answering the Gmail v1 methods the connector uses.

Behaviour follows Gmail's documentation where the connector depends on it:

- Message ids and thread ids are hex strings; a history id is a decimal string that only grows,
  by uneven steps (a client must never assume consecutive ids).
- Every change (a message delivered or inserted, a draft created, a label added or removed)
  is a history record; ``users.history.list`` returns the records after ``startHistoryId``, and
  answers 404 when that id is older than the oldest record kept (:meth:`Mailbox.expire_history`),
  as Gmail does once history has aged out.
- Threading: received mail joins the thread of a message it names in In-Reply-To / References
  when the subjects match (less ``Re:`` / ``Fwd:``). A draft joins a thread only when the request
  gives that ``threadId`` *and* its headers reference a message of the thread *and* the
  subjects match (Gmail's three requirements); otherwise it starts a thread of its own.
- Labels: the system labels (``SENT`` on every message the account sends, ``INBOX`` on mail
  received) and user labels with ids of their own, named by their whole path (a nested label
  is ``Chief/payer``). Moving a message to a label, as Gmail's "Move to" does, removes the
  label it is viewed under (``INBOX``...) and adds the other: a ``labelsRemoved`` and a
  ``labelsAdded`` history record.
  ``history.list`` with ``labelId`` keeps only the records whose message carries that label.
- ``messages.list`` is newest first; ``q`` understands ``rfc822msgid:``; any other query is
  refused with 400 so a test never silently relies on search the local server does not do.
"""

from __future__ import annotations

import base64
import email.header
import email.parser
import email.policy
import email.utils
import itertools
import random
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from tests.servers.google_errors import ApiError

__all__ = ["Mailbox", "StoredMessage", "subject_key"]

SYSTEM_LABELS = ("INBOX", "SENT", "DRAFT", "SPAM", "TRASH", "UNREAD", "STARRED", "IMPORTANT")
_SUBJECT_PREFIX = re.compile(r"^\s*((re|fwd?|aw)\s*:\s*)+", re.I)
_MSGID = re.compile(r"<[^<>\s]+>")
_HISTORY_TYPES = {
    "messagesAdded": "messageAdded",
    "messagesDeleted": "messageDeleted",
    "labelsAdded": "labelAdded",
    "labelsRemoved": "labelRemoved",
}
_HEADERS = email.parser.BytesHeaderParser(policy=email.policy.compat32)


@dataclass
class StoredMessage:
    id: str
    thread_id: str
    raw: bytes
    labels: set[str]
    internal_date: int  # ms since the epoch
    history_id: int
    headers: list[tuple[str, str]] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(
        text.replace("+", "-").replace("/", "_") + "=" * (-len(text) % 4)
    )


def subject_key(subject: str | None) -> str:
    """A subject as Gmail compares it for threading: decoded (RFC 2047), unfolded, without
    ``Re:`` / ``Fwd:`` prefixes, case and runs of spaces ignored."""
    try:
        text = str(email.header.make_header(email.header.decode_header(subject or "")))
    except (UnicodeDecodeError, LookupError, ValueError):
        text = subject or ""
    return " ".join(_SUBJECT_PREFIX.sub("", text).split()).lower()


class Mailbox:
    """One user's Gmail mailbox."""

    def __init__(self, address: str, seed: int = 7) -> None:
        self.address = address
        self.lock = threading.RLock()
        self._random = random.Random(seed)
        self.messages: dict[str, StoredMessage] = {}
        self.drafts: dict[str, str] = {}  # draft id -> message id
        self.history: list[tuple[int, dict[str, Any]]] = []
        self.history_id = 400_000 + self._random.randrange(1000)
        self.oldest_kept = self.history_id
        self.labels: dict[str, dict[str, Any]] = {
            name: {"id": name, "name": name, "type": "system"} for name in SYSTEM_LABELS
        }
        self._ids = itertools.count(0x18C0_0000_0000_0000 + self._random.randrange(1 << 32))
        self._clock = int(time.time() * 1000)

    # ------------------------------------------------------------------ server-side means

    def deliver(self, raw: bytes, labels: tuple[str, ...] = ("INBOX", "UNREAD")) -> str:
        """Deliver ``raw`` as mail arriving from outside (not through the API); its id."""
        with self.lock:
            return self._store(raw, set(labels), None, received=True).id

    def send(self, raw: bytes) -> str:
        """File ``raw`` as a message the practitioner sent from Gmail (label ``SENT``); its id."""
        with self.lock:
            return self._store(raw, {"SENT"}, None, received=True).id

    def user_label(self, name: str) -> str:
        """The id of the user label ``name``, made as the practitioner makes one in Gmail."""
        with self.lock:
            for label in self.labels.values():
                if label["type"] == "user" and label["name"].lower() == name.lower():
                    return str(label["id"])
            return str(self.m_labels_create({}, {"name": name})["id"])

    def move(self, message_id: str, label: str, source: str = "INBOX") -> None:
        """Gmail's "Move to" ``label`` (an id) from the view of ``source``: out of that one
        (the inbox by default), under the label."""
        with self.lock:
            message = self.messages[message_id]
            if source in message.labels:
                self.remove_label(message_id, source)
            self.add_label(message_id, label)

    def remove_label(self, message_id: str, label: str) -> None:
        with self.lock:
            message = self.messages[message_id]
            message.labels.discard(label)
            self._record("labelsRemoved", message, [label])

    def add_label(self, message_id: str, label: str) -> None:
        with self.lock:
            message = self.messages[message_id]
            message.labels.add(label)
            self._record("labelsAdded", message, [label])

    def delete(self, message_id: str) -> None:
        """Delete a message for good (as a user emptying the bin)."""
        with self.lock:
            message = self.messages.pop(message_id)
            self._record("messagesDeleted", message)

    def expire_history(self) -> None:
        """Forget every history record so far: older start ids get 404 from history.list."""
        with self.lock:
            self.history.clear()
            self.oldest_kept = self.history_id

    def draft_messages(self) -> list[StoredMessage]:
        with self.lock:
            return [self.messages[m] for m in self.drafts.values()]

    # ------------------------------------------------------------------ internals

    def _next_history(self) -> int:
        self.history_id += 1 + self._random.randrange(6)
        return self.history_id

    def _record(self, kind: str, message: StoredMessage, labels: list[str] | None = None) -> None:
        hid = self._next_history()
        message.history_id = hid
        ref = {"id": message.id, "threadId": message.thread_id, "labelIds": sorted(message.labels)}
        entry: dict[str, Any] = {"message": ref}
        if labels is not None:
            entry["labelIds"] = labels
        self.history.append((hid, {"id": str(hid), "messages": [ref], kind: [entry]}))

    def _new_id(self) -> str:
        return f"{next(self._ids):x}"

    def _by_message_id(self, mid: str) -> StoredMessage | None:
        for message in self.messages.values():
            if message.header("Message-ID") == mid:
                return message
        return None

    def _thread_for(
        self, headers: list[tuple[str, str]], wanted: str | None, draft: bool
    ) -> str | None:
        subject = next((v for k, v in headers if k.lower() == "subject"), "")
        named = []
        for key, value in headers:
            if key.lower() in ("in-reply-to", "references"):
                named.extend(_MSGID.findall(value))
        for mid in reversed(named):
            parent = self._by_message_id(mid)
            if parent is None or subject_key(parent.header("Subject")) != subject_key(subject):
                continue
            if draft and parent.thread_id != wanted:
                continue
            return parent.thread_id
        return None

    def _store(
        self,
        raw: bytes,
        labels: set[str],
        wanted_thread: str | None,
        received: bool,
        draft: bool = False,
    ) -> StoredMessage:
        head = _HEADERS.parsebytes(raw)
        headers = [(k, str(v)) for k, v in head.items()]
        message_id = self._new_id()
        thread = None
        if received or (draft and wanted_thread):
            thread = self._thread_for(headers, wanted_thread, draft)
        self._clock += 1000
        date = None
        stated = head.get("Date")
        if stated:
            try:
                date = email.utils.parsedate_to_datetime(str(stated))
            except (TypeError, ValueError):
                date = None
        internal = int(date.timestamp() * 1000) if date and date.tzinfo else self._clock
        stored = StoredMessage(message_id, thread or message_id, raw, labels, internal, 0, headers)
        self.messages[message_id] = stored
        self._record("messagesAdded", stored)
        return stored

    # ------------------------------------------------------------------ API methods

    def handle(self, method: str, params: dict[str, Any], body: Any) -> Any:
        if params.get("userId") not in ("me", self.address):
            raise ApiError(403, "forbidden", "Delegation denied for this user")
        handler = getattr(self, "m_" + method.removeprefix("gmail.users.").replace(".", "_"), None)
        if handler is None:
            raise ApiError(501, "notImplemented", f"{method} is not served by the local server")
        with self.lock:
            return handler(params, body)

    def m_getProfile(self, params: dict[str, Any], body: Any) -> Any:
        return {
            "emailAddress": self.address,
            "messagesTotal": len(self.messages),
            "threadsTotal": len({m.thread_id for m in self.messages.values()}),
            "historyId": str(self.history_id),
        }

    def m_labels_list(self, params: dict[str, Any], body: Any) -> Any:
        return {"labels": list(self.labels.values())}

    def m_labels_get(self, params: dict[str, Any], body: Any) -> Any:
        label = self.labels.get(params["id"])
        if label is None:
            raise ApiError(404, "notFound", "Requested entity was not found.")
        holding = [m for m in self.messages.values() if label["id"] in m.labels]
        return {
            **label,
            "messagesTotal": len(holding),
            "messagesUnread": sum(1 for m in holding if "UNREAD" in m.labels),
            "threadsTotal": len({m.thread_id for m in holding}),
        }

    def m_labels_create(self, params: dict[str, Any], body: Any) -> Any:
        name = str((body or {}).get("name") or "").strip()
        if not name:
            raise ApiError(400, "invalidArgument", "Invalid label name")
        if any(label["name"].lower() == name.lower() for label in self.labels.values()):
            raise ApiError(409, "alreadyExists", "Label name exists or conflicts")
        label_id = f"Label_{len(self.labels) + 1}"
        self.labels[label_id] = {
            "id": label_id,
            "name": name,
            "type": "user",
            "labelListVisibility": body.get("labelListVisibility", "labelShow"),
            "messageListVisibility": body.get("messageListVisibility", "show"),
        }
        return dict(self.labels[label_id])

    def m_messages_batchModify(self, params: dict[str, Any], body: Any) -> Any:
        ids = list((body or {}).get("ids") or ())
        if len(ids) > 1000:
            raise ApiError(400, "invalidArgument", "Too many ids: at most 1000")
        add = list(body.get("addLabelIds") or ())
        remove = list(body.get("removeLabelIds") or ())
        unknown = [label for label in add + remove if label not in self.labels]
        if unknown:
            raise ApiError(400, "invalidArgument", f"Invalid label: {unknown[0]}")
        for message_id in ids:
            message = self.messages.get(message_id)
            if message is None:
                continue  # as Gmail: ids that no longer exist are passed over
            added = [label for label in add if label not in message.labels]
            removed = [label for label in remove if label in message.labels]
            message.labels.update(added)
            message.labels.difference_update(removed)
            if added:
                self._record("labelsAdded", message, added)
            if removed:
                self._record("labelsRemoved", message, removed)
        return None

    def _page(
        self, items: list[Any], params: dict[str, Any], default: int
    ) -> tuple[list[Any], str | None]:
        size = min(int(params.get("maxResults") or default), 500)
        if size < 1:
            raise ApiError(400, "invalidArgument", "maxResults must be positive")
        start = 0
        token = params.get("pageToken")
        if token:
            try:
                start = int(_unb64(token).decode("ascii"))
            except ValueError:
                raise ApiError(400, "invalidArgument", "Invalid pageToken") from None
        end = start + size
        nxt = _b64(str(end).encode()) if end < len(items) else None
        return items[start:end], nxt

    def _search(self, query: str) -> set[str] | None:
        query = query.strip()
        if not query:
            return None
        found = re.fullmatch(r"rfc822msgid:\s*<?([^<>\s]+)>?", query)
        if not found:
            raise ApiError(
                400, "invalidArgument", f"query {query!r} not supported by the local server"
            )
        wanted = f"<{found.group(1)}>"
        return {m.id for m in self.messages.values() if m.header("Message-ID") == wanted}

    def m_messages_list(self, params: dict[str, Any], body: Any) -> Any:
        labels = set(params.get("labelIds") or ())
        hits = self._search(params.get("q") or "")
        spam = bool(params.get("includeSpamTrash"))
        chosen = [
            m
            for m in self.messages.values()
            if labels <= m.labels
            and (hits is None or m.id in hits)
            and (spam or not m.labels & {"SPAM", "TRASH"})
        ]
        chosen.sort(key=lambda m: (m.internal_date, int(m.id, 16)), reverse=True)
        page, nxt = self._page(chosen, params, 100)
        out: dict[str, Any] = {"resultSizeEstimate": len(chosen)}
        if page:
            out["messages"] = [{"id": m.id, "threadId": m.thread_id} for m in page]
        if nxt:
            out["nextPageToken"] = nxt
        return out

    def _resource(
        self, message: StoredMessage, fmt: str, wanted: list[str] | None
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": message.id,
            "threadId": message.thread_id,
            "labelIds": sorted(message.labels),
            "snippet": "",
            "historyId": str(message.history_id),
            "internalDate": str(message.internal_date),
            "sizeEstimate": len(message.raw),
        }
        if fmt == "raw":
            out["raw"] = _b64(message.raw)
        elif fmt == "metadata":
            names = {n.lower() for n in wanted} if wanted else None
            headers = [
                {"name": k, "value": v}
                for k, v in message.headers
                if names is None or k.lower() in names
            ]
            out["payload"] = {
                "partId": "",
                "mimeType": "message/rfc822",
                "filename": "",
                "headers": headers,
            }
        elif fmt != "minimal":
            raise ApiError(400, "invalidArgument", f"format {fmt!r} not served by the local server")
        return out

    def m_messages_get(self, params: dict[str, Any], body: Any) -> Any:
        message = self.messages.get(params["id"])
        if message is None:
            raise ApiError(404, "notFound", "Requested entity was not found.")
        return self._resource(
            message, params.get("format") or "full", params.get("metadataHeaders")
        )

    def m_messages_insert(self, params: dict[str, Any], body: Any) -> Any:
        raw = _unb64(body.get("raw") or "")
        if not raw.strip():
            raise ApiError(400, "invalidArgument", "Invalid raw message")
        labels = set(body.get("labelIds") or ())
        unknown = labels - set(self.labels)
        if unknown:
            raise ApiError(400, "invalidArgument", f"Invalid label: {sorted(unknown)[0]}")
        stored = self._store(raw, labels, None, received=True)
        return self._resource(stored, "minimal", None)

    def m_history_list(self, params: dict[str, Any], body: Any) -> Any:
        start = params.get("startHistoryId")
        if not start:
            raise ApiError(400, "invalidArgument", "Missing startHistoryId")
        if int(start) < self.oldest_kept:
            raise ApiError(404, "notFound", "Requested entity was not found.")
        kinds = set(params.get("historyTypes") or ())
        label = params.get("labelId")
        records = []
        for hid, record in self.history:
            if hid <= int(start):
                continue
            parts = {k: v for k, v in record.items() if k not in ("id", "messages")}
            if kinds:
                parts = {k: v for k, v in parts.items() if _HISTORY_TYPES[k] in kinds}
            if label:
                parts = {
                    k: [
                        e
                        for e in v
                        if label in e["message"]["labelIds"] or label in e.get("labelIds", ())
                    ]
                    for k, v in parts.items()
                }
                parts = {k: v for k, v in parts.items() if v}
            if parts:
                records.append({"id": record["id"], "messages": record["messages"], **parts})
        page, nxt = self._page(records, params, 100)
        out: dict[str, Any] = {"historyId": str(self.history_id)}
        if page:
            out["history"] = page
        if nxt:
            out["nextPageToken"] = nxt
        return out

    def _draft(self, draft_id: str, fmt: str) -> dict[str, Any]:
        message = self.messages[self.drafts[draft_id]]
        return {"id": draft_id, "message": self._resource(message, fmt, None)}

    def m_drafts_create(self, params: dict[str, Any], body: Any) -> Any:
        given = (body or {}).get("message") or {}
        raw = _unb64(given.get("raw") or "")
        if not raw.strip():
            raise ApiError(400, "invalidArgument", "Invalid draft: no message")
        thread = given.get("threadId")
        if thread and not any(m.thread_id == thread for m in self.messages.values()):
            raise ApiError(404, "notFound", "Requested entity was not found.")
        stored = self._store(raw, {"DRAFT"}, thread, received=False, draft=True)
        draft_id = f"r{self._random.randrange(10**18, 10**19)}"
        self.drafts[draft_id] = stored.id
        return {
            "id": draft_id,
            "message": {"id": stored.id, "threadId": stored.thread_id, "labelIds": ["DRAFT"]},
        }

    def m_drafts_list(self, params: dict[str, Any], body: Any) -> Any:
        if params.get("q"):
            raise ApiError(400, "invalidArgument", "query not supported by the local server")
        ordered = sorted(
            self.drafts.items(), key=lambda kv: int(self.messages[kv[1]].id, 16), reverse=True
        )
        page, nxt = self._page(ordered, params, 100)
        out: dict[str, Any] = {"resultSizeEstimate": len(ordered)}
        if page:
            out["drafts"] = [
                {"id": d, "message": {"id": m, "threadId": self.messages[m].thread_id}}
                for d, m in page
            ]
        if nxt:
            out["nextPageToken"] = nxt
        return out

    def m_drafts_delete(self, params: dict[str, Any], body: Any) -> Any:
        """Immediately and permanently deletes the draft (not to the bin), as documented."""
        message_id = self.drafts.pop(params["id"], None)
        if message_id is None:
            raise ApiError(404, "notFound", "Requested entity was not found.")
        message = self.messages.pop(message_id)
        self._record("messagesDeleted", message)
        return None

    def save_draft(self, raw: bytes) -> str:
        """The practitioner writes a message in Gmail and saves it as a draft; its draft id."""
        with self.lock:
            stored = self._store(raw, {"DRAFT"}, None, received=False, draft=True)
            draft_id = f"r{self._random.randrange(10**18, 10**19)}"
            self.drafts[draft_id] = stored.id
            return draft_id

    def edit_draft(self, draft_id: str, raw: bytes) -> None:
        """The practitioner edits and saves a draft in Gmail: same draft id, a new message."""
        with self.lock:
            old = self.messages.pop(self.drafts[draft_id])
            self._record("messagesDeleted", old)
            stored = self._store(raw, {"DRAFT"}, old.thread_id, received=False, draft=True)
            self.drafts[draft_id] = stored.id

    def m_drafts_get(self, params: dict[str, Any], body: Any) -> Any:
        if params["id"] not in self.drafts:
            raise ApiError(404, "notFound", "Requested entity was not found.")
        return self._draft(params["id"], params.get("format") or "full")
