"""Tills for the receipt-printer plugin's tests: receipts as python-escpos
prints them, in several layouts, and a till that sends them over TCP."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import zxingcpp
from escpos.printer import Dummy, Network
from PIL import Image

from stampdesk.printer.emulator import PrinterEmulator
from stampdesk.proxy.server import ReceiptProxy

GS = b"\x1d"
TIMEOUT = 5.0
Layout = Callable[[Any], None]
#: The ``make_proxy`` fixture: start the plugin for a shop (conftest.py).
MakeProxy = Callable[..., ReceiptProxy]


def logo(width_bytes: int = 48, rows: int = 96) -> bytes:
    """A raster logo (``GS v 0``): stripes, ``width_bytes`` x ``rows``."""
    data = bytes((0xF0 if (row // 8) % 2 else 0x0F) for row in range(rows) for _ in range(width_bytes))
    return GS + b"v0\x00" + width_bytes.to_bytes(2, "little") + rows.to_bytes(2, "little") + data


def french_cafe(p: Any, *, with_logo: bool = True, ticket: int = 42) -> None:
    """A French café's receipt in CP858, its total "TOTAL TTC … €"."""
    p.hw("INIT")
    p.charcode("CP858")
    if with_logo:
        p.set(align="center")
        p._raw(logo())
    p.set(align="center", bold=True, double_height=True)
    p.textln("CAFÉ DU PORT")
    p.set_with_default()
    p.textln(f"Ticket {ticket:04d}    08/12/2026 09:14")
    p.textln("2 x Café crème            5,00")
    p.textln("1 x Crème brûlée          7,50")
    p.textln("SOUS-TOTAL               12,50")
    p.textln("TVA 10%                   1,14")
    p.set(bold=True)
    p.textln("TOTAL TTC              12,50 €")
    p.set_with_default()
    p.set(align="center")
    p.textln("Merci de votre visite !")
    p.cut()


def english_bakery(p: Any, *, ticket: int = 7) -> None:
    """An English bakery's receipt in CP437, "Amount due £7.25", right-aligned lines."""
    p.hw("INIT")
    p.charcode("CP437")
    p.set(align="center", double_width=True)
    p.textln("THE CORNER BAKERY")
    p.set_with_default()
    p.textln(f"Receipt #{ticket}")
    p.textln("Sourdough loaf          £4.50")
    p.textln("Cinnamon bun            £2.75")
    p.textln("SUBTOTAL                £7.25")
    p.set(align="right")
    p.textln("Amount due £7.25")
    p.set(align="left")
    p.textln("Refunds within 30 days")
    p.cut()


def grocer_net(p: Any, *, ticket: int = 3) -> None:
    """ "NET A PAYER 1 028,00 EUR", thousands with a space, the amount alone on the next line."""
    p.hw("INIT")
    p.charcode("CP858")
    p.textln("EPICERIE FINE")
    p.textln(f"Ticket {ticket}")
    p.textln("Jambon ibérique       1 028,00")
    p.textln("TOTAL HT                856,67")
    p.textln("NET A PAYER")
    p.set(double_height=True, double_width=True)
    p.textln("1 028,00 EUR")
    p.set_with_default()
    p.cut()


def english_shop(p: Any, *, ticket: int = 11) -> None:
    """ "TOTAL $1,299.00", thousands with a comma, in CP1252."""
    p.hw("INIT")
    p.charcode("CP1252")
    p.textln("HARDWARE & CO")
    p.textln(f"Sale {ticket}")
    p.textln("Drill                 1,299.00")
    p.textln("TOTAL ITEMS 1")
    p.textln("TOTAL: $1,299.00")
    p.cut()


def refund(p: Any) -> None:
    """A refund receipt ("*** REMBOURSEMENT ***", a negative total)."""
    p.hw("INIT")
    p.charcode("CP858")
    p.textln("CAFÉ DU PORT")
    p.textln("*** REMBOURSEMENT ***")
    p.textln("1 x Crème brûlée         -7,50")
    p.textln("TOTAL TTC              -7,50 €")
    p.cut()


def with_card(card: str) -> Layout:
    """A receipt that carries the customer's card number."""

    def layout(p: Any) -> None:
        p.hw("INIT")
        p.charcode("CP858")
        p.textln("CAFÉ DU PORT")
        p.textln("1 x Café                  2,50")
        p.textln(f"Carte fidélité : {card}")
        p.textln("TOTAL EUR 2,50")
        p.cut()

    return layout


def no_total(p: Any) -> None:
    """A receipt without any total."""
    p.hw("INIT")
    p.charcode("CP858")
    p.textln("CAFÉ DU PORT")
    p.textln("Bon de commande 17")
    p.textln("2 x Café")
    p.cut()


def as_bytes(layout: Layout, **kwargs: Any) -> bytes:
    """What the till sends for ``layout``."""
    p = Dummy(profile="TM-T88V")
    layout(p, **kwargs)
    return bytes(p.output)


def print_on(port: int, *layouts: Layout) -> None:
    """A till printing ``layouts`` on one connection with python-escpos's Network printer."""
    net = Network("127.0.0.1", port=port, timeout=TIMEOUT, profile="TM-T88V")
    net.open()
    try:
        for layout in layouts:
            layout(net)
    finally:
        net.close()


def send_raw(port: int, data: bytes, *, linger: float = 0.0) -> None:
    """A till sending ``data`` as it is, then closing."""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(data)
        if linger:
            time.sleep(linger)


def codes_in(png: Path) -> set[tuple[str, str]]:
    with Image.open(png) as image:
        return {(result.format.name, result.text) for result in zxingcpp.read_barcodes(image)}


def wait_for_raw(emulator: PrinterEmulator, size: int, timeout: float = TIMEOUT) -> bytes:
    """The emulator's raw bytes once ``size`` arrived (or the timeout)."""
    deadline = time.monotonic() + timeout
    while len(emulator.raw) < size and time.monotonic() < deadline:
        time.sleep(0.01)
    return emulator.raw
