"""The embedded calendar: one iCalendar file (RFC 5545) on disk, shared with the practitioner.

The file may also hold the practitioner's own events (it can be a calendar app's export or a
file a calendar app subscribes to), so writing follows three rules:

- **Only our blocks change.** The file is edited as text: each top-level ``VEVENT`` whose UID ends
  in ``@practice-chief`` is ours; every other line (their events, time zones, todos, unknown
  components, folding, even bytes that are not UTF-8) is written back unchanged, except that
  every line ends in CRLF as RFC 5545 3.1 requires (a file saved with bare LF gets CRLF).
- **Exactly once.** An entry's UID is ``<key>@practice-chief``; an upsert replaces the existing
  block in place. Each block carries ``X-CHIEF-HASH`` (a hash of the entry); when it matches, the
  block is left alone, and a run that changes nothing does not rewrite the file (mtime kept). A
  changed entry gets a new ``DTSTAMP``/``LAST-MODIFIED`` and ``SEQUENCE`` + 1 (RFC 5545 3.8.7.4).
- **Never a torn or lost file.** Writes happen under an exclusive ``fcntl.flock`` on a sidecar
  ``<file>.lock`` (two runs never interleave), to a temporary file in the same folder, flushed and
  fsynced, then ``os.replace``d over the original (POSIX rename is atomic) and the folder fsynced.
  A file that cannot be parsed raises :class:`CorruptCalendar` (a ``ConnectorError``, so the
  pipeline records it and goes on) naming the file, and is never overwritten.

Each entry is written by :mod:`connectors.ical.vevent`, shared with the CalDAV connector: time zones
kept (``TZID`` plus a ``VTIMEZONE``, RFC 5545 3.6.5, added once to the file when it lacks one),
alarms as ``VALARM`` components (3.6.6), ``extra`` as ``STATUS``/``RRULE``/``X-CHIEF-*``.

The text structure is found by :mod:`connectors.ical.text`. Reading (:meth:`IcsCalendar.events`)
uses :mod:`connectors.ical.recurrence`: ``RRULE``/``RDATE``/``EXDATE`` and ``RECURRENCE-ID``
overrides expanded with ``dateutil.rrule`` (not the ``recurring-ical-events`` package), bounded
per event; floating times and unknown ``TZID``s read in the connector's ``tz``; an event that
cannot be understood skipped with a warning naming the file and a hash of its UID.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import tempfile
import time as _time
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, tzinfo
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar

from bot.errors import ConnectorError, UserError
from bot.file_safety import UnreadableFile, private_dir, read_practice_file
from connectors.base import CalendarEntry
from connectors.broken_events import build_or_skip
from connectors.calendar_upsert import Stored, Write, upsert_events
from connectors.ical.recurrence import expand_component
from connectors.ical.text import (
    Block,
    Document,
    StructureError,
    crlf_lines,
    lines_of,
    new_document,
    scan,
)
from connectors.ical.vevent import (
    PRODID,
    UID_SUFFIX,
    build_vevent,
    uid_for,
)

__all__ = ["PRODID", "UID_SUFFIX", "CorruptCalendar", "IcsCalendar"]

log = logging.getLogger(__name__)

# A calendar file larger than this is refused rather than read into memory (years of a busy
# practice's events come to a few megabytes).
MAX_CALENDAR_BYTES = 64 * 1024 * 1024


class CorruptCalendar(ConnectorError):
    """The calendar file exists but is not a readable iCalendar file; it is left untouched."""


class IcsCalendar:
    """CalendarSource + CalendarSink on one ``.ics`` file. Config keys: ``path``, ``tz``."""

    # Alarms; recurrence read expanded and written from entry.extra["rrule"]; find_event works
    # after a crash (the key is the UID).

    def __init__(self, path: Path | str, tz: str = "UTC", lock_timeout: float = 30.0) -> None:
        self.path = Path(path).expanduser()
        try:
            self.tz: tzinfo = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise UserError(
                f"unknown time zone `{tz}` for the ics calendar",
                ["set `tz` in [calendar] of chief.toml to an IANA name such as Europe/London"],
            ) from None
        self.lock_timeout = lock_timeout

    # ------------------------------------------------------------------ CalendarSink

    @staticmethod
    def uid_for(key: str) -> str:
        return uid_for(key)

    def find_event(self, key: str) -> str | None:
        """The UID (remote id) of our event keyed ``key``, or None."""
        uid = self.uid_for(key)
        raw = self._read()
        if raw is None:
            return None
        doc = self._scan(raw)
        return uid if any(b.uid == uid and not b.has_recurrence_id for b in doc.blocks) else None

    def upsert_event(self, entry: CalendarEntry) -> str:
        """Create or update ``entry``; return its UID. Writes nothing when already identical."""
        return self.upsert_events([entry])[0]

    def upsert_events(self, entries: Sequence[CalendarEntry]) -> list[str]:
        """Upsert many entries with at most one write of the file; UIDs in input order."""
        edit = _Edit(self)
        return upsert_events(entries, self.tz, edit.find, edit.write, edit.session)

    # ---------------------------------------------------------------- CalendarSource

    def events(self, start: datetime, end: datetime) -> Iterator[CalendarEntry]:
        """Entries (one per occurrence) overlapping [start, end), sorted by start."""
        raw = self._read()
        if raw is None:
            log.debug("calendar %s does not exist yet: no events", self.path)
            return iter(())
        window = (_instant(start, self.tz), _instant(end, self.tz))
        found: list[tuple[datetime, CalendarEntry]] = []
        for component in self._parse_events(raw):
            found.extend(expand_component(component, window, self.tz, str(self.path)))
        found.sort(key=lambda pair: pair[0])
        return iter([entry for _, entry in found])

    # ------------------------------------------------------------------ file handling

    def _read(self) -> bytes | None:
        """The file's bytes, None when there is none yet. A FIFO, a device or a directory at
        the path is refused at once (never waited on), and so is a file past
        :data:`MAX_CALENDAR_BYTES` (read no further than that)."""
        try:
            return read_practice_file(self.path, MAX_CALENDAR_BYTES)
        except UnreadableFile as exc:
            if exc.missing:
                return None
            raise ConnectorError(f"cannot read calendar file {self.path}: {exc.reason}") from None

    def _corrupt(self, reason: str) -> CorruptCalendar:
        return CorruptCalendar(
            f"calendar file {self.path} cannot be used: {reason}. It has not been changed: "
            "repair it in a calendar app, or set another `path` in [calendar] of chief.toml"
        )

    def _scan(self, raw: bytes) -> Document:
        try:
            return scan(raw)
        except StructureError as exc:
            raise self._corrupt(str(exc)) from exc

    def _parse(self, raw: bytes) -> list[icalendar.Component]:
        try:
            parsed = icalendar.Calendar.from_ical(raw, multiple=True)
        except Exception as exc:  # the library raises many types on broken input
            raise self._corrupt(f"invalid iCalendar ({type(exc).__name__}: {exc})") from exc
        return list(parsed) if isinstance(parsed, list) else [parsed]

    def _parse_events(self, raw: bytes) -> list[icalendar.Component]:
        """The file as :meth:`_parse` reads it; when the library refuses the whole file, each
        top-level VEVENT on its own, so one broken event (an alarm whose TRIGGER is not a
        duration...) is skipped with a warning and the others are still read. Writing stays
        strict: a file the library refuses is never rewritten."""
        try:
            return self._parse(raw)
        except CorruptCalendar:
            doc = self._scan(raw)
            if not doc.blocks:
                raise
        inside = {i for block in doc.blocks for i in range(block.first, block.last + 1)}
        rest = "".join(line for i, line in enumerate(doc.lines) if i not in inside)
        components = self._parse(rest.encode("utf-8", "surrogateescape"))
        label = str(self.path)
        for block in doc.blocks:
            text = "".join(doc.lines[block.first : block.last + 1])
            data = text.encode("utf-8", "surrogateescape")
            event = build_or_skip(partial(icalendar.Event.from_ical, data), label, block.uid)
            if isinstance(event, icalendar.Component):
                components[0].add_component(event)
        return components

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        lock_path = self.path.with_name(self.path.name + ".lock")
        try:
            private_dir(self.path.parent)
            # owner-only, like the calendar it guards; closed in finally
            handle = os.fdopen(os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600), "r+b")
        except OSError as exc:
            raise ConnectorError(f"cannot open lock file {lock_path}: {exc.strerror}") from exc
        try:
            deadline = _time.monotonic() + self.lock_timeout
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if _time.monotonic() >= deadline:
                        raise ConnectorError(
                            f"calendar file {self.path} is locked by another run "
                            f"(waited {self.lock_timeout:.0f} s)"
                        ) from None
                    _time.sleep(0.05)
            yield
        finally:
            handle.close()  # closing releases the lock

    def _write(self, doc: Document, previous: bytes | None) -> None:
        text = crlf_lines(doc.lines)
        data = text.encode("utf-8", "surrogateescape")
        if previous is not None and data == previous:
            return
        target = self.path.resolve() if self.path.is_symlink() else self.path
        mode = 0o600
        with contextlib.suppress(FileNotFoundError):
            mode = target.stat().st_mode & 0o777
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, target)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            if isinstance(exc, OSError):
                raise ConnectorError(f"cannot write calendar file {target}: {exc}") from exc
            raise
        with contextlib.suppress(OSError):  # make the rename itself durable
            dir_fd = os.open(target.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        log.info("calendar %s written (%d bytes)", target, len(data))

    def _now(self) -> datetime:
        return datetime.now(UTC).replace(microsecond=0)

    def _component(
        self,
        entry: CalendarEntry,
        uid: str,
        digest: str,
        sequence: int,
        now: datetime,
        new_zones: dict[str, icalendar.Timezone],
        known_tzids: set[str],
    ) -> icalendar.Event:
        return build_vevent(
            entry,
            uid=uid,
            digest=digest,
            sequence=sequence,
            now=now,
            tz=self.tz,
            zones=new_zones,
            known_tzids=known_tzids,
        )


# ------------------------------------------------------------------------ helpers


class _Edit:
    """One upsert's edit of the file, as the primitives of
    :func:`connectors.calendar_upsert.upsert_events`: read under the lock (:meth:`session`),
    our blocks found (:meth:`find`), replaced or appended (:meth:`write`), and the file written
    once when the session ends, only if anything changed (or the file is new)."""

    def __init__(self, calendar: IcsCalendar) -> None:
        self.calendar = calendar
        self.doc = new_document(PRODID)
        self.replace: dict[int, list[str]] = {}  # first line of a block -> its new lines
        self.drop: set[int] = set()
        self.append: list[str] = []
        self.zones: dict[str, icalendar.Timezone] = {}

    @contextlib.contextmanager
    def session(self) -> Iterator[None]:
        calendar = self.calendar
        with calendar._locked():
            raw = calendar._read()
            fresh = not raw or not raw.strip()
            self.doc = new_document(PRODID) if fresh or raw is None else calendar._scan(raw)
            if self.doc.calendar_end is None:
                raise calendar._corrupt("it holds no VCALENDAR; it is not a calendar file")
            if raw is not None and not fresh:
                calendar._parse(raw)  # structural scan passed; the library must agree too
            yield
            if self._splice() or fresh:
                calendar._write(self.doc, raw)

    def find(self, keys: Sequence[str]) -> dict[str, Stored[Block]]:
        """Our master block per key; copies of it (an old bug, a copy) are dropped."""
        masters: dict[str, list[Block]] = {}
        for block in self.doc.blocks:
            if block.uid and block.uid.endswith(UID_SUFFIX) and not block.has_recurrence_id:
                masters.setdefault(block.uid, []).append(block)
        found: dict[str, Stored[Block]] = {}
        for key in keys:
            uid = uid_for(key)
            existing = masters.get(uid, [])
            self.drop.update(duplicate.first for duplicate in existing[1:])
            if existing:
                found[key] = Stored(uid, existing[0].chief_hash, existing[0])
        return found

    def write(self, writes: Sequence[Write[Block]]) -> dict[str, str]:
        now = self.calendar._now()
        for item in writes:
            uid = uid_for(item.entry.key)
            current = item.current.handle if item.current else None
            sequence = current.sequence + 1 if current else 0
            event = self.calendar._component(
                item.entry, uid, item.digest, sequence, now, self.zones, self.doc.tzids
            )
            block_lines = lines_of(event.to_ical(), self.doc.newline)
            if current is not None:
                self.replace[current.first] = block_lines
            else:
                self.append.extend(block_lines)
        return {item.entry.key: uid_for(item.entry.key) for item in writes}

    def _splice(self) -> bool:
        """Put the new blocks into ``doc.lines``; True when anything changed."""
        doc = self.doc
        if not (self.replace or self.drop or self.append):
            return False
        zone_lines: list[str] = []
        for zone in self.zones.values():
            zone_lines.extend(lines_of(zone.to_ical(), doc.newline))
        spans = {b.first: b.last for b in doc.blocks}
        out: list[str] = []
        index = 0
        while index < len(doc.lines):
            if index == doc.calendar_end:
                out.extend(zone_lines)
                out.extend(self.append)
            if index in self.replace or index in self.drop:
                out.extend(self.replace.get(index, []))
                index = spans[index] + 1
                continue
            out.append(doc.lines[index])
            index += 1
        doc.lines = out
        return True


def _instant(value: date | datetime, tz: tzinfo) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    return datetime.combine(value, time(), tz)
