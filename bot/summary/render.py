"""The daily summary: what arrived, what needs doing, what is due, sent to the practitioner only.

The summary is one RFC 5322 message, ``multipart/alternative`` (RFC 2046 section 5.1.4) with a
text/plain part first and a text/html part second, rendered from ``summary.txt.j2`` and
``summary.html.j2`` in the same sandboxed environment as the drafts
(:func:`bot.letters.drafting.template_environment`; the HTML template is autoescaped). It is
addressed From and To the practitioner and nobody else, carries ``X-Chief-Generated: summary``,
``X-Chief-Key`` and ``Auto-Submitted: auto-generated`` (RFC 3834 section 5) so no auto-responder
answers it and our own mail reader skips it.

Summary-template context (:class:`SummaryData`, each list item a small dataclass of
:mod:`bot.summary.lines`): ``practice`` (mapping, as for drafts), ``day``; today's work:
``due_today`` and ``top_overdue`` (:class:`DeadlineLine`: ``action`` in the practitioner's
words, ``about``, ``case_id``), ``draft_for`` (case id → its most pressing draft, named beside
its deadline), ``booking_flags``, ``urgent_renewals`` and ``failed_writes`` (to decide),
``top_drafts`` with ``drafts_total`` and ``oldest_draft``, ``needs_look`` with
``needs_look_total``, ``today_events`` (:class:`TodayEvent`, with its appointment brief's
counts) and ``zone``; everything else counted: ``coming_up``, ``due_later``,
``later_renewals``, ``payment_totals``, ``quiet_referrers``, ``open_acknowledgements``,
``cpd``, ``research_digest``, ``total_new_mail`` and ``mail_split``, ``open_cases`` and
``example_case``; ``headline`` (:class:`Headline`, the counts the subject line leads with),
``palette`` and ``dark_css`` (:mod:`bot.summary.palette`). Filters: ``caseid`` (the short id,
never the database number), ``day``, ``fullday`` and ``time`` (the practice's country's
format, :mod:`bot.summary.local_format`), ``late`` ("3 days late"), ``words`` (a category in
words).

LAYOUT. Most practitioners read this on a phone between patients, so it answers "what do I do
today?" on the first screen and stays within three phone screens (2,600 px at 390 px wide)
and 6,000 characters of text (``tests/test_summary_browser.py`` measures the demo practices,
``bench/summary_size.py`` prints the figures): due today, overdue (with how late), to decide,
drafts to sign (how many, the oldest), "Needs a look", today's calendar, then everything else
as one line each with the command that shows more (``chief deadlines``, ``chief payments``,
``chief cases show ID``…). Each list shows its first few and counts the rest. Both parts carry
the same content in the same order.

WORDS. The practitioner's, never the system's: no rule ids, clock ids, template names or
database numbers (:mod:`bot.summary.wording`; they stay in ``chief cases show`` and the
audit). No subject line or body of patient mail is ever part of it: drafts are named by what
they are, their case's party and reference, never by their subject (which repeats the
subject of the mail answered, and may name a patient); appointments by their time and the
cases they are linked to (a patient named in a calendar title is shown as ``[summary]
patient_names`` says, :mod:`bot.summary.privacy`). Links are web links only
(:mod:`bot.summary.links`). Empty sections are shown as "Nothing".
"""

from __future__ import annotations

import email.policy
import email.utils
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.keys import check_key
from bot.letters.drafting import practitioner_identity
from bot.letters.headers import OUTGOING_POLICY, clean_body_text, new_message_id, verify_headers
from bot.letters.templates import render_template, template_environment
from bot.mail.message import GENERATED_HEADER, KEY_HEADER
from bot.store.case_ids import short_case_id
from bot.summary.lines import (
    CaseLine,
    DeadlineLine,
    DraftLine,
    LookLine,
    MailCount,
    Renewal,
    TodayEvent,
)
from bot.summary.local_format import DateStyle
from bot.summary.needs_look import SHOWN
from bot.summary.palette import LIGHT, dark_mode_css
from bot.summary.wording import category_name, lateness

