"""The "Lost your card's link?" page, as a customer's browser sees it: the
"Lost it?" sentences lead to it in French and English, its form is guarded
as the other forms are, and a mistyped address is said before anything is
asked of the database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin

import pytest
from fastapi.testclient import TestClient
from page_helpers import ORIGIN, csrf_of, text_of

from helpers import EXAMPLE_PROGRAM, Clock, make_desk
from mail_sink import MailSink
from stampdesk.config import MailSettings, PagesSettings, ShopDetails
from stampdesk.desk import Desk
from stampdesk.web.page_text import page_text
from web_app import make_app

ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}
FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}


@pytest.fixture
def sink() -> Iterator[MailSink]:
    server = MailSink().start()
    yield server
    server.stop()


@pytest.fixture
def mail_shop(sqlite_url: str, clock: Clock, sink: MailSink) -> Iterator[Desk]:
    desk = make_desk(
        sqlite_url,
        clock,
        mail=MailSettings(host="127.0.0.1", port=sink.port, security="none", sender="cafe@example.org"),
        shop_details=ShopDetails(name="Café Bleu", address="12 rue des Lilas, Lyon"),
        pages=PagesSettings(rate_limit=0),
    )
    desk.load_program(EXAMPLE_PROGRAM)
    yield desk
    desk.close()


@pytest.fixture
def browser(mail_shop: Desk) -> Iterator[TestClient]:
    with TestClient(make_app(mail_shop), base_url=ORIGIN, follow_redirects=False) as client:
        yield client


def lost_link(html: str, words: str, base: str) -> str:
    """Where the page's "Lost it?" link (``words``) leads, as a browser resolves it."""
    found = re.search(r'<a href="([^"]+)">' + re.escape(words) + "</a>", html)
    assert found is not None, "no link to the card's link page"
    return urljoin(base, found.group(1))


@pytest.mark.parametrize(("headers", "lang"), [(FRENCH, "fr"), (ENGLISH, "en")])
def test_lost_it_leads_to_the_page_that_e_mails_the_link(
    mail_shop: Desk, browser: TestClient, headers: dict[str, str], lang: str
) -> None:
    t = page_text(lang)
    claim = mail_shop.checkout(amount="4.50").claim_token
    join = browser.get(f"/join/{claim}", headers=headers)
    no_card = browser.get("/card/", headers=headers)
    forged = browser.get("/card/" + "A" * 32, headers=headers)
    for page, path in ((join, f"/join/{claim}"), (no_card, "/card/"), (forged, "/card/" + "A" * 32)):
        assert t.lost_by_mail in page.text and t.lost_ask_at_till not in page.text
        assert lost_link(page.text, t.lost_by_mail, ORIGIN + path) == ORIGIN + "/card-link"
    assert t.have_card_explained in text_of(join.text)
    form = browser.get("/card-link", headers=headers)
    assert form.status_code == 200 and f'<html lang="{lang}"' in form.text
    text = text_of(form.text)
    assert t.card_link_title in text and t.card_link_button in text and "Café Bleu" in text
    assert 'type="email" id="email" name="email"' in form.text


def test_the_form_is_guarded_and_a_mistyped_address_is_said(
    mail_shop: Desk, browser: TestClient, sink: MailSink
) -> None:
    mail_shop.enrol(name="Léa", email="lea@example.org")
    csrf = csrf_of(browser.get("/card-link").text)
    t = page_text("fr")
    # Another site's form, or none of ours: refused, nothing sent.
    foreign = browser.post(
        "/card-link",
        data={"csrf": csrf, "email": "lea@example.org"},
        headers={"Origin": "https://evil.example"},
    )
    tokenless = browser.post("/card-link", data={"email": "lea@example.org"}, headers={"Origin": ORIGIN})
    assert foreign.status_code == tokenless.status_code == 403
    mistyped = browser.post(
        "/card-link", data={"csrf": csrf, "email": "lea@example"}, headers={"Origin": ORIGIN}
    )
    assert mistyped.status_code == 422 and t.invalid_email in text_of(mistyped.text)
    assert 'value="lea@example"' in mistyped.text and 'aria-invalid="true"' in mistyped.text
    empty = browser.post("/card-link", data={"csrf": csrf, "email": " "}, headers={"Origin": ORIGIN})
    assert empty.status_code == 422 and t.need_email in text_of(empty.text)
    assert sink.received == []
    sent = browser.post(
        "/card-link", data={"csrf": csrf, "email": "lea@example.org"}, headers={"Origin": ORIGIN}
    )
    assert sent.status_code == 200 and t.card_link_sent_title in sent.text
    assert [r.recipients for r in sink.received] == [["lea@example.org"]]
