"""The amount in controversy a Medicare appeal level needs, beside its deadline.

An ALJ hearing and judicial review of an Original Medicare claim are open only when the amount
still in controversy reaches a threshold that CMS adjusts each 1 January (42 CFR 405.1006(b) and
(c); the year's figure applies to requests *filed* that year). The clock's
``amount_in_controversy`` table holds the published figures. The deadline is diarised whatever
the amount (claims may be aggregated to reach it, 405.1006(e)); its note says the figure for the
year the request would be filed and, where the notice states an amount, whether it reaches it.
A year the table does not hold yet is said so, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.clocks.clocks import Clock

__all__ = ["amount_in_dispute", "controversy_note"]

_MONEY = r"\$\s?(\d{1,3}(?:,\d{3})*(?:\.\d{2})?|\d+(?:\.\d{2})?)"
# "Amount in controversy: $150.00", "amount remaining in dispute $1,234"
_STATED = re.compile(
    r"(?i)\bamount\s+(?:remaining\s+|still\s+)?in\s+(?:controversy|dispute)\b\W{0,12}?" + _MONEY
)


def _dollars(value: object) -> Decimal | None:
    found = re.search(r"(\d{1,3}(?:,\d{3})*(?:\.\d{2})?|\d+(?:\.\d{2})?)", str(value or ""))
    if found is None:
        return None
    try:
        return Decimal(found.group(1).replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits digits only
        return None


def amount_in_dispute(text: str, facts: Mapping[str, Any]) -> Decimal | None:
    """What the notice leaves in dispute: an amount it states as in controversy or dispute,
    else the amount denied, else billed less paid; None when it states none of these."""
    stated = _STATED.search(text)
    if stated:
        return _dollars(stated.group(1))
    denied = _dollars(facts.get("amount_denied"))
    if denied is not None:
        return denied
    billed, paid = _dollars(facts.get("amount_billed")), _dollars(facts.get("amount_paid"))
    if billed is not None:
        return billed - (paid or Decimal(0))
    return None


def _usd(amount: Decimal | int) -> str:
    return f"${amount:,.2f}" if isinstance(amount, Decimal) else f"${amount:,}"


def controversy_note(clock: Clock, today: date, due: date, disputed: Decimal | None) -> str:
    """The threshold sentence for a deadline of ``clock`` (empty for a clock without one):
    the figure for each year the request could be filed in (from ``today`` to ``due``)."""
    if not clock.amount_in_controversy:
        return ""
    table = dict(clock.amount_in_controversy)
    parts = []
    for year in range(today.year, max(today.year, due.year) + 1):
        figure = table.get(year)
        if figure is None:
            last = max(y for y in table)
            parts.append(
                f"the {year} figure is not in chief's table (CMS publishes it before 1 January;"
                f" {last}: {_usd(table[last])}): check it before filing"
            )
            continue
        line = f"{_usd(figure)} for a request filed in {year}"
        if disputed is not None:
            verdict = (
                "reaches it"
                if disputed >= figure
                else "is below it: only by aggregating claims, 405.1006(e)"
            )
            line += f" (this notice's {_usd(disputed)} {verdict})"
        parts.append(line)
    return "Amount in controversy needed (42 CFR 405.1006): " + "; ".join(parts) + "."
