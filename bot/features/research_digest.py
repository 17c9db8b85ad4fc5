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
    The case log's ``research_alert`` table: one row per alert, added by the sync
    (:func:`note_alert`) in its message's batch, so it is kept exactly once with the message
    (an earlier version's ``data/research/alerts.jsonl`` is moved in by the next digest).
    Alerts older than four weeks before a digest's cut-off are dropped when it is recorded.
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
import re
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.keys import stable_key
from bot.letters.headers import clean_header_text
from bot.mail.message import Message
from bot.rules.engine import Classification
from bot.store.models import AuditEvent, ResearchAlert
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


def _utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive one (SQLite gives back what it was given, in UTC) as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _row(rt: Runtime, key: str, item: DigestItem, logged: datetime) -> ResearchAlert:
    return ResearchAlert(
        key=key,
        practice_id=rt.practice_id,
        logged_at=_utc(logged),
        received=item.received,
        journal=item.journal[:300],
        title=item.title[:300],
        link=item.link[:600] if item.link else None,
        publisher=item.publisher[:200] if item.publisher else None,
        articles=list(item.articles),
    )


def note_alert(
    session: Session,
    rt: Runtime,
    key: str,
    message: Message,
    result: Classification,
    logged: datetime | None = None,
) -> bool:
    """Keep a research alert for the next digest in ``session`` (the message's batch); False
    if ``result`` is not an alert or the message's alert is kept already.

    ``key`` is the message's key in the case log; ``logged`` when it was read (default now).
    """
    if result.category != "research" or result.event == "correspondence":
        return False
    if session.scalar(select(ResearchAlert.id).where(ResearchAlert.key == key)) is not None:
        return False
    session.add(_row(rt, key, alert_item(message, result), logged or rt.now()))
    log.debug("research alert %s kept for the digest", message.fingerprint)
    return True


def _item(row: ResearchAlert) -> DigestItem:
    return DigestItem(
        journal=row.journal,
        title=row.title,
        link=row.link,
        publisher=row.publisher,
        received=row.received,
        articles=tuple(str(article) for article in row.articles or ()),
    )


def _legacy_file(rt: Runtime) -> Path:
    return rt.config.data_path / "research" / "alerts.jsonl"


def _take_in_legacy_file(rt: Runtime) -> None:
    """Move the alerts an earlier version kept in ``data/research/alerts.jsonl`` into the case
    log, then remove the file (a torn line is dropped; a second run finds nothing to move)."""
    path = _legacy_file(rt)
    if not path.is_file():
        return
    with rt.sessions.begin() as session:
        kept = set(session.scalars(select(ResearchAlert.key)))
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                record = json.loads(line)
                key, logged = str(record["key"]), datetime.fromisoformat(record["logged"])
                received = record.get("received")
                item = DigestItem(
                    journal=str(record.get("journal") or ""),
                    title=str(record.get("title") or ""),
                    link=record.get("link"),
                    publisher=record.get("publisher"),
                    received=date.fromisoformat(received) if received else None,
                    articles=tuple(str(a) for a in record.get("articles") or ()),
                )
            except (ValueError, KeyError, TypeError):
                continue
            if key not in kept:
                kept.add(key)
                session.add(_row(rt, key, item, logged))
    path.unlink(missing_ok=True)
    log.info("research alerts moved from %s into the case log", path.name)


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
    _take_in_legacy_file(rt)
    since = _last_cutoff(rt) or until - timedelta(days=7)
    oldest = (since - timedelta(days=7)).date()
    items = []
    with rt.sessions() as session:
        rows = session.scalars(
            select(ResearchAlert).where(
                ResearchAlert.practice_id == rt.practice_id,
                ResearchAlert.logged_at > since.astimezone(UTC),
            )
        ).all()
        for row in rows:
            item = _item(row)
            if item.received is None or oldest <= item.received <= today:
                items.append((_utc(row.logged_at), item))
    items.sort(key=lambda pair: (pair[1].received or pair[0].date(), pair[0]))
    return ResearchDigest(key, week, since, until, tuple(item for _, item in items))


def record_research_digest(rt: Runtime, digest: ResearchDigest) -> None:
    """Record ``digest`` as delivered (once; a second call changes nothing) and drop alerts
    older than four weeks before its cut-off from the store."""
    with rt.sessions.begin() as session:
        record_digest_in(session, rt, digest)


def record_digest_in(session: Session, rt: Runtime, digest: ResearchDigest) -> None:
    """:func:`record_research_digest` in ``session``, for the summary's delivery to commit
    with its own record (a kill between the two would show the digest twice)."""
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
    session.execute(
        delete(ResearchAlert).where(
            ResearchAlert.practice_id == rt.practice_id,
            ResearchAlert.logged_at < (digest.until - timedelta(days=28)).astimezone(UTC),
        )
    )


def alert_step(filed: FiledMessage, report: SyncReport) -> None:
    """Message step: a journal alert kept for the next digest, with its message's batch."""
    note_alert(filed.session, filed.rt, filed.key, filed.message, filed.result, filed.now)
