"""``chief classify``: classify .eml files and Maildirs without a database."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from bot.clocks.act_by import act_by
from bot.clocks.clocks import ClockSet
from bot.clocks.files import load_clocks
from bot.errors import MessageError
from bot.mail.mime import parse_message
from bot.progress import counter
from bot.resources import shipped_rules
from bot.rules.engine import PRIVATE_REFS, RuleSet, load_rules
from bot.rules.learned import shipped_model
from bot.rules.stated_dates import day_first

__all__ = ["classify_paths", "iter_message_files", "load_layers"]

log = logging.getLogger(__name__)


def iter_message_files(paths: Sequence[Path]) -> Iterator[Path]:
    """Message files under ``paths``: a file as is; a Maildir's ``cur`` and ``new``; any other
    folder recursively (hidden files and Maildir ``tmp`` skipped), in name order."""
    for path in paths:
        if path.is_file():
            yield path
            continue
        if (path / "cur").is_dir() or (path / "new").is_dir():
            for sub in ("new", "cur"):
                folder = path / sub
                if folder.is_dir():
                    yield from sorted(p for p in folder.iterdir() if p.is_file())
            continue
        for found in sorted(path.rglob("*")):
            relative = found.relative_to(path).parts
            if found.is_file() and not any(p.startswith(".") or p == "tmp" for p in relative):
                yield found


def load_layers(extra_dirs: Sequence[Path], learned: bool = True) -> tuple[RuleSet, ClockSet]:
    """The shipped packs with ``extra_dirs`` over them, the learned model behind them unless
    ``learned`` is false, and the clocks."""
    dirs = [shipped_rules(), *extra_dirs]
    rules = load_rules(dirs, shipped_model() if learned else None)
    clocks = load_clocks([d / "clocks.yaml" for d in dirs if (d / "clocks.yaml").is_file()])
    return rules, clocks


def classify_paths(
    paths: Sequence[Path], extra_dirs: Sequence[Path], progress: bool = True, learned: bool = True
) -> Iterator[dict[str, Any]]:
    rules, clocks = load_layers(extra_dirs, learned)
    for problem in rules.problems:
        log.warning("rule problem: %s", problem)
    files = list(iter_message_files(paths))
    with counter("Classifying", total=len(files), enabled=progress) as advance:
        for path in files:
            yield classify_file(path, rules, clocks)
            advance(1)


def classify_file(path: Path, rules: RuleSet, clocks: ClockSet) -> dict[str, Any]:
    record: dict[str, Any] = {
        "path": str(path),
        "category": None,
        "case_kind": None,
        "event": None,
        "rule": None,
        "refs": {},
        "deadline": None,
        "source": None,
        "confidence": None,
    }
    try:
        message = parse_message(path.read_bytes(), path.name)
    except MessageError as exc:
        record["error"] = exc.reason
        return record
    except OSError as exc:
        record["error"] = f"cannot read: {exc.strerror}"
        return record
    result = rules.classify(message)
    due = act_by(result, message.date, clocks, day_first(message.from_domain))
    record.update(
        category=result.category,
        case_kind=result.case_kind,
        event=result.event,
        rule=result.rule_id,
        refs={k: v for k, v in result.refs.items() if k not in PRIVATE_REFS},
        patient_found="patient" in result.refs,
        party=result.party.name if result.party else None,
        deadline=due.isoformat() if due else None,
        source=result.source,
        confidence=round(result.confidence, 3) if result.source else None,
        needs_look=result.needs_look,
        guess=None
        if result.guess is None
        else {
            "category": result.guess.category,
            "case_kind": result.guess.case_kind,
            "confidence": round(result.guess.confidence, 3),
        },
    )
    return record
