"""Any IMAP server (RFC 3501, RFC 9051) through imapclient.

Owns the connector (``connector``: ``ImapConnector``, registered as ``imap``), the
connection and its TLS and sign-in (``connection``, ``session``, with the server's failures
put into words in ``translation``), the sync cursor with UIDVALIDITY, UIDNEXT and CONDSTORE
(``cursor``), reading folders incrementally (``reading``: watched, sent and correction folders
alike, found by ``folders``), reading what FETCH returns (``fetch_parser``, ``parse``,
``structure``) and APPEND of drafts and the summary (``append``).

May import: ``connectors`` (base and shared helpers), ``bot.mail``, ``bot.errors``.
"""
