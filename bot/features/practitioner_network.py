"""The practitioner network both ways: who the practice refers to, who refers to it, and gaps.

PRACTITIONER
    A source of the referral network (:mod:`bot.features.referral_network`: referrals in) or
    the recipient of an outbound referral (:mod:`bot.features.outbound_referrals`: referrals
    out), the two met by the same WHO key.
MODALITY
    The modality its outbound referrals name most, else the first of ``[referrals]
    modalities`` its name names.
FIRST REPORT
    Days from a referral out to the reply that closed it with a report or a discharge; the
    median over the practitioner's referrals.
OUTCOME NOTES
    The ``Outcome:`` lines of the practitioner's own case notes, on the cases referred to
    this practitioner (the latest referral out on the case), unsealed for her only.
GAP
    A modality of ``[referrals] modalities`` with no practitioner active (a referral out or
    in, a reply) in the last ``[referrals] gap_months`` months.
CHANGED
    What the weekly summary line reports: referrals sent, replies and chases in the last 7 days.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from bot.store.note_models import OutboundReferral
from bot.sync.runtime import Runtime

from .note_reports import load_notes
from .outbound_referrals import modality_of
from .referral_network import referral_sources

__all__ = ["Network", "Practitioner", "network", "weekly_line"]


@dataclass
class Practitioner:
    """One allied practitioner's figures (see the module docstring)."""

    key: str
    label: str
    modality: str | None = None
    referrals_out: int = 0
    referrals_in: int = 0
    open_out: int = 0
    chased: int = 0  # open ones chief drafted a chase for
    days_to_report: list[int] = field(default_factory=list)
    last_contact: date | None = None
    outcomes: list[str] = field(default_factory=list)

    @property
    def median_days_to_first_report(self) -> float | None:
        return statistics.median(self.days_to_report) if self.days_to_report else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "practitioner": self.label,
            "modality": self.modality,
            "referrals_out": self.referrals_out,
            "referrals_in": self.referrals_in,
            "open": self.open_out,
            "chased": self.chased,
            "median_days_to_first_report": self.median_days_to_first_report,
            "last_contact": self.last_contact.isoformat() if self.last_contact else None,
            "outcome_notes": list(self.outcomes),
        }


@dataclass
class Network:
    practitioners: list[Practitioner]
    gaps: list[str]
    gap_months: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "practitioners": [p.as_dict() for p in self.practitioners],
            "gaps": list(self.gaps),
            "gap_months": self.gap_months,
        }


def _later(a: date | None, b: date | None) -> date | None:
    return max(d for d in (a, b) if d is not None) if (a or b) else None


def network(rt: Runtime) -> Network:
    """The practice's network as the case log holds it today."""
    settings = rt.config.referrals
    by_key: dict[str, Practitioner] = {}
    modalities: dict[str, Counter[str]] = {}
    with rt.sessions() as session:
        for source in referral_sources(
            session, rt.practice_id, rt.rules.parties, rt.today(), settings.quiet_days, rt.tz
        ):
            p = by_key.setdefault(source.key, Practitioner(source.key, source.label))
            p.referrals_in += source.referrals
            p.last_contact = _later(p.last_contact, source.last_contact)
        latest_on_case: dict[int, OutboundReferral] = {}
        for r in session.scalars(
            select(OutboundReferral)
            .where(OutboundReferral.practice_id == rt.practice_id)
            .order_by(OutboundReferral.sent_on, OutboundReferral.id)
        ):
            p = by_key.setdefault(r.who, Practitioner(r.who, r.label))
            p.referrals_out += 1
            p.open_out += r.closed_on is None
            p.chased += r.closed_on is None and r.chase_key is not None
            p.last_contact = _later(_later(p.last_contact, r.sent_on), r.closed_on)
            if r.closed_on is not None and r.outcome in ("report", "discharge"):
                p.days_to_report.append((r.closed_on - r.sent_on).days)
            if r.modality:
                modalities.setdefault(r.who, Counter())[r.modality] += 1
            if r.case_id is not None:
                latest_on_case[r.case_id] = r
        for case_id, r in latest_on_case.items():
            for note in load_notes(session, rt, case_id, None):
                by_key[r.who].outcomes.extend(note.outcomes)
    for key, p in by_key.items():
        counted = modalities.get(key)
        p.modality = (
            counted.most_common(1)[0][0]
            if counted
            else modality_of(settings.modalities, p.label, "", "")
        )
    since = rt.today() - timedelta(days=round(settings.gap_months * 30.44))
    active = {p.modality for p in by_key.values() if p.last_contact and p.last_contact >= since}
    gaps = [m for m in settings.modalities if m not in active]
    listed = [p for p in by_key.values() if p.referrals_out or p.referrals_in]
    ordered = sorted(listed, key=lambda p: (-p.referrals_out, -p.referrals_in, p.label))
    return Network(ordered, gaps, settings.gap_months)


def weekly_line(rt: Runtime) -> str | None:
    """One line for the summary when the outbound network changed in the last 7 days (sent,
    answered, chased), else None. Counts only: no patient, no practitioner named."""
    since = rt.today() - timedelta(days=7)
    with rt.sessions() as session:
        rows = session.scalars(
            select(OutboundReferral).where(OutboundReferral.practice_id == rt.practice_id)
        ).all()
    sent = sum(r.sent_on >= since for r in rows)
    answered = sum(r.closed_on is not None and r.closed_on >= since for r in rows)
    waiting = sum(r.closed_on is None for r in rows)
    if not (sent or answered):
        return None
    return (
        f"Referrals out this week: {sent} sent, {answered} answered; {waiting} still open "
        "(chief network)"
    )
