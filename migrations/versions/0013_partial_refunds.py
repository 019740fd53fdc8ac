"""Partial refunds: a sale can be refunded in parts (items or an amount).
Each refund is a row of ``checkout_refunds``; the sale keeps what was
refunded of it (``refunded_cents``), the stamps its parts took off its own
(``refunded_stamps``: ``stamps`` stays what it first earned) and each item
how many were returned (``refunded_quantity``). Sales refunded before were refunded whole.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from stampdesk.models import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("checkouts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("refunded_cents", sa.BigInteger(), nullable=False, server_default=sa.text("0"))
        )
        batch_op.add_column(
            sa.Column("refunded_stamps", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
    with op.batch_alter_table("checkout_items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("refunded_quantity", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
    op.create_table(
        "checkout_refunds",
        sa.Column("id", Id, primary_key=True),
        sa.Column("checkout_id", Id, sa.ForeignKey("checkouts.id"), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("till", sa.String(length=64), nullable=True),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("items", sa.Text(), nullable=True),
        sa.Column("whole", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("stamps", sa.Integer(), nullable=False),
        sa.Column("card_id", Id, sa.ForeignKey("cards.id"), nullable=True),
        sa.Column("taken", sa.Integer(), nullable=False, server_default=sa.text("0")),
    )
    op.create_index("ix_checkout_refunds_checkout_id", "checkout_refunds", ["checkout_id"])
    op.create_index("ix_checkout_refunds_at", "checkout_refunds", ["at"])


def downgrade() -> None:
    op.drop_index("ix_checkout_refunds_at", table_name="checkout_refunds")
    op.drop_index("ix_checkout_refunds_checkout_id", table_name="checkout_refunds")
    op.drop_table("checkout_refunds")
    with op.batch_alter_table("checkout_items", schema=None) as batch_op:
        batch_op.drop_column("refunded_quantity")
    with op.batch_alter_table("checkouts", schema=None) as batch_op:
        batch_op.drop_column("refunded_stamps")
        batch_op.drop_column("refunded_cents")
