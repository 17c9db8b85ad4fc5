"""Microsoft 365 and Outlook.com: mail and calendar through Microsoft Graph, signed in with msal.

Owns the two connectors (``outlook``: ``OutlookConnector``; ``calendar``: ``OutlookCalendar``),
the device-code and browser sign-in and token cache (``auth``) and the Graph client with its
$batch, delta queries and error translation (``graph``). The Outlook connector delegates to
reading with delta queries (``outlook_reading``), drafts threaded with createReply
(``outlook_drafts``) and the summary's delivery into the practitioner's own Inbox
(``outlook_summary``), which find what they wrote by the key properties of ``outlook_items``.

May import: ``connectors`` (base and shared helpers), ``connectors.ical``, ``bot.mail``,
``bot.errors``, ``bot.keyring_store``.
"""
