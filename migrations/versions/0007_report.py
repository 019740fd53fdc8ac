"""What the owner's report reads: how each customer enrolled, what each
coupon costs the shop, each sale's card's month of enrolment and the months
each card came in (the retention table), and indexes that keep the report off full scans (customers by
enrolment, coupons by issue and use, the ledger's rarer rows by time).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Ledger rows other than a sale's stamps and completions: few, and what the
# report sums by time (starter, claim, surprise, referral, adjust, import,
# refund, expiry).
RARE_ROWS = "kind NOT IN ('earn', 'completion', 'completion_reversed')"
ERASED = "erased_at IS NOT NULL"
REDEEMED = "redeemed_at IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("channel", sa.String(length=16), nullable=False, server_default=sa.text("'till'"))
        )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index("ix_customers_created_at", ["created_at"])
        batch_op.create_index(
            "ix_customers_erased_at",
            ["erased_at"],
            sqlite_where=sa.text(ERASED),
            postgresql_where=sa.text(ERASED),
        )
    with op.batch_alter_table("checkouts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cohort", sa.String(length=7), nullable=True))
        # Sales by time now carry what the report counts (a covering index).
        batch_op.drop_index("ix_checkouts_at")
        batch_op.create_index("ix_checkouts_at", ["at", "card_id", "amount_cents", "refunded_at"])
    op.create_table(
        "card_months",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("cohort", sa.String(length=7), nullable=False),
        sa.Column("card_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("month", "cohort", "card_id", name=op.f("pk_card_months")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("coupons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cost_cents", sa.BigInteger(), nullable=True))
        batch_op.create_index("ix_coupons_issued_at", ["issued_at"])
        # Only used coupons: an index of every unused one (redeemed_at IS NULL)
        # would tempt the planner away from a card's own coupons.
        batch_op.create_index(
            "ix_coupons_redeemed_at",
            ["redeemed_at"],
            sqlite_where=sa.text(REDEEMED),
            postgresql_where=sa.text(REDEEMED),
        )
    with op.batch_alter_table("ledger", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_rare_at",
            ["at"],
            sqlite_where=sa.text(RARE_ROWS),
            postgresql_where=sa.text(RARE_ROWS),
        )
    # Customers enrolled before: from a receipt if their card claimed a sale,
    # imported if their card holds imported stamps, else at the till.
    op.execute(
        "UPDATE customers SET channel = 'receipt_qr' WHERE id IN (SELECT cards.customer_id FROM cards "
        "JOIN checkouts ON checkouts.claimed_card_id = cards.id)"
    )
    # A sale's card's month of enrolment (the retention table's row): the
    # month in UTC for the sales recorded before.
    op.execute(
        "UPDATE checkouts SET cohort = (SELECT substr(CAST(cards.created_at AS TEXT), 1, 7) FROM cards "
        "WHERE cards.id = checkouts.card_id) WHERE card_id IS NOT NULL"
    )
    op.execute(
        "INSERT INTO card_months (month, cohort, card_id) SELECT DISTINCT substr(day, 1, 7), cohort, card_id "
        "FROM checkouts WHERE card_id IS NOT NULL AND cohort IS NOT NULL AND refunded_at IS NULL"
    )
    op.execute(
        "UPDATE customers SET channel = 'import' WHERE id IN (SELECT cards.customer_id FROM cards "
        "JOIN ledger ON ledger.card_id = cards.id WHERE ledger.kind = 'import')"
    )


def downgrade() -> None:
    with op.batch_alter_table("ledger", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_ledger_rare_at", sqlite_where=sa.text(RARE_ROWS), postgresql_where=sa.text(RARE_ROWS)
        )
    op.drop_table("card_months")
    with op.batch_alter_table("checkouts", schema=None) as batch_op:
        batch_op.drop_index("ix_checkouts_at")
        batch_op.create_index("ix_checkouts_at", ["at"])
        batch_op.drop_column("cohort")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_customers_erased_at", sqlite_where=sa.text(ERASED), postgresql_where=sa.text(ERASED)
        )
        batch_op.drop_index("ix_customers_created_at")
    with op.batch_alter_table("coupons", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_coupons_redeemed_at", sqlite_where=sa.text(REDEEMED), postgresql_where=sa.text(REDEEMED)
        )
        batch_op.drop_index("ix_coupons_issued_at")
        batch_op.drop_column("cost_cents")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("channel")
