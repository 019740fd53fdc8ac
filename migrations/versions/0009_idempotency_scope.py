"""Idempotency keys scoped to their sender: a sale's key is unique per till
(its scope), with the moment it was first used; a refund's or a
redemption's key is unique per operation and till.

Existing keyed sales take the till they were sold at (the empty scope for
none), first used at their sale's moment; stored refunds and redemptions
recorded no till and take the empty scope.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from stampdesk.models import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

KEPT = "idempotency_scope IS NOT NULL"
KEYED = "idempotency_key IS NOT NULL"


def upgrade() -> None:
    # Columns added in place (no copy of the sales on SQLite): nullable, or
    # with a plain default.
    with op.batch_alter_table("checkouts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idempotency_scope", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("idempotency_at", UTCDateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE checkouts SET idempotency_scope = COALESCE(till, ''), idempotency_at = at "
        "WHERE idempotency_key IS NOT NULL"
    )
    with op.batch_alter_table("checkouts", schema=None) as batch_op:
        batch_op.drop_index("uq_checkouts_idempotency_key", sqlite_where=sa.text(KEYED))
        batch_op.create_index(
            "uq_checkouts_idempotency_scope_key",
            ["idempotency_scope", "idempotency_key"],
            unique=True,
            sqlite_where=sa.text(KEPT),
            postgresql_where=sa.text(KEPT),
        )
    with op.batch_alter_table("idempotent_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope", sa.String(length=64), nullable=False, server_default=""))
    with op.batch_alter_table("idempotent_requests", schema=None) as batch_op:
        batch_op.drop_index("uq_idempotent_requests_operation_key")
        batch_op.create_index(
            "uq_idempotent_requests_operation_scope_key", ["operation", "scope", "key"], unique=True
        )


def downgrade() -> None:
    # One answer per key again: the first of each key is kept.
    op.execute(
        "DELETE FROM idempotent_requests WHERE id NOT IN "
        "(SELECT min(id) FROM idempotent_requests GROUP BY operation, key)"
    )
    with op.batch_alter_table("idempotent_requests", schema=None) as batch_op:
        batch_op.drop_index("uq_idempotent_requests_operation_scope_key")
        batch_op.create_index("uq_idempotent_requests_operation_key", ["operation", "key"], unique=True)
        batch_op.drop_column("scope")
    # One sale per key again: forgotten keys and the later sales of a key go.
    op.execute(
        "UPDATE checkouts SET idempotency_key = NULL WHERE idempotency_key IS NOT NULL AND "
        "(idempotency_scope IS NULL OR id NOT IN (SELECT min(id) FROM checkouts "
        "WHERE idempotency_scope IS NOT NULL GROUP BY idempotency_key))"
    )
    with op.batch_alter_table("checkouts", schema=None) as batch_op:
        batch_op.drop_index("uq_checkouts_idempotency_scope_key", sqlite_where=sa.text(KEPT))
        batch_op.create_index(
            "uq_checkouts_idempotency_key",
            ["idempotency_key"],
            unique=True,
            sqlite_where=sa.text(KEYED),
            postgresql_where=sa.text(KEYED),
        )
        batch_op.drop_column("idempotency_at")
        batch_op.drop_column("idempotency_scope")
