"""`chief auth google` runs the real installed-app flow (google-auth-oauthlib, PKCE) against the
local server's consent and token endpoints, asks for the narrow scopes only, keeps the grant in
a 0600 file when no OS keyring is usable; `chief doctor` then checks Gmail and Calendar, and says
how to sign in again once the grant is revoked."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.errors import UserError
from connectors.google.auth import TokenStore
from tests.servers.google_api import GoogleApiServer
from tests.servers.os_keyring import OsKeyring

pytestmark = pytest.mark.servers

ACCOUNT = "dr@practice.example"

# A browser that follows the consent page's redirect back to the sign-in's local server. Like
# a desktop browser's launcher it returns at once and loads the page in the background: Python's
# webbrowser waits for the command to exit before the sign-in starts answering on its local
# server, so a launcher that waited for the page would stall until its own timeout. It lets go
# of the output it inherits, so `chief` is not waited for past its own exit.
BROWSER = """\
import os, sys, urllib.request
if os.fork():
    os._exit(0)
quiet = os.open(os.devnull, os.O_WRONLY)
os.dup2(quiet, 1)
os.dup2(quiet, 2)
urllib.request.urlopen(sys.argv[1], timeout=30).read()
"""


@pytest.fixture
def server() -> Iterator[GoogleApiServer]:
    api = GoogleApiServer(account=ACCOUNT).start()
    try:
        yield api
    finally:
        api.stop()
    assert api.problems == []


def practice(home: Path, server: GoogleApiServer) -> Path:
    home.mkdir(parents=True)
    (home / "client_secret.json").write_text(
        json.dumps(
            {
                "installed": {
                    "client_id": server.client_id,
                    "client_secret": server.client_secret,
                    "auth_uri": server.root_url + "auth",
                    "token_uri": server.token_uri,
                    "redirect_uris": ["http://localhost"],
                }
            }
        )
    )
    common = (
        f'account = "{ACCOUNT}"\ntoken_file = "data/google-token.json"\n'
        f'api_root = "{server.root_url}"\nretry_base_s = 0.01\n'
    )
    (home / "chief.toml").write_text(
        "[practice]\n"
        'name = "Test Practice"\npractitioner = "Dr Test"\n'
        f'email = "{ACCOUNT}"\ntimezone = "Europe/London"\n\n'
        f'[mail]\nconnector = "gmail"\nclient_secrets_file = "client_secret.json"\n{common}\n'
        f'[calendar]\nconnector = "google_calendar"\n{common}'
    )
    (home / "chief.toml").chmod(0o600)
    browser = home / "browser.py"
    browser.write_text(f"#!{sys.executable}\n{BROWSER}")
    browser.chmod(0o755)
    return home / "chief.toml"


def chief(
    config: Path, *args: str, keyring: OsKeyring | None = None
) -> subprocess.CompletedProcess[str]:
    """Run chief; with no OS keyring unless ``keyring`` gives one."""
    env = {
        **(keyring.env if keyring else os.environ),
        "CHIEF_CONFIG": str(config),
        "BROWSER": str(config.parent / "browser.py"),
        "OAUTHLIB_INSECURE_TRANSPORT": "1",  # the local token endpoint is plain http
    }
    if keyring is None:
        env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    return subprocess.run(["chief", *args], env=env, capture_output=True, text=True, timeout=120)


def doctor(config: Path, keyring: OsKeyring | None = None) -> dict[str, Any]:
    done = chief(config, "doctor", "--json", keyring=keyring)
    return {c["name"]: c for c in json.loads(done.stdout)["checks"]}


def test_sign_in_with_narrow_scopes_then_doctor_then_revoked(
    server: GoogleApiServer, tmp_path: Path
) -> None:
    config = practice(tmp_path / "practice", server)
    signed = chief(config, "auth", "google")
    assert signed.returncode == 0, signed.stderr
    assert "gmail.readonly" in signed.stdout and "google-token.json" in signed.stdout

    (consent,) = server.auth_requests
    assert sorted(consent["scope"].split()) == [
        "https://www.googleapis.com/auth/calendar.events.owned",
        "https://www.googleapis.com/auth/gmail.compose",
        "https://www.googleapis.com/auth/gmail.insert",
        "https://www.googleapis.com/auth/gmail.readonly",
    ]
    assert consent["code_challenge_method"] == "S256" and consent["access_type"] == "offline"
    token = config.parent / "data" / "google-token.json"
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    grant = json.loads(token.read_text())
    assert grant["refresh_token"] and "token" not in grant  # the grant, never an access token

    checks = doctor(config)
    assert checks["mail (gmail)"]["ok"], checks["mail (gmail)"]
    assert "signed in to Gmail as dr@practice.example" in checks["mail (gmail)"]["detail"]
    assert checks["calendar (google_calendar)"]["ok"], checks["calendar (google_calendar)"]

    server.revoke(grant["refresh_token"])
    checks = doctor(config)
    assert not checks["mail (gmail)"]["ok"]
    assert "chief auth google" in checks["mail (gmail)"]["detail"]


def test_sign_in_needs_an_oauth_client(server: GoogleApiServer, tmp_path: Path) -> None:
    config = practice(tmp_path / "practice", server)
    config.write_text(
        config.read_text().replace('client_secrets_file = "client_secret.json"\n', "")
    )
    done = chief(config, "auth", "google")
    assert done.returncode == 1 and "client_secrets_file" in done.stderr


def test_token_store_without_a_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    import keyring.core

    keyring.core.init_backend()
    try:
        store = TokenStore(ACCOUNT, tmp_path / "t.json", "auto", "mail")
        assert store.describe() == str(tmp_path / "t.json")
        store.save({"refresh_token": "x"})
        assert stat.S_IMODE((tmp_path / "t.json").stat().st_mode) == 0o600
        assert store.load() == {"refresh_token": "x"}
        with pytest.raises(UserError, match="no OS keyring"):
            TokenStore(ACCOUNT, None, "keyring", "mail")
        with pytest.raises(UserError, match="token_file"):
            TokenStore(ACCOUNT, None, "auto", "mail")
    finally:
        monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
        keyring.core.init_backend()


def test_init_for_gmail_writes_a_valid_config(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from bot.cli.app import main
    from bot.config import load_config

    answers = "Test Practice\nDr Test\ndr@practice.example\nGB\nEurope/London\ngmail\n\nn\n"
    done = CliRunner().invoke(main, ["init", "--dir", str(tmp_path)], input=answers)
    assert done.exit_code == 0, done.output
    config = load_config(tmp_path / "chief.toml")
    name, mail = config.connector_args("mail")
    assert name == "gmail" and mail["token_file"] == tmp_path / "data" / "google-token.json"
    assert config.connector_args("calendar")[0] == "google_calendar"


def test_readme_google_keys_are_real(tmp_path: Path) -> None:
    import re

    from bot.config import load_config

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    blocks = re.findall(r"```toml\n(.*?)```", readme, re.S)
    practice = blocks[0][blocks[0].index("[practice]") : blocks[0].index("[rules]")]
    google = next(b for b in blocks if 'connector = "gmail"' in b)
    (tmp_path / "chief.toml").write_text(practice + google)
    config = load_config(tmp_path / "chief.toml")
    for section in ("mail", "calendar"):
        _, kwargs = config.connector_args(section)  # raises on a key the connector lacks
        assert kwargs["token_file"] == tmp_path / "data" / "google-token.json"


@pytest.fixture
def os_keyring(tmp_path: Path) -> Iterator[OsKeyring]:
    ring = OsKeyring(tmp_path / "desktop").start()
    try:
        yield ring
    finally:
        ring.stop()


def stored_in(ring: OsKeyring) -> dict[str, Any] | None:
    """The grant as another program on the desktop reads it from the Secret Service."""
    read = subprocess.run(
        [
            sys.executable,
            "-c",
            "import keyring; print(keyring.get_password('practice-chief', 'google:"
            + ACCOUNT
            + "') or '')",
        ],
        env=ring.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert read.returncode == 0, read.stderr[-300:]
    text = read.stdout.strip()
    return json.loads(text) if text else None


def test_sign_in_kept_in_the_os_keyring(
    server: GoogleApiServer, tmp_path: Path, os_keyring: OsKeyring
) -> None:
    """On a desktop the grant goes to the OS keyring (GNOME Keyring's Secret Service over
    D-Bus, the real thing), never to a file; `chief doctor` reads it back from there, and
    says what to do when the keyring is gone."""
    config = practice(tmp_path / "practice", server)
    config.write_text(
        config.read_text().replace(
            'token_file = "data/google-token.json"\n', 'token_store = "keyring"\n'
        )
    )
    signed = chief(config, "auth", "google", keyring=os_keyring)
    assert signed.returncode == 0, signed.stderr
    assert "OS keyring" in signed.stdout
    grant = stored_in(os_keyring)
    assert grant is not None and grant["refresh_token"] and "token" not in grant
    files = [p.name for p in config.parent.rglob("*") if p.is_file()]
    assert not [f for f in files if "token" in f], files  # nothing on disk in the practice
    assert grant["refresh_token"] not in "".join(
        p.read_text(errors="replace") for p in (os_keyring.home / "data").rglob("*") if p.is_file()
    )  # the keyring's own file is encrypted

    checks = doctor(config, os_keyring)
    assert checks["mail (gmail)"]["ok"], checks["mail (gmail)"]
    assert "OS keyring" in checks["mail (gmail)"]["detail"]

    os_keyring.stop_daemon()  # no Secret Service any more
    done = chief(config, "doctor", "--json", keyring=os_keyring)
    detail = {c["name"]: c for c in json.loads(done.stdout)["checks"]}["mail (gmail)"]
    assert not detail["ok"]
    assert "keyring" in detail["detail"] and grant["refresh_token"] not in done.stdout + done.stderr
