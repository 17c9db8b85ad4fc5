"""The daily summary: multipart/alternative, every section in urgency order, the subject's
counts, escaping, HTML safe for mail clients, practitioner only."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, date, datetime
from email.message import EmailMessage
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
from bot.summary.render import (
    FIRST_SCREEN_ITEMS,
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
# In the order they must appear: what needs the practitioner today, the week ahead, the rest.
SECTIONS_TEXT = [
    "NEEDS YOU TODAY",
    "TO SIGN",
    "OVERDUE",
    "DUE IN THE NEXT 7 DAYS",
    "IMAGING BOOKED BEFORE AUTHORISATION",
    "TODAY'S CALENDAR",
    "APPOINTMENT BRIEFS",
    "THE WEEK AHEAD",
    "DEADLINES IN THE NEXT 14 DAYS",
    "RENEWALS",
    "EVERYTHING ELSE",
    "DRAFTS WAITING",
    "ALL OVERDUE",
    "CASES NEEDING ACTION",
    "PAYMENT POSITIONS",
    "OUTSTANDING BY AGE",
    "REFERRAL SOURCES",
    "REFERRERS GONE QUIET",
    "CME / CPD PROGRESS",
    "NEW MAIL",
]
SECTIONS_HTML = [
    "Needs you today</h2>",
    "To sign (",
    "Overdue (",
    "Due in the next 7 days",
    "Imaging booked before authorisation",
    "Today's calendar",
    "Appointment briefs",
    "The week ahead</h2>",
    "Deadlines in the next 14 days",
    "Renewals",
    "Everything else</h2>",
    "Drafts waiting for your review",
    "All overdue (",
    "Cases needing action",
    "Payment positions",
    "Referral sources",
    "Referrers gone quiet",
    "CME / CPD progress",
    "New mail",
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
        drafts=[DraftLine(17, "payer/appeal_request.j2", "prior_auth", "PA-20261124")],
        deadlines_due=[DeadlineLine(date(2026, 12, 1), "Appeal due", 17, "appeal.internal")],
        overdue=[DeadlineLine(date(2026, 11, 20), "EHC advice <b>late</b>", 9, "ehcp.advice")],
        renewals=[Renewal("DEA registration", date(2026, 12, 20), 26)],
        today_events=[
            TodayEvent(datetime(2026, 11, 24, 9, 30, tzinfo=UTC), "Clinic"),
            TodayEvent(DAY, "Away fixture"),
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
        "1 to sign · 1 due this week · 1 overdue · 1 imaging unauthorised"
        " — Practice summary, Tue 24 Nov"
    )
    assert summary_subject(DAY, full_data().headline) == msg["Subject"]
    assert summary_subject(DAY) == "Practice summary — Tuesday 24 November 2026"
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
        f"case {CASE_17}",
        "appeal request",
        "10:00",
        "linked by patient",
        "results ready, lab_result LC-1 (case 35)",
        "22 November 2026",
        "CRL-2026-7740215",
        "chase draft in your Drafts folder",
        "Harcourt Lyle LLP",
        "£1,850.00",
        "2 October 2026 (53 days)",
        "$331.00",
        "Total GBP",
        "Total USD",
        "Inland Orthopaedic Associates",
        "14 September 2026",
        "more than 60 days",
        "AMA PRA Category 1",
        "36.5",
        "14.25 pending",
        "on track",
        "week 2026-W48",
        "British Journal of Sports Medicine",
        "Return to sport after concussion",
    ):
        assert value in text, value
        assert value in html or value.replace("case ", "case&nbsp;") in html, value
    assert "Cigna Healthcare (USD) $289.00: 90+ days $289.00" in text
    assert 'aria-label="Cigna Healthcare: $289.00 outstanding: 90+ days $289.00"' in html
    assert "\nNothing." not in text and ">Nothing<" not in html


def test_empty_sections_say_nothing() -> None:
    msg = build(SummaryData(practice={}, day=DAY))
    text, html = parts(msg)
    assert msg["Subject"] == "nothing to sign or due — Practice summary, Tue 24 Nov"
    assert text.count("Nothing.") == 17  # the age split has its own text section
    assert html.count(">Nothing<") == 16  # and sits inside the payment card in HTML
    for heading in SECTIONS_TEXT:
        assert heading in text
    assert "None" not in text and "None" not in html


def test_first_screen_lists_a_few_and_points_to_the_rest() -> None:
    data = full_data()
    data.drafts = [
        DraftLine(n, "referral/referral_ack.j2", "referral", f"R-{n}", link=f"file:///d/{n}")
        for n in range(1, 9)
    ]
    data.cases_needing_action = [CaseLine(7, "referral", "new", "R-7", date(2026, 11, 1))]
    data.overdue = [DeadlineLine(date(2026, 11, d), f"late {d}", d) for d in range(1, 9)]
    text, html = parts(build(data))
    top = text[text.index("TO SIGN") : text.index("\n\n", text.index("TO SIGN"))]
    assert top.count("\n- referral ack") == FIRST_SCREEN_ITEMS
    assert top.index("R-7") < top.index("R-1")  # the case with the earliest deadline first
    assert "- and 3 more under DRAFTS WAITING FOR YOUR REVIEW below" in top
    late = text[text.index("OVERDUE (8") : text.index("\n\n", text.index("OVERDUE (8"))]
    assert late.index("8 November 2026") < late.index("4 November 2026")  # newest first
    assert "1 November 2026" not in late and "- and 3 more under ALL OVERDUE below" in late
    assert 'href="#all-drafts"' in html and 'id="all-drafts"' in html
    assert 'href="file:///d/7"' in html and "<file:///d/7>" in text


def test_due_this_week_and_later_are_split() -> None:
    data = full_data()
    data.deadlines_due = [
        DeadlineLine(DAY, "today's", 1),
        DeadlineLine(date(2026, 12, 1), "in seven days", 2),
        DeadlineLine(date(2026, 12, 2), "in eight days", 3),
    ]
    assert data.headline.due_soon == 2
    text, _ = parts(build(data))
    soon = text[text.index("DUE IN THE NEXT 7 DAYS") : text.index("IMAGING BOOKED")]
    assert "today's" in soon and "in seven days" in soon and "in eight days" not in soon
    ahead = text[text.index("THE WEEK AHEAD") : text.index("RENEWALS")]
    assert "- 2 December 2026: in eight days" in ahead
    assert "Tue 24 Nov   1 " in ahead and "overdue      1 " in ahead


def test_currencies_have_their_own_totals() -> None:
    text, _ = parts(build(full_data()))
    section = text[text.index("PAYMENT POSITIONS") : text.index("REFERRERS GONE QUIET")]
    gbp, usd = section.index("\nGBP\n"), section.index("\nUSD\n")
    assert gbp < section.index("Harcourt Lyle LLP (solicitor)") < usd
    assert "Total GBP: billed £2,135.00, paid £285.00, outstanding £1,850.00" in section
    assert "Total USD: billed $687.00, paid $186.52, outstanding $331.00" in section
    assert "Referrals not yet acknowledged (all referrers): 4" in text


def test_html_is_tables_and_inline_css_only() -> None:
    _, html = parts(build(full_data()))
    for banned in ("<script", "<img", "<link", "src=", "url(", "@import", "javascript:"):
        assert banned not in html.lower(), banned
    # One style block, holding only the dark palette for clients that honour it.
    assert html.count("<style") == 1
    style = html[html.index("<style>") + 7 : html.index("</style>")]
    assert style.startswith("@media (prefers-color-scheme: dark){") and style.count("@") == 1
    assert '<meta name="color-scheme" content="light dark">' in html
    assert html.count("<table") >= 5
    assert html.count("<h1") == 1 and html.count("<h2") == 3


def test_html_escapes_values() -> None:
    text, html = parts(build(full_data()))
    assert "Bupa &lt;b&gt;UK&lt;/b&gt;" in html
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
