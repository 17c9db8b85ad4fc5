"""Connectors: one module per mail or calendar provider, behind the Protocols of ``base``.

The registry maps the name used in ``chief.toml`` (``[mail] connector = "maildir"``) to
``"module:Class"``; modules are imported lazily so an unused provider's libraries never load.
What every provider keeps, and the optional capabilities, are the Protocols of ``base``; the
shared helpers include the one calendar upsert (``calendar_upsert``), the bounded parser
(``parsing``), the guard every calendar reader builds events in (``broken_events``), the
Message-ID rewrite of uploads found again by key (``headers``) and whom a TLS connection
trusts (``tls``: the ``ca_file`` every TLS connector takes).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

__all__ = ["CALENDAR_CONNECTORS", "MAIL_CONNECTORS", "SENDERS", "load_connector"]

MAIL_CONNECTORS: dict[str, str] = {
    "maildir": "connectors.maildir.connector:MaildirConnector",
    "imap": "connectors.imap.connector:ImapConnector",
    "gmail": "connectors.google.gmail:GmailConnector",
    "outlook": "connectors.microsoft.outlook:OutlookConnector",
}
CALENDAR_CONNECTORS: dict[str, str] = {
    "ics": "connectors.ical.ics:IcsCalendar",
    "caldav": "connectors.ical.caldav:CaldavCalendar",
    "google_calendar": "connectors.google.calendar:GoogleCalendar",
    "outlook_calendar": "connectors.microsoft.calendar:OutlookCalendar",
}
# The daily summary normally goes into the practitioner's own inbox through the mail
# connector; `[summary] via = "smtp"` sends it with one of these instead (to them alone).
SENDERS: dict[str, str] = {
    "smtp": "connectors.smtp:SmtpSender",
}


def load_connector(kind: str, name: str) -> Callable[..., object]:
    """The connector class registered as ``name`` for ``kind`` ("mail", "calendar", "smtp");
    what it can do is asked of what it builds (the Protocols of :mod:`connectors.base`)."""
    registry = {"mail": MAIL_CONNECTORS, "calendar": CALENDAR_CONNECTORS, "smtp": SENDERS}[kind]
    try:
        target = registry[name]
    except KeyError:
        known = ", ".join(sorted(registry))
        from bot.errors import UserError

        raise UserError(f"unknown {kind} connector `{name}` in [{kind}]; known: {known}") from None
    module_name, _, attr = target.partition(":")
    found: Callable[..., object] = getattr(importlib.import_module(module_name), attr)
    return found
