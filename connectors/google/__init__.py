"""Google: Gmail and Google Calendar through google-api-python-client.

Owns the two connectors (``gmail``: ``GmailConnector``; ``calendar``: ``GoogleCalendar``),
the OAuth sign-in and token storage (``auth``) and the API client with its batching and retries
(``client``). The Gmail connector delegates to reading with a historyId cursor
(``gmail_reading``), the category labels (``gmail_labels``), drafts threaded in their
conversation (``gmail_drafts``) and the summary's delivery into the practitioner's own INBOX
(``gmail_summary``).

May import: ``connectors`` (base and shared helpers), ``connectors.ical`` (VEVENT text for
invitations), ``bot.mail``, ``bot.rules`` (category names for labels), ``bot.errors``,
``bot.keyring_store``.
"""
