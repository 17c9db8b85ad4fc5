"""``chief init``: write a starting chief.toml from a few answers (embedded Maildir + .ics,
Gmail + Google Calendar, or Outlook / Microsoft 365 mail + calendar, with the sign-in)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import tomli_w

from bot.errors import UserError

__all__ = ["interactive_init"]


def _outlook_settings(address: str, client_id: str, tenant: str) -> dict[str, Any]:
    """The keys [mail] and [calendar] share for one Microsoft 365 sign-in."""
    return {
        "account": address,
        "client_id": client_id,
        "tenant": tenant,
        "token_cache_file": "data/microsoft-token.json",
    }


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
        "Your mail: a Maildir on this computer, Gmail / Google Workspace, or Outlook / "
        "Microsoft 365",
        type=click.Choice(["maildir", "gmail", "outlook"]),
        default="maildir",
    )
    microsoft_sign_in = "later"
    if provider == "gmail":
        secrets = click.prompt(
            "The Desktop app OAuth client file from Google Cloud console",
            default="client_secret.json",
        )
        google = {"account": address, "token_file": "data/google-token.json"}
        mail = {"connector": "gmail", "client_secrets_file": secrets, **google}
        calendar = {"connector": "google_calendar", **google}
    elif provider == "outlook":
        client_id = click.prompt(
            "The Application (client) ID of your app registration in Microsoft Entra "
            "(a public client, redirect URI http://localhost)"
        ).strip()
        tenant = click.prompt(
            "Its Directory (tenant) ID, or organizations / consumers / common",
            default="common",
        ).strip()
        microsoft = _outlook_settings(address, client_id, tenant)
        mail = {"connector": "outlook", **microsoft}
        calendar = {"connector": "outlook_calendar", **microsoft}
        microsoft_sign_in = click.prompt(
            "Sign in to Microsoft now: in a browser here, with a code entered on any "
            "device, or later with `chief auth microsoft`",
            type=click.Choice(["browser", "device-code", "later"]),
            default="browser",
        )
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
        from connectors.google.auth import sign_in_for

        where, _ = sign_in_for(written)
        click.echo(f"signed in to Google; the sign-in is kept in {where}")
    if provider == "outlook" and microsoft_sign_in != "later":
        from connectors.microsoft.auth import sign_in_for as microsoft_sign_in_for

        where, _, user = microsoft_sign_in_for(
            written, device_code=microsoft_sign_in == "device-code", show=click.echo
        )
        click.echo(f"signed in to Microsoft as {user}; the sign-in is kept in {where}")
    elif provider == "outlook":
        click.echo(f"sign in before the first sync: chief --config {target} auth microsoft")
    return target
