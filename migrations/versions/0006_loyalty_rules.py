"""What the loyalty rules need: a card's visits and last visit (surprises,
referral, expiry), a sale's visit flag, tier and receipt lines, and the
leaderboard opt-in; sales looked up by card and time (tiers' rolling window).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from stampdesk.models import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("visits", sa.Integer(), nullable=False, server_default=sa.text("0")))
        batch_op.add_column(sa.Column("last_visit_at", UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("checkouts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("visit", sa.Integer(), nullable=False, server_default=sa.text("0")))
        batch_op.add_column(sa.Column("tier", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("messages", sa.Text(), nullable=True))
        batch_op.create_index("ix_checkouts_card_id_at", ["card_id", "at"])
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("leaderboard", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
    # Sales recorded before: a sale that earned stamps on a card was a visit.
    op.execute("UPDATE checkouts SET visit = 1 WHERE card_id IS NOT NULL AND stamps > 0")
    op.execute(
        "UPDATE cards SET visits = (SELECT count(*) FROM checkouts WHERE checkouts.card_id = cards.id "
        "AND checkouts.visit = 1 AND checkouts.refunded_at IS NULL)"
    )
    op.execute(
        "UPDATE cards SET last_visit_at = coalesce((SELECT max(checkouts.at) FROM checkouts "
        "WHERE checkouts.card_id = cards.id AND checkouts.refunded_at IS NULL), cards.created_at)"
    )


def downgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("leaderboard")
    with op.batch_alter_table("checkouts", schema=None) as batch_op:
        batch_op.drop_index("ix_checkouts_card_id_at")
        batch_op.drop_column("messages")
        batch_op.drop_column("tier")
        batch_op.drop_column("visit")
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.drop_column("last_visit_at")
        batch_op.drop_column("visits")
