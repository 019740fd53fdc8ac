"""Fixtures of the customer pages' tests: a shop, and a client of its app
(built by ``page_helpers.make_app``, the one place the app is made)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from page_helpers import make_app

from helpers import EXAMPLE_PROGRAM, Clock, make_desk
from stampdesk.desk import Desk


@pytest.fixture
def shop(db_url: str, clock: Clock) -> Iterator[Desk]:
    """A shop with the example programme, no rate limit (tests that need one
    make their own), on SQLite and PostgreSQL."""
    from stampdesk.config import PagesSettings

    desk = make_desk(db_url, clock, pages=PagesSettings(rate_limit=0))
    desk.load_program(EXAMPLE_PROGRAM)
    yield desk
    desk.close()


@pytest.fixture
def client(shop: Desk) -> Iterator[TestClient]:
    """A browser-like client of the pages (same origin as the app)."""
    with TestClient(make_app(shop), base_url="https://cafe.example", follow_redirects=False) as test_client:
        yield test_client
