"""Fixtures of the HTTP API tests: the application of a real shop (SQLite
file or PostgreSQL) driven through the ASGI test client, with a till key
and an admin key."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from stampdesk.desk import Desk

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note about httpx's successor
    from fastapi.testclient import TestClient

from stampdesk.web.app import create_app


@dataclass
class Api:
    """A shop's API as a till sees it."""

    desk: Desk
    client: TestClient
    till_key: str
    admin_key: str

    @property
    def till(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.till_key}"}

    @property
    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_key}"}

    def enrol(self, name: str = "Ana Martin", **fields: object) -> str:
        answer = self.client.post("/api/v1/cards", json={"name": name, **fields}, headers=self.till)
        assert answer.status_code == 201, answer.text
        return str(answer.json()["number"])


def make_api(desk: Desk) -> Iterator[Api]:
    till = desk.create_api_key("till-1").key
    admin = desk.create_api_key("owner", "admin").key
    with TestClient(create_app(desk, print_outbox=False)) as client:
        api = Api(desk, client, till, admin)
        # Both keys used once, so that their last_used_at is already written
        # when a test takes its "nothing changed" snapshot.
        for headers in (api.till, api.admin):
            assert client.get("/api/v1/program", headers=headers).status_code == 200
        yield api


@pytest.fixture
def api(desk: Desk) -> Iterator[Api]:
    """On a SQLite file, then on PostgreSQL."""
    yield from make_api(desk)


@pytest.fixture
def sqlite_api(sqlite_desk: Desk) -> Iterator[Api]:
    """For what does not depend on the database."""
    yield from make_api(sqlite_desk)
