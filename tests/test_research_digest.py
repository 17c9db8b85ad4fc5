"""The weekly research digest: journal alerts kept by the sync, digested once per ISO week."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.config import load_config
from bot.features.research_digest import (
    alert_item,
    note_alert,
    record_research_digest,
    research_digest,
)
from bot.jobs.catalogue import sync
from bot.mail.message import Message
from bot.mail.mime import parse_message
from bot.rules.engine import Classification
from bot.store.models import MessageRow, ResearchAlert
from bot.sync.runtime import Runtime
from tests.conftest import make_message
from tests.samples import sample

ROOT = Path(__file__).resolve().parent.parent
ALERTS = (
    "0019-bjsm-etoc-oct",
    "0035-ajsm-etoc-oct",
    "0046-evidence-brief-digest",
    "0023-integrative-digest",
)
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def home(practice_dir: Callable[..., Path]) -> Path:
    home = practice_dir()
    for name in ALERTS:
        shutil.copyfile(sample(name), home / "Maildir" / "new" / name)
    return home


def runtime(home: Path, today: date) -> Runtime:
    return Runtime.from_config(load_config(home / "chief.toml"), today=today)


def at(day: date, hour: int = 7) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=NEW_YORK)


# ------------------------------------------------------------------ reading an alert


def test_alert_item_keeps_journal_title_link_and_article_titles() -> None:
    from bot.rules.engine import load_rules

    rules = load_rules([ROOT / "rules"])
    bjsm = parse_message(sample("0019-bjsm-etoc-oct").read_bytes(), "1")
    item = alert_item(bjsm, rules.classify(bjsm))
    assert item.journal == "BJSM eTOC"
    assert item.publisher == "BMJ Journals (BJSM and others)"
    assert item.title == "BJSM: table of contents, October 2026 issue"
    assert item.received == date(2026, 9, 15)
    assert item.articles == (
        "Sideline decision making: who carries the duty of care?",
        "Hop-test symmetry and second ACL injury in adolescent footballers: a cohort study",
        "Heat policy compliance at community endurance events",
        "Exercise-based injury prevention uptake in amateur clubs: a cluster survey",
        "Loading programmes for plantar heel pain: a network meta-analysis",
    )
    digest = parse_message(sample("0023-integrative-digest").read_bytes(), "2")
    item = alert_item(digest, rules.classify(digest))
    assert item.title == "Integrative Evidence Digest - November: SIBO testing, magnesium and sleep"
    assert item.articles[1].startswith("Magnesium supplementation and sleep quality")
    untitled = parse_message(make_message("3@j", "", "Journal of Things\n\n  - Paper"), "3")
    assert alert_item(untitled, TOC).title == "Journal of Things"  # no subject: first line


def test_links_skip_unsubscribe_and_preferences() -> None:
    body = (
        "Manage: https://journal.example/preferences?id=1\n"
        "Read the issue: https://journal.example/toc/60/21.\n"
        "Unsubscribe: https://journal.example/unsubscribe\n"
    )
    message = parse_message(make_message("1@j", "New issue", body, "J <j@journal.example>"), "1")
    item = alert_item(message, Classification(category="research", event="toc"))
    assert item.link == "https://journal.example/toc/60/21"
    assert item.publisher is None and item.journal == "J"


# ------------------------------------------------------------------ the weekly digest


def alert(mid: str, subject: str, sent: datetime, body: str = "  - A paper") -> Message:
    raw = make_message(mid, subject, body, "BJSM eTOC <etoc-alerts@bmj.com>")
    raw = raw.replace(b"Mon, 02 Nov 2026 10:00:00 +0000", format_datetime(sent).encode())
    return parse_message(raw, mid)


TOC = Classification(category="research", event="toc")


def keep(
    rt: Runtime,
    key: str,
    message: Message,
    result: Classification,
    logged: datetime | None = None,
) -> bool:
    """note_alert in a transaction of its own, as a sync's batch would commit it."""
    with rt.sessions.begin() as session:
        return note_alert(session, rt, key, message, result, logged)


