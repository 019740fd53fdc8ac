"""The customer pages' app for the tests, built in ONE place.

``make_app`` is what the shop's web server will be: once the POS API's
``create_app(desk)`` is merged (it includes ``stampdesk.web.pages.router`` and
calls ``pages.install``), this function becomes ``return create_app(desk)``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import EXAMPLE_PROGRAM, Clock, make_desk
from stampdesk.desk import Desk
from stampdesk.web import pages


def make_app(desk: Desk) -> FastAPI:
    """The app serving the customer pages for ``desk``."""
    app = FastAPI()
    app.state.desk = desk
    app.include_router(pages.router)
    pages.install(app)
    return app


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
