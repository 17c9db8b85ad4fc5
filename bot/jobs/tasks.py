"""What a worker does for one practice: the jobs of ``chief run``, as plain functions.

``bot/jobs/worker.py`` queues these (procrastinate, on the practice's own PostgreSQL database);
they take the path of the practice's chief.toml, so a task can run in any worker process on
any machine that sees the same configuration and data folder. A process keeps each practice's
:class:`Runtime` (:class:`PracticeCache`: rules parsed once, one engine for all practices) and
closes the practice's connectors after every job.

MAILBOX LOCK
    At most one process syncs a mailbox at any moment. The queue already refuses to start a
    job while another job with the same lock is running; :func:`mailbox_lock` makes it a
    guarantee the database enforces: a PostgreSQL session-level advisory lock on the mailbox,
    held by an open connection for the whole sync. PostgreSQL frees it when that connection
    ends, so a worker killed mid-sync (SIGKILL, a lost machine) never leaves its mailbox
    locked, and a second worker cannot sync it while the first is alive. On SQLite (one
    machine) the per-practice ``sync.lock`` file in :func:`bot.sync.pipeline.sync` does the same.

EXACTLY ONCE
    A sync cut short anywhere is simply run again: messages are keyed, drafts and calendar
    entries are journalled with their idempotency key before the remote write and reconciled
    on the next pass (``bot/sync/effects.py``). So a retried task logs nothing twice and writes no
    second draft.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Config, load_config
from bot.errors import ChiefError, ConnectorError
from bot.file_safety import require_private
from bot.jobs import catalogue
from bot.keys import stable_key
from bot.store.database import database_url, open_database
from bot.sync.runtime import Runtime

__all__ = [
    "PRACTICES",
    "MailboxBusy",
    "PracticeCache",
    "load_practice",
    "mailbox_lock",
    "mailbox_name",
    "run_job",
]

log = logging.getLogger(__name__)


class MailboxBusy(ConnectorError):
    """Another process is syncing this mailbox right now; try again later."""


def load_practice(config_path: str | Path) -> Config:
    """A practice's validated configuration (refused when others can read it, as the CLI does)."""
    path = Path(config_path)
    require_private(path, "configuration")
    return load_config(path)


def mailbox_name(config: Config) -> str:
    """The mailbox's name across the deployment: practice slug and mail connector, the same
    name :func:`bot.sync.pipeline.message_key` scopes message keys with."""
    return f"{config.practice.slug}/{config.mail.get('connector', 'maildir')}"


def _advisory_key(name: str) -> int:
    """A signed 64-bit key for ``pg_advisory_lock``, stable across processes and versions."""
    value = int(stable_key("mailbox-lock", name)[:16], 16)
    return value - (1 << 64) if value >= (1 << 63) else value


@contextmanager
def mailbox_lock(rt: Runtime) -> Iterator[None]:
    """Hold the mailbox's PostgreSQL advisory lock, or raise :class:`MailboxBusy` at once.

    The lock lives on a connection of its own in autocommit mode (no transaction stays open
    for the length of a sync). On SQLite this is a no-op: the sync's lock file serves.
    """
    if rt.engine.dialect.name != "postgresql":
        yield
        return
    name = mailbox_name(rt.config)
    key = _advisory_key(name)
    with rt.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        got = conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key})
        if not got:
            raise MailboxBusy(f"mailbox {rt.practice_id}/{key:x} is being synced elsewhere")
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})


