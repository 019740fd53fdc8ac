"""Partial refunds on a real SQLite file and on PostgreSQL: a customer
returns one of two sandwiches, or the shop gives back part of the amount.
The sale's stamps are worked out again on what it keeps (the daily cap and
multiplier as they were at the sale) and the difference is taken back; parts
add up, never past the sale; the last part takes the rest."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from helpers import LOYALTY_PROGRAM, Clock, content, make_desk
from stampdesk import InvalidInput, Refused
from stampdesk.desk import Desk
from test_cli import ok_json, refused

SANDWICHES = [
    {"sku": "SANDWICH", "category": "food", "quantity": 2, "unit_price": "12.50"},
]
LUNCH = [
    {"sku": "SANDWICH", "category": "food", "quantity": 1, "unit_price": "8.00"},
    {"sku": "JUICE", "category": "drinks", "quantity": 2, "unit_price": "3.00"},
    {"sku": "SANDWICH", "category": "food", "quantity": 1, "unit_price": "8.00"},
]


def two_sandwiches(desk: Desk) -> tuple[str, int]:
    """Ana's card (2 starter stamps) and her sale of two sandwiches: 25.00,
    1 + 2 = 3 stamps (balance 5, the croissant at 3)."""
    number = desk.enrol(name="Ana Martin").number
    sale = desk.checkout(card=number, amount="25.00", items=SANDWICHES)
    assert (sale.stamps_added, sale.balance) == (3, 5)
    return number, sale.checkout


def test_returning_one_of_two_sandwiches_takes_back_what_the_sale_no_longer_earns(desk: Desk) -> None:
    number, checkout = two_sandwiches(desk)
    done = desk.refund(checkout, items=[("SANDWICH", 1)])
    # 12.50 kept: 1 + 1 = 2 stamps, so 1 comes back.
    assert (done.stamps, done.balance, done.whole) == (-1, 4, False)
    assert (done.refunded_amount, done.kept_amount) == (Decimal("12.50"), Decimal("12.50"))
    assert [(i.sku, i.quantity) for i in done.items] == [("SANDWICH", 1)]
    state = desk.card(number)
    assert state.balance == 4
    assert [c.reward for c in state.coupons] == ["Croissant offert"]  # still deserved at 4
    shown = desk.refund_preview(checkout)
    assert [(i.sku, i.quantity, i.returned) for i in shown.items] == [("SANDWICH", 2, 1)]
    assert desk.check().ok


def test_parts_add_up_never_past_the_sale_and_the_last_takes_the_rest(desk: Desk) -> None:
    number, checkout = two_sandwiches(desk)
    first = desk.refund(checkout, amount="20.00")  # 5.00 kept: 1 stamp, 2 back
    assert (first.stamps, first.balance, first.kept_amount) == (-2, 3, Decimal("5.00"))
    before = content(desk)
    for ask in ({"amount": "5.01"}, {"items": [("SANDWICH", 3)]}, {"items": [("CAKE", 1)]}):
        with pytest.raises(Refused) as wrong:
            desk.refund(checkout, **ask)
        assert wrong.value.code == "refund_over_sale"
    for ask in ({"amount": "-1"}, {"items": "SANDWICH"}, {"items": [("SANDWICH", 0)]}):
        with pytest.raises(InvalidInput):
            desk.refund(checkout, **ask)
    assert content(desk) == before  # a refused part changes nothing
    last = desk.refund(checkout, amount="5.00")
    assert (last.stamps, last.balance, last.whole, last.kept_amount) == (-1, 2, True, Decimal("0.00"))
    assert desk.card(number).coupons == ()  # the croissant's coupon went with its stamps
    with pytest.raises(Refused) as again:
        desk.refund(checkout, amount="1.00")
    assert again.value.code == "already_refunded"
    assert desk.check().ok


def test_a_full_refund_after_a_part_takes_the_rest(desk: Desk) -> None:
    number, checkout = two_sandwiches(desk)
    desk.refund(checkout, items=[("SANDWICH", 1)])
    rest = desk.refund(checkout)
    assert (rest.stamps, rest.balance, rest.whole) == (-2, 2, True)
    assert (rest.refunded_amount, rest.kept_amount) == (Decimal("12.50"), Decimal("0.00"))
    assert [(i.sku, i.quantity) for i in rest.items] == [("SANDWICH", 1)]
    assert desk.card(number).visits == 0  # the visit went with the whole sale


def test_items_of_a_sku_on_several_lines_and_their_categories(desk: Desk) -> None:
    number = desk.enrol(name="Bruno").number
    sale = desk.checkout(card=number, amount="22.00", items=LUNCH)  # 1 + 2 = 3
    done = desk.refund(sale.checkout, items=["SANDWICH:2"])  # 6.00 kept: 1 stamp
    assert (done.refunded_amount, done.kept_amount, done.stamps) == (Decimal("16.00"), Decimal("6.00"), -2)
    with pytest.raises(Refused) as wrong:
        desk.refund(sale.checkout, items=[("SANDWICH", 1)])
    assert wrong.value.code == "refund_over_sale" and "SANDWICH" in wrong.value.message
    assert [(i.sku, i.returned) for i in desk.refund_preview(sale.checkout).items] == [
        ("SANDWICH", 1),
        ("JUICE", 0),
        ("SANDWICH", 1),
    ]


def test_a_part_refunded_before_a_walk_in_is_claimed_leaves_fewer_stamps_to_claim(desk: Desk) -> None:
    sale = desk.checkout(amount="25.00", items=SANDWICHES)  # a walk-in: 3 stamps to claim
    part = desk.refund(sale.checkout, items=[("SANDWICH", 1)])
    assert (part.card, part.stamps, part.whole) == (None, -1, False)
    claimed = desk.enrol(name="Chloé", claim=sale.claim_token)
    assert desk.card(claimed.number).balance == 2 + 2  # starter stamps and the 2 kept
    rest = desk.refund(sale.checkout)  # the rest comes off the card that claimed it
    assert (rest.card, rest.stamps, rest.balance) == (claimed.number, -2, 2)
    assert desk.check().ok


def test_a_part_takes_back_from_the_card_that_claimed_the_walk_in(desk: Desk) -> None:
    sale = desk.checkout(amount="25.00", items=SANDWICHES)
    claimed = desk.enrol(name="Chloé", claim=sale.claim_token)  # 2 + 3
    part = desk.refund(sale.checkout, amount="12.50")
    assert (part.card, part.stamps, part.balance) == (claimed.number, -1, 4)
    rest = desk.refund(sale.checkout)
    assert (rest.stamps, rest.balance) == (-2, 2)


def test_the_daily_cap_stays_as_it_was_at_the_sale(desk: Desk) -> None:
    number = desk.enrol(name="Ana").number
    first = desk.checkout(card=number, amount="25.00", items=SANDWICHES)  # 3 = the day's cap
    second = desk.checkout(card=number, amount="35.00")  # 1 + 3 = 4, capped to 0
    assert (first.stamps_added, second.stamps_added) == (3, 0)
    # The capped sale earned nothing: a part of it gives nothing back.
    assert desk.refund(second.checkout, amount="30.00").stamps == 0
    # The first keeps 12.50: 2 stamps; one comes back, and the day has room for one more.
    assert desk.refund(first.checkout, items=[("SANDWICH", 1)]).stamps == -1
    assert desk.checkout(card=number, amount="4.00").stamps_added == 1


def test_a_used_coupon_stays_used_and_keeps_its_milestone(desk: Desk) -> None:
    number, checkout = two_sandwiches(desk)  # 5: the croissant at 3
    croissant = desk.card(number).coupons[0].code
    desk.redeem(croissant)
    done = desk.refund(checkout, amount="24.00")  # 1.00 kept: below the minimum, nothing kept
    assert (done.stamps, done.balance, done.voided_coupons) == (-3, 2, ())
    assert desk.card(number).balance == 2
    desk.adjust(number, 1, reason="back to 3", staff="Léa")
    # The croissant at 3 was used: reaching 3 again gives no second one.
    assert desk.card(number).coupons == ()


def test_the_multiplier_stays_as_it_was_at_the_sale(tmp_path: Path, clock: Clock) -> None:
    desk = make_desk(f"sqlite:///{tmp_path / 'shop.db'}", clock)
    desk.load_program_file(LOYALTY_PROGRAM)
    try:
        number = desk.enrol(name="Ana").number
        clock.advance(hours=6)  # Monday 15:00 in Paris: the quiet hours' × 2
        tea = [
            {"sku": "TART", "category": "pastry", "quantity": 1, "unit_price": "4.00"},
            {"sku": "TEA", "category": "drinks", "quantity": 1, "unit_price": "2.00"},
        ]
        sale = desk.checkout(card=number, amount="6.00", items=tea)
        assert sale.stamps_added == 1 * 2 + 1  # the visit × 2, the pastry's bonus
        clock.advance(hours=3)  # 18:00: refunded out of the quiet hours
        done = desk.refund(sale.checkout, items=[("TART", 1)])
        # The tea kept earns its visit × 2 as at the sale (not × 1 as now): one comes back.
        assert done.stamps == -1
    finally:
        desk.close()


def test_a_part_is_idempotent_with_a_key(desk: Desk) -> None:
    number, checkout = two_sandwiches(desk)
    first = desk.refund_once(checkout, idempotency_key="R-1", items=[("SANDWICH", 1)])
    again = desk.refund_once(checkout, idempotency_key="R-1", items=[("SANDWICH", 1)])
    assert again.replayed and (again.stamps, again.balance, again.items) == (
        first.stamps,
        first.balance,
        first.items,
    )
    assert desk.card(number).balance == 4
    with pytest.raises(Refused) as other:
        desk.refund_once(checkout, idempotency_key="R-1", amount="1.00")
    assert other.value.code == "idempotency_conflict"


def test_the_report_counts_the_refunded_amounts(desk: Desk) -> None:
    _, checkout = two_sandwiches(desk)
    desk.checkout(amount="10.00")
    before = desk.report()
    desk.refund(checkout, items=[("SANDWICH", 1)])
    after = desk.report()
    assert (after.refunds, after.refunded) == (1, Decimal("12.50"))
    assert after.revenue_members == before.revenue_members - Decimal("12.50")
    assert after.stamps_issued == before.stamps_issued - 1
    desk.refund(checkout)
    final = desk.report()
    assert (final.refunds, final.refunded, final.revenue_members) == (2, Decimal("25.00"), Decimal("0.00"))


def test_the_command_line_refunds_items_or_an_amount(sqlite_desk: Desk) -> None:
    url = str(sqlite_desk.store.engine.url)
    number, checkout = two_sandwiches(sqlite_desk)
    part = ok_json("refund", str(checkout), "--item", "SANDWICH:1", "--db", url)
    assert (part["stamps"], part["balance"], part["whole"], part["kept_amount"]) == (-1, 4, False, "12.50")
    assert part["items"] == [{"sku": "SANDWICH", "quantity": 1}]
    error = refused("refund", str(checkout), "--amount", "13", "--db", url)
    assert error["code"] == "refund_over_sale"
    rest = ok_json("refund", str(checkout), "--amount", "12.50", "--db", url)
    assert (rest["stamps"], rest["whole"]) == (-2, True)
    assert sqlite_desk.card(number).balance == 2


def test_a_sale_partly_refunded_still_answers_its_key_with_its_first_result(desk: Desk) -> None:
    number = desk.enrol(name="Ana").number
    first = desk.checkout(card=number, amount="25.00", items=SANDWICHES, idempotency_key="T1-42")
    desk.refund(first.checkout, items=[("SANDWICH", 1)])
    again = desk.checkout(card=number, amount="25.00", items=SANDWICHES, idempotency_key="T1-42")
    assert again.replayed and (again.stamps_added, again.balance) == (first.stamps_added, first.balance)
    assert desk.sale(first.checkout).stamps_added == 3  # the sale as it was first answered
    assert desk.card(number).balance == 4


def test_a_sale_read_back_shows_its_refunds(desk: Desk) -> None:
    number, checkout = two_sandwiches(desk)
    desk.refund(checkout, items=[("SANDWICH", 1)], till="till-2")
    sale = desk.sale(checkout)
    assert (sale.refunded_at, sale.refunded_amount, sale.stamps_added) == (None, Decimal("12.50"), 3)
    [part] = sale.refunds
    assert (part.till, part.amount, part.whole, part.stamps) == ("till-2", Decimal("12.50"), False, 1)
    assert [(i.sku, i.quantity) for i in part.items] == [("SANDWICH", 1)]
    desk.refund(checkout)
    sale = desk.sale(checkout)
    assert sale.refunded_at == desk.store.now() and sale.refunded_amount == Decimal("25.00")
    assert [(r.amount, r.whole, r.stamps) for r in sale.refunds] == [
        (Decimal("12.50"), False, 1),
        (Decimal("12.50"), True, 2),
    ]
    assert sale.to_dict()["refunds"][1]["items"] == [{"sku": "SANDWICH", "quantity": 1}]
