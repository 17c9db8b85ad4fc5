"""Payment positions: what each payer and solicitor has been billed, has paid, and still owes.

Terminology
-----------
AMOUNT
    A sum of money a payer's or a solicitor's message states, extracted by the rule packs under
    one of these names (a pack-level ``extract``, so every rule of the pack reads it):

    ============================  ===========================================================
    ref                           kind recorded
    ============================  ===========================================================
    ``amount_billed``             ``billed``: the claim's or invoice's total charge
    ``amount_paid``               ``paid``: money the payer or firm says it paid
    ``amount_adjusted``           ``adjusted``: a stated contractual adjustment or write-off
    ``patient_responsibility``    ``patient_responsibility``: copay, coinsurance, deductible
    ============================  ===========================================================

    ``$`` is USD and ``£`` GBP; amounts are kept in minor units (cents, pence). Only mail the
    rules classify as ``payer`` or ``solicitor`` is read: a supplier's invoice is money the
    practice owes, not money owed to it.
CLAIM
    The amounts of one case (a claim, a medico-legal matter); for mail filed on no case, of
    its identifying reference (the case that reference names, if one does by now), else of
    the message alone. Its *billed* amount is the latest one stated (a claim is restated, not
    billed again); *paid* and *adjusted* add up; *patient responsibility* is the latest stated.
SETTLED
    A claim with at least one payment: the payer's remittance (or the firm's payment advice) is
    its answer, so whatever of the billed amount it did not pay, and did not leave to the
    patient, counts as adjusted, not outstanding. A settled claim whose billed amount no message
    states counts as billed at what settled it (paid + adjusted + patient responsibility).
OUTSTANDING
    For a claim not settled: billed − adjusted − patient responsibility (never below zero).
    A denial, an appeal in progress or an overturned denial whose payment has not yet arrived
    stay outstanding until a payment is recorded.
OLDEST UNPAID
    Of a party's outstanding claims, the earliest date of service (or invoice date) stated,
    else the date of the message that stated the billed amount; with its age in days.

A POSITION is one party in one currency: amounts in different currencies are never added.
Recording happens in the pipeline, inside the transaction that logs the message, and a row is
unique per (message, kind), so a message read twice after a crash or a resync counts once.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import re2
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.rules.stated_dates import parse_date
from bot.store.models import CaseRef, MessageRow, Party, Payment
from bot.sync.matching import identifying_refs
from bot.sync.steps import FiledMessage, SyncReport

__all__ = [
    "AMOUNT_REFS",
    "CurrencyTotal",
    "Money",
    "PaymentPosition",
    "claims_by_party",
    "currency_totals",
    "payments_step",
    "parse_money",
    "payment_positions",
    "record_payments",
]

log = logging.getLogger(__name__)

AMOUNT_REFS = {
    "amount_billed": "billed",
    "amount_paid": "paid",
    "amount_adjusted": "adjusted",
    "patient_responsibility": "patient_responsibility",
}
RECEIVABLE_CATEGORIES = frozenset({"payer", "solicitor"})
_SYMBOLS = {"$": "USD", "£": "GBP", "€": "EUR"}
_SIGNS = {code: sign for sign, code in _SYMBOLS.items()}
_OPTIONS = re2.Options()
_OPTIONS.log_errors = False
_MONEY = re2.compile(r"([$£€])\s*([0-9][0-9,]*)(?:\.([0-9]{1,2}))?", _OPTIONS)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in minor units of one currency; ``str()`` gives ``$1,234.50``."""

    minor: int
    currency: str

    def __str__(self) -> str:
        sign = "-" if self.minor < 0 else ""
        units, cents = divmod(abs(self.minor), 100)
        symbol = _SIGNS.get(self.currency, self.currency + " ")
        return f"{sign}{symbol}{units:,}.{cents:02d}"

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return Money(self.minor + other.minor, self.currency)


def parse_money(text: str) -> Money | None:
    """``"$1,284.60"`` → Money(128460, "USD"); None when ``text`` holds no amount we know."""
    found = _MONEY.search(text or "")
    if found is None:
        return None
    whole = int(found.group(2).replace(",", ""))
    fraction = (found.group(3) or "0").ljust(2, "0")
    return Money(whole * 100 + int(fraction), _SYMBOLS[found.group(1)])


