"""The Alembic migrations build exactly the schema the models describe, and upgrade a case log
written by an earlier version without losing a row: on SQLite, and on PostgreSQL in the
PostgreSQL pass (``empty_database`` is a database of the pass's backend)."""

from __future__ import annotations

import stat
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from bot.store.database import alembic_config, open_database
from bot.store.models import Base


def test_migrated_schema_matches_models(empty_database: str) -> None:
    engine, _ = open_database(empty_database)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_reopen_is_idempotent(empty_database: str) -> None:
    open_database(empty_database)[0].dispose()
    engine, _ = open_database(empty_database)
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "0004"
    engine.dispose()


def test_a_new_sqlite_case_log_is_private(tmp_path: Path) -> None:
    path = tmp_path / "data" / "c.db"
    open_database(f"sqlite:///{path}")[0].dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_upgrade_from_0001_keeps_messages_and_adds_payments(empty_database: str) -> None:
    url = empty_database
    engine = create_engine(url)
    cfg = alembic_config(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(text("INSERT INTO practice (id, slug, name) VALUES (1, 'p', 'P')"))
        conn.execute(
            text("INSERT INTO mailbox (id, practice_id, name, connector) VALUES (1, 1, 'm', 'm')")
        )
        conn.execute(
            text(
                "INSERT INTO message (id, key, mailbox_id, provider_id, logged_at, sender_domain,"
                " sender_hash, subject_hash) VALUES (1, 'k', 1, 'p1', '2026-11-02', 'd', 'h', 's')"
            )
        )
    engine.dispose()
    upgraded, _ = open_database(url)
    with upgraded.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "0004"
        assert conn.execute(text("SELECT key, reply_address FROM message")).all() == [("k", None)]
        # The next process to open the practice records its pseudonym key's fingerprint.
        assert conn.execute(text("SELECT slug, pseudonym_check FROM practice")).all() == [
            ("p", None)
        ]
        assert "payment" in inspect(conn).get_table_names()
    with upgraded.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
        assert "payment" not in inspect(conn).get_table_names()
        assert conn.execute(text("SELECT key FROM message")).all() == [("k",)]
        assert "pseudonym_check" not in {c["name"] for c in inspect(conn).get_columns("practice")}
