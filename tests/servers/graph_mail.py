"""An in-memory Exchange mailbox answering the Graph v1.0 mail calls the Outlook connector uses.

Documented behaviour kept here:

- Folders have opaque ids and well-known names (``inbox``, ``drafts``, ``sentitems``...);
  ``/me/mailFolders`` lists the top-level ones (the children of the hidden root), and
  ``/mailFolders/{id}/childFolders`` the children of one, with ``$select``, ``$top`` /
  ``$skip`` paging and the one ``$filter`` form ``displayName eq '…'``. The practitioner makes
  folders of their own (:meth:`GraphMailbox.make_folder`) and moves messages between them;
  a moved message gets a new id in its new folder (Graph ids are not immutable unless asked
  for), and the delta of the folder it left reports it ``@removed``.
- ``messages/delta`` per folder: pages of ``Prefer: odata.maxpagesize`` items with
  ``@odata.nextLink`` (``$skiptoken``), the last with ``@odata.deltaLink`` (``$deltatoken``);
  a later round from the deltaLink gives messages created or changed since, and
  ``@removed`` for those moved out or deleted. A token the server no longer keeps answers
  410 ``syncStateNotFound``. Only ``$select``, ``$top`` and the tokens are honoured on delta.
- ``$value`` is the message's MIME; for a message made through the API it is generated from
  its properties (with ``In-Reply-To`` / ``References`` on replies and the custom
  ``internetMessageHeaders``).
- ``createReply`` makes a draft in Drafts in the original's conversation (``RE:`` subject, the
  sender as recipient); its optional ``message`` sets writable properties.
- ``$filter`` forms served: ``internetMessageId eq '…'``, ``receivedDateTime ge …`` and
  ``singleValueExtendedProperties/any(ep: ep/id eq '…' and ep/value eq '…')``; ``$expand``
  of ``singleValueExtendedProperties($filter=id eq '…')``. Anything else is 400.
- A message created in a folder is a draft unless ``PR_MESSAGE_FLAGS`` (``Integer 0x0E07``)
  is set on creation without the unsent bit (8).
"""

from __future__ import annotations

import base64
import copy
import email.parser
import email.policy
import email.utils
import itertools
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import quote

from tests.servers.graph_shapes import check, check_select

__all__ = ["GraphError", "GraphMailbox", "StoredMessage", "odata_unquote"]

_HEADERS = email.parser.BytesHeaderParser(policy=email.policy.compat32)
_MSGID = re.compile(r"<[^<>\s]+>")
_LIT = r"'((?:[^']|'')*)'"
_ANY = re.compile(
    r"singleValueExtendedProperties/any\(\s*(\w+)\s*:\s*\1/id eq " + _LIT + r" and \1/value eq "
    + _LIT + r"\s*\)",
    re.IGNORECASE,
)  # fmt: skip
_MSGID_EQ = re.compile(r"internetMessageId eq " + _LIT)
_RECEIVED_GE = re.compile(r"receivedDateTime ge (\d{4}-\d\d-\d\dT[\d:.]+Z)")
_EXPAND = re.compile(r"singleValueExtendedProperties\(\$filter=id eq " + _LIT + r"\)")
_NAME_EQ = re.compile(r"displayName eq " + _LIT)
WELL_KNOWN = ("inbox", "drafts", "sentitems", "deleteditems", "junkemail", "archive")
_DISPLAY = {
    "inbox": "Inbox",
    "drafts": "Drafts",
    "sentitems": "Sent Items",
    "deleteditems": "Deleted Items",
    "junkemail": "Junk Email",
    "archive": "Archive",
}
ROOT = "AAMkFolderRoot"  # msgfolderroot: the parent of the top-level folders, never listed


