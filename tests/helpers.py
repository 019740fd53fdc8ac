"""Test helpers: read a database's whole content to prove nothing changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from stampdesk.desk import Desk
from stampdesk.models import metadata


def content(desk: Desk) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every stampdesk table, in a stable order."""
    dump: dict[str, list[tuple[Any, ...]]] = {}
    with desk.store.engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows = conn.execute(text(f"SELECT * FROM {table.name}")).all()
            dump[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return dump


def counts(desk: Desk) -> dict[str, int]:
    with desk.store.engine.connect() as conn:
        return {
            t.name: conn.execute(text(f"SELECT count(*) FROM {t.name}")).scalar_one()
            for t in metadata.sorted_tables
        }
