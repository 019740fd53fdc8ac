"""The POS plugin API through the ASGI client: every endpoint, its answers
and its refusals (the contract's error shape, and nothing written)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from helpers import content
from stampdesk.domain.coupon_codes import _check_char
from stampdesk.models import checkout_items, checkouts

from .conftest import Api


def is_error(answer: Any, status: int, code: str) -> str:
    """The answer is the contract's error; returns its message."""
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    assert body["error"]["code"] == code, body
    message = body["error"]["message"]
    assert isinstance(message, str) and message.strip() and "\n" not in message
    return str(message)


def test_health_needs_no_key(sqlite_api: Api) -> None:
    answer = sqlite_api.client.get("/api/v1/health")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"


def test_a_sale_stamps_the_card_and_records_the_keys_till(api: Api) -> None:
    number = api.enrol()
    answer = api.client.post("/api/v1/checkouts", json={"card": number, "amount": "12.50"}, headers=api.till)
    assert answer.status_code == 201
    sale = answer.json()
    assert sale["card"] == number and sale["amount"] == "12.50"
    assert sale["stamps_added"] == 2 and sale["balance"] == 4  # 2 starter stamps + 2
    assert sale["milestones"] == [{"at": 3, "reward": "Croissant offert"}]
    assert [c["reward"] for c in sale["coupons"]] == ["Croissant offert"]
    assert sale["enrol_url"] is None and sale["replayed"] is False
    assert sale["outcomes"] == ["milestone"]  # why it earned what it did, as codes
    with api.desk.store.read() as conn:
        till = conn.execute(select(checkouts.c.till).where(checkouts.c.id == sale["checkout"])).scalar()
    assert till == "till-1"
    card = api.client.get(f"/api/v1/cards/{number}", headers=api.till).json()
    assert card["balance"] == 4 and card["progress"] == "4/10 — Cookie offert at 6"
    again = api.client.get(f"/api/v1/checkouts/{sale['checkout']}", headers=api.till).json()
    assert {k: again[k] for k in sale} == sale and again["refunded_at"] is None


def test_a_walk_in_gets_the_link_and_enrolling_with_its_claim_keeps_the_stamps(api: Api) -> None:
    sale = api.client.post("/api/v1/checkouts", json={"amount": "4.20"}, headers=api.till).json()
    assert sale["card"] is None and sale["stamps_added"] == 1 and sale["outcomes"] == ["walk_in"]
    assert sale["enrol_url"].startswith("https://cafe.example/join/")
    token = sale["claim_token"]
    answer = api.client.post(
        "/api/v1/cards", json={"name": "Léo", "email": "leo@example.org", "claim": token}, headers=api.till
    )
    assert answer.status_code == 201
    card = answer.json()
    assert card["claimed_stamps"] == 1 and card["claimed_checkout"] == sale["checkout"]
    assert card["balance"] == 3  # 2 starter stamps + the receipt's


def test_enrolling_can_opt_in_to_the_customer_of_the_month_board(api: Api) -> None:
    ana = api.client.post("/api/v1/cards", json={"name": "Ana Martin", "leaderboard": True}, headers=api.till)
    leo = api.client.post("/api/v1/cards", json={"name": "Léo Dupont"}, headers=api.till)
    assert ana.status_code == leo.status_code == 201
    assert ana.json()["leaderboard"] is True and leo.json()["leaderboard"] is False
    for card in (ana.json()["number"], leo.json()["number"]):
        api.client.post("/api/v1/checkouts", json={"card": card, "amount": "4.50"}, headers=api.till)
    assert [e.name for e in api.desk.leaderboard().entries] == ["Ana"]


def test_items_are_objects_like_the_cli_items(api: Api) -> None:
    items = [
        {"sku": "FLAT", "category": "Coffee", "quantity": 2, "price": "3.20"},
        {"sku": "CRS", "unit_price": "1.60"},
    ]
    answer = api.client.post("/api/v1/checkouts", json={"amount": "8.00", "items": items}, headers=api.till)
    assert answer.status_code == 201, answer.text
    with api.desk.store.read() as conn:
        rows = conn.execute(
            select(
                checkout_items.c.sku,
                checkout_items.c.category,
                checkout_items.c.quantity,
                checkout_items.c.unit_price_cents,
            ).order_by(checkout_items.c.id)
        ).all()
    assert [tuple(r) for r in rows] == [("FLAT", "coffee", 2, 320), ("CRS", "", 1, 160)]


