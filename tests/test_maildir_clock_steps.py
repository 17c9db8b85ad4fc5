"""No mail is missed after the wall clock steps back, and the cursor stays small.

A file's ctime cannot be set (``os.utime`` sets atime and mtime only), so a clock step is
played the other way round: the files keep the real ctime the kernel gives them, and the
connector's clock (the reader's ``clock``: wall time, boot time, boot id) is what runs ahead
and then steps back, exactly as the kernel's clock would have done to both. The first test
needs no such seam: a watermark stored while the clock ran an hour fast (in the first cursor
format, as every existing practice has one) is ahead of every message delivered since.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors.maildir.connector import MaildirConnector
from connectors.maildir.watermark import SEEN_CAP, Now
from tests.test_maildir import eml, put, read_all

HOUR = 3600 * 10**9


class SteppingClock:
    """The clocks as the kernel would show them: ``offset`` is how far the wall clock is
    from the truth, ``slept`` the time that passes without the test waiting for it."""

    def __init__(self) -> None:
        self.offset = 0
        self.slept = 0
        self.boot_id: str | None = "boot-1"

    def __call__(self) -> Now:
        real = time.time_ns() + self.slept
        boot = None if self.boot_id is None else time.monotonic_ns() + self.slept
        return Now(real + self.offset, boot, self.boot_id)


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    root = tmp_path / "Maildir"
    for n in range(3):
        put(root, "INBOX", "new", f"100{n}.A.host", eml(n))
    return root


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()


def _connector(
    root: Path, clock: SteppingClock | None = None, **kwargs: object
) -> MaildirConnector:
    conn = MaildirConnector(root, **kwargs)  # type: ignore[arg-type]
    if clock is not None:
        conn.reader.clock = clock
    return conn


def test_a_watermark_taken_while_the_clock_ran_fast_misses_nothing(inbox: Path) -> None:
    conn = _connector(inbox)
    ahead = {"v": 1, "folders": {"INBOX": time.time_ns() + HOUR}}  # stored an hour fast
    put(inbox, "INBOX", "new", "2000.B.host", eml(5))  # delivered after the clock was set right
    _, ids, _ = read_all(conn, ahead)
    assert "2000.B.host" in ids


def test_a_step_back_within_one_boot_lowers_the_watermark_by_the_step(
    inbox: Path, clock: SteppingClock
) -> None:
    conn = _connector(inbox, clock, cursor_slack_s=0)
    clock.offset = 2 * HOUR  # the clock runs two hours fast during this scan
    cursor = read_all(conn)[0][-1].cursor
    clock.offset = 0  # NTP steps it back
    put(inbox, "INBOX", "new", "2000.B.host", eml(5))
    clock.slept = 3 * HOUR  # and chief next runs three hours later: the clock is past the mark
    batches, ids, _ = read_all(conn, cursor)
    assert "2000.B.host" in ids
    _, again, _ = read_all(conn, batches[-1].cursor)
    assert again == set()  # read once


def test_a_clock_behind_the_last_scan_after_a_reboot_reads_the_folder_once(
    inbox: Path, clock: SteppingClock
) -> None:
    conn = _connector(inbox, clock)
    clock.offset = 2 * HOUR
    cursor = read_all(conn)[0][-1].cursor
    clock.offset, clock.boot_id = 0, "boot-2"  # rebooted with the right time
    put(inbox, "INBOX", "new", "2000.B.host", eml(5))
    batches, ids, _ = read_all(conn, cursor)
    assert ids == {"1000.A.host", "1001.A.host", "1002.A.host", "2000.B.host"}
    _, again, _ = read_all(conn, batches[-1].cursor)
    assert again == set()


def test_a_step_back_smaller_than_the_margin_needs_no_boot_clock(
    inbox: Path, clock: SteppingClock
) -> None:
    clock.boot_id = None  # no boot clock (not Linux): only the margin protects
    conn = _connector(inbox, clock)  # the default margin: ten minutes
    clock.offset = 5 * 60 * 10**9
    cursor = read_all(conn)[0][-1].cursor
    clock.offset = 0
    put(inbox, "INBOX", "new", "2000.B.host", eml(5))
    clock.slept = HOUR
    _, ids, _ = read_all(conn, cursor)
    assert ids == {"2000.B.host"}


def _many(root: Path, count: int) -> Iterator[str]:
    for n in range(count):
        name = f"{3000 + n}.C.host"
        put(root, "INBOX", "cur", f"{name}:2,S", b"From: a@b.example\n\nx\n")
        yield name


def test_the_cursor_of_a_large_maildir_copied_in_at_once_stays_small(tmp_path: Path) -> None:
    root = tmp_path / "Maildir"
    names = set(_many(root, SEEN_CAP + 1500))  # every ctime within the margin
    conn = _connector(root, batch_size=500)
    batches, ids, _ = read_all(conn)
    assert ids == names
    sizes = [len(json.dumps(batch.cursor)) for batch in batches]
    assert max(sizes[:-1]) < 2_000  # mid-scan: the watermark and its ties only
    assert sizes[-1] < 40 * SEEN_CAP  # the whole scan: at most SEEN_CAP names
    assert len(batches[-1].cursor["folders"]["INBOX"]["seen"]) <= SEEN_CAP + 10
    _, again, _ = read_all(conn, batches[-1].cursor)
    assert again == set()
    put(root, "INBOX", "new", "9999.D.host", eml(9))
    _, after, _ = read_all(conn, batches[-1].cursor)
    assert after == {"9999.D.host"}
