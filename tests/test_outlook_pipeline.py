"""The demo practice on Outlook / Microsoft 365: `chief sync` against the local Graph server over
a mailbox holding the demo's messages gives the same cases, drafts and calendar entries as the
embedded demo (Maildir + .ics); reply drafts sit in the conversations they answer; a kill at
any of many points followed by a rerun leaves everything exactly once; a throttling storm slows
the sync down and loses nothing; an expired delta token falls back to a full sync.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.cli.demo import prepare_home, run_demo, totals
from bot.config import load_config
from bot.jobs.catalogue import sync
from bot.store.models import MessageRow
from bot.summary.delivery import deliver_summary
from bot.sync.runtime import Runtime
from bot.sync.steps import SyncReport
from connectors.microsoft.calendar import KEY_PROPERTY as EVENT_KEY
from connectors.microsoft.outlook import KEY_PROPERTY
from tests.samples import sample_calendar, sample_files
from tests.servers.graph_api import CLIENT_ID, TENANT, GraphServer
from tests.servers.graph_testing import seed_calendar, signed_in

pytestmark = [pytest.mark.servers, pytest.mark.slow]

PRACTICE = "sports-medicine-us"


def sample_mailbox() -> list[bytes]:
    return [
        p.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        for p in sample_files("sports-medicine-us")
    ]


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The embedded demo's result (Maildir + .ics), to compare with."""
    return run_demo(tmp_path_factory.mktemp("embedded") / "home", PRACTICE, progress=False)


@pytest.fixture
def server(embedded: dict[str, Any]) -> Iterator[GraphServer]:
    account = load_config(Path(embedded["home"]) / "chief.toml").practice.email
    api = GraphServer(account=str(account)).start()
    for raw in sample_mailbox():
        api.mail.deliver(raw)
    seed_calendar(api, sample_calendar(PRACTICE), "America/New_York")
    try:
        yield api
    finally:
        api.stop()
    assert api.problems == [], "the local Graph server saw calls outside the API"


def outlook_practice(home: Path, server: GraphServer, batch_size: int = 20) -> Path:
    """The demo practice with ``[mail]`` on Outlook and ``[calendar]`` on its calendar."""
    config = prepare_home(home, PRACTICE)
    shutil.rmtree(home / "Maildir")  # not used: the mail is on the server
    signed_in(server, home / "secrets" / "microsoft-token.json")
    common = (
        f'account = "{server.account}"\n'
        f'client_id = "{CLIENT_ID}"\n'
        f'tenant = "{TENANT}"\n'
        'token_cache_file = "secrets/microsoft-token.json"\n'
        'token_store = "file"\n'
        f'api_root = "{server.api_root}"\n'
        f'login_root = "{server.root}"\n'
        "retry_base_s = 0.02\n"
    )
    text = config.read_text()
    head, _, rest = text.partition("[mail]")
    _, _, tail = rest.partition("[database]")
    config.write_text(
        f'{head}[mail]\nconnector = "outlook"\n{common}batch_size = {batch_size}\n\n'
        f'[calendar]\nconnector = "outlook_calendar"\n{common}\n'
        f"[database]{tail}"
    )
    return config


def run_sync(config: Path, today: date | None = None) -> tuple[SyncReport, dict[str, Any]]:
    rt = Runtime.from_config(load_config(config), today=today)
    try:
        report = sync(rt)
        return report, totals(rt)
    finally:
        rt.close()
        rt.engine.dispose()


def check_server(server: GraphServer, config: Path, result: dict[str, Any]) -> None:
    """Each draft once, replies in their original's conversation; each calendar entry once."""
    box = server.mail
    drafts = box.in_folder("drafts")
    keys = Counter(m.extended.get(KEY_PROPERTY.lower()) for m in drafts)
    assert keys and max(keys.values()) == 1 and None not in keys, "a draft twice or unmarked"
    assert len(drafts) == result["drafts"]
    for draft in drafts:
        if draft.parent is not None:
            original = box.messages[draft.parent]
            assert draft.props["conversationId"] == original.props["conversationId"]
    with server.calendar.lock:
        ours = [p[EVENT_KEY.lower()] for p in server.calendar.extended.values() if p]
    assert ours and max(Counter(ours).values()) == 1
    assert len(ours) == result["calendar_entries"]
    rt = Runtime.from_config(load_config(config))
    try:
        with rt.sessions() as session:
            logged = session.scalars(select(MessageRow.key)).all()
            count = session.scalar(select(func.count()).select_from(MessageRow))
    finally:
        rt.engine.dispose()
    assert len(logged) == len(set(logged)) == count == result["messages"]


def same_outcome(result: dict[str, Any], embedded: dict[str, Any]) -> None:
    for key in ("messages", "cases", "drafts", "calendar_entries"):
        assert result[key] == embedded[key], key


