"""The daily summary: multipart/alternative, every section, escaping, practitioner only."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest

from bot.errors import TemplateError, UserError
from bot.mail_message import GENERATED_HEADER, parse_message
from bot.summary import (
    CaseLine,
    DeadlineLine,
    DraftLine,
    MailCount,
    Renewal,
    SummaryData,
    TodayEvent,
    build_summary,
    summary_subject,
)

PRACTITIONER = ("Dr Zoë Hill", "dr.hill@practice.example")
DAY = date(2026, 11, 24)
SECTIONS_TEXT = [
    "OVERDUE",
    "TODAY'S CALENDAR",
    "DEADLINES IN THE NEXT 14 DAYS",
    "CASES NEEDING ACTION",
    "DRAFTS WAITING",
    "RENEWALS",
    "NEW MAIL",
]
SECTIONS_HTML = [
    "Overdue",
    "Today's calendar",
    "Deadlines in the next 14 days",
    "Cases needing action",
    "Drafts waiting for your review",
    "Renewals",
    "New mail",
]


def full_data() -> SummaryData:
    return SummaryData(
        practice={"name": "Hill Sports Medicine", "practitioner": "Dr Zoë Hill"},
        day=DAY,
        new_mail=[MailCount("payer", 3), MailCount(None, 2)],
        cases_needing_action=[
            CaseLine(
                17,
                "prior_auth",
                "denied",
                "PA-<script>alert(1)</script>",
                date(2026, 12, 1),
                "denied",
            ),
        ],
        drafts=[DraftLine(17, "payer/appeal_request.j2", "prior_auth", "PA-20261124")],
        deadlines_due=[DeadlineLine(date(2026, 12, 1), "Appeal due", 17, "appeal.internal")],
        overdue=[DeadlineLine(date(2026, 11, 20), "EHC advice <b>late</b>", 9, "ehcp.advice")],
        renewals=[Renewal("DEA registration", date(2026, 12, 20), 26)],
        today_events=[
            TodayEvent(datetime(2026, 11, 24, 9, 30, tzinfo=UTC), "Clinic"),
            TodayEvent(DAY, "Away fixture"),
        ],
    )


def build(data: SummaryData, template_dirs: list[Path] | None = None) -> EmailMessage:
    raw = build_summary(
        data,
        template_dirs or [],
        PRACTITIONER,
        "summary:2026-11-24",
        now=datetime(2026, 11, 24, 7, 0, tzinfo=UTC),
    )
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def parts(msg: EmailMessage) -> tuple[str, str]:
    plain, html = list(msg.iter_parts())
    assert plain.get_content_type() == "text/plain"
    assert html.get_content_type() == "text/html"
    return (
        str(plain.get_content()).replace("\r\n", "\n"),
        str(html.get_content()).replace("\r\n", "\n"),
    )


def test_multipart_alternative_and_headers() -> None:
    msg = build(full_data())
    assert msg.get_content_type() == "multipart/alternative"
    assert msg["Subject"] == "Practice summary — Tuesday 24 November 2026"
    assert summary_subject(DAY) == msg["Subject"]
    assert msg[GENERATED_HEADER] == "summary"
    assert msg["X-Chief-Key"] == "summary:2026-11-24"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Message-ID"].endswith("@practice.example>")
    assert not msg.defects


def test_only_the_practitioner_is_addressed() -> None:
    msg = build(full_data())
    assert [a.addr_spec for a in msg["To"].addresses] == ["dr.hill@practice.example"]
    assert [a.addr_spec for a in msg["From"].addresses] == ["dr.hill@practice.example"]
    for name in ("Cc", "Bcc", "Reply-To", "Resent-To"):
        assert msg[name] is None
    parsed = parse_message(msg.as_bytes(), "s")
    assert parsed.to == ("dr.hill@practice.example",) and parsed.cc == ()
    assert parsed.generated_by_chief and parsed.auto_submitted


def test_both_parts_contain_every_section() -> None:
    text, html = parts(build(full_data()))
    for heading in SECTIONS_TEXT:
        assert heading in text
    for heading in SECTIONS_HTML:
        assert heading in html
    for value in (
        "1 December 2026",
        "Appeal due",
        "DEA registration",
        "in 26 days",
        "09:30",
        "Clinic",
        "Away fixture",
        "payer",
        "unclassified",
        "prior_auth",
        "PA-20261124",
        "payer/appeal_request.j2",
        "case 17",
    ):
        assert value in text, value
        assert value in html, value
    assert "\nNothing." not in text and ">Nothing<" not in html


def test_empty_sections_say_nothing() -> None:
    text, html = parts(build(SummaryData(practice={}, day=DAY)))
    assert text.count("Nothing") == 7
    assert html.count(">Nothing<") == 7
    for heading in SECTIONS_TEXT:
        assert heading in text
    assert "None" not in text and "None" not in html


def test_html_escapes_values() -> None:
    text, html = parts(build(full_data()))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "EHC advice &lt;b&gt;late&lt;/b&gt;" in html
    assert "PA-<script>alert(1)</script>" in text  # plain text is not HTML


def test_practice_can_override_the_summary(tmp_path: Path) -> None:
    (tmp_path / "summary.txt.j2").write_text("Own summary for {{ day | longdate }}\n")
    text, html = parts(build(SummaryData(practice={}, day=DAY), [tmp_path]))
    assert text.strip() == "Own summary for 24 November 2026"
    assert "Overdue" in html  # the shipped HTML template is still used


def test_template_error_is_reported(tmp_path: Path) -> None:
    (tmp_path / "summary.html.j2").write_text("{{ ''.__class__ }}")
    with pytest.raises(TemplateError, match="summary.html.j2"):
        build(full_data(), [tmp_path])


@pytest.mark.parametrize("address", ["", "not-an-address", "a@b.example\r\nBcc: x@evil.example"])
def test_bad_practitioner_address(address: str) -> None:
    with pytest.raises(UserError):
        build_summary(full_data(), [], ("Dr", address), "k")
