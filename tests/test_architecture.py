"""The layout holds: packages in layers with one-way arrows, no import circles, small modules,
every package saying what it owns, every third-party import a declared dependency.

docs/ARCHITECTURE.md draws the same layers; a change that needs an arrow pointing up is a
change to the design, made here and there together.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "connectors")

# Lowest first. A module may import its own package and anything in a lower layer, never a
# higher one. ``connectors`` (the contract: base, registry and shared helpers) sits under the
# providers, which may use the rules' vocabulary (Gmail labels by category).
LAYERS: tuple[tuple[str, ...], ...] = (
    (
        "bot",
        "bot.errors",
        "bot.crash",
        "bot.keys",
        "bot.resources",
        "bot.progress",
        "bot.toml_lines",
    ),
    ("bot.file_safety",),
    ("bot.locking", "bot.keyring_store"),
    ("bot.mail", "bot.store"),
    ("connectors",),
    ("bot.letters", "bot.calendar"),
    ("bot.rules",),
    ("bot.clocks", "bot.register"),
    ("connectors.imap", "connectors.ical", "connectors.maildir", "connectors.smtp"),
    ("connectors.google", "connectors.microsoft"),
    ("bot.config",),
    ("bot.sync",),
    ("bot.features",),
    ("bot.summary",),
    ("bot.jobs",),
    ("bot.cli",),
)
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[_module_name(path)] = path
    return found


@cache
def imports() -> dict[str, set[str]]:
    """Every project module each module imports: at the top, inside functions, and for type
    checking alike (an arrow is an arrow)."""
    known = modules()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # ``from bot import crash`` is an arrow to bot.crash, not to the package.
                subs = [f"{node.module}.{a.name}" for a in node.names]
                targets = subs if all(s in known for s in subs) else [node.module, *subs]
            found.update(t for t in targets if t in known and t != name)
        graph[name] = found
    return graph


def layer_of(module: str) -> tuple[int, str]:
    """The layer index and the unit (the longest name of LAYERS the module falls under)."""
    best: tuple[int, str] | None = None
    for index, layer in enumerate(LAYERS):
        for unit in layer:
            inside = module == unit or (unit != "bot" and module.startswith(unit + "."))
            if inside and (best is None or len(unit) > len(best[1])):
                best = (index, unit)
    if best is None:
        raise AssertionError(f"{module} is in no layer of tests/test_architecture.py")
    return best


def test_every_module_has_a_layer() -> None:
    for name in modules():
        layer_of(name)  # raises, naming the module


def upward(graph: dict[str, set[str]]) -> list[str]:
    """The imports of ``graph`` that point to the importer's own layer or a higher one."""
    found = []
    for source, targets in sorted(graph.items()):
        source_layer, source_unit = layer_of(source)
        for target in sorted(targets):
            target_layer, target_unit = layer_of(target)
            if target_unit != source_unit and target_layer >= source_layer:
                found.append(f"{source} -> {target} ({source_unit} may not import {target_unit})")
    return found


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Import circles of ``graph`` (depth-first, one per back edge)."""
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                found.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_arrows_point_down() -> None:
    assert upward(imports()) == []


def test_no_import_circles() -> None:
    assert circles(imports()) == []


def test_the_checks_see_what_they_guard() -> None:
    """An import inside a function is an arrow; an upward one and a circle are found."""
    graph = dict(imports())
    assert "bot.jobs.catalogue" in graph["bot.cli.running"]  # imported inside a function
    bad = {**graph, "bot.mail.message": {*graph["bot.mail.message"], "bot.cli.app"}}
    assert any(line.startswith("bot.mail.message -> bot.cli.app") for line in upward(bad))
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


def test_modules_are_small_enough_to_read_in_one_sitting() -> None:
    long = {
        name: n
        for name, path in modules().items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


@pytest.mark.parametrize(
    "package",
    sorted(
        _module_name(p)
        for name in PACKAGES
        for p in (ROOT / name).rglob("__init__.py")
        if "migrations" not in p.parts
    ),
)
def test_every_package_says_what_it_owns(package: str) -> None:
    path = modules()[package]
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert doc and len(doc) > 80, f"{path}: open with a docstring saying what the package owns"


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = [Requirement(r).name for r in project["dependencies"]]
    for extra in ("postgres", "sqlcipher"):  # imported only where their feature is on
        names += [Requirement(r).name for r in project["optional-dependencies"][extra]]
    return {re.sub(r"[-_.]+", "-", n).lower() for n in names}


def test_every_third_party_import_is_a_declared_dependency() -> None:
    """A module a fresh ``pip install .`` would not bring is an error waiting for a user."""
    declared = _declared()
    distributions = packages_distributions()
    own = set(PACKAGES) | set(sys.stdlib_module_names) | {"__future__"}
    missing: dict[str, str] = {}
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                tops = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                tops = [node.module.split(".")[0]]
            else:
                continue
            for top in tops:
                if top in own:
                    continue
                dists = {re.sub(r"[-_.]+", "-", d).lower() for d in distributions.get(top, [])}
                if not dists & declared:
                    missing[f"{name}: {top}"] = ", ".join(sorted(dists)) or "not installed"
    assert missing == {}
