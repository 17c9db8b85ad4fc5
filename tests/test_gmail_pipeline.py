"""The demo practice on Gmail and Google Calendar: `chief sync` against the local Google API
server over a mailbox holding the demo's messages gives the same cases, drafts and calendar
entries as the embedded demo (Maildir + .ics); drafts sit in the conversations they answer;
a kill at any of many points followed by a rerun leaves everything exactly once; a 429 storm
slows the sync down and loses nothing; lost history falls back to a full sync.
"""

from __future__ import annotations

import email
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
from bot.keys import marker_of
from bot.store.models import AuditEvent, MessageRow
from bot.summary.delivery import deliver_summary
from bot.sync.runtime import Runtime
from bot.sync.steps import SyncReport
from connectors.google.auth import GMAIL_LABEL_SCOPE
from tests.samples import sample_calendar, sample_files
from tests.servers.google_api import GoogleApiServer
from tests.servers.google_gmail import subject_key
from tests.servers.google_testing import ALL_SCOPES, seed_calendar, signed_in

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
def server(embedded: dict[str, Any]) -> Iterator[GoogleApiServer]:
    account = load_config(Path(embedded["home"]) / "chief.toml").practice.email
    api = GoogleApiServer(account=str(account)).start()
    for raw in sample_mailbox():
        api.gmail.deliver(raw)
    seed_calendar(api, sample_calendar(PRACTICE), "America/New_York")
    try:
        yield api
    finally:
        api.stop()
    assert api.problems == [], "the local Google API server saw calls outside the API"


