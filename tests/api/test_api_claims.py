"""``POST /api/v1/cards/{number}/claims``: a till adds a walk-in receipt to
the card its customer forgot, on SQLite and PostgreSQL; once, and every
refusal in the contract's error shape with nothing written."""

from __future__ import annotations

from typing import Any

from helpers import Clock, content

from .conftest import Api
from .test_api import is_error


def walk_in(api: Api, amount: str = "12.50") -> dict[str, Any]:
    answer = api.client.post("/api/v1/checkouts", json={"amount": amount}, headers=api.till)
    assert answer.status_code == 201, answer.text
    sale: dict[str, Any] = answer.json()
    return sale


def test_a_receipt_is_added_to_the_card_once(api: Api) -> None:
    number = api.enrol("Léa Martin")  # 2 starter stamps
    sale = walk_in(api)  # 2 stamps waiting
    answer = api.client.post(
        f"/api/v1/cards/{number}/claims", json={"token": sale["claim_token"]}, headers=api.till
    )
    assert answer.status_code == 201, answer.text
    card = answer.json()
    assert (card["number"], card["name"], card["balance"]) == (number, "Léa Martin", 4)
    assert (card["stamps_added"], card["checkout"]) == (2, sale["checkout"])
    assert card["progress"] == "4/10 — Cookie offert at 6"
    assert [c["reward"] for c in card["new_coupons"]] == ["Croissant offert"]
    assert api.client.get(f"/api/v1/cards/{number}", headers=api.till).json()["balance"] == 4

    before = content(api.desk)
    again = api.client.post(
        f"/api/v1/cards/{number}/claims", json={"token": sale["enrol_url"]}, headers=api.till
    )
    assert "already claimed" in is_error(again, 409, "already_claimed")
    assert content(api.desk) == before


def test_the_receipt_s_link_is_accepted_as_the_scanner_reads_it(api: Api) -> None:
    number = api.enrol()
    sale = walk_in(api, "4.20")
    answer = api.client.post(
        f"/api/v1/cards/{number}/claims", json={"token": sale["enrol_url"]}, headers=api.till
    )
    assert answer.status_code == 201 and answer.json()["stamps_added"] == 1


def test_refusals_have_the_api_s_codes_and_statuses_and_write_nothing(api: Api, clock: Clock) -> None:
    number = api.enrol()
    erased = api.enrol("Eve")
    api.desk.erase(erased)
    old = walk_in(api)
    clock.advance(days=31)
    refunded = walk_in(api)
    assert api.client.post(f"/api/v1/checkouts/{refunded['checkout']}/refund", headers=api.till).is_success
    good = walk_in(api)
    before = content(api.desk)
    cases = [
        (number, {"token": old["claim_token"]}, api.till, 409, "claim_expired"),
        (number, {"token": refunded["claim_token"]}, api.till, 409, "refunded"),
        (number, {"token": "A" * 32}, api.till, 422, "invalid_claim_token"),
        ("2000000000015", {"token": good["claim_token"]}, api.till, 404, "unknown_card"),
        (erased, {"token": good["claim_token"]}, api.till, 404, "card_erased"),
        ("12", {"token": good["claim_token"]}, api.till, 422, "invalid_card_number"),
        (number, {}, api.till, 422, "invalid_input"),
        (number, {"token": good["claim_token"], "card": number}, api.till, 422, "invalid_input"),
        (number, {"token": good["claim_token"]}, {}, 401, "missing_api_key"),
    ]
    for card, body, headers, status, code in cases:
        answer = api.client.post(f"/api/v1/cards/{card}/claims", json=body, headers=headers)
        assert answer.status_code == status, (card, body, answer.text)
        if code != "invalid_input":
            is_error(answer, status, code)
        else:
            assert set(answer.json()) == {"error"}
    assert content(api.desk) == before
    claimed = api.client.post(
        f"/api/v1/cards/{number}/claims", json={"token": good["claim_token"]}, headers=api.till
    )
    assert claimed.status_code == 201


def test_the_claim_is_in_the_openapi_schema_with_its_errors(sqlite_api: Api) -> None:
    schema = sqlite_api.client.get("/openapi.json").json()
    operation = schema["paths"]["/api/v1/cards/{number}/claims"]["post"]
    assert operation["summary"] and operation["security"] == [{"ApiKey": []}]
    assert {"201", "401", "404", "409", "422"} <= set(operation["responses"])
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    name = body["$ref"].rsplit("/", 1)[1]
    claim_in = schema["components"]["schemas"][name]
    assert claim_in["required"] == ["token"]
    # No example (the shop signs a token, none written in a schema is accepted):
    # its format names it, its description shows its look.
    token = claim_in["properties"]["token"]
    assert token["format"] == "claim-token" and "AAAAAAAqB9QmHk3cVbq0d1tZlh8Rx2nL" in token["description"]
    out = operation["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert {"stamps_added", "checkout", "new_coupons", "balance"} <= set(
        schema["components"]["schemas"][out]["properties"]
    )
