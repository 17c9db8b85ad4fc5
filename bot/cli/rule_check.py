"""``chief rules check``: every pack, party directory and clock file validated, and every
clock and template a rule names checked to exist."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2

from bot.clocks.files import load_clocks_skipping_broken
from bot.letters.templates import template_environment
from bot.resources import shipped_rules, shipped_templates
from bot.rules.engine import load_rules
from bot.rules.schema import DeadlineAction, DraftAction

__all__ = ["check_rules"]


def check_rules(extra_dirs: Sequence[Path], template_dirs: Sequence[Path] = ()) -> dict[str, Any]:
    dirs = [shipped_rules(), *extra_dirs]
    ruleset = load_rules(dirs)
    problems = list(ruleset.problems)
    clock_files = [d / "clocks.yaml" for d in dirs if (d / "clocks.yaml").exists()]
    loaded = load_clocks_skipping_broken(clock_files)
    problems.extend(loaded.problems)
    clocks = dict(loaded.clocks)
    env = template_environment([*template_dirs, shipped_templates()])
    for rule in ruleset.rules:
        for action in rule.actions:
            if (
                isinstance(action, DeadlineAction)
                and clocks
                and action.deadline.clock not in clocks
            ):
                problems.append(
                    f"{rule.source}:{rule.line}: rule {rule.id}: unknown clock "
                    f"{action.deadline.clock!r}"
                )
            if isinstance(action, DraftAction):
                try:
                    env.get_template(action.draft.template)
                except jinja2.TemplateNotFound:
                    problems.append(
                        f"{rule.source}:{rule.line}: rule {rule.id}: template "
                        f"{action.draft.template!r} not found"
                    )
                except jinja2.TemplateSyntaxError as exc:
                    problems.append(f"{exc.filename}:{exc.lineno}: template syntax: {exc.message}")
    return {
        "rules": len(ruleset),
        "parties": len(ruleset.parties),
        "clocks": len(clocks),
        "problems": problems,
    }
