"""What a sale did, as outcome codes (below_minimum, daily_cap, milestone…),
kept with the sale so that its result says them again when it is replayed
or its receipt printed again. Sales recorded before carry none.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("checkouts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcomes", sa.String(length=400), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("checkouts", schema=None) as batch_op:
        batch_op.drop_column("outcomes")
