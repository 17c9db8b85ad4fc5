"""Gmail (Google Workspace or a personal account) over the Gmail API v1.

Reading never changes the mailbox: only ``users.messages.list``, ``users.messages.get``,
``users.history.list`` and ``users.labels.list`` are used for it, under the ``gmail.readonly``
scope (sign-in and scopes: :mod:`connectors.google.auth`; calls, batches, backoff and error
translation: :mod:`connectors.google.client`). A PROVIDER ID is the Gmail message id.

The one change a practice may ask for is a label per category (``category_labels``, off by
default): ``true`` puts ``Chief/Payer``, ``Chief/Solicitor``... on the messages the rules
classify, a table (``{payer = "Insurers", lab = "Results"}``) names the labels and limits them
to the categories it lists. The labels are created when missing and added with
``users.messages.batchModify`` (``gmail.modify``, asked for only then); nothing else about a
message changes: it stays where it is, read or unread. Labels go on before the batch is
committed to the case log, so a crash in between labels the same messages again on the rerun
(adding a label a message has is a no-op): none is missed, none doubled.

Sync, following Gmail's "Synchronizing clients" guide:

1. **Full** (no cursor, or one Gmail no longer honours): ``getProfile`` gives the mailbox's
   current historyId first; then each watched label (default ``INBOX``; system ids or label
   names) is listed newest first, 500 ids a page, and the messages are fetched
   ``batch_size`` at a time, oldest first (a reply is filed after what it answers), in batch
   requests of ``messages.get(format=raw)`` (one message per part; the whole RFC 5322
   message, parsed here with the shared bounded parser). Each batch is yielded with a cursor
   that resumes after its last message, so a crash mid-way goes on where the committed
   batches end.
2. **Incremental**: ``history.list`` from the stored historyId (``messageAdded`` and
   ``labelAdded``: mail that arrives, and mail moved into a watched label), then the new
   messages fetched as above. A no-change sync is that one call (2 quota units). Gmail keeps
   history for a limited time: an id too old answers HTTP 404, which is raised as
   :class:`~bot.errors.CursorInvalid` before anything is yielded, and the pipeline syncs in full
   (the case log's message keys make that log nothing twice).

Writing is exactly-once per IDEMPOTENCY KEY, carried in the ``X-Chief-Key`` header:

- **Drafts** (``users.drafts.create``, ``gmail.compose``) go into the conversation they answer:
  the original's threadId (found by its Message-ID, ``rfc822msgid:``, or remembered from the
  sync) with the draft's own In-Reply-To / References and ``Re:`` subject, the three things
  Gmail requires to thread a draft. Before creating, the drafts are indexed by their
  X-Chief-Key (``drafts.list`` then ``drafts.get(format=metadata)`` in batches, once per run;
  a later listing reads only drafts not seen yet), so a draft written before a crash is found,
  not written again.
  The REMOTE ID is the draft id, which stays the same while the practitioner edits it.
- **The daily summary** is put into INBOX, unread, with ``users.messages.insert``
  (``gmail.insert``: a delivery into the practitioner's own mailbox, not a send), only when
  addressed to the practitioner alone; its Message-ID is derived from the key so it is found
  again (``rfc822msgid:``) rather than inserted twice.

Nothing is ever sent: this module calls neither ``messages.send`` nor ``drafts.send``.
Push (``users.watch`` with Cloud Pub/Sub) can replace polling later; see the README.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from bot.errors import ConnectorError, CursorInvalid, RemoteGone, UserError
from bot.keyring_store import StoreKind
from bot.keys import check_key, key_hash, with_key_header
from bot.mail.message import KEY_HEADER, Limits, Message
from bot.rules.engine import CATEGORIES
from connectors.base import Batch, Cursor, OutgoingDraft
from connectors.google.auth import (
    GMAIL_LABEL_SCOPE,
    GMAIL_SCOPES,
    TokenStore,
    load_credentials,
)
from connectors.google.client import GoogleClient, check_api_root
from connectors.http_retry import Retry
from connectors.parsing import parse_or_report
from connectors.recipients import require_practitioner_only

__all__ = ["GmailConnector"]

log = logging.getLogger(__name__)

INBOX = "INBOX"
_CURSOR_VERSION = 1
_LIST_PAGE = 500  # messages.list / history.list / drafts.list maximum page size
_GMAIL_BATCH_LIMIT = 100  # documented; Gmail advises 50 or fewer to avoid throttling
_MODIFY_LIMIT = 1000  # messages.batchModify: at most 1,000 ids a call
_LABEL_PREFIX = "Chief/"
_HISTORY_FRESH_S = 5.0  # estimate()'s history listing, handed to the changes() that follows
_SYSTEM_LABELS = frozenset(
    {"INBOX", "SENT", "DRAFT", "SPAM", "TRASH", "UNREAD", "STARRED", "IMPORTANT"}
    | {f"CATEGORY_{c}" for c in ("PERSONAL", "SOCIAL", "PROMOTIONS", "UPDATES", "FORUMS")}
)
# Within a run only chief writes drafts with keys (one run at a time, by the practice's lock):
# the drafts are listed once, then what we create is added; a long-lived connector (the
# `chief run` loop) lists again when a key is missing and the listing is this old.
_DRAFT_INDEX_S = 300.0
_HEADERS = email.parser.BytesHeaderParser(policy=email.policy.compat32)
_MSGID = re.compile(r"<([^<>\s]+)>")
_HEAD_END = re.compile(rb"\r?\n\r?\n")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class GmailConnector:
    """Mail source, draft sink and summary sender over one Gmail account."""

    # historyId cursor; None means full. Drafts join the original's Gmail thread. Reading is
    # list / get / history (labels change only with `category_labels`). No waiting for mail
    # yet (users.watch + Pub/Sub): the interval sync polls.
    supports_incremental: ClassVar[bool] = True

    def __init__(
        self,
        account: str,
        token_file: Path | None = None,
        token_store: StoreKind = "auto",
        client_secrets_file: Path | None = None,
        watch: Sequence[str] = (INBOX,),
        category_labels: bool | Mapping[str, str] = False,
        batch_size: int = 50,
        timeout: float = 30.0,
        retry_attempts: int = 8,
        retry_base_s: float = 1.0,
        max_retry_wait_s: float = 300.0,
        api_root: str | None = None,
        practitioner_address: str | None = None,
        limits: Limits | None = None,
    ) -> None:
        problems = []
        if not account or "@" not in account:
            problems.append("set `account` in [mail] of chief.toml to your Gmail address")
        watch = (watch,) if isinstance(watch, str) else tuple(dict.fromkeys(watch))
        if not watch or not all(isinstance(w, str) and w for w in watch):
            problems.append('`watch` in [mail] must be a list of Gmail labels, e.g. ["INBOX"]')
        if not 1 <= batch_size <= _GMAIL_BATCH_LIMIT:
            problems.append(f"`batch_size` in [mail] must be 1 to {_GMAIL_BATCH_LIMIT}")
        if timeout <= 0 or retry_attempts < 1 or retry_base_s < 0 or max_retry_wait_s < 0:
            problems.append(
                "`timeout`, `retry_attempts`, `retry_base_s` and `max_retry_wait_s` "
                "in [mail] must be positive"
            )
        label_names = _category_labels(category_labels, problems)
        if problems:
            raise UserError("invalid [mail] settings for the Gmail connector", problems)
        check_api_root(api_root, "mail")
        self.account = account.strip().lower()
        self.watch = watch
        self.batch_size = batch_size
        self.client_secrets_file = client_secrets_file
        self.practitioner_address = (practitioner_address or "").strip().lower() or None
        self.limits = limits or Limits()
        self.category_labels = label_names
        scopes = (*GMAIL_SCOPES, GMAIL_LABEL_SCOPE) if label_names else GMAIL_SCOPES
        self.store = TokenStore(self.account, token_file, token_store, "mail")
        self.client = GoogleClient(
            "gmail",
            "v1",
            lambda: load_credentials(self.store, scopes),
            api_root,
            timeout,
            Retry(retry_attempts, retry_base_s, max_retry_wait_s),
            batch_size,
        )
        self._label_ids: dict[str, str] | None = None
        self._category_label_ids: dict[str, str] = {}  # label name -> id, once made sure of
        self._history_seen: tuple[str, list[str], str, float] | None = None
        self._threads: dict[str, str] = {}  # Message-ID -> Gmail threadId, from reading
        self._draft_keys: dict[str, str] = {}  # X-Chief-Key -> draft id
        self._drafts_indexed: set[str] = set()
        self._drafts_listed_at = -_DRAFT_INDEX_S - 1.0

    def __repr__(self) -> str:  # never the grant
        return f"GmailConnector(account={self.account!r}, watch={list(self.watch)!r})"

    def close(self) -> None:
        self.client.close()

    # --- MailSource -------------------------------------------------------------------------

    def changes(self, cursor: Cursor | None) -> Iterator[Batch]:
        """Batches of messages that arrived after ``cursor`` (all when ``None``).

        Raises :class:`CursorInvalid` before yielding anything for a cursor of another shape,
        other labels, or a historyId Gmail no longer keeps."""
        if cursor is None:
            return self._full(None, None)
        if (
            cursor.get("v") != _CURSOR_VERSION
            or cursor.get("labels") != list(self.watch)
            or not str(cursor.get("history_id", "")).isdigit()
        ):
            raise CursorInvalid("the Gmail sync cursor is of another shape or other labels")
        history_id = str(cursor["history_id"])
        resume = cursor.get("resume")
        if resume:
            if not isinstance(resume, dict):
                raise CursorInvalid("the Gmail sync cursor is of another shape or other labels")
            return self._full(history_id, dict(resume))
        seen, self._history_seen = self._history_seen, None
        if seen and seen[0] == history_id and time.monotonic() - seen[3] < _HISTORY_FRESH_S:
            ids, latest = seen[1], seen[2]
        else:
            ids, latest = self._history(history_id)
        return self._incremental(history_id, ids, latest)

    def estimate(self, cursor: Cursor | None) -> int | None:
        """About how many messages ``changes(cursor)`` reads (a progress bar's total): the
        watched labels' message counts for a full sync, the history's new messages otherwise
        (that listing is handed to the ``changes`` call that follows, not made twice)."""
        try:
            if cursor is None or cursor.get("resume") or cursor.get("v") != _CURSOR_VERSION:
                return sum(self._label_total(i) for i in self._labels().values())
            if cursor.get("labels") != list(self.watch):
                return None
            start = str(cursor.get("history_id", ""))
            ids, latest = self._history(start)
        except (CursorInvalid, RemoteGone):
            return None
        self._history_seen = (start, ids, latest, time.monotonic())
        return len(ids)

    def _label_total(self, label_id: str) -> int:
        label = self.client.call(
            lambda s: s.users().labels().get(userId="me", id=label_id), "reading a label"
        )
        return int(label.get("messagesTotal") or 0)

    def _cursor(self, history_id: str, resume: dict[str, Any] | None = None) -> Cursor:
        out: Cursor = {"v": _CURSOR_VERSION, "history_id": history_id, "labels": list(self.watch)}
        if resume:
            out["resume"] = resume
        return out

    def _labels(self) -> dict[str, str]:
        """Watched label (as configured) -> Gmail label id; labels not found are left out."""
        if self._label_ids is None:
            found: dict[str, str] = {w: w for w in self.watch if w in _SYSTEM_LABELS}
            if len(found) < len(self.watch):
                listed = self.client.call(
                    lambda s: s.users().labels().list(userId="me"), "listing labels"
                ).get("labels", [])
                for wanted in self.watch:
                    for label in listed:
                        if wanted in (label["id"], label.get("name")):
                            found[wanted] = label["id"]
            for wanted in self.watch:
                if wanted not in found:
                    log.warning("gmail: watched label %s not found; skipped", wanted)
            self._label_ids = found
        return self._label_ids

    def _history(self, start: str) -> tuple[list[str], str]:
        """Ids of messages added to a watched label since ``start``, and the newest historyId."""
        watched = set(self._labels().values())
        ids: dict[str, None] = {}
        latest = start
        try:
            for page in self.client.pages(
                lambda s, token: (
                    s.users()
                    .history()
                    .list(
                        userId="me",
                        startHistoryId=start,
                        historyTypes=["messageAdded", "labelAdded"],
                        maxResults=_LIST_PAGE,
                        pageToken=token,
                    )
                ),
                "history",
                "reading the mailbox history",
            ):
                latest = str(page.get("historyId") or latest)
                for record in page.get("history", ()):
                    for added in record.get("messagesAdded", ()):
                        if watched & set(added["message"].get("labelIds", ())):
                            ids[added["message"]["id"]] = None
                    for labelled in record.get("labelsAdded", ()):
                        if watched & set(labelled.get("labelIds", ())):
                            ids[labelled["message"]["id"]] = None
        except RemoteGone:
            raise CursorInvalid(
                "Gmail no longer keeps the history since the last sync (HTTP 404)"
            ) from None
        return list(ids), latest

    def _incremental(self, start: str, ids: list[str], latest: str) -> Iterator[Batch]:
        if not ids:
            if latest != start:
                yield Batch((), self._cursor(latest))
            return
        for at in range(0, len(ids), self.batch_size):
            final = at + self.batch_size >= len(ids)
            messages, failed = self._fetch(ids[at : at + self.batch_size])
            # Until the last batch the cursor stays put: a crash re-reads this run's history
            # (the case log drops what it already has).
            yield Batch(messages, self._cursor(latest if final else start), failed)

    def _full(self, history_id: str | None, resume: dict[str, Any] | None) -> Iterator[Batch]:
        if history_id is None:
            profile = self.client.call(lambda s: s.users().getProfile(userId="me"), "signing in")
            history_id = str(profile["historyId"])
        labels = self._labels()
        order = [w for w in self.watch if w in labels]
        after = None
        if resume is not None and resume.get("label") in order:
            order = order[order.index(resume["label"]) :]
            after = resume.get("after")
        seen: set[str] = set()
        for label in order:
            # Gmail lists newest first; the pipeline files a reply by the message it answers,
            # so messages are read oldest first, as they arrived.
            ids = self._list_ids(labels[label])[::-1]
            start = ids.index(after) + 1 if after in ids else 0
            after = None
            for at in range(start, len(ids), self.batch_size):
                chunk = [i for i in ids[at : at + self.batch_size] if i not in seen]
                seen.update(chunk)
                messages, failed = self._fetch(chunk)
                last = ids[min(at + self.batch_size, len(ids)) - 1]
                yield Batch(
                    messages, self._cursor(history_id, {"label": label, "after": last}), failed
                )
        yield Batch((), self._cursor(history_id))

    def _list_ids(self, label_id: str) -> list[str]:
        """Every message id in a label, newest first (ids only: 500 a call)."""
        ids: list[str] = []
        for page in self.client.pages(
            lambda s, token: (
                s.users()
                .messages()
                .list(userId="me", labelIds=[label_id], maxResults=_LIST_PAGE, pageToken=token)
            ),
            "messages",
            "listing messages",
        ):
            ids.extend(m["id"] for m in page.get("messages", ()))
        return ids

    def _fetch(self, ids: Sequence[str]) -> tuple[tuple[Message, ...], tuple[tuple[str, str], ...]]:
        """``messages.get(format=raw)`` for ``ids`` in batch requests, parsed."""
        answers = self.client.batch(
            {mid: _get_message(mid) for mid in ids},
            "reading messages",
        )
        messages: list[Message] = []
        failed: list[tuple[str, str]] = []
        for mid in ids:
            answer = answers[mid]
            if isinstance(answer, RemoteGone):
                log.debug("gmail: message %s deleted meanwhile; skipped", mid)
                continue
            if isinstance(answer, ConnectorError):
                raise answer
            if "DRAFT" in answer.get("labelIds", ()):
                continue
            try:
                raw = _unb64(answer.get("raw", ""))
            except ValueError:
                failed.append((mid, "Gmail returned undecodable raw data"))
                continue
            size = int(answer.get("sizeEstimate") or len(raw))
            message = parse_or_report(mid, raw, max(size, len(raw)), self.limits, failed, "gmail")
            if message is None:
                continue
            if message.message_id and answer.get("threadId"):
                self._threads[message.message_id] = answer["threadId"]
            messages.append(message)
        return tuple(messages), tuple(failed)

    # --- Category labels --------------------------------------------------------------------

    def label_messages(self, by_category: Mapping[str | None, Sequence[str]]) -> int:
        """Put the configured label of each category on its messages (provider ids); returns
        how many messages were labelled. A no-op unless ``category_labels`` is set."""
        wanted = {
            self.category_labels[category]: list(dict.fromkeys(ids))
            for category, ids in by_category.items()
            if category in self.category_labels and ids
        }
        if not wanted:
            return 0
        label_ids = self._ensure_labels(sorted(wanted))
        done = 0
        for name, ids in sorted(wanted.items()):
            for at in range(0, len(ids), _MODIFY_LIMIT):
                chunk = ids[at : at + _MODIFY_LIMIT]
                body = {"ids": chunk, "addLabelIds": [label_ids[name]]}
                self.client.call(_modify(body), "labelling messages")
                done += len(chunk)
        log.debug("gmail: %d message(s) labelled in %d label(s)", done, len(wanted))
        return done

    def _ensure_labels(self, names: Sequence[str]) -> dict[str, str]:
        """Label name -> id for ``names``, creating the ones the mailbox lacks."""
        missing = [n for n in names if n not in self._category_label_ids]
        if missing:
            listed = self.client.call(
                lambda s: s.users().labels().list(userId="me"), "listing labels"
            ).get("labels", [])
            by_name = {str(label.get("name", "")).lower(): label["id"] for label in listed}
            for name in missing:
                found = by_name.get(name.lower())
                if found is None:
                    body = {
                        "name": name,
                        "labelListVisibility": "labelShow",
                        "messageListVisibility": "show",
                    }
                    created = self.client.call(_create_label(body), "creating a label")
                    found = created["id"]
                    log.info("gmail: label created for a category")
                self._category_label_ids[name] = str(found)
        return {n: self._category_label_ids[n] for n in names}

    # --- DraftSink --------------------------------------------------------------------------

    def find_draft(self, key: str) -> str | None:
        """The id of the Gmail draft carrying X-Chief-Key ``key``, or None."""
        check_key(key)
        stale = time.monotonic() - self._drafts_listed_at > _DRAFT_INDEX_S
        if key not in self._draft_keys and stale:
            self._index_drafts()
        return self._draft_keys.get(key)

    def _index_drafts(self) -> None:
        """Read the X-Chief-Key of every draft not indexed yet (headers only)."""
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
                if header.get("name", "").lower() == KEY_HEADER.lower():
                    self._draft_keys.setdefault(header.get("value", "").strip(), did)

    def _thread_of(self, message_id: str) -> str | None:
        """The Gmail threadId of the message with ``message_id``, or None."""
        if message_id in self._threads:
            return self._threads[message_id]
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
            self._threads[message_id] = thread
        return thread

    def create_draft(self, draft: OutgoingDraft) -> str:
        """Create the draft once per key, in the original's thread; its draft id."""
        existing = self.find_draft(draft.key)
        if existing is not None:
            log.debug("gmail: draft %s already present", key_hash(draft.key))
            return existing
        raw = with_key_header(draft.raw, draft.key)
        head = _HEADERS.parsebytes(_HEAD_END.split(raw, maxsplit=1)[0])
        parent = draft.in_reply_to or str(head.get("In-Reply-To") or "").strip()
        thread = draft.thread_hint or (self._thread_of(parent) if parent else None)
        message: dict[str, Any] = {"raw": _b64(raw)}
        if thread:
            message["threadId"] = thread
        created = self.client.call(
            lambda s: s.users().drafts().create(userId="me", body={"message": message}),
            "creating a draft",
        )
        draft_id = str(created["id"])
        self._draft_keys[draft.key] = draft_id
        self._drafts_indexed.add(draft_id)
        log.info(
            "gmail: draft %s created (%s)",
            key_hash(draft.key),
            "threaded" if thread else "new thread",
        )
        return draft_id

    def draft_link(self, remote_id: str) -> str | None:
        """The Gmail web address that opens draft ``remote_id``, or None when it is gone."""
        return self.draft_links([remote_id]).get(remote_id)

    def draft_links(self, remote_ids: Sequence[str]) -> dict[str, str]:
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

    # --- Sender -----------------------------------------------------------------------------

    def send_to_practitioner(self, raw: bytes, key: str) -> str:
        """Insert the summary into INBOX (unread) once per ``key``; practitioner only."""
        check_key(key)
        require_practitioner_only(raw, self.practitioner_address)
        message_id = f"summary-{hashlib.sha256(key.encode()).hexdigest()[:32]}@practice-chief"
        raw = _with_message_id(with_key_header(raw, key), f"<{message_id}>")
        page = self.client.call(
            lambda s: (
                s.users()
                .messages()
                .list(
                    userId="me", q=f"rfc822msgid:{message_id}", maxResults=1, includeSpamTrash=True
                )
            ),
            "looking for the summary",
        )
        if page.get("messages"):
            return str(page["messages"][0]["id"])
        inserted = self.client.call(
            lambda s: (
                s.users()
                .messages()
                .insert(
                    userId="me",
                    internalDateSource="dateHeader",
                    body={"raw": _b64(raw), "labelIds": [INBOX, "UNREAD"]},
                )
            ),
            "delivering the summary",
        )
        return str(inserted["id"])

    # --- chief doctor -----------------------------------------------------------------------

    def check(self) -> str:
        """Sign in and look at the mailbox: one line for `chief doctor`."""
        profile = self.client.call(lambda s: s.users().getProfile(userId="me"), "signing in")
        labels = self._labels()
        missing = [w for w in self.watch if w not in labels]
        if missing:
            raise RemoteGone(
                f"watched Gmail label(s) {', '.join(map(repr, missing))} not found: "
                "check `watch` in [mail] of chief.toml"
            )
        return (
            f"signed in to Gmail as {profile.get('emailAddress', self.account)} "
            f"({profile.get('messagesTotal', 0)} messages); watching {', '.join(self.watch)}; "
            f"drafts go to Gmail drafts, in the conversation they answer; "
            f"sign-in kept in {self.store.describe()}"
        )


def _category_labels(setting: object, problems: list[str]) -> dict[str, str]:
    """``category_labels`` from chief.toml as category -> label name ({} when off)."""
    if setting is False or setting is None:
        return {}
    if setting is True:
        return {c: _LABEL_PREFIX + c.replace("_", " ").capitalize() for c in CATEGORIES}
    if isinstance(setting, Mapping):
        unknown = [str(k) for k in setting if k not in CATEGORIES]
        bad = [str(k) for k, v in setting.items() if not isinstance(v, str) or not v.strip()]
        if unknown:
            problems.append(
                f"`category_labels` in [mail]: unknown category {', '.join(unknown)}; "
                f"known: {', '.join(CATEGORIES)}"
            )
        if bad:
            problems.append(f"`category_labels` in [mail]: give a label name for {', '.join(bad)}")
        if unknown or bad:
            return {}
        names = {str(k): str(v).strip() for k, v in setting.items()}
        reserved = [n for n in names.values() if n.upper() in _SYSTEM_LABELS]
        if reserved:
            problems.append(f"`category_labels` in [mail]: {reserved[0]} is a Gmail system label")
            return {}
        return names
    problems.append(
        '`category_labels` in [mail] must be true, false or a table such as {payer = "Insurers"}'
    )
    return {}


def _modify(body: dict[str, Any]) -> Callable[[Any], Any]:
    return lambda s: s.users().messages().batchModify(userId="me", body=body)


def _create_label(body: dict[str, Any]) -> Callable[[Any], Any]:
    return lambda s: s.users().labels().create(userId="me", body=body)


def _get_message(message_id: str) -> Callable[[Any], Any]:
    return lambda s: s.users().messages().get(userId="me", id=message_id, format="raw")


def _get_draft(draft_id: str) -> Callable[[Any], Any]:
    return lambda s: s.users().drafts().get(userId="me", id=draft_id, format="metadata")


def _with_message_id(raw: bytes, message_id: str) -> bytes:
    """``raw`` with its Message-ID header(s) replaced by ``message_id``."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    kept: list[bytes] = []
    skipping = False
    for line in lines:
        if line[:1] in (b" ", b"\t") and skipping:
            continue
        skipping = line.lower().startswith(b"message-id:")
        if not skipping:
            kept.append(line)
    kept.insert(0, b"Message-ID: " + message_id.encode("ascii"))
    return b"\r\n".join(kept) + sep + body
