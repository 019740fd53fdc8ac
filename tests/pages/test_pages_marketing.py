"""Consent to marketing e-mails on the customer's pages, on a SQLite file and
on PostgreSQL: the enrolment form's own box (unticked, saying what they get
and that they can stop), the card's page (what is recorded, give it, take it
back, in their language), and the language they choose, remembered."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from page_helpers import ORIGIN, card_token, join, text_of

from helpers import content
from stampdesk.desk import Desk
from stampdesk.web.page_text import page_text

LANGS = ("fr", "en")


def consent(shop: Desk, token: str) -> tuple[bool, str | None, str | None]:
    """What the shop recorded for the card's holder: consent, where, language."""
    customer = shop.export(shop.card_for_link(token).number)["customer"]
    return customer["marketing"], customer["marketing_source"], customer["language"]


def marketing_form(html: str, token: str) -> tuple[str, str]:
    """The card page's consent form: its token and the answer it sends."""
    found = re.search(
        rf'action="{token}/marketing">\s*<input type="hidden" name="csrf" value="([^"]+)">\s*'
        r'<input type="hidden" name="marketing" value="(yes|no)">',
        html,
    )
    assert found, "the card's page has no consent form"
    return found.group(1), found.group(2)


@pytest.mark.parametrize("lang", LANGS)
def test_the_join_page_asks_with_its_own_unticked_box_in_plain_words(
    shop: Desk, client: TestClient, lang: str
) -> None:
    t = page_text(lang)
    page = client.get(f"/join/{shop.checkout(amount='4.50').claim_token}?lang={lang}")
    box = re.search(r'<input type="checkbox" id="marketing" name="marketing" value="yes"([^>]*)>', page.text)
    assert box is not None and "checked" not in box.group(1) and "required" not in box.group(1)
    text = text_of(page.text)
    assert t.marketing_offer.format(shop="Café Bleu") in text
    assert t.marketing_optional in text
    # What they get and that they can stop, in their language.
    said = {"fr": "Je peux les arrêter à tout moment", "en": "I can stop them at any time"}[lang]
    assert said in text


def test_joining_without_the_box_leaves_consent_off(shop: Desk, client: TestClient) -> None:
    token = card_token(shop, join(client, shop.checkout(amount="4.50").claim_token))
    assert consent(shop, token) == (False, None, None)


def test_joining_with_the_box_records_consent_from_the_join_page(shop: Desk, client: TestClient) -> None:
    answer = join(client, shop.checkout(amount="4.50").claim_token, marketing="yes")
    token = card_token(shop, answer)
    assert consent(shop, token) == (True, "join_page", None)  # read in the shop's language


def test_a_form_sent_back_keeps_the_box_as_it_was(shop: Desk, client: TestClient) -> None:
    claim = shop.checkout(amount="4.50").claim_token
    ticked = join(client, claim, marketing="yes", consent=None)
    assert ticked.status_code == 422
    assert re.search(r'name="marketing" value="yes" checked', ticked.text)
    unticked = join(client, claim, consent=None)
    assert unticked.status_code == 422 and 'name="marketing" value="yes" checked' not in unticked.text


def test_an_e_mail_typed_on_the_join_page_never_changes_its_holders_consent(
    shop: Desk, client: TestClient
) -> None:
    # Whoever typed Léa's address may not be Léa: her choice stays hers.
    lea = shop.enrol(name="Léa", email="lea@example.org").number
    answer = join(client, shop.checkout(amount="4.50").claim_token, email="lea@example.org", marketing="yes")
    assert answer.status_code == 200
    assert shop.card(lea).marketing is False


