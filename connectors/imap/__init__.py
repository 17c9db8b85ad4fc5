"""Any IMAP server (RFC 3501, RFC 9051) through imapclient.

Owns the connector (``connector``: ``ImapConnector``, registered as ``imap``), the
connection and its TLS and sign-in (``connection``, ``session``), the sync cursor with
UIDVALIDITY, UIDNEXT and CONDSTORE (``cursor``), reading what FETCH returns (``fetch_parser``,
``parse``, ``structure``) and APPEND of drafts and the summary (``append``).

May import: ``connectors`` (base and shared helpers), ``bot.mail``, ``bot.errors``.
"""
