"""Scale-out: mailboxes synced per minute by 1 and by 2 ``chief worker`` processes, and the case
log's size per 10,000 messages, on a throw-away PostgreSQL and Dovecot on 127.0.0.1.

Each round gets a fresh database and N fresh practices, each reading its own Dovecot account
seeded with M messages (seeded samples of the demo practice's mail: payer, solicitor, referral,
lab… mail that opens cases, plans deadlines and writes drafts into the account's Drafts
folder). The workers are started and registered first; then one sync per mailbox is queued and
the clock runs until the queue is empty. Then every mailbox is queued once more with no new
mail: the steady state of polling. Printed, one ``name: value`` a line:

``mailboxes_per_min_1_worker`` / ``mailboxes_per_min_2_workers``
    first syncs (M messages each, drafts written) per minute
``incremental_per_min_1_worker`` / ``incremental_per_min_2_workers``
    syncs that find no new mail, per minute, once every worker has met every practice
``incremental_cold_per_min_2_workers``
    the first such round with 2 workers: a worker meeting a practice for the first time
    parses its rules (about a second), so half the jobs pay that
``speedup_2_workers`` / ``incremental_speedup_2_workers``
    2-worker rate / 1-worker rate, same run, same machine
``messages_per_s_1_worker`` / ``messages_per_s_2_workers``
    messages logged per second during the first syncs
``worker_rss_mb_idle`` / ``worker_rss_mb_N_practices`` / ``worker_mb_per_cached_practice``
    a worker's resident memory when it starts and after it has served every practice (it keeps
    each practice's parsed rules and templates)
``db_mb_per_10k_messages``
    the case log's tables (rows and indexes, the queue's tables left out) per 10,000 logged
    messages, with their cases, deadlines, drafts and calendar entries
``db_total_mb_per_10k_messages``
    the whole database's growth over an empty migrated one, per 10,000 messages

    python bench/scale.py [--mailboxes N] [--messages M]

Needs PostgreSQL (Debian ``postgresql``) and Dovecot (Debian ``dovecot-imapd``), and the
``postgres`` extra (``pip install -e '.[postgres]'``).
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402

from bot.jobs.queue import libpq_url, prepare_database  # noqa: E402
from bot.jobs.worker import build_app, defer_sync  # noqa: E402
from tests.fixtures_postgres import (  # noqa: E402
    queue_counts,
    sample_messages,
    start_worker,
    stop_worker,
    write_imap_practice,
)
from tests.servers.dovecot import Dovecot, seed  # noqa: E402
from tests.servers.postgres import Postgres  # noqa: E402

_OUR_TABLES = (
    "practice",
    "mailbox",
    "party",
    "case_",
    "case_ref",
    "case_event",
    "message",
    "payment",
    "deadline",
    "draft",
    "calendar_entry",
    "credential",
    "audit_event",
)


def _wait_idle(dsn: str, workers: list[Any], timeout: float = 3600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        counts = queue_counts(dsn)
        if not counts.get("todo") and not counts.get("doing"):
            if counts.get("failed"):
                raise SystemExit(f"failed sync jobs: {counts}")
            return
        if any(w.poll() is not None for w in workers):
            raise SystemExit("a worker exited")
        time.sleep(0.05)
    raise SystemExit("timed out")


def _wait_registered(dsn: str, n: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with psycopg.connect(dsn) as conn:
            row = conn.execute("SELECT count(*) FROM procrastinate_workers").fetchone()
        if row and row[0] >= n:
            return
        time.sleep(0.1)
    raise SystemExit("workers did not register")


def _size(dsn: str) -> tuple[int, int, int]:
    """(bytes of our tables, bytes of the whole database, logged messages)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        ours = 0
        for table in _OUR_TABLES:
            row = conn.execute("SELECT pg_total_relation_size(%s)", (table,)).fetchone()
            ours += int(row[0]) if row else 0
        total = conn.execute("SELECT pg_database_size(current_database())").fetchone()
        messages = conn.execute("SELECT count(*) FROM message").fetchone()
    return ours, int(total[0]) if total else 0, int(messages[0]) if messages else 0


