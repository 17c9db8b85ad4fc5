"""The Microsoft Graph v1.0 resource shapes the local Graph server accepts and returns, in one
place (from the v1.0 reference pages of ``message``, ``event``, ``mailFolder``, ``recipient``,
``itemBody``, ``dateTimeTimeZone``, ``internetMessageHeader``,
``singleValueLegacyExtendedProperty`` and JSON batching).

Each request body is checked against the writable properties of its resource, each response
against the resource's properties: a request the real Graph would refuse is answered 400 and
recorded as a problem, a response it could not give is recorded too, so a test fails on both.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["check", "check_select", "PROPERTIES"]

# resource -> every property Graph returns
PROPERTIES: dict[str, frozenset[str]] = {
    "message": frozenset(
        {
            "id",
            "createdDateTime",
            "lastModifiedDateTime",
            "changeKey",
            "categories",
            "receivedDateTime",
            "sentDateTime",
            "hasAttachments",
            "internetMessageId",
            "subject",
            "bodyPreview",
            "importance",
            "parentFolderId",
            "conversationId",
            "conversationIndex",
            "isDeliveryReceiptRequested",
            "isReadReceiptRequested",
            "isRead",
            "isDraft",
            "webLink",
            "inferenceClassification",
            "body",
            "uniqueBody",
            "sender",
            "from",
            "toRecipients",
            "ccRecipients",
            "bccRecipients",
            "replyTo",
            "flag",
            "internetMessageHeaders",
            "singleValueExtendedProperties",
            "multiValueExtendedProperties",
            "attachments",
            "extensions",
        }
    ),  # fmt: skip
    "event": frozenset(
        {
            "id",
            "createdDateTime",
            "lastModifiedDateTime",
            "changeKey",
            "categories",
            "transactionId",
            "originalStartTimeZone",
            "originalEndTimeZone",
            "iCalUId",
            "uid",
            "reminderMinutesBeforeStart",
            "isReminderOn",
            "hasAttachments",
            "subject",
            "bodyPreview",
            "importance",
            "sensitivity",
            "isAllDay",
            "isCancelled",
            "isOrganizer",
            "responseRequested",
            "seriesMasterId",
            "showAs",
            "type",
            "webLink",
            "onlineMeetingUrl",
            "isOnlineMeeting",
            "allowNewTimeProposals",
            "isDraft",
            "hideAttendees",
            "responseStatus",
            "body",
            "start",
            "end",
            "location",
            "locations",
            "recurrence",
            "attendees",
            "organizer",
            "onlineMeeting",
            "singleValueExtendedProperties",
            "multiValueExtendedProperties",
        }
    ),  # fmt: skip
    "mailFolder": frozenset(
        {
            "id",
            "displayName",
            "parentFolderId",
            "childFolderCount",
            "unreadItemCount",
            "totalItemCount",
            "isHidden",
        }
    ),  # fmt: skip
    "user": frozenset({"id", "displayName", "mail", "userPrincipalName"}),
}

# resource -> properties a client may set on create / update
WRITABLE: dict[str, frozenset[str]] = {
    "message": frozenset(
        {
            "subject",
            "body",
            "from",
            "sender",
            "toRecipients",
            "ccRecipients",
            "bccRecipients",
            "replyTo",
            "importance",
            "isRead",
            "categories",
            "flag",
            "isDeliveryReceiptRequested",
            "isReadReceiptRequested",
            "internetMessageHeaders",
            "singleValueExtendedProperties",
            "multiValueExtendedProperties",
            "inferenceClassification",
        }
    ),  # fmt: skip
    "event": frozenset(
        {
            "subject",
            "body",
            "start",
            "end",
            "location",
            "locations",
            "isAllDay",
            "reminderMinutesBeforeStart",
            "isReminderOn",
            "categories",
            "showAs",
            "sensitivity",
            "importance",
            "recurrence",
            "attendees",
            "transactionId",
            "singleValueExtendedProperties",
            "isOnlineMeeting",
            "responseRequested",
        }
    ),  # fmt: skip
    "mailFolder": frozenset({"displayName", "isHidden"}),
}

# Properties that may be set on create only (internetMessageHeaders: "can only be set when
# creating the message"; transactionId on POST).
CREATE_ONLY = frozenset({"internetMessageHeaders", "transactionId"})

_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?")
_PROPERTY_ID = re.compile(
    r"(String|Integer|Boolean|SystemTime|Binary)\s+"
    r"(\{[0-9a-fA-F-]{36}\}\s+Name\s+\S+|0x[0-9A-Fa-f]{4})",
    re.IGNORECASE,
)


def _recipient(value: Any, where: str) -> list[str]:
    if not isinstance(value, dict) or set(value) - {"emailAddress"}:
        return [f"{where}: a recipient is {{emailAddress: {{name, address}}}}"]
    inner = value.get("emailAddress")
    if not isinstance(inner, dict) or set(inner) - {"name", "address"}:
        return [f"{where}: emailAddress has name and address only"]
    if not all(isinstance(v, str) for v in inner.values()):
        return [f"{where}: emailAddress values are strings"]
    return []


def _complex(name: str, value: Any, where: str) -> list[str]:
    """Shape of one property value."""
    at = f"{where}.{name}"
    if name in ("from", "sender"):
        return _recipient(value, at)
    if name in ("toRecipients", "ccRecipients", "bccRecipients", "replyTo", "attendees"):
        if not isinstance(value, list):
            return [f"{at}: a collection"]
        return [p for item in value for p in _recipient(item, at) if name != "attendees"]
    if name in ("body", "uniqueBody"):
        if (
            not isinstance(value, dict)
            or set(value) - {"contentType", "content"}
            or value.get("contentType") not in ("text", "html")
            or not isinstance(value.get("content", ""), str)
        ):
            return [f"{at}: itemBody is {{contentType: text|html, content}}"]
        return []
    if name in ("start", "end"):
        if (
            not isinstance(value, dict)
            or set(value) != {"dateTime", "timeZone"}
            or not _DATE_TIME.fullmatch(str(value.get("dateTime")))
            or not isinstance(value.get("timeZone"), str)
        ):
            return [f"{at}: dateTimeTimeZone is {{dateTime (no offset), timeZone}}"]
        return []
    if name == "internetMessageHeaders":
        if not isinstance(value, list):
            return [f"{at}: a collection"]
        out = []
        for header in value:
            if not isinstance(header, dict) or set(header) != {"name", "value"}:
                out.append(f"{at}: internetMessageHeader is {{name, value}}")
            elif not str(header["name"]).lower().startswith("x-"):
                out.append(f"{at}: only custom x- headers can be set")
        return out
    if name in ("singleValueExtendedProperties",):
        if not isinstance(value, list):
            return [f"{at}: a collection"]
        out = []
        for prop in value:
            if not isinstance(prop, dict) or set(prop) != {"id", "value"}:
                out.append(f"{at}: singleValueLegacyExtendedProperty is {{id, value}}")
            elif not _PROPERTY_ID.fullmatch(str(prop["id"])) or not isinstance(prop["value"], str):
                out.append(f"{at}: malformed extended property id or non-string value")
        return out
    if name == "location":
        if not isinstance(value, dict) or not isinstance(value.get("displayName", ""), str):
            return [f"{at}: location is {{displayName, ...}}"]
        return []
    if name == "categories":
        ok = isinstance(value, list) and all(isinstance(c, str) for c in value)
        return [] if ok else [f"{at}: a collection of strings"]
    if name == "reminderMinutesBeforeStart":
        return [] if isinstance(value, int) and value >= 0 else [f"{at}: a non-negative Int32"]
    if name in ("isRead", "isAllDay", "isReminderOn", "isDraft"):
        return [] if isinstance(value, bool) else [f"{at}: a Boolean"]
    if name in ("subject", "transactionId"):
        return [] if isinstance(value, str) else [f"{at}: a String"]
    return []


def check(resource: str, body: Any, mode: str) -> list[str]:
    """Problems with ``body`` as a ``resource`` for ``mode`` (``create``, ``update`` or
    ``response``)."""
    if not isinstance(body, dict):
        return [f"{resource} {mode}: not a JSON object"]
    allowed = PROPERTIES[resource] if mode == "response" else WRITABLE[resource]
    problems = []
    for name, value in body.items():
        if name.startswith("@odata."):
            if mode != "response":
                problems.append(f"{resource} {mode}: {name} is not writable")
            continue
        if name not in allowed:
            problems.append(f"{resource} {mode}: property {name!r} is not {mode}-able")
            continue
        if mode == "update" and name in CREATE_ONLY:
            problems.append(f"{resource} update: {name} can only be set on creation")
        if name in ("@removed",):
            continue
        problems.extend(_complex(name, value, f"{resource} {mode}"))
    return problems


def check_select(resource: str, fields: list[str]) -> list[str]:
    unknown = [f for f in fields if f not in PROPERTIES[resource]]
    return [f"$select on {resource}: unknown {', '.join(unknown)}"] if unknown else []
