"""stable case keys; failed remote writes retried with backoff

Revision ID: 0007
Revises: 0006_learned
Create Date: 2026-12-06 04:15:00

``case_.key`` is the identity a case's remote objects are keyed by (its deadlines' calendar
entries, its booking chases), so that a case log rebuilt by syncing again gives them the
same keys and finds them on the calendar and in Drafts. A new case takes it from its first
message's thread (``bot/sync/matching.py``). A case logged before this revision keeps the
identity its entries were already written with, its number (the old keys were built from
it), so upgrading rewrites no entry and adds none to the calendar. ``message.thread_root`` is
indexed: an original read after its reply finds the reply's case by it.

``attempts`` and ``next_try`` on each journal (drafts, calendar entries, label writes): a
failed write is tried once per pass and again on a later pass after a growing wait
(``bot/sync/retries.py``), and stays in the summary until it succeeds or is dismissed;
``calendar_entry.error`` and ``label_write.error`` say why, as ``draft.error`` already did.
``draft.source`` keeps what a draft whose template failed is rendered from again once the
template is fixed (the answered message's headers and the template's values, as a journalled
draft keeps its rendered text), cleared once the draft is written.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006_learned"
branch_labels = None
depends_on = None

_JOURNALS = ("draft", "calendar_entry", "label_write")


def upgrade() -> None:
    op.add_column("case_", sa.Column("key", sa.String(length=64), nullable=True))
    op.create_index("ix_case__key", "case_", ["key"])
    # An original read after its reply finds the reply's case by its thread root.
    op.create_index("ix_message_thread_root", "message", ["thread_root"])
    # The identity the existing entries were keyed with: the case number.
    op.execute(sa.text("UPDATE case_ SET key = CAST(id AS VARCHAR(64))"))
    for table in _JOURNALS:
        op.add_column(
            table,
            sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        )
        op.add_column(table, sa.Column("next_try", sa.DateTime(timezone=True), nullable=True))
    for table in ("calendar_entry", "label_write"):
        op.add_column(table, sa.Column("error", sa.String(length=300), nullable=True))
    op.add_column("draft", sa.Column("source", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("draft", schema=None) as batch_op:
        batch_op.drop_column("source")
    for table in ("calendar_entry", "label_write"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("error")
    for table in _JOURNALS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("next_try")
            batch_op.drop_column("attempts")
    op.drop_index("ix_message_thread_root", table_name="message")
    op.drop_index("ix_case__key", table_name="case_")
    with op.batch_alter_table("case_", schema=None) as batch_op:
        batch_op.drop_column("key")
