"""The till's lookups use indexes: no full scan, however big the shop gets."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from stampdesk.desk import Desk
from stampdesk.models import cards
from stampdesk.services.cards import search_statement


def plan(desk: Desk, statement: Any, params: dict[str, Any] | None = None) -> str:
    """The database's plan for ``statement`` run with ``params``."""
    engine = desk.store.engine
    compiled = statement.compile(dialect=engine.dialect)
    values = {**compiled.params, **(params or {})}
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            ordered = tuple(values[name] for name in compiled.positiontup)
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", ordered).all()
            return "\n".join(str(r[-1]) for r in rows)
        # On a near-empty table PostgreSQL rightly prefers a sequential scan;
        # forbidding it shows whether an index can serve the query at all.
        conn.exec_driver_sql("SET enable_seqscan = off")
        rows = conn.exec_driver_sql(f"EXPLAIN {compiled}", values).all()
        return "\n".join(r[0] for r in rows)


@pytest.mark.parametrize("query", ["mar", "Élodie Mar", "elodie@exa", "0612345678"])
def test_search_uses_an_index(desk: Desk, query: str) -> None:
    desk.enrol(name="Élodie Marchand", email="elodie@example.org", phone="06 12 34 56 78")
    text = plan(desk, *search_statement(query))
    if desk.store.engine.dialect.name == "sqlite":
        # Every table is reached by an index search; "SCAN" would be a full scan.
        assert all(line.startswith("SEARCH") for line in text.splitlines()), text
        assert (
            "(word>? AND word<?)" in text
            or "_key>? AND" in text
            or "email>? AND" in text
            or "phone>? AND" in text
        )
    else:
        assert "Index" in text and "Seq Scan" not in text, text
    assert [m.name for m in desk.search(query)] == ["Élodie Marchand"]


def test_lookup_by_card_number_uses_the_unique_index(desk: Desk) -> None:
    text = plan(desk, select(cards.c.id).where(cards.c.number == "2900000000001"))
    assert "INDEX" in text.upper() and "SCAN cards" not in text and "Seq Scan" not in text, text


def test_a_retried_key_is_found_by_index(desk: Desk) -> None:
    from stampdesk.services.checkout import _key_used

    # The lookup every keyed sale makes: this till's key.
    text = plan(desk, _key_used(), {"scope": "till1", "key": "till1-42"})
    assert "uq_checkouts_idempotency_scope_key" in text and "SCAN checkouts" not in text, text


def test_the_leaderboard_finds_the_months_sales_by_time(desk: Desk) -> None:
    from datetime import date

    from stampdesk.services.leaderboard import board_statement

    ana = desk.enrol(name="Ana Martin", leaderboard=True)
    desk.checkout(card=ana.number, amount="4.50")
    text = plan(desk, *board_statement(desk.store, date(2026, 3, 1), 10))
    # The sales by their time, then each card and customer by its key: no
    # pass over every card or every sale.
    assert "ix_checkouts_at" in text, text
    if desk.store.engine.dialect.name == "sqlite":
        assert "SCAN cards" not in text and "SCAN customers" not in text and "SCAN checkouts" not in text, (
            text
        )
    else:
        assert "Seq Scan" not in text, text
    assert [e.name for e in desk.leaderboard(date(2026, 3, 1)).entries] == ["Ana"]


def test_a_cards_unused_coupons_are_found_by_the_card(sqlite_desk: Desk) -> None:
    """Not through an index of every coupon by use (which once led the
    planner through every unused coupon of the shop at each scan)."""
    from stampdesk.services.cards import _live_coupons_query

    text = plan(sqlite_desk, _live_coupons_query(), {"card_id": 1})
    assert "uq_coupons_live_milestone" in text and "redeemed_at" not in text, text
