"""Party directories: who a sender is (a payer, a council, a lab...), by e-mail domain.

``rules/parties/<kind>.yaml``::

    kind: payer
    parties:
      - name: Aetna
        domains: [aetna.com]
        attributes: {country: US, payer_type: commercial}

An attribute may list several values, the main one first: an insurer that runs Medicare
Advantage and Medicaid lines besides its employer plans is ``payer_type: [commercial,
medicare_advantage, medicaid_managed_care]``; :meth:`Party.values` reads them back.

A sender matches a party when its domain equals a listed domain or is a subdomain of it
(``mail.aetna.com`` → ``aetna.com``). A practice's own ``parties/`` folder is layered over the
shipped one: a party with the same kind and name replaces the shipped entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.rules.yaml_source import YamlProblem, load_yaml, validate

__all__ = ["Party", "PartyDirectory", "load_parties"]


@dataclass(frozen=True, slots=True)
class Party:
    kind: str
    name: str
    domains: tuple[str, ...]
    attributes: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    def values(self, key: str) -> tuple[str, ...]:
        """The values of attribute ``key``, main one first (a list is kept comma-joined)."""
        raw = self.attributes.get(key, "")
        return tuple(v.strip() for v in raw.split(",") if v.strip())


class _PartyModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    domains: list[str] = Field(min_length=1)
    attributes: dict[str, str | list[str]] = Field(default_factory=dict)

    @field_validator("attributes")
    @classmethod
    def _joined(cls, value: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
        return {k: ", ".join(v) if isinstance(v, list) else v for k, v in value.items()}

    @field_validator("domains")
    @classmethod
    def _domains(cls, value: list[str]) -> list[str]:
        out = []
        for domain in value:
            domain = domain.strip().lower().lstrip("@").rstrip(".")
            if not domain or "." not in domain or any(c.isspace() for c in domain):
                raise ValueError(f"not a domain name: {domain!r}")
            out.append(domain)
        return out


class _DirectoryModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    parties: list[_PartyModel]


class PartyDirectory:
    """All known parties, looked up by sender domain."""

    def __init__(self, parties: Iterable[Party] = ()) -> None:
        self._by_key: dict[tuple[str, str], Party] = {}
        self._index: dict[str, list[Party]] | None = None
        for party in parties:
            self.add(party)

    def add(self, party: Party) -> None:
        self._by_key[(party.kind, party.name.lower())] = party
        self._index = None

    def __len__(self) -> int:
        return len(self._by_key)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._by_key.values())

    def kinds(self) -> set[str]:
        return {kind for kind, _ in self._by_key}

    def _domain_index(self) -> dict[str, list[Party]]:
        if self._index is None:
            index: dict[str, list[Party]] = {}
            for party in self._by_key.values():
                for domain in party.domains:
                    index.setdefault(domain, []).append(party)
            self._index = index
        return self._index

    def lookup(self, domain: str) -> list[Party]:
        """Parties whose domain is ``domain`` or a parent of it, most specific first."""
        index = self._domain_index()
        labels = domain.lower().rstrip(".").split(".")
        found: list[Party] = []
        for start in range(len(labels) - 1):
            found.extend(index.get(".".join(labels[start:]), ()))
        return found


def load_parties(dirs: Iterable[Path]) -> tuple[PartyDirectory, list[str]]:
    """Load every ``*.yaml`` in each dir, later dirs overriding; return (directory, problems)."""
    directory = PartyDirectory()
    problems: list[str] = []
    for folder in dirs:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.yaml")):
            try:
                data = load_yaml(path)
            except YamlProblem as exc:
                problems.append(str(exc))
                continue
            model, found = validate(_DirectoryModel, path, data)
            if model is None:
                problems.extend(found)
                continue
            assert isinstance(model, _DirectoryModel)
            for entry in model.parties:
                attributes = {k: str(v) for k, v in entry.attributes.items()}
                directory.add(Party(model.kind, entry.name, tuple(entry.domains), attributes))
    return directory, problems
