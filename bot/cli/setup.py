"""Commands that set a practice up and check it: ``init``, ``doctor``, ``auth``, ``classify``
and ``rules check``, and ``forget`` (erasure on request)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from bot.cli.base import emit, load_config, load_runtime

__all__ = ["auth", "classify", "doctor", "forget", "init", "rules"]


@click.command()
@click.option(
    "--dir",
    "folder",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("."),
    show_default=True,
    help="Folder for chief.toml and the practice's data.",
)
def init(folder: Path) -> None:
    """Create chief.toml for your practice by answering a few questions."""
    from bot.cli.init_config import interactive_init

    path = interactive_init(folder)
    click.echo(f"wrote {path}; next: chief --config {path} doctor")


# -------------------------------------------------------------------------------- auth


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--new-pseudonym-key",
    is_flag=True,
    help="The practice's pseudonym key is lost for good: make the one in this practice's data "
    "folder its key (patients seen before are no longer matched to their cases by name).",
)
@click.option(
    "--new-case-log",
    is_flag=True,
    help="The case log is lost for good: start a new one on purpose (drafts you discarded may "
    "be drafted again; the next sync logs your mail afresh).",
)
@click.pass_context
def doctor(ctx: click.Context, as_json: bool, new_pseudonym_key: bool, new_case_log: bool) -> None:
    """Check the configuration, rule packs, database and each connector."""
    from bot.cli.doctor import run_checks

    checks = run_checks(
        ctx.obj.get("config_path"), new_pseudonym_key=new_pseudonym_key, new_case_log=new_case_log
    )
    if as_json:
        emit({"checks": checks, "ok": all(c["ok"] for c in checks)}, True, "")
    else:
        for check in checks:
            mark = "ok  " if check["ok"] else "FAIL"
            click.echo(f"[{mark}] {check['name']}: {check['detail']}")
    if not all(c["ok"] for c in checks):
        sys.exit(1)


@click.group()
def auth() -> None:
    """Sign in to providers that use OAuth 2.0 (Google, Microsoft 365)."""


@auth.command("google")
@click.option(
    "--no-browser", is_flag=True, help="Print the sign-in address instead of opening a browser."
)
@click.pass_context
def auth_google(ctx: click.Context, no_browser: bool) -> None:
    """Sign in to Gmail and Google Calendar, and keep the grant safe.

    Opens Google's consent page for the narrowest permissions chief needs (read mail, write
    drafts, put the summary in your own inbox, your calendar's events; never full mail access)
    and keeps the grant in the OS keyring, or in the 0600 `token_file` named in chief.toml.
    Run it again whenever chief says the sign-in was revoked or has expired.
    """
    from connectors.google.auth import sign_in_for

    config = load_config(ctx)
    where, scopes = sign_in_for(config, open_browser=not no_browser)
    names = ", ".join(s.rpartition("/")[2] for s in scopes)
    click.echo(f"signed in to Google ({names}); the sign-in is kept in {where}")


@auth.command("microsoft")
@click.option(
    "--device-code",
    is_flag=True,
    help="Sign in with a code typed at microsoft.com/devicelogin from any device (for a "
    "server without a browser).",
)
@click.option(
    "--no-browser", is_flag=True, help="Print the sign-in address instead of opening a browser."
)
@click.pass_context
def auth_microsoft(ctx: click.Context, device_code: bool, no_browser: bool) -> None:
    """Sign in to Outlook / Microsoft 365 mail and calendar, and keep the sign-in safe.

    Opens Microsoft's sign-in page for the narrowest permissions chief needs: Mail.ReadWrite
    (read mail, write drafts) and Calendars.ReadWrite (your calendar), never Mail.Send. With
    --device-code it prints a code to enter at microsoft.com/devicelogin on any device
    instead. The sign-in is kept in the OS keyring, or in the 0600 `token_cache_file` named in
    chief.toml. Run it again whenever chief says the sign-in was revoked or has expired.
    """
    from connectors.microsoft.auth import sign_in_for

    config = load_config(ctx)
    where, scopes, user = sign_in_for(
        config, device_code=device_code, show=click.echo, open_browser=not no_browser
    )
    click.echo(
        f"signed in to Microsoft as {user} ({', '.join(scopes)}); the sign-in is kept in {where}"
    )


# -------------------------------------------------------------------------------- audit / forget


@click.command()
@click.option(
    "--rules",
    "rule_dirs",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="A rules folder layered over the shipped packs (repeatable).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per message.")
@click.option(
    "--no-learned", "no_learned", is_flag=True, help="Rules alone, without the learned model."
)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
def classify(
    rule_dirs: tuple[Path, ...], as_json: bool, no_learned: bool, paths: tuple[Path, ...]
) -> None:
    """Classify .eml files or Maildirs (no database, nothing written).

    Prints, per message: category, case kind, event, winning rule (or the learned model and
    its confidence, where no rule fired), extracted references, the date by which to act
    (stated in the message, or computed by the rule's clock), and "needs a look" with the
    model's guess where the bot would not act alone.
    """
    from bot.cli.classify_files import classify_paths

    records = classify_paths(list(paths), list(rule_dirs), not as_json, not no_learned)
    for record in records:
        if as_json:
            click.echo(json.dumps(record, sort_keys=True))
        else:
            source = record["rule"] or "no rule"
            if record["source"] == "model":
                source = f"model {record['confidence']:.2f}: {record['rule']}"
            guess = record.get("guess") or {}
            look = (
                f"  NEEDS A LOOK ({record['needs_look']}; guess {guess.get('category')} "
                f"{guess.get('confidence', 0):.2f})"
                if record.get("needs_look")
                else ""
            )
            what = record.get("error") or (
                f"{record['category'] or '-'} / {record['case_kind'] or '-'} / "
                f"{record['event'] or '-'}  [{source}]"
                + (f"  act by {record['deadline']}" if record["deadline"] else "")
                + look
            )
            click.echo(f"{record['path']}: {what}")


# -------------------------------------------------------------------------------- rules


@click.group()
def rules() -> None:
    """Rule packs: check them."""


@rules.command("check")
@click.argument("dirs", nargs=-1, type=click.Path(path_type=Path, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def rules_check(dirs: tuple[Path, ...], as_json: bool) -> None:
    """Validate rule packs: the shipped ones, then each DIR layered over them.

    Prints `file:line: message` for every problem and exits 1 if there is any.
    """
    from bot.cli.rule_check import check_rules

    result = check_rules(list(dirs))
    if as_json:
        emit(result, True, "")
    else:
        for problem in result["problems"]:
            click.echo(problem)
        click.echo(
            f"{result['rules']} rules, {result['parties']} parties, {result['clocks']} clocks, "
            f"{len(result['problems'])} problem(s)",
            err=bool(result["problems"]),
        )
    if result["problems"]:
        sys.exit(1)


# -------------------------------------------------------------------------------- sync / run


@click.command()
@click.argument("ident", metavar="CASE")
@click.option("--yes", is_flag=True, help="Forget without asking.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def forget(ctx: click.Context, ident: str, yes: bool, as_json: bool) -> None:
    """Forget a case (an erasure or subject access request): its references, events,
    deadlines, calendar entries, amounts, its messages' details and its drafts' text.

    CASE is the short id the summary shows (K7Q2MD) or the case number (42). Its messages
    keep their keys, so a later sync never reads them again as new mail or reopens the case.
    Drafts and calendar entries already written stay where they are for you to delete.
    """
    from bot.errors import UserError
    from bot.features.retention import forget_case

    rt = load_runtime(ctx)
    if not yes:
        preview = forget_case(rt, ident, dry_run=True)
        if preview.already_forgotten:
            yes = True  # nothing to confirm: reported below
        elif not sys.stdin.isatty():
            raise UserError(f"not forgetting case {preview.case} without --yes", [])
        else:
            click.confirm(
                f"Forget case {preview.case} (#{preview.number}): {preview.messages} message(s),"
                f" {preview.refs} reference(s), {preview.deadlines} deadline(s),"
                f" {preview.drafts} draft(s)? This cannot be undone",
                abort=True,
            )
    report = forget_case(rt, ident)
    if as_json:
        emit(report.as_dict(), True, "")
    elif report.already_forgotten:
        click.echo(f"case {report.case} (#{report.number}) was already forgotten")
    else:
        click.echo(
            f"case {report.case} (#{report.number}) forgotten: {report.messages} message(s) "
            f"reduced to their keys, {report.refs} reference(s), {report.events} event(s), "
            f"{report.deadlines} deadline(s), {report.calendar_entries} calendar entr(ies), "
            f"{report.payments} amount(s) removed, {report.drafts} draft(s) emptied"
        )
