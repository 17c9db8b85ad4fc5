"""The case log: tables, migrations, opening the database, and what guards the data in it.

Owns the SQLAlchemy models (``models``) and their Alembic migrations (``migrations``), opening
SQLite or PostgreSQL (``database``), at-rest encryption (``crypto``, ``keyring_store``),
patient pseudonyms (``pseudonyms``), short case ids (``case_ids``), the audit trail
(``audit``) and retention and erasure (``retention``).

May import: ``bot.errors``, ``bot.file_safety``, ``bot.keys``; never ``bot.sync`` at import time.
"""