def kept_alerts(rt: Runtime) -> list[ResearchAlert]:
    with rt.sessions() as session:
        return list(session.scalars(select(ResearchAlert).order_by(ResearchAlert.id)))


def test_the_sync_keeps_alerts_for_the_digest(home: Path) -> None:
    rt = runtime(home, date(2026, 11, 23))
    sync(rt)
    alerts = kept_alerts(rt)
    assert sorted(a.journal for a in alerts) == [
        "BJSM eTOC",
        "Evidence Brief Weekly",
        "Integrative Evidence Digest",
        "The American Journal of Sports Medicine",
    ]
    with rt.sessions() as session:  # each with its message, by the message's key
        logged = set(
            session.scalars(select(MessageRow.key).where(MessageRow.category == "research"))
        )
    assert {a.key for a in alerts} == logged
    assert all(a.title for a in alerts) and any(a.articles for a in alerts)
    sync(runtime(home, date(2026, 11, 23)))  # nothing read twice
    assert len(kept_alerts(rt)) == 4
    assert not (home / "data" / "research").exists()  # the case log holds them, no side file


def test_digest_once_per_week_with_the_alerts_since_the_last(home: Path) -> None:
    rt = runtime(home, date(2026, 11, 24))
    monday = at(date(2026, 11, 23), 7)
    keep(rt, "k1", alert("1@bmj", "Issue 21", monday - timedelta(days=3)), TOC, monday)
    keep(rt, "k2", alert("2@bmj", "Issue 20", monday - timedelta(days=5)), TOC, monday)
    # Read on the first sync of an old mailbox: sent two months ago, left out.
    keep(rt, "k3", alert("3@bmj", "Issue 12", monday - timedelta(days=60)), TOC, monday)
    tuesday = at(date(2026, 11, 24))
    digest = research_digest(rt, tuesday)
    assert digest is not None
    assert digest.week == "2026-W48"
    assert digest.since == tuesday.astimezone(UTC) - timedelta(days=7)
    assert [(i.title, i.received) for i in digest.items] == [
        ("Issue 20", date(2026, 11, 18)),
        ("Issue 21", date(2026, 11, 20)),
    ]  # by the date each was sent
    assert digest.as_dict()["items"][0]["articles"] == ["A paper"]
    assert research_digest(rt, tuesday) == digest  # read-only until recorded
    record_research_digest(rt, digest)
    record_research_digest(rt, digest)  # a second call changes nothing
    assert research_digest(rt, tuesday + timedelta(days=2)) is None  # the same week

    thursday = at(date(2026, 11, 26))
    keep(rt, "k4", alert("4@bmj", "Issue 22", thursday), TOC, thursday)
    next_monday = at(date(2026, 11, 30))
    following = research_digest(runtime(home, date(2026, 11, 30)), next_monday)
    assert following is not None and following.week == "2026-W49"
    assert following.since == digest.until
    assert [i.title for i in following.items] == ["Issue 22"]


def test_no_digest_before_the_digest_weekday(practice_dir: Callable[..., Path]) -> None:
    home = practice_dir(extra_toml='\n[research]\ndigest_weekday = "friday"\n')
    rt = runtime(home, date(2026, 11, 26))
    assert research_digest(rt, at(date(2026, 11, 26))) is None  # a Thursday
    friday = research_digest(rt, at(date(2026, 11, 27)))
    assert friday is not None and friday.items == ()  # a week without alerts
    assert friday.since == friday.until - timedelta(days=7)


def test_correspondence_from_a_journal_is_not_an_alert(home: Path) -> None:
    rt = runtime(home, date(2026, 11, 24))
    message = parse_message(make_message("9@bmj", "Your subscription", "Renew now."), "9")
    kept = keep(rt, "k1", message, Classification(category="research", event="correspondence"))
    assert kept is False
    assert keep(rt, "k2", message, Classification(category="cme", event="toc")) is False
    assert not (home / "data" / "research" / "alerts.jsonl").exists()


