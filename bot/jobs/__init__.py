"""What runs: the catalogue of steps and jobs, and the two runners that run them unattended.

Owns the catalogue (``catalogue``: every per-message step, practice pass and job, each named
once), ``chief run``'s scheduler (``scheduler``), a worker's jobs for one practice (``tasks``)
and ``chief worker`` (``worker``, its queue in ``queue``). ``chief sync``, ``chief run`` and
``chief worker`` all take their work from the catalogue.

May import: everything below it (the core, ``bot.sync``, ``bot.features``, ``bot.summary``);
only ``bot.cli`` imports it.
"""
