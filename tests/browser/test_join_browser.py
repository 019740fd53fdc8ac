"""End to end, as a customer lives it: a walk-in's receipt is printed on the
printer emulator (real TCP on 127.0.0.1), its QR code is read back from the
printed image, and a real headless Chromium at phone size opens it and fills
in the form: the page says where the stamps are (the same page whether or
not the e-mail already had a card); the card's own link, as the shop gives
it, then shows the new card, whose barcode the till could scan.

The card page's screenshot is kept in ``$STAMPDESK_ARTIFACTS`` (else
``test-artifacts/`` at the repository's root).
"""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from pathlib import Path

import zxingcpp
from browser_helpers import ARTIFACTS, CHROMIUM_ARGS, PHONE
from PIL import Image

from helpers import EXAMPLE_PROGRAM, Clock, make_desk
from stampdesk.config import PagesSettings
from stampdesk.print_outbox import ReceiptPrinter, print_pending
from stampdesk.printer.emulator import PrinterEmulator
from web_app import live_server, make_app


def test_a_walk_in_scans_the_printed_receipt_and_gets_their_card(chromium_path: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    printer = PrinterEmulator("127.0.0.1", 0, out_dir=tmp_path / "receipts")
    printer.start()
    shop = make_desk(
        f"sqlite:///{tmp_path / 'shop.db'}",
        Clock(datetime.now(UTC)),
        public_url=base,
        pages=PagesSettings(rate_limit=0),
    )
    try:
        shop.load_program_file(EXAMPLE_PROGRAM)
        sale = shop.checkout(amount="12.50", receipt=True)  # 2 stamps waiting on the receipt
        [outcome] = print_pending(shop, ReceiptPrinter(f"tcp://127.0.0.1:{printer.port}", "TM-T88V"))
        assert outcome.printed, outcome.message
        printer.wait_for_pages(1)
        [receipt] = printer.receipts
        with Image.open(receipt.png) as printed:
            [qr] = [c for c in zxingcpp.read_barcodes(printed) if c.format == zxingcpp.BarcodeFormat.QRCode]
        assert qr.text == sale.enrol_url and qr.text.startswith(f"{base}join/")

        with live_server(sock, make_app(shop)), sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_path,
                args=CHROMIUM_ARGS,
            )
            try:
                context = browser.new_context(
                    viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="fr-FR"
                )
                page = context.new_page()
                page.set_default_timeout(10_000)
                page.goto(qr.text)
                assert page.locator(".big").inner_text() == "4 tampons vous attendent"
                page.fill("#name", "Ana <b>")
                page.fill("#email", "ana@example.org")
                page.check("#consent")
                assert not page.is_checked("#marketing")  # marketing e-mails: asked, never assumed
                page.click("button[type=submit]")
                page.wait_for_load_state()
                assert page.url == qr.text  # no way to a card from the receipt's page
                assert page.locator("h2").first.inner_text() == "Vos tampons sont gardés"
                assert "Merci Ana <b> !" in page.locator("main").inner_text()
                [match] = shop.search("ana@example.org")
                page.goto(shop.card_link(match.number))
                assert page.locator("h2").first.inner_text() == "Bonjour Ana <b> !"
                assert page.locator(".big").first.inner_text() == "4 tampons sur 10"
                assert page.locator(".stamp.on").count() == 4
                assert page.locator(".coupon").count() == 1  # the croissant at 3 stamps
                assert "Vous ne recevez aucun e-mail d'offres" in page.locator("#marketing").inner_text()
                page.click("#marketing button[type=submit]")  # she changes her mind on her card
                page.wait_for_load_state()
                assert "vous recevrez ces e-mails" in page.locator("#marketing .notice").inner_text()

                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                shot = ARTIFACTS / "card-page-phone.png"
                page.screenshot(path=str(shot), full_page=True)
                page.locator("#card-barcode").screenshot(path=str(tmp_path / "barcode.png"))
            finally:
                browser.close()

        token = page.url.rsplit("/", 1)[1].split("?", 1)[0].split("#", 1)[0]
        card = shop.card_for_link(token)
        assert (card.name, card.email, card.balance, card.marketing) == (
            "Ana <b>",
            "ana@example.org",
            4,
            True,
        )
        assert shop.check().ok
        # What the phone shows is what the till's scanner reads.
        with Image.open(tmp_path / "barcode.png") as shown:
            [scanned] = zxingcpp.read_barcodes(shown)
        assert scanned.format == zxingcpp.BarcodeFormat.EAN13 and scanned.text == card.number
        with Image.open(shot) as screenshot:
            assert screenshot.size[0] == PHONE["width"] * 2
    finally:
        shop.close()
        printer.stop()
        sock.close()
