"""Connectors: one module per mail or calendar provider, behind the Protocols of ``base``.

The registry maps the name used in ``chief.toml`` (``[mail] connector = "maildir"``) to
``"module:Class"``; modules are imported lazily so an unused provider's libraries never load.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["MAIL_CONNECTORS", "CALENDAR_CONNECTORS", "load_connector"]

MAIL_CONNECTORS: dict[str, str] = {
    "maildir": "connectors.maildir:MaildirConnector",
}
CALENDAR_CONNECTORS: dict[str, str] = {
    "ics": "connectors.ics:IcsCalendar",
}


def load_connector(kind: str, name: str) -> Any:
    """Return the connector class registered as ``name`` for ``kind`` ("mail" or "calendar")."""
    registry = MAIL_CONNECTORS if kind == "mail" else CALENDAR_CONNECTORS
    try:
        target = registry[name]
    except KeyError:
        known = ", ".join(sorted(registry))
        from bot.errors import UserError

        raise UserError(f"unknown {kind} connector `{name}` in [{kind}]; known: {known}") from None
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)
