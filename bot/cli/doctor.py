"""``chief doctor``: check each part of a practice's set-up and say what to do about a failure."""

from __future__ import annotations

import stat
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.errors import ChiefError
from connectors.base import SelfChecks

__all__ = ["run_checks"]


def _check(name: str, checks: list[dict[str, Any]], fn: Callable[[], str]) -> bool:
    try:
        detail = fn()
        checks.append({"name": name, "ok": True, "detail": detail})
        return True
    except ChiefError as exc:
        checks.append({"name": name, "ok": False, "detail": str(exc)})
    except Exception as exc:  # doctor reports, it does not crash
        where = traceback.extract_tb(exc.__traceback__)[-1]
        checks.append(
            {
                "name": name,
                "ok": False,
                "detail": f"{type(exc).__name__} at {Path(where.filename).name}:{where.lineno}",
            }
        )
    return False


def run_checks(
    config_path: Path | None, new_pseudonym_key: bool = False, new_case_log: bool = False
) -> list[dict[str, Any]]:
    from bot.config import find_config, load_config

    checks: list[dict[str, Any]] = []
    path = find_config(config_path)
    holder: dict[str, Any] = {}

    def config() -> str:
        holder["config"] = loaded = load_config(path)
        loaded.check_connectors()  # [mail], [calendar], [smtp] as the connectors read them
        return f"{path} is valid"

    if not _check("configuration", checks, config):
        return checks
    cfg = holder["config"]

    def rules() -> str:
        from bot.cli.rule_check import check_rules

        result = check_rules(
            [cfg.resolve(p) for p in cfg.rules.dirs], [cfg.resolve(p) for p in cfg.templates.dirs]
        )
        if result["problems"]:
            raise ChiefError("; ".join(result["problems"][:5]) + " (run `chief rules check`)")
        return f"{result['rules']} rules, {result['parties']} parties, {result['clocks']} clocks"

    _check("rules, clocks and templates", checks, rules)

    def database() -> str:
        from bot.sync.runtime import Runtime

        holder["rt"] = Runtime.from_config(
            cfg, new_pseudonym_key=new_pseudonym_key, new_case_log=new_case_log
        )
        sealed = ", encrypted (SQLCipher)" if cfg.database.encryption == "sqlcipher" else ""
        return f"{holder['rt'].engine.dialect.name} case log at the newest schema{sealed}"

    if not _check("database", checks, database):
        return checks
    rt = holder["rt"]

    def mail() -> str:
        source = rt.mail()
        return (
            source.check() if isinstance(source, SelfChecks) else f"{type(source).__name__} ready"
        )

    _check(f"mail ({cfg.mail.get('connector', 'maildir')})", checks, mail)

    def calendar() -> str:
        connector = rt.calendar()
        head = f"{connector.check()}; " if isinstance(connector, SelfChecks) else ""
        now = datetime.now(rt.tz)
        count = sum(1 for _ in connector.events(now, now + timedelta(days=7)))
        from bot.sync.effects import lost_calendar_entries

        lost = lost_calendar_entries(rt, connector)
        if lost:
            raise ChiefError(
                f"{head}the calendar holds none of the {lost} entries the case log wrote "
                "there (deleted or replaced?): the next `chief sync` writes them again"
            )
        return f"{head}{count} event(s) in the next 7 days; chief's entries are there"

    _check(f"calendar ({cfg.calendar.get('connector', 'ics')})", checks, calendar)

    if cfg.summary.via == "smtp":

        def sender() -> str:
            connector = rt.sender()
            if isinstance(connector, SelfChecks):
                return connector.check()
            return f"{type(connector).__name__} ready"

        _check("summary sender (smtp)", checks, sender)

    def register() -> str:
        from bot.register.register import load_register

        if cfg.practice.register_file is None:
            return "no credentials register configured ([practice] register)"
        found = load_register(cfg.resolve(cfg.practice.register_file))
        return f"{len(found)} credential(s)"

    _check("credentials register", checks, register)

    def secrets() -> str:
        from bot.file_safety import require_private

        require_private(path, "configuration")
        problems = [
            f"{where} is {'readable' if mode & 0o044 else 'writable'} by others "
            f"(mode {mode:o}): chmod {fix:o} {where}"
            for where, fix in _private_paths(cfg)
            if (mode := _mode(where)) is not None and mode & 0o077
        ]
        if problems:
            raise ChiefError("; ".join(problems))
        return "configuration, data folder, case log and pseudonym key are private (0600/0700)"

    _check("file permissions", checks, secrets)
    return checks


def _private_paths(cfg: Any) -> list[tuple[Path, int]]:
    """(path, the mode it should have) for what holds patient data or its keys: the data
    folder, the pseudonym key and a SQLite case log with its journal files (a copy of
    ``chief.db`` others can read is the whole case log)."""
    found = [(cfg.data_path, 0o700), (cfg.data_path / "pseudonym.key", 0o600)]
    url = str(cfg.database_url)
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        db = Path(url.removeprefix("sqlite:///"))
        found += [(db.parent, 0o700)] if db.parent != cfg.data_path else []
        found += [(db.with_name(db.name + suffix), 0o600) for suffix in ("", "-wal", "-shm")]
    return found


def _mode(path: Path) -> int | None:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return None
