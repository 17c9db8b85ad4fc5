"""Crash safety with numbers: ``chief sync`` then ``chief summary --send`` over mail from the
demo practice's sample mailbox on a real Dovecot (mail, drafts, the summary), killed after its
Nth durable step for at least 100 distinct N, each time run again to completion and checked.

A reference pass with ``CHIEF_CRASH_TRACE`` lists the durable steps (every commit and remote
write, :mod:`bot.crash`) and gives the outcome a crash must not change. Every kill point then
starts from the same state: a fresh IMAP account whose Maildir is a byte copy of the seeded
one (with Dovecot's UID list and index: same UIDs, UIDVALIDITY and flags; cheaper than seeding
over IMAP again), a fresh practice folder, database and calendar file.

The kill is ``os._exit`` inside the process doing the work (no clean-up, no flush; its IMAP
connection dropped as a crash drops it). That process is forked from this already-imported
one rather than started afresh, and the points are shared between two forked lanes (one per
core); neither changes anything a crash could depend on, and together they bring the run from
some ten minutes to a few.

By default the mailbox is a seeded sample of :data:`MESSAGES` of the demo's messages, read one
per batch, so that a run has about as many durable steps as there are kill points and every
step can be tried; ``CHIEF_CRASH_MESSAGES=0`` uses the whole sample mailbox (about 250 steps,
of which a seeded sample of 100 plus the first and last few are tried; much slower).

After every rerun: each message logged exactly once; each draft once in the Drafts folder (by
the marker in its Message-ID, never an ``X-Chief-*`` header) and once in the case log, written;
each calendar entry once in the calendar file and in the case log, written; the summary
delivered once; the cases, deadlines and totals those of the uncrashed run; the user's INBOX
exactly as it was (sha256 and flags, as a second IMAP client sees it) and the user's own calendar
entries untouched.
"""

from __future__ import annotations

import email
import hashlib
import json
import os
import random
import secrets
import shutil
import sys
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import icalendar
import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from bot import crash
from bot.cli.demo import DEMO_DAY
from bot.config import load_config
from bot.keys import draft_marker, marker_of
from bot.store.database import DATABASE_URL_ENV
from bot.store.models import AuditEvent, CalendarEntryRow, Case, Deadline, Draft, MessageRow
from connectors.ical.vevent import UID_SUFFIX, uid_for
from tests.fixtures_postgres import case_log_url, write_imap_practice
from tests.samples import sample_files
from tests.servers.dovecot import DovecotUser
from tests.servers.imap_testing import unrecent

if TYPE_CHECKING:
    from tests.fixtures_dovecot import DovecotAccount
    from tests.servers.dovecot import Dovecot

pytest_plugins = ["tests.fixtures_dovecot"]
pytestmark = [pytest.mark.servers, pytest.mark.slow]

MIN_POINTS = 100
EDGE = 5  # the first and last few steps are always tried
SEED = 20261124  # the samples (messages, kill points) are random, and the same on every run
MESSAGES = int(os.environ.get("CHIEF_CRASH_MESSAGES", "36"))  # 0: the whole sample mailbox
BATCH_SIZE = 1 if MESSAGES else 10  # small batches: many batch commits, each a kill point
LANES = 2
CHIEF_KEY = "X-Chief-Key"
PASSES = (("sync", "--json"), ("summary", "--send", "--today", DEMO_DAY.isoformat()))


