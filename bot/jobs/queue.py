"""The worker's queue in the practices' PostgreSQL database: its URL, its tables installed
once, and the jobs of a lost worker put back (procrastinate; see :mod:`bot.jobs.worker`)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.errors import UserError
from bot.jobs.tasks import load_practice
from bot.store.database import DATABASE_URL_ENV, database_url, open_database

__all__ = ["libpq_url", "prepare_database", "recover_stalled", "worker_url"]

log = logging.getLogger(__name__)

_SCHEMA_LOCK = 0x70726F63  # advisory lock: one process installs the queue's tables


def libpq_url(url: str) -> str:
    """The libpq form (``postgresql://…``) of a SQLAlchemy PostgreSQL URL."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise UserError(
            "chief worker needs a PostgreSQL case log",
            [
                f"set {DATABASE_URL_ENV} or [database] url to "
                "postgresql+psycopg://USER@HOST/DB (see docs/SCALING.md)"
            ],
        )
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


async def recover_stalled(app: Any, stalled_after_s: float) -> int:
    """Queue again the jobs left "doing" by a worker that stopped sending heartbeats (a job
    the queue refuses to requeue is closed as failed rather than left "doing")."""
    from procrastinate import exceptions
    from procrastinate.jobs import Status

    manager = app.job_manager
    recovered = 0
    for job in await manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after_s):
        try:
            await manager.retry_job(job)
            recovered += 1
            log.warning("job %s (%s) of a lost worker queued again", job.id, job.task_name)
        except (exceptions.UniqueViolation, exceptions.AlreadyEnqueued):
            await manager.finish_job(job, status=Status.FAILED, delete_job=False)
            log.warning("job %s of a lost worker closed: a newer one is queued", job.id)
        except exceptions.ConnectorException:
            # Another worker's recovery was quicker: the job is no longer "doing".
            log.debug("job %s already recovered", job.id)
    return recovered


def prepare_database(app: Any, url: str) -> None:
    """Bring the case log to the newest schema and install the queue's tables once."""
    import psycopg

    engine, _ = open_database(url)
    engine.dispose()
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_SCHEMA_LOCK,))
        try:
            present = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
            if present is None or present[0] is None:
                conn.execute(app.schema_manager.get_schema())
                log.info("queue tables installed")
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_SCHEMA_LOCK,))


def worker_url(practices: Sequence[Path]) -> str:
    """The one database every practice of this worker uses: ``$CHIEF_DATABASE_URL``, else the
    practices' common ``[database] url`` (they must agree)."""
    urls = {database_url(load_practice(p).database_url) for p in practices}
    if len(urls) != 1:
        raise UserError(
            "the practices do not share one database",
            [f"set {DATABASE_URL_ENV} (or the same [database] url) for every practice"],
        )
    url = urls.pop()
    libpq_url(url)  # refuses anything but PostgreSQL, naming the setting
    return url
