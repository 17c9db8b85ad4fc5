"""``chief.toml``: the practice's configuration, validated with errors that name file and key.

Relative paths are resolved against the folder holding ``chief.toml``. The ``[mail]`` and
``[calendar]`` tables name a connector and pass their other keys to its constructor; a key the
connector does not take is reported as ``unknown key `x` in [mail] of chief.toml; known: ...``.
"""

from __future__ import annotations

import inspect
import os
import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from bot.errors import UserError
from bot.file_safety import UnreadableFile, read_practice_file
from bot.mail.message import Limits
from bot.rules.correction_folders import CorrectionsConfig
from bot.toml_lines import toml_line
from connectors.tls import ca_file_problem

__all__ = ["Config", "PracticeConfig", "find_config", "load_config"]

CONFIG_ENV = "CHIEF_CONFIG"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class PracticeConfig(_Section):
    name: str
    slug: str = Field(default="practice", pattern=r"^[a-z0-9][a-z0-9-]*$")
    kind: str = "general"
    practitioner: str
    credentials: str = ""
    email: EmailStr
    phone: str = ""
    address: str = ""
    signature: str = ""
    fee_terms: str = ""
    # A US practice's National Provider Identifier, printed in payers' letters (appeals,
    # claim and prior authorization queries).
    npi: str = Field(default="", pattern=r"^([0-9]{10})?$")
    country: Literal["US", "GB"] = "US"
    timezone: str = "UTC"
    register_file: Path | None = Field(default=None, alias="register")
    # The closures of the schools the practice writes to (first and last day, inclusive): a
    # date due before a school meeting is never due while the school is shut.
    school_closures: list[tuple[date, date]] = Field(default_factory=list)

    @field_validator("school_closures")
    @classmethod
    def _closures_in_order(cls, value: list[tuple[date, date]]) -> list[tuple[date, date]]:
        for first, last in value:
            if last < first:
                raise ValueError(f"a closure ends ({last}) before it starts ({first})")
        return value

    # The practice's own addresses and domains (staff, shared inboxes such as billing@): a
    # draft is never addressed to them; mail they forward is answered to its original sender.
    own_addresses: list[str] = Field(default_factory=list)
    own_domains: list[str] = Field(default_factory=list)

    @field_validator("own_addresses", "own_domains")
    @classmethod
    def _own(cls, value: list[str], info: ValidationInfo) -> list[str]:
        domains = info.field_name == "own_domains"
        out = [v.strip().lower().lstrip("@" if domains else "").rstrip(".") for v in value]
        shape = r"[^@\s]+\.[^@\s]+" if domains else r"[^@\s]+@[^@\s]+\.[^@\s]+"
        for item in (item for item in out if not re.fullmatch(shape, item)):
            raise ValueError(f"not {'a domain' if domains else 'an e-mail address'}: {item!r}")
        return out

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from None
        return value


class FoldersConfig(_Section):
    dirs: list[Path] = Field(default_factory=list)


class RulesConfig(FoldersConfig):
    # The learned classifier behind the rules (bot/rules/second_opinion.py): it classifies
    # what no rule recognises and sends doubtful mail to "Needs a look". false: rules alone.
    learned: bool = True
    # The model's probability at or above which it files a message alone (default: the model
    # file's own); 1.0 sends everything only the model recognises to "Needs a look".
    learned_threshold: float | None = Field(default=None, ge=0.5, le=1.0)


class DatabaseConfig(_Section):
    url: str = "sqlite:///data/chief.db"
    # At-rest encryption of a SQLite case log (bot/store/crypto.py): "none" or "sqlcipher", with
    # the key in the OS keyring or in key_file (0600).
    encryption: Literal["none", "sqlcipher"] = "none"
    key_file: str = "secrets/database.key"


class RemindersConfig(_Section):
    credential_lead_days: list[int] = Field(default_factory=lambda: [90, 30, 7])
    deadline_alarm_minutes: list[int] = Field(default_factory=lambda: [3 * 24 * 60, 24 * 60])
    invite_alarm_minutes: list[int] = Field(default_factory=lambda: [24 * 60, 60])


class ChaseConfig(_Section):
    """Chase intervals (practice policy, not regulation), each in business days.

    Each key sets one clock (``bot.clocks.clocks.CHASE_CLOCKS``); ``calendar`` sets the
    holiday calendar those business days skip (england, wales, scotland, northern_ireland, us,
    weekends, or an ISO code such as US-NY). Unset keys keep the shipped clocks' values.
    """

    prior_auth_pended: int | None = Field(default=None, ge=1, le=60)
    claim: int | None = Field(default=None, ge=1, le=60)
    solicitor_acknowledge: int | None = Field(default=None, ge=1, le=60)
    referral_acknowledge: int | None = Field(default=None, ge=1, le=60)
    calendar: str | None = None

    @field_validator("calendar")
    @classmethod
    def _known_calendar(cls, value: str | None) -> str | None:
        if value is not None:
            from bot.clocks.clocks import business_calendar

            business_calendar(value)  # ValueError names the known calendars
        return value

    def intervals(self) -> dict[str, int]:
        """The intervals set, by ``[chase]`` key."""
        return {
            key: value
            for key, value in self.model_dump(exclude={"calendar"}).items()
            if value is not None
        }


Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class ResearchConfig(_Section):
    """The weekly research digest: journal alerts collected since the last one."""

    digest_weekday: Weekday = "monday"


