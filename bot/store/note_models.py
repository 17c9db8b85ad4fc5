"""Tables of the practitioner's notes (:mod:`bot.features.case_notes`), the reports filled
from them (:mod:`bot.features.note_reports`) and the referrals she sends
(:mod:`bot.features.outbound_referrals`), and the products named on cases, for recalls
(:mod:`bot.features.recalls`). Imported with the package (:mod:`bot.store`), so
every table is on the one ``Base.metadata``."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models import Base

__all__ = ["CaseNote", "OutboundReferral", "ProductMention", "ReportDraft"]


class CaseNote(Base):
    """A practitioner's note on a case (bot/features/case_notes.py), ``body`` sealed; ``key``
    names its source (message, or notes/ file and content): a note read twice is kept once."""

    __tablename__ = "case_note"
    __table_args__ = (UniqueConstraint("key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_.id"), index=True)
    source: Mapped[str] = mapped_column(String(10))  # mail|file
    report: Mapped[str | None] = mapped_column(String(40))
    noted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    body: Mapped[str] = mapped_column(Text)


class ReportDraft(Base):
    """A report drafted from a case's notes (bot/features/note_reports.py): its draft's key now
    and the digest of what chief wrote, so a new note replaces only an unedited draft."""

    __tablename__ = "report_draft"
    __table_args__ = (UniqueConstraint("case_id", "report"), UniqueConstraint("key"))
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_.id"))
    report: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer, default=1)
    digest: Mapped[str] = mapped_column(String(64))  # of the draft as chief wrote it
    notes_digest: Mapped[str] = mapped_column(String(64))  # of the notes it was filled from
    state: Mapped[str] = mapped_column(String(20), default="drafted")  # drafted|update
    pending: Mapped[str | None] = mapped_column(Text)  # the update, sealed, until written
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OutboundReferral(Base):
    """A referral sent to an allied practitioner (bot/features/outbound_referrals.py), open
    until their reply, report or discharge; ``address`` (for a chase) is sealed."""

    __tablename__ = "outbound_referral"
    __table_args__ = (UniqueConstraint("key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_.id"), index=True)
    who: Mapped[str] = mapped_column(String(120), index=True)  # domain:... | sender:<hash>
    label: Mapped[str] = mapped_column(String(200))
    modality: Mapped[str | None] = mapped_column(String(50))
    message_id: Mapped[str | None] = mapped_column(String(998))
    address: Mapped[str | None] = mapped_column(Text)
    sent_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(20))  # reply|report|discharge
    chase_key: Mapped[str | None] = mapped_column(String(64))


class ProductMention(Base):
    """A product a dispensary's or supplier's message names on a case (a patient's protocol
    refill, a reorder): ``product`` its name's words, lower case, without sizes or counts
    ("magnesium glycinate"). A recall of the product lists the cases that named it, by case
    number (bot/features/recalls.py); the patient is the case's pseudonym, never a name.
    ``key`` (the message and the product) keeps a message read twice to one row."""

    __tablename__ = "product_mention"
    __table_args__ = (UniqueConstraint("key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_.id"), index=True)
    product: Mapped[str] = mapped_column(String(200))
    seen_on: Mapped[date] = mapped_column(Date)
