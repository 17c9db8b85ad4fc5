"""The weekly research digest: journal alerts collected since the last digest.

Terminology
-----------
ALERT
    A message the rules classify as category ``research`` (a journal's table of contents, an
    evidence digest), any event but ``correspondence``. What is kept of it is what a digest
    lists and nothing more: the journal (the sender's display name), the publisher (its party
    in ``rules/parties/research.yaml``), the title (the subject line, else the first line), the
    first web link that is not an unsubscribe or preferences link, the titles of the articles
    it lists (bulleted or numbered lines, at most 12) and the dates it was sent and logged.
STORE
    ``data/research/alerts.jsonl`` (0600): one JSON line per alert, written by the sync
    (:func:`note_alert`) under a lock. A message read twice after a crash writes a second line
    with the same message key; readers keep the first.
DIGEST
    Due once per ISO week, on or after ``[research] digest_weekday`` (Monday unless set): the
    alerts logged after the previous digest's cut-off (or in the 7 days before the first one)
    and sent no more than a week before that and not after the digest's day (so the first full
    sync of an old mailbox does not fill a digest with years of alerts). With a pretend day
    (``--today``, the demo) the digest is the one due at the end of that day.
    :func:`research_digest` returns it (read-only, so a summary can be previewed any number
    of times); whoever delivers it calls :func:`record_research_digest`, which records it
    (an audit row keyed by practice and week) so it is never delivered twice, and sets the
    cut-off for the next one. A week without alerts still has its digest, with no items.

Journal alerts are publishers' mailings, not patient mail; still, nothing here logs a title.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from bot import crash
from bot.file_safety import write_private
from bot.keys import stable_key
from bot.letters.headers import clean_header_text
from bot.locking import exclusive_lock
from bot.mail.message import Message
from bot.rules.engine import Classification
from bot.store.models import AuditEvent
from bot.sync.audit import connector_name, record_audit
from bot.sync.steps import FiledMessage, SyncReport

if TYPE_CHECKING:
    from bot.sync.runtime import Runtime

__all__ = [
    "DIGEST_ACTION",
    "DigestItem",
    "ResearchDigest",
    "alert_item",
    "alert_step",
    "note_alert",
    "record_research_digest",
    "research_digest",
]

log = logging.getLogger(__name__)

DIGEST_ACTION = "research.digest"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MAX_ARTICLES = 12
_MAX_TITLE = 200
_BULLET = re.compile(r"^(\s*)(?:[-*•·▪]|\d{1,2}[.)])\s+(\S.*)$")
_URL = re.compile(r"https?://[^\s<>\"'()\[\]]{4,500}")
_NOT_CONTENT = re.compile(r"unsubscribe|optout|opt-out|preferences|manage|privacy|profile", re.I)


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One alert in a digest. ``articles``: the titles it lists, in its order."""

    journal: str
    title: str
    link: str | None = None
    publisher: str | None = None
    received: date | None = None
    articles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ResearchDigest:
    """The digest due now. ``key`` identifies it (practice and ISO ``week``); items are the
    alerts logged in (``since``, ``until``], oldest first."""

    key: str
    week: str
    since: datetime
    until: datetime
    items: tuple[DigestItem, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "week": self.week,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "items": [
                {
                    **asdict(i),
                    "received": i.received.isoformat() if i.received else None,
                    "articles": list(i.articles),
                }
                for i in self.items
            ],
        }


# ------------------------------------------------------------------ reading an alert


def _short(text: str, limit: int = _MAX_TITLE) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-") + "…"


def _articles(text: str) -> tuple[str, ...]:
    """Bulleted or numbered lines, each with its more-indented continuation lines."""
    found: list[str] = []
    current: list[str] = []
    indent = 0
    for line in text.splitlines():
        bullet = _BULLET.match(line)
        if bullet is not None:
            if current:
                found.append(" ".join(current))
            current, indent = [bullet.group(2).strip()], len(bullet.group(1))
        elif current and line.strip() and len(line) - len(line.lstrip()) > indent:
            current.append(line.strip())
        elif current:
            found.append(" ".join(current))
            current = []
        if len(found) >= _MAX_ARTICLES:
            break
    if current and len(found) < _MAX_ARTICLES:
        found.append(" ".join(current))
    return tuple(_short(a, 160) for a in found if len(a) > 3)


def _link(text: str) -> str | None:
    for found in _URL.finditer(text):
        url = found.group(0).rstrip(".,;:!?")
        if not _NOT_CONTENT.search(url):
            return url
    return None


def alert_item(message: Message, result: Classification) -> DigestItem:
    """What a digest keeps of one alert (see ALERT in the module docstring)."""
    publisher = result.party.name if result.party and result.party.kind == "research" else None
    journal = clean_header_text(message.from_name, 120) or publisher or message.from_domain
    title = clean_header_text(message.subject, _MAX_TITLE)
    if not title:
        title = next((line.strip() for line in message.text.splitlines() if line.strip()), "")
    return DigestItem(
        journal=journal,
        title=_short(title) or "(untitled)",
        link=_link(message.text),
        publisher=publisher,
        received=message.date.date() if message.date else None,
        articles=_articles(message.text),
    )


# ------------------------------------------------------------------ the store


def _store(rt: Runtime) -> Path:
    return rt.config.data_path / "research" / "alerts.jsonl"


