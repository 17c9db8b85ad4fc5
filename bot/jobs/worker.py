"""``chief worker``: many practices, many processes, one PostgreSQL database.

Work is queued in the practices' own PostgreSQL database with procrastinate (no broker to run:
jobs are rows, workers wake on LISTEN/NOTIFY; docs/SCALING.md says why this and not Celery).
``chief run`` stays the single-process mode for one practice; ``chief worker`` is started as
many times, on as many machines, as the load needs, each with the same list of practices::

    chief worker --practices /srv/practices        # every */chief.toml below the folder

Tasks, one per job of the catalogue (``bot.jobs.catalogue.JOBS``; ``bot/jobs/tasks.py`` runs
it; a task takes the path of a practice's chief.toml):

- ``chief.sync_mailbox``: one sync of a practice's mailbox, every ``[schedule] sync_minutes``;
- ``chief.renewals``: the daily renewals check, at half past the hour before the summary;
- ``chief.summary``: the daily summary at ``[summary] hour``, practice time;
- ``chief.recover_stalled``: every few seconds, puts back in the queue the jobs of a worker
  that stopped sending heartbeats (killed, its machine lost), so another worker retries them.

Schedules are procrastinate periodic tasks, one per practice and job, deduplicated in the
database (however many workers run, each tick is queued once). Summary and renewals tick
hourly and act only at the practice's local hour, so daylight-saving changes need no restart.

ONE WORKER PER MAILBOX. A sync job carries the mailbox's name as its ``lock`` (procrastinate
starts no job while another with the same lock is running); a sync that finds a later one of
its mailbox waiting stands down, so a backlog drains in one pass. (No ``queueing_lock``: a
retry that meets a waiting job with the same queueing lock is refused by its unique index and
the job is left "doing" for good, procrastinate issues #1446 and #1543.) Inside,
:func:`bot.jobs.tasks.mailbox_lock` holds a PostgreSQL advisory lock for the whole sync, which the
server frees when the holder's connection ends. A worker killed mid-sync leaves its job
"doing"; after ``stalled_after`` seconds without its heartbeat the job is retried elsewhere,
and the pipeline's keys make the rerun log nothing twice and write no second draft.

RETRIES. A connector or database hiccup is retried with exponential backoff (2, 4, 8 … s, at
most 10 minutes apart, 8 attempts; a provider's Retry-After is honoured); a refused sign-in or
a configuration problem fails the job at once, for a person to fix. If the database itself
goes away the worker reconnects, backing off, until it is back.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.config import Config
from bot.errors import RateLimited, UserError
from bot.jobs.catalogue import JOBS, Job
from bot.jobs.queue import libpq_url, prepare_database, recover_stalled, worker_url
from bot.jobs.tasks import (
    is_retryable,
    load_practice,
    local_hour,
    mailbox_name,
    run_job,
)
from bot.store.database import DATABASE_URL_ENV

__all__ = [
    "WorkerSettings",
    "build_app",
    "defer_sync",
    "find_practices",
    "prepare_database",
    "run_worker",
    "sync_cron",
]

log = logging.getLogger(__name__)

QUEUE = "chief"
MAX_ATTEMPTS = 8
_MAX_WAIT_S = 600


@dataclass(frozen=True)
class WorkerSettings:
    """How a worker process runs (``chief worker`` options)."""

    concurrency: int = 1
    name: str | None = None
    heartbeat_s: float = 10.0
    stalled_after_s: float = 60.0  # no heartbeat this long: the worker is gone
    recover_every_s: int = 10


def find_practices(paths: Iterable[Path]) -> list[Path]:
    """chief.toml files: each path is one, or a folder holding ``chief.toml`` or
    ``*/chief.toml``. Sorted, without duplicates."""
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(p.resolve() for p in path.glob("chief.toml"))
            found.update(p.resolve() for p in path.glob("*/chief.toml"))
        elif path.is_file():
            found.add(path.resolve())
        else:
            raise UserError(f"no practice at {path}", ["pass a chief.toml or a folder of them"])
    if not found:
        raise UserError("no practice found", ["pass --practices with chief.toml files or folders"])
    return sorted(found)


def sync_cron(minutes: int) -> str:
    """A cron line for "every ``minutes`` minutes" (``[schedule] sync_minutes``); above an hour,
    whole hours."""
    if minutes < 60:
        return f"*/{minutes} * * * *"
    return f"0 */{min(max(minutes // 60, 1), 23)} * * *"


def _backoff() -> Any:
    from procrastinate import BaseRetryStrategy, RetryDecision

    class Backoff(BaseRetryStrategy):
        """Exponential backoff for what is worth retrying (:func:`bot.jobs.tasks.is_retryable`)."""

        def get_retry_decision(self, *, exception: BaseException, job: Any) -> Any:
            if job.attempts + 1 >= MAX_ATTEMPTS or not is_retryable(exception):
                return None
            wait = min(2 ** (job.attempts + 1), _MAX_WAIT_S)
            if isinstance(exception, RateLimited) and exception.retry_after:
                wait = max(wait, min(int(exception.retry_after) + 1, 3600))
            return RetryDecision(retry_in={"seconds": wait})

    return Backoff()


def build_app(
    url: str, practices: Sequence[Path] = (), settings: WorkerSettings | None = None
) -> Any:
    """The procrastinate App on the case log at ``url``, its tasks registered and, for each
    practice in ``practices``, its periodic jobs."""
    import procrastinate

    settings = settings or WorkerSettings()
    defaults: Any = {
        "queues": [QUEUE],
        "concurrency": settings.concurrency,
        "name": settings.name,
        "delete_jobs": "successful",
        "update_heartbeat_interval": settings.heartbeat_s,
        "stalled_worker_timeout": settings.stalled_after_s,
    }
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=libpq_url(url)),
        worker_defaults=defaults,
    )
    retry = _backoff()

    tasks = {job.name: _register_task(app, job, retry) for job in JOBS}

    @app.periodic(cron=f"* * * * * */{settings.recover_every_s}", periodic_id="stalled")
    @app.task(name="chief.recover_stalled", queue=QUEUE, pass_context=True)
    async def recover_task(context: Any, timestamp: int) -> int:
        return await recover_stalled(context.app, settings.stalled_after_s)

    for path in practices:
        practice = load_practice(path)
        slug = practice.practice.slug
        kwargs = {"config": str(path)}
        for job in JOBS:
            if job.every_minutes is not None:
                cron, lock = sync_cron(job.every_minutes(practice)), _sync_lock(practice)
            else:
                # Hourly ticks, acted on at the practice's local hour (daylight saving).
                assert job.daily_at is not None
                cron, lock = f"{job.daily_at(practice)[1]} * * * *", f"{job.name}:{slug}"
            app.periodic_registry.register_task(
                task=tasks[job.name],
                cron=cron,
                periodic_id=f"{job.name}:{slug}",
                configure_kwargs={"task_kwargs": dict(kwargs), "lock": lock},
            )
    return app


def _register_task(app: Any, job: Job, retry: Any) -> Any:
    """The queue's task for a catalogue job: a mailbox job stands down when a later sync of
    its mailbox waits; a daily job acts only at its hour, in the practice's time zone."""
    if job.reads_mailbox:

        def mailbox_task(
            context: Any, timestamp: int | None = None, config: str = ""
        ) -> dict[str, Any]:
            queued = context.job
            return run_job(
                job.name,
                config,
                skip=lambda rt: _newer_sync_queued(rt, queued.id, queued.lock),
            )

        return app.task(name=job.task, queue=QUEUE, retry=retry, pass_context=True)(mailbox_task)

    def daily_task(timestamp: int | None = None, config: str = "") -> dict[str, Any]:
        practice = load_practice(config)
        assert job.daily_at is not None
        if timestamp is not None and local_hour(practice, timestamp) != job.daily_at(practice)[0]:
            return {"skipped": "not the practice's hour"}
        return run_job(job.name, config)

    return app.task(name=job.task, queue=QUEUE, retry=retry)(daily_task)