class GraphError(Exception):
    """An error answer in Graph's JSON error format."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message}}


def odata_unquote(text: str) -> str:
    return text.replace("''", "'")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class StoredMessage:
    id: str
    folder: str
    props: dict[str, Any]
    mime: bytes | None  # as delivered; None: generated from props
    serial: int
    extended: dict[str, str] = field(default_factory=dict)  # property id (lower) -> value
    headers: list[dict[str, str]] = field(default_factory=list)
    parent: str | None = None  # the message a reply draft answers


class GraphMailbox:
    """One user's mailbox (see the module docstring)."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.lock = threading.RLock()
        self.folders = {f"AAMkFolder{n:04d}{name}": name for n, name in enumerate(WELL_KNOWN)}
        self.names = {v: k for k, v in self.folders.items()}
        self.display = {fid: _DISPLAY[name] for fid, name in self.folders.items()}
        self.parents = {fid: ROOT for fid in self.folders}
        self.messages: dict[str, StoredMessage] = {}
        self.removed: list[tuple[int, str, str]] = []  # (serial, folder, id)
        self.tokens: dict[str, tuple[str, int]] = {}  # delta token -> (folder, serial)
        self._serial = 0
        self._ids = itertools.count(1)
        self._clock = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)

    # ------------------------------------------------------------------ server-side means

    def deliver(self, raw: bytes, folder: str = "inbox") -> str:
        """Mail arriving from outside (not through the API); its Graph id."""
        with self.lock:
            head = _HEADERS.parsebytes(raw)
            received = self._tick()
            stated = head.get("Date")
            if stated:
                try:
                    parsed = email.utils.parsedate_to_datetime(str(stated))
                    if parsed.tzinfo is not None:
                        received = parsed
                except (TypeError, ValueError):
                    pass
            props = {
                "subject": str(head.get("Subject") or ""),
                "internetMessageId": str(head.get("Message-ID") or "").strip() or None,
                "receivedDateTime": _stamp(received),
                "isDraft": False,
                "isRead": False,
                "conversationId": self._conversation(head),
            }
            sender = email.utils.parseaddr(str(head.get("From") or ""))[1]
            if sender:
                props["from"] = {"emailAddress": {"address": sender}}
            return self._add(self.names[folder], props, raw).id

    def save_draft(self, raw: bytes) -> str:
        """The practitioner writes a message in Outlook and saves it as a draft; its id."""
        with self.lock:
            mid = self.deliver(raw, folder="drafts")
            self.messages[mid].props.update(isDraft=True, isRead=True)
            return mid

    def make_folder(self, name: str, parent: str | None = None) -> str:
        """A folder the practitioner makes (top-level, or under ``parent``: a well-known name
        or an id); its id."""
        with self.lock:
            under = ROOT if parent is None else self._folder(parent)
            fid = f"AAMkFolder{next(self._ids):04d}user="
            self.folders[fid] = name
            self.display[fid] = name
            self.parents[fid] = under
            return fid

    def folder_named(self, name: str, parent: str | None = None) -> str:
        """The id of the folder called ``name`` under ``parent`` (top level when None)."""
        with self.lock:
            under = ROOT if parent is None else self._folder(parent)
            for fid, up in self.parents.items():
                if up == under and self.display[fid] == name:
                    return fid
            raise KeyError(name)

    def create_folder(self, body: Any, parent: str | None = None) -> dict[str, Any]:
        """``POST /me/mailFolders`` or ``/mailFolders/{id}/childFolders``: 201 with the folder;
        a sibling of the same name is 409 ``ErrorFolderExists``."""
        problems = check("mailFolder", body, "create")
        if problems:
            raise GraphError(400, "ErrorInvalidProperty", problems[0])
        name = str(body.get("displayName") or "").strip()
        if not name:
            raise GraphError(400, "ErrorInvalidProperty", "displayName is required")
        under = ROOT if parent is None else self._folder(parent)
        if any(
            up == under and self.display[f].lower() == name.lower()
            for f, up in self.parents.items()
        ):
            raise GraphError(
                409, "ErrorFolderExists", "A folder with the specified name already exists."
            )
        fid = self.make_folder(name, parent)
        return self._folder_resource(fid, [])

    def delete_folder(self, folder: str) -> None:
        """The practitioner deletes a folder: Outlook moves it, with what it holds, into
        Deleted Items."""
        with self.lock:
            self.parents[self._folder(folder)] = self.names["deleteditems"]

    def move(self, message_id: str, folder: str, keep: bool = False) -> str:
        """The practitioner moves a message into ``folder`` (a well-known name or an id): it
        leaves its folder (the delta there says ``@removed``) and gets a new id; that id.
        ``keep``: a copy instead, the original left where it is."""
        with self.lock:
            message = self.messages[message_id] if keep else self.messages.pop(message_id)
            if not keep:
                self._serial += 1
                self.removed.append((self._serial, message.folder, message.id))
            self._serial += 1
            moved = copy.deepcopy(message)
            moved.id = f"AAMkMsg{next(self._ids):08d}="
            moved.folder = self._folder(folder)
            moved.serial = self._serial
            moved.props.update(id=moved.id, parentFolderId=moved.folder)
            moved.props["webLink"] = message.props["webLink"].replace(
                quote(message.id, safe=""), quote(moved.id, safe="")
            )
            self.messages[moved.id] = moved
            return moved.id

    def delete(self, message_id: str) -> None:
        with self.lock:
            self._message(message_id)  # 404 ErrorItemNotFound when there is none
            gone = self.messages.pop(message_id)
            self._serial += 1
            self.removed.append((self._serial, gone.folder, gone.id))

    def touch(self, message_id: str) -> None:
        """The user marks a message read: a change delta reports."""
        with self.lock:
            message = self.messages[message_id]
            message.props["isRead"] = True
            self._serial += 1
            message.serial = self._serial

    def expire_delta(self) -> None:
        """Every delta token so far is forgotten: 410 syncStateNotFound."""
        with self.lock:
            self.tokens.clear()

    def in_folder(self, name: str) -> list[StoredMessage]:
        with self.lock:
            fid = self._folder(name)
            return [m for m in self.messages.values() if m.folder == fid]

    def mime(self, message: StoredMessage) -> bytes:
        """``$value``: as delivered, or generated from the properties."""
        if message.mime is not None:
            return message.mime
        msg = EmailMessage(policy=email.policy.SMTP)
        props = message.props
        sender = props.get("from") or {"emailAddress": {"address": self.address}}
        msg["From"] = sender["emailAddress"]["address"]
        for prop, name in (("toRecipients", "To"), ("ccRecipients", "Cc")):
            listed = [r["emailAddress"]["address"] for r in props.get(prop, ())]
            if listed:
                msg[name] = ", ".join(listed)
        msg["Subject"] = props.get("subject", "")
        msg["Message-ID"] = props["internetMessageId"]
        msg["Date"] = email.utils.format_datetime(
            datetime.fromisoformat(props["receivedDateTime"].replace("Z", "+00:00"))
        )
        if message.parent is not None and message.parent in self.messages:
            parent = self.messages[message.parent].props
            if parent.get("internetMessageId"):
                msg["In-Reply-To"] = parent["internetMessageId"]
                msg["References"] = parent["internetMessageId"]
        for header in message.headers:
            msg[header["name"]] = header["value"]
        body = props.get("body") or {"contentType": "text", "content": ""}
        msg.set_content(
            body["content"], subtype="html" if body["contentType"] == "html" else "plain"
        )
        return bytes(msg)

    # ------------------------------------------------------------------ internals

    def _tick(self) -> datetime:
        self._clock += timedelta(seconds=1)
        return self._clock

    def _conversation(self, head: Any) -> str:
        named = _MSGID.findall(f"{head.get('In-Reply-To') or ''} {head.get('References') or ''}")
        for mid in reversed(named):
            for other in self.messages.values():
                if other.props.get("internetMessageId") == mid:
                    return str(other.props["conversationId"])
        return f"AAQkConv{next(self._ids):06d}"

    def _add(self, folder: str, props: dict[str, Any], mime: bytes | None) -> StoredMessage:
        self._serial += 1
        mid = f"AAMkMsg{next(self._ids):08d}="
        stamp = _stamp(self._tick())
        props = {
            "id": mid,
            "createdDateTime": stamp,
            "lastModifiedDateTime": stamp,
            "parentFolderId": folder,
            "receivedDateTime": stamp,
            **props,
        }
        props["id"] = mid
        # Outlook on the web's address of the item, as Graph gives it.
        props["webLink"] = (
            f"https://outlook.office365.com/owa/?ItemID={quote(mid, safe='')}"
            "&exvsurl=1&viewmodel=ReadMessageItem"
        )
        if not props.get("internetMessageId"):
            props["internetMessageId"] = f"<{mid.strip('=')}@local.outlook.example>"
        stored = StoredMessage(mid, folder, props, mime, self._serial)
        self.messages[mid] = stored
        return stored

    def _folder(self, ref: str) -> str:
        if ref.lower() in self.names:
            return self.names[ref.lower()]
        if ref in self.folders:
            return ref
        raise GraphError(404, "ErrorInvalidIdMalformed", "The folder does not exist.")

    def _message(self, mid: str) -> StoredMessage:
        found = self.messages.get(mid)
        if found is None:
            raise GraphError(404, "ErrorItemNotFound", "The specified object was not found.")
        return found

    def resource(
        self, message: StoredMessage, select: list[str] | None, expand: str | None = None
    ) -> dict[str, Any]:
        full = copy.deepcopy(message.props)
        if message.headers:
            full["internetMessageHeaders"] = copy.deepcopy(message.headers)
        keep = ["id", *(select or [])] if select else list(full)
        out = {k: full[k] for k in keep if k in full}
        out["@odata.etag"] = f'W/"{message.serial}"'
        if expand is not None:
            wanted = _EXPAND.fullmatch(expand)
            if wanted is None:
                raise GraphError(400, "BadRequest", f"$expand {expand!r} not served locally")
            pid = odata_unquote(wanted.group(1)).lower()
            out["singleValueExtendedProperties"] = [
                {"id": k, "value": v} for k, v in message.extended.items() if k == pid
            ]
        return out

    def _matches(self, message: StoredMessage, where: str | None) -> bool:
        if not where:
            return True
        found = _ANY.fullmatch(where.strip())
        if found:
            pid, value = odata_unquote(found.group(2)).lower(), odata_unquote(found.group(3))
            return message.extended.get(pid) == value
        found = _MSGID_EQ.fullmatch(where.strip())
        if found:
            return bool(message.props.get("internetMessageId") == odata_unquote(found.group(1)))
        found = _RECEIVED_GE.fullmatch(where.strip())
        if found:
            return bool(message.props["receivedDateTime"] >= found.group(1))
        raise GraphError(400, "BadRequest", "$filter form not served by the local server")

    def _apply(self, message: StoredMessage, body: dict[str, Any]) -> None:
        for name, value in body.items():
            if name == "singleValueExtendedProperties":
                for prop in value:
                    message.extended[str(prop["id"]).lower()] = str(prop["value"])
            elif name == "internetMessageHeaders":
                message.headers = copy.deepcopy(value)
            else:
                message.props[name] = copy.deepcopy(value)
        self._serial += 1
        message.serial = self._serial
        message.props["lastModifiedDateTime"] = _stamp(self._tick())

    # ------------------------------------------------------------------ API calls

    def list_folders(self, query: dict[str, str], parent: str | None = None) -> dict[str, Any]:
        """``/me/mailFolders`` (the top-level folders) or ``/mailFolders/{parent}/childFolders``."""
        select = [s for s in query.get("$select", "").split(",") if s]
        problems = check_select("mailFolder", select)
        if problems:
            raise GraphError(400, "BadRequest", problems[0])
        under = ROOT if parent is None else self._folder(parent)
        chosen = [fid for fid, up in self.parents.items() if up == under]
        where = query.get("$filter")
        if where is not None:
            found = _NAME_EQ.fullmatch(where.strip())
            if found is None:
                raise GraphError(400, "BadRequest", "$filter form not served by the local server")
            chosen = [fid for fid in chosen if self.display[fid] == odata_unquote(found.group(1))]
        top = int(query.get("$top") or 10)
        skip = int(query.get("$skip") or 0)
        out: dict[str, Any] = {
            "value": [self._folder_resource(fid, select) for fid in chosen[skip : skip + top]]
        }
        if skip + top < len(chosen):
            out["@odata.nextLink"] = ("$skip", str(skip + top))
        return out

    def _folder_resource(self, fid: str, select: list[str]) -> dict[str, Any]:
        held = [m for m in self.messages.values() if m.folder == fid]
        full = {
            "id": fid,
            "displayName": self.display[fid],
            "parentFolderId": self.parents[fid],
            "childFolderCount": sum(1 for up in self.parents.values() if up == fid),
            "unreadItemCount": sum(1 for m in held if not m.props.get("isRead")),
            "totalItemCount": len(held),
            "isHidden": False,
        }
        keep = ["id", *select] if select else list(full)
        return {k: full[k] for k in keep if k in full}

    def list_messages(self, folder: str | None, query: dict[str, str]) -> dict[str, Any]:
        select = [s for s in query.get("$select", "").split(",") if s]
        problems = check_select("message", select)
        if problems:
            raise GraphError(400, "BadRequest", problems[0])
        fid = self._folder(folder) if folder else None
        chosen = [
            m
            for m in self.messages.values()
            if (fid is None or m.folder == fid) and self._matches(m, query.get("$filter"))
        ]
        order = query.get("$orderby", "")
        if order not in ("", "receivedDateTime asc", "receivedDateTime desc"):
            raise GraphError(400, "BadRequest", "$orderby not served by the local server")
        chosen.sort(
            key=lambda m: (m.props["receivedDateTime"], m.id), reverse="desc" in order or not order
        )
        top = int(query.get("$top") or 10)
        skip = int(query.get("$skip") or 0)
        page = chosen[skip : skip + top]
        out: dict[str, Any] = {
            "value": [self.resource(m, select, query.get("$expand")) for m in page]
        }
        if skip + top < len(chosen):
            out["@odata.nextLink"] = ("$skip", str(skip + top))
        return out

    def delta(self, folder: str, query: dict[str, str], page_size: int) -> dict[str, Any]:
        fid = self._folder(folder)
        select = [s for s in query.get("$select", "").split(",") if s]
        problems = check_select("message", select)
        if problems:
            raise GraphError(400, "BadRequest", problems[0])
        if "$filter" in query or "$orderby" in query:
            raise GraphError(400, "BadRequest", "delta here honours $select and $top only")
        since, offset = 0, 0
        if "$deltatoken" in query or "$skiptoken" in query:
            token = query.get("$deltatoken") or query["$skiptoken"]
            if token not in self.tokens or self.tokens[token][0] != fid:
                raise GraphError(410, "SyncStateNotFound", "The sync state is not found.")
            since = self.tokens[token][1]
            if "$skiptoken" in query:
                since, offset = self.tokens[token][1], int(token.rsplit("-", 1)[1])
        snapshot = self._serial
        changed = sorted(
            (m for m in self.messages.values() if m.folder == fid and m.serial > since),
            key=lambda m: (m.props["receivedDateTime"], m.id),
            reverse=True,  # newest first, as Outlook's delta gives them
        )
        gone = [mid for serial, f, mid in self.removed if f == fid and serial > since]
        items: list[dict[str, Any]] = [self.resource(m, select) for m in changed]
        items.extend({"id": mid, "@removed": {"reason": "deleted"}} for mid in gone)
        page = items[offset : offset + page_size]
        out: dict[str, Any] = {"value": page}
        if offset + page_size < len(items):
            token = f"skip{next(self._ids)}-{offset + page_size}"
            self.tokens[token] = (fid, since)
            out["@odata.nextLink"] = ("$skiptoken", token)
        else:
            token = f"delta{next(self._ids)}"
            self.tokens[token] = (fid, snapshot)
            out["@odata.deltaLink"] = ("$deltatoken", token)
        return out

    def get(self, mid: str, query: dict[str, str]) -> dict[str, Any]:
        select = [s for s in query.get("$select", "").split(",") if s]
        return self.resource(self._message(mid), select, query.get("$expand"))

    def value(self, mid: str) -> bytes:
        return self.mime(self._message(mid))

    def create(self, folder: str, body: Any) -> dict[str, Any]:
        problems = check("message", body, "create")
        if problems:
            raise GraphError(400, "ErrorInvalidProperty", problems[0])
        fid = self._folder(folder)
        props: dict[str, Any] = {
            "isDraft": True,
            "isRead": True,
            "conversationId": f"AAQkConv{next(self._ids):06d}",
        }
        stored = self._add(fid, props, None)
        self._apply(stored, body)
        flags = stored.extended.get("integer 0x0e07")
        if flags is not None and not int(flags) & 8:
            stored.props["isDraft"] = False
        return self.resource(stored, None)

    def create_mime(self, body: bytes) -> dict[str, Any]:
        """``POST /me/messages`` with a base64 MIME body: a draft in Drafts, kept as sent."""
        try:
            raw = base64.b64decode(body, validate=True)
        except ValueError:
            raise GraphError(
                400,
                "ErrorMimeContentInvalidBase64String",
                "Invalid base64 string for MIME content.",
            ) from None
        head = _HEADERS.parsebytes(raw)
        if not head.keys():
            raise GraphError(400, "ErrorMimeContentInvalid", "The MIME content is invalid.")
        props: dict[str, Any] = {
            "isDraft": True,
            "isRead": True,
            "subject": str(head.get("Subject") or ""),
            "internetMessageId": str(head.get("Message-ID") or "").strip() or None,
            "conversationId": self._conversation(head),
        }
        to = email.utils.getaddresses([str(v) for v in head.get_all("To") or ()])
        props["toRecipients"] = [{"emailAddress": {"address": a}} for _, a in to if a]
        return self.resource(self._add(self.names["drafts"], props, raw), None)

    def create_reply(self, mid: str, body: Any) -> dict[str, Any]:
        original = self._message(mid)
        if body is not None and (not isinstance(body, dict) or set(body) - {"message", "comment"}):
            raise GraphError(400, "BadRequest", "createReply takes message and comment only")
        given = (body or {}).get("message") or {}
        problems = check("message", given, "create")
        if problems:
            raise GraphError(400, "ErrorInvalidProperty", problems[0])
        props: dict[str, Any] = {
            "isDraft": True,
            "isRead": True,
            "subject": "RE: " + str(original.props.get("subject", "")),
            "conversationId": original.props["conversationId"],
            "body": {
                "contentType": "html",
                "content": "<html><body>(quoted original)</body></html>",
            },
        }
        sender = original.props.get("from")
        if sender:
            props["toRecipients"] = [copy.deepcopy(sender)]
        stored = self._add(self.names["drafts"], props, None)
        stored.parent = original.id
        self._apply(stored, given)
        return self.resource(stored, None)

    def update(self, mid: str, body: Any) -> dict[str, Any]:
        message = self._message(mid)
        problems = check("message", body, "update")
        if problems:
            raise GraphError(400, "ErrorInvalidProperty", problems[0])
        if message.mime is not None and {"body", "subject", "toRecipients"} & set(body):
            # Exchange writes the MIME of an edited item afresh from its properties.
            head = _HEADERS.parsebytes(message.mime)
            to = email.utils.getaddresses([str(v) for v in head.get_all("To") or ()])
            message.props.setdefault(
                "toRecipients", [{"emailAddress": {"address": a}} for _, a in to if a]
            )
            message.mime = None
        self._apply(message, body)
        return self.resource(message, None)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
