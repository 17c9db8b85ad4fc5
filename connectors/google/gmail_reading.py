"""Reading a Gmail mailbox, strictly read-only: changes, history and fetching into Batches.

Only ``users.messages.list``, ``users.messages.get``, ``users.history.list``,
``users.labels.list`` / ``labels.get`` and ``getProfile`` are called, under the
``gmail.readonly`` scope. Sync follows Gmail's "Synchronizing clients" guide:

1. **Full** (no cursor, or one Gmail no longer honours): ``getProfile`` gives the mailbox's
   current historyId first; then each label read (the watched ones, default ``INBOX``; system
   ids or label names) is listed newest first, 500 ids a page, and the messages are fetched
   ``batch_size`` at a time, oldest first (a reply is filed after what it answers), in batch
   requests of ``messages.get(format=raw)`` (one message per part; the whole RFC 5322
   message, parsed here with the shared bounded parser). Each batch is yielded with a cursor
   that resumes after its last message, so a crash mid-way goes on where the committed
   batches end.
2. **Incremental**: ``history.list`` from the stored historyId (``messageAdded`` and
   ``labelAdded``: mail that arrives, and mail moved into a label read; ``labelId`` narrows
   the listing when one label is read), then the new messages fetched as above. A no-change
   sync is that one call (2 quota units). Gmail keeps history for a limited time: an id too
   old answers HTTP 404, which is raised as :class:`~bot.errors.CursorInvalid` before anything
   is yielded, and the pipeline syncs in full (the case log's message keys make that log
   nothing twice).

One loop serves every :class:`Scope`, each with a cursor of its own shape: the watched labels
(:meth:`GmailReader.changes`), the practitioner's sent mail (the system label ``SENT``) and the
correction labels (``Chief/<category>``, :mod:`connectors.google.gmail_labels`). A correction is
read only while it carries its label, and under each correction label it carries when read
(chief's own category label may be one of them: the reader of the corrections tells which): a
message moved on to another category, or back out, is not a correction of the first.

The threadId of each message read is remembered by its Message-ID, for the drafts that answer
it (:mod:`connectors.google.gmail_drafts`).
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from bot.errors import ConnectorError, CursorInvalid, RemoteGone
from bot.mail.message import Limits, Message
from connectors.base import Batch, Cursor
from connectors.google.client import GoogleClient
from connectors.google.gmail_labels import SYSTEM_LABELS
from connectors.parsing import parse_or_report

__all__ = ["GmailReader", "Scope"]

log = logging.getLogger(__name__)

_CURSOR_VERSION = 1
_LIST_PAGE = 500  # messages.list / history.list maximum page size
_HISTORY_FRESH_S = 5.0  # estimate()'s history listing, handed to the changes() that follows
_SHAPE = "the Gmail {} cursor is of another shape or other labels"

Fetched = tuple[list[tuple[Message, frozenset[str]]], list[tuple[str, str]]]


@dataclass(frozen=True, slots=True)
class Scope:
    """The labels one cursor covers. ``kind`` tells its cursors apart (``None``: the watched
    labels, whose cursor names them and predates the others); ``labels`` gives name -> label
    id in reading order, looked up when a read starts (correction labels come and go);
    ``by_label``: a message is read only while it carries one of them, under that one."""

    kind: str | None
    labels: Callable[[], dict[str, str]]
    by_label: bool = False


class GmailReader:
    """Reads labels of one Gmail account into Batches: the watched ones (:meth:`changes`), or
    those of any :class:`Scope` (:meth:`read`)."""

    def __init__(
        self,
        client: GoogleClient,
        watch: tuple[str, ...],
        batch_size: int,
        limits: Limits,
        threads: dict[str, str],
    ) -> None:
        self.client = client
        self.watch = watch
        self.batch_size = batch_size
        self.limits = limits
        self.threads = threads  # Message-ID -> Gmail threadId, filled as messages are read
        self.watched = Scope(None, self.labels)
        self._label_ids: dict[str, str] | None = None
        self._history_seen: tuple[str, list[str], str, float] | None = None

    def changes(self, cursor: Cursor | None) -> Iterator[Batch]:
        """Batches of messages that arrived after ``cursor`` (all when ``None``).

        Raises :class:`CursorInvalid` before yielding anything for a cursor of another shape,
        other labels, or a historyId Gmail no longer keeps."""
        return (batch for _, batch in self.read(self.watched, cursor))

    def read(self, scope: Scope, cursor: Cursor | None) -> Iterator[tuple[str, Batch]]:
        """(label name, batch) for the messages that arrived in ``scope``'s labels after
        ``cursor`` (all when ``None``); every batch's cursor covers all of them.

        Raises :class:`CursorInvalid` before yielding anything for a cursor of another shape
        (another scope's included), or a historyId Gmail no longer keeps."""
        if cursor is None:
            return self._full(scope, scope.labels(), None, None)
        history_id, resume = self.parse(scope, cursor)
        labels = scope.labels()
        if resume is not None:
            return self._full(scope, labels, history_id, resume)
        seen, self._history_seen = self._history_seen, None
        if (
            scope is self.watched
            and seen
            and seen[0] == history_id
            and time.monotonic() - seen[3] < _HISTORY_FRESH_S
        ):
            ids, latest = seen[1], seen[2]
        else:
            ids, latest = self._history(labels, history_id)
        return self._incremental(scope, labels, history_id, ids, latest)

    def parse(self, scope: Scope, cursor: Cursor) -> tuple[str, dict[str, Any] | None]:
        """The historyId and the resume point of a cursor of ``scope``'s own shape."""
        wrong = CursorInvalid(_SHAPE.format(scope.kind or "sync"))
        if (
            cursor.get("v") != _CURSOR_VERSION
            or cursor.get("kind") != scope.kind
            or not str(cursor.get("history_id", "")).isdigit()
        ):
            raise wrong
        if cursor.get("labels") != (list(self.watch) if scope.kind is None else None):
            raise wrong
        resume = cursor.get("resume")
        if not resume:
            return str(cursor["history_id"]), None
        if not isinstance(resume, dict):
            raise wrong
        return str(cursor["history_id"]), dict(resume)

    def estimate(self, cursor: Cursor | None) -> int | None:
        """About how many messages ``changes(cursor)`` reads (a progress bar's total): the
        watched labels' message counts for a full sync, the history's new messages otherwise
        (that listing is handed to the ``changes`` call that follows, not made twice)."""
        try:
            if cursor is None or cursor.get("resume") or cursor.get("v") != _CURSOR_VERSION:
                return sum(self._label_total(i) for i in self.labels().values())
            if cursor.get("labels") != list(self.watch) or cursor.get("kind") is not None:
                return None
            start = str(cursor.get("history_id", ""))
            ids, latest = self._history(self.labels(), start)
        except (CursorInvalid, RemoteGone):
            return None
        self._history_seen = (start, ids, latest, time.monotonic())
        return len(ids)

    def labels(self) -> dict[str, str]:
        """Watched label (as configured) -> Gmail label id, in the order configured; labels
        not found are left out."""
        if self._label_ids is None:
            found: dict[str, str] = {w: w for w in self.watch if w in SYSTEM_LABELS}
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
            self._label_ids = {w: found[w] for w in self.watch if w in found}
        return self._label_ids

    def _label_total(self, label_id: str) -> int:
        label = self.client.call(
            lambda s: s.users().labels().get(userId="me", id=label_id), "reading a label"
        )
        return int(label.get("messagesTotal") or 0)

    def _cursor(
        self, scope: Scope, history_id: str, resume: dict[str, Any] | None = None
    ) -> Cursor:
        out: Cursor = {"v": _CURSOR_VERSION}
        if scope.kind is None:
            out.update(history_id=history_id, labels=list(self.watch))
        else:
            out.update(kind=scope.kind, history_id=history_id)
        if resume:
            out["resume"] = resume
        return out

    def _history(self, labels: dict[str, str], start: str) -> tuple[list[str], str]:
        """Ids of messages added to one of ``labels`` since ``start``, and the newest historyId."""
        wanted = set(labels.values())
        # One label read: Gmail filters the history itself (``labelId``); else it is filtered
        # here, from the labels each record names.
        narrow = {"labelId": next(iter(wanted))} if len(wanted) == 1 else {}
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
                        **narrow,
                    )
                ),
                "history",
                "reading the mailbox history",
            ):
                latest = str(page.get("historyId") or latest)
                for record in page.get("history", ()):
                    for added in record.get("messagesAdded", ()):
                        if wanted & set(added["message"].get("labelIds", ())):
                            ids[added["message"]["id"]] = None
                    for labelled in record.get("labelsAdded", ()):
                        if wanted & set(labelled.get("labelIds", ())):
                            ids[labelled["message"]["id"]] = None
        except RemoteGone:
            raise CursorInvalid(
                "Gmail no longer keeps the history since the last sync (HTTP 404)"
            ) from None
        return list(ids), latest

    def _incremental(
        self, scope: Scope, labels: dict[str, str], start: str, ids: list[str], latest: str
    ) -> Iterator[tuple[str, Batch]]:
        first = next(iter(labels), "")
        if not ids:
            if latest != start:
                yield first, Batch((), self._cursor(scope, latest))
            return
        for at in range(0, len(ids), self.batch_size):
            final = at + self.batch_size >= len(ids)
            fetched, failed = self._fetch(ids[at : at + self.batch_size])
            groups = self._group(scope, labels, fetched) or [(first, [])]
            for n, (name, messages) in enumerate(groups):
                # Until the very last batch the cursor stays put: a crash re-reads this run's
                # history (the case log drops what it already has).
                done = final and n == len(groups) - 1
                cursor = self._cursor(scope, latest if done else start)
                yield name, Batch(tuple(messages), cursor, tuple(failed) if n == 0 else ())

    def _group(
        self, scope: Scope, labels: dict[str, str], fetched: list[tuple[Message, frozenset[str]]]
    ) -> list[tuple[str, list[Message]]]:
        """The messages read under the label each one goes with, in ``labels`` order."""
        if not scope.by_label:
            return [(next(iter(labels), ""), [m for m, _ in fetched])] if fetched else []
        groups: dict[str, list[Message]] = {name: [] for name in labels}
        for message, carried in fetched:
            names = [n for n, i in labels.items() if i in carried]
            if not names:  # moved on again before this read: not where history saw it
                log.debug(
                    "gmail: message %s no longer carries its label; skipped", message.provider_id
                )
                continue
            for name in names:  # chief's own category label and the practitioner's, both
                groups[name].append(message)
        return [(name, found) for name, found in groups.items() if found]

    def _full(
        self,
        scope: Scope,
        labels: dict[str, str],
        history_id: str | None,
        resume: dict[str, Any] | None,
    ) -> Iterator[tuple[str, Batch]]:
        if history_id is None:
            profile = self.client.call(lambda s: s.users().getProfile(userId="me"), "signing in")
            history_id = str(profile["historyId"])
        order = list(labels)
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
                fetched, failed = self._fetch(chunk)
                last = ids[min(at + self.batch_size, len(ids)) - 1]
                cursor = self._cursor(scope, history_id, {"label": label, "after": last})
                yield label, Batch(tuple(m for m, _ in fetched), cursor, tuple(failed))
        yield (order[-1] if order else ""), Batch((), self._cursor(scope, history_id))

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

    def _fetch(self, ids: Sequence[str]) -> Fetched:
        """``messages.get(format=raw)`` for ``ids`` in batch requests, parsed; each message
        with the label ids it carries now."""
        answers = self.client.batch(
            {mid: _get_message(mid) for mid in ids},
            "reading messages",
        )
        messages: list[tuple[Message, frozenset[str]]] = []
        failed: list[tuple[str, str]] = []
        for mid in ids:
            answer = answers[mid]
            if isinstance(answer, RemoteGone):
                log.debug("gmail: message %s deleted meanwhile; skipped", mid)
                continue
            if isinstance(answer, ConnectorError):
                raise answer
            carried = frozenset(answer.get("labelIds", ()))
            if "DRAFT" in carried:
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
                self.threads[message.message_id] = answer["threadId"]
            messages.append((message, carried))
        return messages, failed


def _get_message(message_id: str) -> Callable[[Any], Any]:
    return lambda s: s.users().messages().get(userId="me", id=message_id, format="raw")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
