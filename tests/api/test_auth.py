"""API keys: one per till, stored hashed, revocable; a till key cannot
change the programme."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import select

from helpers import EXAMPLE_PROGRAM, Clock, content, make_desk
from stampdesk.domain.errors import NotFound, Refused
from stampdesk.models import api_keys
from stampdesk.services.apikeys import CACHE_SECONDS

from .conftest import Api
from .test_api import is_error

SALE = {"amount": "5.00"}


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "missing_api_key"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "missing_api_key"),
        ({"Authorization": "Bearer "}, "missing_api_key"),
        ({"Authorization": "Bearer sdk_not-a-key-of-this-shop"}, "invalid_api_key"),
        ({"Authorization": "Bearer " + "x" * 5000}, "invalid_api_key"),
    ],
    ids=["none", "basic", "empty", "unknown", "huge"],
)
def test_a_request_without_a_valid_key_is_refused_and_writes_nothing(
    sqlite_api: Api, headers: dict[str, str], code: str
) -> None:
    before = content(sqlite_api.desk)
    for method, path, kwargs in (
        ("POST", "/api/v1/checkouts", {"json": SALE}),
        ("GET", "/api/v1/cards/2000000000015", {}),
        ("PUT", "/api/v1/program", {"content": b"[program]"}),
    ):
        answer = sqlite_api.client.request(method, path, headers=headers, **kwargs)
        is_error(answer, 401, code)
        assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert content(sqlite_api.desk) == before


def test_the_key_is_shown_once_and_only_its_hash_is_stored(sqlite_api: Api) -> None:
    dump = repr(content(sqlite_api.desk))
    for key in (sqlite_api.till_key, sqlite_api.admin_key):
        assert key.startswith("sdk_") and len(key) == 47
        assert key not in dump and key[4:] not in dump
    listed = sqlite_api.desk.api_keys()
    assert [(k.name, k.role) for k in listed] == [("owner", "admin"), ("till-1", "till")]
    assert all(k.last_used_at is not None for k in listed)  # the fixture used both
    assert "key" not in listed[0].to_dict()


def test_one_live_key_per_till_name(sqlite_api: Api) -> None:
    with pytest.raises(Refused) as refused:
        sqlite_api.desk.create_api_key("till-1")
    assert refused.value.code == "api_key_exists"
    sqlite_api.desk.revoke_api_key("till-1")
    assert sqlite_api.desk.create_api_key("till-1").key != sqlite_api.till_key
    with pytest.raises(NotFound):
        sqlite_api.desk.revoke_api_key("till-9")


def test_a_revoked_key_is_refused_at_once_by_the_same_process(api: Api) -> None:
    assert api.client.post("/api/v1/checkouts", json=SALE, headers=api.till).status_code == 201
    api.desk.revoke_api_key("till-1")
    before = content(api.desk)
    is_error(api.client.post("/api/v1/checkouts", json=SALE, headers=api.till), 401, "invalid_api_key")
    assert content(api.desk) == before
    # Sales already recorded keep their till's name.
    assert api.client.get("/api/v1/checkouts/1", headers=api.admin).status_code == 200


def test_a_key_revoked_by_another_process_is_refused_within_seconds(
    sqlite_api: Api, sqlite_url: str, clock: Clock
) -> None:
    assert sqlite_api.client.post("/api/v1/checkouts", json=SALE, headers=sqlite_api.till).status_code == 201
    elsewhere = make_desk(sqlite_url, clock)  # its own Store: as `stampdesk apikey revoke` would be
    elsewhere.revoke_api_key("till-1")
    elsewhere.close()
    revoked_at = time.monotonic()
    statuses: list[Any] = []
    while time.monotonic() - revoked_at < CACHE_SECONDS + 1.5:
        statuses.append(sqlite_api.client.get("/api/v1/program", headers=sqlite_api.till).status_code)
        if statuses[-1] == 401:
            break
        time.sleep(0.1)
    assert statuses[-1] == 401, statuses
    assert time.monotonic() - revoked_at <= CACHE_SECONDS + 1.0


def test_last_use_is_recorded_without_a_write_per_request(sqlite_api: Api, clock: Clock) -> None:
    def last_used() -> Any:
        with sqlite_api.desk.store.read() as conn:
            return conn.execute(select(api_keys.c.last_used_at).where(api_keys.c.name == "till-1")).scalar()

    first = last_used()
    assert first == clock.now
    clock.advance(minutes=5)
    for _ in range(3):
        sqlite_api.client.get("/api/v1/program", headers=sqlite_api.till)
    # Within the cache's few seconds the key is not read (nor written) again.
    assert last_used() == first
    time.sleep(CACHE_SECONDS + 0.1)
    sqlite_api.client.get("/api/v1/program", headers=sqlite_api.till)
    assert last_used() == clock.now


def test_a_till_key_may_sell_but_not_change_the_programme(sqlite_api: Api) -> None:
    api = sqlite_api
    number = api.enrol()
    sale = api.client.post("/api/v1/checkouts", json={"card": number, "amount": "12.50"}, headers=api.till)
    assert sale.status_code == 201
    code = sale.json()["coupons"][0]["code"]
    assert api.client.post(f"/api/v1/coupons/{code}/redeem", headers=api.till).status_code == 200
    refund = api.client.post(f"/api/v1/checkouts/{sale.json()['checkout']}/refund", headers=api.till)
    assert refund.status_code == 200
    before = content(api.desk)
    source = EXAMPLE_PROGRAM.read_text(encoding="utf-8")
    is_error(api.client.put("/api/v1/program", content=source.encode(), headers=api.till), 403, "forbidden")
    assert content(api.desk) == before
