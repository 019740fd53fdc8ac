"""``GET /api/v1/checkouts/{id}``: a recorded sale as it is now, when it was
refunded and what became of each coupon it handed over."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from helpers import Clock

from .conftest import Api


def sale_of(api: Api, checkout: int) -> dict[str, Any]:
    answer = api.client.get(f"/api/v1/checkouts/{checkout}", headers=api.till)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_a_sale_says_when_it_was_refunded_and_its_coupon_was_voided(api: Api) -> None:
    number = api.enrol()
    sold = api.client.post("/api/v1/checkouts", json={"card": number, "amount": "12.50"}, headers=api.till)
    checkout = sold.json()["checkout"]
    [coupon] = sold.json()["coupons"]

    now = sale_of(api, checkout)
    assert now["refunded_at"] is None
    assert [(c["code"], c["status"]) for c in now["coupons"]] == [(coupon["code"], "valid")]
    assert now["amount"] == "12.50" and now["stamps_added"] == sold.json()["stamps_added"]

    refunded = api.client.post(f"/api/v1/checkouts/{checkout}/refund", headers=api.till)
    assert refunded.status_code == 200, refunded.text
    later = sale_of(api, checkout)
    assert datetime.fromisoformat(later["refunded_at"]) == api.desk.now()
    assert [(c["code"], c["status"]) for c in later["coupons"]] == [(coupon["code"], "voided")]


def test_a_sales_coupon_shows_redeemed_then_another_expired(api: Api, clock: Clock) -> None:
    number = api.enrol()
    first = api.client.post("/api/v1/checkouts", json={"card": number, "amount": "12.50"}, headers=api.till)
    [coupon] = first.json()["coupons"]
    used = api.client.post(f"/api/v1/coupons/{coupon['code']}/redeem", headers=api.till)
    assert used.status_code == 200, used.text
    assert [c["status"] for c in sale_of(api, first.json()["checkout"])["coupons"]] == ["redeemed"]

    other = api.enrol("Léo Dupont")
    second = api.client.post("/api/v1/checkouts", json={"card": other, "amount": "12.50"}, headers=api.till)
    clock.advance(days=90)
    later = sale_of(api, second.json()["checkout"])
    assert [c["status"] for c in later["coupons"]] == ["expired"] and later["refunded_at"] is None
    # The first coupon, used before its day, stays redeemed.
    assert [c["status"] for c in sale_of(api, first.json()["checkout"])["coupons"]] == ["redeemed"]


def test_a_sale_refunded_in_parts_is_refunded_when_its_last_part_is(api: Api, clock: Clock) -> None:
    sold = api.client.post("/api/v1/checkouts", json={"amount": "12.50"}, headers=api.till).json()
    path = f"/api/v1/checkouts/{sold['checkout']}"
    part = api.client.post(f"{path}/refund", json={"amount": "5.00"}, headers=api.till)
    assert part.status_code == 200, part.text
    assert sale_of(api, sold["checkout"])["refunded_at"] is None
    clock.advance(hours=1)
    rest = api.client.post(f"{path}/refund", json={"amount": "7.50"}, headers=api.till)
    assert rest.status_code == 200, rest.text
    assert datetime.fromisoformat(sale_of(api, sold["checkout"])["refunded_at"]) == api.desk.now()
