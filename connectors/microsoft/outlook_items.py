"""What marks the items chief writes into an Outlook mailbox, and finding them again by key.

Each draft and summary carries its IDEMPOTENCY KEY in a single-value extended property
(``String {GUID} Name chiefKey``, :data:`KEY_PROPERTY`) and a second property set to
``complete`` once it is written whole (:data:`STATE_PROPERTY`). :func:`lookup` finds an item by
key with ``$filter`` on the property (OData string literals quoted by :func:`odata_quote`), so
a draft or summary made before a crash is found, never made twice. :func:`item_body` turns a
MIME message's preferred text part into Graph's ``itemBody``.
"""

from __future__ import annotations

import email.parser
import email.policy
import logging
from email.message import EmailMessage
from typing import Any

from bot.keys import key_hash
from connectors.microsoft.graph import GraphClient, GraphRequest

__all__ = [
    "KEY_PROPERTY",
    "MESSAGE_FLAGS",
    "PARSER",
    "STATE_PROPERTY",
    "item_body",
    "lookup",
    "odata_quote",
    "recheck_by_key",
]

log = logging.getLogger(__name__)

_GUID = "{6d3c8a51-2f0e-4c1b-9a57-3e8f0c2b7d14}"  # this project's property set
KEY_PROPERTY = f"String {_GUID} Name chiefKey"
STATE_PROPERTY = f"String {_GUID} Name chiefState"
MESSAGE_FLAGS = "Integer 0x0E07"  # PR_MESSAGE_FLAGS: set on creation, the item is no draft
PARSER = email.parser.BytesParser(policy=email.policy.default)


def odata_quote(value: str) -> str:
    """A string literal for ``$filter`` (single quotes doubled, OData 4.01 ABNF)."""
    return "'" + value.replace("'", "''") + "'"


def _has_key(key: str) -> str:
    return (
        f"singleValueExtendedProperties/any(ep: ep/id eq {odata_quote(KEY_PROPERTY)} "
        f"and ep/value eq {odata_quote(key)})"
    )


def lookup(client: GraphClient, key: str, where: str = "/me/messages") -> tuple[str, bool] | None:
    """(id, complete) of the item carrying ``key``, or None."""
    query = (
        f"$filter={_has_key(key)}&$select=id,isDraft"
        f"&$expand=singleValueExtendedProperties($filter=id eq {odata_quote(STATE_PROPERTY)})"
        "&$top=2"
    )
    page = client.call(GraphRequest("GET", f"{where}?{query}"), "looking up a draft")
    items = page.get("value", ())
    if not items:
        return None
    if len(items) > 1:
        log.warning("outlook: key %s is on %d items", key_hash(key), len(items))
    item = items[0]
    state = [
        p.get("value")
        for p in item.get("singleValueExtendedProperties", ())
        if str(p.get("id", "")).lower() == STATE_PROPERTY.lower()
    ]
    return str(item["id"]), "complete" in state


def recheck_by_key(client: GraphClient, key: str) -> dict[str, Any] | None:
    """After a request whose answer was lost: the item it made (``{"id": ...}``), or None."""
    found = lookup(client, key)
    return {"id": found[0]} if found else None


def item_body(parsed: EmailMessage, order: tuple[str, ...]) -> dict[str, str]:
    """The itemBody for ``parsed``: its preferred text part."""
    part = parsed.get_body(preferencelist=order)
    if part is None:
        return {"contentType": "text", "content": ""}
    text = part.get_content() if hasattr(part, "get_content") else ""
    kind = "html" if part.get_content_subtype() == "html" else "text"
    return {"contentType": kind, "content": str(text).replace("\r\n", "\n")}
