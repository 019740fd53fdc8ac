"""``Idempotency-Key`` on checkouts, refunds and redemptions: a retry gets
the first answer and changes nothing; concurrent duplicates have one effect."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from helpers import Clock, content, make_desk
from stampdesk.desk import Desk
from stampdesk.domain.errors import StampdeskError
from stampdesk.models import checkouts, coupons, idempotent_requests, ledger

from .conftest import Api
from .test_api import is_error


def key(value: str) -> dict[str, str]:
    return {"Idempotency-Key": value}


def sale_with_coupon(api: Api) -> dict[str, Any]:
    number = api.enrol()
    answer = api.client.post("/api/v1/checkouts", json={"card": number, "amount": "12.50"}, headers=api.till)
    assert answer.status_code == 201
    sale: dict[str, Any] = answer.json()
    return sale


def test_a_retried_checkout_returns_the_first_answer(api: Api) -> None:
    number = api.enrol()
    headers = {**api.till, **key("till1-receipt-0042")}
    body = {"card": number, "amount": "12.50", "items": [{"sku": "FLAT", "price": "12.50"}]}
    first = api.client.post("/api/v1/checkouts", json=body, headers=headers)
    before = content(api.desk)
    again = api.client.post("/api/v1/checkouts", json=body, headers=headers)
    assert again.status_code == first.status_code == 201
    assert again.json() == {**first.json(), "replayed": True}
    assert content(api.desk) == before
    other = api.client.post("/api/v1/checkouts", json={**body, "amount": "13.50"}, headers=headers)
    assert "different sale" in is_error(other, 409, "idempotency_conflict")
    assert content(api.desk) == before


def test_a_retried_refund_returns_the_first_answer(api: Api) -> None:
    sale = sale_with_coupon(api)
    headers = {**api.till, **key("refund-42")}
    path = f"/api/v1/checkouts/{sale['checkout']}/refund"
    first = api.client.post(path, headers=headers)
    assert first.status_code == 200 and first.json()["replayed"] is False
    before = content(api.desk)
    again = api.client.post(path, headers=headers)
    assert again.status_code == 200
    assert again.json() == {**first.json(), "replayed": True}
    assert content(api.desk) == before
    # Without the key, a second refund is refused as before.
    is_error(api.client.post(path, headers=api.till), 409, "already_refunded")
    # The same key for another sale is refused.
    second = sale_with_coupon_for(api, "Léo")
    before = content(api.desk)
    is_error(
        api.client.post(f"/api/v1/checkouts/{second['checkout']}/refund", headers=headers),
        409,
        "idempotency_conflict",
    )
    assert content(api.desk) == before


def sale_with_coupon_for(api: Api, name: str) -> dict[str, Any]:
    number = api.enrol(name)
    answer = api.client.post("/api/v1/checkouts", json={"card": number, "amount": "12.50"}, headers=api.till)
    result: dict[str, Any] = answer.json()
    return result


def test_a_retried_redemption_returns_the_first_answer(api: Api) -> None:
    code = sale_with_coupon(api)["coupons"][0]["code"]
    headers = {**api.till, **key("redeem-7")}
    first = api.client.post(f"/api/v1/coupons/{code}/redeem", headers=headers)
    assert first.status_code == 200
    before = content(api.desk)
    again = api.client.post(f"/api/v1/coupons/{code.lower()}/redeem", headers=headers)
    assert again.json() == {**first.json(), "replayed": True}
    assert content(api.desk) == before
    other = sale_with_coupon_for(api, "Léo")["coupons"][0]["code"]
    before = content(api.desk)
    is_error(api.client.post(f"/api/v1/coupons/{other}/redeem", headers=headers), 409, "idempotency_conflict")
    assert content(api.desk) == before


def test_a_refused_request_leaves_its_key_free(sqlite_api: Api) -> None:
    api = sqlite_api
    headers = {**api.till, **key("refund-1")}
    is_error(api.client.post("/api/v1/checkouts/77/refund", headers=headers), 404, "unknown_checkout")
    sale = sale_with_coupon(api)
    done = api.client.post(f"/api/v1/checkouts/{sale['checkout']}/refund", headers=headers)
    assert done.status_code == 200 and done.json()["replayed"] is False


# --------------------------------------------------------------------------
# Concurrent duplicates, through separate engines (as separate server processes)

THREADS = 6


def all_at_once(desks: list[Desk], call: Callable[[Desk], Any]) -> list[Any]:
    """Run ``call`` on every desk in its own thread, all released together."""
    start = threading.Barrier(len(desks))
    results: list[Any] = [None] * len(desks)

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = call(desks[i])
        except StampdeskError as error:
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(desks))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


@pytest.fixture
def desks(api: Api, db_url: str, clock: Clock) -> Any:
    opened = [make_desk(db_url, clock) for _ in range(THREADS)]
    yield opened
    for d in opened:
        d.close()


def count(desk: Desk, query: Any) -> int:
    with desk.store.read() as conn:
        return int(conn.execute(query).scalar_one())


def test_concurrent_duplicate_refunds_refund_once(api: Api, desks: list[Desk]) -> None:
    sale = sale_with_coupon(api)
    answers = all_at_once(desks, lambda d: d.refund_once(sale["checkout"], idempotency_key="r-1").to_dict())
    assert all(isinstance(a, dict) for a in answers), answers
    assert len({repr({k: v for k, v in a.items() if k != "replayed"}) for a in answers}) == 1
    assert sum(not a["replayed"] for a in answers) == 1
    refunds = select(func.count()).select_from(ledger).where(ledger.c.kind == "refund")
    assert count(api.desk, refunds) == 1
    assert count(api.desk, select(func.count()).select_from(idempotent_requests)) == 1
    assert api.desk.check().ok


def test_concurrent_duplicate_redemptions_redeem_once(api: Api, desks: list[Desk]) -> None:
    code = sale_with_coupon(api)["coupons"][0]["code"]
    answers = all_at_once(
        desks, lambda d: d.redeem_once(code, idempotency_key="c-1", till="till-1").to_dict()
    )
    assert all(isinstance(a, dict) for a in answers), answers
    assert len({a["redeemed_at"] for a in answers}) == 1
    assert sum(not a["replayed"] for a in answers) == 1
    used = select(func.count()).select_from(coupons).where(coupons.c.redeemed_at.is_not(None))
    assert count(api.desk, used) == 1


def test_concurrent_duplicate_checkouts_sell_once(api: Api, desks: list[Desk]) -> None:
    number = api.enrol()
    answers = all_at_once(
        desks,
        lambda d: d.checkout(card=number, amount="12.50", idempotency_key="s-1", till="till-1").to_dict(),
    )
    assert all(isinstance(a, dict) for a in answers), answers
    assert len({a["checkout"] for a in answers}) == 1
    assert sum(not a["replayed"] for a in answers) == 1
    assert count(api.desk, select(func.count()).select_from(checkouts)) == 1
    assert api.client.get(f"/api/v1/cards/{number}", headers=api.till).json()["balance"] == 4


def test_concurrent_duplicates_through_the_api_have_one_effect(api: Api) -> None:
    sale = sale_with_coupon(api)
    headers = {**api.till, **key("till1-refund-9")}
    start = threading.Barrier(THREADS)
    answers: list[Any] = []

    def send() -> None:
        start.wait()
        answers.append(api.client.post(f"/api/v1/checkouts/{sale['checkout']}/refund", headers=headers))

    threads = [threading.Thread(target=send) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert [a.status_code for a in answers] == [200] * THREADS
    assert sum(not a.json()["replayed"] for a in answers) == 1
    refunds = select(func.count()).select_from(ledger).where(ledger.c.kind == "refund")
    assert count(api.desk, refunds) == 1
