"""End to end in a real headless Chromium at phone size: a customer who has
opened their card once on their phone buys without it, scans the receipt's
QR code, and one tap adds the receipt to their card ("Ajouter à ma carte :
Léa …7313"); the card's page then shows the stamps. Another phone that never
opened the card sees no name, only the way to prove a card (its link)."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from pathlib import Path

from browser_helpers import CHROMIUM_ARGS, PHONE

from helpers import EXAMPLE_PROGRAM, Clock, make_desk
from stampdesk.config import PagesSettings
from web_app import live_server, make_app


def test_one_tap_adds_a_receipt_to_the_card_this_phone_knows(chromium_path: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    shop = make_desk(
        f"sqlite:///{tmp_path / 'shop.db'}",
        Clock(datetime.now(UTC)),
        public_url=base,
        pages=PagesSettings(rate_limit=0),
    )
    try:
        shop.load_program_file(EXAMPLE_PROGRAM)
        lea = shop.enrol(name="Léa", email="lea@example.org")  # 2 starter stamps
        sale = shop.checkout(amount="12.50")  # without the card: 2 stamps on the receipt
        with live_server(sock, make_app(shop)), sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
            try:
                phone = dict(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
                context = browser.new_context(**phone, locale="fr-FR")  # type: ignore[arg-type]
                page = context.new_page()
                page.set_default_timeout(10_000)
                page.goto(shop.card_link(lea.number))  # opened once, from the shop's e-mail
                assert page.locator(".stamp.on").count() == 2

                page.goto(sale.enrol_url or "")  # the receipt's QR code
                offer = page.get_by_role("button", name=f"Ajouter à ma carte : Léa …{lea.number[-4:]}")
                offer.click()
                page.wait_for_load_state()
                assert page.url == f"{shop.card_link(lea.number)}?added=1"
                assert page.locator(".notice").inner_text() == "Le ticket a été ajouté à votre carte."
                assert page.locator(".stamp.on").count() == 4
                assert page.locator(".coupon").count() == 1  # the croissant at 3 stamps

                stranger = browser.new_context(**phone, locale="fr-FR")  # type: ignore[arg-type]
                other = stranger.new_page()
                other.goto(shop.checkout(amount="4.20").enrol_url or "")
                assert "Léa" not in other.content()
                assert other.locator("#have-card h2").inner_text() == "Vous avez déjà une carte ?"
            finally:
                browser.close()
        assert shop.card(lea.number).balance == 4 and shop.check().ok
    finally:
        shop.close()
        sock.close()
