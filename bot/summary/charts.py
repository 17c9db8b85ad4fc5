"""The summary's pictures, computed as plain figures the templates draw as HTML bars.

Mail clients run no scripts and many block remote images, so every chart is a table of
coloured cells whose widths (or heights) are percentages computed here; the same figures are
written out as text beside each bar (and in the plain-text part), so colour is never the only
carrier of a number and a screen reader reads the figure, not the picture.

- AGEING: per payer or solicitor and currency, what is outstanding by the age of the claim
  (days since its date of service or invoice, else since the message stating the amount), in
  the buckets credit controllers use: 0-30, 31-60, 61-90, over 90 days. Bars share one scale
  per currency (amounts in different currencies are never compared).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from bot.features.payments import Money, claims_by_party

__all__ = [
    "AGEING_BUCKETS",
    "AgeingRow",
    "ageing_rows",
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
