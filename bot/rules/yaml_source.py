"""YAML files read with their line numbers, so every problem is reported as ``file:line: message``.

Rule packs, party directories, clocks, the credentials register: all are YAML that a
practitioner may edit by hand. They are parsed by libyaml (PyYAML's C parser: every ``chief``
command reads a dozen packs, and a pure-Python parser made that a second of each start) with
the YAML 1.2 core schema's plain scalars, as YAML 1.2 readers agree on them: only ``true`` and
``false`` are booleans (``no``, ``on`` and ``NO`` stay text), numbers are decimal unless
written ``0o``/``0x``; ISO dates are dates. Mappings and sequences remember each key's and
item's line; :func:`line_of` walks a pydantic error location back to it. A key repeated in
one mapping is an error naming both lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from bot.file_safety import UnreadableFile, read_practice_file

__all__ = [
    "MAX_DEPTH",
    "YamlProblem",
    "item_problems",
    "line_of",
    "load_yaml",
    "unique_items",
    "validate",
    "validation_problems",
]


MAX_DEPTH = 32  # the deepest shipped file nests 6 levels


class YamlProblem(Exception):
    """A YAML file that cannot be read; ``str()`` is ``file:line: message``."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        super().__init__(f"{path}:{line}: {message}")


class _Core12Resolver(BaseResolver):
    """Plain scalars resolved as the YAML 1.2 core schema does (YAML 1.2.2, 10.3.2), plus ISO
    dates and timestamps (which the practice's files use for expiry and review dates)."""


for _tag, _pattern, _first in (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("null", r"^(?:~|null|Null|NULL|)$", "~nN"),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
    (
        "timestamp",
        r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}"
        r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}"
        r"(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$",
        "0123456789",
    ),
):
    _Core12Resolver.add_implicit_resolver(
        f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), list(_first)
    )
_Core12Resolver.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^$"), [""])
_Core12Resolver.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^<<$"), ["<"])


class _Constructor(SafeConstructor):
    """PyYAML's safe constructor with YAML 1.2 integers (no sexagesimal, ``0o`` octal)."""

    def construct_yaml_int(self, node: ScalarNode) -> int:
        value = str(self.construct_scalar(node)).replace("_", "")
        if value.startswith(("0o", "0x")):
            return int(value, 8 if value[1] == "o" else 16)
        return int(value)


_Constructor.add_constructor(  # type: ignore[type-var]
    "tag:yaml.org,2002:int", _Constructor.construct_yaml_int
)

try:  # libyaml, which PyYAML's wheels carry
    from yaml.cyaml import CParser as _Parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - a PyYAML built without libyaml

    class _Parser(  # type: ignore[no-redef]
        yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer
    ):
        def __init__(self, text: str) -> None:
            yaml.reader.Reader.__init__(self, text)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)


class _Loader(_Parser, _Constructor, _Core12Resolver):
    def __init__(self, text: str) -> None:
        _Parser.__init__(self, text)
        _Constructor.__init__(self)
        _Core12Resolver.__init__(self)


class _Lines:
    """Where a mapping's keys or a sequence's items start (0-based, as YAML marks count)."""

    __slots__ = ("_at", "line")

    def __init__(self, line: int, at: dict[Any, int]) -> None:
        self.line = line
        self._at = at

    def key(self, key: Any) -> tuple[int, int]:
        return self._at[key], 0

    def item(self, index: int) -> tuple[int, int]:
        return self._at[index], 0


class LineMap(dict[Any, Any]):
    """A YAML mapping that knows the line of each key (``lc``)."""

    lc: _Lines


class LineSeq(list[Any]):
    """A YAML sequence that knows the line of each item (``lc``)."""

    lc: _Lines


def _build(loader: _Loader, node: Node, path: Path, made: dict[int, Any], depth: int) -> Any:
    """Python data for ``node``: LineMap and LineSeq for collections, scalars as constructed.
    An alias is the object its anchor made. Collections nested deeper than :data:`MAX_DEPTH`
    are a problem at the line where that depth is reached (libyaml allows 1,000 levels, more
    than this recursion, and the validation after it, can take)."""
    if id(node) in made:
        return made[id(node)]
    if depth > MAX_DEPTH and isinstance(node, MappingNode | SequenceNode):
        raise YamlProblem(
            path, node.start_mark.line + 1, f"nested more than {MAX_DEPTH} levels deep"
        )
    if isinstance(node, MappingNode):
        own = sum(1 for key, _ in node.value if key.tag != "tag:yaml.org,2002:merge")
        loader.flatten_mapping(node)  # ``<<`` merge keys: merged pairs first, then its own
        mapping = LineMap()
        made[id(node)] = mapping
        lines: dict[Any, int] = {}
        where: dict[Any, int] = {}
        first = len(node.value) - own  # its own keys may override merged ones, not each other
        for index, (key_node, value_node) in enumerate(node.value):
            if index == first:
                lines = {}
            key = _build(loader, key_node, path, made, depth + 1)
            try:
                hash(key)
            except TypeError:
                raise YamlProblem(
                    path, key_node.start_mark.line + 1, "YAML syntax: a key must be plain text"
                ) from None
            if key in lines:
                raise YamlProblem(
                    path,
                    key_node.start_mark.line + 1,
                    f"YAML syntax: duplicate key `{key}` (first at line {lines[key] + 1})",
                )
            lines[key] = key_node.start_mark.line
            where[key] = key_node.start_mark.line
            mapping[key] = _build(loader, value_node, path, made, depth + 1)
        mapping.lc = _Lines(node.start_mark.line, where)
        return mapping
    if isinstance(node, SequenceNode):
        sequence = LineSeq()
        made[id(node)] = sequence
        at = {}
        for index, item in enumerate(node.value):
            at[index] = item.start_mark.line
            sequence.append(_build(loader, item, path, made, depth + 1))
        sequence.lc = _Lines(node.start_mark.line, at)
        return sequence
    value = loader.construct_object(node, deep=True)
    made[id(node)] = value
    return value


def load_yaml(path: Path) -> Any:
    """Parse ``path``; raise :class:`YamlProblem` with the line of a syntax error.

    The file is read by :func:`bot.file_safety.read_practice_file` (a regular file of bounded
    size, or a problem at line 1) and nested at most :data:`MAX_DEPTH` deep."""
    try:
        text = read_practice_file(path).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlProblem(path, 1, f"not UTF-8 text ({exc.reason})") from None
    except UnreadableFile as exc:
        raise YamlProblem(path, 1, exc.reason) from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else _build(loader, node, path, {}, 0)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlProblem(path, line, f"YAML syntax: {problem}") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(path, 1, f"YAML syntax: {exc}") from None
    finally:
        loader.dispose()


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
