"""The loyalty rules through the HTTP API (examples/program-loyalty.toml):
a card's status tier, lapse date and messages; a sale's tier and messages,
the same when the sale is read again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from helpers import Clock, visit_weekly
from stampdesk.desk import Desk

from .conftest import Api, make_api

SURPRISE = "Pour votre 4e visite, un tampon offert !"


@pytest.fixture
def loyalty_api(loyalty_desk: Desk) -> Iterator[Api]:
    yield from make_api(loyalty_desk)


def test_a_card_carries_its_tier_perk_lapse_date_and_messages(loyalty_api: Api, clock: Clock) -> None:
    number = loyalty_api.enrol()
    fresh = loyalty_api.client.get(f"/api/v1/cards/{number}", headers=loyalty_api.till).json()
    assert fresh["tier"] is None and fresh["perk"] is None and fresh["tier_until"] is None
    assert fresh["expires"] == "2026-08-29T21:59:59+00:00"  # 180 days on, end of the Paris day
    assert fresh["visits"] == 0 and fresh["messages"] == []
    visit_weekly(loyalty_api.desk, clock, number, 9)
    clock.advance(days=41)  # the first visits leave the 90-day window: a grace period
    card = loyalty_api.client.get(f"/api/v1/cards/{number}", headers=loyalty_api.till).json()
    assert (card["tier"], card["perk"], card["visits"]) == ("Gold", "Café offert le mardi", 9)
    assert card["tier_until"] is not None and card["expires"] is not None
    assert any("pour rester Gold" in line for line in card["messages"])


def test_a_sale_carries_its_tier_and_messages_and_reads_back_the_same(loyalty_api: Api, clock: Clock) -> None:
    number = loyalty_api.enrol()
    for _ in range(3):
        clock.advance(days=1)
        loyalty_api.desk.checkout(card=number, amount="5.00")
    clock.advance(days=1)
    answer = loyalty_api.client.post(
        "/api/v1/checkouts", json={"card": number, "amount": "5.00"}, headers=loyalty_api.till
    )
    assert answer.status_code == 201
    sale = answer.json()
    assert sale["tier"] is None and SURPRISE in sale["messages"]
    again = loyalty_api.client.get(f"/api/v1/checkouts/{sale['checkout']}", headers=loyalty_api.till).json()
    assert (again["tier"], again["messages"]) == (sale["tier"], sale["messages"])


def test_a_walk_in_sale_has_no_tier_and_no_message(loyalty_api: Api) -> None:
    sale = loyalty_api.client.post("/api/v1/checkouts", json={"amount": "5.00"}, headers=loyalty_api.till)
    assert (sale.json()["tier"], sale.json()["messages"]) == (None, [])
