"""an undone correction puts the message back; a category label chief put on can be taken off

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 10:15:00

``chief corrections undo`` moves the message out of its correction folder back to where it was
filed from, journalled on the correction (``correction.return_state``: planned, then returned
or gone). A correction on Gmail takes chief's own (wrong) category label off and puts the right
one on, and an undo the other way: a label write is now an addition or a removal
(``label_write.op``: add, remove; every row before this one an addition).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (SQLite and PostgreSQL alike), as in 0008 and 0010.
    op.add_column("correction", sa.Column("return_state", sa.String(length=20), nullable=True))
    op.add_column(
        "label_write",
        sa.Column("op", sa.String(length=10), nullable=False, server_default="add"),
    )


def downgrade() -> None:
    for table, column in (("label_write", "op"), ("correction", "return_state")):
        op.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN {column}"))
