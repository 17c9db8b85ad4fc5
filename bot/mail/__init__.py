"""Mail in: a received message parsed once, its header fields decoded, the invitations it carries.

Owns ``Message`` (``message``), parsing it from its MIME tree (``mime``) and header decoding
(``headers``). Everything downstream (rules, matching, drafting, features) reads a
``Message``; nothing here knows about rules, cases or connectors.

May import: ``bot.errors`` only.
"""
