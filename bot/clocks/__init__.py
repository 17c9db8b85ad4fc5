"""Deadline clocks: how long someone has, counted from which event, in which calendar.

Owns the clock model and date arithmetic (``clocks``), working-day calendars
(``calendars``), reading and layering clock files (``files``), the deadlines one classified
message sets, each clock weighed against the limit the notice states (``deadlines``), and the
act-by date of a message (``act_by``).

May import: ``bot.rules`` (schema and classification results), ``bot.errors``.
"""
