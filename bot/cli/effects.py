"""``chief effects``: the writes that failed and wait for a later try, and dismissing one."""

from __future__ import annotations

import json
from typing import Any

import click

from bot.cli.base import load_runtime

__all__ = ["effects"]


def _row(item: Any, tz: Any) -> dict[str, Any]:
    return {
        "id": item.ident,
        "kind": item.kind,
        "what": item.what,
        "case_id": item.case_id,
        "attempts": item.attempts,
        # In the practice's time zone: the person reading it is there.
        "next_try": item.next_try.astimezone(tz).isoformat(timespec="minutes")
        if item.next_try
        else None,
        "error": item.error,
    }


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per failed write.")
@click.pass_context
def effects(ctx: click.Context, as_json: bool) -> None:
    """Writes that failed (drafts, calendar entries, labels): each is tried again on later
    syncs, waiting longer after each failure, and shown in the summary until it is written
    or dismissed (`chief effects dismiss ID`). Same as `chief effects list`."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(effects_list, as_json=as_json)


@effects.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per failed write.")
@click.pass_context
def effects_list(ctx: click.Context, as_json: bool) -> None:
    """Every failed write: its ID, what it is, tries so far, next try (your time) and why."""
    from bot.store.case_ids import short_case_id
    from bot.sync.failed_writes import failed_writes

    rt = load_runtime(ctx)
    with rt.sessions() as session:
        items = failed_writes(session, rt.practice_id)
    if not items and not as_json:
        click.echo("No failed writes.")
    for item in items:
        row = _row(item, rt.tz)
        if as_json:
            click.echo(json.dumps(row, sort_keys=True))
            continue
        case = short_case_id(item.case_id) if item.case_id is not None else "-"
        when = f"{item.next_try.astimezone(rt.tz):%d %b %H:%M}" if item.next_try else "next sync"
        click.echo(
            f"{item.ident}  {item.kind:<8} {item.what:<40} case {case:<6} "
            f"tried {item.attempts}x, next {when}  {item.error}"
        )


@effects.command("dismiss")
@click.argument("ident", metavar="ID")
@click.pass_context
def effects_dismiss(ctx: click.Context, ident: str) -> None:
    """Stop trying a failed write (ID from `chief effects list`); recorded in `chief audit`.
    What it would have written is not written; a draft can be written by hand."""
    from bot.sync.failed_writes import dismiss

    item = dismiss(load_runtime(ctx), ident)
    click.echo(f"Dismissed {item.kind} {item.what} ({item.ident}); it will not be tried again.")
