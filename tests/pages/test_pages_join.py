"""Enrolling from a walk-in's receipt: the page, the form, exactly once, and
every bad link turned away with a friendly page and nothing written."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from page_helpers import ORIGIN, card_token, csrf_of, join, text_of

from helpers import Clock, content, counts
from stampdesk.desk import Desk
from stampdesk.services import claims


def test_the_receipt_page_shows_the_programme_and_the_stamps_waiting(shop: Desk, client: TestClient) -> None:
    sale = shop.checkout(amount="12.50")  # 1 visit + 1 per full 10.00: 2 stamps
    page = client.get(f"/join/{sale.claim_token}")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    text = text_of(page.text)
    assert "Café Bleu" in text
    assert "4 tampons vous attendent" in text  # 2 starter + 2 from the receipt
    assert "2 pour votre achat de 12,50 € et 2 de bienvenue" in text
    assert "3 tampons : Croissant offert" in text and "10 tampons : Un café offert" in text
    assert "Prénom" in text and "E-mail" in text and "(facultatif)" in text
    assert "garde mon prénom, mon e-mail" in text  # what is kept, and why
    assert 'type="checkbox" id="consent" name="consent"' in page.text
    assert page.text.count('class="stamp on') == 4
    assert len(page.content) < 8000  # cheap on a phone


def test_joining_creates_the_card_with_starter_and_receipt_stamps_exactly_once(
    shop: Desk, client: TestClient
) -> None:
    sale = shop.checkout(amount="12.50")
    first = join(client, sale.claim_token, name="Ana", email="Ana@Example.org", phone="06 12 34 56 78")
    assert first.status_code == 200 and "location" not in first.headers
    assert "Merci Ana ! Les tampons de ce ticket sont sur la carte de fidélité de Ana@Example.org." in (
        text_of(first.text)
    )
    token = card_token(shop, first)
    card = shop.card_for_link(token)
    assert (card.name, card.email, card.phone, card.balance) == ("Ana", "ana@example.org", "0612345678", 4)
    assert card.coupons[0].reward == "Croissant offert"  # 4 stamps passed the milestone at 3
    page = client.get(f"/card/{token}")
    assert page.status_code == 200 and "Bonjour Ana !" in page.text

    before = content(shop)
    # The same form sent twice (a double tap, the back button): one card.
    page = client.get(f"/join/{sale.claim_token}")
    assert page.status_code == 409
    assert "déjà été gardés" in page.text
    replay = client.post(
        f"/join/{sale.claim_token}",
        data={"csrf": "x", "name": "Bob", "email": "bob@example.org", "consent": "yes"},
        headers={"Origin": ORIGIN},
    )
    assert replay.status_code == 409 and "déjà été gardés" in replay.text
    assert content(shop) == before
    assert counts(shop)["cards"] == 1


def test_a_second_submission_of_the_same_form_is_refused_and_writes_nothing(
    shop: Desk, client: TestClient
) -> None:
    sale = shop.checkout(amount="5.00")
    page = client.get(f"/join/{sale.claim_token}")
    form = {"csrf": csrf_of(page.text), "name": "Ana", "email": "ana@example.org", "consent": "yes"}
    assert client.post(f"/join/{sale.claim_token}", data=form).status_code == 200
    before = content(shop)
    second = client.post(f"/join/{sale.claim_token}", data={**form, "email": "other@example.org"})
    assert second.status_code == 409
    assert content(shop) == before and counts(shop)["customers"] == 1


def _forged(token: str) -> str:
    return token[:-2] + ("AA" if token[-2:] != "AA" else "BB")


@pytest.mark.parametrize("method", ["get", "post"])
def test_forged_expired_and_used_receipts_get_a_friendly_page_and_nothing_is_written(
    shop: Desk, client: TestClient, clock: Clock, method: str
) -> None:
    old = shop.checkout(amount="5.00").claim_token
    clock.advance(days=31)  # the claim window is 30 days: `old` expired
    used = shop.checkout(amount="5.00").claim_token
    shop.enrol(name="Zoé", claim=used)
    refunded = shop.checkout(amount="5.00")
    shop.refund(refunded.checkout)
    still = shop.checkout(amount="5.00").claim_token
    assert used and old and still and refunded.claim_token
    cases = {
        _forged(still): (404, "pas valable"),
        "not-a-token": (404, "pas valable"),
        "A" * 32: (404, "pas valable"),
        used: (409, "déjà été gardés"),
        old: (410, "trop ancien"),
        refunded.claim_token: (410, "remboursé"),
    }
    before = content(shop)
    for token, (status, words) in cases.items():
        if method == "get":
            answer = client.get(f"/join/{token}")
        else:
            form = {"csrf": "1.x", "name": "Eve", "email": "eve@example.org", "consent": "yes"}
            answer = client.post(f"/join/{token}", data=form, headers={"Origin": ORIGIN})
        assert answer.status_code == status, (token, answer.status_code)
        assert answer.headers["content-type"].startswith("text/html")
        assert words in answer.text and "Traceback" not in answer.text
        assert "Café Bleu" in answer.text  # the shop's own page, not a bare error
    assert content(shop) == before


def test_consent_is_required_and_the_form_comes_back_filled_in(shop: Desk, client: TestClient) -> None:
    sale = shop.checkout(amount="5.00")
    before = content(shop)
    answer = join(
        client, sale.claim_token, name="Ana", email="ana@example.org", phone="0612345678", consent=None
    )
    assert answer.status_code == 422
    assert "Cochez la case pour accepter" in answer.text
    assert 'value="Ana"' in answer.text and 'value="ana@example.org"' in answer.text
    assert 'value="0612345678"' in answer.text
    assert content(shop) == before
    assert card_token(shop, join(client, sale.claim_token))  # the same receipt still works


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "  "}, "Indiquez votre prénom"),
        ({"email": ""}, "Indiquez votre e-mail"),
        ({"email": "ana-at-example"}, "adresse e-mail n'est pas valable"),
        ({"phone": "12"}, "numéro de téléphone n'est pas valable"),
        ({"birthday": "2090-01-01"}, "date de naissance n'est pas valable"),
        ({"name": "x" * 101}, "Indiquez votre prénom"),
    ],
)
def test_bad_fields_come_back_with_a_message_and_nothing_is_written(
    shop: Desk, client: TestClient, fields: dict[str, str], message: str
) -> None:
    sale = shop.checkout(amount="5.00")
    before = content(shop)
    answer = join(client, sale.claim_token, **fields)
    assert answer.status_code == 422
    assert message in text_of(answer.text)
    assert "Traceback" not in answer.text and 'aria-invalid="true"' in answer.text
    assert content(shop) == before


def _neutral(html: str, *typed: str) -> str:
    """A page's HTML with what the visitor typed blanked out."""
    for value in typed:
        html = html.replace(value, "…")
    return html


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_stranger_cannot_tell_a_customer_s_email_from_a_new_one(
    shop: Desk, client: TestClient, lang: str
) -> None:
    shop.enrol(name="Léa", email="lea@example.org", phone="0611111111")
    known_sale, new_sale = shop.checkout(amount="12.50"), shop.checkout(amount="12.50")
    headers = {"Accept-Language": lang}
    client.headers.update(headers)
    known = join(client, known_sale.claim_token, name="Eve", email="lea@example.org")
    new = join(client, new_sale.claim_token, name="Eve", email="someone.new@example.org")
    assert known.status_code == new.status_code == 200
    assert "location" not in known.headers and "location" not in new.headers
    assert known.headers.get("set-cookie") == new.headers.get("set-cookie")
    assert _neutral(known.text, "lea@example.org") == _neutral(new.text, "someone.new@example.org")
    # Nor by what the page is then: both receipts are used up alike.
    again = [client.get(f"/join/{sale.claim_token}") for sale in (known_sale, new_sale)]
    assert [a.status_code for a in again] == [409, 409]
    assert again[0].text == again[1].text


