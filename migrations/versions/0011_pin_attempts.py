"""The wrong PINs in a row at each till, and its lockout, kept in the
database: quitting the till or opening it twice no longer starts a new
count.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from stampdesk.models import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pin_attempts",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("till", sa.String(length=64), nullable=False),
        sa.Column("wrong", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("locked_until", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_pin_attempts_shop_id_shops")),
        sa.PrimaryKeyConstraint("shop_id", "till", name=op.f("pk_pin_attempts")),
    )


def downgrade() -> None:
    op.drop_table("pin_attempts")