def _sync_lock(practice: Config) -> str:
    return f"mailbox:{mailbox_name(practice)}"


def _newer_sync_queued(rt: Any, job_id: int | None, lock: str | None) -> bool:
    """Whether a later sync of the same mailbox waits in the queue: then this one (a retry, or
    a tick queued while a long sync ran) can stand down, and a backlog drains in one pass."""
    from sqlalchemy import text

    if job_id is None or lock is None:
        return False
    with rt.engine.connect() as conn:
        found = conn.scalar(
            text(
                "SELECT EXISTS (SELECT 1 FROM procrastinate_jobs"
                " WHERE lock = :lock AND status = 'todo' AND id > :id)"
            ),
            {"lock": lock, "id": job_id},
        )
    return bool(found)


def defer_sync(app: Any, config_path: Path) -> int:
    """Queue one sync of the practice's mailbox now; returns the job's id."""
    lock = _sync_lock(load_practice(config_path))
    task = app.tasks["chief.sync_mailbox"]
    return int(task.configure(lock=lock).defer(config=str(config_path)))


def run_worker(practices: Sequence[Path], settings: WorkerSettings | None = None) -> None:
    """Run one worker until SIGTERM / SIGINT (the running jobs finish first). A lost database
    connection restarts the worker after a backoff, until the server answers again."""
    settings = settings or WorkerSettings()
    url = worker_url(practices)
    os.environ[DATABASE_URL_ENV] = url  # every task opens this same database
    logging.getLogger().setLevel(min(logging.getLogger().level, logging.INFO))
    state = _State()
    backoff = 1.0
    while True:
        started = time.monotonic()
        try:
            app = build_app(url, practices, settings)
            prepare_database(app, url)
            log.info("worker started: %d practice(s)", len(practices))
            asyncio.run(_run(app, state))
            if state.stopping:
                return
            # procrastinate stops its worker when its listener loses the database.
            log.warning("worker stopped itself (database connection lost?)")
        except Exception as exc:
            if state.stopping:
                return
            if not _is_connection_error(exc):
                raise
            log.warning("database unreachable (%s)", type(exc).__name__)
        if time.monotonic() - started > 60:
            backoff = 1.0  # it ran a good while: this is a new outage
        log.warning("reconnecting in %.0f s", backoff)
        if state.sleep(backoff):
            return
        backoff = min(backoff * 2, 30.0)


