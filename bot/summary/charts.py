"""The summary's pictures, computed as plain figures the templates draw as HTML bars.

Mail clients run no scripts and many block remote images, so every chart is a table of
coloured cells whose widths (or heights) are percentages computed here; the same figures are
written out as text beside each bar (and in the plain-text part), so colour is never the only
carrier of a number and a screen reader reads the figure, not the picture.

- AGEING: per payer or solicitor and currency, what is outstanding by the age of the claim
  (days since its date of service or invoice, else since the message stating the amount), in
  the buckets credit controllers use: 0-30, 31-60, 61-90, over 90 days. Bars share one scale
  per currency (amounts in different currencies are never compared).
- TIMELINE: open deadlines per day for the next 14 days, today first, with the overdue count
  as its own bar in front.
- REFERRAL ACTIVITY: new referrals per source, busiest first, with days since the last one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from bot.features.payments import Money, claims_by_party

if TYPE_CHECKING:
    from bot.features.referral_network import ReferralSource
    from bot.summary.lines import DeadlineLine

__all__ = [
    "AGEING_BUCKETS",
    "AgeingRow",
    "ReferralBar",
    "TimelineDay",
    "ageing_rows",
    "deadline_timeline",
    "referral_bars",
]

# (label, first day, last day) of each ageing bucket; None: no upper bound.
AGEING_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("90+", 91, None),
)


def _bucket(age_days: int) -> int:
    for index, (_, low, high) in enumerate(AGEING_BUCKETS):
        if age_days >= low and (high is None or age_days <= high):
            return index
    return 0  # a date in the future (a mistyped service date) counts as current


@dataclass(frozen=True, slots=True)
class AgeingRow:
    """One party's outstanding amount in one currency, split by age.

    ``buckets`` holds one Money per :data:`AGEING_BUCKETS` entry; ``widths`` each bucket's
    share of the widest bar of the currency, in whole percent (so bars compare)."""

    party: str
    category: str
    currency: str
    total: Money
    buckets: tuple[Money, ...]
    widths: tuple[int, ...]

    @property
    def segments(self) -> list[tuple[str, Money, int]]:
        """(bucket label, amount, width %) of the non-empty buckets, youngest first."""
        return [
            (AGEING_BUCKETS[i][0], money, self.widths[i])
            for i, money in enumerate(self.buckets)
            if money.minor > 0
        ]

    @property
    def description(self) -> str:
        """The bar in words (its accessible name): ``$289.00 outstanding: 90+ days $289.00``."""
        parts = [f"{label} days {money}" for label, money, _ in self.segments]
        return f"{self.total} outstanding: " + ", ".join(parts)


def ageing_rows(session: Session, practice_id: int, today: date) -> list[AgeingRow]:
    """Outstanding amounts by age, per party and currency (see the module docstring).

    Claims come from :func:`bot.features.payments.claims_by_party`, as the payment table's do, so
    each bar's total is that party's outstanding figure in the payment table.
    """
    claims = claims_by_party(session, practice_id)
    sums: dict[tuple[str, str, str], list[int]] = {}
    for key, group in claims.items():
        buckets = [0] * len(AGEING_BUCKETS)
        for claim in group.values():
            outstanding = claim.figures()[4]
            if outstanding <= 0:
                continue
            start = min(claim.dates) if claim.dates else today
            buckets[_bucket((today - start).days)] += outstanding
        if any(buckets):
            sums[key] = buckets
    widest: dict[str, int] = defaultdict(int)
    for (_, _, currency), buckets in sums.items():
        widest[currency] = max(widest[currency], sum(buckets))
    out = []
    for (who, category, currency), buckets in sums.items():
        scale = widest[currency]
        out.append(
            AgeingRow(
                party=who,
                category=category,
                currency=currency,
                total=Money(sum(buckets), currency),
                buckets=tuple(Money(b, currency) for b in buckets),
                widths=tuple(_percent(b, scale) for b in buckets),
            )
        )
    out.sort(key=lambda r: (r.currency, -r.total.minor, r.party))
    return out


def _percent(part: int, whole: int) -> int:
    """``part`` of ``whole`` in whole percent, at least 1 for anything above zero."""
    if part <= 0 or whole <= 0:
        return 0
    return max(1, round(100 * part / whole))


@dataclass(frozen=True, slots=True)
class TimelineDay:
    """One column of the deadline timeline; ``day`` None is the overdue column."""

    day: date | None
    count: int
    height: int  # percent of the tallest column
    is_today: bool = False
    is_weekend: bool = False

    @property
    def label(self) -> str:
        return "late" if self.day is None else f"{self.day:%a}"[:2]

    @property
    def description(self) -> str:
        what = "overdue" if self.day is None else f"{self.day:%a} {self.day.day} {self.day:%b}"
        return f"{what}: {self.count} deadline{'' if self.count == 1 else 's'}"


def deadline_timeline(
    today: date,
    deadlines_due: Sequence[DeadlineLine],
    overdue: Sequence[DeadlineLine],
    days: int = 14,
) -> list[TimelineDay]:
    """The overdue column, then one column per day from ``today`` for ``days`` days."""
    counts: dict[date, int] = defaultdict(int)
    for line in deadlines_due:
        counts[line.due] += 1
    columns = [(None, len(overdue))] + [
        (today + timedelta(days=n), counts.get(today + timedelta(days=n), 0)) for n in range(days)
    ]
    # The days share one scale; the overdue column is drawn full height when there is any
    # (a backlog of forty would otherwise flatten every day to a sliver).
    tallest = max((count for day, count in columns if day is not None), default=0)
    return [
        TimelineDay(
            day=day,
            count=count,
            height=(100 if count else 0) if day is None else _percent(count, tallest),
            is_today=day == today,
            is_weekend=day is not None and day.weekday() >= 5,
        )
        for day, count in columns
    ]


@dataclass(frozen=True, slots=True)
class ReferralBar:
    """One referral source's activity: referrals (bar length) and time since the last."""

    label: str
    referrals: int
    width: int
    days_since: int
    quiet: bool

    @property
    def description(self) -> str:
        plural = "" if self.referrals == 1 else "s"
        return f"{self.label}: {self.referrals} referral{plural}, last {self.days_since} days ago"


def referral_bars(sources: Sequence[ReferralSource], limit: int = 12) -> list[ReferralBar]:
    """The ``limit`` busiest referral sources (most referrals, then most recent); quiet ones
    are kept among them so the chart shows who has stopped referring too."""
    ranked = sorted(
        (s for s in sources if s.referrals > 0),
        key=lambda s: (-s.referrals, s.days_quiet, s.label.lower()),
    )[:limit]
    most = max((s.referrals for s in ranked), default=0)
    return [
        ReferralBar(
            label=s.label,
            referrals=s.referrals,
            width=_percent(s.referrals, most),
            days_since=s.days_quiet,
            quiet=s.quiet,
        )
        for s in ranked
    ]