@pytest.mark.parametrize(
    "body",
    [
        {"amount": 12.5},
        {"amount": 12},
        {"amount": "3.00", "items": [{"sku": "A", "price": 3.0}]},
    ],
    ids=["float", "integer", "item price"],
)
def test_an_amount_sent_as_a_json_number_is_refused_and_says_what_to_send(sqlite_api: Api, body: Any) -> None:
    before = content(sqlite_api.desk)
    answer = sqlite_api.client.post("/api/v1/checkouts", json=body, headers=sqlite_api.till)
    message = is_error(answer, 422, "invalid_amount")
    assert '"12.50"' in message and "string" in message
    assert content(sqlite_api.desk) == before


def test_search_finds_a_card_by_name_phone_or_email(api: Api) -> None:
    number = api.enrol("Élodie Marchand", email="elodie@example.org", phone="06 12 34 56 78")
    for q in ("mar", "elodie@", "0612345678"):
        found = api.client.get("/api/v1/cards", params={"q": q}, headers=api.till).json()["cards"]
        assert [c["number"] for c in found] == [number], q
        assert found[0]["name"] == "Élodie Marchand"


def test_a_coupon_is_redeemed_once(api: Api) -> None:
    number = api.enrol()
    sale = api.client.post(
        "/api/v1/checkouts", json={"card": number, "amount": "12.50"}, headers=api.till
    ).json()
    code = sale["coupons"][0]["code"]
    used = api.client.post(f"/api/v1/coupons/{code}/redeem", headers=api.till)
    assert used.status_code == 200
    assert used.json()["coupon"] == code and used.json()["card"] == number
    before = content(api.desk)
    is_error(api.client.post(f"/api/v1/coupons/{code}/redeem", headers=api.till), 409, "coupon_used")
    assert content(api.desk) == before


def test_a_refund_takes_back_what_the_sale_earned_once(api: Api) -> None:
    number = api.enrol()
    sale = api.client.post(
        "/api/v1/checkouts", json={"card": number, "amount": "12.50"}, headers=api.till
    ).json()
    answer = api.client.post(f"/api/v1/checkouts/{sale['checkout']}/refund", headers=api.till)
    assert answer.status_code == 200
    change = answer.json()
    assert change["stamps"] == -2 and change["balance"] == 2
    assert change["voided_coupons"] == [sale["coupons"][0]["code"]]
    before = content(api.desk)
    is_error(
        api.client.post(f"/api/v1/checkouts/{sale['checkout']}/refund", headers=api.till),
        409,
        "already_refunded",
    )
    assert content(api.desk) == before


def test_a_coupon_is_used_in_a_sale(api: Api) -> None:
    number = api.enrol()
    first = api.client.post("/api/v1/checkouts", json={"card": number, "amount": "4.50"}, headers=api.till)
    code = first.json()["coupons"][0]["code"]
    lunch = api.client.post("/api/v1/checkouts", json={"card": number, "amount": "9.00"}, headers=api.till)
    path = f"/api/v1/coupons/{code}/redeem"
    before = content(api.desk)
    is_error(api.client.post(path, json={"checkout": 999999}, headers=api.till), 404, "unknown_checkout")
    is_error(api.client.post(path, json={"checkout": "1"}, headers=api.till), 422, "invalid_input")
    assert content(api.desk) == before
    used = api.client.post(path, json={"checkout": lunch.json()["checkout"]}, headers=api.till)
    assert used.status_code == 200 and used.json()["checkout"] == lunch.json()["checkout"]


def test_a_part_of_a_sale_is_refunded_by_items_or_an_amount(api: Api) -> None:
    number = api.enrol()
    items = [{"sku": "SANDWICH", "category": "food", "quantity": 2, "price": "12.50"}]
    sale = api.client.post(
        "/api/v1/checkouts", json={"card": number, "amount": "25.00", "items": items}, headers=api.till
    ).json()
    path = f"/api/v1/checkouts/{sale['checkout']}/refund"
    one = api.client.post(path, json={"items": [{"sku": "SANDWICH", "quantity": 1}]}, headers=api.till)
    assert one.status_code == 200, one.text
    assert {k: one.json()[k] for k in ("stamps", "balance", "refunded_amount", "kept_amount", "whole")} == {
        "stamps": -1,
        "balance": 4,
        "refunded_amount": "12.50",
        "kept_amount": "12.50",
        "whole": False,
    }
    before = content(api.desk)
    for body, status, code in (
        ({"amount": "12.51"}, 409, "refund_over_sale"),
        ({"items": [{"sku": "CAKE", "quantity": 1}]}, 409, "refund_over_sale"),
        ({"amount": 5}, 422, "invalid_amount"),
        ({"items": [{"sku": "SANDWICH", "quantity": True}]}, 422, "invalid_input"),
        ({"items": [{"sku": "SANDWICH", "quantity": 1, "price": "1"}]}, 422, "unknown_field"),
    ):
        is_error(api.client.post(path, json=body, headers=api.till), status, code)
    assert content(api.desk) == before
    shown = api.client.get(f"/api/v1/checkouts/{sale['checkout']}", headers=api.till).json()
    assert (shown["refunded_at"], shown["refunded_amount"], len(shown["refunds"])) == (None, "12.50", 1)
    assert shown["refunds"][0]["items"] == [{"sku": "SANDWICH", "quantity": 1}]
    rest = api.client.post(path, json={"amount": "12.50"}, headers=api.till).json()
    assert (rest["stamps"], rest["whole"], rest["kept_amount"]) == (-2, True, "0.00")
    is_error(api.client.post(path, headers=api.till), 409, "already_refunded")