def sample_mailbox() -> list[bytes]:
    # The sports practice's mail: its prior authorisations are chased in one message and
    # decided in a later one, so a kill between their batches checks that a rerun writes no
    # draft that the uninterrupted run made moot (bot/sync/draft_once.py).
    paths = sample_files("sports-medicine-us")
    if MESSAGES:
        chosen = set(random.Random(SEED).sample(range(len(paths)), MESSAGES))
        paths = [p for i, p in enumerate(paths) if i in chosen]
    return [p.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n") for p in paths]


# ------------------------------------------------------------------------------- one state


@dataclass
class World:
    """One starting state: an IMAP account and a practice folder."""

    username: str
    password: str
    home: Path

    @property
    def config(self) -> Path:
        return self.home / "chief.toml"


def fresh_account(server: Dovecot, pristine_mail: Path) -> tuple[str, str]:
    """A new account whose Maildir is a copy of the seeded one, and no session left over."""
    username = f"crash-{secrets.token_hex(5)}"
    password = secrets.token_urlsafe(12)
    user = server.add_user(username, password)
    shutil.copytree(pristine_mail, user.mail_dir)
    if os.geteuid() == 0:  # Dovecot runs as its own service user
        for folder, dirs, files in os.walk(user.mail_dir):
            os.chown(folder, server.uid, server.gid)
            for name in (*dirs, *files):
                os.chown(os.path.join(folder, name), server.uid, server.gid)
    return username, password


# ------------------------------------------------------------------------------- a pass


def forked(work: Callable[[], int]) -> int:
    """Run ``work`` in a child forked from this process, which then ends with its return
    value as exit code (never returning into pytest); the child's exit code."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            code = work()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            traceback.print_exc()
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def run_passes(
    config: Path, out: Path, crash_after: int | None = None, trace: Path | None = None
) -> int:
    """``chief sync`` then ``chief summary --send`` in one child process; its exit code
    (77: killed by the crash knob). The child's stdout and stderr go to ``out``."""

    def passes() -> int:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 - the child's own stdout
        sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
        for name in (crash.CRASH_ENV, crash.TRACE_ENV, "CHIEF_CONFIG"):
            os.environ.pop(name, None)
        if crash_after is not None:
            os.environ[crash.CRASH_ENV] = str(crash_after)
        if trace is not None:
            os.environ[crash.TRACE_ENV] = str(trace)
        crash.reset()
        from bot.cli.app import main

        for args in PASSES:
            code = main.main(["--config", str(config), *args], standalone_mode=False)
            if code not in (None, 0):
                return int(code)
        return 0

    return forked(passes)


# ------------------------------------------------------------------------------- checks


def server_view(account: DovecotAccount, world: World) -> dict[str, Any]:
    """What a second IMAP client sees: the user's INBOX messages (uid → sha256, flags), the
    keys of what we delivered into INBOX (the summary), and the Drafts folder."""
    user = DovecotUser(account.host, account.port, world.username, world.password, Path())
    with user.client() as client:
        folders: dict[str, dict[int, dict[bytes, Any]]] = {}
        for folder in ("INBOX", "Drafts"):
            if not client.folder_exists(folder):
                folders[folder] = {}
                continue
            client.select_folder(folder, readonly=True)
            uids = client.search(["ALL"])
            folders[folder] = client.fetch(uids, ["BODY.PEEK[]", "FLAGS"]) if uids else {}
    own: dict[int, tuple[str, frozenset[bytes]]] = {}
    delivered: list[str] = []
    for uid, item in folders["INBOX"].items():
        key = email.message_from_bytes(item[b"BODY[]"])[CHIEF_KEY]
        if key:
            delivered.append(str(key).strip())
        else:
            own[uid] = (hashlib.sha256(item[b"BODY[]"]).hexdigest(), frozenset(item[b"FLAGS"]))
    drafts = []
    for item in folders["Drafts"].values():
        parsed = email.message_from_bytes(item[b"BODY[]"])
        assert not [h for h in parsed if h.lower().startswith("x-chief-")], (
            "a mark a sent draft keeps"
        )
        drafts.append((str(marker_of(parsed["Message-ID"])), item[b"FLAGS"]))
    return {"own": unrecent(own), "delivered": delivered, "drafts": drafts}


def calendar_file(home: Path) -> tuple[list[str], list[bytes]]:
    """(UIDs of our events, the user's own events serialised) in the practice's .ics file."""
    parsed = icalendar.Calendar.from_ical((home / "calendar.ics").read_bytes())
    events = parsed.walk("VEVENT")
    ours = [str(e["UID"]) for e in events if str(e["UID"]).endswith(UID_SUFFIX)]
    theirs = sorted(e.to_ical() for e in events if not str(e["UID"]).endswith(UID_SUFFIX))
    return ours, theirs


def case_log(home: Path) -> dict[str, Any]:
    """The case log read directly (no Runtime: no rules to load for a look)."""
    engine = create_engine(case_log_url(home))
    try:
        with Session(engine) as s:
            return {
                "messages": s.execute(select(MessageRow.key, MessageRow.provider_id)).all(),
                "drafts": s.execute(select(Draft.key, Draft.state, Draft.remote_id)).all(),
                "entries": s.execute(
                    select(CalendarEntryRow.key, CalendarEntryRow.state, CalendarEntryRow.start)
                ).all(),
                "audit": s.execute(select(AuditEvent.action, AuditEvent.target)).all(),
                "cases": Counter(s.execute(select(Case.kind, Case.status)).all()),
                "deadlines": sorted(
                    (clock, due.isoformat(), done)
                    for clock, due, done in s.execute(
                        select(Deadline.clock, Deadline.due, Deadline.done)
                    ).all()
                ),
                "errors": s.scalar(
                    select(func.count())
                    .select_from(MessageRow)
                    .where(MessageRow.error.is_not(None))
                ),
            }
    finally:
        engine.dispose()


def outcome(account: DovecotAccount, world: World) -> dict[str, Any]:
    """Check a finished run's invariants; return what a crash must not change."""
    log = case_log(world.home)
    seen = server_view(account, world)
    keys = [key for key, _ in log["messages"]]
    assert len(keys) == len(set(keys)), "a message was logged twice"
    assert len({pid for _, pid in log["messages"]}) == len(keys), "a message was logged twice"
    # Written, or moot: planned, then made pointless by a later message's decision before it
    # was written (bot/sync/draft_once.py), and so never written at all.
    assert all(
        (state == "written" and remote) or (state == "moot" and not remote)
        for _, state, remote in log["drafts"]
    )
    # renewal checklists among them
    draft_keys = [key for key, state, _ in log["drafts"] if state == "written"]
    created = [t for a, t in log["audit"] if a == "draft.create"]
    assert len(created) == len(set(created)), "a draft was recorded as created twice"
    on_server = [key for key, _ in seen["drafts"]]
    assert len(on_server) == len(set(on_server)), "a draft is in the Drafts folder twice"
    assert sorted(on_server) == sorted(map(draft_marker, draft_keys)), "drafts: server != log"
    assert all(b"\\Draft" in flags for _, flags in seen["drafts"])
    assert all(state == "written" for _, state, _ in log["entries"])
    ours, theirs = calendar_file(world.home)
    assert len(ours) == len(set(ours)), "a calendar entry is in the calendar twice"
    assert sorted(ours) == sorted(uid_for(key) for key, _, _ in log["entries"])
    deliveries = [t for a, t in log["audit"] if a == "summary.deliver"]
    assert len(deliveries) == 1, "the summary was recorded more or less than once"
    assert seen["delivered"] == deliveries, "the summary is not in INBOX exactly once"
    return {
        "own_inbox": seen["own"],
        "their_events": theirs,
        "messages": sorted(keys),
        "drafts": sorted(on_server),
        "calendar": sorted(ours),
        "entries": sorted((key, start.isoformat()) for key, _, start in log["entries"]),
        "cases": log["cases"],
        "deadlines": log["deadlines"],
        "errors": log["errors"],
    }


def kill_points(total: int) -> list[int]:
    """Every step when there are few enough; else the first and last few plus a seeded
    random sample, at least :data:`MIN_POINTS` in all."""
    every = list(range(1, total + 1))
    if total <= MIN_POINTS + 2 * EDGE:
        return every
    edges = {*every[:EDGE], *every[-EDGE:]}
    rest = [n for n in every if n not in edges]
    return sorted(edges | set(random.Random(SEED).sample(rest, MIN_POINTS)))


def in_lanes(points: list[int], try_point: Callable[[int], None], results: Path) -> list[Any]:
    """Try ``points`` in :data:`LANES` forked processes; one JSON line per point."""
    results.mkdir()

    def lane(index: int) -> int:
        with (results / f"lane-{index}.jsonl").open("w") as handle:
            for n in points[index::LANES]:
                try:
                    try_point(n)
                    line: dict[str, Any] = {"point": n, "ok": True}
                except Exception as exc:  # reported, then the lane goes on
                    line = {"point": n, "ok": False, "why": f"{type(exc).__name__}: {exc}"}
                handle.write(json.dumps(line) + "\n")
                handle.flush()
        return 0

    pids = []
    for index in range(LANES):
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # a lane: never returns into pytest
            code = 1
            try:
                code = lane(index)
            finally:
                os._exit(code)
        pids.append(pid)
    codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in pids]
    assert codes == [0] * LANES, f"a lane died: {codes}"
    lines = []
    for path in sorted(results.iterdir()):
        lines.extend(json.loads(text) for text in path.read_text().splitlines())
    return lines


