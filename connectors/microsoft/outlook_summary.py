"""Delivering the daily summary into the practitioner's own Outlook Inbox, once per key.

The summary is put into the Inbox as a received message, not sent: ``PR_MESSAGE_FLAGS`` is set
on creation (:data:`~connectors.microsoft.outlook_items.MESSAGE_FLAGS`), so it is no draft,
and it is unread. The caller has checked that it is addressed to the practitioner alone
(:func:`connectors.recipients.require_practitioner_only`) before calling
:func:`deliver_summary`; it is found again by its key rather than put there twice. No
``send`` or ``sendMail`` call exists here.
"""

from __future__ import annotations

from bot.keys import with_key_header
from bot.mail.message import GENERATED_HEADER, KEY_HEADER
from connectors.microsoft.graph import GraphClient, GraphRequest
from connectors.microsoft.outlook_items import (
    KEY_PROPERTY,
    MESSAGE_FLAGS,
    PARSER,
    STATE_PROPERTY,
    item_body,
    lookup,
    recheck_by_key,
)

__all__ = ["deliver_summary"]


def deliver_summary(client: GraphClient, raw: bytes, key: str, own: str) -> str:
    """Put ``raw`` (checked: to ``own``, the practitioner, alone) into the Inbox, unread,
    once per ``key``; its Graph id."""
    found = lookup(client, key, "/me/mailFolders/inbox/messages")
    if found is not None:
        return found[0]
    parsed = PARSER.parsebytes(with_key_header(raw, key))
    body = {
        "subject": str(parsed.get("Subject") or ""),
        "body": item_body(parsed, ("html", "plain")),
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
    made = client.call(
        GraphRequest("POST", "/me/mailFolders/inbox/messages", body),
        "delivering the summary",
        recheck=lambda: recheck_by_key(client, key),
    )
    return str(made["id"])