def test_the_same_page_answers_whatever_name_is_typed_with_a_customer_s_email(
    shop: Desk, client: TestClient
) -> None:
    shop.enrol(name="Léa", email="lea@example.org")
    known_sale, new_sale = shop.checkout(amount="5.00"), shop.checkout(amount="5.00")
    known = join(client, known_sale.claim_token, name="Mallory", email="LEA@example.org")
    new = join(client, new_sale.claim_token, name="Zoé", email="zoe@example.org")
    assert known.status_code == new.status_code == 200
    assert "Mallory" in known.text and "Zoé" in new.text
    assert _neutral(known.text, "Mallory", "LEA@example.org") == _neutral(new.text, "Zoé", "zoe@example.org")
    assert "a déjà une carte" not in known.text and "Léa" not in known.text


def test_a_receipt_claimed_with_a_customer_s_email_adds_its_stamps_to_their_card_once(
    shop: Desk, client: TestClient
) -> None:
    lea = shop.enrol(name="Léa", email="lea@example.org", phone="0611111111")
    assert lea.card.balance == 2  # the starter stamps
    sale = shop.checkout(amount="12.50")  # 2 stamps for the receipt
    answer = join(client, sale.claim_token, name="Eve", email="Lea@Example.org", phone="0699999999")
    assert answer.status_code == 200
    card = shop.card(lea.number)
    # The receipt's stamps, and no starter stamps again; the holder's details untouched.
    assert (card.balance, card.name, card.email, card.phone) == (4, "Léa", "lea@example.org", "0611111111")
    assert [c.reward for c in card.coupons] == ["Croissant offert"]  # the milestone at 3 was passed
    assert counts(shop)["cards"] == 1 and counts(shop)["customers"] == 1
    assert shop.check().ok

    # The receipt is used up: no second probe, nothing more written.
    before = content(shop)
    assert client.get(f"/join/{sale.claim_token}").status_code == 409
    replay = client.post(
        f"/join/{sale.claim_token}",
        data={"csrf": "x", "name": "Eve", "email": "other@example.org", "consent": "yes"},
        headers={"Origin": ORIGIN},
    )
    assert replay.status_code == 409 and "déjà été gardés" in replay.text
    assert content(shop) == before

    # Refunding the sale takes its stamps back from the card they went to.
    shop.refund(sale.checkout)
    assert shop.card(lea.number).balance == 2
    assert shop.check().ok