# ------------------------------------------------------------------------------ recording


def record_payments(filed: FiledMessage) -> list[Payment]:
    """Add a Payment row for each amount the message's classification extracted (no commit).

    A numeric date is read as the message's writer writes it (``filed.day_first``) unless the
    amounts settle it (dollars: 04/12 is 12 April; pounds: 4 December); an undated amount is
    noted on the day the message was sent.
    """
    session, practice_id, row, message = (
        filed.session,
        filed.rt.practice_id,
        filed.row,
        filed.message,
    )
    result, case, party = filed.result, filed.case, filed.party
    noted_on, day_first = filed.day, filed.day_first
    if result.category not in RECEIVABLE_CATEGORIES:
        return []
    amounts = {
        kind: money
        for ref, kind in AMOUNT_REFS.items()
        if (money := parse_money(result.refs.get(ref, ""))) is not None and money.minor > 0
    }
    if not amounts:
        return []
    currencies = {money.currency for money in amounts.values()}
    if currencies == {"USD"}:
        day_first = False  # a US payer writes 04/02/2026 for 2 April, whoever reads it
    elif "GBP" in currencies:
        day_first = True
    service = result.refs.get("service_date") or result.refs.get("invoice_date") or ""
    service_date = parse_date(service, noted_on, day_first) if service else None
    paid_on = result.refs.get("payment_date", "")
    payment_date = parse_date(paid_on, noted_on, day_first) if paid_on else None
    party_id = party.id if party is not None else (case.party_id if case is not None else None)
    reference = next(iter(identifying_refs(result.refs).values()), None)
    rows = []
    for kind, money in amounts.items():
        payment = Payment(
            practice_id=practice_id,
            message_id=row.id,
            case_id=case.id if case is not None else None,
            party_id=party_id,
            reference=reference[:200] if reference else None,
            kind=kind,
            amount_minor=money.minor,
            currency=money.currency,
            service_date=service_date,
            payment_date=payment_date if kind == "paid" else None,
            noted_on=noted_on,
        )
        session.add(payment)
        rows.append(payment)
    log.debug("message %s: %d amount(s) recorded", message.fingerprint, len(rows))
    return rows


# ------------------------------------------------------------------------------ positions


@dataclass(frozen=True, slots=True)
class PaymentPosition:
    """One party's position in one currency (see the module docstring for each figure)."""

    party: str
    category: str
    currency: str
    billed: Money
    paid: Money
    adjusted: Money
    patient_responsibility: Money
    outstanding: Money
    claims: int
    unpaid_claims: int
    oldest_unpaid: date | None = None
    oldest_unpaid_days: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "party": self.party,
            "category": self.category,
            "currency": self.currency,
            "claims": self.claims,
            "unpaid_claims": self.unpaid_claims,
            "oldest_unpaid": self.oldest_unpaid.isoformat() if self.oldest_unpaid else None,
            "oldest_unpaid_days": self.oldest_unpaid_days,
        }
        for name in ("billed", "paid", "adjusted", "patient_responsibility", "outstanding"):
            money: Money = getattr(self, name)
            out[name] = money.minor
            out[f"{name}_text"] = str(money)
        return out


@dataclass(frozen=True, slots=True)
class CurrencyTotal:
    """All parties' positions in one currency, added up."""

    currency: str
    billed: Money
    paid: Money
    outstanding: Money


@dataclass
class _Claim:
    billed: tuple[date, int, int] | None = None  # (noted_on, message id, minor)
    patient: tuple[date, int, int] | None = None
    paid: int = 0
    adjusted: int = 0
    dates: list[date] = field(default_factory=list)

    def add(self, row: Payment) -> None:
        stamp = (row.noted_on, row.message_id, row.amount_minor)
        if row.kind == "billed":
            self.billed = max(self.billed or stamp, stamp)
            self.dates.append(row.service_date or row.noted_on)
        elif row.kind == "patient_responsibility":
            self.patient = max(self.patient or stamp, stamp)
        elif row.kind == "paid":
            self.paid += row.amount_minor
        elif row.kind == "adjusted":
            self.adjusted += row.amount_minor

    def figures(self) -> tuple[int, int, int, int, int]:
        """(billed, paid, adjusted, patient responsibility, outstanding) in minor units."""
        patient = self.patient[2] if self.patient else 0
        settled = self.paid > 0
        if self.billed is not None:
            billed = self.billed[2]
        else:
            billed = self.paid + self.adjusted + patient if settled else 0
        if settled:
            adjusted = self.adjusted + max(0, billed - self.paid - patient - self.adjusted)
            return billed, self.paid, adjusted, patient, 0
        return billed, 0, self.adjusted, patient, max(0, billed - self.adjusted - patient)


