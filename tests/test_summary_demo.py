"""The summary of the demo practice end to end: the subject line's counts, `chief summary
--open`, `chief cases` short ids and `chief cases show ID`, and patient names in calendar
titles shown as ``[summary] patient_names`` says."""

from __future__ import annotations

import email
import email.policy
import json
import re
import shutil
import stat
import urllib.parse
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.cli.app import main
from bot.cli.demo import run_demo
from bot.config import load_config
from bot.store.case_ids import short_case_id
from bot.summary.job import collect_summary, summary_text
from bot.sync.runtime import Runtime

DAY = date(2026, 11, 24)
PATIENT = "Rafferty Obuya"  # fictional: the patient of an open prior-authorization case
DOB = "09/30/1968"

# Every test reads the practice the module's fixture synced (in the PostgreSQL pass, from the
# module's own database).
pytestmark = pytest.mark.usefixtures("module_case_log")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("demo")
    result = run_demo(home, "sports-medicine-us", None, progress=False)
    return {**result, "home": home}


def chief(home: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["--config", str(home / "chief.toml"), *args])


def runtime(home: Path) -> Runtime:
    return Runtime.from_config(load_config(home / "chief.toml"), today=DAY)


def test_the_subject_line_answers_what_to_do_today(demo: dict[str, Any]) -> None:
    msg = email.message_from_bytes(Path(demo["summary"]).read_bytes(), policy=email.policy.default)
    data = collect_summary(runtime(demo["home"]))
    subject = str(msg["Subject"])
    expected = (
        f"{len(data.due_today)} due today · {len(data.overdue)} overdue · "
        f"{len(data.booking_flags) + len(data.urgent_renewals)} to decide · "
        f"{len(data.drafts)} drafts to sign"
    )
    assert subject == f"{expected} — Practice summary, Tue, Nov 24"  # a US practice
    assert data.due_today and data.drafts and data.overdue and data.booking_flags  # each kind
    assert re.match(r"\d+ due today · \d+ overdue", subject[:40])  # a phone's preview
    text = msg.get_body(preferencelist=("plain",)).get_content()
    assert text.splitlines()[0] == expected  # the text part opens with the same answer


def test_summary_open_writes_the_html_and_prints_its_path(demo: dict[str, Any]) -> None:
    result = chief(demo["home"], "summary", "--open", "--today", "2026-11-24")
    assert result.exit_code == 0, result.output
    path = Path(result.output.strip())
    assert path == demo["home"] / "data" / "summaries" / "summary-2026-11-24.html"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and 'id="due-today"' in html
    assert "<script" not in html and PATIENT not in html
    # Read on this computer, the copy may open each draft's file; the delivered one cannot.
    assert 'href="file:///' in html
    delivered = email.message_from_bytes(
        Path(demo["summary"]).read_bytes(), policy=email.policy.default
    )
    assert all("file:" not in str(part.get_content()) for part in delivered.iter_parts())


def test_cases_lists_short_ids_and_show_prints_one(demo: dict[str, Any]) -> None:
    listing = chief(demo["home"], "cases", "--json")
    assert listing.exit_code == 0, listing.output
    rows = [json.loads(line) for line in listing.output.splitlines()]
    assert all(r["short_id"] == short_case_id(r["id"]) for r in rows)
    case = next(r for r in rows if r["refs"].get("pa_ref") == "CRL-2026-7740215")
    text = chief(demo["home"], "cases")
    assert f"{case['short_id']} #{case['id']} " in text.output

    shown = chief(demo["home"], "cases", "show", case["short_id"].lower(), "--json")
    assert shown.exit_code == 0, shown.output
    detail = json.loads(shown.output)
    assert (detail["id"], detail["number"]) == (case["short_id"], case["id"])
    assert detail["refs"] == {"pa_ref": "CRL-2026-7740215"}
    assert [e["event"] for e in detail["events"]] == ["requested", "pended"]
    assert detail["deadlines"] and all("due" in d for d in detail["deadlines"])
    assert detail["drafts"], "the chase drafts of the pended authorisation"
    for draft in detail["drafts"]:
        file = Path(urllib.parse.unquote(draft["link"].removeprefix("file://")))
        assert file.is_file() and file.parent.parent.name == ".Drafts"

    plain = chief(demo["home"], "cases", "show", str(case["id"]))
    assert plain.output.startswith(f"Case {case['short_id']} (#{case['id']}): prior_auth")
    missing = chief(demo["home"], "cases", "show", "ZZZZZZ")
    assert missing.exit_code == 1 and "no case with id ZZZZZZ" in missing.output


def test_the_summary_names_cases_by_short_id(demo: dict[str, Any]) -> None:
    rt = runtime(demo["home"])
    data = collect_summary(rt)
    text = summary_text(rt).replace("\r\n", "\n")
    flag = data.booking_flags[0]
    assert f"CRL-2026-7740215 · case {short_case_id(flag.case_id)} · chase draft" in text
    for line in data.due_today:
        assert f"case {short_case_id(line.case_id)}" in text
    assert f"chief cases show {short_case_id(data.cases_needing_action[0].case_id)}" in text
    numbers = {str(c.case_id) for c in data.cases_needing_action}
    named = set(re.findall(r"\bcases? #?([0-9A-Z]+)", text))
    assert named and not named & numbers, "a case named by its database number"


def _with_titled_appointment(demo: dict[str, Any], target: Path, names: str | None) -> Path:
    """A copy of the demo with a 15:00 appointment whose title names its patient."""
    shutil.copytree(demo["home"], target)
    calendar = target / "calendar.ics"
    event = (
        "BEGIN:VEVENT\r\nUID:titled-appointment@practice-chief.example\r\n"
        "DTSTAMP:20261101T080000Z\r\nDTSTART:20261124T150000\r\nDTEND:20261124T153000\r\n"
        f"SUMMARY:Review Patient: {PATIENT} DOB: {DOB}\r\nEND:VEVENT\r\n"
    )
    text = calendar.read_text()
    calendar.write_text(text.replace("END:VCALENDAR", event + "END:VCALENDAR"))
    if names is not None:
        config = target / "chief.toml"
        body = config.read_text()
        assert "[summary]\nhour = 7\n" in body
        config.write_text(
            body.replace(
                "[summary]\nhour = 7\n", f'[summary]\nhour = 7\npatient_names = "{names}"\n'
            )
        )
    return target


@pytest.mark.parametrize(
    ("names", "shown"),
    [(None, "Review Patient: R.O."), ("label", "Review Patient: case "), ("full", PATIENT)],
)
def test_patient_names_in_titles_follow_the_config(
    demo: dict[str, Any], tmp_path: Path, names: str | None, shown: str
) -> None:
    home = _with_titled_appointment(demo, tmp_path / "home", names)
    rt = runtime(home)
    text = summary_text(rt).replace("\r\n", "\n")
    calendar = text[text.index("TODAY'S CALENDAR") : text.index("EVERYTHING ELSE")]
    line = next(" ".join(x.split()) for x in calendar.split("\n- ") if x.startswith("3:00 PM"))
    assert shown in line
    if names != "full":
        shown_text = re.sub(r"<[^<>]*>", "", text)  # not the links: a file name is random hex
        assert "Rafferty" not in text and "Obuya" not in text
        assert DOB not in shown_text
    if names == "label":  # linked by the patient line: the patient's cases, by short id
        events = collect_summary(rt).today_events
        event = next(e for e in events if e.case_ids and f"{e.start:%H:%M}" == "15:00")
        labels = "/".join(short_case_id(c) for c in event.case_ids)
        assert f"Review Patient: case {labels}" in line
