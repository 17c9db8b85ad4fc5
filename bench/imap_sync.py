"""IMAP first sync against the floor, on a throw-away Dovecot on 127.0.0.1.

Seeds a fresh account with N messages (default 10,000; 2-60 KiB, log-uniform, a third of them
with a PDF-like attachment; MULTIAPPEND in chunks of 500), then prints ``name: value`` lines:

``initial_sync_s``
    our connector's ``changes(None)`` drained: EXAMINE, UID SEARCH, then per batch a UID FETCH
    of ``RFC822.SIZE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (...)]`` and one of the text and
    calendar parts (``BODY.PEEK[section]<0.N>``), every message assembled into a Message
``floor_s``
    a plain imapclient loop: the same EXAMINE, SEARCH and FETCH commands for the same batches
    (the second round's groups worked out beforehand, off the clock), nothing parsed;
    ``ratio`` = initial_sync_s / floor_s (best of ``--rounds`` each, warm cache)
``parse_s`` / ``transport_ratio``
    the part of initial_sync_s spent in ``bot.mail.message.build_message`` (the one assembly
    of each Message), and the ratio without it
``floor_stdlib_parse_s`` / ``ratio_vs_floor_stdlib_parse``
    the plain loop plus one stdlib ``email.message_from_bytes`` per fetched part (headers
    prepended): the least any client that hands parsed messages on must do
``incremental_ms``
    a no-change sync on an open connection (median of 50)
``peak_rss_mb`` / ``peak_rss_mb_4n``
    peak resident memory of a fresh process draining ``changes(None)`` over N and over 4N
    messages (``resource.getrusage`` maxrss); flat in N means the connector holds one batch

    python bench/imap_sync.py [--n N] [--batch-size B] [--rounds R] [--no-4n]

Needs Dovecot (Debian ``dovecot-imapd``); run as root it serves as the ``chiefci`` user.
"""

from __future__ import annotations

import argparse
import base64
import email
import email.policy
import os
import platform
import random
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from imapclient import IMAPClient  # noqa: E402

from bot.mail.message import Limits, Message  # noqa: E402
from bot.mail.mime import build_message  # noqa: E402
from connectors.imap.connector import ImapConnector  # noqa: E402
from connectors.imap.parse import (  # noqa: E402
    SURVEY_ITEMS,
    section_groups,
    section_items,
    survey,
)
from tests.servers.dovecot import Dovecot, DovecotUser, seed  # noqa: E402

WORDS = (  # noqa: SIM905 - prose reads better than 38 quoted words
    "patient review letter referral authorisation claim report assessment plan follow "
    "appointment clinic physiotherapy imaging result summary recommend treatment session "
    "the of and to with for on at by from as is was be this that which please regards"
).split()


def corpus(n: int, offset: int = 0, rng_seed: int = 42) -> Iterator[bytes]:
    """``n`` realistic messages: sizes log-uniform in 2-60 KiB; plain text, or a short
    letter with a base64 attachment when large."""
    rng = random.Random(rng_seed + offset)
    for i in range(offset, offset + n):
        size = int(2048 * (30 ** rng.random()))  # 2 KiB .. 60 KiB
        head = (
            f"From: Sender {i % 97} <sender{i % 97}@payer{i % 7}.example>\r\n"
            "To: Dr Test <dr@practice.example>\r\n"
            f"Subject: Prior authorisation update {i}\r\n"
            f"Message-ID: <bench-{i}@payer.example>\r\n"
            f"Date: Mon, 02 Nov 2026 {i % 24:02d}:{i % 60:02d}:00 +0000\r\n"
            "MIME-Version: 1.0\r\n"
        )
        if size > 12 * 1024 and i % 3 == 0:
            letter = _text(rng, 1500)
            blob = base64.encodebytes(rng.randbytes(int((size - 2500) * 0.74))).replace(
                b"\n", b"\r\n"
            )
            yield (
                (
                    head + 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
                    "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                    f"{letter}\r\n--b1\r\nContent-Type: application/pdf\r\n"
                    'Content-Disposition: attachment; filename="report.pdf"\r\n'
                    "Content-Transfer-Encoding: base64\r\n\r\n"
                ).encode()
                + blob
                + b"--b1--\r\n"
            )
        else:
            body = _text(rng, max(200, size - len(head) - 60))
            yield (head + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body).encode()