if TYPE_CHECKING:
    from bot.features.appointment_brief import AppointmentBrief
    from bot.features.booking_guard import BookingFlag
    from bot.features.cpd import RequirementProgress
    from bot.features.payments import CurrencyTotal, PaymentPosition
    from bot.features.referral_network import ReferralSource
    from bot.features.research_digest import ResearchDigest
    from bot.summary.charts import AgeingRow
    from bot.sync.failed_writes import FailedWrite

__all__ = [
    "CaseLine",
    "DeadlineLine",
    "DraftLine",
    "Headline",
    "MailCount",
    "Renewal",
    "SummaryData",
    "TodayEvent",
    "build_summary",
    "summary_subject",
]

log = logging.getLogger(__name__)

TEXT_TEMPLATE = "summary.txt.j2"
HTML_TEMPLATE = "summary.html.j2"
SOON_DAYS = 7  # "coming up": due within this many days after today
FIRST_SCREEN_ITEMS = 5  # due today: listed before "and N more"
OVERDUE_LISTED = 3  # the newest overdue, each with how late
DRAFTS_LISTED = 3  # drafts named beyond those beside a deadline above
EVENTS_LISTED = 8  # today's calendar
DECIDE_LISTED = 3  # of each kind: bookings, renewals, failed writes
RENEWAL_DECIDE_DAYS = 30  # a renewal this close (or past) is to decide today
JOURNALS_LISTED = 3  # research digest alerts named, the rest counted
# Lines of at most 76 characters: quoted-printable's limit (RFC 2045 6.7; the encoder wraps
# at the policy's length), within RFC 5322's recommended 78 for headers (2.1.1), which fold
# here (the subject has spaces to fold at, unlike a draft's "Re:" of another's subject).
SUMMARY_POLICY = OUTGOING_POLICY.clone(max_line_length=76)


@dataclass(frozen=True, slots=True)
class Headline:
    """The counts that answer "what do I need to do today?" (subject line and first screen)."""

    due_today: int
    overdue: int
    to_decide: int
    drafts: int

    def phrases(self) -> list[str]:
        out = [f"{self.due_today} due today"] if self.due_today else []
        if self.overdue:
            out.append(f"{self.overdue} overdue")
        if self.to_decide:
            out.append(f"{self.to_decide} to decide")
        if self.drafts:
            out.append(f"{self.drafts} draft{'' if self.drafts == 1 else 's'} to sign")
        return out

    def text(self) -> str:
        """``2 due today · 1 overdue · 1 to decide · 3 drafts to sign``, or ``nothing due or
        to sign``."""
        return " · ".join(self.phrases()) or "nothing due or to sign"


