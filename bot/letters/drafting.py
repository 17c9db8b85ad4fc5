"""Reply drafts rendered from Jinja2 templates, as complete RFC 5322 messages.

A draft is written into the practitioner's own Drafts folder and never sent by us.
:class:`Drafter` renders a template (:mod:`bot.letters.templates`) with the context below and
finishes it with safe headers (:mod:`bot.letters.headers`).

Reply-template context (the contract every draft template may rely on)
----------------------------------------------------------------------
``practice``  mapping: ``name``, ``practitioner``, ``credentials`` (post-nominals), ``email``,
              ``phone``, ``address``, ``signature`` (free text, preferred when set),
              ``fee_terms`` (optional medico-legal fee terms), ``npi`` (a US practice's
              NPI, for payers' letters), ``country`` (``US`` or ``GB``: templates spell and
              date for it); missing keys are ``None``.
``register``  list of the practice's credentials register entries, each a mapping ``kind``,
              ``name``, ``issuer``, ``number`` (or None), ``expires`` (date); empty without one.
``message``   mapping for the message replied to: ``from_name``, ``from_addr``, ``subject``,
              ``date`` (aware datetime or None), ``received_date`` (date or None).
``case``      mapping: ``kind``, ``status``, ``reference`` (primary reference value or None),
              ``refs`` (dict), ``opened`` (date or None); missing keys are ``None``.
``refs``      dict of references extracted by the rules (``pa_ref``, ``claim_ref``, ``ehcp_ref``,
              ``solicitor_ref``, ``referral_ref``, ``amount``, ``reason_code``, ``meeting_date``
              ...). ``patient`` and ``dob`` are removed before rendering: templates show a
              placeholder for the patient instead.
``deadline``  ``None`` or mapping: ``due`` (date), ``clock`` (id), ``title``.
``today``     date.
``facts``     dict of what the message states beyond the rules' references
              (:func:`bot.rules.facts.stated_facts`: ``service_date``, ``procedure_code``,
              ``reason_code``, ``diagnosis_code``, ``claim_lines`` (a list of mappings ``code``,
              ``modifiers``, ``billed``), ``npi``, ``amount_billed``, ``required`` (a list),
              ``products`` (a list), ``event_date``, ``venue``, ``arrival_time``,
              ``report_within``, ``report_date``, ``steps_completed``, ``authority_enclosed``,
              ``recall`` (a mapping: ``product``, ``lot``, ``reason``)...); empty when
              none was read. The ``ref`` helpers look in ``refs``, ``case.refs``, then here.
``appeal``    ``None`` or mapping: ``due``, ``clock`` (the appeal window the notice's regime
              chose, which names the level of review).
``to_self``   True when the draft is addressed to the practitioner herself (see below).
``recipient`` mapping: ``address`` (or None), ``name``, ``how`` (``from``, ``reply_to``,
              ``forwarded``, ``directory``, ``none``, ``practitioner``) and ``note``: why the
              draft is addressed as it is when that is not simply the sender
              (:mod:`bot.letters.recipients`); the banner shows the note.
Templates must render when any reference is missing, with a visible placeholder such as
``{{ refs.get('pa_ref') or '[AUTHORISATION REFERENCE]' }}``: never an invented fact.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from bot.errors import UserError
from bot.keys import check_key
from bot.letters.headers import (
    MSGID_RE,
    NO_REPLY,
    OUTGOING_POLICY,
    STRIPPED_REFS,
    DraftTo,
    clean_body_text,
    clean_header_text,
    clean_value,
    finish_draft,
    reply_references,
    reply_subject,
    valid_address,
)
from bot.letters.recipients import OwnAddresses, Recipient, choose_recipient
from bot.letters.templates import (
    render_template,
    template_environment,
)
from bot.mail.message import Message
from connectors.base import OutgoingDraft

__all__ = [
    "Drafter",
    "practitioner_identity",
]

log = logging.getLogger(__name__)


_PRACTICE_KEYS = (
    "name",
    "practitioner",
    "credentials",
    "email",
    "phone",
    "address",
    "signature",
    "fee_terms",
    "npi",
    "country",
)
_CASE_KEYS = ("kind", "status", "reference", "refs", "opened")


def _with_defaults(value: Mapping[str, Any] | None, keys: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = dict.fromkeys(keys)
    out.update(value or {})
    return out


def practitioner_identity(practitioner: tuple[str, str]) -> Address:
    """The practitioner as a From/To header value; :class:`UserError` if the address is bad."""
    name, address = practitioner
    addr_spec = valid_address(address)
    if addr_spec is None:
        raise UserError(
            "the practitioner's address is not a valid e-mail address",
            ["set `email` in [practice] of chief.toml"],
        )
    return Address(display_name=clean_header_text(name, 200), addr_spec=addr_spec)


class Drafter:
    """Renders reply drafts from the templates in ``template_dirs`` (+ the shipped ones)."""

    def __init__(self, template_dirs: Sequence[Path] = ()) -> None:
        self.env = template_environment(template_dirs)

    def reload(self) -> None:
        """Forget the compiled templates (the environment does not look for changes), so a
        template fixed since it failed is read again (bot/sync/redrafting.py)."""
        if self.env.cache is not None:
            self.env.cache.clear()

    def reply_context(
        self,
        original: Message,
        context: Mapping[str, Any],
        recipient: Recipient | None = None,
    ) -> dict[str, Any]:
        """The documented template context: caller's values completed from ``original``."""
        received = original.date.date() if original.date else None
        reply_to = valid_address(original.reply_to or original.from_addr) or ""
        message = {
            "from_name": clean_header_text(original.from_name, 200),
            "from_addr": valid_address(original.from_addr) or "",
            "reply_to": reply_to,
            "no_reply": bool(NO_REPLY.search(reply_to.partition("@")[0])),
            "subject": clean_header_text(original.subject, 998),
            "date": original.date,
            "received_date": received,
        }
        message.update(clean_value(dict(context.get("message") or {})))
        refs = {k: v for k, v in dict(context.get("refs") or {}).items() if k not in STRIPPED_REFS}
        case = _with_defaults(context.get("case"), _CASE_KEYS)
        case["refs"] = {k: v for k, v in dict(case["refs"] or {}).items() if k not in STRIPPED_REFS}
        deadline = context.get("deadline")
        out = {k: v for k, v in context.items() if k not in ("patient", "dob")}
        out.update(
            practice=_with_defaults(context.get("practice"), _PRACTICE_KEYS),
            message=message,
            case=clean_value(case),
            refs=clean_value(refs),
            deadline=None
            if deadline is None
            else _with_defaults(deadline, ("due", "clock", "title")),
            today=context.get("today") or datetime.now(UTC).astimezone().date(),
            register=list(context.get("register") or ()),
            facts=clean_value(dict(context.get("facts") or {})),
            appeal=context.get("appeal"),
            to_self=bool(context.get("to_self")),
            recipient={
                "address": recipient.address if recipient else None,
                "name": clean_header_text(recipient.name, 200) if recipient else "",
                "how": recipient.how if recipient else "from",
                "note": clean_body_text(recipient.note) if recipient else "",
            },
        )
        if recipient is not None and recipient.how == "forwarded":
            # The letter answers the forwarded original: its writer, and the day they wrote
            # it (none when the forward does not say), not the colleague's forward.
            if recipient.name:
                out["message"]["from_name"] = clean_header_text(recipient.name, 200)
            out["message"]["date"] = recipient.sent
        return out

    def render_reply(
        self,
        template: str,
        original: Message,
        context: Mapping[str, Any],
        key: str,
        practitioner: tuple[str, str],
        *,
        now: datetime | None = None,
        to: DraftTo = "sender",
        recipient: Recipient | None = None,
    ) -> OutgoingDraft:
        """Render ``template`` as a reply to ``original``: see the module docstring.

        ``to="practitioner"`` addresses the draft to the practitioner herself instead of the
        original's sender; the template sees ``to_self`` true. ``recipient`` is whom the reply
        goes to (:func:`bot.letters.recipients.choose_recipient`); by default the one chosen
        with the practitioner's own address as the only one of the practice.
        """
        check_key(key)
        sender = practitioner_identity(practitioner)
        from_addr = sender.addr_spec
        to_self = to == "practitioner"
        if to_self:
            recipient = Recipient(from_addr, sender.display_name, "practitioner")
        elif recipient is None:
            recipient = choose_recipient(original, OwnAddresses.of([from_addr]))
        body, exported = render_template(
            self.env,
            template,
            self.reply_context(original, {**context, "to_self": to_self}, recipient),
        )
        subject = exported.get("subject")
        subject = clean_header_text(subject) if subject else reply_subject(original.subject)

        msg = EmailMessage(policy=OUTGOING_POLICY)
        msg["From"] = sender
        if recipient.address:
            msg["To"] = recipient.address
        else:
            log.info("message %s: draft has no To (%s)", original.fingerprint, recipient.how)
        msg["Subject"] = subject
        in_reply_to = (
            original.message_id
            if original.message_id and MSGID_RE.fullmatch(original.message_id)
            else None
        )
        if in_reply_to:
            msg["In-Reply-To"] = in_reply_to
        refs = reply_references(original)
        if refs:
            msg["References"] = " ".join(refs)
        raw = finish_draft(msg, from_addr, body, key, now)
        log.debug("draft %s rendered from %s for message %s", key, template, original.fingerprint)
        return OutgoingDraft(key=key, raw=raw, in_reply_to=in_reply_to)
