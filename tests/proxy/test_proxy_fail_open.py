"""Fail-open: whatever goes wrong, the till's receipt reaches the printer
exactly as the till sent it (compared byte for byte with what the emulator
received), and the journal says why. And the till's status requests get the
printer's real answers through the plugin."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from decimal import Decimal
from functools import partial
from pathlib import Path

import pytest
from escpos.printer import Network
from proxy_helpers import TIMEOUT, MakeProxy, as_bytes, french_cafe, no_total, send_raw, wait_for_raw
from sqlalchemy.engine import make_url

from helpers import EXAMPLE_PROGRAM, Clock, counts, make_desk
from stampdesk.config import Settings
from stampdesk.desk import Desk
from stampdesk.printer.emulator import PrinterEmulator
from stampdesk.proxy.work import Faults
from tcp_proxy import CuttableLink

RECEIPT = as_bytes(french_cafe)


def passes_unchanged(proxy_port: int, printer: PrinterEmulator, data: bytes = RECEIPT) -> None:
    before = len(printer.raw)
    send_raw(proxy_port, data)
    assert wait_for_raw(printer, before + len(data))[before:] == data


def test_no_total_goes_through_unchanged(shop: Desk, printer: PrinterEmulator, make_proxy: MakeProxy) -> None:
    proxy = make_proxy(shop)
    passes_unchanged(proxy.port, printer, as_bytes(no_total))
    [entry] = proxy.wait_for_receipts(1)
    assert (entry["printed"], entry["reason"]) == (False, "no_total")


def test_a_database_file_that_cannot_be_read(
    printer: PrinterEmulator, make_proxy: MakeProxy, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"this is not a database " * 200)
    settings = Settings(database=f"sqlite:///{broken}", timezone="Europe/Paris")
    proxy = make_proxy(None, settings=settings)  # it starts all the same
    passes_unchanged(proxy.port, printer)
    [entry] = proxy.wait_for_receipts(1)
    assert entry["reason"] == "database"


def test_an_exception_in_the_parser(shop: Desk, printer: PrinterEmulator, make_proxy: MakeProxy) -> None:
    proxy = make_proxy(shop, faults=Faults(parser_error=True))
    before = counts(shop)
    passes_unchanged(proxy.port, printer)
    [entry] = proxy.wait_for_receipts(1)
    assert (entry["reason"], entry["detail"]) == ("error", "InjectedFault")
    assert counts(shop) == before


def test_past_the_budget_the_receipt_goes_and_the_late_sale_is_kept_once(
    shop: Desk, printer: PrinterEmulator, make_proxy: MakeProxy
) -> None:
    proxy = make_proxy(shop, budget_ms=50, faults=Faults(delay_ms=400))
    started = time.monotonic()
    passes_unchanged(proxy.port, printer)
    assert time.monotonic() - started < 0.35  # the till did not wait for the sale
    [entry] = proxy.wait_for_receipts(1)
    assert entry["reason"] == "late"
    deadline = time.monotonic() + 5
    while not any(e["event"] == "late_sale" for e in proxy.events) and time.monotonic() < deadline:
        time.sleep(0.02)
    [late] = [e for e in proxy.events if e["event"] == "late_sale"]
    assert shop.sale(late["checkout"]).amount == Decimal("12.50")
    # The same receipt again is a reprint: no second sale.
    sales = counts(shop)["checkouts"]
    proxy.budget = 5.0
    passes_unchanged(proxy.port, printer)
    assert proxy.wait_for_receipts(2)[-1]["reason"] == "reprint"
    assert counts(shop)["checkouts"] == sales


@pytest.fixture
def link(pg_url: str) -> Iterator[CuttableLink]:
    url = make_url(pg_url)
    with CuttableLink((url.host or "127.0.0.1", url.port or 5432)) as relay:
        yield relay


@pytest.mark.postgres
def test_postgresql_out_of_reach(
    pg_url: str, link: CuttableLink, clock: Clock, printer: PrinterEmulator, make_proxy: MakeProxy
) -> None:
    through = make_url(pg_url).set(port=link.port).render_as_string(hide_password=False)
    desk = make_desk(through, clock, offline=False)
    desk.load_program(EXAMPLE_PROGRAM)
    try:
        proxy = make_proxy(desk)
        send_raw(proxy.port, RECEIPT)
        [first] = proxy.wait_for_receipts(1)
        assert first["printed"]
        printer.wait_for_pages(1)  # all of it at the printer before the next one
        link.cut()
        other = RECEIPT.replace(b"Ticket 0042", b"Ticket 0043")
        passes_unchanged(proxy.port, printer, other)
        [_, second] = proxy.wait_for_receipts(2)
        assert second["reason"] == "database"
    finally:
        link.restore()
        desk.close()


@pytest.mark.parametrize("mode", ["paper_out", "offline"])
def test_status_requests_get_the_printers_real_answers(
    shop: Desk, printer: PrinterEmulator, make_proxy: MakeProxy, mode: str
) -> None:
    proxy = make_proxy(shop)

    def ask(port: int) -> tuple[bool, int]:
        net = Network("127.0.0.1", port=port, timeout=TIMEOUT, profile="TM-T88V")
        net.open()
        try:
            return net.is_online(), net.paper_status()
        finally:
            net.close()

    direct_ok = ask(printer.port)
    assert ask(proxy.port) == direct_ok == (True, 2)
    printer.mode = mode
    direct = ask(printer.port)
    assert direct != direct_ok
    assert ask(proxy.port) == direct


def test_a_status_request_in_the_middle_of_a_receipt_is_answered_at_once(
    shop: Desk, printer: PrinterEmulator, make_proxy: MakeProxy
) -> None:
    import socket

    proxy = make_proxy(shop)
    receipt = as_bytes(partial(french_cafe, with_logo=False))
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=TIMEOUT) as till:
        till.sendall(receipt[:60] + b"\x10\x04\x01")  # part of a receipt, then DLE EOT 1
        assert till.recv(1) == b"\x12"  # online, before the receipt is whole
        till.sendall(b"\x1da\xff")  # automatic status back on: the printer's four bytes come at once
        got = b""
        while len(got) < 4:
            got += till.recv(4 - len(got))
        assert got == b"\x10\x00\x00\x00"
        till.sendall(receipt[60:])
    [entry] = proxy.wait_for_receipts(1)
    assert entry["printed"]
    [page] = printer.wait_for_pages(1)
    assert "TOTAL TTC              12,50 €" in page.text_lines


def test_a_printer_that_cannot_be_reached_closes_the_tills_connection(
    shop: Desk, printer: PrinterEmulator, make_proxy: MakeProxy
) -> None:
    import socket

    proxy = make_proxy(shop)
    printer.stop()
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=TIMEOUT) as till:
        till.settimeout(TIMEOUT)
        with contextlib.suppress(ConnectionResetError):
            assert till.recv(1) == b""  # closed: no healthy printer pretended