def note_alert(
    rt: Runtime,
    key: str,
    message: Message,
    result: Classification,
    logged: datetime | None = None,
) -> bool:
    """Keep a research alert for the next digest; False if ``result`` is not an alert.

    ``key`` is the message's key in the case log; ``logged`` when it was read (default now).
    """
    if result.category != "research" or result.event == "correspondence":
        return False
    item = alert_item(message, result)
    record = {
        "key": key,
        "logged": (logged or rt.now()).astimezone(UTC).isoformat(),
        **asdict(item),
        "received": item.received.isoformat() if item.received else None,
    }
    path = _store(rt)
    with exclusive_lock(path.with_name("alerts.lock"), wait=True):
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    log.debug("research alert %s kept for the digest", message.fingerprint)
    return True


def _records(path: Path) -> Iterator[dict[str, Any]]:
    """Each alert once (first line per message key); a torn last line is skipped."""
    if not path.exists():
        return
    seen: set[str] = set()
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                record = json.loads(line)
                key = str(record["key"])
            except (ValueError, KeyError, TypeError):
                continue
            if key not in seen:
                seen.add(key)
                yield record


def _item(record: dict[str, Any]) -> DigestItem:
    received = record.get("received")
    return DigestItem(
        journal=str(record.get("journal") or ""),
        title=str(record.get("title") or ""),
        link=record.get("link"),
        publisher=record.get("publisher"),
        received=date.fromisoformat(received) if received else None,
        articles=tuple(record.get("articles") or ()),
    )


# ------------------------------------------------------------------ the weekly digest


def _week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _last_cutoff(rt: Runtime) -> datetime | None:
    with rt.sessions() as session:
        details = session.scalars(
            select(AuditEvent.detail)
            .where(AuditEvent.practice_id == rt.practice_id, AuditEvent.action == DIGEST_ACTION)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(1)
        ).all()
    for detail in details:
        try:
            return datetime.fromisoformat(json.loads(detail or "{}")["until"])
        except (ValueError, KeyError, TypeError):
            return None
    return None


def _delivered(rt: Runtime, key: str) -> bool:
    with rt.sessions() as session:
        found = session.scalar(
            select(AuditEvent.id).where(
                AuditEvent.practice_id == rt.practice_id,
                AuditEvent.action == DIGEST_ACTION,
                AuditEvent.target == key,
            )
        )
    return found is not None


def research_digest(rt: Runtime, now: datetime | None = None) -> ResearchDigest | None:
    """The digest due for the practice now, or None (not yet the digest day, or delivered).

    Read-only: call :func:`record_research_digest` once the digest has been delivered.
    """
    if now is None:
        now = rt.now()
        if rt.today_override is not None and rt.today_override != now.date():
            # A pretend day (the demo's): the digest as it stands at the end of that day.
            now = datetime.combine(rt.today_override, time(23, 59, 59), rt.tz)
    until = now.astimezone(UTC)
    today = now.astimezone(rt.tz).date()
    if today.weekday() < WEEKDAYS.index(rt.config.research.digest_weekday):
        return None
    week = _week(today)
    key = stable_key(rt.config.practice.slug, "research-digest", week)
    if _delivered(rt, key):
        return None
    since = _last_cutoff(rt) or until - timedelta(days=7)
    oldest = (since - timedelta(days=7)).date()
    items = []
    for record in _records(_store(rt)):
        try:
            logged = datetime.fromisoformat(record["logged"])
            item = _item(record)
        except (ValueError, KeyError, TypeError):
            continue
        sent_in_window = item.received is None or oldest <= item.received <= today
        if logged > since and sent_in_window:
            items.append((logged, item))
    items.sort(key=lambda pair: (pair[1].received or pair[0].date(), pair[0]))
    return ResearchDigest(key, week, since, until, tuple(item for _, item in items))


def record_research_digest(rt: Runtime, digest: ResearchDigest) -> None:
    """Record ``digest`` as delivered (once; a second call changes nothing) and drop alerts
    older than four weeks before its cut-off from the store."""
    with rt.sessions.begin() as session:
        exists = session.scalar(
            select(AuditEvent.id).where(
                AuditEvent.practice_id == rt.practice_id,
                AuditEvent.action == DIGEST_ACTION,
                AuditEvent.target == digest.key,
            )
        )
        if exists is not None:
            return
        record_audit(
            session,
            rt,
            DIGEST_ACTION,
            digest.key,
            connector=connector_name(rt, "summary"),  # delivered inside the summary
            detail=json.dumps(
                {
                    "week": digest.week,
                    "until": digest.until.isoformat(),
                    "items": len(digest.items),
                }
            ),
        )
    _prune(_store(rt), digest.until - timedelta(days=28))


def _prune(path: Path, before: datetime) -> None:
    if not path.exists():
        return
    with exclusive_lock(path.with_name("alerts.lock"), wait=True):
        kept = []
        for record in _records(path):
            try:
                if datetime.fromisoformat(record["logged"]) >= before:
                    kept.append(record)
            except (ValueError, KeyError, TypeError):
                continue
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept)
        write_private(path, text.encode("utf-8"))


def alert_step(filed: FiledMessage, report: SyncReport) -> None:
    """Message step: a journal alert kept for the next digest."""
    if note_alert(filed.rt, filed.key, filed.message, filed.result, filed.now):
        crash.step("alert.append")  # appended, its batch not yet committed
