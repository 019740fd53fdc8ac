"""Property-based tests over random sequences of sales, refunds, redemptions,
retries and adjustments on a real SQLite file.

Invariants: the ledger always reconciles with the balances; refunding the
latest sale restores the card exactly; a retried idempotency key never
doubles anything. The rules themselves (the daily cap, rewards, refunds)
are tested without a database in test_sale_plan; here, what is written
and read back.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import EXAMPLE_PROGRAM, Clock, counts, make_desk
from stampdesk import Refused
from stampdesk.desk import Desk

_keys = itertools.count()

amounts = st.decimals(min_value=Decimal("0.50"), max_value=Decimal("60.00"), places=2)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("sale"), amounts, st.integers(min_value=0, max_value=30)),
        st.tuples(st.just("refund"), st.integers(min_value=0, max_value=20)),
        st.tuples(st.just("redeem"), st.integers(min_value=0, max_value=20)),
        st.tuples(st.just("retry"), st.integers(min_value=0, max_value=20)),
        st.tuples(st.just("adjust"), st.integers(min_value=-12, max_value=12).filter(bool)),
        st.tuples(st.just("sale_then_refund"), amounts),
    ),
    min_size=1,
    max_size=30,
)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Desk, Clock]]:
    from datetime import UTC, datetime

    clock = Clock(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
    desk = make_desk(f"sqlite:///{tmp_path_factory.mktemp('prop') / 'shop.db'}", clock)
    desk.load_program_file(EXAMPLE_PROGRAM)
    yield desk, clock
    desk.close()


def day_cache_holds(desk: Desk, number: str) -> bool:
    """The card's stamps-of-the-day (for max_per_day) match its sales of that day."""
    with desk.store.engine.connect() as conn:
        day, cached, actual = conn.exec_driver_sql(
            "SELECT c.stamp_day, c.day_stamps, (SELECT coalesce(sum(s.stamps), 0) FROM checkouts s "
            "WHERE s.card_id = c.id AND s.day = c.stamp_day AND s.refunded_at IS NULL) "
            "FROM cards c WHERE c.number = ?",
            (number,),
        ).one()
    return day is None or cached == actual


def state(desk: Desk, number: str) -> tuple[int, int, frozenset[str]]:
    card = desk.card(number)
    return card.balance, card.cycle, frozenset(c.code for c in card.coupons)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_random_histories_keep_every_invariant(shop: tuple[Desk, Clock], ops: list[tuple]) -> None:  # type: ignore[type-arg]
    desk, clock = shop
    number = desk.enrol(name="Property Tester").number
    sales: list[tuple[int, str, str]] = []  # (checkout id, key, amount)
    coupons: list[str] = []
    for op in ops:
        kind = op[0]
        if kind == "sale":
            clock.advance(hours=op[2])
            key = f"prop-{next(_keys)}"
            result = desk.checkout(card=number, amount=str(op[1]), idempotency_key=key)
            sales.append((result.checkout, key, str(op[1])))
            coupons.extend(c.code for c in result.coupons)
        elif kind == "refund" and sales:
            checkout = sales[op[1] % len(sales)][0]
            try:
                desk.refund(checkout)
            except Refused as refused:
                assert refused.code == "already_refunded"
        elif kind == "redeem" and coupons:
            try:
                desk.redeem(coupons[op[1] % len(coupons)])
            except Refused as refused:
                assert refused.code in ("coupon_used", "coupon_voided", "coupon_expired")
        elif kind == "retry" and sales:
            checkout, key, amount = sales[op[1] % len(sales)]
            before = counts(desk)
            again = desk.checkout(card=number, amount=amount, idempotency_key=key)
            assert again.checkout == checkout and again.replayed
            assert counts(desk) == before
        elif kind == "adjust":
            desk.adjust(number, op[1], reason="property test", staff="hypothesis")
        elif kind == "sale_then_refund":
            clock.advance(hours=1)
            before = state(desk, number)
            sale = desk.checkout(card=number, amount=str(op[1]))
            desk.refund(sale.checkout)
            assert state(desk, number) == before
        report = desk.check()
        assert report.ok, report.mismatches
        assert day_cache_holds(desk, number)
