"""Any sequence of partial refunds ends where one full refund ends: the same
card (stamps, cycle, visits, coupons and their states), the same sale (all
of it refunded) and the same report, on twin shops (real SQLite files) run
through the same history, under the loyalty programme (tiers, quiet hours,
category bonuses, a referral, completions, a coupon used or not)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from helpers import LOYALTY_PROGRAM, Clock, make_desk
from stampdesk.desk import Desk
from stampdesk.models import cards, checkouts, coupons

PRICES = {
    "SANDWICH": ("food", Decimal("8.50")),
    "TART": ("pastry", Decimal("3.20")),
    "TEA": ("drinks", Decimal("2.40")),
}


@pytest.fixture
def twin_shops(tmp_path: Path) -> Callable[[], list[tuple[Desk, Clock]]]:
    made = itertools.count()

    def make() -> list[tuple[Desk, Clock]]:
        shops = []
        for _ in range(2):
            clock = Clock(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))  # a Monday
            desk = make_desk(f"sqlite:///{tmp_path / f'shop-{next(made)}.db'}", clock)
            desk.load_program_file(LOYALTY_PROGRAM)
            shops.append((desk, clock))
        return shops

    return make


@st.composite
def histories(draw: Any) -> dict[str, Any]:
    quantities = {sku: draw(st.integers(0, 3)) for sku in PRICES}
    if not any(quantities.values()):
        quantities["TEA"] = 1
    return {
        "before": draw(st.integers(0, 14)),  # stamps on the card before the sale
        "hours": draw(st.integers(0, 9)),  # from 09:00 in Paris: the quiet hours are 14:00-17:00
        "quantities": quantities,
        "extra": draw(st.sampled_from(["0.00", "0.00", "1.10"])),  # a sale worth more than its items
        "redeem": draw(st.booleans()),
        "parts": draw(
            st.lists(
                st.tuples(st.sampled_from(["item", "amount"]), st.integers(1, 3), st.integers(1, 1500)),
                max_size=4,
            )
        ),
    }


@settings(
    max_examples=int(os.environ.get("STAMPDESK_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(history=histories())
def test_partial_refunds_end_where_one_full_refund_ends(
    twin_shops: Callable[[], list[tuple[Desk, Clock]]], history: dict[str, Any]
) -> None:
    (parts_desk, parts_clock), (whole_desk, whole_clock) = shops = twin_shops()
    try:
        numbers, sales = [], []
        for desk, clock in shops:
            number, checkout = sale(desk, clock, history)
            numbers.append(number)
            sales.append(checkout)
        # One desk refunds in parts (each refused part changes nothing), then the rest.
        left = dict(history["quantities"])
        for kind, quantity, cents in history["parts"]:
            parts_clock.advance(minutes=5)
            if kind == "item":
                sku = next((s for s, q in left.items() if q), None)
                if sku is None:
                    continue
                take = min(quantity, left[sku])
                done = parts_desk.refund(sales[0], items=[(sku, take)])
                left[sku] -= take
            else:
                kept = parts_desk.refund_preview(sales[0]).amount - refunded(parts_desk, sales[0])
                amount = min(Decimal(cents) / 100, kept)
                done = parts_desk.refund(sales[0], amount=str(amount))
            assert done.stamps <= 0
            if done.whole:
                break
        else:
            parts_clock.advance(minutes=5)
            parts_desk.refund(sales[0])
        whole_clock.advance(minutes=5 * (len(history["parts"]) + 1))
        whole_desk.refund(sales[1])
        assert outcome(parts_desk, numbers[0], sales[0]) == outcome(whole_desk, numbers[1], sales[1])
        assert parts_desk.check().ok
    finally:
        for desk, _ in shops:
            desk.close()


def sale(desk: Desk, clock: Clock, history: dict[str, Any]) -> tuple[str, int]:
    friend = desk.enrol(name="Referrer").number
    number = desk.enrol(name="Ana Martin", referrer=friend).number
    if history["before"]:
        desk.adjust(number, history["before"], reason="paper card", staff="Léa")
    clock.advance(hours=history["hours"])
    items = [
        {"sku": sku, "category": PRICES[sku][0], "quantity": q, "unit_price": str(PRICES[sku][1])}
        for sku, q in history["quantities"].items()
        if q
    ]
    amount = sum((PRICES[i["sku"]][1] * i["quantity"] for i in items), Decimal(history["extra"]))
    result = desk.checkout(card=number, amount=str(amount), items=items)
    if history["redeem"] and result.coupons:
        desk.redeem(result.coupons[0].code)
    return number, result.checkout


def refunded(desk: Desk, checkout: int) -> Decimal:
    with desk.store.read() as conn:
        cents = conn.execute(
            select(checkouts.c.refunded_cents).where(checkouts.c.id == checkout)
        ).scalar_one()
    return Decimal(cents) / 100


def outcome(desk: Desk, number: str, checkout: int) -> tuple[Any, ...]:
    """What a user would see of the card, the sale and the report."""
    card = desk.card(number)
    with desk.store.read() as conn:
        # Every coupon of the shop (the referrer's too), used, voided or not.
        held = conn.execute(
            select(
                cards.c.number == number,
                coupons.c.reward,
                coupons.c.cycle,
                coupons.c.milestone_at,
                coupons.c.redeemed_at.is_not(None),
                coupons.c.voided_at.is_not(None),
            ).select_from(coupons.join(cards, cards.c.id == coupons.c.card_id))
        ).all()
        friend = conn.execute(select(cards.c.balance).where(cards.c.number != number)).scalars().all()
        row = conn.execute(
            select(
                checkouts.c.refunded_at.is_not(None), checkouts.c.refunded_cents, checkouts.c.amount_cents
            ).where(checkouts.c.id == checkout)
        ).one()
    report = desk.report()
    return (
        card.balance,
        card.cycle,
        card.visits,
        card.tier,
        sorted(tuple(c) for c in held),
        sorted(friend),
        tuple(row),
        report.refunded,
        report.revenue_members,
        report.stamps_issued,
        report.coupons_issued,
        report.coupons_redeemed,
    )
