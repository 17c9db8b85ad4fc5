"""open deadlines close themselves: why and when each closed; the sent-mail cursor

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 05:00:00

A deadline a case's new status makes moot (an approved prior auth's chase), one the
practitioner's sent reply answers, or one closed by hand (``chief deadlines done``) keeps the
reason and time it closed (``deadline.closed_at``, ``deadline.closed_reason``). The mailbox
keeps a second cursor for the practitioner's sent mail (``mailbox.sent_cursor``), read by the
sent-replies pass (``bot/features/sent_replies.py``). Deadlines already done before this
revision are left without a reason.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (SQLite and PostgreSQL alike): a batch copy-and-move would drop the
    # mailbox table, which the message table references.
    op.add_column("deadline", sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("deadline", sa.Column("closed_reason", sa.String(length=200), nullable=True))
    op.add_column("mailbox", sa.Column("sent_cursor", sa.JSON(), nullable=True))


def downgrade() -> None:
    # DROP COLUMN in place (SQLite 3.35+, PostgreSQL), for the same reason.
    for table, column in (
        ("mailbox", "sent_cursor"),
        ("deadline", "closed_reason"),
        ("deadline", "closed_at"),
    ):
        op.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN {column}"))
