"""The practice's credentials register: licences, registrations and certificates with expiry dates.

The register is a YAML file in the practice folder (``credentials.yaml``)::

    credentials:
      - id: ny-licence          # stable id: reminder keys derive from it
        kind: state_licence     # see KINDS
        name: New York State medical license
        issuer: NYSED Office of the Professions
        number: "298765"        # optional; quote it so leading zeros survive
        expires: 2027-03-31
        lead_days: [90, 30, 7]  # optional; default from config (90, 30, 7)
        renewal_url: https://...  # optional

The same file holds the practice's CME requirements and protocols (:mod:`bot.register.register`).

Why reminders matter (domain facts, with sources in ``rules/clocks.yaml``): no controlled
substances may be prescribed on an expired DEA registration (21 CFR 1301.13); CAQH marks a
profile "Expired" the day after a missed re-attestation; NCQA payer recredentialing has no grace
period; HCPC renewal runs 1 August - 31 October of odd years.

Calendar plan (:func:`plan_reminders`), decided as follows:

- an all-day **expiry** entry on the expiry date, always (past or future), key
  ``credential-<id>-expires``;
- one all-day **renewal reminder** per lead time, dated expiry - lead, key
  ``credential-<id>-lead-<n>``; reminders whose date is already before ``today`` are not planned
  (any written earlier stay in the calendar: the sink only upserts);
- an **EXPIRED** entry dated ``today`` while the credential is expired, key
  ``credential-<id>-expired``: one entry that moves to the current day on each daily plan (an
  update in place, never a duplicate), so the practitioner sees it on today's calendar until the
  register shows the renewal.

Keys depend only on the credential id and the lead, never on the date, so a renewal (a new
``expires``) moves the existing entries instead of adding new ones. Alarms: ``(0,)`` by default,
i.e. at the start of the all-day entry (midnight). Negative "after start" triggers such as 09:00 on
the day are not portable (Google Calendar and Microsoft Graph accept only minutes *before* the
start), so a practice wanting an alarm the evening before passes e.g. ``alarm_minutes=(180,)``.
When a renewal window opens, a preparation checklist is drafted too
(:mod:`bot.features.renewal_checklist`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.rules.yaml_source import item_problems, unique_items
from connectors.base import CalendarEntry

__all__ = [
    "DEFAULT_LEAD_DAYS",
    "KINDS",
    "Credential",
    "DueItem",
    "credentials_from",
    "due_items",
    "plain_date",
    "plan_reminders",
    "reminder_key",
]

log = logging.getLogger(__name__)

Kind = Literal[
    "state_licence",
    "dea",
    "board_certification",
    "hcpc",
    "gmc",
    "caqh",
    "hospital_privileges",
    "indemnity",
    "cme",
    "other",
]
KINDS: tuple[str, ...] = get_args(Kind)
DEFAULT_LEAD_DAYS: tuple[int, ...] = (90, 30, 7)
CATEGORY = "credential"
_ID = r"^[a-z0-9][a-z0-9._-]{0,63}$"  # safe inside an iCalendar UID and a file name
_KNOWN_KEYS = ("id", "kind", "name", "issuer", "number", "expires", "lead_days", "renewal_url")


@dataclass(frozen=True, slots=True)
class Credential:
    """One entry of the register. ``origin`` is ``file:line`` of its definition."""

    id: str
    kind: str
    name: str
    expires: date
    lead_days: tuple[int, ...] = DEFAULT_LEAD_DAYS
    issuer: str = ""
    number: str | None = None
    renewal_url: str | None = None
    origin: str = ""


@dataclass(frozen=True, slots=True)
class DueItem:
    """A line of the daily summary: a credential to renew, or already expired.

    ``status`` is ``expired`` (expiry before today), ``due`` (expires within the summary's
    window or its renewal window, i.e. the longest lead time, has opened).
    ``days_left`` is negative once expired.
    """

    credential: Credential
    status: Literal["expired", "due"]
    days_left: int

    @property
    def expires(self) -> date:
        return self.credential.expires


class _CredentialModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, Field(strict=True, pattern=_ID)]
    kind: Kind
    name: Annotated[str, Field(strict=True, min_length=1, max_length=200)]
    issuer: Annotated[str, Field(strict=True, max_length=200)] = ""
    number: Annotated[str, Field(strict=True, max_length=100)] | None = None
    expires: date
    lead_days: list[Annotated[int, Field(strict=True, ge=0, le=3650)]] | None = None
    renewal_url: Annotated[str, Field(strict=True, max_length=2000)] | None = None

    @field_validator("expires", mode="before")
    @classmethod
    def _plain_date(cls, value: Any) -> Any:
        return plain_date(value)

    @field_validator("renewal_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://\S+$", value):
            raise ValueError("must be an http(s) address")
        return value


def credentials_from(
    items: Any, path: Path, default_lead_days: Sequence[int], problems: list[str]
) -> list[Credential]:
    """The valid entries of a register's ``credentials:`` list; problems appended."""
    out: list[Credential] = []
    defaults = tuple(sorted(set(default_lead_days), reverse=True))
    for line, item in unique_items(items, path, "credential", problems):
        credential = _validate(item, path, line, defaults, problems)
        if credential is not None:
            out.append(credential)
    return out


