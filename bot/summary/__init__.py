"""The daily summary: gathered from the case log, rendered as text and HTML, delivered to the
practitioner alone.

Owns the job (``job``), rendering (``render``), its charts, palette, links and patient-name
privacy, and ``chief cases show`` (``case_detail``).

May import: the core, ``bot.features`` (what each duty contributes) and ``bot.sync.runtime``.
"""
