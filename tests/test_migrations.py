"""The Alembic migrations build exactly the schema the models describe, and upgrade a case log
written by an earlier version without losing a row: on SQLite, and on PostgreSQL in the
PostgreSQL pass (``empty_database`` is a database of the pass's backend)."""

from __future__ import annotations

import itertools
import os
import stat
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from bot import crash
from bot.errors import UserError
from bot.store.database import alembic_config, open_database
from bot.store.models import Base


def _head(url: str) -> str:
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert head is not None
    return head


def test_migrated_schema_matches_models(empty_database: str) -> None:
    engine, _ = open_database(empty_database)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_reopen_is_idempotent(empty_database: str) -> None:
    open_database(empty_database)[0].dispose()
    engine, _ = open_database(empty_database)
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == _head(empty_database)
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
        assert MigrationContext.configure(conn).get_current_revision() == _head(url)
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


def test_checklists_recorded_before_0005_become_written_drafts(empty_database: str) -> None:
    """A renewal cycle drafted by an earlier version (an audit row only) is a written draft row
    after the upgrade, so the checklist pass never drafts it a second time."""
    url = empty_database
    engine = create_engine(url)
    cfg = alembic_config(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004")
        conn.execute(text("INSERT INTO practice (id, slug, name) VALUES (1, 'p', 'P')"))
        for n, (action, target) in enumerate(
            [
                ("checklist.create", "cycle-1"),
                ("checklist.reconcile", "cycle-1"),  # the same cycle, found after a crash
                ("checklist.reconcile", "cycle-2"),
                ("draft.create", "an-answer"),  # not a checklist: no draft row made of it
            ]
        ):
            conn.execute(
                text(
                    "INSERT INTO audit_event (practice_id, at, actor, action, target, remote_id)"
                    " VALUES (1, :at, 'chief', :action, :target, :remote)"
                ),
                {
                    "at": f"2026-11-0{n + 1} 08:00:00",
                    "action": action,
                    "target": target,
                    "remote": f"r-{target}",
                },
            )
        command.upgrade(cfg, "head")
        rows = conn.execute(
            text("SELECT key, state, remote_id, message_id, template FROM draft ORDER BY key")
        ).all()
        assert rows == [
            ("cycle-1", "written", "r-cycle-1", None, "credentialing/renewal_checklist.j2"),
            ("cycle-2", "written", "r-cycle-2", None, "credentialing/renewal_checklist.j2"),
        ]
        assert {"label_write", "research_alert"} <= set(inspect(conn).get_table_names())
        command.downgrade(cfg, "0004")
        assert conn.execute(text("SELECT count(*) FROM draft")).scalar() == 0
        assert "research_alert" not in inspect(conn).get_table_names()
    engine.dispose()


def _revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def _killed_at(url: str, n: int) -> bool:
    """Open (and so migrate) ``url`` in a forked process killed right after the ``n``-th
    statement of the migrations (``os._exit``: no rollback, no clean-up); False when the
    migrations have fewer statements and it finished."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.environ[crash.CRASH_ENV] = f"migration.statement:{n}"
        crash.reset()
        code = 1  # an error: the case log could not be opened (bricked)
        try:
            open_database(url)[0].dispose()
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    assert code in (0, crash.EXIT_CODE), code
    return code == crash.EXIT_CODE


def test_a_first_migration_killed_at_any_statement_leaves_nothing_half_built(
    empty_database: str,
) -> None:
    """Killed after any statement of the first run's migrations, the case log is as it was
    (no revision, so nothing half-built to trip over), and the next open builds it whole."""
    url = empty_database
    kills = 0
    for n in itertools.count(1):
        if not _killed_at(url, n):
            break
        kills += 1
        assert _revision(url) is None, f"half-built after statement {n}"
    assert kills > 20  # every statement of every revision was a kill point
    engine, _ = open_database(url)
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == _head(url)
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    engine.dispose()


def test_an_upgrade_killed_at_any_statement_keeps_the_old_case_log(empty_database: str) -> None:
    url = empty_database
    engine = create_engine(url)
    cfg = alembic_config(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
        conn.execute(text("INSERT INTO practice (id, slug, name) VALUES (1, 'p', 'P')"))
        conn.execute(
            text(
                "INSERT INTO audit_event (practice_id, at, actor, action, target, remote_id)"
                " VALUES (1, '2026-11-02 08:00:00', 'chief', 'checklist.create', 'c1', 'r1')"
            )
        )
    engine.dispose()
    kills = 0
    for n in itertools.count(1):
        if not _killed_at(url, n):
            break
        kills += 1
        assert _revision(url) == "0003", f"half-upgraded after statement {n}"
    assert kills >= 5
    engine, _ = open_database(url)
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == _head(url)
        assert conn.execute(text("SELECT key, state FROM draft")).all() == [("c1", "written")]
    engine.dispose()


def test_a_damaged_sqlite_case_log_is_named_with_the_way_back(tmp_path: Path) -> None:
    path = tmp_path / "chief.db"
    path.write_bytes(b"this is not a database, it was overwritten" * 200)
    with pytest.raises(UserError) as raised:
        open_database(f"sqlite:///{path}")
    message = str(raised.value)
    assert str(path) in message and "damaged" in message
    assert "backup" in " ".join(raised.value.problems) and "--new-case-log" in " ".join(
        raised.value.problems
    )


def test_cases_logged_before_0007_keep_the_keys_their_entries_were_written_with(
    empty_database: str,
) -> None:
    """A case from an earlier version takes its number as its identity, so its deadline
    entries keep the keys they were written with (built from that number): upgrading adds
    no second event to anyone's calendar. Every journal row starts with no failed attempt."""
    from bot.keys import stable_key
    from bot.store.models import Case

    url = empty_database
    engine = create_engine(url)
    cfg = alembic_config(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0005")
        conn.execute(text("INSERT INTO practice (id, slug, name) VALUES (1, 'p', 'P')"))
        conn.execute(
            text(
                "INSERT INTO case_ (id, practice_id, kind, status, opened_at, updated_at, closed)"
                " VALUES (7, 1, 'prior_auth', 'pending', :at, :at, :no)"
            ),
            {"at": "2026-11-01 08:00:00", "no": False},
        )
        conn.execute(
            text(
                "INSERT INTO draft (key, practice_id, template, state, created_at)"
                " VALUES ('d1', 1, 't.j2', 'failed', :at)"
            ),
            {"at": "2026-11-01 08:00:00"},
        )
        command.upgrade(cfg, "head")
        assert conn.execute(text("SELECT key FROM case_ WHERE id = 7")).scalar() == "7"
        assert conn.execute(text("SELECT attempts, next_try FROM draft")).one() == (0, None)
        legacy = stable_key("p", "case", 7, "deadline", "pa.chase")  # how 0005 keyed it
        assert stable_key("p", "case", Case(id=7, key="7").identity, "deadline", "pa.chase") == (
            legacy
        )
        command.downgrade(cfg, "0005")
        assert "key" not in {c["name"] for c in inspect(conn).get_columns("case_")}
    engine.dispose()
