"""The referral network: who refers patients to the practice, and who has gone quiet.

Terminology
-----------
SOURCE
    Whoever sent at least one message the rules classify as ``referral``. A sender whose
    domain is in the party directory is known by the party's name (``Inland Orthopaedic
    Associates``); a sender on a shared mail service (NHSmail's nhs.net, gmail.com...) by that
    name and a short hash of the address (``NHSmail sender 3f9a2c``: the case log keeps no
    addresses); any other sender by the domain. A trust under the nhs.uk umbrella is its own
    domain.
REFERRAL
    A message from the source whose rule's event is ``new`` in the ``referral`` category.
LAST CONTACT
    The newest message from the source, of any category (an update, a clinic letter...).
OPEN ACKNOWLEDGEMENT
    A referral filed on a case that is still open and on which nothing has been logged since:
    neither a reply to the acknowledgement nor any other message. The bot cannot see the Sent
    folder, so an acknowledgement counts as done once the case hears back.
QUIET
    A source whose last referral (or, for a source that never sent a new referral, its last
    contact) is more than ``[referrals] quiet_days`` days before today.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.rules.parties import PartyDirectory
from bot.rules.party_learning import SHARED_MAIL_DOMAINS, UMBRELLA_DOMAINS
from bot.store.models import Case, Mailbox, MessageRow

__all__ = ["ReferralSource", "quiet_sources", "referral_sources", "source_of"]


@dataclass(frozen=True, slots=True)
class ReferralSource:
    """One source's figures (see the module docstring)."""

    key: str
    label: str
    referrals: int
    last_contact: date
    last_referral: date | None
    open_acknowledgements: int
    oldest_open_acknowledgement: date | None
    quiet: bool
    days_quiet: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.label,
            "referrals": self.referrals,
            "last_referral": self.last_referral.isoformat() if self.last_referral else None,
            "last_contact": self.last_contact.isoformat(),
            "open_acknowledgements": self.open_acknowledgements,
            "oldest_open_acknowledgement": (
                self.oldest_open_acknowledgement.isoformat()
                if self.oldest_open_acknowledgement
                else None
            ),
            "quiet": self.quiet,
            "days_quiet": self.days_quiet,
        }


def source_of(domain: str, sender_hash: str, directory: PartyDirectory) -> tuple[str, str]:
    """(key, label) of the source a sender belongs to."""
    parties = directory.lookup(domain)
    party = next((p for p in parties if p.kind == "referrer"), parties[0] if parties else None)
    if domain in SHARED_MAIL_DOMAINS:
        base = party.name if party is not None else domain
        return f"sender:{sender_hash}", f"{base} sender {sender_hash[:6]}"
    if party is not None:
        via = next((d for d in party.domains if domain == d or domain.endswith("." + d)), "")
        if via in UMBRELLA_DOMAINS and domain != via:
            return f"domain:{domain}", domain
        return f"party:{party.kind}:{party.name}", party.name
    return f"domain:{domain}", domain or "unknown sender"


@dataclass
class _Tally:
    label: str
    referrals: int = 0
    last_contact: date | None = None
    last_referral: date | None = None
    open_acks: list[date] = field(default_factory=list)


def _day(moment: datetime, tz: tzinfo) -> date:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(tz).date()


def referral_sources(
    session: Session,
    practice_id: int,
    directory: PartyDirectory,
    today: date,
    quiet_days: int,
    tz: tzinfo,
) -> list[ReferralSource]:
    """Every source, quiet ones first (longest quiet first), then by name."""
    rows = session.execute(
        select(
            MessageRow.sender_domain,
            MessageRow.sender_hash,
            MessageRow.category,
            MessageRow.event,
            MessageRow.case_id,
            MessageRow.received_at,
        )
        .join(Mailbox, Mailbox.id == MessageRow.mailbox_id)
        .where(
            Mailbox.practice_id == practice_id,
            MessageRow.error.is_(None),
            MessageRow.received_at.is_not(None),
        )
    ).all()
    keys: dict[tuple[str, str], tuple[str, str]] = {}
    latest_on_case: dict[int, datetime] = {}
    for domain, sender, _category, _event, case_id, received in rows:
        if received is None:
            continue
        if (domain, sender) not in keys:
            keys[(domain, sender)] = source_of(domain, sender, directory)
        if case_id is not None:
            latest_on_case[case_id] = max(latest_on_case.get(case_id, received), received)
    referring = {keys[(d, s)][0] for d, s, category, *_ in rows if category == "referral"}
    closed = set(
        session.scalars(
            select(Case.id).where(Case.practice_id == practice_id, Case.closed.is_(True))
        )
    )
    tallies: dict[str, _Tally] = {}
    for domain, sender, category, event, case_id, received in rows:
        if received is None:
            continue
        key, label = keys[(domain, sender)]
        if key not in referring:
            continue
        tally = tallies.setdefault(key, _Tally(label))
        day = _day(received, tz)
        tally.last_contact = max(tally.last_contact or day, day)
        if category != "referral" or event != "new":
            continue
        tally.referrals += 1
        tally.last_referral = max(tally.last_referral or day, day)
        if case_id is not None and case_id not in closed and latest_on_case[case_id] <= received:
            tally.open_acks.append(day)
    out = []
    for key, tally in tallies.items():
        assert tally.last_contact is not None
        since = tally.last_referral or tally.last_contact
        days = (today - since).days
        out.append(
            ReferralSource(
                key=key,
                label=tally.label,
                referrals=tally.referrals,
                last_contact=tally.last_contact,
                last_referral=tally.last_referral,
                open_acknowledgements=len(tally.open_acks),
                oldest_open_acknowledgement=min(tally.open_acks) if tally.open_acks else None,
                quiet=days > quiet_days,
                days_quiet=days,
            )
        )
    out.sort(key=lambda s: (not s.quiet, -s.days_quiet if s.quiet else 0, s.label.lower()))
    return out


def quiet_sources(sources: list[ReferralSource]) -> list[ReferralSource]:
    return [s for s in sources if s.quiet]
