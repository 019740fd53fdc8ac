"""Filling the customer pages' forms as a browser would. The app itself
comes from ``web_app.make_app`` (the one place it is built)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from stampdesk.desk import Desk
from web_app import make_app as make_app

ORIGIN = "https://cafe.example"


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


def card_token(shop: Desk, response: Response, email: str = "ana@example.org") -> str:
    """The page token of the card a successful join kept the stamps on. The
    page never shows it (it would tell who is a customer): found as the shop
    would, by the e-mail."""
    assert response.status_code == 200, response.text
    assert "Vos tampons sont gardés" in response.text or "Your stamps are kept" in response.text
    [match] = [m for m in shop.search(email) if m.email == email.lower()]
    return shop.card_token(match.number)


def text_of(html: str) -> str:
    """A page's visible text, roughly: tags removed, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#39;", "'").split())
