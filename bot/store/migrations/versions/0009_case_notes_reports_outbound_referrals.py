"""the practitioner's notes, the reports drafted from them, outbound referrals

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 07:00:00

``case_note`` keeps each note the practitioner writes on a case (mail to herself, a file in
``notes/``), its body sealed with the practice key; ``report_draft`` the report chief drafted
from them (the digest of what it wrote, so a new note replaces only an unedited draft);
``outbound_referral`` each referral she sent to an allied practitioner, until its reply.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("report", sa.String(length=40), nullable=True),
        sa.Column("noted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_.id"]),
        sa.ForeignKeyConstraint(["practice_id"], ["practice.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_case_note_case_id", "case_note", ["case_id"])
    op.create_index("ix_case_note_practice_id", "case_note", ["practice_id"])
    op.create_table(
        "report_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("report", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("notes_digest", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("pending", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_.id"]),
        sa.ForeignKeyConstraint(["practice_id"], ["practice.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "report"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_report_draft_practice_id", "report_draft", ["practice_id"])
    op.create_table(
        "outbound_referral",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("who", sa.String(length=120), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("modality", sa.String(length=50), nullable=True),
        sa.Column("message_id", sa.String(length=998), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("chase_key", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_.id"]),
        sa.ForeignKeyConstraint(["practice_id"], ["practice.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_outbound_referral_case_id", "outbound_referral", ["case_id"])
    op.create_index("ix_outbound_referral_practice_id", "outbound_referral", ["practice_id"])
    op.create_index("ix_outbound_referral_who", "outbound_referral", ["who"])


def downgrade() -> None:
    op.drop_table("outbound_referral")
    op.drop_table("report_draft")
    op.drop_table("case_note")