class _State:
    """Whether SIGTERM / SIGINT asked the worker to stop (then it does not reconnect)."""

    def __init__(self) -> None:
        self.stopping = False

    def request_stop(self, *_args: object) -> None:
        self.stopping = True

    def sleep(self, seconds: float) -> bool:
        """Sleep, unless asked to stop meanwhile; True when asked."""
        handlers = {sig: signal.signal(sig, self.request_stop) for sig in _SIGNALS}
        try:
            deadline = time.monotonic() + seconds
            while not self.stopping and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            for sig, handler in handlers.items():
                signal.signal(sig, handler)
        return self.stopping


_SIGNALS = (signal.SIGTERM, signal.SIGINT)


async def _run(app: Any, state: _State) -> None:
    """The procrastinate worker, cancelled (gracefully: running jobs finish) on a signal."""
    loop = asyncio.get_running_loop()
    async with app.open_async():
        worker = asyncio.create_task(app.run_worker_async(install_signal_handlers=False))

        def stop() -> None:
            state.request_stop()
            worker.cancel()

        for sig in _SIGNALS:
            loop.add_signal_handler(sig, stop)
        try:
            await worker
        except asyncio.CancelledError:
            if not state.stopping:
                raise
        finally:
            for sig in _SIGNALS:
                loop.remove_signal_handler(sig)


def _is_connection_error(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is the database being unreachable."""
    import psycopg
    from procrastinate import exceptions
    from sqlalchemy.exc import InterfaceError, OperationalError

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(
            seen,
            psycopg.OperationalError
            | psycopg.InterfaceError
            | exceptions.ConnectorException
            | OperationalError
            | InterfaceError
            | ConnectionError,
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    if isinstance(exc, BaseExceptionGroup):
        return any(_is_connection_error(e) for e in exc.exceptions)
    return False
