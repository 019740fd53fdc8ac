"""A customer's consent to marketing e-mails, apart from their card: given or
not (never by default), when it last changed and where (join_page, till, api,
cli, card_page, unsubscribe). And the language they chose on their card page
(none: the shop's).

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from stampdesk.models import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("marketing", sa.Integer(), nullable=False, server_default=sa.text("0")))
        batch_op.add_column(sa.Column("marketing_at", UTCDateTime, nullable=True))
        batch_op.add_column(sa.Column("marketing_source", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("language")
        batch_op.drop_column("marketing_source")
        batch_op.drop_column("marketing_at")
        batch_op.drop_column("marketing")
