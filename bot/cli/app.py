"""The ``chief`` command line: one group, its commands from ``running``, ``reading`` and
``setup``. One error handler (``base.ChiefGroup``): a ChiefError is a clear message and exit 1;
``-v`` adds debug logging (ids and hashes only) and tracebacks."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from bot import __version__
from bot.cli import reading, running, setup
from bot.cli.base import ChiefGroup
from bot.cli.corrections import corrections
from bot.cli.effects import effects
from bot.cli.network import network

__all__ = ["main"]


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


main.add_command(running.demo)
main.add_command(running.sync)
main.add_command(effects)
main.add_command(corrections)
main.add_command(running.run)
main.add_command(running.worker)
main.add_command(reading.summary)
main.add_command(reading.cases)
main.add_command(reading.deadlines)
main.add_command(reading.payments)
main.add_command(reading.referrers)
main.add_command(network)
main.add_command(reading.cpd)
main.add_command(reading.audit)
main.add_command(setup.init)
main.add_command(setup.doctor)
main.add_command(setup.auth)
main.add_command(setup.classify)
main.add_command(setup.rules)
main.add_command(setup.forget)