@dataclass(slots=True)
class SummaryData:
    """Everything the summary templates receive (see the module docstring)."""

    practice: Mapping[str, Any]
    day: date
    new_mail: list[MailCount] = field(default_factory=list)
    needs_look: list[LookLine] = field(default_factory=list)  # the first few
    needs_look_total: int = 0
    cases_needing_action: list[CaseLine] = field(default_factory=list)
    drafts: list[DraftLine] = field(default_factory=list)
    deadlines_due: list[DeadlineLine] = field(default_factory=list)
    overdue: list[DeadlineLine] = field(default_factory=list)
    renewals: list[Renewal] = field(default_factory=list)
    today_events: list[TodayEvent] = field(default_factory=list)
    appointment_briefs: list[AppointmentBrief] = field(default_factory=list)
    booking_flags: list[BookingFlag] = field(default_factory=list)
    payment_positions: list[PaymentPosition] = field(default_factory=list)
    payment_totals: list[CurrencyTotal] = field(default_factory=list)
    quiet_referrers: list[ReferralSource] = field(default_factory=list)
    referral_quiet_days: int = 90
    open_acknowledgements: int = 0
    cpd: list[RequirementProgress] = field(default_factory=list)
    research_digest: ResearchDigest | None = None
    referral_sources: list[ReferralSource] = field(default_factory=list)
    network_line: str | None = None  # referrals out this week (bot.features.practitioner_network)
    ageing: list[AgeingRow] = field(default_factory=list)
    # Writes that failed and are tried again on each sync, until written or dismissed.
    failed_writes: list[FailedWrite] = field(default_factory=list)

    @property
    def due_today(self) -> list[DeadlineLine]:
        return [d for d in self.deadlines_due if d.due <= self.day]

    @property
    def coming_up(self) -> list[DeadlineLine]:
        """Due after today, within :data:`SOON_DAYS` days."""
        return [d for d in self.deadlines_due if 0 < (d.due - self.day).days <= SOON_DAYS]

    @property
    def urgent_renewals(self) -> list[Renewal]:
        return [r for r in self.renewals if r.days_left <= RENEWAL_DECIDE_DAYS]

    @property
    def headline(self) -> Headline:
        return Headline(
            due_today=len(self.due_today),
            overdue=len(self.overdue),
            to_decide=len(self.booking_flags) + len(self.urgent_renewals) + len(self.failed_writes),
            drafts=len(self.drafts),
        )

    def context(self) -> dict[str, Any]:
        """The template context: the fields above and what the templates show of them."""
        practice: dict[str, Any] = dict.fromkeys(
            ("name", "practitioner", "credentials", "email", "phone", "address", "signature")
        )
        practice.update(self.practice)
        by_urgency = self._drafts_by_urgency()
        draft_for: dict[int | str, DraftLine] = {}
        for draft in by_urgency:
            if draft.case_id is not None:
                draft_for.setdefault(draft.case_id, draft)
        due_today = self.due_today[:FIRST_SCREEN_ITEMS]
        top_overdue = list(reversed(self.overdue))[:OVERDUE_LISTED]
        beside = {d.case_id for d in (*due_today, *top_overdue) if d.case_id in draft_for}
        dated = [d.waiting_since for d in self.drafts if d.waiting_since is not None]
        later = [d for d in self.deadlines_due if (d.due - self.day).days > SOON_DAYS]
        return {
            "practice": practice,
            "day": self.day,
            "today": self.day,
            "headline": self.headline,
            "due_today": due_today,
            "due_today_total": len(self.due_today),
            "top_overdue": top_overdue,
            "overdue_total": len(self.overdue),
            "booking_flags": self.booking_flags[:DECIDE_LISTED],
            "urgent_renewals": self.urgent_renewals[:DECIDE_LISTED],
            "failed_writes": self.failed_writes[:DECIDE_LISTED],
            "decide_more": self.headline.to_decide
            - len(self.booking_flags[:DECIDE_LISTED])
            - len(self.urgent_renewals[:DECIDE_LISTED])
            - len(self.failed_writes[:DECIDE_LISTED]),
            "draft_for": draft_for,
            "drafts_total": len(self.drafts),
            "top_drafts": [d for d in by_urgency if d.case_id not in beside][:DRAFTS_LISTED],
            "drafts_beside": sum(1 for d in self.drafts if d.case_id in beside),
            "oldest_draft": min(dated) if dated else None,
            "needs_look": list(self.needs_look)[:SHOWN],
            "needs_look_total": self.needs_look_total,
            "today_events": list(self.today_events)[:EVENTS_LISTED],
            "events_total": len(self.today_events),
            "zone": _zone_label(self.today_events),
            "soon_days": SOON_DAYS,
            "coming_up": len(self.coming_up),
            "next_up": self.coming_up[0] if self.coming_up else None,
            "due_later": len(later),
            "later_renewals": [r for r in self.renewals if r.days_left > RENEWAL_DECIDE_DAYS],
            "payment_totals": [t for t in self.payment_totals if t.outstanding.minor],
            "quiet_referrers": len(self.quiet_referrers),
            "referral_quiet_days": self.referral_quiet_days,
            "open_acknowledgements": self.open_acknowledgements,
            "cpd": list(self.cpd),
            "research_digest": self.research_digest,
            "journals_listed": JOURNALS_LISTED,
            "new_mail": list(self.new_mail),
            "total_new_mail": sum(item.count for item in self.new_mail),
            "mail_split": _mail_split(self.new_mail),
            "open_cases": len(self.cases_needing_action),
            "example_case": self.cases_needing_action[0].case_id
            if self.cases_needing_action
            else None,
            "has_else": bool(
                self.deadlines_due
                and len(self.due_today) < len(self.deadlines_due)
                or self.renewals
                or any(t.outstanding.minor for t in self.payment_totals)
                or self.quiet_referrers
                or self.open_acknowledgements
                or self.cpd
                or (self.research_digest and self.research_digest.items)
                or self.new_mail
                or self.cases_needing_action
                or self.network_line
            ),
            "network_line": self.network_line,
            "palette": dict(LIGHT),
            "dark_css": dark_mode_css(),
        }

    def _drafts_by_urgency(self) -> list[DraftLine]:
        """Drafts ordered by their case's next deadline (cases without one last)."""
        due = {c.case_id: c.next_due for c in self.cases_needing_action if c.next_due}

        def urgency(pair: tuple[int, DraftLine]) -> tuple[str, int]:
            case_id = pair[1].case_id
            when = due.get(case_id) if case_id is not None else None
            return (str(when) if when else "9999-99-99", pair[0])

        ranked = sorted(enumerate(self.drafts), key=urgency)
        return [draft for _, draft in ranked]


