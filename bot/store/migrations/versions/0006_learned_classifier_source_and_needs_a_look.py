"""the learned classifier: who classified each message, and "Needs a look"

Revision ID: 0006_learned
Revises: 0005
Create Date: 2026-12-06 05:00:00

A message row records who classified it (``source``: rule, model or null) with the winner's
confidence, and, for a message the bot would not act on alone, why (``needs_look``) and the
learned model's guess (``guess_category``, ``guess_case_kind``, ``guess_confidence``). Rows
logged before have null in every new column: they were classified by the rules alone.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_learned"
down_revision = "0005"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("source", sa.String(length=10)),
    ("confidence", sa.Float()),
    ("needs_look", sa.String(length=20)),
    ("guess_category", sa.String(length=50)),
    ("guess_case_kind", sa.String(length=50)),
    ("guess_confidence", sa.Float()),
)


def upgrade() -> None:
    for name, kind in _COLUMNS:
        op.add_column("message", sa.Column(name, kind, nullable=True))
    op.create_index("ix_message_needs_look", "message", ["needs_look"])


def downgrade() -> None:
    op.drop_index("ix_message_needs_look", table_name="message")
    with op.batch_alter_table("message", schema=None) as batch_op:
        for name, _ in reversed(_COLUMNS):
            batch_op.drop_column(name)
