"""The case log's tables (SQLAlchemy 2). Schema changes go through Alembic (``bot/migrations``).

Patient data is kept out: a message row holds ids, hashes, the category and the rule, never
the subject or the body (unless ``[privacy] store_bodies`` is set, which this version does not
offer), and a sender's address only when the sender is a payer in the party directory; a case
holds a patient *pseudonym* (a keyed hash), never a name or date of birth.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "AuditEvent",
    "Base",
    "CalendarEntryRow",
    "Case",
    "CaseEvent",
    "CaseRef",
    "Correction",
    "Credential",
    "Deadline",
    "Draft",
    "Mailbox",
    "MessageRow",
    "Party",
    "Payment",
    "LabelWrite",
    "LearnedCount",
    "Practice",
    "ResearchAlert",
]


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON}


class Practice(Base):
    __tablename__ = "practice"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # The fingerprint of the pseudonym key the practice's rows were written with
    # (Pseudonymiser.key_check): every process serving the practice must hold that key.
    pseudonym_check: Mapped[str | None] = mapped_column(String(16))


class Mailbox(Base):
    """One watched mailbox (connector + account) and its sync cursor."""

    __tablename__ = "mailbox"
    __table_args__ = (UniqueConstraint("practice_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"))
    name: Mapped[str] = mapped_column(String(200))
    connector: Mapped[str] = mapped_column(String(50))
    cursor: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # The cursor of the practitioner's sent mail (connectors.base.ReadsSentMail), its own.
    sent_cursor: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # The cursor of the correction folders (connectors.base.WatchesCorrections), its own too.
    corrections_cursor: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    last_sync: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Party(Base):
    __tablename__ = "party"
    __table_args__ = (UniqueConstraint("practice_id", "kind", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"))
    kind: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    domain: Mapped[str | None] = mapped_column(String(255))


class Case(Base):
    __tablename__ = "case_"
    id: Mapped[int] = mapped_column(primary_key=True)
    # What the case's remote objects are keyed by (bot.sync.matching.case_key): stable across
    # a rebuilt case log, unlike ``id``; a case logged before revision 0007 keeps its number.
    key: Mapped[str | None] = mapped_column(String(64), index=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    kind: Mapped[str] = mapped_column(String(50), index=True)
    status: Mapped[str] = mapped_column(String(50), default="open")
    party_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"))
    patient_pseudonym: Mapped[str | None] = mapped_column(String(64), index=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed: Mapped[bool] = mapped_column(Boolean, default=False)

    party: Mapped[Party | None] = relationship()
    refs: Mapped[list[CaseRef]] = relationship(back_populates="case", cascade="all")
    events: Mapped[list[CaseEvent]] = relationship(back_populates="case", cascade="all")

    @property
    def identity(self) -> str:
        """What remote objects of the case are keyed by: ``key``, else the number."""
        return self.key or str(self.id)


class CaseRef(Base):
    """A reference that identifies a case (claim number, PA number, EHCP ref, solicitor's ref)."""

    __tablename__ = "case_ref"
    __table_args__ = (UniqueConstraint("practice_id", "name", "value"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("case_.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    value: Mapped[str] = mapped_column(String(200))
    case: Mapped[Case] = relationship(back_populates="refs")


class MessageRow(Base):
    """A logged message; ``key`` (mailbox + provider id + Message-ID) makes it exactly-once."""

    __tablename__ = "message"
    __table_args__ = (
        UniqueConstraint("key"),
        Index("ix_message_mailbox_provider", "mailbox_id", "provider_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    mailbox_id: Mapped[int] = mapped_column(ForeignKey("mailbox.id"))
    provider_id: Mapped[str] = mapped_column(String(255))
    message_id: Mapped[str | None] = mapped_column(String(998), index=True)
    # Indexed: an original read after its reply finds the reply's case by it (matching).
    thread_root: Mapped[str | None] = mapped_column(String(998), index=True)
    received_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    logged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sender_domain: Mapped[str] = mapped_column(String(255), default="")
    sender_hash: Mapped[str] = mapped_column(String(64), default="")
    subject_hash: Mapped[str] = mapped_column(String(64), default="")
    category: Mapped[str | None] = mapped_column(String(50), index=True)
    case_kind: Mapped[str | None] = mapped_column(String(50))
    event: Mapped[str | None] = mapped_column(String(50))
    rule_id: Mapped[str | None] = mapped_column(String(200))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_.id"), index=True)
    # thread | reference | party | opened | adopted
    match_how: Mapped[str | None] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(String(200))
    # Where a reply goes, kept only for mail from a payer in the party directory (an
    # organisation's address, never a person's own): a later chase (bot/features/booking_guard.py)
    # is addressed with it. Null for every other sender.
    reply_address: Mapped[str | None] = mapped_column(String(320))
    # Who classified it (bot/rules/classification.py): "rule", "model" (the learned model,
    # no rule having fired) or null, with the winner's confidence.
    source: Mapped[str | None] = mapped_column(String(10))
    confidence: Mapped[float | None] = mapped_column(Float)
    # "Needs a look": why the bot did not act alone (low_confidence | disagrees), null when it
    # did; and the model's guess, kept for the practitioner and for later corrections.
    needs_look: Mapped[str | None] = mapped_column(String(20), index=True)
    guess_category: Mapped[str | None] = mapped_column(String(50))
    guess_case_kind: Mapped[str | None] = mapped_column(String(50))
    guess_confidence: Mapped[float | None] = mapped_column(Float)


class Payment(Base):
    """An amount a payer or a solicitor's mail states (bot/features/payments.py): what was billed,
    paid, adjusted, or left to the patient. One row per message and kind, so a message read twice
    is counted once. Amounts are in minor units (cents, pence) of ``currency`` (ISO 4217)."""

    __tablename__ = "payment"
    __table_args__ = (UniqueConstraint("message_id", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("message.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_.id"), index=True)
    party_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"))
    # The message's identifying reference (claim number, solicitor's ref), so amounts of
    # mail filed on no case still meet the claim they belong to.
    reference: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))  # billed|paid|adjusted|patient_responsibility
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    service_date: Mapped[date | None] = mapped_column(Date)  # date of service or of the invoice
    payment_date: Mapped[date | None] = mapped_column(Date)  # stated payment date (kind paid)
    noted_on: Mapped[date] = mapped_column(Date)  # the message's date, practice time zone


class CaseEvent(Base):
    __tablename__ = "case_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"))
    event: Mapped[str] = mapped_column(String(50))
    rule_id: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    case: Mapped[Case] = relationship(back_populates="events")


class Deadline(Base):
    __tablename__ = "deadline"
    __table_args__ = (UniqueConstraint("key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"))
    clock: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    due: Mapped[date] = mapped_column(Date, index=True)
    stated: Mapped[bool] = mapped_column(Boolean, default=False)  # date stated in the message
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    # Why and when it stopped being open ("approved on 3 Oct 2026", "reply sent on ...",
    # "done by hand on ..."): shown, never silently dropped (bot/sync/closing.py).
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_reason: Mapped[str | None] = mapped_column(String(200))


class Draft(Base):
    """A draft we plan (state ``planned``), then wrote (``written``, with its remote id).

    ``message_id`` is the message it answers; none for a draft that answers no message (a
    renewal checklist, ``bot/features/renewal_checklist.py``)."""

    __tablename__ = "draft"
    __table_args__ = (UniqueConstraint("key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_.id"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"))
    template: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(20), default="planned")
    remote_id: Mapped[str | None] = mapped_column(String(500))
    error: Mapped[str | None] = mapped_column(String(300))
    # The rendered draft, journalled before the remote write so a crash can be reconciled;
    # cleared once the draft is known to be in the Drafts folder.
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)
    # What a draft whose template failed is rendered from again (bot/sync/redrafting.py):
    # the answered message's headers and the template's values; cleared once it is written.
    source: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # A failed write is tried again from ``next_try`` (bot/sync/retries.py).
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_try: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The digest of what chief wrote (connectors.base.draft_digest), kept once it is
    # written: a correction withdraws the draft only while the mailbox's copy still matches it.
    written_digest: Mapped[str | None] = mapped_column(String(64))


class CalendarEntryRow(Base):
    __tablename__ = "calendar_entry"
    __table_args__ = (UniqueConstraint("key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    source: Mapped[str] = mapped_column(String(20))  # deadline|invite|credential
    start: Mapped[date] = mapped_column(Date)
    summary_hash: Mapped[str] = mapped_column(String(64))  # re-upsert when the entry changes
    state: Mapped[str] = mapped_column(String(20), default="planned")
    remote_id: Mapped[str | None] = mapped_column(String(500))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(String(300))
    # A failed write is tried again from ``next_try`` (bot/sync/retries.py).
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_try: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LabelWrite(Base):
    """A category label to put on a message in the mailbox (Gmail's ``category_labels``):
    journalled with the message's batch (``planned``), then put on and recorded (``written``)
    by ``bot/sync/effects.py``, as drafts and calendar entries are."""

    __tablename__ = "label_write"
    __table_args__ = (UniqueConstraint("key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    provider_id: Mapped[str] = mapped_column(String(255))
    category: Mapped[str] = mapped_column(String(50))
    state: Mapped[str] = mapped_column(String(20), default="planned", index=True)
    # add: the category's label put on; remove: taken off (a correction, or its undo)
    op: Mapped[str] = mapped_column(String(10), default="add", server_default="add")
    error: Mapped[str | None] = mapped_column(String(300))
    # A failed write is tried again from ``next_try`` (bot/sync/retries.py).
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_try: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ResearchAlert(Base):
    """A journal alert kept for the weekly research digest (``bot/features/research_digest.py``),
    logged with its message's batch: what a digest lists of a publisher's mailing and nothing
    more. ``key`` is the message's key, so a message read twice is kept once."""

    __tablename__ = "research_alert"
    __table_args__ = (UniqueConstraint("key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    logged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    received: Mapped[date | None] = mapped_column(Date)
    journal: Mapped[str] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(String(300))
    link: Mapped[str | None] = mapped_column(String(600))
    publisher: Mapped[str | None] = mapped_column(String(200))
    articles: Mapped[list[str]] = mapped_column(JSON)


class Credential(Base):
    __tablename__ = "credential"
    __table_args__ = (UniqueConstraint("practice_id", "ident"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"))
    ident: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    expires: Mapped[date] = mapped_column(Date)
    lead_days: Mapped[list[int]] = mapped_column(JSON)


class AuditEvent(Base):
    """Every external write (``bot/sync/audit.py``): who (``actor``), what (``action``, ``target``
    the idempotency key, ``remote_id``, ``connector``), when, and why (the ``rule`` that
    planned it, the ``case`` it belongs to). Ids and keys only, never content.

    ``case_id`` is deliberately not a foreign key: the trail outlives what it records (a
    forgotten case keeps its row as a tombstone, but the trail must never depend on that).
    """

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(50))
    action: Mapped[str] = mapped_column(String(50))
    target: Mapped[str] = mapped_column(String(64))
    remote_id: Mapped[str | None] = mapped_column(String(500))
    detail: Mapped[str | None] = mapped_column(Text)
    connector: Mapped[str | None] = mapped_column(String(50))  # maildir|imap|gmail|caldav|...
    case_id: Mapped[int | None] = mapped_column(index=True)
    rule: Mapped[str | None] = mapped_column(String(200))


class Correction(Base):
    """A message the practitioner moved (or labelled) into ``Chief/<Category>``: refiled once
    (``bot/sync/corrections.py``). ``key`` (the message's key and the category) makes it
    exactly-once, however often the mailbox reports the move. ``before`` is what the message
    was filed as (category, case kind, rule, case, deadlines closed, drafts withdrawn), so
    ``chief corrections undo`` can take it back; ``features`` the hashed feature ids it taught
    (never words); ``party_domain`` the sender's organisation domain it added to the practice's
    party directory (``party_state``: planned, written, removed)."""

    __tablename__ = "correction"
    __table_args__ = (UniqueConstraint("key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"))
    provider_id: Mapped[str] = mapped_column(String(255))
    category: Mapped[str | None] = mapped_column(String(50))  # None: not practice mail
    folder: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(20))  # refiled | undone
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    features: Mapped[list[int] | None] = mapped_column(JSON)
    label: Mapped[str | None] = mapped_column(String(120))
    party_domain: Mapped[str | None] = mapped_column(String(255))
    party_state: Mapped[str | None] = mapped_column(String(20))
    case_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Undone: the message moved back out of the correction folder (planned, returned, gone).
    return_state: Mapped[str | None] = mapped_column(String(20))


class LearnedCount(Base):
    """What the corrections taught the practice's own model (``bot/rules/practice_memory.py``):
    per label (``category/case_kind``, ``""`` for not practice mail) how many corrected
    messages carried each hashed feature id. Counts of hashes, never text."""

    __tablename__ = "learned_count"
    __table_args__ = (UniqueConstraint("practice_id", "label", "feature"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    label: Mapped[str] = mapped_column(String(120))
    feature: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer)
