"""Replacing a draft chief wrote with a new version of it, crash-safely, on every connector.

A report updated by a new note (:mod:`bot.features.note_reports`) replaces the draft chief
wrote when the practitioner has not edited it: the old draft is removed and the new version
written under the same IDEMPOTENCY KEY, so it is found again like any draft, and in the same
conversation (it carries the same In-Reply-To and References, and each connector threads it
as it threaded the first: by headers on Maildir and IMAP, the Gmail thread, Outlook's
``createReply``). One algorithm for every connector, on :class:`connectors.base.WithdrawsDrafts`
(read back, remove) and :class:`connectors.base.DraftSink` (write once per key).

REVISION
    Journalled on the draft's own row before anything is removed (:func:`journal_revision`):
    state ``revise``, ``raw`` the new version, ``written_digest`` still the digest
    (:func:`connectors.base.draft_digest`) of what chief wrote before. Only a draft whose copy
    in the mailbox has that digest is journalled (:func:`unedited`).

:func:`carry_out` reads the mailbox's copy again, and goes on from wherever a crash left it:

- the copy is the new version (written before a crash, not recorded): recorded;
- the copy is still chief's old version: removed (crash point ``report.delete``), the new
  version written (``report.remote``), recorded;
- there is no copy (removed before a crash): the new version written, recorded;
- the copy is neither (the practitioner edited it after the journal): hers is left alone, the
  revision dropped (``edited``), and the caller drafts the new version beside it.

Recorded in the caller's transaction: state ``written``, the new remote id and digest, an
audit entry ``draft.replace``. A rerun after a crash at any point ends with one current draft,
and a draft the practitioner edited is never removed.
"""

from __future__ import annotations

from typing import Literal, Protocol, runtime_checkable

from sqlalchemy.orm import Session

from bot import crash
from bot.store.models import Draft
from bot.sync.audit import connector_name, record_audit
from bot.sync.runtime import Runtime
from connectors.base import DraftSink, OutgoingDraft, WithdrawsDrafts, draft_digest

__all__ = ["REVISE", "Revisable", "carry_out", "journal_revision", "unedited"]

REVISE = "revise"
Outcome = Literal["replaced", "edited"]


@runtime_checkable
class Revisable(DraftSink, WithdrawsDrafts, Protocol):
    """A mailbox that writes drafts and reads back and removes its own (every connector)."""


def unedited(draft: Draft, content: bytes | None) -> bool:
    """Whether ``content`` (the mailbox's copy of ``draft``) is still what chief wrote."""
    return (
        content is not None
        and draft.written_digest is not None
        and draft_digest(content) == draft.written_digest
    )


def journal_revision(draft: Draft, raw: bytes) -> None:
    """Journal ``raw`` as the new version of the written ``draft`` (the caller commits)."""
    draft.raw, draft.state = raw, REVISE


def carry_out(rt: Runtime, session: Session, sink: Revisable, draft: Draft, detail: str) -> Outcome:
    """Carry out the REVISION journalled on ``draft`` (module docstring); raises
    :class:`bot.errors.ConnectorError` with the journal left as it is, to go on next time."""
    assert draft.state == REVISE and draft.raw is not None
    new = draft_digest(draft.raw)
    content = sink.draft_content(draft.key)
    if content is not None and draft_digest(content) != new:
        if not unedited(draft, content):
            draft.state, draft.raw = "written", None  # hers now: left alone
            return "edited"
        sink.delete_draft(draft.key)
        crash.step("report.delete")
        content = None
    if content is None:
        remote: str | None = sink.create_draft(OutgoingDraft(key=draft.key, raw=draft.raw))
        crash.step("report.remote")
    else:
        remote = sink.find_draft(draft.key)  # the new version, written before a crash
    record_audit(
        session,
        rt,
        "draft.replace",
        draft.key,
        remote_id=remote,
        connector=connector_name(rt, "mail"),
        case_id=draft.case_id,
        detail=detail,
    )
    draft.state, draft.remote_id, draft.written_digest, draft.raw = "written", remote, new, None
    return "replaced"
