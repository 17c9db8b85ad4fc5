"""Calendar entries chief plans: invitations found in mail (iTIP, RFC 5546) turned into
entries (``invitations``), and an entry as a journal payload, so a planned entry can be stored
in the case log and replayed after a crash (``payload``).

May import: ``bot.mail``, ``connectors.base`` (the ``CalendarEntry`` every calendar connector
writes), ``bot.errors``.
"""
