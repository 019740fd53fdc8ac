"""Consent to marketing e-mails through the API, on a SQLite file and on
PostgreSQL: ``POST /api/v1/cards`` with ``"marketing": true``, ``PUT
/api/v1/cards/{number}/marketing``, the card's JSON; off unless given, and a
refusal writes nothing."""

from __future__ import annotations

from datetime import datetime

from helpers import content

from .conftest import Api
from .test_api import is_error


def test_enrolling_without_marketing_leaves_it_off(api: Api) -> None:
    number = api.enrol("Ana Martin", email="ana@example.org", leaderboard=True)
    card = api.client.get(f"/api/v1/cards/{number}", headers=api.till).json()
    assert card["marketing"] is False
    assert api.desk.export(number)["customer"]["marketing_at"] is None


def test_enrolling_with_marketing_records_it_from_the_api(api: Api) -> None:
    answer = api.client.post(
        "/api/v1/cards",
        json={"name": "Ana Martin", "email": "ana@example.org", "marketing": True},
        headers=api.till,
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["marketing"] is True
    customer = api.desk.export(answer.json()["number"])["customer"]
    assert customer["marketing"] is True and customer["marketing_source"] == "api"
    assert datetime.fromisoformat(customer["marketing_at"]) == api.desk.now()


def test_a_customer_changes_their_mind_at_the_till(api: Api) -> None:
    number = api.enrol("Ana Martin", email="ana@example.org")
    path = f"/api/v1/cards/{number}/marketing"
    given = api.client.put(path, json={"marketing": True}, headers=api.till)
    assert given.status_code == 200, given.text
    assert given.json()["marketing"] is True and given.json()["number"] == number
    assert api.client.get(f"/api/v1/cards/{number}", headers=api.till).json()["marketing"] is True
    withdrawn = api.client.put(path, json={"marketing": False}, headers=api.till)
    assert withdrawn.status_code == 200 and withdrawn.json()["marketing"] is False
    assert api.desk.export(number)["customer"]["marketing_source"] == "api"


def test_consent_without_an_e_mail_or_as_anything_but_a_boolean_is_refused(api: Api) -> None:
    before = content(api.desk)
    refused = api.client.post("/api/v1/cards", json={"name": "Ana", "marketing": True}, headers=api.till)
    assert "e-mail" in is_error(refused, 409, "marketing_needs_email")
    assert content(api.desk) == before
    number = api.enrol("Léo Dupont")
    before = content(api.desk)
    path = f"/api/v1/cards/{number}/marketing"
    is_error(api.client.put(path, json={"marketing": True}, headers=api.till), 409, "marketing_needs_email")
    for body in ({"marketing": 1}, {"marketing": "yes"}):
        is_error(api.client.put(path, json=body, headers=api.till), 422, "invalid_input")
    is_error(api.client.put(path, json={}, headers=api.till), 422, "missing_field")
    # The source is the API's own: a till cannot say the customer agreed elsewhere.
    sourced = api.client.put(path, json={"marketing": False, "source": "join_page"}, headers=api.till)
    is_error(sourced, 422, "unknown_field")
    is_error(api.client.put(path, json={"marketing": False}), 401, "missing_api_key")
    assert content(api.desk) == before
    unknown = api.client.put(
        "/api/v1/cards/2900000000001/marketing", json={"marketing": False}, headers=api.till
    )
    is_error(unknown, 404, "unknown_card")
