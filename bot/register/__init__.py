"""The practice's register (``register.yaml``): credentials, CME requirements and protocols.

Owns reading the register (``register``), credential renewal reminders (``credentials``) and
protocol review reminders (``protocols``). Pure data and dates: no case log, no connectors.

May import: ``bot.rules.yaml_source``, ``bot.errors``.
"""
