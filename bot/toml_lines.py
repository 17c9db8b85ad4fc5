"""Where a key of ``chief.toml`` is written: :func:`toml_line`, for error messages that name
the line to fix (``tomllib`` keeps no positions)."""

from __future__ import annotations

import re

__all__ = ["toml_line"]

_TOML_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_TOML_KEY = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)


def _toml_path(dotted: str) -> list[str]:
    """``a."b.c".d`` as ``["a", "b.c", "d"]``: dots inside quotes are part of the name."""
    parts: list[str] = []
    for found in re.finditer(r"""\s*("[^"]*"|'[^']*'|[^."']+)\s*(?:\.|$)""", dotted):
        parts.append(found.group(1).strip().strip("\"'"))
    return parts


def toml_line(text: str, loc: list[str]) -> int:
    """1-based line of the key at ``loc`` (table names, then the key) in TOML ``text``: the
    line of its table header when the key is not written, 1 when neither is found.

    ``tomllib`` keeps no positions, so the text is scanned for ``[table]`` headers and
    ``key =`` lines (dotted and quoted keys included; lines inside multi-line strings are
    skipped), which is enough to point a practitioner at the line to fix."""
    best = 1
    table: list[str] = []
    in_string: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string is not None:
            if line.count(in_string) % 2 == 1:
                in_string = None
            continue
        header = _TOML_HEADER.match(line)
        if header:
            table = _toml_path(header.group(1))
            if table == loc[: len(table)] and len(table) == len(loc) - 1 and best == 1:
                best = number
            elif table == loc:
                return number
            continue
        key = _TOML_KEY.match(line)
        if key and [*table, *_toml_path(key.group(1))] == loc:
            return number
        for quote in ('"""', "'''"):
            if line.count(quote) % 2 == 1:
                in_string = quote
    return best