PartyKey = tuple[str, str, str]  # (party name, category, currency)


def claims_by_party(session: Session, practice_id: int) -> dict[PartyKey, dict[str, _Claim]]:
    """Every payment line settled into claims, per party and currency: one claim per case
    (a payment naming a case's reference joins that case), else per reference, else per
    message. The payment table and the summary's ageing bars both start from here."""
    rows = session.execute(
        select(Payment, MessageRow.category, Party.name)
        .join(MessageRow, MessageRow.id == Payment.message_id)
        .outerjoin(Party, Party.id == Payment.party_id)
        .where(Payment.practice_id == practice_id)
        .order_by(Payment.id)
    ).all()
    named = dict(
        session.execute(
            select(CaseRef.value, CaseRef.case_id).where(CaseRef.practice_id == practice_id)
        ).all()
    )
    claims: dict[PartyKey, dict[str, _Claim]] = defaultdict(dict)
    for payment, category, party_name in rows:
        who = party_name or f"other {category or 'payer'}"
        group = claims[(who, category or "payer", payment.currency)]
        case_id = payment.case_id or named.get(payment.reference or "")
        if case_id is not None:
            claim_key = f"c{case_id}"
        elif payment.reference:
            claim_key = f"r{payment.reference}"
        else:
            claim_key = f"m{payment.message_id}"
        group.setdefault(claim_key, _Claim()).add(payment)
    return claims


def payment_positions(session: Session, practice_id: int, today: date) -> list[PaymentPosition]:
    """Every party's position, by currency, then the largest outstanding first."""
    claims = claims_by_party(session, practice_id)
    positions = [
        _position(who, category, currency, list(group.values()), today)
        for (who, category, currency), group in claims.items()
    ]
    positions.sort(key=lambda p: (p.currency, -p.outstanding.minor, p.party))
    return positions


def _position(
    who: str, category: str, currency: str, claims: list[_Claim], today: date
) -> PaymentPosition:
    totals = [0, 0, 0, 0, 0]
    unpaid_dates: list[date] = []
    unpaid = 0
    for claim in claims:
        figures = claim.figures()
        totals = [a + b for a, b in zip(totals, figures, strict=True)]
        if figures[4] > 0:
            unpaid += 1
            unpaid_dates.extend(claim.dates)
    oldest = min(unpaid_dates) if unpaid_dates else None
    billed, paid, adjusted, patient, outstanding = (Money(v, currency) for v in totals)
    return PaymentPosition(
        party=who,
        category=category,
        currency=currency,
        billed=billed,
        paid=paid,
        adjusted=adjusted,
        patient_responsibility=patient,
        outstanding=outstanding,
        claims=len(claims),
        unpaid_claims=unpaid,
        oldest_unpaid=oldest,
        oldest_unpaid_days=(today - oldest).days if oldest else None,
    )


def currency_totals(positions: Iterable[PaymentPosition]) -> list[CurrencyTotal]:
    """One total per currency, never across currencies."""
    by_currency: dict[str, list[PaymentPosition]] = defaultdict(list)
    for position in positions:
        by_currency[position.currency].append(position)
    out = []
    for currency, items in sorted(by_currency.items()):
        zero = Money(0, currency)
        out.append(
            CurrencyTotal(
                currency=currency,
                billed=sum((p.billed for p in items), zero),
                paid=sum((p.paid for p in items), zero),
                outstanding=sum((p.outstanding for p in items), zero),
            )
        )
    return out


def payments_step(filed: FiledMessage, report: SyncReport) -> None:
    """Message step: the amounts a payer's or a solicitor's message states."""
    record_payments(filed)
