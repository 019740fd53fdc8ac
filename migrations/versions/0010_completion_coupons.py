"""A completion's final reward is a coupon of its own: one live final reward
per card cycle, apart from the milestone coupons (one live per cycle and
position, as before). A lowered stamps_per_card can put the final reward where a
milestone the card already holds stands; the final reward is then issued
beside it instead of colliding with it.

Existing final rewards are the coupons the ledger's completions point to
(one per cycle kept live: the earliest).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

LIVE = "voided_at IS NULL"
FINAL_REWARD = "voided_at IS NULL AND final_reward = 1"


def upgrade() -> None:
    with op.batch_alter_table("coupons", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("final_reward", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch_op.drop_index("uq_coupons_live_milestone")
    conn = op.get_bind()
    completions = "SELECT coupon_id FROM ledger WHERE kind = 'completion' AND coupon_id IS NOT NULL"
    conn.execute(
        sa.text(f"UPDATE coupons SET final_reward = 1 WHERE voided_at IS NOT NULL AND id IN ({completions})")
    )
    # A cycle could hold two live final rewards before (a used one kept
    # after its completion was undone, then a completion at another
    # position): the earliest stays the cycle's final reward.
    conn.execute(
        sa.text(
            "UPDATE coupons SET final_reward = 1 WHERE id IN ("
            f"SELECT min(id) FROM coupons WHERE voided_at IS NULL AND id IN ({completions}) "
            "GROUP BY card_id, cycle)"
        )
    )
    with op.batch_alter_table("coupons", schema=None) as batch_op:
        batch_op.create_index(
            "uq_coupons_live_milestone",
            ["card_id", "cycle", "milestone_at", "final_reward"],
            unique=True,
            sqlite_where=sa.text(LIVE),
            postgresql_where=sa.text(LIVE),
        )
        batch_op.create_index(
            "uq_coupons_live_final_reward",
            ["card_id", "cycle"],
            unique=True,
            sqlite_where=sa.text(FINAL_REWARD),
            postgresql_where=sa.text(FINAL_REWARD),
        )


def downgrade() -> None:
    with op.batch_alter_table("coupons", schema=None) as batch_op:
        batch_op.drop_index("uq_coupons_live_final_reward")
        batch_op.drop_index("uq_coupons_live_milestone")
    # Where a final reward stands beside a milestone coupon of the same
    # cycle and position, the old index cannot hold both: the final reward
    # keeps its place, the milestone coupon (issued first) is voided.
    conn = op.get_bind()
    conn.execute(
        sa.text(
            "UPDATE coupons SET voided_at = CURRENT_TIMESTAMP WHERE voided_at IS NULL AND final_reward = 0 "
            "AND EXISTS (SELECT 1 FROM coupons f WHERE f.card_id = coupons.card_id AND f.cycle = coupons.cycle "
            "AND f.milestone_at = coupons.milestone_at AND f.final_reward = 1 AND f.voided_at IS NULL)"
        )
    )
    with op.batch_alter_table("coupons", schema=None) as batch_op:
        batch_op.drop_column("final_reward")
        batch_op.create_index(
            "uq_coupons_live_milestone",
            ["card_id", "cycle", "milestone_at"],
            unique=True,
            sqlite_where=sa.text(LIVE),
            postgresql_where=sa.text(LIVE),
        )