@pytest.mark.parametrize("lang", LANGS)
def test_the_card_page_gives_and_withdraws_consent_in_the_customers_language(
    shop: Desk, client: TestClient, lang: str
) -> None:
    t = page_text(lang)
    token = card_token(shop, join(client, shop.checkout(amount="4.50").claim_token))
    client.headers["Accept-Language"] = lang
    page = client.get(f"/card/{token}")
    text = text_of(page.text)
    assert t.marketing_title in text and t.marketing_off.format(shop="Café Bleu") in text
    assert t.marketing_explained in text
    csrf, answer = marketing_form(page.text, token)
    assert answer == "yes" and t.marketing_give in text

    given = client.post(
        f"/card/{token}/marketing", data={"csrf": csrf, "marketing": "yes"}, headers={"Origin": ORIGIN}
    )
    assert given.status_code == 303 and given.headers["location"] == f"../{token}?mail=1#marketing"
    assert consent(shop, token)[:2] == (True, "card_page")
    page = client.get(f"/card/{token}?mail=1")
    text = text_of(page.text)
    assert t.marketing_given in text
    assert t.marketing_on.format(shop="Café Bleu", email="ana@example.org") in text
    csrf, answer = marketing_form(page.text, token)
    assert answer == "no" and t.marketing_withdraw in text

    withdrawn = client.post(
        f"/card/{token}/marketing", data={"csrf": csrf, "marketing": "no"}, headers={"Origin": ORIGIN}
    )
    assert withdrawn.status_code == 303
    assert consent(shop, token)[:2] == (False, "card_page")
    assert t.marketing_withdrawn in text_of(client.get(f"/card/{token}?mail=1").text)


def test_a_forged_or_foreign_consent_form_writes_nothing(shop: Desk, client: TestClient) -> None:
    token = card_token(shop, join(client, shop.checkout(amount="4.50").claim_token))
    csrf, _ = marketing_form(client.get(f"/card/{token}").text, token)
    claim_csrf = re.search(r'name="csrf" value="([^"]+)"', client.get(f"/card/{token}").text)
    assert claim_csrf is not None
    before = content(shop)
    for data, headers in (
        ({"csrf": "1.forged", "marketing": "yes"}, {"Origin": ORIGIN}),
        ({"csrf": claim_csrf.group(1), "marketing": "yes"}, {"Origin": ORIGIN}),  # another form's token
        ({"csrf": csrf, "marketing": "yes"}, {"Origin": "https://evil.example"}),
        ({"csrf": csrf, "marketing": "maybe"}, {"Origin": ORIGIN}),
    ):
        answer = client.post(f"/card/{token}/marketing", data=data, headers=headers)
        assert answer.status_code == 403, data
    assert content(shop) == before


def test_a_card_without_an_e_mail_asks_for_one_first(shop: Desk, client: TestClient) -> None:
    number = shop.enrol(name="Léo").number
    token = shop.card_token(number)
    page = client.get(f"/card/{token}?lang=en")
    assert f'action="{token}/marketing"' not in page.text
    assert page_text("en").marketing_needs_email in text_of(page.text)
    assert f'href="{token}/edit"' in page.text


def test_the_language_chosen_on_the_card_page_is_remembered(shop: Desk, client: TestClient) -> None:
    token = card_token(shop, join(client, shop.checkout(amount="4.50").claim_token))
    client.get(f"/card/{token}")  # no choice made: the shop's language
    assert consent(shop, token)[2] is None
    assert client.get(f"/card/{token}?lang=en").status_code == 200
    assert consent(shop, token)[2] == "en"
    client.get(f"/card/{token}?lang=fr")
    assert consent(shop, token)[2] == "fr"
    client.get(f"/card/{token}?lang=de")  # not one of ours: nothing changes
    assert consent(shop, token)[2] == "fr"


def test_joining_in_another_language_than_the_shops_remembers_it(shop: Desk, client: TestClient) -> None:
    page = client.get(f"/join/{shop.checkout(amount='4.50').claim_token}?lang=en")
    assert page.status_code == 200  # the switch is kept in the browser's cookie
    token = card_token(
        shop,
        join(client, shop.checkout(amount="4.50").claim_token, email="eve@example.org"),
        "eve@example.org",
    )
    assert consent(shop, token)[2] == "en"


def test_a_browser_that_never_chose_opens_the_card_in_the_customers_language(
    shop: Desk, client: TestClient
) -> None:
    token = card_token(shop, join(client, shop.checkout(amount="4.50").claim_token))
    client.get(f"/card/{token}?lang=en")  # the customer chose English on their phone
    english = page_text("en").card_title
    # The link opened elsewhere (an e-mail read on a computer, a new phone): no cookie.
    client.cookies.clear()
    page = client.get(f"/card/{token}", headers={"accept-language": "fr-FR,fr;q=0.9"})
    assert page.status_code == 200
    assert '<html lang="en"' in page.text and english in text_of(page.text)
    # A browser's own choice still wins over the one remembered.
    assert '<html lang="fr"' in client.get(f"/card/{token}?lang=fr").text
    assert '<html lang="fr"' in client.get(f"/card/{token}").text
