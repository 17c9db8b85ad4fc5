"""The template environment every draft and the summary are rendered in.

Templates
---------
Templates live in folders searched in order: the practice's own folders first, then the shipped
``templates/`` (:func:`bot.resources.shipped_templates`), so a practice file with the same
relative path (``payer/appeal_request.j2``, ``_partials/signature.j2``) overrides the shipped one.
The environment is sandboxed (:class:`jinja2.sandbox.ImmutableSandboxedEnvironment`: no dunder
access, no mutation of the context), undefined names raise (``StrictUndefined``), and HTML is
autoescaped only for ``*.html`` / ``*.html.j2`` templates. Filters: ``longdate`` ("24 November
2026" for a UK practice, "November 24, 2026" for a US one), ``fulldate`` ("Tuesday 24 November
2026" / "Tuesday, November 24, 2026"), ``isodate``, ``hhmm`` ("09:30"), ``money`` ("1,234.50";
a string is shown as given). Each takes ``None`` and shows a visible placeholder.

Country
-------
A letter is dated and spelt for the practice's country (``practice.country`` in the template
context, ``US`` or ``GB``): the date filters read it from the context, so one template serves
both; the wording that differs is chosen in the template (``sp()`` in ``_partials/refs.j2``).
Text assembled in Python for a letter uses :func:`long_date` with the practice's country.
"""

from __future__ import annotations

import logging
import os
import re
import traceback
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment

from bot.errors import TemplateError
from bot.file_safety import UnreadableFile, read_practice_file
from bot.letters.headers import (
    DRAFT_BANNER,
)
from bot.resources import shipped_templates

__all__ = [
    "full_date",
    "long_date",
    "render_template",
    "template_environment",
]

log = logging.getLogger(__name__)


# --- template environment -------------------------------------------------------------------


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def long_date(value: date, country: str | None) -> str:
    """``November 24, 2026`` for a US practice, ``24 November 2026`` otherwise (the UK form,
    also the one no reader can misread)."""
    if (country or "").upper() == "US":
        return f"{value:%B} {value.day}, {value.year}"
    return f"{value.day} {value:%B %Y}"


def full_date(value: date, country: str | None) -> str:
    """``Tuesday, November 24, 2026`` (US) or ``Tuesday 24 November 2026`` (UK)."""
    comma = "," if (country or "").upper() == "US" else ""
    return f"{value:%A}{comma} {long_date(value, country)}"


def _country(context: Any) -> str | None:
    """The practice's country in a template context (``practice.country``), if it has one."""
    practice = context.get("practice") if hasattr(context, "get") else None
    country = practice.get("country") if isinstance(practice, Mapping) else None
    return country if isinstance(country, str) else None


@jinja2.pass_context
def _longdate(context: Any, value: Any, placeholder: str = "[DATE]") -> str:
    d = _as_date(value)
    if d is None:
        return str(value).strip() if value not in (None, "") else placeholder
    return long_date(d, _country(context))


@jinja2.pass_context
def _fulldate(context: Any, value: Any, placeholder: str = "[DATE]") -> str:
    d = _as_date(value)
    if d is None:
        return str(value).strip() if value not in (None, "") else placeholder
    return full_date(d, _country(context))


@jinja2.pass_context
def _isodate(context: Any, value: Any, placeholder: str = "[DATE]") -> str:
    d = _as_date(value)
    return d.isoformat() if d is not None else _longdate(context, value, placeholder)


def _hhmm(value: Any, placeholder: str = "[TIME]") -> str:
    if isinstance(value, datetime):
        return f"{value:%H:%M}"
    return "all day" if isinstance(value, date) else (str(value) if value else placeholder)


def _money(value: Any, symbol: str = "", placeholder: str = "[AMOUNT]") -> str:
    if value is None or value == "":
        return placeholder
    if isinstance(value, str):
        return value.strip()  # as extracted from the letter, currency and all
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{symbol}{amount:,.2f}"


