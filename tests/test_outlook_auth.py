"""`chief auth microsoft` runs the real msal flows in a `chief` subprocess against the local
identity platform of tests/servers/graph_api.py: the device-code flow (waiting through
``authorization_pending``), the interactive auth-code flow with a browser that follows the
sign-in page, and the same flow with the address printed instead. It asks for Mail.ReadWrite
and Calendars.ReadWrite only (never Mail.Send); keeps msal's cache in a 0600 file, refused when
others can read it, or in the OS keyring with nothing on disk; `chief sync` refreshes an
expired access token silently; a withdrawn consent makes `chief sync` and `chief doctor` say to
run `chief auth microsoft`, without a crash.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.connector_contract import PRACTITIONER, sample
from tests.servers.graph_api import CLIENT_ID, TENANT, GraphServer
from tests.servers.os_keyring import OsKeyring

pytest_plugins = ["tests.fixtures_graph"]
pytestmark = pytest.mark.servers

RESERVED = {"offline_access", "openid", "profile"}  # msal adds these to every sign-in
ASKED = {
    "https://graph.microsoft.com/Mail.ReadWrite",
    "https://graph.microsoft.com/Calendars.ReadWrite",
}

# A browser for the sign-in page. Like a desktop browser's launcher it returns at once and
# works in the background (msal waits for the launcher before it answers on its local server).
# It visits the address it is given on the local identity platform (as msal's own requests go
# there through `login_root`), and, as a browser runs the page's script, submits the
# `response_mode=form_post` form that carries the code back to chief's local server.
VISIT = """\
import html, re, sys, urllib.parse, urllib.request
url = sys.argv[1].replace("https://login.microsoftonline.com/", ROOT, 1)
page = urllib.request.urlopen(url, timeout=30).read().decode()
action = html.unescape(re.search(r'<form[^>]*action="([^"]+)"', page).group(1))
fields = {html.unescape(k): html.unescape(v) for k, v in re.findall(
    r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)}
data = urllib.parse.urlencode(fields).encode()
urllib.request.urlopen(urllib.request.Request(action, data=data), timeout=30).read()
"""
BROWSER = (
    """\
import os
if os.fork():
    os._exit(0)
