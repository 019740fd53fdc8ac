"""Receipts printed over a real TCP socket to the emulator on 127.0.0.1, on
three printer profiles, and every printer fault: the sale is always kept,
and the receipt prints once the printer is back."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import zxingcpp

from helpers import EXAMPLE_PROGRAM, Clock, make_desk
from stampdesk import Refused
from stampdesk.config import PrinterSettings
from stampdesk.desk import Desk
from stampdesk.print_outbox import ReceiptPrinter, print_pending, printer_for
from stampdesk.printer.decode import Page, decode
from stampdesk.printer.emulator import PrinterEmulator
from stampdesk.services import claims


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[PrinterEmulator]:
    printer = PrinterEmulator("127.0.0.1", 0, out_dir=tmp_path / "received")
    printer.start()
    try:
        yield printer
    finally:
        printer.stop()


def tcp(emulator: PrinterEmulator, profile: str = "TM-T88V") -> ReceiptPrinter:
    return ReceiptPrinter(f"tcp://127.0.0.1:{emulator.port}", profile)


def only_page(emulator: PrinterEmulator) -> Page:
    emulator.wait_for_pages(1, timeout=2.0)
    [page] = emulator.pages
    return page


@pytest.mark.parametrize("profile", ["TM-T88V", "TM-T20II", "POS-5890"])
def test_a_walk_in_receipt_prints_with_a_qr_that_claims_the_sale(
    sqlite_desk: Desk, emulator: PrinterEmulator, profile: str
) -> None:
    sale = sqlite_desk.checkout(amount="12.00", receipt=True)
    [outcome] = print_pending(sqlite_desk, tcp(emulator, profile))
    assert outcome.printed
    page = only_page(emulator)
    text = "\n".join(page.text_lines)
    assert "12,00 €" in text and "Café Bleu" in text
    # Accented lines are printed in an explicit code page, never lost.
    accented = [line for line in page.lines if "é" in line.text]
    assert accented and all(line.codepage for line in accented)
    if page.qr_codes:  # native QR where the profile has it
        payload = page.qr_codes[0].data
    else:  # an image elsewhere: read it back from what the printer drew
        [receipt] = emulator.receipts
        payload = next(c.text for c in zxingcpp.read_barcodes(_image(receipt.png)))
    assert payload == sale.enrol_url
    secret = sqlite_desk.store.claim_secret(sqlite_desk.store.engine.connect())
    token = payload.rsplit("/", 1)[1]
    assert claims.read_token(secret, token, sqlite_desk.store.now().date()) == sale.checkout
    assert page.cut is not None or profile == "POS-5890"
    # Under the code's caption, the last day it keeps the stamps: a sale of
    # 02/03/2026 can be claimed for 30 days.
    printed = [line.strip() for line in page.text_lines]
    caption = next(i for i, line in enumerate(printed) if line.startswith("Scannez pour garder"))
    # The caption takes two lines on 58 mm paper.
    assert "À garder jusqu'au 01/04/2026" in printed[caption + 1 : caption + 3]
    assert claims.read_token(secret, token, date(2026, 4, 1)) == sale.checkout
    with pytest.raises(Refused):
        claims.read_token(secret, token, date(2026, 4, 2))


@pytest.mark.parametrize("profile", ["TM-T88V", "TM-T20II", "POS-5890"])
def test_a_coupon_prints_with_a_barcode_of_its_code(
    sqlite_desk: Desk, emulator: PrinterEmulator, profile: str
) -> None:
    number = sqlite_desk.enrol(name="Élodie Marchand").number
    sale = sqlite_desk.checkout(card=number, amount="5.00", receipt=True)
    print_pending(sqlite_desk, tcp(emulator, profile))
    page = only_page(emulator)
    code = sale.coupons[0].code
    if page.barcodes:
        assert page.barcodes[0].data == code and page.barcodes[0].symbology == "CODE128"
    else:
        [receipt] = emulator.receipts
        assert code in {c.text for c in zxingcpp.read_barcodes(_image(receipt.png))}
    assert any("Élodie" in line for line in page.text_lines)


@pytest.mark.parametrize(
    ("mode", "reason"), [("paper_out", "paper_out"), ("cover_open", "cover_open"), ("offline", "offline")]
)
def test_a_printer_fault_keeps_the_sale_and_prints_once_it_is_back(
    sqlite_desk: Desk, emulator: PrinterEmulator, mode: str, reason: str
) -> None:
    emulator.mode = mode
    sale = sqlite_desk.checkout(amount="5.00", receipt=True)
    [outcome] = print_pending(sqlite_desk, tcp(emulator))
    assert (outcome.printed, outcome.reason) == (False, reason)
    assert [job.id for job in sqlite_desk.pending_receipts()] == [sale.print_job]
    assert sqlite_desk.check().ok and emulator.pages == []
    emulator.mode = "ok"
    [retry] = print_pending(sqlite_desk, tcp(emulator))
    assert retry.printed and sqlite_desk.pending_receipts() == ()
    assert "DUPLICATA" not in "\n".join(only_page(emulator).text_lines)  # printed once


def test_a_silent_or_missing_printer_keeps_the_receipt_until_it_is_back(
    sqlite_desk: Desk, emulator: PrinterEmulator
) -> None:
    emulator.mode = "silent"
    sale = sqlite_desk.checkout(amount="5.00", receipt=True)
    [outcome] = print_pending(sqlite_desk, tcp(emulator))
    assert outcome.reason == "no_answer"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    [refused] = print_pending(sqlite_desk, ReceiptPrinter(f"tcp://127.0.0.1:{port}"))
    assert refused.reason == "refused"
    assert [job.id for job in sqlite_desk.pending_receipts()] == [sale.print_job]
    assert sqlite_desk.check().ok
    emulator.mode = "ok"  # the printer answers again: the receipt prints, once
    [retry] = print_pending(sqlite_desk, tcp(emulator))
    assert retry.printed and sqlite_desk.pending_receipts() == ()
    assert "5,00 €" in "\n".join(only_page(emulator).text_lines)


def test_a_receipt_the_printer_never_confirmed_prints_again_as_duplicata(
    sqlite_desk: Desk, emulator: PrinterEmulator
) -> None:
    """A printer that reports ready, takes the job, then goes quiet: the
    receipt may be in the customer's hand, so the next print says so."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)

    def forgetful_printer() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(3)
            try:
                while chunk := conn.recv(4096):
                    if chunk.startswith(b"\x10\x04"):  # DLE EOT: "ready"
                        conn.sendall(b"\x12")
                    # The job and its GS r 1 are taken, never answered.
            except TimeoutError:
                pass

    worker = threading.Thread(target=forgetful_printer, daemon=True)
    worker.start()
    sale = sqlite_desk.checkout(amount="5.00", receipt=True)
    port = listener.getsockname()[1]
    [outcome] = print_pending(sqlite_desk, ReceiptPrinter(f"tcp://127.0.0.1:{port}"))
    worker.join(timeout=10)
    listener.close()
    assert outcome.reason == "no_answer" and not outcome.printed
    [job] = sqlite_desk.pending_receipts()
    assert job.id == sale.print_job and job.duplicate
    print_pending(sqlite_desk, tcp(emulator))
    assert "DUPLICATA" in "\n".join(only_page(emulator).text_lines)