class _PracticeLoader(jinja2.FileSystemLoader):
    """Jinja's file loader, reading through :func:`bot.file_safety.read_practice_file`: a
    template that is not a regular file, is too large or is not UTF-8 is reported (a warning
    naming the file) and skipped, so the same name in a later folder (the shipped one) is used
    instead; found nowhere usable, it is not found."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for folder in self.searchpath:
            path = Path(folder, *pieces)
            try:
                text = read_practice_file(path).decode(self.encoding)
            except UnreadableFile as exc:
                if not exc.missing:
                    log.warning("template %s skipped: %s", path, exc.reason)
                continue
            except UnicodeDecodeError:
                log.warning("template %s skipped: not %s text", path, self.encoding)
                continue
            mtime = os.path.getmtime(path)
            return text, os.path.normpath(path), partial(_unchanged, path, mtime)
        raise jinja2.TemplateNotFound(template)


def _unchanged(path: Path, mtime: float) -> bool:
    try:
        return os.path.getmtime(path) == mtime
    except OSError:
        return False


def template_environment(template_dirs: Sequence[Path]) -> jinja2.Environment:
    """The sandboxed environment for drafts and summaries, searching ``template_dirs`` then the
    shipped templates (the same relative path in an earlier folder wins)."""
    shipped = shipped_templates().resolve()
    search = [Path(p).resolve() for p in template_dirs]
    if shipped not in search:
        search.append(shipped)
    env = ImmutableSandboxedEnvironment(
        loader=_PracticeLoader([str(p) for p in search], followlinks=False),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "htm", "html.j2", "htm.j2"),
            disabled_extensions=(),
            default_for_string=False,
            default=False,
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    filters: dict[str, Callable[..., str]] = {
        "longdate": _longdate,
        "fulldate": _fulldate,
        "isodate": _isodate,
        "hhmm": _hhmm,
        "money": _money,
    }
    env.filters.update(filters)
    env.globals["DRAFT_BANNER"] = DRAFT_BANNER
    return env


def _where(exc: BaseException, name: str, env: jinja2.Environment) -> tuple[str, int | None]:
    """(template, line) of the innermost template frame of ``exc``, never the values."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return exc.name or name, exc.lineno
    search = getattr(env.loader, "searchpath", [])
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        for root in search:
            if frame.filename.startswith(str(root) + "/"):
                return Path(frame.filename).relative_to(root).as_posix(), frame.lineno
    return name, None


def _reason(exc: BaseException, source: str) -> str:
    """A description of ``exc`` that cannot carry data values.

    Syntax errors describe the template itself; an undefined name is reported only when it is
    written in the template's ``source`` (``refs[message.subject]`` must not echo a subject);
    anything else (a filter given odd data...) is named by its type only.
    """
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"syntax error: {exc.message}"
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return "unsafe operation blocked by the sandbox"
    if isinstance(exc, jinja2.UndefinedError):
        found = re.search(r"(?:'(\w{1,40})' is undefined|attribute '(\w{1,40})')", str(exc.message))
        word = found and (found.group(1) or found.group(2))
        if word and re.search(rf"\b{re.escape(word)}\b", source):
            return f"undefined variable {word!r}"
        return "undefined variable"
    return f"render failed ({type(exc).__name__})"


def _source(env: jinja2.Environment, name: str) -> str:
    try:
        return env.loader.get_source(env, name)[0] if env.loader else ""
    except Exception:
        return ""


def render_template(
    env: jinja2.Environment, name: str, context: Mapping[str, Any]
) -> tuple[str, dict[str, Any]]:
    """Render ``name``; return the text and the template's exported top-level variables.

    Any failure becomes :class:`TemplateError` naming the template and line, never the data.
    """
    try:
        template = env.get_template(name)
        ctx = template.new_context(dict(context))
        try:
            text = "".join(template.root_render_func(ctx))
        except Exception:
            env.handle_exception()  # re-raises with template file names and line numbers
        exported = ctx.get_exported()
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template {name!r} not found in the template folders") from exc
    except Exception as exc:
        where, line = _where(exc, name, env)
        at = f"{where} line {line}" if line else where
        raise TemplateError(f"template {at}: {_reason(exc, _source(env, where))}") from None
    return text, exported


# --- reply drafts ---------------------------------------------------------------------------
