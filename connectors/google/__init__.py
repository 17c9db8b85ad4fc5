"""Google: Gmail and Google Calendar through google-api-python-client.

Owns the two connectors (``gmail``: ``GmailConnector``; ``calendar``: ``GoogleCalendar``),
the OAuth sign-in and token storage (``auth``) and the API client with its batching and retries
(``client``).

May import: ``connectors`` (base and shared helpers), ``connectors.ical`` (VEVENT text for
invitations), ``bot.mail``, ``bot.rules`` (category names for labels), ``bot.errors``,
``bot.keyring_store``.
"""
