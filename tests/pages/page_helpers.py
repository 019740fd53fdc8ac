"""The customer pages' app, and filling its forms as a browser would.

``make_app`` is the ONE place the tests build the app: once the POS API's
``create_app(desk)`` is merged (it includes ``stampdesk.web.pages.router`` and
calls ``pages.install``), its body becomes ``return create_app(desk)``.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from stampdesk.desk import Desk
from stampdesk.web import pages

ORIGIN = "https://cafe.example"


def make_app(desk: Desk) -> FastAPI:
    """The app serving the customer pages for ``desk``."""
    app = FastAPI()
    app.state.desk = desk
    app.include_router(pages.router)
    pages.install(app)
    return app


def csrf_of(html: str) -> str:
    """The form token hidden in a page's form."""
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no form token"
    return found.group(1)


def join(client: TestClient, token: str, **fields: Any) -> Response:
    """Open a receipt's enrolment page and submit its form (Ana, consenting,
    unless ``fields`` say otherwise; a field set to None is left out)."""
    page = client.get(f"/join/{token}")
    assert page.status_code == 200, page.text
    data = {"csrf": csrf_of(page.text), "name": "Ana", "email": "ana@example.org", "consent": "yes"}
    data.update(fields)
    form = {k: v for k, v in data.items() if v is not None}
    return client.post(f"/join/{token}", data=form, headers={"Origin": ORIGIN})


def card_token(response: Response) -> str:
    """The card page's token from the redirect that follows a successful join."""
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith("../card/")
    return location.rsplit("/", 1)[1]


def text_of(html: str) -> str:
    """A page's visible text, roughly: tags removed, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#39;", "'").split())
