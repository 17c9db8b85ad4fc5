"""What every command shares: the one error boundary, loading the practice, printing."""

from __future__ import annotations

import json
import traceback
from datetime import date
from pathlib import Path
from typing import Any

import click

from bot.errors import ChiefError

__all__ = ["TODAY", "ChiefGroup", "emit", "load_config", "load_runtime"]


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


def load_config(ctx: click.Context) -> Any:
    """chief.toml, refused when group or others can read it (it names the practice's
    secret files and token helpers)."""
    from bot.config import find_config, load_config
    from bot.file_safety import require_private

    path = find_config(ctx.obj.get("config_path"))
    require_private(path, "configuration")
    return load_config(path)


def load_runtime(ctx: click.Context, today: date | None = None, dry_run: bool = False) -> Any:
    """The practice's runtime, closed when the command ends (its connections logged out, a
    dry run's case log changes rolled back)."""
    from bot.sync.runtime import Runtime

    rt = Runtime.from_config(load_config(ctx), today=today, dry_run=dry_run)
    ctx.call_on_close(rt.close)
    return rt


def emit(data: Any, as_json: bool, text: str) -> None:
    if as_json:
        click.echo(json.dumps(data, default=str, sort_keys=True))
    else:
        click.echo(text)


TODAY = click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Pretend today is this date (the demo practice lives on 2026-11-24).",
)
