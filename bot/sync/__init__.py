"""One pass over a practice's mail and calendar, and the loops that run it unattended.

Owns the runtime (``runtime``: everything one practice's run needs), the pipeline
(``pipeline``), filing a message to a case (``matching``), planning actions (``planning``),
applying them exactly once (``effects``, ``calendar_payload``; ``revising``: a draft
replaced by its new version), a failed write tried again on
later passes (``retries``, ``redrafting``, ``failed_writes``), the per-practice lock
(``locking``), the jobs (``tasks``), ``chief run`` (``scheduler``) and ``chief worker``
(``worker``).

May import: the core (``bot.mail``, ``bot.letters``, ``bot.rules``, ``bot.clocks``,
``bot.register``, ``bot.store``), ``bot.features`` (the pipeline runs their steps) and
``connectors`` through their registry.
"""
