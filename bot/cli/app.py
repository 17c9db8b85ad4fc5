"""The ``chief`` command line. One error handler: a ChiefError is a clear message and exit 1;
``-v`` adds debug logging (ids and hashes only) and tracebacks."""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import date
from pathlib import Path
from typing import Any

import click

from bot import __version__
from bot.errors import ChiefError

__all__ = ["main"]


class ChiefGroup(click.Group):
    """Turns our own errors into one clear message instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ChiefError as exc:
            if ctx.meta.get("chief.verbose"):
                traceback.print_exc()
            click.echo(f"chief: {exc}", err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.ClickException, KeyboardInterrupt):
            raise
        except Exception as exc:
            # A bug: name where, never the values (they may hold patient data).
            if ctx.meta.get("chief.verbose"):
                traceback.print_exc()
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            click.echo(
                f"chief: internal error ({type(exc).__name__} at "
                f"{Path(frame.filename).name}:{frame.lineno}); run with -v for the traceback",
                err=True,
            )
            ctx.exit(70)


@click.group(cls=ChiefGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-v", "--verbose", is_flag=True, help="Debug logging to stderr, tracebacks on errors."
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Path of chief.toml (default: $CHIEF_CONFIG, else ./chief.toml).",
)
@click.version_option(__version__, prog_name="chief")
@click.pass_context
def main(ctx: click.Context, verbose: bool, config_path: Path | None) -> None:
    """Practice Chief of Staff: your practice's back office, run from your mailbox and calendar.

    Watches the inbox, files each message against its case (prior authorisations, claims,
    medico-legal instructions, EHCP requests, referrals...), drafts replies into your Drafts
    folder and puts deadlines and renewals in your calendar. It never sends anything to
    anyone but you.

    Start with `chief demo` to see it work on a sample practice, no account needed.
    """
    ctx.ensure_object(dict)
    ctx.meta["chief.verbose"] = verbose
    ctx.obj["config_path"] = config_path
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def _load_config(ctx: click.Context) -> Any:
    """chief.toml, refused when group or others can read it (it names the practice's
    secret files and token helpers)."""
    from bot.config import find_config, load_config
    from bot.file_safety import require_private

    path = find_config(ctx.obj.get("config_path"))
    require_private(path, "configuration")
    return load_config(path)


def _load_runtime(ctx: click.Context, today: date | None = None) -> Any:
    from bot.sync.runtime import Runtime

    return Runtime.from_config(_load_config(ctx), today=today)


def _emit(data: Any, as_json: bool, text: str) -> None:
    if as_json:
        click.echo(json.dumps(data, default=str, sort_keys=True))
    else:
        click.echo(text)


# -------------------------------------------------------------------------------- demo
@main.command()
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

    Copies a sample mailbox (a Maildir) and calendar into HOME, then classifies every message,
    files it against cases, writes reply drafts into the Maildir's Drafts folder, puts
    deadlines, renewals and team events into the .ics calendar, and delivers the daily
    summary into the inbox. Running it again adds nothing.
    """
    from bot.cli.demo import run_demo

    result = run_demo(home, practice, today.date() if today else None, progress=not as_json)
    if as_json:
        _emit(result, True, "")
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
@main.command()
@click.option(
    "--rules",
    "rule_dirs",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="A rules folder layered over the shipped packs (repeatable).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per message.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
def classify(rule_dirs: tuple[Path, ...], as_json: bool, paths: tuple[Path, ...]) -> None:
    """Classify .eml files or Maildirs (no database, nothing written).

    Prints, per message: category, case kind, event, winning rule, extracted references and
    the date by which to act (stated in the message, or computed by the rule's clock).
    """
    from bot.cli.classify_files import classify_paths

    for record in classify_paths(list(paths), list(rule_dirs), progress=not as_json):
        if as_json:
            click.echo(json.dumps(record, sort_keys=True))
        else:
            what = record.get("error") or (
                f"{record['category'] or '-'} / {record['case_kind'] or '-'} / "
                f"{record['event'] or '-'}  [{record['rule'] or 'no rule'}]"
                + (f"  act by {record['deadline']}" if record["deadline"] else "")
            )
            click.echo(f"{record['path']}: {what}")


# -------------------------------------------------------------------------------- rules
@main.group()
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
        _emit(result, True, "")
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
@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def sync(ctx: click.Context, as_json: bool) -> None:
    """Run one pass: new mail in, drafts and calendar entries out."""
    from bot.jobs.catalogue import sync as run_sync
    from bot.progress import counter

    rt = _load_runtime(ctx)
    with counter("Reading mail", enabled=not as_json) as advance:
        report = run_sync(rt, progress=advance)
    data = report.as_dict()
    _emit(
        data,
        as_json,
        f"{report.messages} new message(s), {report.cases_opened} case(s) opened, "
        f"{report.drafts_written} draft(s), {report.calendar_written} calendar entr(ies), "
        f"{len(report.errors)} problem(s)",
    )
    if not as_json:
        for problem in report.errors:
            click.echo(f"  {problem}", err=True)


@main.command()
@click.pass_context
def run(ctx: click.Context) -> None:
    """Run unattended: sync every few minutes and send the daily summary (Ctrl-C stops)."""
    from bot.jobs.scheduler import run_forever

    run_forever(_load_runtime(ctx))


@main.command()
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
_TODAY = click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Pretend today is this date (the demo practice lives on 2026-11-24).",
)


