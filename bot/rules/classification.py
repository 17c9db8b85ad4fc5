"""What a message is: :class:`Classification`, by a rule or by the learned model.

Kept apart from the engine so that both the rules (:mod:`bot.rules.engine`) and the learned
layer behind them (:mod:`bot.rules.second_opinion`) build the same value, and everything
downstream (matching, planning, the message steps) acts on it without asking who decided.

Terminology
-----------
SOURCE
    ``rule`` when a rule of the packs fired, ``model`` when no rule fired and the learned
    model was confident enough to stand in for its category's generic rule, None otherwise.
NEEDS A LOOK
    A message the bot will not act on alone, with the reason: ``low_confidence`` (no rule
    fired and the model was unsure, or unsure it is no practice's business) or ``disagrees``
    (the model was sure the rule that fired is wrong). Its guess is kept for the practitioner.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.rules.learned import Guess
from bot.rules.parties import Party
from bot.rules.schema import (
    ActionModel,
    CalendarAction,
    CaseAction,
    DeadlineAction,
    DraftAction,
)
from bot.rules.stated_windows import Stated

__all__ = ["UNCLASSIFIED", "Classification"]


@dataclass(frozen=True, slots=True)
class Classification:
    """What a message is; ``category`` None means unclassified (see SOURCE, NEEDS A LOOK)."""

    category: str | None = None
    case_kind: str | None = None
    event: str | None = None
    rule_id: str | None = None
    confidence: float = 0.0
    refs: dict[str, str] = field(default_factory=dict)
    party: Party | None = None
    stated_deadline: date | None = None
    actions: tuple[ActionModel, ...] = ()
    source: str | None = None  # rule | model | None
    needs_look: str | None = None  # low_confidence | disagrees | None
    guess: Guess | None = None  # the model's opinion, when a model was asked
    # What the notice says of its own time limits and regime (bot.rules.stated_windows,
    # bot.rules.jurisdiction): every limit it states, the purposes it speaks of, its own date
    # when other than the message's (a forwarded notice), its payer type and its country.
    stated: tuple[Stated, ...] = ()
    mentions: frozenset[str] = frozenset()
    notice_date: date | None = None
    payer_type: str | None = None
    country: str | None = None
    # Where the rule's deadlines and drafts apply (RuleModel.countries, .kinds); None: anywhere.
    countries: tuple[str, ...] | None = None
    kinds: tuple[str, ...] | None = None

    def acts_for(self, country: str | None, kind: str | None) -> bool:
        """Whether a practice of ``country`` and ``kind`` gets this rule's actions."""
        if self.countries is not None and country is not None and country not in self.countries:
            return False
        return self.kinds is None or kind is None or kind in self.kinds

    @property
    def case_action(self) -> CaseAction | None:
        return next((a for a in self.actions if isinstance(a, CaseAction)), None)

    @property
    def deadline_actions(self) -> list[DeadlineAction]:
        return [a for a in self.actions if isinstance(a, DeadlineAction)]

    @property
    def draft_actions(self) -> list[DraftAction]:
        return [a for a in self.actions if isinstance(a, DraftAction)]

    @property
    def wants_invites(self) -> bool:
        return any(isinstance(a, CalendarAction) and a.calendar.from_invite for a in self.actions)

    def held(self) -> Classification:
        """What the bot acts on for a message that needs a look: nothing (no category, no
        case opened, no deadline, no draft), so a doubtful message never sets anything off."""
        if self.needs_look is None:
            return self
        return Classification(refs=self.refs, party=self.party, needs_look=self.needs_look)


UNCLASSIFIED = Classification()
