"""Commands that run chief: ``demo``, ``sync``, ``run`` and ``worker``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from bot.cli.base import emit, load_runtime

__all__ = ["WRITES_FAILED", "demo", "run", "sync", "worker"]

# `chief sync`'s exit status when the pass ran but some remote writes failed (they are tried
# again on later passes): distinct from 1, an error that stopped the pass.
WRITES_FAILED = 3


@click.command()
@click.option(
    "--home",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("chief-demo"),
    show_default=True,
    help="Folder to build the demo practice in.",
)
@click.option(
    "--practice",
    type=click.Choice(["sports-medicine-us", "occupational-therapy-uk", "integrative-medicine"]),
    default="sports-medicine-us",
    show_default=True,
    help="Which sample practice to run.",
)
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Pretend today is this date (default: 2026-11-24, the sample practice's day).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def demo(home: Path, practice: str, today: Any, as_json: bool) -> None:
    """Build a sample practice in HOME and run the whole pipeline over its mailbox.

    Copies the practice's own sample mailbox (a Maildir of mail addressed to its
    practitioner) and its calendar into HOME, then classifies every message,
    files it against cases, writes reply drafts into the Maildir's Drafts folder, puts
    deadlines, renewals and team events into the .ics calendar, and delivers the daily
    summary into the inbox. Running it again adds nothing.
    """
    from bot.cli.demo import run_demo

    result = run_demo(home, practice, today.date() if today else None, progress=not as_json)
    if as_json:
        emit(result, True, "")
        return
    cases = ", ".join(f"{k} {v}" for k, v in sorted(result["cases"].items())) or "none"
    click.echo(
        f"Demo practice in {home}:\n"
        f"  messages logged    {result['messages']} (new this run: {result['new']['messages']})\n"
        f"  cases              {cases}\n"
        f"  drafts             {result['drafts']} in {result['maildir']}/.Drafts\n"
        f"  calendar entries   {result['calendar_entries']} in {result['calendar']}\n"
        f"  summary            {result['summary']}\n"
        f"See the summary with: chief --config {home / 'chief.toml'} summary --print "
        f"--today {result['today']}"
    )


# -------------------------------------------------------------------------------- classify


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Plan the whole pass and show it: what would be filed, opened, drafted, diarised and "
    "closed. Nothing is written anywhere and the case log is left as it was.",
)
@click.pass_context
def sync(ctx: click.Context, as_json: bool, dry_run: bool) -> None:
    """Run one pass: new mail in, drafts and calendar entries out.

    Exits 0 when every write was made, 3 when some failed (one line per kind; they are tried
    again on later syncs, see `chief effects`), 1 on an error that stopped the pass.
    """
    from bot.jobs.catalogue import STEPS
    from bot.jobs.catalogue import sync as run_sync
    from bot.progress import counter
    from bot.sync.dry_run import plan_sync

    rt = load_runtime(ctx, dry_run=dry_run)
    try:
        with counter("Reading mail", enabled=not as_json) as advance:
            if dry_run:
                plan = plan_sync(rt, STEPS, progress=advance)
                emit(plan.as_dict(), as_json, "\n".join(plan.lines()))
                return
            report = run_sync(rt, progress=advance)
    finally:
        rt.close()
    data = report.as_dict()
    emit(
        data,
        as_json,
        f"{report.messages} new message(s), {report.cases_opened} case(s) opened, "
        f"{report.drafts_written} draft(s), {report.calendar_written} calendar entr(ies), "
        + (f"{report.corrections} correction(s) refiled, " if report.corrections else "")
        + f"{len(report.problems())} problem(s)",
    )
    if not as_json:
        for problem in report.problems():
            click.echo(f"  {problem}", err=True)
    if report.failures:
        ctx.exit(WRITES_FAILED)


@click.command()
@click.pass_context
def run(ctx: click.Context) -> None:
    """Run unattended: sync every few minutes and send the daily summary (Ctrl-C stops)."""
    from bot.jobs.scheduler import run_forever

    run_forever(load_runtime(ctx))


@click.command()
@click.option(
    "--practices",
    "practice_paths",
    multiple=True,
    type=click.Path(path_type=Path, exists=True),
    help="A chief.toml, or a folder of practices (*/chief.toml); repeatable. "
    "Default: the --config practice.",
)
@click.option("--concurrency", default=1, show_default=True, help="Jobs run at once.")
@click.option("--name", default=None, help="This worker's name in the queue's records.")
@click.option(
    "--stalled-after",
    default=60.0,
    show_default=True,
    help="Seconds without a worker's heartbeat before its jobs are retried elsewhere.",
)
@click.pass_context
def worker(
    ctx: click.Context,
    practice_paths: tuple[Path, ...],
    concurrency: int,
    name: str | None,
    stalled_after: float,
) -> None:
    """Run a queue worker for many practices on one PostgreSQL database (docs/SCALING.md).

    Start as many as the load needs, on any machines, with the same practices: each
    mailbox is synced by one worker at a time, and the jobs of a worker that dies are
    retried by another. `chief run` stays the single-practice, single-process mode.
    """
    from bot.config import find_config
    from bot.jobs.worker import WorkerSettings, find_practices, run_worker

    paths = find_practices(practice_paths or (find_config(ctx.obj.get("config_path")),))
    settings = WorkerSettings(
        concurrency=max(concurrency, 1),
        name=name,
        heartbeat_s=max(min(stalled_after / 4, 10.0), 0.5),
        stalled_after_s=stalled_after,
    )
    run_worker(paths, settings)


# -------------------------------------------------------------------------------- summary
