"""``chief run``: the unattended loop (APScheduler).

Jobs, in the practice's time zone:

- **sync** every ``[schedule] sync_minutes``: new mail in, drafts and calendar entries out;
- **renewals** daily: credential reminders planned and written even on a day the mail server
  is unreachable (a sync also does it; this job makes it independent of mail);
- **summary** daily at ``[summary] hour``.

They are declared once, in :data:`bot.jobs.catalogue.JOBS`, which ``chief worker`` schedules
too.

Between two syncs a watcher thread waits for new mail on a connection of its own (IMAP IDLE,
``[schedule] push``, on by default) and runs the sync job at once when mail arrives; the
interval stays as the safety net for anything the watcher misses.

One daemon per practice (a lock held for the daemon's lifetime, besides the per-pass sync
lock); jobs never overlap themselves; a failed pass is logged and retried at the next tick.
SIGTERM and SIGINT stop it cleanly: the running job finishes, connections are closed.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.errors import AuthError, ChiefError
from bot.jobs.catalogue import JOBS, Job
from bot.locking import exclusive_lock
from bot.sync.runtime import Runtime

__all__ = ["build_scheduler", "run_forever"]

log = logging.getLogger(__name__)

_WATCH_SLICE_S = 30.0  # the watcher notices a stop at least this often


def _run_job(job: Job, rt: Runtime, again: threading.Event | None = None) -> None:
    """Run one job; a problem is logged and the next tick tries again. ``again`` (the sync's):
    set by the watcher when mail arrived while the job ran, after it had read the mailbox; the
    job then runs once more at once (a wake-up while a run is under way is otherwise skipped
    by the scheduler, ``max_instances``, and the mail would wait for the next interval)."""
    while True:
        if again is not None:
            again.clear()
        try:
            outcome = job.run(rt)
            log.info("%s: %s", job.name, ", ".join(f"{k} {v}" for k, v in outcome.items()))
        except ChiefError as exc:
            log.error("%s failed: %s", job.name, exc)
        if again is None or not again.is_set():
            return
        log.debug("%s: mail arrived while it ran: running again", job.name)


def build_scheduler(rt: Runtime, again: threading.Event | None = None) -> BlockingScheduler:
    """The practice's jobs (:data:`bot.jobs.catalogue.JOBS`) on APScheduler triggers;
    ``again``: the watcher's request for one more sync (:func:`_run_job`)."""
    scheduler = BlockingScheduler(timezone=rt.tz)
    for job in JOBS:
        common: dict[str, Any] = {
            "args": [job, rt, again if job.name == "sync" else None],
            "id": job.name,
            "max_instances": 1,
            "coalesce": True,
        }
        if job.every_minutes is not None:
            trigger: Any = IntervalTrigger(minutes=job.every_minutes(rt.config), timezone=rt.tz)
            common["next_run_time"] = rt.now()  # the mailbox's sync starts at once
        else:
            assert job.daily_at is not None
            hour, minute = job.daily_at(rt.config)
            trigger = CronTrigger(hour=hour, minute=minute, timezone=rt.tz)
        if job.grace_s is not None:
            common["misfire_grace_time"] = job.grace_s
        scheduler.add_job(_run_job, trigger, **common)
    return scheduler


def _watch(
    rt: Runtime, scheduler: BaseScheduler, stopping: threading.Event, again: threading.Event
) -> None:
    """Wake the sync job as soon as new mail arrives: a second connection waits (IDLE) while
    the interval job stays the safety net. Errors back off; a refused sign-in ends the
    watching (the interval sync reports it)."""
    watcher = rt.mail_watcher()
    if watcher is None:
        return
    backoff = _WATCH_SLICE_S
    settled = False
    while not stopping.is_set():
        try:
            if not settled:
                watcher.mark_seen()
                settled = True
            if watcher.wait_for_changes(_WATCH_SLICE_S) and not stopping.is_set():
                watcher.mark_seen()  # before the sync looks: later mail wakes us again
                log.debug("new mail: syncing now")
                again.set()  # a sync under way runs once more when it ends
                scheduler.modify_job("sync", next_run_time=rt.now())
            backoff = _WATCH_SLICE_S
        except AuthError as exc:
            log.error("watching for new mail stopped: %s", exc)
            return
        except (ChiefError, JobLookupError) as exc:
            log.warning("watching for new mail: %s; retrying in %d s", exc, backoff)
            settled = False
            stopping.wait(backoff)
            backoff = min(backoff * 2, rt.config.schedule.sync_minutes * 60)


def run_forever(rt: Runtime) -> None:
    """Run the jobs until SIGTERM / SIGINT; refuses to start beside another daemon."""
    with exclusive_lock(rt.config.data_path / "run.lock"):
        again = threading.Event()
        scheduler = build_scheduler(rt, again)
        stopping = threading.Event()
        watching = threading.Thread(
            target=_watch, args=(rt, scheduler, stopping, again), name="chief-watch", daemon=True
        )
        if rt.config.schedule.push:
            watching.start()

        def stop(signum: int, _frame: FrameType | None) -> None:
            log.info("signal %d: stopping after the running job", signum)
            stopping.set()
            scheduler.shutdown(wait=False)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        logging.getLogger().setLevel(min(logging.getLogger().level, logging.INFO))
        try:
            scheduler.start()
        finally:
            stopping.set()
            if watching.is_alive():
                watcher = rt.mail_watcher()
                if watcher is not None:
                    watcher.interrupt()
                watching.join(timeout=10)
            rt.close()
            log.info("stopped")