def _rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` (the ``chief worker`` process), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_round(
    pg: Postgres, imap: Dovecot, root: Path, workers: int, mailboxes: int, messages: int
) -> dict[str, float]:
    """One round: fresh database, fresh practices and accounts, ``workers`` workers."""
    name = f"round{workers}_{secrets.token_hex(3)}"
    url = pg.create_database(name)
    os.environ["CHIEF_DATABASE_URL"] = url
    app = build_app(url)
    prepare_database(app, url)
    dsn = libpq_url(url)
    empty_ours, empty_total, _ = _size(dsn)
    practices = root / name
    configs = []
    for n in range(mailboxes):
        slug = f"p{n:03d}"
        user = imap.add_user(f"{name}-{slug}", secrets.token_urlsafe(12))
        seed(user, sample_messages(messages, seed=n))
        configs.append(
            write_imap_practice(
                practices / slug,
                slug,
                user.host,
                user.port,
                user.username,
                user.password,
                batch_size=50,
                sync_minutes=1440,  # no periodic sync during the round: we queue them
            )
        )
    procs = [start_worker(practices, url, root / f"{name}-{i}.log") for i in range(workers)]
    try:
        _wait_registered(dsn, workers)
        idle_rss = max(_rss_mb(proc.pid) for proc in procs)
        timings = []
        # The first syncs; then the same mailboxes with no new mail, three times: a worker
        # builds a practice's rules the first time it meets the practice, so the last round
        # is the steady state (every worker has met every practice).
        for _ in ("first", "incremental", "incremental", "incremental"):
            start = time.perf_counter()
            with app.open():
                for config in configs:
                    defer_sync(app, config)
            _wait_idle(dsn, procs)
            timings.append(time.perf_counter() - start)
        busy_rss = max(_rss_mb(proc.pid) for proc in procs)
    finally:
        for proc in procs:
            stop_worker(proc)
    ours, total, logged = _size(dsn)
    pg.drop_database(name)
    return {
        "first_s": timings[0],
        "idle_rss_mb": idle_rss,
        "rss_mb": busy_rss,
        "incremental_cold_s": timings[1],
        "incremental_s": timings[-1],
        "logged": logged,
        "ours_bytes": ours - empty_ours,
        "total_bytes": total - empty_total,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mailboxes", type=int, default=50)
    parser.add_argument(
        "--messages",
        type=int,
        default=20,
        help="per mailbox (max 88: the sports practice's sample mail)",
    )
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="chief-scale-"))
    root.chmod(0o755)  # the servers run as an ordinary user, below this folder
    pg = Postgres(root / "pg")
    imap = Dovecot(root / "imap")
    try:
        pg.start()
        imap.start()
        results = {w: run_round(pg, imap, root, w, args.mailboxes, args.messages) for w in (1, 2)}
    finally:
        imap.close()
        pg.close()
        shutil.rmtree(root, ignore_errors=True)
    one, two = results[1], results[2]
    n = args.mailboxes
    print(f"machine: {platform.machine()} {os.cpu_count()} cpu, python {platform.python_version()}")
    print(f"mailboxes: {n}")
    print(f"messages_per_mailbox: {args.messages}")
    print(f"mailboxes_per_min_1_worker: {n / one['first_s'] * 60:.1f}")
    print(f"mailboxes_per_min_2_workers: {n / two['first_s'] * 60:.1f}")
    print(f"speedup_2_workers: {one['first_s'] / two['first_s']:.2f}")
    print(f"incremental_per_min_1_worker: {n / one['incremental_s'] * 60:.1f}")
    print(f"incremental_per_min_2_workers: {n / two['incremental_s'] * 60:.1f}")
    print(f"incremental_speedup_2_workers: {one['incremental_s'] / two['incremental_s']:.2f}")
    print(f"incremental_cold_per_min_2_workers: {n / two['incremental_cold_s'] * 60:.1f}")
    print(f"messages_per_s_1_worker: {one['logged'] / one['first_s']:.1f}")
    print(f"messages_per_s_2_workers: {two['logged'] / two['first_s']:.1f}")
    print(f"worker_rss_mb_idle: {one['idle_rss_mb']:.0f}")
    print(f"worker_rss_mb_{n}_practices: {one['rss_mb']:.0f}")
    print(f"worker_mb_per_cached_practice: {(one['rss_mb'] - one['idle_rss_mb']) / n:.2f}")
    logged = one["logged"] + two["logged"]
    ours = (one["ours_bytes"] + two["ours_bytes"]) / logged * 10_000 / 2**20
    total = (one["total_bytes"] + two["total_bytes"]) / logged * 10_000 / 2**20
    print(f"messages_logged: {logged}")
    print(f"db_mb_per_10k_messages: {ours:.1f}")
    print(f"db_total_mb_per_10k_messages: {total:.1f}")


if __name__ == "__main__":
    main()
