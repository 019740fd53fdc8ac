"""Receipts printed from the outbox: preview files, a device file, and a real
network printer (the emulator on 127.0.0.1) with its faults."""

from __future__ import annotations

from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from stampdesk import InvalidInput
from stampdesk.desk import Desk
from stampdesk.print_outbox import ReceiptPrinter, print_pending
from stampdesk.services import claims


def test_a_walk_in_receipt_previews_a_qr_that_claims_its_stamps(sqlite_desk: Desk, tmp_path: Path) -> None:
    sale = sqlite_desk.checkout(amount="12.00", receipt=True)
    printer = ReceiptPrinter(f"preview://{tmp_path}")
    [outcome] = print_pending(sqlite_desk, printer)
    assert outcome.printed and outcome.checkout == sale.checkout
    png, txt = (Path(f) for f in outcome.files)
    text = txt.read_text()
    assert f"{sale.checkout}" in text and "12,00 €" in text and "2 tampons" in text
    [code] = [c for c in zxingcpp.read_barcodes(Image.open(png)) if c.format == zxingcpp.BarcodeFormat.QRCode]
    assert code.text == sale.enrol_url
    token = code.text.rsplit("/", 1)[1]
    assert len(token) <= 32
    secret = sqlite_desk.store.claim_secret(sqlite_desk.store.engine.connect())
    assert claims.read_token(secret, token, sqlite_desk.store.now().date()) == sale.checkout
    assert sqlite_desk.pending_receipts() == ()


def test_a_card_receipt_shows_progress_and_a_scannable_coupon(sqlite_desk: Desk, tmp_path: Path) -> None:
    number = sqlite_desk.enrol(name="Élodie").number
    sale = sqlite_desk.checkout(card=number, amount="5.00", receipt=True)
    [outcome] = print_pending(sqlite_desk, ReceiptPrinter(f"preview://{tmp_path}"))
    png, txt = (Path(f) for f in outcome.files)
    text = txt.read_text()
    assert "Élodie" in text and "3/10" in text and "Croissant offert" in text
    codes = {c.text for c in zxingcpp.read_barcodes(Image.open(png))}
    assert sale.coupons[0].code in codes


def test_a_reprint_says_duplicata(sqlite_desk: Desk, tmp_path: Path) -> None:
    sale = sqlite_desk.checkout(amount="5.00", receipt=True)
    printer = ReceiptPrinter(f"preview://{tmp_path}")
    print_pending(sqlite_desk, printer)
    sqlite_desk.reprint(sale.checkout)
    [outcome] = print_pending(sqlite_desk, printer)
    assert "DUPLICATA" in Path(outcome.files[1]).read_text()


def test_escpos_bytes_go_to_a_device_file(sqlite_desk: Desk, tmp_path: Path) -> None:
    device = tmp_path / "lp0"
    sqlite_desk.checkout(amount="5.00", receipt=True)
    [outcome] = print_pending(sqlite_desk, ReceiptPrinter(f"file://{device}", "TM-T88V"))
    data = device.read_bytes()
    assert outcome.printed and data.startswith(b"\x1b@") and b"\x1dV" in data


@pytest.mark.parametrize(
    "url",
    [
        "",
        "lpt1",
        "ftp://printer",
        "tcp://",
        "usb://04b8",
        "usb://zz:yy",
        "serial://?baudrate=9600",
        "cups://",
    ],
)
def test_a_bad_printer_url_is_refused_at_once(url: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        ReceiptPrinter(url)
    assert caught.value.code == "invalid_printer_url"


def test_an_unknown_profile_is_refused_at_once() -> None:
    with pytest.raises(InvalidInput):
        ReceiptPrinter("tcp://127.0.0.1:9100", "TM-NOPE")


def test_the_shops_header_and_footer_are_on_the_receipt(sqlite_url: str, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from helpers import EXAMPLE_PROGRAM, Clock, make_desk
    from stampdesk.config import PrinterSettings

    printer = PrinterSettings(url=f"preview://{tmp_path}", header=("12 rue des Lilas",), footer=("Merci !",))
    shop = make_desk(
        sqlite_url, Clock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC)), printer=printer, locale="en_GB"
    )
    try:
        shop.load_program_file(EXAMPLE_PROGRAM)
        shop.checkout(amount="4.50", receipt=True)
        [outcome] = print_pending(shop, ReceiptPrinter(printer.url or ""))
        text = Path(outcome.files[1]).read_text()
        assert "12 rue des Lilas" in text and "Merci !" in text and "€4.50" in text
    finally:
        shop.close()
