"""A customer who already has a card adds a walk-in receipt to it from their
phone: on the card's page (paste the receipt's link or code), or by scanning
the receipt's QR code in a browser that remembers their card ("add to my
card Léa …7313"), or by pasting their card's link there. Only the card's link
proves a card: a stranger never sees one. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from page_helpers import ORIGIN, csrf_of, text_of

from helpers import Clock, content
from stampdesk.desk import Desk


def add_on_card_page(client: TestClient, link: str, receipt: str) -> Response:
    page = client.get(f"/card/{link}")
    assert page.status_code == 200, page.text
    return client.post(
        f"/card/{link}/claim",
        data={"csrf": csrf_of_form(page.text, "claim"), "receipt": receipt},
        headers={"Origin": ORIGIN},
    )


def csrf_of_form(html: str, action: str) -> str:
    """The form token of the form posting to ``…/<action>``."""
    start = html.index(f'/{action}"')
    return csrf_of(html[start:])


def test_the_card_page_adds_a_receipt_once_then_shows_it(shop: Desk, client: TestClient) -> None:
    lea = shop.enrol(name="Léa", email="lea@example.org")
    link = shop.card_token(lea.number)
    sale = shop.checkout(amount="12.50")  # 2 stamps on its receipt
    page = client.get(f"/card/{link}")
    text = text_of(page.text)
    assert "Ajouter un ticket" in text and "Lien ou code du ticket" in text
    # The page remembers the card in this browser, for the next receipt scanned.
    cookie = page.headers["set-cookie"]
    assert cookie.startswith(f"card={link};") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" in cookie

    added = client.post(
        f"/card/{link}/claim",
        data={"csrf": csrf_of_form(page.text, "claim"), "receipt": sale.enrol_url or ""},
        headers={"Origin": ORIGIN},
    )
    assert added.status_code == 303 and added.headers["location"] == f"../{link}?added=1"
    assert shop.card(lea.number).balance == 4
    shown = client.get(f"/card/{link}?added=1")
    assert "Le ticket a été ajouté à votre carte." in text_of(shown.text)
    assert shown.text.count('class="stamp on') == 4

    # The same receipt again (its code this time): said on the card's page, nothing written.
    before = content(shop)
    again = client.post(
        f"/card/{link}/claim",
        data={"csrf": csrf_of_form(shown.text, "claim"), "receipt": sale.claim_token or ""},
        headers={"Origin": ORIGIN},
    )
    assert again.status_code == 409
    assert "Les tampons de ce ticket ont déjà été gardés sur une carte." in text_of(again.text)
    assert f'value="{sale.claim_token}"' in again.text  # the field keeps what was pasted
    assert content(shop) == before


def test_the_card_page_says_why_a_receipt_cannot_be_added(
    shop: Desk, client: TestClient, clock: Clock
) -> None:
    lea = shop.enrol(name="Léa")
    link = shop.card_token(lea.number)
    old = shop.checkout(amount="5.00")
    clock.advance(days=31)
    refunded = shop.checkout(amount="5.00")
    shop.refund(refunded.checkout)
    good = shop.checkout(amount="5.00")
    client.headers.update({"Accept-Language": "en"})
    before = content(shop)
    for receipt, status, message in (
        (old.claim_token or "", 410, "This receipt is too old to keep its stamps."),
        (refunded.claim_token or "", 410, "This purchase was refunded: its stamps can no longer be kept."),
        ("https://cafe.example/join/nonsense", 404, "This receipt link is not valid."),
    ):
        answer = add_on_card_page(client, link, receipt)
        assert answer.status_code == status, answer.text
        assert message in text_of(answer.text)
        assert "Léa" in answer.text  # still the card's page, the form to try again
    # A form from elsewhere writes nothing either.
    forged = client.post(
        f"/card/{link}/claim", data={"csrf": "x", "receipt": good.claim_token}, headers={"Origin": ORIGIN}
    )
    assert forged.status_code == 403
    assert content(shop) == before
    assert shop.card(lea.number).balance == 2


def test_a_receipt_scanned_in_a_browser_that_knows_the_card_offers_it(shop: Desk, client: TestClient) -> None:
    lea = shop.enrol(name="Léa", email="lea@example.org")
    link = shop.card_token(lea.number)
    client.get(f"/card/{link}")  # once opened, the browser knows the card
    sale = shop.checkout(amount="12.50")
    page = client.get(f"/join/{sale.claim_token}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert f"Ajouter à ma carte : Léa …{lea.number[-4:]}" in text
    assert "Ou créer une nouvelle carte :" in text and "Prénom" in text  # or a new card
    assert lea.number not in page.text and "lea@example.org" not in page.text  # name and 4 digits only

    added = client.post(
        f"/join/{sale.claim_token}/add",
        data={"csrf": csrf_of_form(page.text, "add")},
        headers={"Origin": ORIGIN},
    )
    assert added.status_code == 303 and added.headers["location"] == f"../../card/{link}?added=1"
    card = shop.card(lea.number)
    assert card.balance == 4 and [c.reward for c in card.coupons] == ["Croissant offert"]
    assert client.get(f"/join/{sale.claim_token}").status_code == 409  # used up
    assert shop.check().ok


def test_a_stranger_proves_nothing_with_an_e_mail_and_sees_no_card(shop: Desk, client: TestClient) -> None:
    lea = shop.enrol(name="Léa", email="lea@example.org")
    sale = shop.checkout(amount="12.50")
    page = client.get(f"/join/{sale.claim_token}")
    text = text_of(page.text)
    # No card in this browser: the way to prove one is its link, or the till.
    assert "Ajouter à ma carte :" not in text and "Léa" not in text
    assert "Vous avez déjà une carte ?" in text and "Demandez en caisse" in text
    assert "Le lien de votre carte" in text

    before = content(shop)
    for pasted in ("lea@example.org", lea.number, "https://cafe.example/card/" + "A" * 32):
        answer = client.post(
            f"/join/{sale.claim_token}/add",
            data={"csrf": csrf_of_form(page.text, "add"), "card_link": pasted},
            headers={"Origin": ORIGIN},
        )
        assert answer.status_code == 404
        assert "Ce lien de carte n'est pas valable." in text_of(answer.text)
        assert "Léa" not in answer.text, answer.text
        assert "set-cookie" not in answer.headers
    assert content(shop) == before  # the receipt is still there to keep


def test_pasting_the_card_s_link_on_the_receipt_page_adds_it_and_remembers_the_card(
    shop: Desk, client: TestClient
) -> None:
    lea = shop.enrol(name="Léa", email="lea@example.org")
    link = shop.card_link(lea.number)  # the whole address, as the customer copies it
    token = shop.card_token(lea.number)
    sale = shop.checkout(amount="4.20")
    page = client.get(f"/join/{sale.claim_token}")
    added = client.post(
        f"/join/{sale.claim_token}/add",
        data={"csrf": csrf_of_form(page.text, "add"), "card_link": f"  {link}?lang=fr "},
        headers={"Origin": ORIGIN},
    )
    assert added.status_code == 303 and added.headers["location"] == f"../../card/{token}?added=1"
    assert added.headers["set-cookie"].startswith(f"card={token};")
    assert shop.card(lea.number).balance == 3
    # The next receipt is offered to this card at once.
    following = shop.checkout(amount="4.20")
    assert f"Léa …{lea.number[-4:]}" in text_of(client.get(f"/join/{following.claim_token}").text)


def test_an_erased_card_is_forgotten_by_the_browser_and_never_offered(shop: Desk, client: TestClient) -> None:
    lea = shop.enrol(name="Léa", email="lea@example.org")
    token = shop.card_token(lea.number)
    client.get(f"/card/{token}")  # the browser remembers the card...
    page = client.get(f"/card/{token}/erase")
    erased = client.post(
        f"/card/{token}/erase", data={"csrf": csrf_of(page.text)}, headers={"Origin": ORIGIN}
    )
    assert erased.status_code == 303 and erased.headers["location"] == "erased"
    assert 'card=""' in erased.headers["set-cookie"] and "Max-Age=0" in erased.headers["set-cookie"]
    client.cookies.set("card", token)  # ...and a browser that kept it anyway
    sale = shop.checkout(amount="4.20")
    page = client.get(f"/join/{sale.claim_token}")
    assert page.status_code == 200 and "Ajouter à ma carte :" not in text_of(page.text)


@pytest.mark.parametrize("lang", ["en"])
def test_the_receipt_page_speaks_english_too(shop: Desk, client: TestClient, lang: str) -> None:
    lea = shop.enrol(name="Léa")
    client.get(f"/card/{shop.card_token(lea.number)}")
    sale = shop.checkout(amount="4.20")
    text = text_of(client.get(f"/join/{sale.claim_token}?lang={lang}").text)
    assert f"Add to my card: Léa …{lea.number[-4:]}" in text and "Or create a new card:" in text
    with TestClient(client.app, base_url=ORIGIN) as other:  # a phone that never opened the card
        fresh = text_of(other.get(f"/join/{sale.claim_token}?lang={lang}").text)
    assert "Already have a card?" in fresh and "Ask at the till." in fresh and "Léa" not in fresh
