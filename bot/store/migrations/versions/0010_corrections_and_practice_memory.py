"""corrections from the mailbox: the corrections journal, what they teach, drafts' digests

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 07:00:00

A message the practitioner moves to ``Chief/<Category>`` is refiled once (``correction``: one row
per message and category, keyed, with what it was filed as before, so ``chief corrections undo``
can take it back). What a correction teaches the practice's own model is kept as hashed feature
counts per label (``learned_count``), never text. A draft chief wrote keeps the digest of what it
wrote (``draft.written_digest``), so a correction withdraws only a draft the practitioner left
untouched. The mailbox keeps a third cursor, for the correction folders.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "correction",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("practice_id", sa.Integer(), sa.ForeignKey("practice.id"), nullable=False),
        sa.Column("message_id", sa.Integer(), sa.ForeignKey("message.id"), nullable=True),
        sa.Column("provider_id", sa.String(length=255), nullable=False),
        sa.Column("category", sa.String(length=50), nullable=True),
        sa.Column("folder", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("features", sa.JSON(), nullable=True),
        sa.Column("label", sa.String(length=120), nullable=True),
        sa.Column("party_domain", sa.String(length=255), nullable=True),
        sa.Column("party_state", sa.String(length=20), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_correction_practice_id", "correction", ["practice_id"])
    op.create_table(
        "learned_count",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("practice_id", sa.Integer(), sa.ForeignKey("practice.id"), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("feature", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.UniqueConstraint("practice_id", "label", "feature"),
    )
    op.create_index("ix_learned_count_practice_id", "learned_count", ["practice_id"])
    # Plain ADD COLUMN (SQLite and PostgreSQL alike), as in 0008.
    op.add_column("draft", sa.Column("written_digest", sa.String(length=64), nullable=True))
    op.add_column("mailbox", sa.Column("corrections_cursor", sa.JSON(), nullable=True))


def downgrade() -> None:
    for table, column in (("mailbox", "corrections_cursor"), ("draft", "written_digest")):
        op.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN {column}"))
    op.drop_index("ix_learned_count_practice_id", table_name="learned_count")
    op.drop_table("learned_count")
    op.drop_index("ix_correction_practice_id", table_name="correction")
    op.drop_table("correction")
