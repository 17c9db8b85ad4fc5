"""Reading clock files (``rules/clocks.yaml`` and a practice's own): validation and layering.

The shape of a clock is documented in :mod:`bot.clocks.clocks`. Every problem in every file
is collected and reported together as ``file:line: message``, so a practice fixes its file in
one go. A later file's clock replaces an earlier one with the same id; a variant must name a
clock that exists after layering and is not itself a variant.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.clocks.clocks import Clock, ClockSet, Direction, Unit, business_calendar
from bot.errors import UserError
from bot.rules.yaml_source import YamlProblem, item_problems, line_of, load_yaml, unique_items

__all__ = ["LoadedClocks", "load_clocks", "load_clocks_skipping_broken"]

log = logging.getLogger(__name__)

_ID = r"^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+$"
_EVENT = r"^[a-z][a-z0-9_]*$"
_NAME = r"^[a-z][a-z0-9_]*$"
_MAX_AMOUNT = 10_000  # a typo guard: no real clock runs for more than ~27 years of days
_KNOWN_KEYS = (
    "id",
    "amount",
    "unit",
    "direction",
    "from",
    "calendar",
    "on",
    "years",
    "presumed_receipt_days",
    "variant_of",
    "when",
    "source",
    "note",
    "verify",
    "purpose",
    "stated",
    "includes_start",
    "roll",
    "country",
    "diarise",
    "closures",
    "action",
    "amount_in_controversy",
)


class _ClockModel(BaseModel):
    """Validation of one YAML entry; field names are the YAML keys."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: Annotated[str, Field(strict=True, pattern=_ID)]
    amount: Annotated[int, Field(strict=True, ge=1, le=_MAX_AMOUNT)] | None = None
    unit: Unit
    direction: Direction = Direction.AFTER
    from_event: Annotated[str, Field(alias="from", strict=True, pattern=_EVENT)] = "message_date"
    calendar: str | None = None
    on: Annotated[str, Field(strict=True)] | None = None
    years: Literal["odd", "even"] | None = None
    presumed_receipt_days: Annotated[int, Field(strict=True, ge=0, le=60)] = 0
    variant_of: Annotated[str, Field(strict=True, pattern=_ID)] | None = None
    when: dict[Annotated[str, Field(pattern=_NAME)], str | list[str]] | None = None
    source: Annotated[str, Field(strict=True, min_length=3)]
    note: str = ""
    verify: Annotated[bool, Field(strict=True)] = False
    purpose: Literal["appeal", "peer_to_peer", "decision", "reply"] = "reply"
    stated: Literal["earlier", "wins"] = "earlier"
    includes_start: Annotated[bool, Field(strict=True)] = False
    roll: Literal["preceding"] | None = None
    country: Literal["US", "GB"] | None = None
    diarise: Annotated[bool, Field(strict=True)] = True
    closures: Literal["school"] | None = None
    action: Annotated[str, Field(strict=True, min_length=3, max_length=120)] | None = None
    # A year's minimum amount in controversy for the level (Medicare: 42 CFR 405.1006).
    amount_in_controversy: (
        dict[Annotated[int, Field(ge=2000, le=2200)], Annotated[int, Field(ge=1)]] | None
    ) = None

    @field_validator("calendar")
    @classmethod
    def _known_calendar(cls, value: str | None) -> str | None:
        if value is not None:
            business_calendar(value)  # ValueError names the problem
        return value

    @field_validator("action")
    @classmethod
    def _plain_action(cls, value: str | None) -> str | None:
        """The summary fills in ``{party}`` only; any other brace is a typo it would show."""
        if value is not None and re.search(r"[{}]", value.replace("{party}", "")):
            raise ValueError("may hold `{party}` and no other placeholder")
        return value

    @field_validator("on")
    @classmethod
    def _day_of_year(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            month, day = (int(part) for part in value.split("-"))
            date(2001, month, day)  # a common year: 29 February is refused
        except ValueError:
            raise ValueError('must be a day of the year written "MM-DD", e.g. "08-01"') from None
        return value

    def cross_problem(self) -> tuple[str, str] | None:
        """(key, message) of the first rule between fields that fails, else None."""
        if self.unit is Unit.BUSINESS_DAYS and self.calendar is None:
            return "unit", "business_days needs a `calendar` (england, us, weekends, ...)"
        if self.roll is not None and self.calendar is None:
            return "roll", "`roll` needs a `calendar` (england, us, weekends, ...)"
        if self.unit is not Unit.BUSINESS_DAYS and self.calendar is not None and not self.roll:
            return "calendar", "`calendar` only applies to unit business_days or with `roll`"
        if self.closures is not None and self.roll is None:
            return "closures", "`closures` applies to a clock with `roll: preceding`"
        if self.includes_start and self.unit in (Unit.HOURS, Unit.CALENDAR_DATE):
            return "includes_start", "`includes_start` applies to days, weeks and months"
        if self.unit is Unit.CALENDAR_DATE and self.on is None:
            return "unit", 'calendar_date needs `on` (a day of the year, "MM-DD")'
        if self.unit is not Unit.CALENDAR_DATE:
            if self.amount is None and self.diarise:
                return "amount", "missing required key `amount`"
            for key in ("on", "years"):
                if getattr(self, key) is not None:
                    return key, f"`{key}` only applies to unit calendar_date"
        if (self.variant_of is None) != (not self.when):
            key = "when" if self.variant_of is not None else "variant_of"
            return key, "a variant needs both `variant_of` and a non-empty `when`"
        return None


@dataclass(frozen=True)
class LoadedClocks:
    """What :func:`load_clocks_skipping_broken` made of the clock files."""

    clocks: ClockSet  # from the files without a problem
    problems: list[str]  # every problem of every file, as ``file:line: message``
    skipped: list[Path]  # files left out whole because of a problem


def load_clocks(paths: Sequence[Path]) -> ClockSet:
    """Load and layer clock files in order; later files override clocks with the same id.
    Any problem in any file raises one :class:`UserError` listing them all (``chief rules
    check`` and tests want every problem; a sync wants :func:`load_clocks_skipping_broken`)."""
    loaded = load_clocks_skipping_broken(paths)
    if loaded.problems:
        raise UserError(f"{len(loaded.problems)} problem(s) in clock files", loaded.problems)
    return loaded.clocks


def load_clocks_skipping_broken(paths: Sequence[Path]) -> LoadedClocks:
    """The clocks of every file that has no problem, layered in order, and every problem.

    A file with any problem is skipped whole (as a broken rule pack is), so a mistake in the
    practice's own ``clocks.yaml`` leaves the shipped clocks in force instead of stopping the
    run; a variant whose base clock is missing or itself a variant is left out."""
    problems: list[str] = []
    every: dict[str, Clock] = {}  # all valid clocks, for the problems a strict check reports
    usable: dict[str, Clock] = {}
    skipped: list[Path] = []
    for path in paths:
        found: list[str] = []
        loaded = _load_file(Path(path), found)
        problems.extend(found)
        if found:
            skipped.append(Path(path))
        for clock in loaded:
            if clock.id in every:
                log.debug(
                    "clock %s from %s overrides %s", clock.id, clock.origin, every[clock.id].origin
                )
            every[clock.id] = clock
            if not found:
                usable[clock.id] = clock
    problems.extend(message for _, message in _variant_problems(every))
    while stranded := _variant_problems(usable):  # a dropped base can strand a variant of it
        for clock_id, _ in stranded:
            del usable[clock_id]
    return LoadedClocks(ClockSet(usable), problems, skipped)


def _variant_problems(clocks: Mapping[str, Clock]) -> list[tuple[str, str]]:
    """(clock id, ``origin: clock `id`: ...``) for each variant whose base is missing or is
    itself a variant."""
    problems = []
    for clock in clocks.values():
        if clock.variant_of is None:
            continue
        base = clocks.get(clock.variant_of)
        if base is None:
            problems.append(
                (clock.id, f"{clock.origin}: clock `{clock.id}`: unknown `variant_of` clock")
            )
        elif base.variant_of is not None:
            problems.append(
                (clock.id, f"{clock.origin}: clock `{clock.id}`: a variant of a variant")
            )
    return problems


def _load_file(path: Path, problems: list[str]) -> list[Clock]:
    if not path.exists():
        problems.append(f"{path}:1: clock file not found")
        return []
    try:
        doc = load_yaml(path)
    except YamlProblem as exc:
        problems.append(str(exc))
        return []
    if doc is None:
        return []
    if not isinstance(doc, Mapping) or "clocks" not in doc:
        problems.append(f"{path}:1: expected a mapping with a `clocks:` list")
        return []
    extra = [k for k in doc if k != "clocks"]
    for key in extra:
        problems.append(f"{path}:{line_of(doc, [key])}: unknown top-level key `{key}`")
    items = doc["clocks"]
    if items is None:
        return []
    if not isinstance(items, list):
        problems.append(f"{path}:{line_of(doc, ['clocks'])}: `clocks` must be a list")
        return []
    out: list[Clock] = []
    for line, item in unique_items(items, path, "clock", problems):
        clock = _validate(item, path, line, problems)
        if clock is not None:
            out.append(clock)
    return out


def _validate(item: Any, path: Path, line: int, problems: list[str]) -> Clock | None:
    if not isinstance(item, Mapping):
        problems.append(f"{path}:{line}: each clock must be a mapping (id, amount, unit, ...)")
        return None
    label = f"clock `{item.get('id')}`" if isinstance(item.get("id"), str) else "clock"
    try:
        model = _ClockModel.model_validate(dict(item))
    except ValidationError as exc:
        problems.extend(item_problems(exc, item, path, line, label, _KNOWN_KEYS))
        return None
    cross = model.cross_problem()
    if cross:
        key, message = cross
        where = line_of(item, [key]) if key in item else line
        problems.append(f"{path}:{where}: {label}: {message}")
        return None
    on = None
    if model.on is not None:
        month, day = (int(part) for part in model.on.split("-"))
        on = (month, day)
    when = tuple(
        (
            key.lower(),
            tuple(v.strip().lower() for v in ([value] if isinstance(value, str) else value)),
        )
        for key, value in sorted((model.when or {}).items())
    )
    return Clock(
        id=model.id,
        amount=model.amount or 1,
        unit=model.unit,
        direction=model.direction,
        from_event=model.from_event,
        calendar=model.calendar,
        source=model.source.strip(),
        note=model.note.strip(),
        action=(model.action or "").strip(),
        verify=model.verify,
        origin=f"{path}:{line}",
        on=on,
        years=model.years,
        presumed_receipt_days=model.presumed_receipt_days,
        variant_of=model.variant_of,
        when=when,
        purpose=model.purpose,
        stated=model.stated,
        includes_start=model.includes_start,
        roll=model.roll,
        country=model.country,
        diarise=model.diarise,
        closures=model.closures,
        amount_in_controversy=tuple(sorted((model.amount_in_controversy or {}).items())),
    )
