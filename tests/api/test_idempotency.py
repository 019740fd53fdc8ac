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


def test_two_tills_sending_one_key_make_two_sales_and_each_replays_its_own(api: Api) -> None:
    """Two tills that both send their receipt number: each gets its own
    sale, and a walk-in's claim token is never another customer's."""
    other = {"Authorization": f"Bearer {api.desk.create_api_key('till-2').key}"}
    body = {"amount": "5.00"}
    first = api.client.post("/api/v1/checkouts", json=body, headers={**api.till, **key("R42")})
    second = api.client.post("/api/v1/checkouts", json=body, headers={**other, **key("R42")})
    assert first.status_code == second.status_code == 201
    a, b = first.json(), second.json()
    assert a["checkout"] != b["checkout"] and a["claim_token"] != b["claim_token"]
    assert not a["replayed"] and not b["replayed"]
    before = content(api.desk)
    assert api.client.post("/api/v1/checkouts", json=body, headers={**api.till, **key("R42")}).json() == {
        **a,
        "replayed": True,
    }
    assert api.client.post("/api/v1/checkouts", json=body, headers={**other, **key("R42")}).json() == {
        **b,
        "replayed": True,
    }
    conflict = api.client.post("/api/v1/checkouts", json={"amount": "6.00"}, headers={**other, **key("R42")})
    is_error(conflict, 409, "idempotency_conflict")
    assert content(api.desk) == before
    assert count(api.desk, select(func.count()).select_from(checkouts)) == 2


def test_refund_and_redemption_keys_are_each_api_keys_own(api: Api) -> None:
    other = {"Authorization": f"Bearer {api.desk.create_api_key('till-2').key}"}
    sales = [sale_with_coupon_for(api, name) for name in ("Ana", "Léo")]
    codes = [s["coupons"][0]["code"] for s in sales]
    used = [
        api.client.post(f"/api/v1/coupons/{code}/redeem", headers={**headers, **key("K1")})
        for code, headers in zip(codes, (api.till, other), strict=True)
    ]
    assert [u.status_code for u in used] == [200, 200]
    assert [u.json()["coupon"] for u in used] == codes and not used[1].json()["replayed"]
    refunds = [
        api.client.post(f"/api/v1/checkouts/{sale['checkout']}/refund", headers={**headers, **key("K1")})
        for sale, headers in zip(sales, (api.till, other), strict=True)
    ]
    assert [r.status_code for r in refunds] == [200, 200]
    assert [r.json()["checkout"] for r in refunds] == [s["checkout"] for s in sales]
    again = api.client.post(
        f"/api/v1/checkouts/{sales[1]['checkout']}/refund", headers={**other, **key("K1")}
    )
    assert again.json() == {**refunds[1].json(), "replayed": True}


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


REQUESTS = 20


def test_one_key_sent_at_once_by_two_tills_makes_one_sale_for_each(api: Api, desks: list[Desk]) -> None:
    """Twenty requests at once with one key, half from each of two tills
    (separate engines, as separate servers): one sale per till, each
    till's duplicates get its own sale, and the card earns twice."""
    number = api.enrol()
    start = threading.Barrier(REQUESTS)
    answers: list[tuple[str, Any]] = []

    def send(i: int) -> None:
        till = ("till-a", "till-b")[i % 2]
        start.wait()
        try:
            sale = desks[i % len(desks)].checkout(
                card=number, amount="5.00", idempotency_key="R42", till=till
            )
            answers.append((till, sale.to_dict()))
        except StampdeskError as error:
            answers.append((till, error))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(REQUESTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(answers) == REQUESTS and all(isinstance(a, dict) for _, a in answers), answers
    for till in ("till-a", "till-b"):
        own = [a for t, a in answers if t == till]
        assert len({a["checkout"] for a in own}) == 1
        assert sum(not a["replayed"] for a in own) == 1
    assert len({a["checkout"] for _, a in answers}) == 2
    assert count(api.desk, select(func.count()).select_from(checkouts)) == 2
    assert api.desk.card(number).balance == 2 + 1 + 1
    assert api.desk.check().ok


def test_one_key_sent_at_once_through_the_api_by_two_tills_makes_two_sales(api: Api) -> None:
    other = {"Authorization": f"Bearer {api.desk.create_api_key('till-2').key}"}
    start = threading.Barrier(REQUESTS)
    answers: list[tuple[int, Any]] = []

    def send(i: int) -> None:
        headers = {**(api.till, other)[i % 2], **key("R42")}
        start.wait()
        answers.append(
            (i % 2, api.client.post("/api/v1/checkouts", json={"amount": "5.00"}, headers=headers))
        )

    threads = [threading.Thread(target=send, args=(i,)) for i in range(REQUESTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(a.status_code for _, a in answers) == [201] * REQUESTS
    for till in (0, 1):
        own = [a.json() for t, a in answers if t == till]
        assert len({a["checkout"] for a in own}) == 1 and len({a["claim_token"] for a in own}) == 1
        assert sum(not a["replayed"] for a in own) == 1
    assert count(api.desk, select(func.count()).select_from(checkouts)) == 2
