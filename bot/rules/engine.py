"""The rules engine: load rule packs, then classify messages with them.

Loading validates every pack up front. A file with a problem is reported as
``file:line: message`` and skipped whole (a half-loaded pack would misfile mail silently);
the other packs still load. Folders are layered: a later folder (the practice's own) replaces
a rule with the same id from an earlier one (the shipped packs).

Precedence when several rules match one message, decided once at load time:

1. higher ``priority`` first;
2. then the more specific rule (more match conditions);
3. then the practice's own rules before the shipped ones;
4. then rule id, alphabetically, so the outcome never depends on file order.

The first rule in that order that matches wins; :meth:`RuleSet.explain` lists all that match.

All patterns run on RE2 (google-re2), whose running time is linear in the input, so no rule
and no message can make classification hang.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import re2

from bot.mail.message import Message
from bot.rules.classification import UNCLASSIFIED, Classification
from bot.rules.hedges import asserted
from bot.rules.jurisdiction import notice_country, payer_type
from bot.rules.learned import TextModel
from bot.rules.parties import Party, PartyDirectory, load_parties
from bot.rules.references import reference_shaped
from bot.rules.schema import PATTERN_FIELDS, ActionModel, PackModel, RuleModel
from bot.rules.second_opinion import weigh
from bot.rules.stated_dates import day_first, find_stated_deadline
from bot.rules.stated_windows import find_stated, mentions, notice_date
from bot.rules.yaml_source import YamlProblem, line_of, load_yaml, validate

__all__ = ["CATEGORIES", "PRIVATE_REFS", "Classification", "Rule", "RuleSet", "load_rules"]

# The classification vocabulary (DESIGN.md): what `chief classify` may answer besides null.
CATEGORIES = (
    "payer",
    "solicitor",
    "local_authority",
    "referral",
    "team",
    "lab",
    "cme",
    "credentialing",
    "supplier",
    "research",
)

# Refs extracted only to compute a patient pseudonym: never stored, printed or templated.
PRIVATE_REFS = frozenset({"patient", "dob"})

log = logging.getLogger(__name__)

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False


class PatternError(ValueError):
    pass


def compile_pattern(pattern: str, groups: int | None = None) -> Any:
    """Compile one RE2 pattern, case-insensitive; check its capture groups if asked."""
    try:
        compiled = re2.compile("(?i)" + pattern, _OPTIONS)
    except re2.error as exc:
        detail = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        raise PatternError(f"bad pattern {pattern!r}: {detail}") from None
    if groups is not None and compiled.groups != groups:
        raise PatternError(
            f"pattern {pattern!r} must have exactly {groups} capture group, has {compiled.groups}"
        )
    return compiled


def _any_of(patterns: Sequence[str]) -> Any:
    return compile_pattern("|".join(f"(?:{p})" for p in patterns))


def _first_value(name: str, pattern: Any, texts: tuple[str, ...]) -> str | None:
    for text in texts:
        for found in pattern.finditer(text):
            if not found.group(1):
                continue
            value = " ".join(found.group(1).split()).strip(" .,;:")
            if not name.endswith("_ref") or reference_shaped(value):
                return value
    return None


@dataclass(frozen=True, slots=True)
class Rule:
    """A validated, compiled rule. ``layer`` is 0 for shipped packs, higher for overrides."""

    model: RuleModel
    source: Path
    line: int
    layer: int
    pack_extract: tuple[tuple[str, Any], ...]
    _compiled: dict[str, Any] = field(repr=False)
    _extract: tuple[tuple[str, Any], ...] = field(repr=False)
    pack_scope: tuple[tuple[str, ...] | None, tuple[str, ...] | None] = (None, None)

    @property
    def id(self) -> str:
        return self.model.id

    @property
    def actions(self) -> list[ActionModel]:
        return self.model.actions

    @property
    def scope(self) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
        """(countries, practice kinds) where its actions apply; None: everywhere."""
        countries, kinds = self.pack_scope
        if self.model.countries is not None:
            countries = tuple(self.model.countries)
        if self.model.kinds is not None:
            kinds = tuple(self.model.kinds)
        return countries, kinds

    def sort_key(self) -> tuple[int, int, int, str]:
        return (-self.model.priority, -self.model.match.conditions(), -self.layer, self.id)

    def matches(self, msg: Message, party_kinds: frozenset[str], subject: str, body: str) -> bool:
        m = self.model.match
        if m.from_party is not None and party_kinds.isdisjoint(m.from_party):
            return False
        if m.from_domain_any is not None:
            domain = msg.from_domain
            if not any(domain == d or domain.endswith("." + d) for d in m.from_domain_any):
                return False
        if m.has_calendar is not None and m.has_calendar != bool(msg.calendar_parts):
            return False
        if m.has_attachment is not None and m.has_attachment != bool(msg.attachments):
            return False
        c = self._compiled
        fields = {"from": msg.from_addr, "subject": subject, "body": body}
        for name, pattern in c.items():
            where, _, how = name.partition("_")
            if where == "text":
                hit = pattern.search(subject) is not None or pattern.search(body) is not None
            else:
                hit = pattern.search(fields[where]) is not None
            if hit != (how == "any"):
                return False
        return True

    def extract(self, subject: str, body: str) -> dict[str, str]:
        """Each ref's first value; a case reference (a name ending ``_ref``) only where it
        has a reference's shape (:func:`bot.rules.references.reference_shaped`), so a
        pattern that caught "Claimant" or "Our" goes on to the real reference or finds none."""
        refs: dict[str, str] = {}
        for name, pattern in (*self.pack_extract, *self._extract):
            value = _first_value(name, pattern, (subject, body))
            if value is not None:
                refs[name] = value
        return refs


class RuleSet:
    """Rules in precedence order, the party directory, and the problems met while loading."""

    def __init__(
        self,
        rules: Iterable[Rule],
        parties: PartyDirectory,
        problems: list[str],
        model: TextModel | None = None,
    ):
        self.rules = sorted(rules, key=Rule.sort_key)
        self.parties = parties
        self.problems = problems
        self.model = model
        self.generic = self._generic_rules()
        self.by_id = {rule.id: rule for rule in self.rules}

    def _generic_rules(self) -> dict[tuple[str, str | None], Rule]:
        """(category, case kind) -> the rule the learned model stands in for: the one marked
        ``generic: true``, else the last in precedence (the catch-all correspondence rule)."""
        found: dict[tuple[str, str | None], Rule] = {}
        marked: set[tuple[str, str | None]] = set()
        for rule in self.rules:
            key = (rule.model.category, rule.model.case_kind)
            if key in marked:
                continue
            found[key] = rule
            if rule.model.generic:
                marked.add(key)
        return found

    def __len__(self) -> int:
        return len(self.rules)

    def _prepare(self, msg: Message) -> tuple[list[Party], frozenset[str], str, str, str]:
        """The sender's parties and their kinds, the subject, the body, and the body as the
        patterns read it (conditions and possibilities blanked, :mod:`bot.rules.hedges`)."""
        parties = self.parties.lookup(msg.from_domain) if msg.from_domain else []
        kinds = frozenset(p.kind for p in parties)
        return parties, kinds, msg.subject, msg.text, asserted(msg.text)

    def explain(self, msg: Message) -> list[Rule]:
        """Every rule that matches ``msg``, winner first."""
        _, kinds, subject, _, said = self._prepare(msg)
        return [r for r in self.rules if r.matches(msg, kinds, subject, said)]

    def classify(self, msg: Message, country: str | None = None) -> Classification:
        """The first matching rule's classification; ``country`` is the practice's, for the
        dates the message states (:func:`bot.rules.stated_dates.day_first`)."""
        parties, kinds, subject, body, said = self._prepare(msg)
        result = next(
            (
                self._result(rule, msg, parties, subject, body, country)
                for rule in self.rules
                if rule.matches(msg, kinds, subject, said)
            ),
            UNCLASSIFIED,
        )
        if self.model is None:
            return result

        def as_generic(category: str, kind: str | None) -> Classification | None:
            rule = self.generic.get((category, kind)) or next(
                (r for (c, _), r in self.generic.items() if c == category), None
            )
            if rule is None:
                return None
            return self._result(rule, msg, parties, subject, body, country)

        return weigh(result, self.model.suggest(msg), self.model, as_generic)

    def classify_as(
        self, msg: Message, category: str | None, country: str | None = None
    ) -> Classification:
        """How ``msg`` is classified when the practitioner says it is ``category``'s (a
        correction): the first matching rule of that category, else the category's generic
        rule (:attr:`generic`, as the learned model stands in for it); None: unclassified."""
        if category is None:
            return UNCLASSIFIED
        parties, kinds, subject, body, said = self._prepare(msg)
        rule = next(
            (
                r
                for r in self.rules
                if r.model.category == category and r.matches(msg, kinds, subject, said)
            ),
            None,
        ) or next((r for (c, _), r in self.generic.items() if c == category), None)
        if rule is None:
            return Classification(category=category)
        return self._result(rule, msg, parties, subject, body, country)

    def _result(
        self,
        rule: Rule,
        msg: Message,
        parties: list[Party],
        subject: str,
        body: str,
        country: str | None,
    ) -> Classification:
        model = rule.model
        party = next((p for p in parties if p.kind == model.category), None)
        if party is None and model.match.from_party:
            party = next((p for p in parties if p.kind in model.match.from_party), None)
        if party is None and parties:
            party = parties[0]
        received = msg.date.date() if msg.date else None
        first = day_first(msg.from_domain, country)
        text = f"{subject}\n\n{body}"
        return Classification(
            category=model.category,
            case_kind=model.case_kind,
            event=model.event,
            rule_id=model.id,
            confidence=model.confidence,
            refs=rule.extract(subject, body),
            party=party,
            stated_deadline=find_stated_deadline(body, received=received, day_first=first),
            actions=tuple(model.actions),
            stated=find_stated(body, received, first),
            mentions=mentions(body),
            notice_date=notice_date(body, received, first, subject),
            payer_type=payer_type(party, text) if model.category == "payer" else None,
            country=notice_country(party, msg.from_domain, text),
            countries=rule.scope[0],
            kinds=rule.scope[1],
        )


def _compile_rule(
    model: RuleModel, data: Any, index: int, path: Path
) -> tuple[dict[str, Any], tuple[tuple[str, Any], ...], list[str]]:
    problems: list[str] = []
    compiled: dict[str, Any] = {}
    for name in PATTERN_FIELDS:
        patterns = getattr(model.match, name)
        if patterns is None:
            continue
        try:
            for pattern in patterns:
                compile_pattern(pattern)
            compiled[name] = _any_of(patterns)
        except PatternError as exc:
            line = line_of(data, ["rules", index, "match", name])
            problems.append(f"{path}:{line}: rules.{index}.match.{name}: {exc}")
    extract = []
    for ref, pattern in model.extract.items():
        try:
            extract.append((ref, compile_pattern(pattern, groups=1)))
        except PatternError as exc:
            line = line_of(data, ["rules", index, "extract", ref])
            problems.append(f"{path}:{line}: rules.{index}.extract.{ref}: {exc}")
    return compiled, tuple(extract), problems


def _load_pack(path: Path, layer: int) -> tuple[list[Rule], list[str]]:
    try:
        data = load_yaml(path)
    except YamlProblem as exc:
        return [], [str(exc)]
    if data is None:
        return [], [f"{path}:1: empty rule file"]
    pack, problems = validate(PackModel, path, data)
    if pack is None:
        return [], problems
    assert isinstance(pack, PackModel)
    pack_extract = []
    for ref, pattern in pack.extract.items():
        try:
            pack_extract.append((ref, compile_pattern(pattern, groups=1)))
        except PatternError as exc:
            problems.append(f"{path}:{line_of(data, ['extract', ref])}: extract.{ref}: {exc}")
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for index, model in enumerate(pack.rules):
        line = line_of(data, ["rules", index])
        if model.id in seen:
            problems.append(f"{path}:{line}: rule id {model.id!r} repeats line {seen[model.id]}")
            continue
        seen[model.id] = line
        compiled, extract, found = _compile_rule(model, data, index, path)
        problems.extend(found)
        scope = (
            tuple(pack.countries) if pack.countries is not None else None,
            tuple(pack.kinds) if pack.kinds is not None else None,
        )
        rules.append(Rule(model, path, line, layer, tuple(pack_extract), compiled, extract, scope))
    return ([] if problems else rules), problems


def load_rules(dirs: Sequence[Path], model: TextModel | None = None) -> RuleSet:
    """Load the packs in ``dirs`` (shipped first, practice folders after) into a RuleSet,
    with the learned ``model`` behind them when one is given (:mod:`bot.rules.second_opinion`).

    Each dir holds ``*.yaml`` packs and optionally ``parties/``. ``clocks.yaml`` is not a pack.
    Problems are collected in ``RuleSet.problems``; files with problems are skipped.
    """
    by_id: dict[str, Rule] = {}
    problems: list[str] = []
    for layer, folder in enumerate(dirs):
        if not folder.is_dir():
            problems.append(f"{folder}:0: rules folder not found")
            continue
        layer_ids: dict[str, Rule] = {}
        for path in sorted(folder.glob("*.yaml")):
            if path.name == "clocks.yaml":
                continue
            rules, found = _load_pack(path, layer)
            problems.extend(found)
            for rule in rules:
                other = layer_ids.get(rule.id)
                if other is not None:
                    problems.append(
                        f"{path}:{rule.line}: rule id {rule.id!r} already defined at "
                        f"{other.source}:{other.line}"
                    )
                    continue
                layer_ids[rule.id] = rule
        by_id.update(layer_ids)
    parties, party_problems = load_parties(folder / "parties" for folder in dirs)
    problems.extend(party_problems)
    ruleset = RuleSet(by_id.values(), parties, problems, model)
    log.debug("loaded %d rules, %d parties, %d problems", len(ruleset), len(parties), len(problems))
    return ruleset
