"""YAML files read with their line numbers, so every problem is reported as ``file:line: message``.

Rule packs, party directories, clocks, the credentials register: all are YAML that a
practitioner may edit by hand. ruamel.yaml's round-trip loader keeps each key's and item's
position; :func:`line_of` walks a pydantic error location back to the line it came from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

__all__ = [
    "YamlProblem",
    "item_problems",
    "line_of",
    "load_yaml",
    "unique_items",
    "validate",
    "validation_problems",
]


class YamlProblem(Exception):
    """A YAML file that cannot be read; ``str()`` is ``file:line: message``."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        super().__init__(f"{path}:{line}: {message}")


def load_yaml(path: Path) -> Any:
    """Parse ``path``; raise :class:`YamlProblem` with the line of a syntax error."""
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlProblem(path, 1, f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise YamlProblem(path, 1, f"cannot read ({exc.strerror})") from None
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlProblem(path, line, f"YAML syntax: {problem}") from None
    except YAMLError as exc:
        raise YamlProblem(path, 1, f"YAML syntax: {exc}") from None


def line_of(data: Any, loc: Sequence[str | int]) -> int:
    """1-based line of the deepest node of ``data`` that ``loc`` reaches (1 if unknown)."""
    line = 1
    node = data
    for step in loc:
        lc = getattr(node, "lc", None)
        try:
            if isinstance(node, dict) and step in node:
                if lc is not None:
                    line = lc.key(step)[0] + 1
                node = node[step]
            elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
                if lc is not None:
                    line = lc.item(step)[0] + 1
                node = node[step]
            else:
                break
        except (KeyError, IndexError, TypeError, AttributeError):
            break
    if line == 1 and getattr(node, "lc", None) is not None and node is not data:
        line = node.lc.line + 1
    return line


def validation_problems(
    path: Path, data: Any, error: ValidationError, base: Sequence[str | int] = ()
) -> list[str]:
    """Turn a pydantic ``ValidationError`` into ``file:line: message`` lines."""
    problems = []
    for item in error.errors(include_url=False):
        loc = [*base, *item["loc"]]
        where = ".".join(str(part) for part in loc) or "(top level)"
        problems.append(f"{path}:{line_of(data, loc)}: {where}: {item['msg']}")
    return problems


def validate(
    model: type[BaseModel], path: Path, data: Any, base: Sequence[str | int] = ()
) -> tuple[BaseModel | None, list[str]]:
    """Validate ``data`` as ``model``; return (instance or None, problems)."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, validation_problems(path, data, exc, base)


def item_problems(
    error: ValidationError,
    item: Any,
    path: Path,
    line: int,
    label: str,
    known: Sequence[str],
    explain: Callable[[str, str], str | None] | None = None,
) -> list[str]:
    """``file:line: label: message`` for each error of one YAML mapping ``item``.

    Unknown and missing keys get a standard wording (listing the ``known`` keys);
    ``explain(key, error_type)`` may give a better message for a field's own errors.
    """
    problems = []
    for err in error.errors(include_url=False):
        key = str(err["loc"][0]) if err["loc"] else ""
        where = line_of(item, [key]) if key in item else line
        special = explain(key, err["type"]) if explain is not None else None
        if err["type"] == "extra_forbidden":
            message = f"unknown key `{key}`; known: {', '.join(known)}"
        elif err["type"] == "missing":
            message = f"missing required key `{key}`"
        elif special is not None:
            message = special
        else:
            message = f"`{key}`: {err['msg'].removeprefix('Value error, ')}"
        problems.append(f"{path}:{where}: {label}: {message}")
    return problems


def unique_items(
    items: list[Any], path: Path, noun: str, problems: list[str]
) -> Iterator[tuple[int, Any]]:
    """(line, item) for each item of a YAML list; an item repeating an earlier ``id`` is
    reported (``file:line: duplicate <noun> id``) and skipped."""
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        line = line_of(items, [index])
        raw_id = item.get("id") if isinstance(item, Mapping) else None
        if isinstance(raw_id, str):
            if raw_id in seen:
                problems.append(
                    f"{path}:{line}: duplicate {noun} id `{raw_id}` (first at line {seen[raw_id]})"
                )
                continue
            seen[raw_id] = line
        yield line, item