class PracticeCache:
    """A worker process's practices: each :class:`Runtime` built once (its rule packs, clocks
    and templates parsed once, not on every job) and rebuilt when chief.toml or a file in the
    practice's own rule or template folders changes; the ``size`` most recently used are kept.
    Every practice is on one engine per database URL, so the process holds one small
    connection pool, not one per practice.
    Jobs of one practice run one at a time in a process (its connectors are not shared)."""

    def __init__(self, size: int = 200) -> None:
        self._lock = threading.Lock()
        self._size = size  # practices kept; the least recently used is dropped beyond it
        self._databases: dict[str, tuple[Engine, sessionmaker[Session]]] = {}
        self._runtimes: OrderedDict[str, tuple[tuple[int, ...], Runtime, threading.Lock]] = (
            OrderedDict()
        )

    @contextmanager
    def runtime(self, config_path: str | Path) -> Iterator[Runtime]:
        path = str(Path(config_path).resolve())
        config = load_practice(path)
        stamp = _stamp(config)
        with self._lock:
            entry = self._runtimes.get(path)
            if entry is None or entry[0] != stamp:
                url = database_url(config.database_url)
                if config.database.encryption != "none":
                    rt = Runtime.from_config(config)  # a keyed SQLite file of its own
                else:
                    if url not in self._databases:
                        self._databases[url] = open_database(url)
                    rt = Runtime.from_config(config, database=self._databases[url])
                entry = (stamp, rt, threading.Lock())
                self._runtimes[path] = entry
            self._runtimes.move_to_end(path)
            while len(self._runtimes) > self._size:
                self._runtimes.popitem(last=False)
        _, rt, busy = entry
        with busy:
            try:
                yield rt
            finally:
                rt.close()  # connectors: no mailbox connection stays open between jobs

    def close(self) -> None:
        with self._lock:
            for engine, _ in self._databases.values():
                engine.dispose()
            self._databases.clear()
            self._runtimes.clear()


def _stamp(config: Config) -> tuple[int, ...]:
    """What a cached practice depends on: chief.toml and its own rule and template files."""
    stamps = [config.path.stat().st_mtime_ns]
    for folder in (*config.rules.dirs, *config.templates.dirs):
        root = config.resolve(folder)
        if root.is_dir():
            stamps.extend(p.stat().st_mtime_ns for p in sorted(root.rglob("*")) if p.is_file())
    return tuple(stamps)


PRACTICES = PracticeCache()


def _practice(config_path: str | Path) -> Any:
    return PRACTICES.runtime(config_path)


def run_job(
    name: str, config_path: str | Path, skip: Callable[[Runtime], bool] | None = None
) -> dict[str, Any]:
    """Run the catalogue's job ``name`` for the practice at ``config_path``; what it did.

    A job that reads the mailbox runs under its lock (see MAILBOX LOCK); ``skip`` may say that
    pass is not needed (a later one is queued)."""
    job = catalogue.job(name)
    with _practice(config_path) as rt:
        if not job.reads_mailbox:
            return job.run(rt)
        if skip is not None and skip(rt):
            return {"skipped": "a later sync of this mailbox is queued"}
        with mailbox_lock(rt):
            outcome = job.run(rt)
    log.info(
        "%s of practice %d: %s",
        job.name,
        rt.practice_id,
        ", ".join(f"{k} {v}" for k, v in outcome.items()),
    )
    return outcome


def local_hour(config: Config, timestamp: float) -> int:
    """The hour in the practice's time zone at ``timestamp`` (seconds since the epoch)."""
    from zoneinfo import ZoneInfo

    return datetime.fromtimestamp(timestamp, ZoneInfo(config.practice.timezone)).hour


def is_retryable(exc: BaseException) -> bool:
    """Whether a failed task is worth another try: a connector or database hiccup, not a
    configuration problem or a refused sign-in (those need a person)."""
    from sqlalchemy.exc import DBAPIError

    from bot.errors import AuthError

    if isinstance(exc, AuthError):
        return False
    if isinstance(exc, DBAPIError):
        return bool(exc.connection_invalidated) or _is_operational(exc)
    return isinstance(exc, ConnectorError) or (
        not isinstance(exc, ChiefError) and isinstance(exc, OSError)
    )


def _is_operational(exc: BaseException) -> bool:
    from sqlalchemy.exc import InterfaceError, OperationalError

    return isinstance(exc, OperationalError | InterfaceError)
