"""iCalendar calendars: an ``.ics`` file (the embedded default) and CalDAV servers (RFC 4791).

Owns the ``ics`` and ``caldav`` connectors, the CalDAV requests the library leaves out
(``caldav_protocol``), and what both share: one VEVENT per entry (``vevent``), recurrence
expansion (``recurrence``) and text escaping (``text``). Both write through the one upsert
every calendar connector shares (:mod:`connectors.calendar_upsert`).

May import: ``connectors`` (base and shared helpers), ``bot.errors``, ``bot.file_safety``.
"""