class SummaryConfig(_Section):
    to: EmailStr | None = None  # default: the practitioner's own address
    via: Literal["mailbox", "smtp"] = "mailbox"  # into the inbox, or by [smtp]
    hour: int = Field(default=7, ge=0, le=23)
    within_days: int = Field(default=14, ge=1, le=90)
    # How a patient named in a calendar title ("Patient: <name>") is shown in the summary:
    # "initials" (J.S., the default), "label" (the case's short id, else "patient") or
    # "full". A date of birth is shown only with "full".
    patient_names: Literal["initials", "label", "full"] = "initials"


class ReferralsConfig(_Section):
    # A referrer with no new referral for longer than this is listed as quiet in the summary.
    quiet_days: int = Field(default=90, ge=1, le=3650)
    # A referral the practitioner sent with no reply after this many days gets a chase draft.
    outbound_chase_days: int = Field(default=21, ge=1, le=365)
    # The modalities the practice refers to ("acupuncture", "nutrition"...): `chief network`
    # names each with no allied practitioner referred to in the last `gap_months` months.
    modalities: list[str] = Field(default_factory=list)
    gap_months: int = Field(default=6, ge=1, le=120)


class ScheduleConfig(_Section):
    sync_minutes: int = Field(default=5, ge=1, le=1440)
    # Sync as soon as mail arrives (IMAP IDLE on a second connection), not only every
    # sync_minutes; for connectors that can wait for mail.
    push: bool = True


_LIMITS = Limits()


class LimitsConfig(_Section):
    max_message_bytes: int = Field(default=_LIMITS.max_message_bytes, ge=1024)
    max_text_chars: int = Field(default=_LIMITS.max_text_chars, ge=1024)
    max_parts: int = Field(default=_LIMITS.max_parts, ge=1)
    max_depth: int = Field(default=_LIMITS.max_depth, ge=1)
    max_part_bytes: int = Field(default=_LIMITS.max_part_bytes, ge=1024)
    max_header_bytes: int = Field(default=_LIMITS.max_header_bytes, ge=1024)
    max_calendar_bytes: int = Field(default=_LIMITS.max_calendar_bytes, ge=1024)

    def limits(self) -> Limits:
        return Limits(
            max_message_bytes=self.max_message_bytes,
            max_text_chars=self.max_text_chars,
            max_parts=self.max_parts,
            max_depth=self.max_depth,
            max_part_bytes=self.max_part_bytes,
            max_header_bytes=self.max_header_bytes,
            max_calendar_bytes=self.max_calendar_bytes,
        )


class RetentionConfig(_Section):
    """How long the case log keeps message metadata (``bot/features/retention.py``); 0 keeps it.

    After ``message_days`` a logged message is reduced to its exactly-once key (so it is never
    read twice) and its filing: Message-ID, thread, sender and subject hashes and a payer's
    reply address are erased (a case still in correspondence keeps them until its last message
    is that old). After ``closed_case_days`` a closed case (CME certificates aside) is
    forgotten as by ``chief forget``. Applied at the end of every sync pass.
    """

    message_days: int = Field(default=0, ge=0, le=36500)
    closed_case_days: int = Field(default=0, ge=0, le=36500)


