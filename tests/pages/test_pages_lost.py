"""A customer who lands where no page is (the shop's address alone, a
receipt or card link cut short) gets a page in their language that says
how to reach the one they were after; the API's addresses still answer in
JSON."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from page_helpers import text_of

ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}
FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}


@pytest.mark.parametrize(
    ("path", "english", "french"),
    [
        ("/", "scan the QR code printed on its receipt", "scannez le QR code imprimé sur son ticket"),
        ("/join/", "scan the QR code printed on its receipt", "scannez le QR code imprimé sur son ticket"),
        ("/join", "scan the QR code printed on its receipt", "scannez le QR code imprimé sur son ticket"),
        ("/card/", "opens from its own private link", "s'ouvre par son lien privé"),
        ("/card", "opens from its own private link", "s'ouvre par son lien privé"),
        ("/favicon.ico", "This page does not exist.", "Cette page n'existe pas."),
    ],
)
def test_an_address_without_a_page_answers_a_friendly_page_in_the_customers_language(
    client: TestClient, path: str, english: str, french: str
) -> None:
    for headers, expected, title in ((ENGLISH, english, "Sorry"), (FRENCH, french, "Oups")):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 404
        assert answer.headers["content-type"].startswith("text/html")
        text = text_of(answer.text)
        assert expected in text and title in text and "Café Bleu" in text, text
        assert "/api/v1" not in text and '"error"' not in answer.text
    # The stylesheet is found from where the page is.
    assert '<link rel="stylesheet" href="../pages/style.css' in client.get("/join/").text
    assert '<link rel="stylesheet" href="pages/style.css' in client.get("/").text


@pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/v2/cards", "/api", "/api/"])
def test_the_apis_addresses_still_answer_json(client: TestClient, path: str) -> None:
    answer = client.get(path, headers=FRENCH)
    assert answer.status_code == 404 and answer.headers["content-type"] == "application/json"
    assert answer.json()["error"]["code"] == "not_found"
