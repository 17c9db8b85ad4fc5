"""Opening the case log: an engine, the schema brought to the newest Alembic revision, sessions.

SQLite is the default (a file in the practice's data folder, WAL journal so a reader never
blocks the writer); PostgreSQL works by URL. Migrations run on open, all of them in one
transaction, DDL included (both databases have transactional DDL): a process killed halfway
through the first run or an upgrade leaves the case log as it was, and the next run migrates
it again from there. Python's SQLite driver would commit before each DDL statement on its own;
the migration's connection is put in autocommit and its transaction begun explicitly
(``BEGIN IMMEDIATE``: two processes opening a new case log migrate one after the other).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from bot import crash
from bot.errors import UserError
from bot.file_safety import create_private_file
from bot.store.crypto import keying_listener, sqlcipher_module

__all__ = ["DATABASE_URL_ENV", "alembic_config", "database_url", "open_database"]

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# A deployment's database for every practice it serves, overriding ``[database] url``.
DATABASE_URL_ENV = "CHIEF_DATABASE_URL"
# Any constant number: the PostgreSQL advisory lock two processes take to migrate one at a time.
_MIGRATION_LOCK = 0x63686965


def database_url(configured: str) -> str:
    """The URL to open: ``$CHIEF_DATABASE_URL`` when set (one PostgreSQL database shared by many
    practices and their workers, say), else the practice's ``[database] url``."""
    return os.environ.get(DATABASE_URL_ENV, "").strip() or configured


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _engine(url: str, options: dict[str, Any]) -> Engine:
    """The engine for ``url``; a URL that names no database SQLAlchemy can open is the user's
    to fix, named with where it was set (its password never shown)."""
    where = (
        "$" + DATABASE_URL_ENV if os.environ.get(DATABASE_URL_ENV, "").strip() else "[database] url"
    )
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise UserError(
            f"{where} is not a database URL",
            [
                "write it as dialect+driver://user:password@host/database, e.g. "
                "sqlite:///data/chief.db or postgresql+psycopg://chief@127.0.0.1/chief"
            ],
        ) from None
    try:
        return create_engine(url, future=True, **options)
    except NoSuchModuleError:
        shown = parsed.render_as_string(hide_password=True)
        raise UserError(
            f"{where} {shown}: no database driver for {parsed.drivername!r}",
            ["use sqlite:///… or postgresql+psycopg://… (pip install -e '.[postgres]')"],
        ) from None
    except ImportError as exc:
        raise UserError(
            f"{where}: the driver for {parsed.drivername!r} is not installed ({exc.name})",
            ["for PostgreSQL: pip install -e '.[postgres]'"],
        ) from None


def open_database(
    url: str, migrate: bool = True, key: bytes | None = None
) -> tuple[Engine, sessionmaker[Session]]:
    """Create the engine for ``url``, upgrade the schema, return (engine, session factory).

    With ``key``, a SQLite file is opened with SQLCipher and that key (:mod:`bot.store.crypto`)."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        path = Path(url.removeprefix("sqlite:///"))
        # The case log holds practice data: owner-only from the first byte, whatever the
        # umask (SQLite gives its -wal and -shm files the database file's mode).
        create_private_file(path)
    # A server can restart under a long-lived process: test a pooled connection before use.
    options: dict[str, Any] = {"pool_pre_ping": True} if url.startswith("postgresql") else {}
    if key is not None:
        if not url.startswith("sqlite:"):
            raise UserError('[database] encryption = "sqlcipher" is for a SQLite case log')
        options["module"] = sqlcipher_module()
    engine = _engine(url, options)
    if key is not None:
        event.listen(engine, "connect", keying_listener(key, url.removeprefix("sqlite:///")))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    if migrate:
        try:
            _migrate(engine, url)
        except DatabaseError as exc:
            if engine.dialect.name != "sqlite":
                raise
            engine.dispose()
            raise _damaged(url, exc) from None
    return engine, sessionmaker(engine, expire_on_commit=False)


def _at_head(connection: Connection, cfg: Config) -> bool:
    head = ScriptDirectory.from_config(cfg).get_current_head()
    return MigrationContext.configure(connection).get_current_revision() == head


def _migrate(engine: Engine, url: str) -> None:
    """Bring the schema to the newest revision in one transaction (module docstring)."""
    cfg = alembic_config(url)
    with engine.connect() as connection:
        if _at_head(connection, cfg):  # the usual case: a read, no write lock taken
            connection.rollback()
            return
        connection.rollback()
        sqlite = engine.dialect.name == "sqlite"
        dbapi = connection.connection.dbapi_connection
        if sqlite:
            dbapi.isolation_level = None  # type: ignore[union-attr]
            event.listen(connection, "begin", _sqlite_begin_immediate)
        event.listen(connection, "after_execute", _migration_point)
        try:
            with connection.begin():
                if engine.dialect.name == "postgresql":
                    # Workers starting together: one migrates, the others wait, then find it
                    # done (the lock ends with the transaction).
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK}
                    )
                cfg.attributes["connection"] = connection
                command.upgrade(cfg, "head")
        finally:
            event.remove(connection, "after_execute", _migration_point)
            if sqlite:
                event.remove(connection, "begin", _sqlite_begin_immediate)
                dbapi.isolation_level = ""  # type: ignore[union-attr]  # the driver's default again


def _migration_point(*_args: Any) -> None:
    crash.point("migration.statement")


def _sqlite_begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _damaged(url: str, exc: DatabaseError) -> UserError:
    """A SQLite case log the driver cannot read, named with what to do about it."""
    path = url.removeprefix("sqlite:///")
    reason = str(exc.orig).splitlines()[0][:120] if exc.orig is not None else "unreadable"
    return UserError(
        f"the case log {path} is damaged ({reason})",
        [
            f"restore {path} from your backup (with {path}-wal beside it, if your backup has one)",
            "or move it aside and start a new case log on purpose: "
            "`chief doctor --new-case-log` (every draft you discarded may then be drafted again)",
        ],
    )


class Throwaway:
    """Sessions that all live inside one database transaction, rolled back by :meth:`close`:
    everything a pass writes to the case log is seen by the pass, and then never was.

    Each ``session.begin()`` / ``commit()`` of the pass becomes a SAVEPOINT inside the outer
    transaction (SQLAlchemy's "join into an external transaction"). SQLite's Python driver
    opens transactions on its own terms, which breaks SAVEPOINTs; on SQLite the connection is
    put in autocommit and the outer transaction begun explicitly, as SQLAlchemy documents."""

    def __init__(self, engine: Engine) -> None:
        self.connection: Connection = engine.connect()
        if engine.dialect.name == "sqlite":
            self.connection.connection.dbapi_connection.isolation_level = None  # type: ignore[union-attr]
            event.listen(self.connection, "begin", _sqlite_begin)
        self._outer = self.connection.begin()
        self.sessions: sessionmaker[Session] = sessionmaker(
            bind=self.connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )

    def close(self) -> None:
        """Roll the whole pass back and give the connection back to the pool."""
        if self._outer.is_active:
            self._outer.rollback()
        self.connection.close()


def _sqlite_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")
