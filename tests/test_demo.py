"""`chief demo` end to end, as the README promises: cases of every kind, drafts threaded in
the Maildir's Drafts folder, calendar entries with alarms, a summary; a second run adds
nothing."""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

KINDS = ("prior_auth", "claim", "ehcp", "medico_legal", "referral", "team", "credential")


def _snapshot(home: Path) -> dict[str, str]:
    """Every file under the demo's Maildir and the calendar, by content hash."""
    files = [*sorted((home / "Maildir").rglob("*")), home / "calendar.ics"]
    return {
        str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in files
        if p.is_file()
    }


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("demo") / "home"
    first = subprocess.run(
        ["chief", "demo", "--home", str(home), "--json"], capture_output=True, text=True
    )
    assert first.returncode == 0, first.stderr[-2000:]
    before = _snapshot(home)
    second = subprocess.run(
        ["chief", "demo", "--home", str(home), "--json"], capture_output=True, text=True
    )
    assert second.returncode == 0, second.stderr[-2000:]
    return {
        "home": home,
        "first": json.loads(first.stdout),
        "second": json.loads(second.stdout),
        "before": before,
        "after": _snapshot(home),
        "stderr": first.stderr + second.stderr,
    }


def test_reports_every_case_kind_and_enough_drafts(demo: dict[str, Any]) -> None:
    report = demo["first"]
    assert report["messages"] >= 150
    for kind in KINDS:
        assert report["cases"].get(kind, 0) >= 1, f"no {kind} case"
    assert report["drafts"] >= 10
    assert report["calendar_entries"] >= 10
    assert report["problems"] == [], report["problems"]


def test_drafts_are_threaded_rfc5322_messages_in_drafts_folder(demo: dict[str, Any]) -> None:
    drafts_dir = Path(demo["first"]["maildir"]) / ".Drafts" / "cur"
    files = sorted(drafts_dir.iterdir())
    assert len(files) == demo["first"]["drafts"]
    sample_ids = set()
    for sample in (Path(demo["home"]) / "Maildir" / "new").iterdir():
        mid = email.message_from_bytes(sample.read_bytes())["Message-ID"]
        if mid:
            sample_ids.add(mid.strip())
    for path in files:
        assert ":2," in path.name and "D" in path.name.split(":2,")[1]
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.strict)
        assert msg["In-Reply-To"] in sample_ids
        assert msg["In-Reply-To"] in msg["References"]
        assert msg["Subject"].startswith("Re: ")
        assert msg["From"] and msg["To"] and msg["Date"] and msg["Message-ID"]
        assert msg["X-Chief-Key"]
        body = msg.get_body(preferencelist=("plain",)).get_content()
        assert "DRAFT FOR REVIEW" in body


def test_calendar_entries_have_alarms(demo: dict[str, Any]) -> None:
    cal = Calendar.from_ical(Path(demo["first"]["calendar"]).read_bytes())
    events = list(cal.walk("VEVENT"))
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids))
    ours = [e for e in events if str(e["UID"]).endswith("@practice-chief")]
    assert len(ours) == demo["first"]["calendar_entries"]
    assert all(e.walk("VALARM") for e in ours)
    assert any("demo-clinic-session" in uid for uid in uids), "the user's own event was lost"
    categories = {
        str(c) for e in ours for c in (e.get("CATEGORIES").cats if e.get("CATEGORIES") else [])
    }
    assert "deadline" in categories and "credential" in categories


def test_summary_is_multipart_to_practitioner_only(demo: dict[str, Any]) -> None:
    path = Path(demo["first"]["summary"])
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert msg.get_content_type() == "multipart/alternative"
    assert msg["To"] == msg["From"]
    assert msg["Cc"] is None and msg["Bcc"] is None
    text = msg.get_body(preferencelist=("plain",)).get_content()
    assert "DRAFTS WAITING" in text.upper()
    delivered = [
        p
        for p in (Path(demo["first"]["maildir"]) / "new").iterdir()
        if "X-Chief-Generated: summary" in p.read_text(errors="replace")
    ]
    assert len(delivered) == 1


def test_second_run_adds_nothing(demo: dict[str, Any]) -> None:
    first, second = demo["first"], demo["second"]
    for key in ("messages", "cases", "drafts", "calendar_entries"):
        assert second[key] == first[key], key
    assert second["new"] == {"messages": 0, "cases": 0, "drafts": 0, "calendar_entries": 0}
    assert demo["after"] == demo["before"], "the second run changed files"


def test_no_patient_data_on_stderr(demo: dict[str, Any]) -> None:
    # Fictional patient lines in the sample mailbox look like "Patient: <name>".
    assert "Patient:" not in demo["stderr"] and "DOB" not in demo["stderr"]