def _text(rng: random.Random, size: int) -> str:
    lines, total = [], 0
    while total < size:
        line = " ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "."
        lines.append(line)
        total += len(line) + 2
    return "\r\n".join(lines) + "\r\n"


def connector(user: DovecotUser, password_file: Path, batch_size: int) -> ImapConnector:
    return ImapConnector(
        host=user.host,
        port=user.port,
        username=user.username,
        password_file=password_file,
        tls="none",
        batch_size=batch_size,
        timeout=120,
    )


def ours(user: DovecotUser, password_file: Path, batch_size: int) -> tuple[float, float, int]:
    """(seconds, of which parsing, messages) for a full first sync."""
    parse_time = [0.0]

    def timed(*args: Any, **kwargs: Any) -> Message:
        start = time.perf_counter()
        try:
            return build_message(*args, **kwargs)
        finally:
            parse_time[0] += time.perf_counter() - start

    with mock.patch("connectors.imap.parse.build_message", timed):
        conn = connector(user, password_file, batch_size)
        conn._link.session()  # signed in before the clock starts, as the floor is
        start = time.perf_counter()
        count = sum(len(b.messages) + len(b.failed) for b in conn.changes(None))
        elapsed = time.perf_counter() - start
        conn.close()
    return elapsed, parse_time[0], count


def plan(user: DovecotUser, batch_size: int, part_cap: int) -> list[tuple[list[int], list]]:
    """Per batch: its UIDs and the second-round groups our connector would ask for (worked
    out before any clock starts, so the floor's loop stays plain)."""
    client = IMAPClient(user.host, user.port, ssl=False, timeout=120)
    client._imap.debug = 0
    client.login(user.username, user.password)
    client.select_folder("INBOX", readonly=True)
    uids = client.search(["UID", "1:*"])
    batches = []
    for i in range(0, len(uids), batch_size):
        chunk = uids[i : i + batch_size]
        surveyed = survey(chunk, client.fetch(chunk, SURVEY_ITEMS), Limits(), part_cap)
        groups = [
            (group, section_items(sections)) for sections, group in section_groups(surveyed).items()
        ]
        batches.append((chunk, groups))
    client.logout()
    return batches


def floor(
    user: DovecotUser, batches: list[tuple[list[int], list]], parse: bool = False
) -> tuple[float, int]:
    """The same commands from a plain imapclient loop (its protocol trace off, as ours:
    imapclient's default ``debug = 5`` formats every line and triples the time): per batch
    the survey FETCH, then one FETCH per group of the same sections; with ``parse``, each
    message's headers and parts also go through the stdlib parser once."""
    client = IMAPClient(user.host, user.port, ssl=False, timeout=120)
    client._imap.debug = 0
    client.login(user.username, user.password)
    client.enable("CONDSTORE")
    start = time.perf_counter()
    client.select_folder("INBOX", readonly=True)
    client.search(["UID", "1:*"])
    count = 0
    for chunk, groups in batches:
        fetched = client.fetch(chunk, SURVEY_ITEMS)
        count += len(fetched)
        for group, items in groups:
            parts = client.fetch(group, items)
            if parse:
                for uid, data in parts.items():
                    head = next(v for k, v in fetched[uid].items() if k.startswith(b"BODY[HEADER"))
                    for key, value in data.items():
                        if key.startswith(b"BODY["):
                            email.message_from_bytes(
                                head + b"\r\n" + value, policy=email.policy.compat32
                            )
    elapsed = time.perf_counter() - start
    client.logout()
    return elapsed, count