def test_sync_over_outlook_gives_the_embedded_demos_cases_drafts_and_entries(
    server: GraphServer, embedded: dict[str, Any], tmp_path: Path
) -> None:
    config = outlook_practice(tmp_path / "home", server)
    today = date.fromisoformat(embedded["today"])
    report, _ = run_sync(config, today)
    assert report.errors == []
    rt = Runtime.from_config(load_config(config), today=today)
    try:  # as the demo does: the summary after the sync
        deliver_summary(rt)
        deliver_summary(rt)
        result = totals(rt)
    finally:
        rt.close()
        rt.engine.dispose()
    same_outcome(result, embedded)
    check_server(server, config, result)
    assert server.count("/createReply", "POST") >= 1  # replies threaded by Outlook itself
    summaries = [
        m for m in server.mail.in_folder("inbox") if any(h["value"] == "summary" for h in m.headers)
    ]
    assert len(summaries) == 1 and summaries[0].props["isDraft"] is False

    before = len(server.calls)
    again, result = run_sync(config, today)  # incremental: the summary is ours, nothing else
    assert (again.messages, again.drafts_written, again.calendar_written) == (0, 0, 0)
    same_outcome(result, embedded)
    assert any(c.path.endswith("/delta") for c in server.calls[before:])
    assert not [c for c in server.calls if c.path.endswith(("/send", "/sendMail"))]


def test_an_expired_delta_token_means_a_full_resync_that_logs_nothing_twice(
    server: GraphServer, embedded: dict[str, Any], tmp_path: Path
) -> None:
    config = outlook_practice(tmp_path / "home", server)
    today = date.fromisoformat(embedded["today"])
    run_sync(config, today)
    server.mail.expire_delta()
    again, result = run_sync(config, today)
    assert again.messages == 0 and again.skipped_known == embedded["messages"]
    assert again.drafts_written == 0
    check_server(server, config, result)


def test_a_throttling_storm_slows_the_sync_down_and_loses_nothing(
    server: GraphServer, embedded: dict[str, Any], tmp_path: Path
) -> None:
    config = outlook_practice(tmp_path / "home", server)
    server.fault(429, times=None, every=4, retry_after=0)
    server.fault(503, times=None, every=9)
    server.fault(504, times=3)
    server.fault(429, times=2, retry_after=1, path="/createReply")
    started = time.monotonic()
    report, result = run_sync(config, date.fromisoformat(embedded["today"]))
    assert time.monotonic() - started >= 2.0  # two Retry-After: 1 at least
    assert report.errors == []
    same_outcome(result, embedded)
    check_server(server, config, result)
    throttled = [c for c in server.calls if c.status in (429, 503, 504)]
    assert len(throttled) > 30


def _chief(
    config: Path, *args: str, crash_after: int | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CHIEF_CONFIG": str(config)}
    env.pop("CHIEF_CRASH_AFTER", None)
    if crash_after is not None:
        env["CHIEF_CRASH_AFTER"] = str(crash_after)
    return subprocess.run(["chief", *args], env=env, capture_output=True, text=True, timeout=300)


def test_killed_at_many_points_then_rerun_everything_exactly_once(
    server: GraphServer, tmp_path: Path, new_case_log: Callable[[], str | None]
) -> None:
    """Kill `chief sync` after its Nth durable step for N spread over the run, then run it
    again: each message logged once, each draft and calendar entry on the server once (replies
    still in their conversations), and a third run does nothing."""
    pristine_home = tmp_path / "pristine"
    outlook_practice(pristine_home, server, batch_size=20)
    pristine = server.snapshot()
    home = tmp_path / "home"
    tried = 0
    for n in (1, 2, 3, 7, 15, 30, 60, 120, 300, 650):
        shutil.rmtree(home, ignore_errors=True)
        shutil.copytree(pristine_home, home)
        new_case_log()
        server.restore(pristine)
        config = home / "chief.toml"
        crashed = _chief(config, "sync", crash_after=n)
        if crashed.returncode == 0:
            break
        assert crashed.returncode == 77, crashed.stderr
        tried += 1
        finished = _chief(config, "sync", "--json")
        assert finished.returncode == 0, finished.stderr
        third = json.loads(_chief(config, "sync", "--json").stdout)
        assert third["messages"] == 0 and third["drafts_written"] == 0
        rt = Runtime.from_config(load_config(config))
        try:
            result = totals(rt)
        finally:
            rt.engine.dispose()
        assert result["messages"] == len(sample_mailbox())
        check_server(server, config, result)
    assert tried >= 6


def test_a_real_kill_mid_drafts_then_rerun(server: GraphServer, tmp_path: Path) -> None:
    config = outlook_practice(tmp_path / "home", server)
    env = {**os.environ, "CHIEF_CONFIG": str(config)}
    env.pop("CHIEF_CRASH_AFTER", None)
    running = subprocess.Popen(
        ["chief", "sync"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120
    while server.count("/createReply", "POST") < 5 and time.monotonic() < deadline:
        assert running.poll() is None, "the sync ended before it could be killed"
        time.sleep(0.01)
    running.send_signal(signal.SIGKILL)
    running.communicate()
    assert _chief(config, "sync").returncode == 0
    rt = Runtime.from_config(load_config(config))
    try:
        result = totals(rt)
    finally:
        rt.engine.dispose()
    check_server(server, config, result)
