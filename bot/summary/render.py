"""The daily summary: what arrived, what needs doing, what is due, sent to the practitioner only.

The summary is one RFC 5322 message, ``multipart/alternative`` (RFC 2046 section 5.1.4) with a
text/plain part first and a text/html part second, rendered from ``summary.txt.j2`` and
``summary.html.j2`` in the same sandboxed environment as the drafts
(:func:`bot.letters.drafting.template_environment`; the HTML template is autoescaped). It is
addressed From and To the practitioner and nobody else, carries ``X-Chief-Generated: summary``,
``X-Chief-Key`` and ``Auto-Submitted: auto-generated`` (RFC 3834 section 5) so no auto-responder
answers it and our own mail reader skips it.

Summary-template context (:class:`SummaryData`, each list item a small dataclass):
``practice`` (mapping, as for drafts), ``day`` (date), ``new_mail`` (category, count),
``needs_look`` (:class:`bot.summary.lines.LookLine`, the first few) and ``needs_look_total``,
``cases_needing_action`` (case_id, kind, status, reference, next_due, last_event), ``drafts``
(case_id, template, kind, reference, state), ``deadlines_due`` and ``overdue`` (due, title,
case_id, clock), ``renewals`` (name, expires, days_left), ``today_events`` (start, summary),
``appointment_briefs`` (:class:`bot.features.appointment_brief.AppointmentBrief`), ``booking_flags``
(:class:`bot.features.booking_guard.BookingFlag`), ``payment_positions`` and ``payment_totals``
(:mod:`bot.features.payments`: one line per party and currency, one total per currency),
``quiet_referrers`` (:class:`bot.features.referral_network.ReferralSource`), ``referral_quiet_days``
and ``open_acknowledgements`` (a count), ``referral_sources`` (every source, for the activity
chart), ``ageing`` (:class:`bot.summary.charts.AgeingRow`).
Computed for the templates: ``headline`` (:class:`Headline`, the counts the subject line
leads with), ``timeline`` (:func:`bot.summary.charts.deadline_timeline`), ``referral_bars``,
``due_this_week`` / ``due_later``, ``top_drafts`` / ``top_overdue`` (the first few, for the
first screen), ``palette`` and ``dark_css`` (:mod:`bot.summary.palette`), and the ``caseid``
filter (:func:`bot.store.case_ids.short_case_id`).

LAYOUT. Most practitioners read this on a phone between patients, so it is ordered by
urgency: first what needs them today (drafts to sign, overdue items, deadlines within
:data:`SOON_DAYS` days, imaging booked before authorisation, today's calendar), then the
week ahead, then everything else. Both parts carry the same content in the same order.

No subject line or body of patient mail is ever part of it: drafts are named by case kind and
reference, appointments by their time and the cases they are linked to, never by a patient
(a patient named in a calendar title is shown as ``[summary] patient_names`` says,
:mod:`bot.summary.privacy`). Empty sections are shown as "Nothing".
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
from bot.summary.charts import deadline_timeline, referral_bars
from bot.summary.lines import (
    CaseLine,
    DeadlineLine,
    DraftLine,
    LookLine,
    MailCount,
    Renewal,
    TodayEvent,
)
from bot.summary.palette import LIGHT, dark_mode_css

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
SOON_DAYS = 7  # "due this week": due today or within this many days
FIRST_SCREEN_ITEMS = 5  # items a top section lists before "and N more below"


@dataclass(frozen=True, slots=True)
class Headline:
    """The counts that answer "what do I need to do today?" (subject line and first screen)."""

    to_sign: int
    due_soon: int
    overdue: int
    imaging: int

    def phrases(self) -> list[str]:
        out = [f"{self.to_sign} to sign"] if self.to_sign else []
        if self.due_soon:
            out.append(f"{self.due_soon} due this week")
        if self.overdue:
            out.append(f"{self.overdue} overdue")
        if self.imaging:
            out.append(f"{self.imaging} imaging unauthorised")
        return out

    def text(self) -> str:
        """``3 to sign · 2 due this week · 1 overdue``, or ``nothing to sign or due``."""
        return " · ".join(self.phrases()) or "nothing to sign or due"


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
    def due_this_week(self) -> list[DeadlineLine]:
        return [d for d in self.deadlines_due if (d.due - self.day).days <= SOON_DAYS]

    @property
    def headline(self) -> Headline:
        return Headline(
            to_sign=len(self.drafts),
            due_soon=len(self.due_this_week),
            overdue=len(self.overdue),
            imaging=len(self.booking_flags),
        )

    def context(self) -> dict[str, Any]:
        """The template context: the fields above, plus ``today`` (= ``day``)."""
        practice: dict[str, Any] = dict.fromkeys(
            ("name", "practitioner", "credentials", "email", "phone", "address", "signature")
        )
        practice.update(self.practice)
        return {
            "practice": practice,
            "day": self.day,
            "today": self.day,
            "new_mail": list(self.new_mail),
            "total_new_mail": sum(item.count for item in self.new_mail),
            "needs_look": list(self.needs_look),
            "needs_look_total": self.needs_look_total,
            "cases_needing_action": list(self.cases_needing_action),
            "drafts": list(self.drafts),
            "deadlines_due": list(self.deadlines_due),
            "overdue": list(self.overdue),
            "renewals": list(self.renewals),
            "today_events": list(self.today_events),
            "appointment_briefs": list(self.appointment_briefs),
            "booking_flags": list(self.booking_flags),
            "payment_positions": list(self.payment_positions),
            "payment_totals": list(self.payment_totals),
            "quiet_referrers": list(self.quiet_referrers),
            "referral_quiet_days": self.referral_quiet_days,
            "open_acknowledgements": self.open_acknowledgements,
            "cpd": list(self.cpd),
            "research_digest": self.research_digest,
            "referral_sources": list(self.referral_sources),
            "network_line": self.network_line,
            "ageing": list(self.ageing),
            "failed_writes": list(self.failed_writes),
            "ageing_currencies": sorted({row.currency for row in self.ageing}),
            "headline": self.headline,
            "soon_days": SOON_DAYS,
            "due_this_week": self.due_this_week,
            "due_later": [d for d in self.deadlines_due if d not in self.due_this_week],
            # The first screen: drafts of the most pressing cases first, newest overdue first.
            "top_drafts": self._drafts_by_urgency()[:FIRST_SCREEN_ITEMS],
            "top_overdue": list(reversed(self.overdue))[:FIRST_SCREEN_ITEMS],
            "first_screen_items": FIRST_SCREEN_ITEMS,
            "timeline": deadline_timeline(self.day, self.deadlines_due, self.overdue),
            "referral_bars": referral_bars(self.referral_sources),
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


def summary_subject(day: date, headline: Headline | None = None) -> str:
    """``3 to sign · 2 due this week · 1 overdue — Practice summary, Tue 24 Nov``.

    The counts come first: a phone shows the first 35-40 characters of a subject. Without
    ``headline``: ``Practice summary — Tuesday 24 November 2026``."""
    if headline is None:
        return f"Practice summary — {day:%A} {day.day} {day:%B %Y}"
    return f"{headline.text()} — Practice summary, {day:%a} {day.day} {day:%b}"


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
    env.filters["caseid"] = short_case_id
    context = data.context()
    text, _ = render_template(env, TEXT_TEMPLATE, context)
    html, _ = render_template(env, HTML_TEMPLATE, context)

    msg = EmailMessage(policy=OUTGOING_POLICY)
    msg["From"] = addr
    msg["To"] = addr
    msg["Subject"] = summary_subject(data.day, data.headline)
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
