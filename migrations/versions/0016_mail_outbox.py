"""Customer e-mails: the outbox, one row per kind, card and occasion (decided
once), sent at most once (claimed with a lease before it goes), and the
campaigns' held-out customers.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from stampdesk.models import Id, UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_outbox",
        sa.Column("id", Id, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("card_id", Id, nullable=False),
        sa.Column("customer_id", Id, nullable=False),
        sa.Column("occasion", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("decided_at", UTCDateTime, nullable=False),
        sa.Column("stale_at", UTCDateTime, nullable=False),
        sa.Column("next_attempt_at", UTCDateTime, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("lease_until", UTCDateTime, nullable=True),
        sa.Column("sent_at", UTCDateTime, nullable=True),
        sa.Column("coupon_id", Id, nullable=True),
        sa.Column("message_id", sa.String(length=200), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["card_id"], ["cards.id"], name="fk_mail_outbox_card_id_cards"),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name="fk_mail_outbox_customer_id_customers"),
        sa.ForeignKeyConstraint(["coupon_id"], ["coupons.id"], name="fk_mail_outbox_coupon_id_coupons"),
        sa.PrimaryKeyConstraint("id", name="pk_mail_outbox"),
    )
    op.create_index(
        "uq_mail_outbox_kind_card_id_occasion", "mail_outbox", ["kind", "card_id", "occasion"], unique=True
    )
    op.create_index(
        "ix_mail_outbox_queued",
        "mail_outbox",
        ["next_attempt_at"],
        sqlite_where=sa.text("state = 'queued'"),
        postgresql_where=sa.text("state = 'queued'"),
    )
    op.create_index(
        "ix_mail_outbox_sending",
        "mail_outbox",
        ["lease_until"],
        sqlite_where=sa.text("state = 'sending'"),
        postgresql_where=sa.text("state = 'sending'"),
    )
    op.create_index("ix_mail_outbox_customer_id_sent_at", "mail_outbox", ["customer_id", "sent_at"])
    op.create_index("ix_mail_outbox_decided_at", "mail_outbox", ["decided_at"])


def downgrade() -> None:
    op.drop_table("mail_outbox")