def test_the_programme_is_read_by_a_till_and_changed_only_with_an_admin_key(api: Api) -> None:
    shown = api.client.get("/api/v1/program", headers=api.till).json()
    assert shown["name"] == "Café Bleu" and shown["version"] == 1
    new = (
        '[program]\nname = "Café Rouge"\nstamps_per_card = 8\nstarter_stamps = 1\n'
        '[[program.milestones]]\nat = 8\nreward = "Un thé offert"\n'
    )
    before = content(api.desk)
    answer = api.client.put(
        "/api/v1/program", content=new.encode(), headers={**api.till, "Content-Type": "application/toml"}
    )
    assert "admin" in is_error(answer, 403, "forbidden")
    assert content(api.desk) == before
    loaded = api.client.put(
        "/api/v1/program", content=new.encode(), headers={**api.admin, "Content-Type": "application/toml"}
    )
    assert loaded.status_code == 200, loaded.text
    assert loaded.json()["name"] == "Café Rouge" and loaded.json()["version"] == 2
    as_json = api.client.put(
        "/api/v1/program", json={"source": new.replace("Rouge", "Vert")}, headers=api.admin
    )
    assert as_json.status_code == 200 and as_json.json()["version"] == 3
    assert api.client.get("/api/v1/program", headers=api.till).json()["name"] == "Café Vert"


# --------------------------------------------------------------------------
# Every refusal: the error shape, and nothing written

UNKNOWN_COUPON = "ABCDEFG" + _check_char("ABCDEFG")