quiet = os.open(os.devnull, os.O_WRONLY)
os.dup2(quiet, 1)
os.dup2(quiet, 2)
"""
    + VISIT
)


def practice(home: Path, graph: GraphServer, store: str = "file") -> Path:
    """A practice on Outlook mail and calendar, signed in nowhere yet."""
    home.mkdir(parents=True)
    cache = 'token_cache_file = "secrets/microsoft-token.json"\n' if store == "file" else ""
    common = (
        f'account = "{graph.account}"\nclient_id = "{CLIENT_ID}"\ntenant = "{TENANT}"\n'
        f'{cache}token_store = "{store}"\n'
        f'api_root = "{graph.api_root}"\nlogin_root = "{graph.root}"\nretry_base_s = 0.01\n'
    )
    (home / "chief.toml").write_text(
        "[practice]\n"
        'name = "Test Practice"\npractitioner = "Dr Test"\n'
        f'email = "{graph.account}"\ntimezone = "Europe/London"\n\n'
        f'[mail]\nconnector = "outlook"\n{common}\n'
        f'[calendar]\nconnector = "outlook_calendar"\n{common}'
    )
    (home / "chief.toml").chmod(0o600)
    browser = home / "browser.py"
    browser.write_text(f"#!{sys.executable}\nROOT = {graph.root!r}\n{BROWSER}")
    browser.chmod(0o755)
    return home / "chief.toml"


def environment(config: Path, keyring: OsKeyring | None = None) -> dict[str, str]:
    env = {
        **(keyring.env if keyring else os.environ),
        "CHIEF_CONFIG": str(config),
        "BROWSER": str(config.parent / "browser.py"),
    }
    if keyring is None:
        env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    return env


def chief(
    config: Path, *args: str, keyring: OsKeyring | None = None
) -> subprocess.CompletedProcess[str]:
    """Run chief; with no OS keyring unless ``keyring`` gives one."""
    return subprocess.run(
        ["chief", *args],
        env=environment(config, keyring),
        capture_output=True,
        text=True,
        timeout=120,
    )


def doctor(config: Path, keyring: OsKeyring | None = None) -> dict[str, Any]:
    done = chief(config, "doctor", "--json", keyring=keyring)
    assert done.stdout, done.stderr[-500:]
    return {c["name"]: c for c in json.loads(done.stdout)["checks"]}


def cache_file(config: Path) -> Path:
    return config.parent / "secrets" / "microsoft-token.json"


def scopes_asked(graph: GraphServer) -> list[set[str]]:
    return [set(s["scope"].split()) for s in graph.sign_ins]


def no_internals(done: subprocess.CompletedProcess[str]) -> None:
    """A clean refusal: our message, not a traceback or an internal error."""
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr


# --- sign-in flows ----------------------------------------------------------------------------


def test_device_code_sign_in_waits_for_approval(graph: GraphServer, tmp_path: Path) -> None:
    config = practice(tmp_path / "practice", graph)
    graph.pending_devices = 2  # the practitioner takes a while to enter the code
    signed = chief(config, "auth", "microsoft", "--device-code")
    assert signed.returncode == 0, signed.stderr
    assert "microsoft.com/devicelogin" in signed.stdout and "LOCAL1234" in signed.stdout
    assert f"signed in to Microsoft as {PRACTITIONER}" in signed.stdout
    assert "Calendars.ReadWrite, Mail.ReadWrite" in signed.stdout
    device = "urn:ietf:params:oauth:grant-type:device_code"
    assert graph.token_requests.count(device) == 3  # two authorization_pending, then tokens
    assert graph.pending_devices == 0
    assert scopes_asked(graph) == [ASKED | RESERVED]
    assert [s["endpoint"] for s in graph.sign_ins] == ["devicecode"]

    cache = cache_file(config)
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    held = json.loads(cache.read_text())
    assert held["RefreshToken"] and held["Account"]

    checks = doctor(config)
    assert checks["mail (outlook)"]["ok"], checks["mail (outlook)"]
    assert f"signed in to Microsoft 365 as {PRACTITIONER}" in checks["mail (outlook)"]["detail"]
    assert str(cache) in checks["mail (outlook)"]["detail"]
    calendar = checks["calendar (outlook_calendar)"]
    assert calendar["ok"], calendar
    assert (
        "Europe/London" in calendar["detail"]
        and "event(s) in the next 7 days" in calendar["detail"]
    )


def test_interactive_sign_in_through_a_browser(graph: GraphServer, tmp_path: Path) -> None:
    config = practice(tmp_path / "practice", graph)
    signed = chief(config, "auth", "microsoft")
    assert signed.returncode == 0, signed.stderr
    assert f"signed in to Microsoft as {PRACTITIONER}" in signed.stdout
    (visit,) = graph.sign_ins
    assert visit["endpoint"] == "authorize" and visit["response_type"] == "code"
    assert visit["code_challenge_method"] == "S256" and visit["code_challenge"]  # PKCE
    assert visit["response_mode"] == "form_post"
    assert visit["redirect_uri"].startswith("http://localhost:")
    assert visit["login_hint"] == PRACTITIONER
    assert set(visit["scope"].split()) == ASKED | RESERVED
    assert graph.token_requests == ["authorization_code"]
    assert stat.S_IMODE(cache_file(config).stat().st_mode) == 0o600
    assert doctor(config)["mail (outlook)"]["ok"]


def test_no_browser_prints_the_address_and_waits(graph: GraphServer, tmp_path: Path) -> None:
    """--no-browser opens nothing (the BROWSER here would fail the test if it ran) and
    prints the sign-in address; visiting it from a browser on the same computer signs in."""
    config = practice(tmp_path / "practice", graph)
    marker = tmp_path / "browser-ran"
    (config.parent / "browser.py").write_text(
        f"#!{sys.executable}\nopen({str(marker)!r}, 'w').close()\n"
    )
    env = environment(config)
    with subprocess.Popen(
        ["chief", "auth", "microsoft", "--no-browser"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as running:
        try:
            assert running.stdout is not None
            line = running.stdout.readline()
            found = re.search(r"(http://127\.0\.0\.1:\d+/\S+)", line)
            assert found, line
            assert found.group(1).startswith(graph.root + TENANT + "/oauth2/v2.0/authorize?")
            visit = subprocess.run(
                [sys.executable, "-c", f"ROOT = {graph.root!r}\n{VISIT}", found.group(1)],
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert visit.returncode == 0, visit.stderr[-500:]
            out, err = running.communicate(timeout=60)
        finally:
            if running.poll() is None:
                running.kill()
    assert running.returncode == 0, err
    assert f"signed in to Microsoft as {PRACTITIONER}" in out
    assert not marker.exists(), "a browser was opened despite --no-browser"
    assert graph.sign_ins[0]["response_mode"] == "form_post"
    assert cache_file(config).exists()


def test_sign_in_needs_a_microsoft_connector_and_a_client_id(
    graph: GraphServer, tmp_path: Path
) -> None:
    config = practice(tmp_path / "practice", graph)
    text = config.read_text()
    config.write_text(text.replace(f'client_id = "{CLIENT_ID}"\n', ""))
    done = chief(config, "auth", "microsoft", "--device-code")
    assert done.returncode == 1 and "client_id" in done.stderr
    no_internals(done)
    head = text.partition("[mail]")[0]
    config.write_text(head + '[mail]\nconnector = "maildir"\npath = "Maildir"\n')
    done = chief(config, "auth", "microsoft")
    assert done.returncode == 1 and "no Microsoft connector" in done.stderr
    assert graph.sign_ins == []


# --- the token cache --------------------------------------------------------------------------


def test_a_cache_others_can_read_is_refused(graph: GraphServer, tmp_path: Path) -> None:
    config = practice(tmp_path / "practice", graph)
    assert chief(config, "auth", "microsoft", "--device-code").returncode == 0
    cache = cache_file(config)
    held = json.loads(cache.read_text())
    cache.chmod(0o644)
    for args in (("sync",), ("auth", "microsoft", "--device-code")):
        done = chief(config, *args)
        assert done.returncode == 1, done.stdout
        assert f"chmod 600 {cache}" in done.stderr
        no_internals(done)
        for token in held["RefreshToken"].values():
            assert token["secret"] not in done.stdout + done.stderr
    checks = doctor(config)
    assert not checks["mail (outlook)"]["ok"]
    assert "chmod 600" in checks["mail (outlook)"]["detail"]
    cache.chmod(0o600)
    assert doctor(config)["mail (outlook)"]["ok"]


@pytest.fixture
def os_keyring(tmp_path: Path) -> Iterator[OsKeyring]:
    ring = OsKeyring(tmp_path / "desktop").start()
    try:
        yield ring
    finally:
        ring.stop()


def stored_in(ring: OsKeyring) -> str:
    """The cache as another program on the desktop reads it from the Secret Service."""
    read = subprocess.run(
        [
            sys.executable,
            "-c",
            "import keyring; print(keyring.get_password('practice-chief', 'microsoft:"
            + PRACTITIONER
            + "') or '')",
        ],
        env=ring.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert read.returncode == 0, read.stderr[-300:]
    return read.stdout.strip()


def test_sign_in_kept_in_the_os_keyring(
    graph: GraphServer, tmp_path: Path, os_keyring: OsKeyring
) -> None:
    """On a desktop msal's cache goes to the OS keyring (GNOME Keyring's Secret Service over
    D-Bus, the real thing), never to a file; sync and doctor read it back from there."""
    config = practice(tmp_path / "practice", graph, store="keyring")
    signed = chief(config, "auth", "microsoft", "--device-code", keyring=os_keyring)
    assert signed.returncode == 0, signed.stderr
    assert "OS keyring" in signed.stdout
    held = json.loads(stored_in(os_keyring))
    (refresh,) = held["RefreshToken"].values()
    files = [p for p in config.parent.rglob("*") if p.is_file()]
    assert sorted(p.name for p in files) == ["browser.py", "chief.toml"]  # nothing else on disk
    assert refresh["secret"] not in "".join(
        p.read_text(errors="replace") for p in (os_keyring.home / "data").rglob("*") if p.is_file()
    )  # the keyring's own file is encrypted

    checks = doctor(config, os_keyring)
    assert checks["mail (outlook)"]["ok"], checks["mail (outlook)"]
    assert "OS keyring" in checks["mail (outlook)"]["detail"]
    graph.mail.deliver(sample(1))
    synced = chief(config, "sync", "--json", keyring=os_keyring)
    assert synced.returncode == 0, synced.stderr
    assert [p.name for p in config.parent.rglob("*token*")] == []


# --- refresh and revocation -------------------------------------------------------------------


def expire_cached_access_tokens(cache: Path) -> None:
    """Make msal's cached access tokens past their expiry, as an hour's wait would."""
    held = json.loads(cache.read_text())
    past = str(int(time.time()) - 60)
    for token in held["AccessToken"].values():
        token["expires_on"] = past
        token["extended_expires_on"] = past
    cache.write_text(json.dumps(held))


def test_an_expired_access_token_is_refreshed_silently_during_sync(
    graph: GraphServer, tmp_path: Path
) -> None:
    config = practice(tmp_path / "practice", graph)
    assert chief(config, "auth", "microsoft", "--device-code").returncode == 0
    for n in range(3):
        graph.mail.deliver(sample(n))
    cache = cache_file(config)
    expire_cached_access_tokens(cache)
    graph.expire_access_tokens()  # the server agrees: the old ones answer 401
    before = graph.token_requests.count("refresh_token")
    synced = chief(config, "sync", "--json")
    assert synced.returncode == 0, synced.stderr
    assert json.loads(synced.stdout)["messages"] == 3
    assert graph.token_requests.count("refresh_token") > before
    assert graph.count("/delta") >= 1
    held = json.loads(cache.read_text())
    assert all(int(t["expires_on"]) > time.time() for t in held["AccessToken"].values())
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600  # rewritten, still private

    # an access token msal still thinks valid but the server refuses (401): refreshed, retried
    graph.expire_access_tokens()
    graph.mail.deliver(sample(9))
    before = graph.token_requests.count("refresh_token")
    synced = chief(config, "sync", "--json")
    assert synced.returncode == 0, synced.stderr
    assert json.loads(synced.stdout)["messages"] == 1
    assert graph.token_requests.count("refresh_token") > before


@pytest.mark.parametrize("how", ["consent", "revoked"])
def test_a_withdrawn_sign_in_says_to_sign_in_again(
    graph: GraphServer, tmp_path: Path, how: str
) -> None:
    config = practice(tmp_path / "practice", graph)
    assert chief(config, "auth", "microsoft", "--device-code").returncode == 0
    graph.mail.deliver(sample(1))
    graph.revoke(how)
    synced = chief(config, "sync")
    assert synced.returncode == 1, synced.stdout
    assert "chief auth microsoft" in synced.stderr
    assert ("consent" in synced.stderr) == (how == "consent")
    no_internals(synced)
    checks = doctor(config)
    for name in ("mail (outlook)", "calendar (outlook_calendar)"):
        assert not checks[name]["ok"], checks[name]
        assert "chief auth microsoft" in checks[name]["detail"]
    assert checks["configuration"]["ok"] and checks["database"]["ok"]

    # signing in again mends it; the message synced then is the one left before
    assert chief(config, "auth", "microsoft", "--device-code").returncode == 0
    synced = chief(config, "sync", "--json")
    assert synced.returncode == 0, synced.stderr
    assert json.loads(synced.stdout)["messages"] == 1


def test_doctor_before_any_sign_in(graph: GraphServer, tmp_path: Path) -> None:
    config = practice(tmp_path / "practice", graph)
    checks = doctor(config)
    mail = checks["mail (outlook)"]
    assert not mail["ok"] and "not signed in" in mail["detail"]
    assert "chief auth microsoft" in mail["detail"] and "microsoft-token.json" in mail["detail"]
    assert not checks["calendar (outlook_calendar)"]["ok"]
    assert graph.calls == []  # nothing was asked of Graph without a token


# --- scopes -----------------------------------------------------------------------------------


def test_only_the_connectors_in_use_are_asked_for_never_mail_send(
    graph: GraphServer, tmp_path: Path
) -> None:
    config = practice(tmp_path / "practice", graph)
    text = config.read_text()
    head, _, _ = text.partition("[calendar]")
    config.write_text(head + '[calendar]\nconnector = "ics"\npath = "calendar.ics"\n')
    assert chief(config, "auth", "microsoft", "--device-code").returncode == 0
    config.write_text(text)
    assert chief(config, "auth", "microsoft", "--device-code").returncode == 0
    mail_only, both = scopes_asked(graph)
    assert mail_only == {"https://graph.microsoft.com/Mail.ReadWrite"} | RESERVED
    assert both == ASKED | RESERVED
    assert not any("Send" in s for s in mail_only | both)


# --- chief init and the README ----------------------------------------------------------------


def test_init_for_outlook_writes_a_valid_config(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from bot.cli.app import main
    from bot.config import load_config

    answers = (
        "Test Practice\nDr Test\ndr@practice.example\nGB\nEurope/London\noutlook\n"
        f"{CLIENT_ID}\n{TENANT}\nlater\n"
    )
    done = CliRunner().invoke(main, ["init", "--dir", str(tmp_path)], input=answers)
    assert done.exit_code == 0, done.output
    assert "chief auth microsoft" in done.output
    config = load_config(tmp_path / "chief.toml")
    name, mail = config.connector_args("mail")
    assert name == "outlook" and mail["client_id"] == CLIENT_ID and mail["tenant"] == TENANT
    assert mail["token_cache_file"] == tmp_path / "data" / "microsoft-token.json"
    assert mail["account"] == "dr@practice.example"
    name, calendar = config.connector_args("calendar")
    assert name == "outlook_calendar" and calendar["token_cache_file"] == mail["token_cache_file"]


def test_readme_microsoft_keys_are_real(tmp_path: Path) -> None:
    from bot.config import load_config

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    blocks = re.findall(r"```toml\n(.*?)```", readme, re.S)
    head = blocks[0][blocks[0].index("[practice]") : blocks[0].index("[rules]")]
    outlook = next(b for b in blocks if 'connector = "outlook"' in b)
    (tmp_path / "chief.toml").write_text(head + outlook)
    config = load_config(tmp_path / "chief.toml")
    for section, name in (("mail", "outlook"), ("calendar", "outlook_calendar")):
        connector, kwargs = config.connector_args(section)  # raises on a key it lacks
        assert connector == name
        assert kwargs["token_cache_file"] == tmp_path / "data" / "microsoft-token.json"
    section = readme[readme.index("### Outlook / Microsoft 365") :]
    for needed in (
        "http://localhost",
        "Mail.ReadWrite",
        "Calendars.ReadWrite",
        "auth microsoft --device-code",
        "clientState",
        "validationToken",
        "lifecycleNotificationUrl",
        "4230",
    ):
        assert needed in section, needed