def _mail_split(counts: Sequence[MailCount], shown: int = 4) -> str:
    """``payer 40, referral 30, lab 12, team 9 and 3 more``: the busiest categories."""
    out = ", ".join(f"{category_name(m.category)} {m.count}" for m in counts[:shown])
    rest = sum(m.count for m in counts[shown:])
    return f"{out} and {rest} more" if rest else out


def _zone_label(events: Sequence[TodayEvent]) -> str:
    """The zone today's times are in, as a clock shows it (``EST``, ``GMT``), from the first
    timed event (they are all in the practice's zone); "" when none is timed."""
    for event in events:
        if isinstance(event.start, datetime) and event.start.tzinfo is not None:
            return event.start.strftime("%Z")
    return ""


def summary_subject(day: date, headline: Headline | None = None, country: str | None = None) -> str:
    """``2 due today · 1 overdue · 3 drafts to sign — Practice summary, Tue 24 Nov``.

    The counts come first: a phone shows the first 35-40 characters of a subject. The day is
    written as the practice's country writes it (``Tue, Nov 24`` in the US). Without
    ``headline``: ``Practice summary — Tuesday 24 November``."""
    style = DateStyle(country, day)
    if headline is None:
        return f"Practice summary — {style.full_day(day)}"
    return f"{headline.text()} — Practice summary, {style.day(day)}"


def build_summary(
    data: SummaryData,
    template_dirs: Sequence[Path],
    practitioner: tuple[str, str],
    key: str,
    *,
    now: datetime | None = None,
) -> bytes:
    """Render the summary as a complete RFC 5322 message addressed to the practitioner only.

    Raises :class:`bot.errors.TemplateError` when a template fails and
    :class:`bot.errors.UserError` when the practitioner's address is unusable.
    """
    check_key(key)
    addr = practitioner_identity(practitioner)
    env = template_environment(template_dirs)
    country = str(data.practice.get("country") or "US")
    style = DateStyle(country, data.day)
    env.filters.update(
        caseid=short_case_id,
        day=style.day,
        fullday=style.full_day,
        time=style.time,
        late=lambda due: lateness((data.day - due).days),
        words=category_name,
        angle=lambda link: f"<{link}>",
    )
    context = data.context()
    text, _ = render_template(env, TEXT_TEMPLATE, context)
    html, _ = render_template(env, HTML_TEMPLATE, context)

    msg = EmailMessage(policy=SUMMARY_POLICY)
    msg["From"] = addr
    msg["To"] = addr
    msg["Subject"] = summary_subject(data.day, data.headline, country)
    # The caller's clock (the practice's zone, rt.now()); the machine's zone only without one.
    msg["Date"] = email.utils.format_datetime(now or datetime.now(UTC).astimezone())
    msg["Message-ID"] = new_message_id(addr.domain)
    msg["Auto-Submitted"] = "auto-generated"
    msg[KEY_HEADER] = key
    msg[GENERATED_HEADER] = "summary"
    msg.set_content(clean_body_text(text), subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(
        clean_body_text(html), subtype="html", charset="utf-8", cte="quoted-printable"
    )
    raw = msg.as_bytes()
    verify_headers(raw, msg.keys())
    log.debug("summary %s built for %s", key, data.day.isoformat())
    return raw
