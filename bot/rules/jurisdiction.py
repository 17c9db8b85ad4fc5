"""Which regime a notice belongs to: the payer's type (Original Medicare, Medicare Advantage,
Medicaid managed care, an employer or exchange plan, TRICARE, a UK insurer) and the country
whose law sets the time limits.

The time to appeal is set by the payer's regime, not by the payer's name: Original Medicare
120 days from receipt (42 CFR 405.942), Medicare Advantage 65 days from the notice (42 CFR
422.582(b)), Medicaid managed care 60 days (42 CFR 438.402(c)(2)(ii)), employer and ACA plans
180 days (29 CFR 2560.503-1(h)(3)(i); 45 CFR 147.136(b)), TRICARE 90 days (32 CFR 199.10),
and none by statute for UK private medical insurance. One insurer may run several of these
lines, so the party directory lists its types, main line first, and the notice's own words pick
among them: every Medicare Advantage, Medicaid and Marketplace notice must name its programme
(42 CFR 422.568(e), 438.404; 45 CFR 147.136(e)), so a notice of a multi-line insurer that names
none is of its main line. A sender the directory lacks is typed by its words alone.
"""

from __future__ import annotations

from typing import Any

import re2

from bot.rules.parties import Party

__all__ = ["PAYER_TYPES", "notice_country", "payer_type", "resolution_party"]

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False


def _re(pattern: str) -> Any:
    return re2.compile("(?i)" + pattern, _OPTIONS)


# Words that name a programme, most specific first: a Medicare Advantage notice mentions
# Medicare and may mention Medicaid (dual eligibles); an Original Medicare notice never says
# "Medicare Advantage".
PAYER_TYPES: tuple[tuple[str, Any], ...] = (
    ("medicare_advantage", _re(
        r"medicare\s+advantage|\bpart\s+c\b|medicare\s+health\s+plan|organi[sz]ation\s+"
        r"determination|notice\s+of\s+denial\s+of\s+(?:medical\s+coverage|payment)|\bMAPD\b"
        r"|medicare\s+(?:hmo|ppo|plan)\b|special\s+needs\s+plan|\bD-?SNP\b"
    )),
    ("medicaid_managed_care", _re(
        r"\bmedicaid\b|\bmedi-cal\b|\bCHIP\b|state\s+fair\s+hearing|children.s\s+health\s+"
        r"insurance\s+program"
    )),
    ("medicare_mac", _re(
        r"medicare\s+administrative\s+contractor|original\s+medicare|\bredetermination\b"
        r"|initial\s+determination|medicare\s+summary\s+notice|medicare\s+part\s+[ab]\b"
        r"|jurisdiction\s+[a-z0-9]{1,2}\s+part\s+[ab]\b|\bmedicare\b[^\n]{0,40}\bremit"
    )),
    ("tricare", _re(r"\btricare\b")),
    ("exchange", _re(
        r"health\s+insurance\s+marketplace|\bmarketplace\s+plan|qualified\s+health\s+plan"
        r"|healthcare\.gov|covered\s+california|\bambetter\b"
    )),
    ("commercial", _re(r"\bERISA\b|employer[- ](?:sponsored|group)|group\s+health\s+plan")),
)  # fmt: skip

# Parties that act for a plan rather than being one: the plan's type is in the notice's words.
AGENTS = frozenset({"benefit_manager", "clearinghouse", "trust_administrator"})

_US_WORDS = _re(
    r"\bHIPAA\b|\bC\.?F\.?R\.?\b|\bmedicare\b|\bmedicaid\b|attorneys?\s+at\s+law|\bEsq\b"
    r"|custodian\s+of\s+records|\bNPI\b|\bCPT\b|\bERISA\b|\bsubpoena"
)
_GB_WORDS = _re(
    r"\bUK\s+GDPR\b|data\s+protection\s+act\s+2018|\bsolicitors?\b|\bNHS\b|subject\s+access"
    r"|county\s+council|\bEHC\s*P?\b|financial\s+ombudsman|\bCPR\b"
)


def payer_type(party: Party | None, text: str) -> str | None:
    """The payer type of this notice: among the party's listed types, the one the notice's
    words name (most specific first), else the party's main type; a sender the directory
    lacks (a notice forwarded by staff, a plan not listed) or one acting for a plan (a benefit
    manager, a clearinghouse) is typed by its words."""
    listed = party.values("payer_type") if party is not None else ()
    named = [name for name, pattern in PAYER_TYPES if pattern.search(text) is not None]
    if listed and set(listed) <= AGENTS and named:
        return named[0]  # a benefit manager writes for a plan: the plan's type decides
    if listed:
        chosen = next((name for name in named if name in listed), None)
        return chosen or listed[0]
    return named[0] if named else None


def notice_country(party: Party | None, from_domain: str, text: str) -> str | None:
    """The country of a notice: its sender's party, a ``.uk`` sender, or its words."""
    if party is not None and party.attributes.get("country") in ("US", "GB"):
        return party.attributes["country"]
    domain = from_domain.lower().rstrip(".")
    if domain.endswith(".uk"):
        return "GB"
    if domain.endswith((".gov", ".mil", ".us")):
        return "US"
    us, gb = _US_WORDS.search(text) is not None, _GB_WORDS.search(text) is not None
    if us != gb:
        return "US" if us else "GB"
    return None


def resolution_party(party: Party | None, kind: str, attributes: dict[str, str | None]) -> Party:
    """The party clocks resolve against (:meth:`bot.clocks.clocks.ClockSet.resolve`): the
    directory's party with this notice's resolved facts (``payer_type``, ``country``,
    ``profession``) in place of its listed ones."""
    merged = dict(party.attributes) if party is not None else {}
    merged.update({k: v for k, v in attributes.items() if v})
    if party is None:
        return Party(kind, "", (), merged)
    return Party(party.kind, party.name, party.domains, merged)
