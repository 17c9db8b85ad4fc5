"""``chief corrections``: the messages the practitioner refiled from the mailbox, and undo."""

from __future__ import annotations

import json

import click

from bot.cli.base import load_runtime

__all__ = ["corrections"]


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per correction.")
@click.pass_context
def corrections(ctx: click.Context, as_json: bool) -> None:
    """Messages you refiled by moving them to a Chief/<Category> folder (or label), newest
    first: what each was filed as, what it is now, the case, and the party it added. Same as
    `chief corrections list`; `chief corrections undo ID` takes one back."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(corrections_list, as_json=as_json)


@corrections.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per correction.")
@click.pass_context
def corrections_list(ctx: click.Context, as_json: bool) -> None:
    """Every correction: ID, when (your time), from what to what, case, party added."""
    from bot.store.case_ids import short_case_id
    from bot.sync.correction_log import corrections as listed

    rt = load_runtime(ctx)
    with rt.sessions() as session:
        items = listed(session, rt.practice_id)
    if not items and not as_json:
        click.echo("No corrections yet. Move a message to a Chief/<Category> folder to make one.")
    for item in items:
        case = short_case_id(item.case_id) if item.case_id is not None else None
        when = item.at.astimezone(rt.tz)
        if as_json:
            row = {
                "id": item.ident,
                "at": when.isoformat(timespec="minutes"),
                "folder": item.folder,
                "category": item.category,
                "was": item.was,
                "was_held": item.was_held,
                "case": case,
                "state": item.state,
                "party_added": item.party,
                "sender_domain": item.sender_domain,
            }
            click.echo(json.dumps(row, sort_keys=True))
            continue
        was = item.was or ("needs a look" if item.was_held else "unfiled")
        now = item.category or "not practice mail"
        party = f"  party added: {item.party}" if item.party else ""
        click.echo(
            f"{item.ident:>4}  {when:%d %b %H:%M}  {item.sender_domain:<28} {was} -> {now}"
            f"  case {case or '-'}  {item.state}{party}"
        )


@corrections.command("undo")
@click.argument("ident", metavar="ID", type=int)
@click.pass_context
def corrections_undo(ctx: click.Context, ident: int) -> None:
    """Take correction ID back: the message is filed as it was before, what the correction
    planned is withdrawn (drafts you edited stay), what it taught is forgotten and the party
    it added leaves the directory. The message goes back from the correction folder to the
    folder it was filed from (on Gmail the correction label comes off, and INBOX goes back
    on where it was taken off), so the next sync does not make the correction again."""
    from bot.sync.correction_log import undo
    from bot.sync.effects import apply_pending

    rt = load_runtime(ctx)
    undo(rt, ident)
    with rt.sync_lock(wait=True):
        written = apply_pending(rt)
    click.echo(
        f"Correction {ident} undone: {written.drafts_withdrawn} draft(s) withdrawn, "
        f"{written.drafts_written} written again."
    )
    for problem in written.errors:
        click.echo(f"  {problem}", err=True)
