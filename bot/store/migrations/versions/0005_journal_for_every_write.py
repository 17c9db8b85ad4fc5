"""every write journalled in the case log: checklists as drafts, label writes, research alerts

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 04:00:00

A renewal checklist becomes a draft row that answers no message (``draft.message_id`` may be
null), so it goes through the same journal as every other draft; the cycles already drafted
(recorded until now only as ``checklist.create`` / ``checklist.reconcile`` audit rows) become
written draft rows, so none is drafted a second time. Category labels get a journal of their
own (``label_write``), and research alerts move from ``data/research/alerts.jsonl`` into the
case log (``research_alert``; the file's alerts are taken in by the first digest that reads
them, ``bot/features/research_digest.py``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_CHECKLIST = "credentialing/renewal_checklist.j2"


def upgrade() -> None:
    # The draft table is referenced by no other, so SQLite's copy-and-move batch is safe here.
    with op.batch_alter_table("draft", schema=None) as batch_op:
        batch_op.alter_column("message_id", existing_type=sa.Integer(), nullable=True)
    op.execute(
        sa.text(
            "INSERT INTO draft (key, practice_id, case_id, message_id, template, state,"
            " remote_id, created_at)"
            " SELECT a.target, a.practice_id, NULL, NULL, :template, 'written', a.remote_id,"
            " MIN(a.at) FROM audit_event a"
            " WHERE a.action IN ('checklist.create', 'checklist.reconcile')"
            " AND NOT EXISTS (SELECT 1 FROM draft d WHERE d.key = a.target)"
            " GROUP BY a.target, a.practice_id, a.remote_id"
        ).bindparams(template=_CHECKLIST)
    )
    op.create_table(
        "label_write",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.String(length=255), nullable=False),
        sa.Column("category", sa.String(length=50), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["practice_id"], ["practice.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_label_write_practice_id", "label_write", ["practice_id"])
    op.create_index("ix_label_write_state", "label_write", ["state"])
    op.create_table(
        "research_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("logged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received", sa.Date(), nullable=True),
        sa.Column("journal", sa.String(length=300), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("link", sa.String(length=600), nullable=True),
        sa.Column("publisher", sa.String(length=200), nullable=True),
        sa.Column("articles", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["practice_id"], ["practice.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_research_alert_practice_id", "research_alert", ["practice_id"])
    op.create_index("ix_research_alert_logged_at", "research_alert", ["logged_at"])


def downgrade() -> None:
    op.drop_index("ix_research_alert_logged_at", table_name="research_alert")
    op.drop_index("ix_research_alert_practice_id", table_name="research_alert")
    op.drop_table("research_alert")
    op.drop_index("ix_label_write_state", table_name="label_write")
    op.drop_index("ix_label_write_practice_id", table_name="label_write")
    op.drop_table("label_write")
    op.execute(sa.text("DELETE FROM draft WHERE message_id IS NULL"))
    with op.batch_alter_table("draft", schema=None) as batch_op:
        batch_op.alter_column("message_id", existing_type=sa.Integer(), nullable=False)
