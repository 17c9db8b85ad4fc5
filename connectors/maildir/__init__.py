"""Maildir++ on local disk: the embedded default mailbox (no account, no server).

Owns the connector (``connector``: ``MaildirConnector``, registered as ``maildir``), the tree
on disk and safe file reading (``files``), incremental read-only reading with a ctime cursor
(``reading``: watched folders, sent mail and correction folders alike) and writing drafts and
the summary exactly once per idempotency key (``writing``).

May import: ``connectors`` (base and shared helpers), ``bot.mail``, ``bot.errors``, ``bot.keys``.
"""

from __future__ import annotations

from connectors.maildir.connector import MaildirConnector

__all__ = ["MaildirConnector"]
