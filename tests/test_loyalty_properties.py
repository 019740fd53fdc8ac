"""Property-based tests of the loyalty rules over random sequences of sales
(some in quiet hours, some with a pastry), refunds, redemptions, long
absences (stamps lapse), manual adjustments and programme changes, on a
real SQLite file, for a referred card and its referrer.

Invariants after every step: the ledger reconciles (completions with their
final rewards included); no balance is below zero; one live coupon at most
per card cycle and milestone, one final reward at most per card cycle; a
sale then its refund leaves the card as it was; a refund takes back what
its sale gave, down to zero at most, and leaves no unused reward the card
no longer holds the stamps for.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import case, func, select

from helpers import LOYALTY_PROGRAM, Clock, make_desk
from stampdesk import Refused
from stampdesk.desk import Desk
from stampdesk.models import cards, coupons, ledger

LOYALTY = LOYALTY_PROGRAM.read_text(encoding="utf-8")
# A second version: other tiers and multipliers, a shorter lapse, no surprise.
CHANGED = (
    LOYALTY.replace('min_visits = 8\nmin_spend = "120.00"', 'min_visits = 5\nmin_spend = "60.00"')
    .replace("stamp_multiplier = 2", "stamp_multiplier = 3")
    .replace("stamps_after_days = 180", "stamps_after_days = 40")
    .replace("at_visit = 4", "at_visit = 6")
)

amounts = st.decimals(min_value=Decimal("0.50"), max_value=Decimal("45.00"), places=2)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("sale"), amounts, st.integers(min_value=0, max_value=80), st.booleans()),
        st.tuples(st.just("refund"), st.integers(min_value=0, max_value=30)),
        st.tuples(st.just("redeem"), st.integers(min_value=0, max_value=30)),
        st.tuples(st.just("away"), st.integers(min_value=20, max_value=200)),
        st.tuples(st.just("adjust"), st.integers(min_value=-12, max_value=12).filter(bool)),
        st.tuples(st.just("program"), st.booleans()),
        st.tuples(st.just("sale_then_refund"), amounts, st.booleans()),
        st.tuples(st.just("referrer_sale"), amounts),
    ),
    min_size=1,
    max_size=30,
)


@pytest.fixture
def fresh_shop(tmp_path: Path) -> Callable[[], tuple[Desk, Clock]]:
    """A new shop (its own SQLite file and clock) for each example, so that
    a failing sequence replays exactly."""
    made = itertools.count()

    def make() -> tuple[Desk, Clock]:
        clock = Clock(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
        desk = make_desk(f"sqlite:///{tmp_path / f'shop-{next(made)}.db'}", clock)
        desk.load_program_text(LOYALTY)
        return desk, clock

    return make


def stamps_held(desk: Desk, number: str) -> int:
    """The stamps a card holds since its last lapse, completed cards included."""
    with desk.store.read() as conn:
        card_id = conn.execute(select(cards.c.id).where(cards.c.number == number)).scalar_one()
        wall = conn.execute(
            select(func.coalesce(func.max(ledger.c.id), 0)).where(
                ledger.c.card_id == card_id, ledger.c.kind == "expiry"
            )
        ).scalar_one()
        return int(
            conn.execute(
                select(func.coalesce(func.sum(ledger.c.stamps), 0)).where(
                    ledger.c.card_id == card_id,
                    ledger.c.id > wall,
                    ledger.c.kind.not_in(("completion", "completion_reversed")),
                )
            ).scalar_one()
        )


def given_by(desk: Desk, number: str, checkout: int) -> int:
    with desk.store.read() as conn:
        card_id = conn.execute(select(cards.c.id).where(cards.c.number == number)).scalar_one()
        return int(
            conn.execute(
                select(func.coalesce(func.sum(ledger.c.stamps), 0)).where(
                    ledger.c.card_id == card_id,
                    ledger.c.checkout_id == checkout,
                    ledger.c.kind.in_(("earn", "claim", "surprise", "referral")),
                )
            ).scalar_one()
        )


def one_live_coupon_per_milestone(desk: Desk) -> bool:
    """One live coupon per card cycle and milestone, and one final reward per card cycle."""
    # A final reward's place is its cycle alone (its position: any).
    place = case((coupons.c.final_reward == 1, -1), else_=coupons.c.milestone_at)
    with desk.store.read() as conn:
        doubles = conn.execute(
            select(coupons.c.card_id, coupons.c.cycle, place)
            .where(coupons.c.voided_at.is_(None))
            .group_by(coupons.c.card_id, coupons.c.cycle, place)
            .having(func.count() > 1)
        ).all()
    return not doubles


def unused_rewards_are_still_held(desk: Desk, number: str) -> bool:
    """Every unused milestone coupon of the card's current cycle is for a
    milestone its balance still reaches."""
    with desk.store.read() as conn:
        card = conn.execute(select(cards).where(cards.c.number == number)).one()
        beyond = conn.execute(
            select(coupons.c.code).where(
                coupons.c.card_id == card.id,
                coupons.c.cycle == card.cycle,
                coupons.c.milestone_at > card.balance,
                coupons.c.redeemed_at.is_(None),
                coupons.c.voided_at.is_(None),
            )
        ).all()
    return not beyond


def state(desk: Desk, number: str) -> tuple[int, int, frozenset[str], str | None]:
    card = desk.card(number)
    return card.balance, card.cycle, frozenset(c.code for c in card.coupons), card.tier


def pastry(with_pastry: bool) -> list[dict[str, str]]:
    return [{"sku": "CROISSANT", "category": "pastry", "unit_price": "1.40"}] if with_pastry else []


@settings(
    max_examples=int(os.environ.get("STAMPDESK_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ops=operations)
def test_random_histories_keep_every_loyalty_invariant(
    fresh_shop: Callable[[], tuple[Desk, Clock]],
    ops: list[tuple],  # type: ignore[type-arg]
) -> None:
    desk, clock = fresh_shop()
    try:
        run(desk, clock, ops)
    finally:
        desk.close()


def run(desk: Desk, clock: Clock, ops: list[tuple]) -> None:  # type: ignore[type-arg]
    friend = desk.enrol(name="Referrer", birthday="1990-01-20").number
    number = desk.enrol(name="Property Tester", birthday="1991-02-10", referrer=friend).number
    sales: list[int] = []
    issued: list[str] = []
    for op in ops:
        kind = op[0]
        if kind == "sale":
            clock.advance(hours=op[2])
            result = desk.checkout(card=number, amount=str(op[1]), items=pastry(op[3]))
            sales.append(result.checkout)
            issued.extend(c.code for c in result.coupons)
        elif kind == "refund" and sales:
            checkout = sales[op[1] % len(sales)]
            desk.expire()  # stamps that lapsed since the last visit go first
            held, gave = stamps_held(desk, number), given_by(desk, number, checkout)
            lapsed_before = desk.sale(checkout).at < last_lapse(desk, number)
            try:
                change = desk.refund(checkout)
            except Refused as refused:
                assert refused.code == "already_refunded"
            else:
                expected = held if lapsed_before else max(0, held - gave)
                assert stamps_held(desk, number) == expected
                assert -change.stamps <= gave
                assert unused_rewards_are_still_held(desk, number)
        elif kind == "redeem" and issued:
            try:
                desk.redeem(issued[op[1] % len(issued)])
            except Refused as refused:
                assert refused.code in ("coupon_used", "coupon_voided", "coupon_expired")
        elif kind == "away":
            clock.advance(days=op[1])
        elif kind == "adjust":
            desk.adjust(number, op[1], reason="property test", staff="hypothesis")
        elif kind == "program":
            clock.advance(minutes=5)
            desk.load_program_text(CHANGED if op[1] else LOYALTY)
        elif kind == "sale_then_refund":
            clock.advance(hours=1)
            before = state(desk, number)
            sale = desk.checkout(card=number, amount=str(op[1]), items=pastry(op[2]))
            desk.refund(sale.checkout)
            assert state(desk, number) == before
        elif kind == "referrer_sale":
            clock.advance(hours=2)
            desk.checkout(card=friend, amount=str(op[1]))
        report = desk.check()
        assert report.ok, report.mismatches
        for card in (number, friend):
            assert desk.card(card).balance >= 0
        assert one_live_coupon_per_milestone(desk)


def last_lapse(desk: Desk, number: str) -> datetime:
    with desk.store.read() as conn:
        card_id = conn.execute(select(cards.c.id).where(cards.c.number == number)).scalar_one()
        last = conn.execute(
            select(func.max(ledger.c.at)).where(ledger.c.card_id == card_id, ledger.c.kind == "expiry")
        ).scalar()
    return last if last is not None else datetime.min.replace(tzinfo=UTC)
