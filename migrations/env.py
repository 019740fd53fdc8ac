"""Alembic environment: stampdesk passes its own connection (``stampdesk init``);
developers run ``alembic`` from the repo with STAMPDESK_DB set."""

from __future__ import annotations

import os

from alembic import context

from stampdesk.db import make_engine
from stampdesk.models import metadata, use_postgresql

config = context.config


def run(connection) -> None:  # type: ignore[no-untyped-def]
    if connection.dialect.name == "postgresql":
        use_postgresql()  # the partial indexes' PostgreSQL conditions
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get(
        "STAMPDESK_DB", "sqlite:///stampdesk-dev.db"
    )
    engine = make_engine(url)
    with engine.connect() as conn:
        conn.execution_options(stampdesk_write=True)
        run(conn)
        conn.commit()