def test_probing_e_mails_costs_one_receipt_each(shop: Desk, client: TestClient) -> None:
    shop.enrol(name="Léa", email="lea@example.org")
    sale = shop.checkout(amount="5.00")
    page = client.get(f"/join/{sale.claim_token}")
    form = {"csrf": csrf_of(page.text), "name": "Eve", "consent": "yes"}
    answers = [
        client.post(f"/join/{sale.claim_token}", data={**form, "email": email}, headers={"Origin": ORIGIN})
        for email in ("lea@example.org", "someone@example.org", "lea@example.org")
    ]
    assert [a.status_code for a in answers] == [200, 409, 409]
    assert answers[1].text == answers[2].text
    assert counts(shop)["customers"] == 1


def test_what_customers_type_is_escaped(shop: Desk, client: TestClient) -> None:
    sale = shop.checkout(amount="5.00")
    evil = '<script>alert("x")</script>'
    refused = join(client, sale.claim_token, name=evil, email='"><script>alert(1)</script>')
    assert refused.status_code == 422
    assert "<script>" not in refused.text and "&lt;script&gt;" in refused.text
    token = card_token(shop, join(client, sale.claim_token, name=evil))
    page = client.get(f"/card/{token}")
    assert "<script>" not in page.text
    assert "Bonjour &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; !" in page.text
    assert shop.card_for_link(token).name == evil  # kept as typed, shown as text


def test_the_receipt_link_from_the_till_opens_the_page(shop: Desk, client: TestClient) -> None:
    sale = shop.checkout(amount="5.00")
    assert sale.enrol_url == f"https://cafe.example/join/{sale.claim_token}"
    assert claims.enrol_url(shop.settings.public_url, sale.claim_token or "") == sale.enrol_url
    assert client.get(sale.enrol_url or "").status_code == 200


def test_every_mistake_is_shown_at_once(shop: Desk, client: TestClient) -> None:
    sale = shop.checkout(amount="5.00")
    answer = join(client, sale.claim_token, email="bad@", phone="12", birthday="1800-01-01", consent=None)
    assert answer.status_code == 422
    text = text_of(answer.text)
    for message in (
        "adresse e-mail n'est pas valable",
        "numéro de téléphone n'est pas valable",
        "date de naissance n'est pas valable",
        "Cochez la case",
    ):
        assert message in text
    assert answer.text.count('aria-invalid="true"') == 4


def test_two_phones_sending_the_same_receipt_at_once_make_one_card(shop: Desk) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from page_helpers import make_app

    sale = shop.checkout(amount="12.50")
    token = sale.claim_token or ""
    app = make_app(shop)
    clients = [TestClient(app, base_url=ORIGIN, follow_redirects=False) for _ in range(2)]
    forms = []
    for n, phone in enumerate(clients):
        forms.append(
            {
                "csrf": csrf_of(phone.get(f"/join/{token}").text),
                "name": f"Ana {n}",
                "email": f"ana{n}@example.org",
                "consent": "yes",
            }
        )
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda i: clients[i].post(f"/join/{token}", data=forms[i]), range(2)))
    for phone in clients:
        phone.close()
    assert sorted(a.status_code for a in answers) == [200, 409]
    assert counts(shop)["cards"] == 1 and counts(shop)["customers"] == 1
    assert shop.check().ok


def test_a_sale_too_small_to_earn_still_offers_the_starter_stamps(shop: Desk, client: TestClient) -> None:
    sale = shop.checkout(amount="1.50")  # below min_amount: no stamp
    page = client.get(f"/join/{sale.claim_token}")
    text = text_of(page.text)
    assert "2 tampons vous attendent" in text and "pour votre achat" not in text
    token = card_token(shop, join(client, sale.claim_token))
    assert shop.card_for_link(token).balance == 2


def test_a_used_receipt_leads_to_the_card_this_browser_holds(shop: Desk, client: TestClient) -> None:
    sale = shop.checkout(amount="12.50")
    token = card_token(shop, join(client, sale.claim_token))
    used = client.get(f"/join/{sale.claim_token}")
    assert used.status_code == 409 and "Voir ma carte" not in used.text  # no card opened here yet

    assert client.get(f"/card/{token}").status_code == 200  # the browser now holds the card
    used = client.get(f"/join/{sale.claim_token}", headers={"Accept-Language": "en"})
    assert used.status_code == 409
    assert "already kept on a card" in text_of(used.text) and "Open my card" in used.text
    assert f'href="../card/{token}"' in used.text
    assert client.get(f"/join/{sale.claim_token}").text.count(f'href="../card/{token}"') == 1

    # Another browser, or a card link that no longer opens: no link.
    with TestClient(client.app, base_url=ORIGIN) as stranger:
        assert f"card/{token}" not in stranger.get(f"/join/{sale.claim_token}").text
    client.cookies.set("card", "forged-link")
    assert "Voir ma carte" not in client.get(f"/join/{sale.claim_token}").text
