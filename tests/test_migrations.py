"""The Alembic migration builds exactly the schema the models describe."""

from __future__ import annotations

import stat
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.db import open_database
from bot.models import Base


def test_migrated_schema_matches_models(tmp_path: Path) -> None:
    engine, _ = open_database(f"sqlite:///{tmp_path / 'c.db'}")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_reopen_is_idempotent_and_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "data" / "c.db"
    open_database(f"sqlite:///{path}")
    engine, _ = open_database(f"sqlite:///{path}")
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "0001"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
