"""The shape of a rule pack (``rules/<pack>.yaml``), validated up front with pydantic.

A rule is data: what to match, what to extract, what to do. See the README's "Writing a rule"
for the full reference; the models below are the single source of truth for what is allowed.
Unknown keys are errors (a typo must never silently disable a condition).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.letters.headers import DraftTo

__all__ = [
    "ActionModel",
    "CalendarAction",
    "CaseAction",
    "DeadlineAction",
    "DraftAction",
    "MatchModel",
    "PackModel",
    "RuleModel",
]

RuleId = Annotated[str, Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")]
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
Patterns = list[Annotated[str, Field(min_length=1)]]

_PATTERN_FIELDS = (
    "from_any",
    "subject_any",
    "body_any",
    "text_any",
    "subject_none",
    "body_none",
    "text_none",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MatchModel(_Strict):
    """Conditions, all of which must hold. Each ``*_any`` list holds if any pattern matches;
    each ``*_none`` list holds if none does. Patterns are RE2 (linear time: no backreferences,
    no lookaround), case-insensitive, searched anywhere in the field."""

    from_party: list[Name] | None = None
    from_domain_any: list[str] | None = None
    from_any: Patterns | None = None
    subject_any: Patterns | None = None
    body_any: Patterns | None = None
    text_any: Patterns | None = None
    subject_none: Patterns | None = None
    body_none: Patterns | None = None
    text_none: Patterns | None = None
    has_calendar: bool | None = None
    has_attachment: bool | None = None

    @field_validator("from_party", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @field_validator("from_domain_any")
    @classmethod
    def _domains(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        return [d.strip().lower().lstrip("@").rstrip(".") for d in value]

    @model_validator(mode="after")
    def _not_empty(self) -> MatchModel:
        if not any(getattr(self, name) is not None for name in type(self).model_fields):
            raise ValueError("a rule needs at least one match condition")
        return self

    def conditions(self) -> int:
        """How many conditions this match states (a rule's specificity)."""
        return sum(getattr(self, name) is not None for name in type(self).model_fields)


class CaseSpec(_Strict):
    key: Name | None = None  # the ref that identifies the case (pa_ref, claim_ref...)
    status: str | None = None  # the case's status after this message
    open: bool = False  # may this message open a new case?


class DeadlineSpec(_Strict):
    clock: str = Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
    title: str | None = None
    from_ref: Name | None = None  # count from this extracted date (e.g. meeting_date)
    # Only when the notice offers it: a peer-to-peer window is diarised when the notice speaks
    # of a peer-to-peer, never invented for one that does not.
    if_offered: bool = False


class DraftSpec(_Strict):
    template: str = Field(pattern=r"^[A-Za-z0-9_./-]+\.j2$")
    # "sender" (default): a reply to the message's sender. "practitioner": to the practitioner
    # herself, for a working document (an expert report skeleton) or a letter whose addressee
    # is not the sender (a patient's results letter prompted by the lab's e-mail).
    to: DraftTo = "sender"
    # Only when the notice speaks of this purpose (``peer_to_peer``): a request for a
    # peer-to-peer is drafted only when one is offered.
    if_offered: Literal["peer_to_peer", "appeal"] | None = None

    @field_validator("template")
    @classmethod
    def _relative(cls, value: str) -> str:
        if value.startswith("/") or ".." in value.split("/"):
            raise ValueError("template must be a relative path inside a templates folder")
        return value


class CalendarSpec(_Strict):
    from_invite: bool = True


class CaseAction(_Strict):
    case: CaseSpec


class DeadlineAction(_Strict):
    deadline: DeadlineSpec


class DraftAction(_Strict):
    draft: DraftSpec


class CalendarAction(_Strict):
    calendar: CalendarSpec


ActionModel = CaseAction | DeadlineAction | DraftAction | CalendarAction


Country = Literal["US", "GB"]


class RuleModel(_Strict):
    id: RuleId
    category: Name
    case_kind: Name | None = None
    event: Name | None = None
    # Where the rule's deadlines and drafts apply: the practice's ``[practice] country`` and
    # ``kind``. Mail from elsewhere is still classified and filed, with nothing planned (a US
    # practice gets no EHCP advice skeleton; a UK practice no US appeal letter). Unset: the
    # pack's, else everywhere.
    countries: list[Country] | None = None
    kinds: list[Name] | None = None
    priority: int = Field(default=0, ge=-1000, le=1000)
    confidence: float = Field(default=0.9, ge=0.0, le=1.0)
    match: MatchModel
    extract: dict[Name, str] = Field(default_factory=dict)
    actions: list[ActionModel] = Field(default_factory=list)
    # The rule the learned model stands in for when it recognises this category and case kind
    # and no rule fired (bot/rules/second_opinion.py); without one, the last in precedence.
    generic: bool = False


class PackModel(_Strict):
    pack: Name
    description: str | None = None
    extract: dict[Name, str] = Field(default_factory=dict)  # shared by every rule of the pack
    countries: list[Country] | None = None  # default of every rule (RuleModel.countries)
    kinds: list[Name] | None = None
    rules: list[RuleModel]
    version: Literal[1] = 1


PATTERN_FIELDS = _PATTERN_FIELDS
