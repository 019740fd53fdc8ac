"""The holder's data: downloaded whole, erased on request (after a
confirmation) while the shop's anonymous totals and the ledger still add up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from page_helpers import ORIGIN, card_token, csrf_of, join, text_of
from sqlalchemy import select

from helpers import content
from stampdesk.desk import Desk
from stampdesk.domain.errors import NotFound, Refused
from stampdesk.models import customers, name_words


def _card(shop: Desk, client: TestClient) -> str:
    sale = shop.checkout(amount="12.50")
    return card_token(shop, join(client, sale.claim_token, phone="0612345678", birthday="1990-05-17"))


def test_the_holder_downloads_everything_kept_about_them(shop: Desk, client: TestClient) -> None:
    token = _card(shop, client)
    number = shop.card_for_link(token).number
    shop.checkout(card=number, amount="4.00", items=["CAFE:boissons:2:2.00"])
    before = content(shop)
    answer = client.get(f"/card/{token}/data.json")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.headers["content-disposition"] == f'attachment; filename="card-{number}.json"'
    assert answer.headers["cache-control"] == "no-store"
    data = answer.json()
    assert data["customer"]["name"] == "Ana" and data["customer"]["email"] == "ana@example.org"
    assert data["customer"]["phone"] == "0612345678" and data["customer"]["birthday"] == "1990-05-17"
    assert data["customer"]["consent_at"].startswith("2026-03-02")
    assert data["card"]["number"] == number and data["card"]["balance"] == 5
    assert [s["amount"] for s in data["sales"]] == ["12.50", "4.00"]
    assert data["sales"][0]["claimed_from_receipt"] is True
    assert data["sales"][1]["items"] == [
        {"sku": "CAFE", "category": "boissons", "quantity": 2, "unit_price": "2.00"}
    ]
    assert sum(row["stamps"] for row in data["ledger"]) == 5
    assert [c["reward"] for c in data["coupons"]] == ["Croissant offert"]
    assert content(shop) == before


def test_erasing_asks_first_then_erases_and_the_link_dies(shop: Desk, client: TestClient) -> None:
    token = _card(shop, client)
    number = shop.card_for_link(token).number
    coupon = shop.card(number).coupons[0].code
    totals_before = shop.overview()

    confirm = client.get(f"/card/{token}/erase")
    assert confirm.status_code == 200
    text = text_of(confirm.text)
    assert "Effacer ma carte ?" in text and "4 tampon(s) et 1 bon(s)" in text
    assert "totaux anonymes" in text
    assert shop.card(number).name == "Ana"  # asking wrote nothing

    done = client.post(
        f"/card/{token}/erase", data={"csrf": csrf_of(confirm.text)}, headers={"Origin": ORIGIN}
    )
    assert done.status_code == 303 and done.headers["location"] == "erased"
    for _ in range(2):  # a reload shows the same page and posts nothing
        shown = client.get(f"/card/{token}/erased")
        assert shown.status_code == 200 and "Carte effacée" in shown.text

    for path in (f"/card/{token}", f"/card/{token}/data.json", f"/card/{token}/erase"):
        gone = client.get(path)
        assert gone.status_code == 410 and "effacée à la demande" in gone.text
    again = client.post(f"/card/{token}/erase", data={"csrf": csrf_of(confirm.text)})
    assert again.status_code == 410

    with shop.store.engine.connect() as conn:
        person = conn.execute(select(customers)).one()
        words = conn.execute(select(name_words)).all()
    assert (person.email, person.phone, person.birthday, person.notes) == (None, None, None, None)
    assert person.name != "Ana" and person.erased_at is not None and words == []
    assert shop.search("Ana") == () and shop.search("ana@example.org") == ()

    # The till no longer finds the card; its coupon is void; the ledger still adds up.
    with pytest.raises(NotFound) as missing:
        shop.card(number)
    assert missing.value.code == "card_erased" and "erased" in missing.value.message
    with pytest.raises(NotFound) as refused:
        shop.checkout(card=number, amount="5.00")
    assert refused.value.code == "card_erased"
    with pytest.raises(Refused) as void:
        shop.redeem(coupon)
    assert void.value.code == "coupon_voided" and "erased" in void.value.message
    with pytest.raises(NotFound):
        shop.adjust(number, 1, reason="goodwill", staff="Léa")
    report = shop.check()
    assert report.ok and report.cards == 1 and report.ledger_rows >= 2
    totals_after = shop.overview()
    assert (totals_after.sales, totals_after.amount) == (totals_before.sales, totals_before.amount)
    assert (totals_after.stamps_given, totals_after.enrolments) == (
        totals_before.stamps_given,
        totals_before.enrolments,
    )

    # The e-mail is free again: the customer may come back as new.
    again_sale = shop.checkout(amount="5.00")
    assert card_token(shop, join(client, again_sale.claim_token)) != token


def test_erasing_without_the_form_token_is_refused_and_writes_nothing(shop: Desk, client: TestClient) -> None:
    token = _card(shop, client)
    other = _card_token_for_other(shop, client)
    other_form = client.get(f"/card/{other}/erase")
    confirm = client.get(f"/card/{token}/erase")
    before = content(shop)
    for form, headers in (
        ({}, {"Origin": ORIGIN}),
        ({"csrf": "garbage"}, {"Origin": ORIGIN}),
        ({"csrf": csrf_of(other_form.text)}, {"Origin": ORIGIN}),  # another card's form
        ({"csrf": csrf_of(confirm.text)}, {"Origin": "https://evil.example"}),
    ):
        answer = client.post(f"/card/{token}/erase", data=form, headers=headers)
        assert answer.status_code == 403, form
        assert "Rechargez la page" in answer.text
    assert content(shop) == before
    assert shop.card_for_link(token).name == "Ana"


def _card_token_for_other(shop: Desk, client: TestClient) -> str:
    sale = shop.checkout(amount="5.00")
    return card_token(
        shop, join(client, sale.claim_token, name="Bob", email="bob@example.org"), "bob@example.org"
    )


def test_the_export_is_valid_json_with_the_customers_own_words(shop: Desk, client: TestClient) -> None:
    sale = shop.checkout(amount="5.00")
    token = card_token(shop, join(client, sale.claim_token, name="Zoë « l'Ancienne »"))
    raw = client.get(f"/card/{token}/data.json").content.decode("utf-8")
    assert "Zoë « l'Ancienne »" in raw
    assert json.loads(raw)["customer"]["name"] == "Zoë « l'Ancienne »"


def test_desk_export_and_erase_from_python(shop: Desk) -> None:
    number = shop.enrol(name="Léa", email="lea@example.org", notes="usual: flat white").number
    assert shop.export(number)["customer"]["notes"] == "usual: flat white"
    erased = shop.erase(number)
    assert erased.card == number and erased.stamps_lost == 2 and erased.voided_coupons == ()
    with pytest.raises(NotFound):
        shop.erase(number)
    with pytest.raises(NotFound):
        shop.export(number)
    with pytest.raises(NotFound):
        shop.card_token(number)
    assert shop.check().ok


def test_a_reprint_of_an_erased_cards_sale_prints_without_the_name(shop: Desk, tmp_path: Path) -> None:
    from stampdesk.print_outbox import ReceiptPrinter, print_pending

    number = shop.enrol(name="Ana", email="ana@example.org").number
    sale = shop.checkout(card=number, amount="5.00")
    shop.erase(number)
    shop.reprint(sale.checkout)
    [outcome] = print_pending(shop, ReceiptPrinter(f"preview://{tmp_path}"))
    assert outcome.printed
    text = Path(outcome.files[1]).read_text(encoding="utf-8")
    assert "DUPLICATA" in text and "Ana" not in text and "5,00 €" in text


def test_the_holder_corrects_their_details(shop: Desk, client: TestClient) -> None:
    token = _card(shop, client)
    number = shop.card_for_link(token).number
    form_page = client.get(f"/card/{token}/edit")
    assert form_page.status_code == 200
    assert 'value="Ana"' in form_page.text and 'value="1990-05-17"' in form_page.text
    assert f'href="{token}/edit"' in client.get(f"/card/{token}").text
    form = {
        "csrf": csrf_of(form_page.text),
        "name": "Anaïs Martin",
        "email": "anais@example.org",
        "phone": "",
        "birthday": "1990-05-18",
    }
    saved = client.post(f"/card/{token}/edit", data=form, headers={"Origin": ORIGIN})
    assert saved.status_code == 303 and saved.headers["location"] == f"../{token}?saved=1"
    after = text_of(client.get(f"/card/{token}?saved=1").text)
    assert "Vos coordonnées sont enregistrées." in after and "Bonjour Anaïs Martin !" in after
    assert "enregistrées" not in client.get(f"/card/{token}").text  # said once, after the change
    card = shop.card(number)
    assert (card.email, card.phone, str(card.birthday)) == ("anais@example.org", None, "1990-05-18")
    assert [m.number for m in shop.search("mart")] == [number] and shop.search("ana@") == ()
    assert card.balance == 4  # the stamps are untouched


def test_a_wrong_correction_comes_back_and_writes_nothing(shop: Desk, client: TestClient) -> None:
    shop.enrol(name="Bob", email="bob@example.org")
    token = _card(shop, client)
    csrf = csrf_of(client.get(f"/card/{token}/edit").text)
    before = content(shop)
    bad = client.post(f"/card/{token}/edit", data={"csrf": csrf, "name": "", "email": "nope"})
    assert bad.status_code == 422
    assert "Indiquez votre prénom" in text_of(bad.text) and "pas valable" in bad.text
    taken = client.post(f"/card/{token}/edit", data={"csrf": csrf, "name": "Ana", "email": "BOB@example.org"})
    assert taken.status_code == 409 and "une autre carte" in taken.text
    forged = client.post(
        f"/card/{token}/edit", data={"csrf": "1.x", "name": "Eve", "email": "eve@example.org"}
    )
    assert forged.status_code == 403
    assert content(shop) == before


def test_erasing_leads_to_a_page_a_reload_cannot_post_again(shop: Desk, client: TestClient) -> None:
    token = _card(shop, client)
    assert client.get(f"/card/{token}").cookies.get("card") == token
    # Before erasing, the confirmation's address is the card itself.
    early = client.get(f"/card/{token}/erased")
    assert early.status_code == 303 and early.headers["location"] == f"../{token}"
    confirm = client.get(f"/card/{token}/erase", headers={"Accept-Language": "en"})
    done = client.post(
        f"/card/{token}/erase",
        data={"csrf": csrf_of(confirm.text)},
        headers={"Origin": ORIGIN, "Accept-Language": "en"},
    )
    assert done.status_code == 303 and done.headers["location"] == "erased"
    assert 'card=""' in done.headers["set-cookie"] or "Max-Age=0" in done.headers["set-cookie"]
    shown = client.get(f"/card/{token}/erased", headers={"Accept-Language": "en"})
    assert shown.status_code == 200 and "Card erased" in text_of(shown.text)
    forged = client.get("/card/not-a-card-link/erased")
    assert forged.status_code == 404