# ------------------------------------------------------------------------------- the test


def test_killed_at_100_points_then_rerun_loses_and_duplicates_nothing(
    dovecot: DovecotAccount, tmp_path: Path, new_case_log: Callable[[], str | None]
) -> None:
    mailbox = sample_mailbox()
    # The user's own state, to be left alone: some mail read, some flagged and answered.
    third = len(mailbox) // 3
    dovecot.seed(mailbox[:third])
    dovecot.seed(mailbox[third : 2 * third], flags=[b"\\Seen"])
    dovecot.seed(mailbox[2 * third :], flags=[b"\\Seen", b"\\Flagged", b"\\Answered"])
    pristine_mail = tmp_path / "pristine-mail"
    shutil.copytree(dovecot.mail_dir, pristine_mail)

    practice_key = tmp_path / "pseudonym.key"

    def world(name: str) -> World:
        username, password = fresh_account(dovecot.server, pristine_mail)
        home = tmp_path / name
        write_imap_practice(
            home, None, dovecot.host, dovecot.port, username, password, batch_size=BATCH_SIZE
        )
        if practice_key.exists():  # one practice: the keys of its drafts are the reference's
            key = load_config(home / "chief.toml").data_path / "pseudonym.key"
            key.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            shutil.copy2(practice_key, key)
        return World(username, password, home)

    # The reference: one uncrashed run, traced.
    first = world("reference")
    before = server_view(dovecot, first)["own"]
    _, their_events = calendar_file(first.home)
    trace, out = tmp_path / "steps.trace", tmp_path / "reference.out"
    assert run_passes(first.config, out, trace=trace) == 0, out.read_text()[-3000:]
    steps = [line.split(" ", 1)[1] for line in trace.read_text().splitlines()]
    reference = outcome(dovecot, first)
    shutil.copy2(load_config(first.config).data_path / "pseudonym.key", practice_key)
    assert reference["own_inbox"] == before and reference["their_events"] == their_events
    assert len(reference["messages"]) == len(mailbox)
    kinds = Counter(steps)
    for kind in ("batch.commit", "draft.remote", "draft.commit", "calendar.remote"):
        assert kinds[kind] > 1, f"the traced run has no {kind} step to kill"
    for kind in ("calendar.commit", "summary.remote", "summary.commit"):
        assert kinds[kind] > 0, f"the traced run has no {kind} step to kill"

    points = kill_points(len(steps))
    # In the PostgreSQL pass each point's practice has a database of its own, made here (the
    # points run in forked lanes); in the SQLite pass its file is in its own folder.
    case_logs = {n: new_case_log() for n in points}

    def try_point(n: int) -> None:
        url = case_logs[n]
        if url is not None:  # in a forked lane: its environment is its own
            os.environ[DATABASE_URL_ENV] = url
        state = world(f"point-{n}")
        log = tmp_path / f"point-{n}.out"
        crashed = run_passes(state.config, log, crash_after=n)
        assert crashed == crash.EXIT_CODE, f"exit {crashed}: {log.read_text()[-2000:]}"
        assert f"crash injected after step {n} ({steps[n - 1]})" in log.read_text()
        finished = run_passes(state.config, log)
        assert finished == 0, f"rerun exit {finished}: {log.read_text()[-2000:]}"
        result = outcome(dovecot, state)
        changed = sorted(k for k in reference if result[k] != reference[k])
        assert not changed, f"the outcome changed: {changed}"
        shutil.rmtree(state.home)
        log.unlink()

    results = in_lanes(points, try_point, tmp_path / "results")
    failed = [r for r in results if not r["ok"]]
    survived = len(results) - len(failed)
    print(f"messages: {len(mailbox)}, batch size: {BATCH_SIZE}")
    print(f"durable steps in one run: {len(steps)} {dict(sorted(kinds.items()))}")
    print(f"kill points tried: {len(results)}")
    print(f"kill points survived: {survived}")
    for r in failed[:10]:
        print(f"kill point {r['point']} ({steps[r['point'] - 1]}): {r['why'][:1500]}")
    assert sorted(r["point"] for r in results) == points
    assert not failed, f"{len(failed)} kill point(s) lost or duplicated something"
    assert len(points) >= min(MIN_POINTS, len(steps))
