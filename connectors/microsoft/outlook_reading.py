"""Reading an Outlook mailbox with delta queries, strictly read-only (only GETs).

Sync follows Graph's "Get incremental changes to messages in a folder":

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
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import quote

from bot.errors import ConnectorError, CursorInvalid, RemoteGone
from bot.keys import key_hash
from bot.mail.message import Limits, Message
from connectors.base import Batch, Cursor
from connectors.microsoft.graph import GraphClient, GraphGone, GraphRequest
from connectors.parsing import parse_or_report

__all__ = ["OutlookReader"]

log = logging.getLogger(__name__)

_CURSOR_VERSION = 1
_WELL_KNOWN = frozenset({"inbox", "drafts", "sentitems", "deleteditems", "junkemail", "archive"})


class OutlookReader:
    """Reads the watched folders of one mailbox into Batches, a deltaLink per folder."""

    def __init__(
        self,
        client: GraphClient,
        watch: tuple[str, ...],
        batch_size: int,
        page_size: int,
        limits: Limits,
    ) -> None:
        self.client = client
        self.watch = watch
        self.batch_size = batch_size
        self.page_size = page_size
        self.limits = limits
        self._folders: dict[str, str] | None = None

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

    def folder_ids(self) -> dict[str, str]:
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
        segment = quote(self.folder_ids()[folder], safe="")
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
        segment = quote(self.folder_ids()[folder], safe="")
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
