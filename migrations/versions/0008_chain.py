"""A chain of shops: shops named uniquely, tills each in one shop, a
programme version for the whole chain or for one shop, and the shop of a sale
in the index the report reads sales by time from.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from stampdesk.domain.validate import name_key
from stampdesk.models import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shops", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_key", sa.String(length=100), nullable=True))
    conn = op.get_bind()
    for shop_id, name in conn.execute(sa.text("SELECT id, name FROM shops")).all():
        conn.execute(
            sa.text("UPDATE shops SET name_key = :key WHERE id = :id"), {"key": name_key(name), "id": shop_id}
        )
    if conn.dialect.name == "postgresql":
        # The first shop was inserted with its id: the sequence must move past it.
        conn.execute(
            sa.text("SELECT setval(pg_get_serial_sequence('shops', 'id'), (SELECT max(id) FROM shops))")
        )
    with op.batch_alter_table("shops", schema=None) as batch_op:
        batch_op.alter_column("name_key", existing_type=sa.String(length=100), nullable=False)
        batch_op.create_index("uq_shops_name_key", ["name_key"], unique=True)
    op.create_table(
        "tills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_tills_shop_id_shops")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tills")),
        sa.UniqueConstraint("name", name=op.f("uq_tills_name")),
    )
    with op.batch_alter_table("program_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shop_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f("fk_program_versions_shop_id_shops"), "shops", ["shop_id"], ["id"])
    with op.batch_alter_table("checkouts", schema=None) as batch_op:
        batch_op.drop_index("ix_checkouts_at")
        batch_op.create_index("ix_checkouts_at", ["at", "card_id", "amount_cents", "refunded_at", "shop_id"])


def downgrade() -> None:
    with op.batch_alter_table("checkouts", schema=None) as batch_op:
        batch_op.drop_index("ix_checkouts_at")
        batch_op.create_index("ix_checkouts_at", ["at", "card_id", "amount_cents", "refunded_at"])
    with op.batch_alter_table("program_versions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_program_versions_shop_id_shops"), type_="foreignkey")
        batch_op.drop_column("shop_id")
    op.drop_table("tills")
    with op.batch_alter_table("shops", schema=None) as batch_op:
        batch_op.drop_index("uq_shops_name_key")
        batch_op.drop_column("name_key")