def incremental_ms(user: DovecotUser, password_file: Path) -> float:
    conn = connector(user, password_file, 200)
    cursor = None
    for batch in conn.changes(None):
        cursor = batch.cursor
    timings = []
    for _ in range(50):
        start = time.perf_counter()
        assert list(conn.changes(cursor)) == []
        timings.append(time.perf_counter() - start)
    conn.close()
    return statistics.median(timings) * 1000


def peak_rss_mb(user: DovecotUser, password_file: Path, batch_size: int) -> float:
    """Peak RSS of a fresh interpreter that drains ``changes(None)`` once."""
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--rss-child",
            f"{user.host}:{user.port}:{user.username}:{password_file}:{batch_size}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout.strip())


def rss_child(spec: str) -> None:
    host, port, username, password_file, batch_size = spec.split(":")
    conn = ImapConnector(
        host=host,
        port=int(port),
        username=username,
        password_file=Path(password_file),
        tls="none",
        batch_size=int(batch_size),
        timeout=120,
    )
    for _batch in conn.changes(None):
        pass
    conn.close()
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)  # KiB on Linux


def account(server: Dovecot, name: str, n: int, workdir: Path) -> tuple[DovecotUser, Path]:
    user = server.add_user(name, "bench-" + name)
    secret = workdir / f"{name}.password"
    secret.write_text(user.password)
    secret.chmod(0o600)
    start = time.perf_counter()
    seed(user, corpus(n))
    print(f"# seeded {n} messages for {name} in {time.perf_counter() - start:.1f} s", flush=True)
    return user, secret


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-4n", action="store_true", help="skip the 4N memory run")
    parser.add_argument("--rss-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child:
        rss_child(args.rss_child)
        return
    # SIGTERM ends the run through the context managers: Dovecot stopped, files removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="chief-bench-") as tmp, Dovecot() as server:
        workdir = Path(tmp)
        user, secret = account(server, "bench", args.n, workdir)
        sizes = [len(m) for m in corpus(args.n)]
        print(
            f"# mean message size {statistics.mean(sizes) / 1024:.1f} KiB, "
            f"total {sum(sizes) / 2**20:.0f} MiB",
            flush=True,
        )
        batches = plan(user, args.batch_size, 256 * 1024)
        best_ours, best_floor, best_floor_parse, parse_s = (float("inf"),) * 3 + (0.0,)
        for _ in range(args.rounds):
            seconds, count = floor(user, batches)
            assert count == args.n, count
            best_floor = min(best_floor, seconds)
            seconds, count = floor(user, batches, parse=True)
            best_floor_parse = min(best_floor_parse, seconds)
            seconds, parsing, count = ours(user, secret, args.batch_size)
            assert count == args.n, count
            if seconds < best_ours:
                best_ours, parse_s = seconds, parsing
        print(f"n: {args.n}")
        print(f"batch_size: {args.batch_size}")
        print(f"initial_sync_s: {best_ours:.3f}")
        print(f"floor_s: {best_floor:.3f}")
        print(f"ratio: {best_ours / best_floor:.2f}")
        print(f"parse_s: {parse_s:.3f}")
        print(f"transport_ratio: {(best_ours - parse_s) / best_floor:.2f}")
        print(f"floor_stdlib_parse_s: {best_floor_parse:.3f}")
        print(f"ratio_vs_floor_stdlib_parse: {best_ours / best_floor_parse:.2f}")
        print(f"messages_per_s: {args.n / best_ours:.0f}")
        print(f"incremental_ms: {incremental_ms(user, secret):.2f}")
        print(f"peak_rss_mb: {peak_rss_mb(user, secret, args.batch_size):.1f}", flush=True)
        if not args.no_4n:
            big_user, big_secret = account(server, "bench4n", 4 * args.n, workdir)
            print(f"peak_rss_mb_4n: {peak_rss_mb(big_user, big_secret, args.batch_size):.1f}")
    print(
        f"machine: {os.cpu_count()} cores, {platform.machine()}, Python "
        f"{platform.python_version()}, {platform.system()}"
    )


if __name__ == "__main__":
    main()