@main.command()
@click.option("--print", "print_", is_flag=True, help="Print the text version.")
@click.option("--send", is_flag=True, help="Deliver it to the practitioner (once a day).")
@click.option(
    "--open",
    "open_",
    is_flag=True,
    help="Write the HTML version under the data folder and print its path.",
)
@_TODAY
@click.pass_context
def summary(ctx: click.Context, print_: bool, send: bool, open_: bool, today: Any) -> None:
    """The daily summary: what needs you today (drafts to sign, overdue, due this week,
    imaging booked before authorisation), the week ahead, then cases, payments by age,
    referral sources, CPD and new mail."""
    from bot.summary.job import deliver_summary, open_summary, summary_text

    rt = _load_runtime(ctx, today.date() if today else None)
    if send:
        path = deliver_summary(rt)
        click.echo(f"summary delivered ({path})")
    if open_:
        click.echo(str(open_summary(rt)))
    if print_ or not (send or open_):
        click.echo(summary_text(rt))


# -------------------------------------------------------------------------------- cases
@main.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per case.")
@click.option("--all", "show_all", is_flag=True, help="Include closed cases.")
@click.pass_context
def cases(ctx: click.Context, as_json: bool, show_all: bool) -> None:
    """List cases with their short id (as the summary shows it), references, status and
    next deadline; `chief cases show ID` shows one in full."""
    if ctx.invoked_subcommand is not None:
        return
    from bot.cli.reports import list_cases
    from bot.store.case_ids import short_case_id

    for case in list_cases(_load_runtime(ctx), include_closed=show_all):
        case["short_id"] = short_case_id(case["id"])
        if as_json:
            click.echo(json.dumps(case, default=str, sort_keys=True))
        else:
            refs = ", ".join(f"{k}={v}" for k, v in case["refs"].items()) or "-"
            due = case["next_due"] or "-"
            click.echo(
                f"{case['short_id']} #{case['id']:<5} {case['kind']:<16} {case['status']:<12} "
                f"next due {due!s:<10}  {refs}"
            )