def plain_date(value: Any) -> Any:
    """A YAML date (2027-03-31) or its text; a datetime or a number is a mistake, not a date."""
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return value.strip()
    raise ValueError("must be a date written YYYY-MM-DD")


def _explain(key: str, error_type: str) -> str | None:
    if key == "number" and error_type == "string_type":
        return '`number` must be quoted text (e.g. "012345") so no digit is lost'
    if key == "id" and error_type == "string_pattern_mismatch":
        return "`id` must be lower-case letters, digits, '.', '-' or '_' (max 64)"
    if key == "kind":
        return f"`kind` must be one of: {', '.join(KINDS)}"
    return None


def _validate(
    item: Any, path: Path, line: int, defaults: tuple[int, ...], problems: list[str]
) -> Credential | None:
    if not isinstance(item, Mapping):
        problems.append(f"{path}:{line}: each credential must be a mapping (id, kind, ...)")
        return None
    label = f"credential `{item['id']}`" if isinstance(item.get("id"), str) else "credential"
    try:
        model = _CredentialModel.model_validate(dict(item))
    except ValidationError as exc:
        problems.extend(item_problems(exc, item, path, line, label, _KNOWN_KEYS, _explain))
        return None
    leads = (
        defaults if model.lead_days is None else tuple(sorted(set(model.lead_days), reverse=True))
    )
    return Credential(
        id=model.id,
        kind=model.kind,
        name=model.name.strip(),
        expires=model.expires,
        lead_days=leads,
        issuer=model.issuer.strip(),
        number=model.number,
        renewal_url=model.renewal_url,
        origin=f"{path}:{line}",
    )


def reminder_key(credential_id: str, purpose: str) -> str:
    """The idempotency key of one planned entry: ``credential-<id>-<purpose>``."""
    return f"credential-{credential_id}-{purpose}"


def plan_reminders(
    credentials: Iterable[Credential],
    today: date,
    alarm_minutes: tuple[int, ...] = (0,),
) -> list[CalendarEntry]:
    """Calendar entries for every credential (see the module docstring for the plan)."""
    entries: list[CalendarEntry] = []
    for cred in credentials:
        description = _description(cred)
        common: dict[str, Any] = {
            "description": description,
            "alarms": alarm_minutes,
            "categories": (CATEGORY, cred.kind),
        }
        entries.append(
            CalendarEntry(
                key=reminder_key(cred.id, "expires"),
                summary=f"Expires: {cred.name}",
                start=cred.expires,
                end=cred.expires + timedelta(days=1),
                extra={"credential_id": cred.id, "purpose": "expires"},
                **common,
            )
        )
        if cred.expires < today:
            entries.append(
                CalendarEntry(
                    key=reminder_key(cred.id, "expired"),
                    summary=f"EXPIRED: {cred.name}",  # the date is in the description
                    start=today,
                    end=today + timedelta(days=1),
                    extra={"credential_id": cred.id, "purpose": "expired"},
                    **common,
                )
            )
            continue
        for lead in cred.lead_days:
            when = cred.expires - timedelta(days=lead)
            if lead == 0 or when < today:
                continue  # lead 0 is the expiry entry itself; past reminders are not re-planned
            entries.append(
                CalendarEntry(
                    key=reminder_key(cred.id, f"lead-{lead}"),
                    summary=f"Renew {cred.name}: expires in {lead} days",
                    start=when,
                    end=when + timedelta(days=1),
                    extra={"credential_id": cred.id, "purpose": f"lead-{lead}"},
                    **common,
                )
            )
    return entries


def due_items(credentials: Iterable[Credential], today: date, within_days: int) -> list[DueItem]:
    """Credentials to show in the daily summary, most urgent first.

    Expired ones, those expiring within ``within_days``, and those whose renewal window (the
    longest lead time before expiry) is already open.
    """
    items: list[DueItem] = []
    for cred in credentials:
        days_left = (cred.expires - today).days
        if days_left < 0:
            items.append(DueItem(cred, "expired", days_left))
            continue
        window = max((within_days, *cred.lead_days))
        if days_left <= window:
            items.append(DueItem(cred, "due", days_left))
    items.sort(key=lambda item: (item.days_left, item.credential.id))
    return items


def _description(cred: Credential) -> str:
    lines = [f"{cred.name}", f"Expires: {cred.expires.isoformat()}"]
    if cred.issuer:
        lines.append(f"Issuer: {cred.issuer}")
    if cred.number:
        lines.append(f"Number: {cred.number}")
    if cred.renewal_url:
        lines.append(f"Renew at: {cred.renewal_url}")
    lines.append(f"(credentials register entry `{cred.id}`)")
    return "\n".join(lines)
