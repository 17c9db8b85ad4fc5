"""Classification: rule packs (``rules/*.yaml`` and a practice's own), parties, stated dates.

Owns the rule pack schema (``schema``), the engine that loads packs and classifies a
``Message`` (``engine``), the party directories (``parties``), dates a message states
(``stated_dates``), line-numbered YAML reading (``yaml_source``) and ``chief rules check``
(``check``). A broken pack is reported with ``file:line`` and skipped; the others still load.
Behind the rules, the learned model: its features and shipped weights (``learned``), how its
guess and the rules' answer are weighed (``second_opinion``), the ``Classification`` both
produce (``classification``); and the shape a case reference must have (``references``).

May import: ``bot.mail``, ``bot.letters`` (template names a rule refers to), ``bot.clocks``
(``check`` only), ``bot.errors``, ``bot.resources``.
"""
