"""practice: the fingerprint of its pseudonym key

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 23:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not a batch: SQLite (3.35+) adds and drops a column in place, where a
# batch would copy the practice table, which every other table's foreign keys point at.


def upgrade() -> None:
    # Empty for the practices already there: the key of the next process to open each is
    # taken as the one its rows were written with.
    op.add_column("practice", sa.Column("pseudonym_check", sa.String(length=16), nullable=True))


def downgrade() -> None:
    op.drop_column("practice", "pseudonym_check")
