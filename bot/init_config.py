"""``chief init``: write a starting chief.toml from a few answers (embedded Maildir + .ics)."""

from __future__ import annotations

from pathlib import Path

import click
import tomli_w

from bot.errors import UserError

__all__ = ["interactive_init"]


def interactive_init(folder: Path) -> Path:
    target = folder / "chief.toml"
    if target.exists():
        raise UserError(f"{target} already exists", ["edit it, or choose another --dir"])
    name = click.prompt("Practice name")
    practitioner = click.prompt("Your name as it appears on letters")
    address = click.prompt("Your e-mail address (summaries go here, and only here)")
    country = click.prompt("Country", type=click.Choice(["US", "GB"]), default="US")
    timezone = click.prompt(
        "Time zone", default="America/New_York" if country == "US" else "Europe/London"
    )
    maildir = click.prompt("Maildir folder to watch", default="Maildir")
    calendar = click.prompt(".ics calendar file", default="calendar.ics")
    slug = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-") or "practice"
    config = {
        "practice": {
            "name": name,
            "slug": slug[:60],
            "practitioner": practitioner,
            "email": address,
            "country": country,
            "timezone": timezone,
        },
        "mail": {"connector": "maildir", "path": maildir},
        "calendar": {"connector": "ics", "path": calendar},
        "database": {"url": "sqlite:///data/chief.db"},
    }
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(tomli_w.dumps(config), encoding="utf-8")
    from bot.config import load_config

    load_config(target)  # what we wrote must be valid
    return target
