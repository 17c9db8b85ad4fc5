"""``chief init``: write a starting chief.toml from a few answers (embedded Maildir + .ics, or
Gmail + Google Calendar with the OAuth sign-in)."""

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
    provider = click.prompt(
        "Your mail: a Maildir on this computer, or Gmail / Google Workspace",
        type=click.Choice(["maildir", "gmail"]),
        default="maildir",
    )
    if provider == "gmail":
        secrets = click.prompt(
            "The Desktop app OAuth client file from Google Cloud console",
            default="client_secret.json",
        )
        google = {"account": address, "token_file": "data/google-token.json"}
        mail = {"connector": "gmail", "client_secrets_file": secrets, **google}
        calendar = {"connector": "google_calendar", **google}
    else:
        maildir = click.prompt("Maildir folder to watch", default="Maildir")
        ics = click.prompt(".ics calendar file", default="calendar.ics")
        mail = {"connector": "maildir", "path": maildir}
        calendar = {"connector": "ics", "path": ics}
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
        "mail": mail,
        "calendar": calendar,
        "database": {"url": "sqlite:///data/chief.db"},
    }
    from bot.file_safety import create_private_file, private_dir

    private_dir(folder)
    create_private_file(target)  # 0600: `chief` refuses a configuration others can read
    target.write_text(tomli_w.dumps(config), encoding="utf-8")
    from bot.config import load_config

    written = load_config(target)  # what we wrote must be valid
    if provider == "gmail" and click.confirm("Sign in to Google now?", default=True):
        from connectors.google_auth import sign_in_for

        where, _ = sign_in_for(written)
        click.echo(f"signed in to Google; the sign-in is kept in {where}")
    return target
