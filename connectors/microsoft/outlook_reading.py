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

One loop serves every :class:`Folders`, each with a cursor of its own shape: the watched
folders (:meth:`OutlookReader.changes`), the practitioner's sent mail (the well-known folder
``sentitems``) and the correction folders (the children of a top-level folder ``Chief``, one
per category: :func:`correction_folders`), whose set changes as the practitioner makes them:
a new one is read in full, one gone is dropped from the cursor.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from bot.errors import ConnectorError, CursorInvalid, RemoteGone
from bot.keys import key_hash
from bot.mail.message import Limits, Message
from connectors.base import Batch, Cursor
from connectors.microsoft.graph import GraphClient, GraphGone, GraphRequest
from connectors.microsoft.outlook_items import odata_quote
from connectors.parsing import parse_or_report

__all__ = [
    "CORRECTIONS_PARENT",
    "Folders",
    "OutlookReader",
    "correction_folders",
    "make_correction_folders",
    "return_corrected",
]

log = logging.getLogger(__name__)

_CURSOR_VERSION = 1
_WELL_KNOWN = frozenset({"inbox", "drafts", "sentitems", "deleteditems", "junkemail", "archive"})
CORRECTIONS_PARENT = "Chief"  # a top-level folder; its children are the correction folders


@dataclass(frozen=True, slots=True)
class Folders:
    """The folders one cursor covers. ``kind`` tells its cursors apart (``None``: the watched
    folders, whose cursor predates the others); ``names`` are the folders by the names the
    cursor keeps, in reading order; ``segment`` gives a name's path segment (a well-known name
    or an id) when it is first needed. A ``fixed`` set must match its cursor's exactly; else
    folders come and go, and each one's state remembers which folder it was."""

    kind: str | None
    names: tuple[str, ...]
    segment: Callable[[str], str]
    fixed: bool = True


def _parent_ids(client: GraphClient) -> list[str]:
    query = f"$filter=displayName eq {odata_quote(CORRECTIONS_PARENT)}&$select=id,displayName"
    return [
        str(item["id"])
        for page in client.pages(GraphRequest("GET", f"/me/mailFolders?{query}"), "listing folders")
        for item in page.get("value", ())
        if item.get("displayName") == CORRECTIONS_PARENT
    ]


def make_correction_folders(client: GraphClient, names: Sequence[str]) -> int:
    """Make the top-level folder ``Chief`` and a child per name the mailbox lacks
    (``POST /me/mailFolders``, ``POST /me/mailFolders/{id}/childFolders``); how many were made."""
    made = 0
    parents = _parent_ids(client)
    if parents:
        parent = parents[0]
    else:
        created = client.call(
            GraphRequest("POST", "/me/mailFolders", {"displayName": CORRECTIONS_PARENT}),
            "making the correction folders",
        )
        parent = str(created["id"])
    have = {name.casefold() for name in correction_folders(client)}
    for name in names:
        if name.casefold() in have:
            continue
        client.call(
            GraphRequest(
                "POST",
                f"/me/mailFolders/{quote(parent, safe='')}/childFolders",
                {"displayName": name},
            ),
            "making a correction folder",
        )
        made += 1
    return made


def correction_folders(client: GraphClient) -> dict[str, str]:
    """Category -> folder id of each child of the top-level folder ``Chief``, by category; {}
    when there is no such folder (:func:`make_correction_folders` makes them)."""
    parents = _parent_ids(client)
    found: dict[str, str] = {}
    for parent in parents[:1]:
        segment = quote(parent, safe="")
        first = GraphRequest(
            "GET", f"/me/mailFolders/{segment}/childFolders?$select=id,displayName&$top=100"
        )
        for page in client.pages(first, "listing the correction folders"):
            for item in page.get("value", ()):
                if item.get("displayName"):
                    found.setdefault(str(item["displayName"]), str(item["id"]))
    return dict(sorted(found.items()))


def _folder_of(client: GraphClient, message_id: str) -> str | None:
    """The id of the folder message ``message_id`` is in; None when there is no such id."""
    segment = quote(message_id, safe="")
    try:
        found = client.call(
            GraphRequest("GET", f"/me/messages/{segment}?$select=id,parentFolderId"),
            "reading a message's folder",
        )
    except RemoteGone:
        return None
    return str(found.get("parentFolderId") or "") or None


def return_corrected(
    client: GraphClient, message_id: str, folder_id: str, to: str, home: str | None
) -> bool:
    """Move message ``message_id`` out of the correction folder ``folder_id`` into ``to`` (a
    well-known name or a folder id): ``POST /me/messages/{id}/move``. A copy (``home``, the
    id it was read under, still there: a moved message gets a new id) goes to Deleted Items
    instead, the original left where it is. False when it is no longer in the folder."""
    if _folder_of(client, message_id) != folder_id:
        return False
    if home and home != message_id and _folder_of(client, home) is not None:
        to = "deleteditems"
    segment = quote(message_id, safe="")
    client.call(
        GraphRequest("POST", f"/me/messages/{segment}/move", {"destinationId": to}),
        "moving a message back",
    )
    return True


