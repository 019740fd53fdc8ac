"""The receipt-printer plugin between a till and its printer, over real
loopback sockets: a till printing with python-escpos's ``Network`` printer,
the plugin on threads, the printer emulator as the printer.

What the customer gets: every line the till printed, plus the loyalty block
before the cut (the QR that keeps a walk-in's stamps, or the card's stamps);
what the shop gets: the sale, once, for the receipt's total.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from functools import partial

from proxy_helpers import (
    MakeProxy,
    as_bytes,
    codes_in,
    english_bakery,
    english_shop,
    french_cafe,
    grocer_net,
    logo,
    print_on,
    refund,
    send_raw,
    wait_for_raw,
    with_card,
)

from helpers import counts
from stampdesk.desk import Desk
from stampdesk.printer.decode import decode
from stampdesk.printer.emulator import PrinterEmulator
from stampdesk.proxy.journal import summary


def original_lines(data: bytes) -> list[str]:
    [page] = decode(data).pages
    return page.text_lines


def in_order(part: list[str], whole: list[str]) -> bool:
    """Every line of ``part`` is in ``whole``, in the same order."""
    position = 0
    for line in part:
        try:
            position = whole.index(line, position) + 1
        except ValueError:
            return False
    return True


def test_walk_in_receipts_of_four_layouts_get_the_qr_and_their_sales(
    shop: Desk, printer: PrinterEmulator, make_proxy: MakeProxy
) -> None:
    proxy = make_proxy(shop)
    layouts = [french_cafe, english_bakery, grocer_net, english_shop]
    print_on(proxy.port, *layouts)
    saved = [r for r in printer.wait_for_pages(4) and printer.receipts]
    assert len(saved) == 4
    entries = proxy.wait_for_receipts(4)
    totals = [Decimal("12.50"), Decimal("7.25"), Decimal("1028.00"), Decimal("1299.00")]
    patterns = ["total_ttc", "amount_due", "net_a_payer", "total"]
    for layout, receipt, entry, total, pattern in zip(layouts, saved, entries, totals, patterns, strict=True):
        page = receipt.page
        # Every line the till printed is there, in its order, then the block.
        assert in_order(original_lines(as_bytes(layout)), page.text_lines), page.text_lines
        [qr] = page.qr_codes
        assert qr.data.startswith("https://cafe.example/")
        assert entry["printed"] and entry["pattern"] == pattern
        sale = shop.sale(entry["checkout"])
        assert sale.amount == total and sale.card is None and sale.enrol_url == qr.data
        assert page.cut is not None
    # The French receipt's logo is still there, and the QR on paper is the sale's.
    assert saved[0].page.images and saved[0].page.images[0].size == (48 * 8, 96)
    qr_url = saved[0].page.qr_codes[0].data
    assert ("QRCode", qr_url) in codes_in(saved[0].png)
    # Its accents were read in CP858, the bakery's pounds in CP437.
    assert "CAFÉ DU PORT" in saved[0].page.text_lines
    assert "Amount due £7.25" in saved[1].page.text_lines
    # The claim works: a new card gets the receipt's stamps.
    enrolled = shop.enrol(name="Alice", claim=qr_url)
    assert enrolled.claimed_checkout == entries[0]["checkout"] and enrolled.claimed_stamps > 0


def test_the_block_is_in_the_shops_language_before_the_feed_and_cut_and_the_till_mode_comes_back(
    shop: Desk, printer: PrinterEmulator, make_proxy: MakeProxy
) -> None:
    proxy = make_proxy(shop)
    print_on(proxy.port, french_cafe)
    [page] = printer.wait_for_pages(1)
    text = page.text_lines
    assert any("Scannez pour garder" in line for line in text)
    assert any(line.startswith("À garder jusqu'au") for line in text)
    # The block follows the till's last line; the till's 6-line feed then the cut follow the block.
    last_till_line = text.index("Merci de votre visite !")
    assert text[last_till_line + 1].startswith("---")
    assert page.items[-1].__class__.__name__ == "Feed"
    # The till had left the text centred: its mode is back after the block.
    assert page.mode_at_ink is not None
    assert page.lines[last_till_line].align == "center"
    # A line fits the printer's width (TM-T88V: 42 columns).
    assert max(line.columns for line in page.lines[last_till_line + 1 :]) <= 42


def test_a_reprint_records_nothing_new_and_prints_as_it_was(
    shop: Desk, printer: PrinterEmulator, make_proxy: MakeProxy
) -> None:
    proxy = make_proxy(shop)
    print_on(proxy.port, french_cafe)
    printer.wait_for_pages(1)
    before = counts(shop)
    sent = len(printer.raw)
    send_raw(proxy.port, as_bytes(french_cafe))
    [first, second] = proxy.wait_for_receipts(2)
    assert second["reason"] == "reprint" and not second["printed"]
    assert second["checkout"] == first["checkout"]
    assert counts(shop) == before
    printer.wait_for_pages(2)
    assert printer.raw[sent:] == as_bytes(french_cafe)  # unchanged, byte for byte
    day = summary(proxy.journal.folder, first["at"].astimezone(shop.store.zone).date())
    assert (day.seen, day.recorded, day.unchanged, day.reasons) == (2, 1, 1, {"reprint": 1})


def test_a_refund_receipt_earns_nothing(shop: Desk, printer: PrinterEmulator, make_proxy: MakeProxy) -> None:
    proxy = make_proxy(shop)
    before = counts(shop)
    send_raw(proxy.port, as_bytes(refund))
    [entry] = proxy.wait_for_receipts(1)
    assert entry["reason"] == "refund" and entry["checkout"] is None
    assert printer.wait_for_pages(1) and printer.raw == as_bytes(refund)
    assert counts(shop) == before


def test_a_receipt_with_a_card_number_stamps_that_card(
    shop: Desk, printer: PrinterEmulator, make_proxy: MakeProxy
) -> None:
    card = shop.enrol(name="Bob Martin").number
    balance = shop.card(card).balance
    proxy = make_proxy(shop)
    print_on(proxy.port, with_card(card))
    [page] = printer.wait_for_pages(1)
    [entry] = proxy.wait_for_receipts(1)
    sale = shop.sale(entry["checkout"])
    assert sale.card == card and sale.amount == Decimal("2.50")
    assert shop.card(card).balance == balance + sale.stamps_added > balance
    # The block shows the card's stamps, not a QR.
    assert not page.qr_codes
    assert any(line.startswith("Tampons ajoutés") for line in page.text_lines)
    assert any(line.endswith(card[-4:]) for line in page.text_lines)


def test_a_card_the_shop_does_not_know_makes_a_walk_in_sale(
    shop: Desk, printer: PrinterEmulator, make_proxy: MakeProxy
) -> None:
    from stampdesk.domain.card_numbers import new_card_number

    proxy = make_proxy(shop)
    print_on(proxy.port, with_card(new_card_number()))
    [page] = printer.wait_for_pages(1)
    [entry] = proxy.wait_for_receipts(1)
    assert entry["printed"] and shop.sale(entry["checkout"]).card is None
    assert len(page.qr_codes) == 1


def test_many_receipts_on_one_connection_and_several_tills_at_once(
    shop: Desk, printer: PrinterEmulator, make_proxy: MakeProxy
) -> None:
    proxy = make_proxy(shop)
    tills = [
        threading.Thread(
            target=print_on,
            args=(proxy.port, *(partial(french_cafe, with_logo=False, ticket=100 * t + n) for n in range(8))),
        )
        for t in range(3)
    ]
    for till in tills:
        till.start()
    for till in tills:
        till.join(30)
    entries = proxy.wait_for_receipts(24, timeout=30)
    assert len(entries) == 24 and all(entry["printed"] for entry in entries), [e["reason"] for e in entries]
    assert len({entry["checkout"] for entry in entries}) == 24
    pages = printer.wait_for_pages(24, timeout=10)
    assert len(pages) == 24 and all(len(page.qr_codes) == 1 for page in pages)


def test_a_1_mb_receipt_with_a_raster_logo_gets_its_block(
    shop: Desk, printer: PrinterEmulator, make_proxy: MakeProxy
) -> None:
    proxy = make_proxy(shop)
    big = logo(width_bytes=72, rows=14_600)  # 576 dots wide, ~1 MB
    data = b"\x1b@" + big + as_bytes(partial(french_cafe, with_logo=False))
    assert len(data) > 1_000_000
    send_raw(proxy.port, data)
    [entry] = proxy.wait_for_receipts(1, timeout=20)
    assert entry["printed"], entry
    [page] = printer.wait_for_pages(1, timeout=20)
    assert page.images[0].size == (576, 14_600) and len(page.qr_codes) == 1


def test_a_till_that_leaves_mid_receipt_or_sends_garbage_does_not_stop_the_next(
    shop: Desk, printer: PrinterEmulator, make_proxy: MakeProxy
) -> None:
    import random

    proxy = make_proxy(shop, idle_ms=200)
    whole = as_bytes(french_cafe)
    send_raw(proxy.port, whole[: len(whole) // 2])  # gone before the cut
    garbage = random.Random(7).randbytes(64 * 1024)
    send_raw(proxy.port, garbage)
    sent = len(wait_for_raw(printer, len(whole) // 2 + len(garbage)))
    print_on(proxy.port, english_bakery)
    # The half receipt was read (no total in its first half); the garbage held no receipt.
    [half, bakery] = proxy.wait_for_receipts(2, timeout=10)
    assert half["reason"] == "no_total"
    assert bakery["printed"] and bakery["pattern"] == "amount_due"
    raw = printer.raw
    # What the till sent before leaving reached the printer, and every byte of the garbage too.
    assert raw.startswith(whole[: len(whole) // 2])
    assert sent == len(whole) // 2 + len(garbage)
    assert sorted(raw[len(whole) // 2 : sent]) == sorted(garbage)