def google_practice(
    home: Path, server: GoogleApiServer, batch_size: int = 50, mail_extra: str = ""
) -> Path:
    """The demo practice with ``[mail]`` on Gmail and ``[calendar]`` on Google Calendar."""
    config = prepare_home(home, PRACTICE)
    shutil.rmtree(home / "Maildir")  # not used: the mail is on the server
    scopes = (*ALL_SCOPES, GMAIL_LABEL_SCOPE) if "category_labels" in mail_extra else ALL_SCOPES
    signed_in(server, home / "secrets" / "google-token.json", scopes)
    common = (
        f'account = "{server.account}"\n'
        'token_file = "secrets/google-token.json"\n'
        'token_store = "file"\n'
        f'api_root = "{server.root_url}"\n'
        "retry_base_s = 0.02\n"
    )
    text = config.read_text()
    head, _, rest = text.partition("[mail]")
    _, _, tail = rest.partition("[database]")
    config.write_text(
        f'{head}[mail]\nconnector = "gmail"\n{common}batch_size = {batch_size}\n{mail_extra}\n'
        f'[calendar]\nconnector = "google_calendar"\n{common}reminders = ["popup", "email"]\n\n'
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


def check_server(server: GoogleApiServer, config: Path, result: dict[str, Any]) -> None:
    """Each draft once, in its original's thread; each calendar entry once."""
    drafts = server.gmail.draft_messages()
    keys = Counter(marker_of(email.message_from_bytes(m.raw)["Message-ID"]) for m in drafts)
    assert None not in keys
    assert keys and max(keys.values()) == 1, "a draft was written twice"
    assert len(drafts) == result["drafts"]
    for draft in drafts:
        parsed = email.message_from_bytes(draft.raw)
        originals = [
            m
            for m in server.gmail.messages.values()
            if parsed["In-Reply-To"] and m.header("Message-ID") == parsed["In-Reply-To"]
        ]
        if not originals:  # a new letter (a renewal checklist): a conversation of its own
            assert draft.thread_id == draft.id
            continue
        (original,) = originals
        # Gmail threads a draft only when its subject matches the conversation's.
        if subject_key(parsed["Subject"]) == subject_key(original.header("Subject")):
            assert draft.thread_id == original.thread_id, "a draft outside its conversation"
    events = [
        e for e in server.calendar.live_events() if "extendedProperties" in e
    ]  # ours; the practitioner's own events are left alone
    keys = Counter(e["extendedProperties"]["private"]["chiefKey"] for e in events)
    assert keys and max(keys.values()) == 1
    assert len(events) == result["calendar_entries"]
    rt = Runtime.from_config(load_config(config))
    try:
        with rt.sessions() as session:
            logged = session.scalars(select(MessageRow.key)).all()
            inbox = session.scalar(select(func.count()).select_from(MessageRow))
    finally:
        rt.engine.dispose()
    assert len(logged) == len(set(logged)) == inbox == result["messages"]


def same_outcome(result: dict[str, Any], embedded: dict[str, Any]) -> None:
    for key in ("messages", "cases", "drafts", "calendar_entries"):
        assert result[key] == embedded[key], key


def test_sync_over_gmail_gives_the_embedded_demos_cases_drafts_and_entries(
    server: GoogleApiServer, embedded: dict[str, Any], tmp_path: Path
) -> None:
    config = google_practice(tmp_path / "home", server)
    today = date.fromisoformat(embedded["today"])
    report, _ = run_sync(config, today)
    assert report.errors == []
    rt = Runtime.from_config(load_config(config), today=today)
    try:  # as the demo does: the summary after the sync (it may plan chasers of its own)
        deliver_summary(rt)
        deliver_summary(rt)
        result = totals(rt)
    finally:
        rt.close()
        rt.engine.dispose()
    same_outcome(result, embedded)
    check_server(server, config, result)
    summaries = [
        m for m in server.gmail.messages.values() if m.header("X-Chief-Generated") == "summary"
    ]
    assert len(summaries) == 1 and summaries[0].labels == {"INBOX", "UNREAD"}

    before = len(server.calls)
    again, result = run_sync(config, today)  # incremental: the summary is ours, nothing else new
    assert (again.messages, again.drafts_written, again.calendar_written) == (0, 0, 0)
    same_outcome(result, embedded)
    assert "gmail.users.history.list" in [c.method_id for c in server.calls[before:]]
    assert not [c for c in server.calls if "send" in c.method_id]


def test_lost_history_means_a_full_resync_that_logs_nothing_twice(
    server: GoogleApiServer, embedded: dict[str, Any], tmp_path: Path
) -> None:
    config = google_practice(tmp_path / "home", server, batch_size=100)
    today = date.fromisoformat(embedded["today"])
    run_sync(config, today)
    server.gmail.expire_history()
    again, result = run_sync(config, today)
    assert again.messages == 0 and again.skipped_known == embedded["messages"]
    assert again.drafts_written == 0
    check_server(server, config, result)


def test_a_429_storm_slows_the_sync_down_and_loses_nothing(
    server: GoogleApiServer, embedded: dict[str, Any], tmp_path: Path
) -> None:
    config = google_practice(tmp_path / "home", server)
    server.fault(429, times=None, every=4)
    server.fault(403, reason="userRateLimitExceeded", times=None, every=9)
    server.fault(503, times=3)
    server.fault(429, times=2, retry_after=1, method="drafts.create")
    started = time.monotonic()
    report, result = run_sync(config, date.fromisoformat(embedded["today"]))
    assert time.monotonic() - started >= 2.0  # two Retry-After: 1 at least
    assert report.errors == []
    same_outcome(result, embedded)
    check_server(server, config, result)
    throttled = [c for c in server.calls if c.status in (429, 403, 503)]
    assert len(throttled) > 50


def _chief(
    config: Path, *args: str, crash_after: int | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CHIEF_CONFIG": str(config)}
    env.pop("CHIEF_CRASH_AFTER", None)
    if crash_after is not None:
        env["CHIEF_CRASH_AFTER"] = str(crash_after)
    return subprocess.run(["chief", *args], env=env, capture_output=True, text=True, timeout=300)


def test_killed_at_many_points_then_rerun_everything_exactly_once(
    server: GoogleApiServer, tmp_path: Path, new_case_log: Callable[[], str | None]
) -> None:
    """Kill `chief sync` after its Nth durable step (a commit or a remote write) for N spread
    over the run, then run it again: each message logged once, each draft and calendar entry
    on the server once (drafts still in their threads), and a third run does nothing."""
    pristine_home = tmp_path / "pristine"
    google_practice(pristine_home, server, batch_size=40)
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


def test_a_real_kill_mid_drafts_then_rerun(server: GoogleApiServer, tmp_path: Path) -> None:
    config = google_practice(tmp_path / "home", server)
    env = {**os.environ, "CHIEF_CONFIG": str(config)}
    env.pop("CHIEF_CRASH_AFTER", None)
    running = subprocess.Popen(
        ["chief", "sync"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120
    while server.count("drafts.create") < 5 and time.monotonic() < deadline:
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


def check_labels(server: GoogleApiServer, config: Path, pristine: dict[str, Any]) -> int:
    """Each logged message carries its category's label and nothing else changed: the bytes and
    the labels it had are kept, unclassified mail gets no label. How many were labelled."""
    rt = Runtime.from_config(load_config(config))
    try:
        with rt.sessions() as session:
            rows = session.execute(select(MessageRow.provider_id, MessageRow.category)).all()
    finally:
        rt.engine.dispose()
    names = {k: v["name"] for k, v in server.gmail.labels.items()}
    labelled = 0
    for provider_id, category in rows:
        message = server.gmail.messages[provider_id]
        raw, labels = pristine[provider_id]
        assert message.raw == raw and labels <= message.labels
        added = sorted(names[label] for label in message.labels - labels)
        want = [f"Chief/{category.replace('_', ' ').capitalize()}"] if category else []
        assert added == want, (provider_id, category, added)
        labelled += bool(added)
    return labelled


def labels_audited(config: Path) -> int:
    """How many messages the audit trail says were labelled (``labels.apply`` rows)."""
    rt = Runtime.from_config(load_config(config))
    try:
        with rt.sessions() as session:
            details = session.scalars(
                select(AuditEvent.detail).where(AuditEvent.action == "labels.apply")
            ).all()
    finally:
        rt.engine.dispose()
    return sum(int(part.rsplit(" ", 1)[1]) for d in details for part in (d or "").split(", "))


def test_category_labels_exactly_once_across_kills(
    server: GoogleApiServer, tmp_path: Path, new_case_log: Callable[[], str | None]
) -> None:
    """With `category_labels = true`, every classified message gets its category's Gmail label
    (and only that), also when the sync is killed between labelling and committing."""
    pristine_home = tmp_path / "pristine"
    google_practice(pristine_home, server, batch_size=40, mail_extra="category_labels = true\n")
    with server.gmail.lock:
        pristine_mail = {i: (m.raw, set(m.labels)) for i, m in server.gmail.messages.items()}
    pristine = server.snapshot()
    home = tmp_path / "home"
    crashed_at: list[str] = []
    for n in range(1, 12):
        shutil.rmtree(home, ignore_errors=True)
        shutil.copytree(pristine_home, home)
        new_case_log()
        server.restore(pristine)
        config = home / "chief.toml"
        crashed = _chief(config, "sync", crash_after=n)
        assert crashed.returncode == 77, crashed.stderr
        crashed_at.append(crashed.stderr.rsplit("(", 1)[-1].strip(" )\n"))
        finished = json.loads(_chief(config, "sync", "--json").stdout)
        assert finished["errors"] == []
        labelled = check_labels(server, config, pristine_mail)
        assert labelled > len(sample_mailbox()) // 2
        assert labels_audited(config) == labelled  # every label in the trail, once
        if crashed_at[-3:] == ["batch.commit", "labels.remote", "labels.commit"]:
            break  # killed with the labels journalled, put on but unrecorded, then recorded
    assert crashed_at[-3:] == ["batch.commit", "labels.remote", "labels.commit"], crashed_at