@cases.command("show")
@click.argument("ident", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@_TODAY
@click.pass_context
def cases_show(ctx: click.Context, ident: str, as_json: bool, today: Any) -> None:
    """One case in full: references, events, deadlines and drafts (with where each opens).

    ID is the short id the summary shows (K7Q2MD; case and O/0, I/L/1 do not matter) or the
    case number (42).
    """
    from bot.summary.case_detail import case_detail, format_case_detail

    detail = case_detail(_load_runtime(ctx, today.date() if today else None), ident)
    _emit(detail, as_json, format_case_detail(detail))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per deadline.")
@click.option("--within", default=60, show_default=True, help="Days ahead to show.")
@click.pass_context
def deadlines(ctx: click.Context, as_json: bool, within: int) -> None:
    """Open deadlines, overdue first, with the clock and its source."""
    from bot.cli.reports import list_deadlines

    for item in list_deadlines(_load_runtime(ctx), within_days=within):
        if as_json:
            click.echo(json.dumps(item, default=str, sort_keys=True))
        else:
            flag = "OVERDUE " if item["overdue"] else ""
            click.echo(f"{item['due']}  {flag}{item['title']}  [{item['clock']}]")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per party and currency.")
@_TODAY
@click.pass_context
def payments(ctx: click.Context, as_json: bool, today: Any) -> None:
    """Payment positions per payer and solicitor: billed, paid, outstanding, oldest unpaid.

    From the amounts in remittances, EOBs, claim notices and solicitors' payment advice; one
    line per party and currency (amounts in different currencies are never added).
    """
    from bot.features.payments import currency_totals, payment_positions

    rt = _load_runtime(ctx, today.date() if today else None)
    with rt.sessions() as session:
        positions = payment_positions(session, rt.practice_id, rt.today())
    if as_json:
        for position in positions:
            click.echo(json.dumps(position.as_dict(), sort_keys=True))
        return
    for total in currency_totals(positions):
        click.echo(total.currency)
        for p in (p for p in positions if p.currency == total.currency):
            oldest = (
                f"  oldest unpaid {p.oldest_unpaid} ({p.oldest_unpaid_days} days)"
                if p.oldest_unpaid
                else ""
            )
            click.echo(
                f"  {p.party[:34]:<34} {p.category:<9} billed {p.billed!s:>11}  "
                f"paid {p.paid!s:>11}  outstanding {p.outstanding!s:>11}{oldest}"
            )
        click.echo(
            f"  {'total':<34} {'':<9} billed {total.billed!s:>11}  paid {total.paid!s:>11}  "
            f"outstanding {total.outstanding!s:>11}"
        )


@main.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per referrer.")
@_TODAY
@click.pass_context
def referrers(ctx: click.Context, as_json: bool, today: Any) -> None:
    """Referral sources: last referral, last contact, open acknowledgements, quiet ones first.

    A referrer is quiet when its last new referral is older than [referrals] quiet_days.
    """
    from bot.features.referral_network import referral_sources

    rt = _load_runtime(ctx, today.date() if today else None)
    with rt.sessions() as session:
        sources = referral_sources(
            session,
            rt.practice_id,
            rt.rules.parties,
            rt.today(),
            rt.config.referrals.quiet_days,
            rt.tz,
        )
    for source in sources:
        if as_json:
            click.echo(json.dumps(source.as_dict(), sort_keys=True))
            continue
        flag = "QUIET " if source.quiet else ""
        click.echo(
            f"{flag}{source.label}: {source.referrals} referral(s), last "
            f"{source.last_referral or '-'}, last contact {source.last_contact}, "
            f"{source.open_acknowledgements} open acknowledgement(s)"
        )


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@_TODAY
@click.pass_context
def cpd(ctx: click.Context, as_json: bool, today: Any) -> None:
    """CME / CPD credits from certificates, against the register's requirements."""
    from bot.features.cpd import cpd_status

    status = cpd_status(_load_runtime(ctx, today.date() if today else None))
    if as_json:
        _emit(status.as_dict(), True, "")
        return
    if not status.requirements:
        click.echo("no CME requirement in the register (add `cme:` to register.yaml)")
    for req in status.requirements:
        pending = f", {req.pending:g} pending" if req.pending else ""
        click.echo(
            f"{req.name}: {req.earned:g} of {req.required:g} {req.unit}, "
            f"{req.remaining:g} still needed by {req.period_end} "
            f"({req.status.replace('_', ' ')}{pending})"
        )
        for line in req.certificates:
            click.echo(f"  {line.completed}  {line.credits:>6g}  {_certificate_label(line)}")
    others = [c for c in status.certificates if c.status != "counted"]
    if others:
        click.echo("Not counted:")
        for line in others:
            click.echo(
                f"  {line.completed}  {line.status:<9} {line.credits:g}  {_certificate_label(line)}"
            )


def _certificate_label(line: Any) -> str:
    course = line.course or "[course not read]"
    return f"{course} ({line.provider})" if line.provider else course


# -------------------------------------------------------------------------------- doctor / init
@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--new-pseudonym-key",
    is_flag=True,
    help="The practice's pseudonym key is lost for good: make the one in this practice's data "
    "folder its key (patients seen before are no longer matched to their cases by name).",
)
@click.pass_context
def doctor(ctx: click.Context, as_json: bool, new_pseudonym_key: bool) -> None:
    """Check the configuration, rule packs, database and each connector."""
    from bot.cli.doctor import run_checks

    checks = run_checks(ctx.obj.get("config_path"), new_pseudonym_key=new_pseudonym_key)
    if as_json:
        _emit({"checks": checks, "ok": all(c["ok"] for c in checks)}, True, "")
    else:
        for check in checks:
            mark = "ok  " if check["ok"] else "FAIL"
            click.echo(f"[{mark}] {check['name']}: {check['detail']}")
    if not all(c["ok"] for c in checks):
        sys.exit(1)


@main.command()
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
@main.group()
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

    config = _load_config(ctx)
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

    config = _load_config(ctx)
    where, scopes, user = sign_in_for(
        config, device_code=device_code, show=click.echo, open_browser=not no_browser
    )
    click.echo(
        f"signed in to Microsoft as {user} ({', '.join(scopes)}); the sign-in is kept in {where}"
    )


# -------------------------------------------------------------------------------- audit / forget
@main.command()
@click.option(
    "--since",
    metavar="DATE|DURATION",
    default=None,
    help="Only entries from this date (2026-11-01) or this long ago (12h, 7d, 2w).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per entry.")
@click.pass_context
def audit(ctx: click.Context, since: str | None, as_json: bool) -> None:
    """The audit trail, oldest first: every draft, calendar entry, summary and renewal
    checklist chief wrote, and every case forgotten, with its time, connector, key, remote id,
    case and rule. Ids and keys only: never a subject, a name or a body.
    """
    from bot.sync.audit import audit_trail, format_audit_entry, parse_since

    rt = _load_runtime(ctx)
    entries = audit_trail(rt, parse_since(since, rt.now()) if since else None)
    for entry in entries:
        if as_json:
            click.echo(json.dumps(entry.as_dict(), sort_keys=True))
        else:
            click.echo(format_audit_entry(entry))
    if not as_json:
        click.echo(f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}", err=True)


@main.command()
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

    rt = _load_runtime(ctx)
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
        _emit(report.as_dict(), True, "")
    elif report.already_forgotten:
        click.echo(f"case {report.case} (#{report.number}) was already forgotten")
    else:
        click.echo(
            f"case {report.case} (#{report.number}) forgotten: {report.messages} message(s) "
            f"reduced to their keys, {report.refs} reference(s), {report.events} event(s), "
            f"{report.deadlines} deadline(s), {report.calendar_entries} calendar entr(ies), "
            f"{report.payments} amount(s) removed, {report.drafts} draft(s) emptied"
        )


if __name__ == "__main__":  # pragma: no cover
    main()
