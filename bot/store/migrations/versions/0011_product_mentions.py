"""products named on cases, for recalls

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 10:00:00

A product a dispensary's message names on a case (a patient's protocol refill, a reorder) is
kept as its name's words (``product_mention``), so a recall of that product can list the cases,
and so the patients (by pseudonym, never a name), who had it (bot/features/recalls.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "product_mention",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("practice_id", sa.Integer(), sa.ForeignKey("practice.id"), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("case_.id"), nullable=False),
        sa.Column("product", sa.String(length=200), nullable=False),
        sa.Column("seen_on", sa.Date(), nullable=False),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_product_mention_practice_id", "product_mention", ["practice_id"])
    op.create_index("ix_product_mention_case_id", "product_mention", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_product_mention_case_id", table_name="product_mention")
    op.drop_index("ix_product_mention_practice_id", table_name="product_mention")
    op.drop_table("product_mention")
