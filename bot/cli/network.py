"""``chief network``: the allied practitioners the practice refers to and hears from, and gaps."""

from __future__ import annotations

import json
from typing import Any

import click

from bot.cli.base import TODAY, load_runtime

__all__ = ["network"]


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@TODAY
@click.pass_context
def network(ctx: click.Context, as_json: bool, today: Any) -> None:
    """The practitioner network both ways: each allied practitioner with modality, referrals
    out and in, open ones, median days to first report, last contact and your outcome notes;
    then the modalities of [referrals] modalities with no one active in [referrals] gap_months.
    """
    from bot.features.practitioner_network import network as build

    found = build(load_runtime(ctx, today.date() if today else None))
    if as_json:
        click.echo(json.dumps(found.as_dict(), sort_keys=True))
        return
    for p in found.practitioners:
        median = p.median_days_to_first_report
        click.echo(
            f"{p.label} ({p.modality or 'modality not known'}): {p.referrals_out} out, "
            f"{p.referrals_in} in, {p.open_out} open"
            f"{f' ({p.chased} chased)' if p.chased else ''}, first report "
            f"{'-' if median is None else f'{median:g} days'} (median), last contact "
            f"{p.last_contact or '-'}"
        )
        for outcome in p.outcomes:
            click.echo(f"  outcome: {outcome}")
    for gap in found.gaps:
        click.echo(f"GAP {gap}: no practitioner active in the last {found.gap_months} months")
    if not found.practitioners and not found.gaps:
        click.echo("no referrals in or out yet")
