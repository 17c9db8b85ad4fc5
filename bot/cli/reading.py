"""Commands that read the case log: ``summary``, ``cases``, ``deadlines``, ``payments``,
``referrers``, ``cpd`` and ``audit``."""

from __future__ import annotations

import json
from typing import Any

import click

from bot.cli.base import TODAY, emit, load_runtime

__all__ = ["audit", "cases", "cpd", "deadlines", "payments", "referrers", "summary"]


@click.command()
@click.option("--print", "print_", is_flag=True, help="Print the text version.")
@click.option("--send", is_flag=True, help="Deliver it to the practitioner (once a day).")
@click.option(
    "--open",
    "open_",
    is_flag=True,
    help="Write the HTML version under the data folder and print its path.",
)
@TODAY
@click.pass_context
def summary(ctx: click.Context, print_: bool, send: bool, open_: bool, today: Any) -> None:
    """The daily summary: what needs you today (drafts to sign, overdue, due this week,
    imaging booked before authorisation), the week ahead, then cases, payments by age,
    referral sources, CPD and new mail."""
    from bot.summary.delivery import deliver_summary
    from bot.summary.job import open_summary, summary_text

    rt = load_runtime(ctx, today.date() if today else None)
    if send:
        path = deliver_summary(rt)
        click.echo(f"summary delivered ({path})")
    if open_:
        click.echo(str(open_summary(rt)))
    if print_ or not (send or open_):
        click.echo(summary_text(rt))


# -------------------------------------------------------------------------------- cases


@click.group(invoke_without_command=True)
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

    for case in list_cases(load_runtime(ctx), include_closed=show_all):
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
@TODAY
@click.pass_context
def cases_show(ctx: click.Context, ident: str, as_json: bool, today: Any) -> None:
    """One case in full: references, events, deadlines and drafts (with where each opens).

    ID is the short id the summary shows (K7Q2MD; case and O/0, I/L/1 do not matter) or the
    case number (42).
    """
    from bot.summary.case_detail import case_detail, format_case_detail

    detail = case_detail(load_runtime(ctx, today.date() if today else None), ident)
    emit(detail, as_json, format_case_detail(detail))


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per deadline.")
@click.option("--within", default=60, show_default=True, help="Days ahead to show.")
@click.pass_context
def deadlines(ctx: click.Context, as_json: bool, within: int) -> None:
    """Open deadlines, overdue first, with the clock and its source; `chief deadlines done
    ID` closes one by hand."""
    if ctx.invoked_subcommand is not None:
        return
    from bot.cli.reports import list_deadlines

    for item in list_deadlines(load_runtime(ctx), within_days=within):
        if as_json:
            click.echo(json.dumps(item, default=str, sort_keys=True))
        else:
            flag = "OVERDUE " if item["overdue"] else ""
            click.echo(f"#{item['id']:<5} {item['due']}  {flag}{item['title']}  [{item['clock']}]")


@deadlines.command("done")
@click.argument("ident", metavar="ID", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def deadlines_done(ctx: click.Context, ident: int, as_json: bool) -> None:
    """Close deadline ID (the number `chief deadlines` shows) by hand: it leaves the open
    list, keeps the reason and time, and its calendar entry is marked closed on the next
    sync."""
    from bot.cli.reports import close_deadline_by_hand

    item = close_deadline_by_hand(load_runtime(ctx), ident)
    emit(item, as_json, f"#{item['id']} closed: {item['closed_reason']}  ({item['title']})")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per party and currency.")
@TODAY
@click.pass_context
def payments(ctx: click.Context, as_json: bool, today: Any) -> None:
    """Payment positions per payer and solicitor: billed, paid, outstanding, oldest unpaid.

    From the amounts in remittances, EOBs, claim notices and solicitors' payment advice; one
    line per party and currency (amounts in different currencies are never added).
    """
    from bot.features.payments import currency_totals, payment_positions

    rt = load_runtime(ctx, today.date() if today else None)
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


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per referrer.")
@TODAY
@click.pass_context
def referrers(ctx: click.Context, as_json: bool, today: Any) -> None:
    """Referral sources: last referral, last contact, open acknowledgements, quiet ones first.

    A referrer is quiet when its last new referral is older than [referrals] quiet_days.
    """
    from bot.features.referral_network import referral_sources

    rt = load_runtime(ctx, today.date() if today else None)
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


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@TODAY
@click.pass_context
def cpd(ctx: click.Context, as_json: bool, today: Any) -> None:
    """CME / CPD credits from certificates, against the register's requirements."""
    from bot.features.cpd import cpd_status

    status = cpd_status(load_runtime(ctx, today.date() if today else None))
    if as_json:
        emit(status.as_dict(), True, "")
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


@click.command()
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

    rt = load_runtime(ctx)
    entries = audit_trail(rt, parse_since(since, rt.now()) if since else None)
    for entry in entries:
        if as_json:
            click.echo(json.dumps(entry.as_dict(), sort_keys=True))
        else:
            click.echo(format_audit_entry(entry))
    if not as_json:
        click.echo(f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}", err=True)