REFUSALS: list[tuple[str, str, str, dict[str, Any], int, str]] = [
    # (name, method, path, request keywords, status, code); "{card}" is a real card
    ("unknown card", "GET", "/api/v1/cards/2000000000015", {}, 404, "unknown_card"),
    ("malformed card", "GET", "/api/v1/cards/12ab", {}, 422, "invalid_card_number"),
    (
        "sale on unknown card",
        "POST",
        "/api/v1/checkouts",
        {"json": {"card": "2000000000015", "amount": "5.00"}},
        404,
        "unknown_card",
    ),
    (
        "malformed JSON",
        "POST",
        "/api/v1/checkouts",
        {"content": b'{"amount": "5.00"', "headers": {"Content-Type": "application/json"}},
        400,
        "invalid_json",
    ),
    ("body not an object", "POST", "/api/v1/checkouts", {"json": ["5.00"]}, 422, "invalid_input"),
    ("missing amount", "POST", "/api/v1/checkouts", {"json": {"card": "{card}"}}, 422, "missing_field"),
    (
        "unknown field",
        "POST",
        "/api/v1/checkouts",
        {"json": {"amount": "5.00", "amount_cents": 500}},
        422,
        "unknown_field",
    ),
    ("amount not a number", "POST", "/api/v1/checkouts", {"json": {"amount": "abc"}}, 422, "invalid_amount"),
    ("negative amount", "POST", "/api/v1/checkouts", {"json": {"amount": "-5.00"}}, 422, "invalid_amount"),
    ("three decimals", "POST", "/api/v1/checkouts", {"json": {"amount": "5.001"}}, 422, "invalid_amount"),
    (
        "sale in the future",
        "POST",
        "/api/v1/checkouts",
        {"json": {"amount": "5.00", "at": "2030-01-01T00:00:00+00:00"}},
        422,
        "invalid_time",
    ),
    (
        "time without zone",
        "POST",
        "/api/v1/checkouts",
        {"json": {"amount": "5.00", "at": "2026-03-01T09:00:00"}},
        422,
        "invalid_time",
    ),
    (
        "bad item",
        "POST",
        "/api/v1/checkouts",
        {"json": {"amount": "5.00", "items": [{"sku": "", "price": "1.00"}]}},
        422,
        "invalid_item",
    ),
    (
        "bad idempotency key",
        "POST",
        "/api/v1/checkouts",
        {"json": {"amount": "5.00"}, "headers": {"Idempotency-Key": "two words"}},
        422,
        "invalid_idempotency_key",
    ),
    (
        "enrol without name",
        "POST",
        "/api/v1/cards",
        {"json": {"email": "a@example.org"}},
        422,
        "missing_field",
    ),
    (
        "enrol with bad e-mail",
        "POST",
        "/api/v1/cards",
        {"json": {"name": "Ana", "email": "ana@"}},
        422,
        "invalid_email",
    ),
    (
        "enrol with forged claim",
        "POST",
        "/api/v1/cards",
        {"json": {"name": "Ana", "claim": "A" * 32}},
        422,
        "invalid_claim_token",
    ),
    ("refund unknown sale", "POST", "/api/v1/checkouts/999/refund", {}, 404, "unknown_checkout"),
    ("refund malformed id", "POST", "/api/v1/checkouts/abc/refund", {}, 422, "invalid_checkout_id"),
    ("unknown sale", "GET", "/api/v1/checkouts/999", {}, 404, "unknown_checkout"),
    ("print without printer", "POST", "/api/v1/checkouts/1/print", {}, 409, "no_printer"),
    ("redeem unknown coupon", "POST", f"/api/v1/coupons/{UNKNOWN_COUPON}/redeem", {}, 404, "unknown_coupon"),
    ("redeem mistyped coupon", "POST", "/api/v1/coupons/ZZZZ9999/redeem", {}, 422, "invalid_coupon_code"),
    ("search without words", "GET", "/api/v1/cards", {"params": {"q": " "}}, 422, "invalid_search"),
    ("search limit 0", "GET", "/api/v1/cards", {"params": {"q": "ana", "limit": 0}}, 422, "invalid_input"),
    ("programme not TOML", "PUT", "/api/v1/program", {"content": b"[program"}, 422, "invalid_program"),
    (
        "programme JSON of another shape",
        "PUT",
        "/api/v1/program",
        {"json": {"name": "x"}},
        422,
        "invalid_program",
    ),
    ("unknown address", "GET", "/api/v1/nothing", {}, 404, "not_found"),
    ("wrong method", "DELETE", "/api/v1/cards/{card}", {}, 405, "method_not_allowed"),
]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "code"),
    [r[1:] for r in REFUSALS],
    ids=[r[0] for r in REFUSALS],
)
def test_a_refusal_has_the_error_shape_and_writes_nothing(
    sqlite_api: Api, method: str, path: str, kwargs: dict[str, Any], status: int, code: str
) -> None:
    api = sqlite_api
    number = api.enrol()
    api.client.post("/api/v1/checkouts", json={"card": number, "amount": "5.00"}, headers=api.till)
    path = path.replace("{card}", number)
    if "json" in kwargs and isinstance(kwargs["json"], dict) and kwargs["json"].get("card") == "{card}":
        kwargs = {**kwargs, "json": {**kwargs["json"], "card": number}}
    headers = {**api.admin, **kwargs.get("headers", {})}
    before = content(api.desk)
    answer = api.client.request(method, path, **{**kwargs, "headers": headers})
    is_error(answer, status, code)
    assert content(api.desk) == before


def test_refusals_on_postgresql_write_nothing_either(api: Api) -> None:
    number = api.enrol()
    sale = api.client.post(
        "/api/v1/checkouts", json={"card": number, "amount": "12.50"}, headers=api.till
    ).json()
    api.client.post(f"/api/v1/checkouts/{sale['checkout']}/refund", headers=api.till)
    before = content(api.desk)
    is_error(
        api.client.post("/api/v1/checkouts", json={"card": number, "amount": 3}, headers=api.till),
        422,
        "invalid_amount",
    )
    is_error(
        api.client.post(f"/api/v1/checkouts/{sale['checkout']}/refund", headers=api.till),
        409,
        "already_refunded",
    )
    is_error(
        api.client.post(f"/api/v1/coupons/{sale['coupons'][0]['code']}/redeem", headers=api.till),
        409,
        "coupon_voided",
    )
    assert content(api.desk) == before


def test_an_oversized_or_endless_body_is_refused_before_it_is_read(sqlite_api: Api) -> None:
    before = content(sqlite_api.desk)
    huge = b'{"amount": "3.00", "items": [' + b'{"sku": "A"},' * 100_000 + b"]}"
    answer = sqlite_api.client.post(
        "/api/v1/checkouts", content=huge, headers={**sqlite_api.till, "Content-Type": "application/json"}
    )
    assert "1000000 bytes" in is_error(answer, 413, "too_large")

    def chunks() -> Iterator[bytes]:  # no Content-Length: sent chunked
        yield b'{"amount": '
        yield b'"3.00"}'

    answer = sqlite_api.client.post(
        "/api/v1/checkouts", content=chunks(), headers={**sqlite_api.till, "Content-Type": "application/json"}
    )
    assert "Content-Length" in is_error(answer, 411, "length_required")
    assert content(sqlite_api.desk) == before
