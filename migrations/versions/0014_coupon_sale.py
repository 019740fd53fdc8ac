"""The sale in which a coupon's reward was handed over (``stampdesk redeem
--checkout``), if the till said: the report's reward cost per sale reads it.
Coupons used before were used outside any sale.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("coupons", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("redeemed_checkout_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True)
        )
        batch_op.create_foreign_key(
            "fk_coupons_redeemed_checkout_id_checkouts", "checkouts", ["redeemed_checkout_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("coupons", schema=None) as batch_op:
        batch_op.drop_constraint("fk_coupons_redeemed_checkout_id_checkouts", type_="foreignkey")
        batch_op.drop_column("redeemed_checkout_id")