def test_the_fourth_visits_receipt_prints_its_surprise_and_a_reprint_says_the_same(
    loyalty_desk: Desk, emulator: PrinterEmulator, clock: Clock
) -> None:
    surprise = "Pour votre 4e visite, un tampon offert !"  # examples/program-loyalty.toml
    number = loyalty_desk.enrol(name="Ana").number
    for _ in range(3):
        clock.advance(days=1)
        loyalty_desk.checkout(card=number, amount="5.00")
    clock.advance(days=1)
    sale = loyalty_desk.checkout(card=number, amount="5.00", receipt=True)
    assert surprise in sale.messages
    print_pending(loyalty_desk, tcp(emulator))
    assert surprise in "\n".join(only_page(emulator).text_lines)
    loyalty_desk.reprint(sale.checkout)
    print_pending(loyalty_desk, tcp(emulator))
    emulator.wait_for_pages(2, timeout=2.0)
    again = "\n".join(emulator.pages[1].text_lines)
    assert "DUPLICATA" in again and surprise in again


@pytest.mark.parametrize("profile", ["TM-T88V", "TM-T20II", "POS-5890"])
def test_a_thrown_away_receipt_shows_the_first_name_and_the_cards_last_four_digits_only(
    sqlite_desk: Desk, emulator: PrinterEmulator, tmp_path: Path, profile: str
) -> None:
    number = sqlite_desk.enrol(name="Élodie Marchand").number
    sale = sqlite_desk.checkout(card=number, amount="5.00", receipt=True)  # a coupon: a barcode
    device = tmp_path / "lp0"
    printer = ReceiptPrinter(f"file://{device}", profile)
    [first] = print_pending(sqlite_desk, printer)
    sqlite_desk.reprint(sale.checkout)
    [again] = print_pending(sqlite_desk, printer)
    assert first.printed and again.printed
    data = device.read_bytes()
    # Nowhere in the bytes: not as text, not as a barcode's data, not in parts.
    assert number.encode() not in data and number[:9].encode() not in data
    assert b"Marchand" not in data
    lines = [line.strip() for page in decode(data).pages for line in page.text_lines]
    assert number not in "\n".join(lines) and "Marchand" not in "\n".join(lines)
    # The sale and its DUPLICATA (one page or two: POS-5890 has no cutter).
    assert sum(line == "Client : Élodie" for line in lines) == 2
    assert sum(line.startswith("Carte") and line.endswith(number[-4:]) for line in lines) == 2
    codes = [code.data for page in decode(data).pages for code in page.barcodes]
    assert set(codes) <= {sale.coupons[0].code}  # the coupon's own (a picture where there is no GS k)
    # The same on a network printer, as the emulator reads it.
    sqlite_desk.reprint(sale.checkout)
    print_pending(sqlite_desk, tcp(emulator, profile))
    shown = "\n".join(only_page(emulator).text_lines)
    assert number not in shown and "Élodie" in shown and number[-4:] in shown
    [receipt] = emulator.receipts  # every code on the paper, drawn or native, read back
    assert {c.text for c in zxingcpp.read_barcodes(_image(receipt.png))} == {sale.coupons[0].code}


