"""Mail in: a received message parsed once, its header fields decoded, the invitations it carries.

Owns ``Message`` (``message``), header decoding (``headers``) and iTIP invitations found in mail
(``invitations``). Everything downstream (rules, matching, drafting, features) reads a
``Message``; nothing here knows about rules, cases or connectors.

May import: ``bot.errors`` only.
"""