class Config(_Section):
    """The whole validated configuration; ``root`` is the folder of chief.toml."""

    root: Path
    path: Path
    practice: PracticeConfig
    data_dir: Path = Path("data")
    rules: RulesConfig = Field(default_factory=RulesConfig)
    templates: FoldersConfig = Field(default_factory=FoldersConfig)
    mail: dict[str, Any] = Field(default_factory=lambda: {"connector": "maildir"})
    calendar: dict[str, Any] = Field(default_factory=lambda: {"connector": "ics"})
    smtp: dict[str, Any] = Field(default_factory=dict)
    database: DatabaseConfig = Field(default_factory=DatabaseConfig)
    reminders: RemindersConfig = Field(default_factory=RemindersConfig)
    chase: ChaseConfig = Field(default_factory=ChaseConfig)
    research: ResearchConfig = Field(default_factory=ResearchConfig)
    summary: SummaryConfig = Field(default_factory=SummaryConfig)
    referrals: ReferralsConfig = Field(default_factory=ReferralsConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    retention: RetentionConfig = Field(default_factory=RetentionConfig)
    corrections: CorrectionsConfig = Field(default_factory=CorrectionsConfig)

    def resolve(self, path: Path | str) -> Path:
        path = Path(path).expanduser()
        return path if path.is_absolute() else self.root / path

    @property
    def data_path(self) -> Path:
        return self.resolve(self.data_dir)

    @property
    def database_url(self) -> str:
        url = self.database.url
        if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
            relative = url.removeprefix("sqlite:///")
            if relative != ":memory:":
                return f"sqlite:///{self.resolve(relative)}"
        return url

    @property
    def summary_to(self) -> str:
        return str(self.summary.to or self.practice.email)

    def connector_args(self, section: str) -> tuple[str, dict[str, Any]]:
        """(connector name, constructor kwargs) for ``[mail]``, ``[calendar]`` or ``[smtp]``:
        paths resolved, keys the connector does not take refused with the list of known ones.
        """
        from connectors import load_connector

        defaults = {"mail": "maildir", "calendar": "ics", "smtp": "smtp"}
        table = dict(getattr(self, section))
        name = str(table.pop("connector", defaults[section]))
        cls = load_connector(section, name)
        params = inspect.signature(cls).parameters
        known = [p for p in params if p not in _NOT_FROM_CONFIG]
        for key in table:
            if key not in known:
                try:
                    text = read_practice_file(self.path).decode("utf-8")
                    line = toml_line(text, [section, key])
                except (UnreadableFile, UnicodeDecodeError):
                    line = 1
                raise UserError(
                    f"{self.path.name}:{line}: unknown key `{key}` in [{section}] of "
                    f"{self.path.name}; known: {', '.join(known)}"
                )
        for key, value in list(table.items()):
            if key in ("path", "folder") or key.endswith(("_path", "_file")):
                table[key] = self.resolve(value)
        if (problem := ca_file_problem(section, table.get("ca_file"))) is not None:
            raise UserError(f"invalid [{section}] in {self.path.name}", [problem])
        return name, table

    def connector_sections(self) -> list[str]:
        """The connector tables this practice uses: ``[mail]``, ``[calendar]``, and ``[smtp]``
        when the summary goes by SMTP or the table is filled in."""
        return ["mail", "calendar", *(["smtp"] if self.summary.via == "smtp" or self.smtp else [])]

    def check_connectors(self) -> None:
        """Every connector table checked as the runtime will read it (keys known to the
        connector, files such as ``ca_file`` usable); one :class:`UserError` naming every
        problem, so ``chief doctor`` reports each once, as configuration."""
        problems: list[str] = []
        for section in self.connector_sections():
            try:
                self.connector_args(section)
            except UserError as exc:
                problems.extend(exc.problems or [str(exc)])
        if problems:
            raise UserError(f"{self.path}: invalid configuration", problems)


# Constructor arguments the runtime supplies itself, never read from chief.toml.
_NOT_FROM_CONFIG = frozenset(
    {"self", "practitioner_address", "limits", "tz", "xoauth2_token_provider", "token_provider"}
)


def find_config(explicit: Path | None) -> Path:
    """The config path: ``--config``, else ``$CHIEF_CONFIG``, else ``./chief.toml``."""
    if explicit is not None:
        return explicit
    env = os.environ.get(CONFIG_ENV)
    return Path(env) if env else Path("chief.toml")


def load_config(path: Path) -> Config:
    """Read and validate ``path``; raise :class:`UserError` listing every problem."""
    try:
        raw = read_practice_file(path)
    except UnreadableFile as exc:
        if exc.missing:
            raise UserError(
                f"no configuration at {path}",
                ["create one with `chief init`, or pass --config / set CHIEF_CONFIG"],
            ) from None
        raise UserError(f"{path}:1: cannot use the configuration: {exc.reason}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message ends with "(at line N, column M)".
        raise UserError(f"{path}: {exc}") from None
    root = path.resolve().parent
    try:
        return Config.model_validate({**data, "root": root, "path": path.resolve()})
    except ValidationError as exc:
        text = raw.decode("utf-8")
        problems = []
        for item in exc.errors(include_url=False):
            loc = [str(p) for p in item["loc"]]
            table = ".".join(loc[:-1]) or "top level"
            key = loc[-1] if loc else "?"
            missing = item["type"] == "missing"  # no line of its own: its table's line
            where = f"{path}:{toml_line(text, loc[:-1] if missing else loc)}"
            if item["type"] == "extra_forbidden":
                problems.append(f"{where}: unknown key `{key}` in [{table}]")
            elif missing:
                problems.append(f"{where}: missing key `{key}` in [{table}]")
            else:
                problems.append(f"{where}: [{table}] `{key}`: {item['msg']}")
        raise UserError(f"{path}: invalid configuration", problems) from None