def test_a_shop_that_wants_it_prints_the_whole_card_number_and_name(
    sqlite_url: str, clock: Clock, tmp_path: Path
) -> None:
    device = tmp_path / "lp0"
    shop = make_desk(sqlite_url, clock, printer=PrinterSettings(url=f"file://{device}", card_details="full"))
    try:
        shop.load_program_file(EXAMPLE_PROGRAM)
        number = shop.enrol(name="Élodie Marchand").number
        shop.checkout(card=number, amount="5.00", receipt=True)
        print_pending(shop, printer_for(shop))
        [page] = decode(device.read_bytes()).pages
        text = "\n".join(page.text_lines)
        assert number in text and "Client : Élodie Marchand" in text
    finally:
        shop.close()


def _image(path: Path) -> object:
    from PIL import Image

    return Image.open(path)


def test_the_printer_emulator_command_receives_a_checkout_print(sqlite_url: str, tmp_path: Path) -> None:
    """End to end: `stampdesk printer-emulator` on a loopback port, and
    `stampdesk checkout --print` sending it a receipt."""
    import subprocess
    import sys

    bin_dir = Path(sys.executable).parent
    out = tmp_path / "receipts"
    server = subprocess.Popen(
        [str(bin_dir / "stampdesk"), "printer-emulator", "--port", "0", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        banner = server.stderr.readline() if server.stderr else ""
        port = int(banner.split("tcp://127.0.0.1:")[1].split()[0])
        run = [str(bin_dir / "stampdesk"), "--printer", f"tcp://127.0.0.1:{port}"]
        program = str(Path(__file__).resolve().parents[2] / "examples" / "program.toml")
        subprocess.run(
            [*run, "program", "load", program, "--db", sqlite_url], check=True, capture_output=True
        )
        sale = subprocess.run(
            [*run, "checkout", "--amount", "4.50", "--print", "--db", sqlite_url],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert sale.returncode == 0, sale.stderr
        line = server.stdout.readline() if server.stdout else ""
        assert "receipt-0001" in line
        assert "4,50 €" in (out / "receipt-0001.txt").read_text()
        assert (out / "receipt-0001.png").stat().st_size > 0
    finally:
        server.terminate()
        server.wait(timeout=10)
