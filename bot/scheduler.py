"""``chief run``: the unattended loop (APScheduler).

A sync every ``[schedule] sync_minutes`` and the daily summary at ``[summary] hour`` in the
practice's time zone. Jobs never overlap (one instance each, the sync lock besides) and a
failed pass is logged and retried at the next tick rather than stopping the daemon.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.errors import ChiefError
from bot.runtime import Runtime

__all__ = ["build_scheduler", "run_forever"]

log = logging.getLogger(__name__)


def _sync_job(rt: Runtime) -> None:
    from bot.pipeline import sync

    try:
        report = sync(rt)
        log.info(
            "sync: %d new message(s), %d draft(s), %d calendar entr(ies), %d problem(s)",
            report.messages,
            report.drafts_written,
            report.calendar_written,
            len(report.errors),
        )
    except ChiefError as exc:
        log.error("sync failed: %s", exc)


def _summary_job(rt: Runtime) -> None:
    from bot.daily_summary import deliver_summary

    try:
        deliver_summary(rt)
    except ChiefError as exc:
        log.error("daily summary failed: %s", exc)


def build_scheduler(rt: Runtime) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone=rt.tz)
    scheduler.add_job(
        _sync_job,
        IntervalTrigger(minutes=rt.config.schedule.sync_minutes, timezone=rt.tz),
        args=[rt],
        id="sync",
        max_instances=1,
        coalesce=True,
        next_run_time=rt.now(),
    )
    scheduler.add_job(
        _summary_job,
        CronTrigger(hour=rt.config.summary.hour, timezone=rt.tz),
        args=[rt],
        id="summary",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=6 * 3600,
    )
    return scheduler


def run_forever(rt: Runtime) -> None:
    scheduler = build_scheduler(rt)
    logging.getLogger().setLevel(min(logging.getLogger().level, logging.INFO))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)