class OutlookReader:
    """Reads folders of one mailbox into Batches, a deltaLink per folder: the watched ones
    (:meth:`changes`), or any :class:`Folders` (:meth:`read`)."""

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
        self.watched = Folders(None, watch, lambda name: self.folder_ids()[name])
        self._folders: dict[str, str] | None = None

    def changes(self, cursor: Cursor | None) -> Iterator[Batch]:
        """Batches of messages that arrived after ``cursor`` (all when ``None``).

        Raises :class:`CursorInvalid` before yielding anything for a cursor of another shape,
        other folders, or a delta token Graph no longer honours."""
        return (batch for _, batch in self.read(self.watched, cursor))

    def check_cursor(self, scope: Folders, cursor: Cursor) -> dict[str, Any]:
        """The per-folder states of a cursor of ``scope``'s own shape (another scope's, or
        other watched folders, raise :class:`CursorInvalid`)."""
        states = cursor.get("folders")
        if (
            cursor.get("v") != _CURSOR_VERSION
            or cursor.get("kind") != scope.kind
            or not isinstance(states, dict)
            or (scope.fixed and list(states) != list(scope.names))
            or not all(isinstance(state, dict) for state in states.values())
        ):
            what = scope.kind or "sync"
            raise CursorInvalid(f"the Outlook {what} cursor is of another shape or other folders")
        return states

    def read(self, scope: Folders, cursor: Cursor | None) -> Iterator[tuple[str, Batch]]:
        """(folder name, batch) for the messages created or changed in ``scope``'s folders
        after ``cursor`` (all when ``None``); every batch's cursor covers all of them.

        Raises :class:`CursorInvalid` before yielding anything for a cursor of another shape,
        or a delta token Graph no longer honours."""
        states = {} if cursor is None else self.check_cursor(scope, cursor)
        plans: dict[str, Any] = {}
        for folder in scope.names:
            state = states.get(folder) or {}
            where = state.get("folder")
            if not state.get("delta") or (where is not None and where != scope.segment(folder)):
                plans[folder] = None  # not read yet, or a folder of that name made anew: in full
                continue
            if state.get("after"):
                plans[folder] = state
                continue
            try:  # eager: an expired token is known before anything is yielded
                ids, link = self._delta(str(state["delta"]))
            except GraphGone as exc:
                if exc.status == 410 or "sync" in exc.code.lower():
                    raise CursorInvalid(
                        f"Graph no longer honours the delta token of a folder read "
                        f"(HTTP {exc.status} {exc.code}); syncing in full"
                    ) from None
                raise
            plans[folder] = {"delta": state["delta"], "new": (ids, link)}
        return self._run(scope, plans)

    def _cursor(self, scope: Folders, states: dict[str, Any]) -> Cursor:
        out: Cursor = {"v": _CURSOR_VERSION}
        if scope.kind is not None:
            out["kind"] = scope.kind
        out["folders"] = {f: states[f] for f in scope.names}
        return out

    def _state(self, scope: Folders, folder: str, **state: Any) -> dict[str, Any]:
        return state if scope.fixed else {**state, "folder": scope.segment(folder)}

    def _run(self, scope: Folders, plans: dict[str, Any]) -> Iterator[tuple[str, Batch]]:
        states: dict[str, Any] = {
            f: self._state(scope, f, delta=p["delta"] if p else "") for f, p in plans.items()
        }
        for folder, plan in plans.items():
            if plan is None:  # full: a delta round, then read oldest first
                ids, link = self._delta(self._start_link(scope, folder))
                batches = self._read(scope, folder, ids, link, states, resumable=True)
            elif "after" in plan:
                after = tuple(plan["after"])
                ids = self._listed_after(scope, folder, str(after[0]), str(after[1]))
                link = str(plan["delta"])
                batches = self._read(scope, folder, ids, link, states, resumable=True)
            else:
                ids, link = plan["new"]
                batches = self._read(scope, folder, ids, link, states, resumable=False)
            for batch in batches:
                yield folder, batch

    def _read(
        self,
        scope: Folders,
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
            states[folder] = self._state(scope, folder, delta=link)
            yield Batch((), self._cursor(scope, states))
            return
        for at in range(0, len(ids), self.batch_size):
            chunk = ids[at : at + self.batch_size]
            messages, failed = self._fetch([mid for _, mid in chunk])
            final = at + self.batch_size >= len(ids)
            if final:
                states[folder] = self._state(scope, folder, delta=link)
            elif resumable:
                states[folder] = self._state(scope, folder, delta=link, after=list(chunk[-1]))
            yield Batch(messages, self._cursor(scope, states), failed)

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

    def _start_link(self, scope: Folders, folder: str) -> str:
        segment = quote(scope.segment(folder), safe="")
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

    def _listed_after(
        self, scope: Folders, folder: str, received: str, last: str
    ) -> list[tuple[str, str]]:
        """Messages of ``folder`` after (received, id): resuming an interrupted full sync."""
        segment = quote(scope.segment(folder), safe="")
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
