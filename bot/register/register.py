"""The practice's register file (``register.yaml``): credentials, CME requirements, protocols.

::

    credentials:                 # licences, registrations, certificates (bot.register.credentials)
      - id: ny-licence
        kind: state_licence
        ...
    cme:                         # credits to earn in a period (bot.features.cpd)
      - id: ny-licence-cme
        name: CME for the New York licence
        required: 50             # credits or hours
        unit: AMA PRA Category 1 credits   # optional label (default "credits")
        period_start: 2025-02-01
        period_end: 2027-01-31
        credential: ny-licence   # optional: the register entry it keeps current
    protocols:                   # documents reviewed at set intervals (bot.register.protocols)
      - id: concussion-rts
        name: Concussion graduated return-to-sport protocol
        last_reviewed: 2026-03-02
        review_every_days: 365
        note: Amsterdam 2022 consensus (BJSM 2023;57:695)   # optional

``cme:`` may also be one mapping (``cme: {required: 50, period_start: ..., period_end: ...}``),
read as a requirement with id ``cme``. Every section is optional; the whole file is validated
at once and every problem reported as ``file:line: message``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.errors import UserError
from bot.register.credentials import DEFAULT_LEAD_DAYS, Credential, credentials_from, plain_date
from bot.rules.yaml_source import YamlProblem, item_problems, line_of, load_yaml, unique_items

__all__ = ["CmeRequirement", "Protocol", "Register", "load_practice_register", "load_register"]

log = logging.getLogger(__name__)

SECTIONS = ("credentials", "cme", "protocols")
_ID = r"^[a-z0-9][a-z0-9._-]{0,63}$"  # safe inside an iCalendar UID and a file name
_CME_KEYS = ("id", "name", "required", "unit", "period_start", "period_end", "credential")
_PROTOCOL_KEYS = ("id", "name", "last_reviewed", "review_every_days", "note")


@dataclass(frozen=True, slots=True)
class CmeRequirement:
    """Credits (or hours) to earn between two dates, inclusive."""

    id: str
    name: str
    required: float
    period_start: date
    period_end: date
    unit: str = "credits"
    credential: str | None = None
    origin: str = ""


@dataclass(frozen=True, slots=True)
class Protocol:
    """A clinical or practice protocol, due for review ``review_every_days`` after the last."""

    id: str
    name: str
    last_reviewed: date
    review_every_days: int
    note: str = ""
    origin: str = ""

    @property
    def next_review(self) -> date:
        return date.fromordinal(self.last_reviewed.toordinal() + self.review_every_days)


@dataclass(frozen=True, slots=True)
class Register:
    credentials: list[Credential] = field(default_factory=list)
    cme: list[CmeRequirement] = field(default_factory=list)
    protocols: list[Protocol] = field(default_factory=list)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _CmeModel(_Strict):
    id: Annotated[str, Field(strict=True, pattern=_ID)]
    name: Annotated[str, Field(strict=True, min_length=1, max_length=200)]
    required: Annotated[float, Field(gt=0, le=10_000)]
    unit: Annotated[str, Field(strict=True, min_length=1, max_length=60)] = "credits"
    period_start: date
    period_end: date
    credential: Annotated[str, Field(strict=True, pattern=_ID)] | None = None

    @field_validator("period_start", "period_end", mode="before")
    @classmethod
    def _plain_date(cls, value: Any) -> Any:
        return plain_date(value)

    @field_validator("required", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise ValueError("must be a number of credits or hours, e.g. 50 or 12.5")
        return value


class _ProtocolModel(_Strict):
    id: Annotated[str, Field(strict=True, pattern=_ID)]
    name: Annotated[str, Field(strict=True, min_length=1, max_length=200)]
    last_reviewed: date
    review_every_days: Annotated[int, Field(strict=True, ge=1, le=3650)]
    note: Annotated[str, Field(strict=True, max_length=500)] = ""

    @field_validator("last_reviewed", mode="before")
    @classmethod
    def _plain_date(cls, value: Any) -> Any:
        return plain_date(value)


def load_register(
    path: Path, default_lead_days: Sequence[int] = DEFAULT_LEAD_DAYS
) -> list[Credential]:
    """The register's credentials. The whole file is validated (its CME requirements and
    protocols too), so a mistake anywhere in it is reported wherever it is read; all problems
    raised together as ``file:line: message``."""
    return load_practice_register(path, default_lead_days).credentials


def load_practice_register(
    path: Path, default_lead_days: Sequence[int] = DEFAULT_LEAD_DAYS
) -> Register:
    """Read and validate the whole register; all problems raised together."""
    path = Path(path)
    if not path.exists():
        raise UserError(
            f"credentials register not found: {path}",
            [f"{path}:1: create it (see examples/) or set the register path in chief.toml"],
        )
    try:
        doc = load_yaml(path)
    except YamlProblem as exc:
        raise UserError("credentials register cannot be read", [str(exc)]) from None
    if doc is None:
        return Register()
    if not isinstance(doc, Mapping) or not any(key in doc for key in SECTIONS):
        raise UserError(
            "credentials register has no `credentials:` list",
            [f"{path}:1: expected a mapping with a `credentials:` list"],
        )
    problems: list[str] = []
    for key in doc:
        if key not in SECTIONS:
            problems.append(
                f"{path}:{line_of(doc, [key])}: unknown top-level key `{key}`; "
                f"known: {', '.join(SECTIONS)}"
            )
    lists = {key: _as_list(doc, key, path, problems) for key in SECTIONS}
    credentials = credentials_from(lists["credentials"], path, default_lead_days, problems)
    requirements = _requirements(lists["cme"], path, problems)
    known = {c.id for c in credentials}
    for requirement in requirements:
        if requirement.credential is not None and requirement.credential not in known:
            problems.append(
                f"{requirement.origin}: CME requirement `{requirement.id}`: "
                f"`credential` names no credential in the register"
            )
    protocols = _protocols(lists["protocols"], path, problems)
    if problems:
        raise UserError(f"{len(problems)} problem(s) in the credentials register", problems)
    log.debug(
        "register %s: %d credentials, %d CME requirements, %d protocols",
        path,
        len(credentials),
        len(requirements),
        len(protocols),
    )
    return Register(credentials, requirements, protocols)


def _as_list(doc: Mapping[str, Any], key: str, path: Path, problems: list[str]) -> list[Any]:
    items = doc.get(key)
    if items is None:
        return []
    if key == "cme" and isinstance(items, MutableMapping):
        items.setdefault("id", "cme")  # the loaded map itself: it keeps its line numbers
        items.setdefault("name", "CME requirement")
        return [items]
    if not isinstance(items, list):
        problems.append(f"{path}:{line_of(doc, [key])}: `{key}` must be a list")
        return []
    return items


def _requirements(items: list[Any], path: Path, problems: list[str]) -> list[CmeRequirement]:
    out: list[CmeRequirement] = []
    for line, item in unique_items(items, path, "CME requirement", problems):
        model = _check(_CmeModel, item, path, line, "CME requirement", _CME_KEYS, problems)
        if not isinstance(model, _CmeModel):
            continue
        if model.period_end < model.period_start:
            where = line_of(item, ["period_end"])
            problems.append(
                f"{path}:{where}: CME requirement `{model.id}`: `period_end` is before "
                "`period_start`"
            )
            continue
        out.append(
            CmeRequirement(
                id=model.id,
                name=model.name.strip(),
                required=float(model.required),
                period_start=model.period_start,
                period_end=model.period_end,
                unit=model.unit.strip(),
                credential=model.credential,
                origin=f"{path}:{line}",
            )
        )
    return out


def _protocols(items: list[Any], path: Path, problems: list[str]) -> list[Protocol]:
    out: list[Protocol] = []
    for line, item in unique_items(items, path, "protocol", problems):
        model = _check(_ProtocolModel, item, path, line, "protocol", _PROTOCOL_KEYS, problems)
        if isinstance(model, _ProtocolModel):
            out.append(
                Protocol(
                    id=model.id,
                    name=model.name.strip(),
                    last_reviewed=model.last_reviewed,
                    review_every_days=model.review_every_days,
                    note=model.note.strip(),
                    origin=f"{path}:{line}",
                )
            )
    return out


def _check(
    model: type[BaseModel],
    item: Any,
    path: Path,
    line: int,
    noun: str,
    known: Sequence[str],
    problems: list[str],
) -> BaseModel | None:
    if not isinstance(item, Mapping):
        problems.append(f"{path}:{line}: each {noun} must be a mapping (id, name, ...)")
        return None
    label = f"{noun} `{item['id']}`" if isinstance(item.get("id"), str) else noun
    try:
        return model.model_validate(dict(item))
    except ValidationError as exc:
        problems.extend(item_problems(exc, item, path, line, label, known))
        return None
