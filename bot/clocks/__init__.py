"""Deadline clocks: how long someone has, counted from which event, in which calendar.

Owns the clock model and date arithmetic (``clocks``), reading and layering clock files
(``files``) and the act-by date of a classified message (``act_by``).

May import: ``bot.rules`` (schema and classification results), ``bot.errors``.
"""
