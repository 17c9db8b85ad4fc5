"""Delivering the daily summary into the practitioner's own Gmail INBOX, once per key.

The summary is put into INBOX, unread, with ``users.messages.insert`` (``gmail.insert``: a
delivery into the practitioner's own mailbox, not a send; ``internalDateSource=dateHeader``).
Its Message-ID is derived from the IDEMPOTENCY KEY, so it is found again (``rfc822msgid:``)
rather than inserted twice. The caller has checked that it is addressed to the practitioner
alone (:func:`connectors.recipients.require_practitioner_only`) before calling
:func:`insert_summary`; ``messages.send`` is never called.
"""

from __future__ import annotations

import hashlib

from bot.keys import with_key_header
from connectors.google.client import GoogleClient
from connectors.google.gmail_drafts import encode_raw
from connectors.headers import with_message_id

__all__ = ["INBOX", "insert_summary"]

INBOX = "INBOX"


def insert_summary(client: GoogleClient, raw: bytes, key: str) -> str:
    """Insert ``raw`` (checked: to the practitioner alone) into INBOX, unread, once per
    ``key``; the Gmail message id."""
    message_id = f"summary-{hashlib.sha256(key.encode()).hexdigest()[:32]}@practice-chief"
    raw = with_message_id(with_key_header(raw, key), f"<{message_id}>")
    page = client.call(
        lambda s: (
            s.users()
            .messages()
            .list(userId="me", q=f"rfc822msgid:{message_id}", maxResults=1, includeSpamTrash=True)
        ),
        "looking for the summary",
    )
    if page.get("messages"):
        return str(page["messages"][0]["id"])
    inserted = client.call(
        lambda s: (
            s.users()
            .messages()
            .insert(
                userId="me",
                internalDateSource="dateHeader",
                body={"raw": encode_raw(raw), "labelIds": [INBOX, "UNREAD"]},
            )
        ),
        "delivering the summary",
    )
    return str(inserted["id"])
