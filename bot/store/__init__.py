"""The case log: tables, migrations, opening the database, and what guards the data in it.

Owns the SQLAlchemy models (``models``; the notes' tables in ``note_models``, imported here so
that every table is on the one ``Base.metadata`` whichever is imported) and their Alembic
migrations (``migrations``), opening SQLite or PostgreSQL (``database``), at-rest encryption
(``crypto``, ``keyring_store``), patient pseudonyms (``pseudonyms``), short case ids
(``case_ids``), the audit trail (``audit``) and retention and erasure (``retention``).

May import: ``bot.errors``, ``bot.file_safety``, ``bot.keys``; never ``bot.sync`` at import time.
"""

from bot.store import models, note_models  # noqa: E402, F401  (every table on Base.metadata)
