"""A coupon used in a sale (``redeem --checkout``) or in the past (``--at``),
on a real SQLite file and on PostgreSQL: the report's reward cost per sale
reads it, and refunding that sale leaves the coupon used."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from helpers import Clock, content
from stampdesk import InvalidInput, NotFound, Refused
from stampdesk.desk import Desk
from test_cli import ok_json, refused


def croissant(desk: Desk) -> tuple[str, str]:
    """Ana's card and its croissant coupon (a sale reaching 3)."""
    number = desk.enrol(name="Ana Martin").number
    sale = desk.checkout(card=number, amount="4.50")
    return number, sale.coupons[0].code


def test_a_coupon_used_in_a_sale_stays_used_when_that_sale_is_refunded(desk: Desk, clock: Clock) -> None:
    number, code = croissant(desk)
    clock.advance(days=1)
    lunch = desk.checkout(card=number, amount="25.00")
    used = desk.redeem(code, checkout=lunch.checkout)
    assert (used.checkout, used.redeemed_at) == (lunch.checkout, desk.store.now())
    assert used.to_dict()["checkout"] == lunch.checkout
    desk.refund(lunch.checkout)
    with pytest.raises(Refused) as again:
        desk.redeem(code)
    assert again.value.code == "coupon_used"  # not "un-redeemed" by the refund
    assert desk.check().ok


def test_a_coupon_used_in_the_past_and_refusals_that_change_nothing(desk: Desk, clock: Clock) -> None:
    number, code = croissant(desk)
    issued = desk.store.now()
    clock.advance(days=3)
    before = content(desk)
    for ask, error, wanted in (
        ({"at": (issued - timedelta(hours=1)).isoformat()}, InvalidInput, "invalid_time"),
        ({"at": (desk.store.now() + timedelta(days=1)).isoformat()}, InvalidInput, "invalid_time"),
        ({"checkout": 999_999}, NotFound, "unknown_checkout"),
        ({"checkout": "abc"}, InvalidInput, "invalid_checkout_id"),
    ):
        with pytest.raises(error) as wrong:
            desk.redeem(code, **ask)
        assert wrong.value.code == wanted
    refunded = desk.checkout(amount="3.00").checkout
    desk.refund(refunded)
    before = content(desk)
    with pytest.raises(Refused) as gone:
        desk.redeem(code, checkout=refunded)
    assert gone.value.code == "already_refunded"
    assert content(desk) == before
    yesterday = desk.store.now() - timedelta(days=1)
    used = desk.redeem(code, at=yesterday.isoformat())
    assert used.redeemed_at == yesterday and used.checkout is None


def test_the_report_gives_the_reward_cost_per_sale_it_was_handed_over_in(desk: Desk, clock: Clock) -> None:
    number, code = croissant(desk)
    other, code2 = croissant(desk)
    clock.advance(days=1)
    lunch = desk.checkout(card=number, amount="12.00")
    desk.redeem(code, checkout=lunch.checkout)  # 0.35 in that sale
    desk.redeem(code2)  # outside any sale: not counted per sale
    report = desk.report()
    assert (report.rewarded_sales, report.reward_cost_per_sale) == (1, Decimal("0.35"))
    assert report.reward_cost == Decimal("0.70")


def test_the_command_line_ties_a_coupon_to_its_sale(sqlite_desk: Desk) -> None:
    url = str(sqlite_desk.store.engine.url)
    number, code = croissant(sqlite_desk)
    lunch = sqlite_desk.checkout(card=number, amount="12.00")
    error = refused("redeem", code, "--checkout", "999999", "--db", url)
    assert error["code"] == "unknown_checkout"
    # The shop's clock is in March 2026 (the coupon ends in May): used then, in that sale.
    at = sqlite_desk.store.now().isoformat()
    used = ok_json("redeem", code, "--checkout", str(lunch.checkout), "--at", at, "--db", url)
    assert (used["coupon"], used["checkout"], used["redeemed_at"]) == (code, lunch.checkout, at)