def test_a_message_read_twice_is_listed_once_and_old_alerts_are_pruned(home: Path) -> None:
    rt = runtime(home, date(2026, 11, 24))
    monday = at(date(2026, 11, 23))
    message = alert("1@j", "Issue 5", monday - timedelta(days=1))
    assert keep(rt, "same-key", message, TOC, monday) is True
    assert keep(rt, "same-key", message, TOC, monday + timedelta(minutes=1)) is False
    old = alert("0@j", "Issue 1", monday - timedelta(days=60))
    keep(rt, "old", old, TOC, monday - timedelta(days=60))
    digest = research_digest(rt, at(date(2026, 11, 24)))
    assert digest is not None and [i.title for i in digest.items] == ["Issue 5"]
    record_research_digest(rt, digest)
    assert [a.key for a in kept_alerts(rt)] == ["same-key"]


def test_alerts_an_earlier_version_kept_in_a_file_are_moved_into_the_case_log(
    home: Path,
) -> None:
    rt = runtime(home, date(2026, 11, 24))
    monday = at(date(2026, 11, 23))
    keep(rt, "in-the-log", alert("1@j", "Issue 6", monday - timedelta(days=1)), TOC, monday)
    store = home / "data" / "research" / "alerts.jsonl"
    store.parent.mkdir(parents=True)
    record = {
        "key": "from-the-file",
        "logged": monday.isoformat(),
        "journal": "BJSM eTOC",
        "title": "Issue 5",
        "link": "https://bjsm.example/5",
        "publisher": None,
        "received": (monday - timedelta(days=2)).date().isoformat(),
        "articles": ["A paper"],
    }
    in_both = record | {"key": "in-the-log"}
    lines = [json.dumps(record), json.dumps(record), json.dumps(in_both), '{"key": "torn", "lo']
    store.write_text("\n".join(lines))
    digest = research_digest(rt, at(date(2026, 11, 24)))
    assert digest is not None and [i.title for i in digest.items] == ["Issue 5", "Issue 6"]
    assert digest.items[0].articles == ("A paper",) and digest.items[0].link
    assert not store.exists()
    assert sorted(a.key for a in kept_alerts(rt)) == ["from-the-file", "in-the-log"]
    assert research_digest(rt, at(date(2026, 11, 24))) == digest  # nothing moved twice


def test_a_pretend_day_gets_that_day_s_digest(home: Path) -> None:
    """The demo lives on 24 November 2026 whatever the clock says: alerts read today (the
    real day) and sent in the fortnight before the pretend day make its digest."""
    sync(runtime(home, date(2026, 11, 24)))
    rt = runtime(home, date(2026, 11, 24))
    keep(rt, "nov", alert("n@bmj", "BJSM: November issue", at(date(2026, 11, 15))), TOC)
    keep(rt, "late", alert("l@bmj", "BJSM: December issue", at(date(2026, 12, 15))), TOC)
    digest = research_digest(rt)
    assert digest is not None and digest.week == "2026-W48"
    assert [i.title for i in digest.items] == ["BJSM: November issue"]


def summary_plain(copy: Path) -> str:
    """The text part of a delivered summary's copy."""
    import email
    import email.policy

    msg = email.message_from_bytes(copy.read_bytes(), policy=email.policy.default)
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def test_the_delivered_summary_carries_the_digest_once(home: Path) -> None:
    from bot.summary.delivery import deliver_summary

    rt = runtime(home, date(2026, 11, 24))
    monday = at(date(2026, 11, 23), 7)
    keep(rt, "k1", alert("1@bmj", "Issue 21", monday - timedelta(days=3)), TOC, monday)
    copy = deliver_summary(rt)
    text = summary_plain(copy)
    assert "- Research, week 2026-W48: 1 journal alert:" in text
    assert research_digest(rt) is None  # recorded with the delivery: not shown again
    later = runtime(home, date(2026, 11, 25))
    assert "Research, week" not in summary_plain(deliver_summary(later))
