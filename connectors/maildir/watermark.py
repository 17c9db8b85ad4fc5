"""Where a Maildir folder was read up to, such that no clock step can make a message missed.

A Maildir has no sequence numbers: what is new is what changed since the last scan, and a
file's inode change time (ctime) is the only mark of change every delivery, rename and move
sets. But ctime is read from the wall clock, which steps: NTP correcting a clock that ran
fast, a virtual machine resumed, an administrator's ``date -s``. A plain ctime watermark taken
while the clock was ahead is ahead of every message delivered after the step, and those are
never read. So the mark a folder keeps (:class:`FolderMark`) is three things:

``mark``
    A ctime: every file changed before it has been read. It is set to the scan's start
    *minus a margin* (``cursor_slack_s``, ten minutes by default), not to the newest file
    seen, so a clock that steps back by less than the margin still finds new files above it.
``seen``
    The names of the files at or above ``mark`` that have been read, so the margin's files
    are not read again at every scan. It holds the files changed within the margin (a few
    dozen in a practice's day; capped at :data:`SEEN_CAP`, the mark rising to keep it so when a
    whole Maildir was copied in at once), never the whole folder: the cursor of a 100,000
    message Maildir stays a few kilobytes.
``at``
    When the scan started: the wall clock and, on Linux, ``CLOCK_BOOTTIME`` with the boot's
    id. Boot time counts through suspend and never steps, so the next scan of the same boot
    knows exactly how far the wall clock went back meanwhile (:func:`stepped_back`) and lowers
    the mark by that much; after a reboot (or without a boot clock) a wall clock behind the
    last scan is the proof of a step of unknown size, and the folder is read in full once
    (the pipeline's message keys make that log nothing twice).

A step back across a reboot that leaves the clock ahead of the last scan cannot be seen and
is covered by the margin only.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["SEEN_CAP", "FolderMark", "Now", "stepped_back", "system_now"]

SEEN_CAP = 5_000
_TOLERANCE_NS = 1_000_000_000  # clock slewing and the time between two readings
_BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


@dataclass(frozen=True, slots=True)
class Now:
    """One reading of the clocks: wall time, and boot time with the boot's id where known."""

    wall_ns: int
    boot_ns: int | None = None
    boot_id: str | None = None


def system_now() -> Now:
    """The clocks now (boot time on Linux only)."""
    boot_ns = boot_id = None
    with contextlib.suppress(AttributeError, OSError):
        boot_ns = time.clock_gettime_ns(time.CLOCK_BOOTTIME)
        boot_id = _BOOT_ID.read_text(encoding="ascii").strip()
    return Now(time.time_ns(), boot_ns, boot_id)


def stepped_back(before: Now, now: Now) -> int | None:
    """How many nanoseconds the wall clock went back between ``before`` and ``now``: 0 when it
    did not; None when it did by an amount that cannot be known (another boot, or no boot
    clock, and the wall clock behind ``before``)."""
    same_boot = before.boot_id is not None and before.boot_id == now.boot_id
    if same_boot and before.boot_ns is not None and now.boot_ns is not None:
        expected = before.wall_ns + (now.boot_ns - before.boot_ns)
        back = expected - now.wall_ns
        return back if back > _TOLERANCE_NS else 0
    return None if now.wall_ns + _TOLERANCE_NS < before.wall_ns else 0


@dataclass(frozen=True, slots=True)
class FolderMark:
    """How far one folder has been read (see the module docstring)."""

    mark: int
    seen: frozenset[str]
    at: Now

    def to_json(self) -> dict[str, Any]:
        return {
            "mark": self.mark,
            "seen": sorted(self.seen),
            "at": self.at.wall_ns,
            "boot": self.at.boot_ns,
            "boot_id": self.at.boot_id,
        }

    @classmethod
    def from_json(cls, data: object) -> FolderMark | None:
        """The mark stored by :meth:`to_json`, or None when ``data`` is not one."""
        if not isinstance(data, Mapping):
            return None
        mark, seen, at = data.get("mark"), data.get("seen"), data.get("at")
        boot, boot_id = data.get("boot"), data.get("boot_id")
        if (
            not isinstance(mark, int)
            or not isinstance(at, int)
            or not isinstance(seen, list)
            or not all(isinstance(name, str) for name in seen)
            or not (boot is None or isinstance(boot, int))
            or not (boot_id is None or isinstance(boot_id, str))
        ):
            return None
        return cls(mark, frozenset(seen), Now(at, boot, boot_id))

    @classmethod
    def from_version_1(cls, watermark: int, margin_ns: int) -> FolderMark:
        """A mark from the first cursor format (a bare ctime, taken about two seconds before
        the scan started): lowered by the margin, with the scan's start taken to be it."""
        return cls(watermark - margin_ns, frozenset(), Now(watermark))
