"""A JSON body says it is JSON, names each key once, and a whole number is
a whole number: what a till sends wrongly is refused with the API's error
shape, and nothing is recorded."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from helpers import EXAMPLE_PROGRAM
from stampdesk.models import cards, checkouts

from .conftest import Api
from .test_api import is_error


def counts(api: Api) -> tuple[int, int]:
    with api.desk.store.read() as conn:
        sales = conn.execute(select(func.count()).select_from(checkouts)).scalar_one()
        issued = conn.execute(select(func.count()).select_from(cards)).scalar_one()
    return int(sales), int(issued)


@pytest.mark.parametrize("kind", [None, "text/plain", "application/x-www-form-urlencoded", "text/json"])
@pytest.mark.parametrize(
    ("path", "body"),
    [("/api/v1/checkouts", b'{"amount": "4.20"}'), ("/api/v1/cards", b'{"name": "Ana Martin"}')],
)
def test_a_json_body_without_its_content_type_is_refused_with_415(
    api: Api, path: str, body: bytes, kind: str | None
) -> None:
    before = counts(api)
    headers = {**api.till, **({"Content-Type": kind} if kind else {})}
    answer = api.client.post(path, content=body, headers=headers)
    message = is_error(answer, 415, "unsupported_media_type")
    assert "application/json" in message and (kind or "none") in message
    assert counts(api) == before


def test_json_with_a_charset_or_a_json_suffix_is_json(sqlite_api: Api) -> None:
    for kind in ("application/json; charset=utf-8", "application/vnd.till+json"):
        answer = sqlite_api.client.post(
            "/api/v1/checkouts",
            content=b'{"amount": "4.20"}',
            headers={**sqlite_api.till, "Content-Type": kind},
        )
        assert answer.status_code == 201, answer.text


def test_the_programme_still_comes_as_toml(sqlite_api: Api) -> None:
    toml = EXAMPLE_PROGRAM.read_bytes()
    for headers in ({}, {"Content-Type": "application/toml"}, {"Content-Type": "text/plain"}):
        answer = sqlite_api.client.put(
            "/api/v1/program", content=toml, headers={**sqlite_api.admin, **headers}
        )
        assert answer.status_code == 200, answer.text
    answer = sqlite_api.client.put(
        "/api/v1/program", content=toml, headers={**sqlite_api.admin, "Content-Type": "application/xml"}
    )
    is_error(answer, 415, "unsupported_media_type")


@pytest.mark.parametrize(
    "body",
    [
        b'{"amount": "1.00", "amount": "100.00"}',
        b'{"amount": "9.00", "items": [{"sku": "A", "price": "1.00", "price": "9.00"}]}',
        b'{"card": null, "amount": "4.20", "card": null}',
    ],
)
def test_a_key_named_twice_is_refused(api: Api, body: bytes) -> None:
    before = counts(api)
    answer = api.client.post(
        "/api/v1/checkouts", content=body, headers={**api.till, "Content-Type": "application/json"}
    )
    message = is_error(answer, 400, "duplicate_key")
    assert "twice" in message
    assert counts(api) == before


@pytest.mark.parametrize("quantity", [True, False, "2", 1.5, None])
def test_a_quantity_is_a_whole_number_never_a_boolean_or_text(api: Api, quantity: Any) -> None:
    before = counts(api)
    item = {"sku": "FLAT", "category": "coffee", "quantity": quantity, "price": "3.20"}
    answer = api.client.post("/api/v1/checkouts", json={"amount": "3.20", "items": [item]}, headers=api.till)
    assert "items.0.quantity" in is_error(answer, 422, "invalid_input")
    assert counts(api) == before


@pytest.mark.parametrize("flag", ["receipt", "leaderboard"])
def test_a_boolean_is_true_or_false_never_a_number_or_text(sqlite_api: Api, flag: str) -> None:
    path, body = (
        ("/api/v1/checkouts", {"amount": "3.20"}) if flag == "receipt" else ("/api/v1/cards", {"name": "Ana"})
    )
    for value in (1, "true", "yes"):
        answer = sqlite_api.client.post(path, json={**body, flag: value}, headers=sqlite_api.till)
        assert flag in is_error(answer, 422, "invalid_input")


def test_a_whole_quantity_written_with_a_point_is_the_same_quantity(sqlite_api: Api) -> None:
    item = {"sku": "FLAT", "category": "coffee", "quantity": 2.0, "price": "3.20"}
    answer = sqlite_api.client.post(
        "/api/v1/checkouts", json={"amount": "6.40", "items": [item]}, headers=sqlite_api.till
    )
    assert answer.status_code == 201, answer.text
