"""The daily summary: multipart/alternative, every section in urgency order, the subject's
counts, escaping, HTML safe for mail clients, practitioner only."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, date, datetime
from email.message import EmailMessage
from html import unescape
from pathlib import Path

import pytest

from bot.errors import TemplateError, UserError
from bot.features.appointment_brief import AppointmentBrief, BriefItem
from bot.features.booking_guard import BookingFlag
from bot.features.cpd import RequirementProgress
from bot.features.payments import Money, PaymentPosition, currency_totals
from bot.features.referral_network import ReferralSource
from bot.features.research_digest import DigestItem, ResearchDigest
from bot.mail.message import GENERATED_HEADER
from bot.mail.mime import parse_message
from bot.store.case_ids import short_case_id
from bot.summary.charts import AgeingRow
from bot.summary.lines import LookLine
from bot.summary.render import (
    DRAFTS_LISTED,
    OVERDUE_LISTED,
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
# In the order they must appear: today's work first, everything else counted last.
SECTIONS_TEXT = [
    "DUE TODAY",
    "OVERDUE",
    "TO DECIDE",
    "DRAFTS TO SIGN",
    "NEEDS A LOOK",
    "TODAY'S CALENDAR",
    "EVERYTHING ELSE",
]
SECTIONS_HTML = [
    "Due today (",
    "Overdue (",
    "To decide (",
    "Drafts to sign (",
    "Needs a look (",
    "Today's calendar",
    "Everything else</h2>",
]
CASE_17 = short_case_id(17)


def _position(
    party: str,
    currency: str,
    billed: int,
    paid: int,
    outstanding: int = 0,
    category: str = "payer",
    oldest: date | None = None,
) -> PaymentPosition:
    return PaymentPosition(
        party=party,
        category=category,
        currency=currency,
        billed=Money(billed, currency),
        paid=Money(paid, currency),
        adjusted=Money(billed - paid - outstanding, currency),
        patient_responsibility=Money(0, currency),
        outstanding=Money(outstanding, currency),
        claims=2,
        unpaid_claims=1 if outstanding else 0,
        oldest_unpaid=oldest,
        oldest_unpaid_days=(DAY - oldest).days if oldest else None,
    )


POSITIONS = [
    _position("Bupa <b>UK</b>", "GBP", 28500, 28500),
    _position("Harcourt Lyle LLP", "GBP", 185000, 0, 185000, "solicitor", date(2026, 10, 2)),
    _position("UnitedHealthcare", "USD", 68700, 18652, 33100, oldest=date(2026, 10, 20)),
]


def full_data() -> SummaryData:
    data = SummaryData(
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
        drafts=[
            DraftLine(
                17,
                "Appeal to UnitedHealthcare",
                "prior authorisation PA-20261124",
                date(2026, 11, 20),
                link="https://mail.example/draft/17",
            )
        ],
        deadlines_due=[
            DeadlineLine(DAY, "Reply to Harcourt Lyle LLP's letter of instruction", 12),
            DeadlineLine(
                date(2026, 12, 1),
                "Appeal UnitedHealthcare's denial",
                17,
                "prior authorisation PA-<script>alert(1)</script>",
                "appeal.erisa",
            ),
        ],
        overdue=[
            DeadlineLine(
                date(2026, 11, 20),
                "Send Kent County Council <b>your</b> advice",
                9,
                "EHCP KCC/EHC/2026/10452",
                "ehcp.advice",
            )
        ],
        needs_look=[LookLine(date(2026, 11, 23), "clinic.example", "referral", 0.42, "low")],
        needs_look_total=1,
        renewals=[Renewal("DEA registration", date(2026, 12, 20), 26)],
        today_events=[
            TodayEvent(DAY, "Away fixture"),
            TodayEvent(datetime(2026, 11, 24, 9, 30, tzinfo=UTC), "Clinic"),
            TodayEvent(
                datetime(2026, 11, 24, 10, 0, tzinfo=UTC),
                "Follow-up",
                (35, 68),
                open_items=1,
                labs_to_review=1,
            ),
        ],
        appointment_briefs=[
            AppointmentBrief(
                start=datetime(2026, 11, 24, 10, 0, tzinfo=UTC),
                linked_by="patient",
                case_ids=(35, 68),
                open_items=[BriefItem(date(2026, 11, 10), "referral: acknowledge (case 68)", 68)],
                labs_awaiting_review=[
                    BriefItem(date(2026, 11, 19), "results ready, lab_result LC-1 (case 35)", 35)
                ],
                reorders_due=[],
                last_correspondence=date(2026, 11, 22),
                last_correspondence_about="lab_result, case 35",
            )
        ],
        booking_flags=[
            BookingFlag(
                start=datetime(2026, 11, 27, 9, 0, tzinfo=UTC),
                case_id=73,
                kind="prior_auth",
                status="pended",
                reference="CRL-2026-7740215",
                party="Carelon",
                linked_by="reference",
                chase="written",
                appointment_key="k",
            )
        ],
        payment_positions=POSITIONS,
        payment_totals=currency_totals(POSITIONS),
        quiet_referrers=[
            ReferralSource(
                key="party:referrer:Inland",
                label="Inland Orthopaedic Associates",
                referrals=1,
                last_contact=date(2026, 10, 26),
                last_referral=date(2026, 9, 14),
                open_acknowledgements=0,
                oldest_open_acknowledgement=None,
                quiet=True,
                days_quiet=71,
            )
        ],
        referral_quiet_days=60,
        open_acknowledgements=4,
        cpd=[
            RequirementProgress(
                id="ama-pra",
                name="AMA PRA Category 1",
                unit="credits",
                required=50,
                earned=36.5,
                pending=14.25,
                remaining=13.5,
                period_start=date(2025, 2, 1),
                period_end=date(2027, 1, 31),
                days_left=433,
                status="on_track",
            )
        ],
        ageing=[
            AgeingRow(
                party="Cigna Healthcare",
                category="payer",
                currency="USD",
                total=Money(28900, "USD"),
                buckets=(Money(0, "USD"), Money(0, "USD"), Money(0, "USD"), Money(28900, "USD")),
                widths=(0, 0, 0, 100),
            )
        ],
        research_digest=ResearchDigest(
            key="k" * 64,
            week="2026-W48",
            since=datetime(2026, 11, 16, tzinfo=UTC),
            until=datetime(2026, 11, 23, tzinfo=UTC),
            items=(
                DigestItem(
                    journal="British Journal of Sports Medicine",
                    title="November issue",
                    link="https://bjsm.example/toc/58/11",
                    articles=("Return to sport after concussion",),
                ),
            ),
        ),
    )
    data.referral_sources = list(data.quiet_referrers)
    return data


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


def flat(text: str) -> str:
    """``text`` with its line wrapping undone (the text part is wrapped at 76 characters)."""
    return " ".join(text.split())


def shown(html: str) -> str:
    """The words an HTML part shows, tags dropped and entities decoded, wrapping undone."""
    return flat(unescape(re.sub(r"<[^>]+>", "", html)))


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
    assert msg["Subject"] == (
        "1 due today · 1 overdue · 2 to decide · 1 draft to sign — Practice summary, Tue, Nov 24"
    )
    assert summary_subject(DAY, full_data().headline) == msg["Subject"]
    assert summary_subject(DAY) == "Practice summary — Tuesday, November 24"
    assert summary_subject(DAY, None, "GB") == "Practice summary — Tuesday 24 November"
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
    assert parsed.chief_mark == "summary" and parsed.auto_submitted
    assert parsed.chief_key == "summary:2026-11-24"


def test_both_parts_contain_every_section() -> None:
    text, html = parts(build(full_data()))
    for part, headings in ((text, SECTIONS_TEXT), (html, SECTIONS_HTML)):
        places = [part.index(h) for h in headings]
        assert places == sorted(places), "sections out of order"
    for value in (
        "Reply to Harcourt Lyle LLP",  # due today, in words
        "letter of instruction",
        "advice",  # overdue
        "4 days late",
        "was due Fri, Nov 20",
        "EHCP KCC/EHC/2026/10452",
        "Imaging Fri, Nov 27, 9:00 AM is booked before Carelon authorised it (pended)",
        "CRL-2026-7740215",
        "chase draft in your Drafts folder",
        "Renew DEA registration",  # within 30 days: to decide
        "expires Sun, Dec 20 (in 26 days)",
        "Appeal to UnitedHealthcare",  # the draft, beside its case's deadline or listed
        "the oldest waiting since Fri, Nov 20",
        "Nov 23, from clinic.example: perhaps referral (42% sure)",
        "All day",
        "Away fixture",
        "9:30 AM",
        "Clinic",
        f"cases {short_case_id(35)}, {short_case_id(68)}",
        "1 open item · 1 lab result to review",
        "Coming up: 1 due in the next 7 days, the first Tue, Dec 1",
        "£1,850.00",
        "$331.00",
        "1 referrer quiet for 60+ days; 4 not acknowledged",
        "AMA PRA Category 1: 36.5 of 50 credits by Sun, Jan 31, 2027, on track",
        "week 2026-W48",
        "British Journal of Sports Medicine",
        "New mail: 5 (payer 3, unclassified 2)",
        f"chief cases show {CASE_17}",
    ):
        assert value in flat(text), value
        assert value in shown(html), value
    assert f"case {CASE_17}" in text and f"case&nbsp;{CASE_17}" in html
    assert (
        "https://mail.example/draft/17" in text and 'href="https://mail.example/draft/17"' in html
    )
    assert "<https://bjsm.example/toc/58/11>" in text
    assert 'href="https://bjsm.example/toc/58/11"' in html
    assert "\nNothing." not in text and ">Nothing<" not in html


def test_empty_sections_say_nothing() -> None:
    msg = build(SummaryData(practice={}, day=DAY))
    text, html = parts(msg)
    assert msg["Subject"] == "nothing due or to sign — Practice summary, Tue, Nov 24"
    # Due today, overdue, to decide, drafts, calendar, everything else; "Needs a look" only
    # when there is one.
    assert text.count("Nothing.") == 6
    assert html.count(">Nothing<") == 6
    for heading in SECTIONS_TEXT:
        assert (heading in text) is (heading != "NEEDS A LOOK")
    assert "None" not in text and "None" not in html


def test_first_screen_lists_a_few_and_points_to_the_rest() -> None:
    data = full_data()
    data.deadlines_due = []
    data.drafts = [
        DraftLine(n, f"Acknowledgement {n}", f"referral R-{n}", link=f"https://m.example/{n}")
        for n in range(1, 9)
    ]
    data.cases_needing_action = [CaseLine(7, "referral", "new", "R-7", date(2026, 11, 30))]
    data.overdue = [DeadlineLine(date(2026, 11, d), f"Late {d}", 100 + d) for d in range(1, 9)]
    text, html = parts(build(data))
    top = text[text.index("DRAFTS TO SIGN") : text.index("\n\n", text.index("DRAFTS TO SIGN"))]
    assert top.count("\n- Acknowledgement") == DRAFTS_LISTED
    assert top.index("R-7") < top.index("R-1")  # the case with the earliest deadline first
    assert f"- {8 - DRAFTS_LISTED} more in your Drafts folder" in top
    late = text[text.index("OVERDUE (8") : text.index("\n\n", text.index("OVERDUE (8"))]
    assert late.count("\n- Late") == OVERDUE_LISTED
    assert late.index("Late 8") < late.index("Late 7")  # newest first
    assert "Late 1:" not in late
    assert f"- and {8 - OVERDUE_LISTED} more: chief deadlines" in late
    assert 'href="https://m.example/7"' in html and "<https://m.example/7>" in text
    assert "https://m.example/8" not in text  # not listed: counted


def test_a_draft_is_named_beside_its_deadline() -> None:
    data = full_data()
    data.overdue = [DeadlineLine(date(2026, 11, 23), "Appeal UnitedHealthcare's denial", 17)]
    data.drafts.append(DraftLine(21, "Outcome letter to Inland", "referral", folder="INBOX.Drafts"))
    text, html = parts(build(data))
    overdue = text[text.index("OVERDUE") : text.index("TO DECIDE")]
    assert "1 day late" in overdue
    assert "open the draft: <https://mail.example/draft/17>" in flat(overdue)
    drafts = text[text.index("DRAFTS TO SIGN") : text.index("NEEDS A LOOK")]
    assert "Appeal to UnitedHealthcare" not in drafts  # beside its deadline already
    assert "Outcome letter to Inland" in drafts and "draft in INBOX.Drafts" in drafts
    assert "(1 beside what is due above)" in drafts
    assert ">Open the draft</a>" in html


def test_due_today_and_coming_up_are_split() -> None:
    data = full_data()
    data.deadlines_due = [
        DeadlineLine(DAY, "Today's", 1),
        DeadlineLine(date(2026, 12, 1), "In seven days", 2),
        DeadlineLine(date(2026, 12, 2), "In eight days", 3),
    ]
    assert data.headline.due_today == 1 and len(data.coming_up) == 1
    text, _ = parts(build(data))
    today = text[text.index("DUE TODAY") : text.index("OVERDUE")]
    assert "Today's" in today and "seven days" not in today
    rest = text[text.index("EVERYTHING ELSE") :]
    assert "Coming up: 1 due in the next 7 days, the first Tue, Dec 1; 1 more later" in flat(rest)


def test_dates_and_times_are_written_as_the_practices_country_writes_them() -> None:
    data = full_data()
    data.practice = {"name": "Meadowbank", "country": "GB"}
    msg = build(data)
    text, html = parts(msg)
    assert msg["Subject"].endswith("— Practice summary, Tue 24 Nov")
    assert "Meadowbank — Tuesday 24 November" in text and ">Tuesday 24 November</h1>" in html
    for value in ("was due Fri 20 Nov", "Imaging Fri 27 Nov, 09:00", "- 09:30 Clinic"):
        assert value in flat(text), value
    assert "9:30 AM" not in text and "Nov 20" not in text


def test_currencies_have_their_own_totals() -> None:
    text, _ = parts(build(full_data()))
    # Bupa is paid up; what is owed is shown per currency, the parties by `chief payments`.
    assert "- Outstanding: £1,850.00 · $331.00\n  chief payments" in text


def test_html_is_tables_and_inline_css_only() -> None:
    _, html = parts(build(full_data()))
    for banned in ("<script", "<img", "<link", "src=", "url(", "@import", "javascript:"):
        assert banned not in html.lower(), banned
    # One style block, holding only the dark palette for clients that honour it.
    assert html.count("<style") == 1
    style = html[html.index("<style>") + 7 : html.index("</style>")]
    assert style.startswith("@media (prefers-color-scheme: dark){") and style.count("@") == 1
    assert '<meta name="color-scheme" content="light dark">' in html
    assert html.count("<table") == 2  # the counts, today's calendar
    assert html.count("<h1") == 1 and html.count("<h2") == len(SECTIONS_HTML)


def test_html_escapes_values() -> None:
    text, html = parts(build(full_data()))
    assert "Kent County Council &lt;b&gt;your&lt;/b&gt; advice" in html
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" not in html  # not due within 7 days: counted
    data = full_data()
    data.deadlines_due[0] = DeadlineLine(DAY, "Reply", 12, "PA-<script>alert(1)</script>")
    text, html = parts(build(data))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
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
