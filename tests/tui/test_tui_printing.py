"""Receipts and the walk-in's QR code at the till, driven with Pilot on an
80×24 terminal, a real SQLite shop and real printers behind it: a
``preview://`` folder, a loopback port where nothing listens, and the ESC/POS
emulator playing paper out. A printer fault never costs a sale: the sale is
shown and stored, its receipt waits, the status line says why."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image
from pilot_helpers import SIZE, burst, feedback, focused_id, screen_text, settle, shows, submit
from textual.pilot import Pilot
from textual.widgets import Input

from helpers import EXAMPLE_PROGRAM, Clock, make_desk
from stampdesk.config import DEFAULT_PUBLIC_URL, PrinterSettings, default_config_file, load_settings
from stampdesk.desk import Desk
from stampdesk.domain.errors import NotFound
from stampdesk.printer.emulator import PrinterEmulator
from stampdesk.tui.app import TillApp, make_till
from stampdesk.tui.owner_text import OwnerText
from stampdesk.tui.present import printer_line, printer_state
from stampdesk.tui.screens.owner import OwnerScreen
from stampdesk.tui.screens.till import Mode
from stampdesk.tui.text import Text
from stampdesk.tui.widgets.qr import FULL, LOWER, UPPER, qr_modules

pytestmark = pytest.mark.asyncio

OpenShop = Callable[..., Desk]


@pytest.fixture
def open_shop(tmp_path: Path, clock: Clock) -> Iterator[OpenShop]:
    """``open_shop(printer_url)``: the example shop, with that printer set."""
    desks: list[Desk] = []

    def open_it(printer: str | None = None, **settings: object) -> Desk:
        desk = make_desk(
            f"sqlite:///{tmp_path / 'shop.db'}", clock, printer=PrinterSettings(url=printer), **settings
        )
        desk.load_program_file(EXAMPLE_PROGRAM)
        desks.append(desk)
        return desk

    yield open_it
    for desk in desks:
        desk.close()


def text_of(desk: Desk) -> Text:
    return Text(desk.settings.locale, desk.settings.zone)


def status(app: TillApp) -> tuple[str, str]:
    """The printer's status line: (kind, message)."""
    bar = app.till.status_bar
    return bar.kind, bar.message


def line(tr: Text, reason: str | None, waiting: int | None = None) -> str:
    """The status line for ``reason`` (None: ready) and ``waiting`` receipts."""
    return printer_line(printer_state(reason, tr), waiting, tr)


def free_port() -> int:
    """A loopback port nothing listens on (bound then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def enter(pilot: Pilot[None], text: str) -> None:
    """Scan or type ``text`` then Enter, without waiting for the till's answer."""
    await burst(pilot, text)
    await pilot.press("enter")


async def wait_until(pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Let the till run until ``condition`` holds (for a worker kept busy on purpose)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the till did not get there in time")
        await pilot.pause(0.02)


# ----------------------------------------------------------------------
# Receipts


async def test_a_sale_prints_its_receipt_on_a_preview_printer(open_shop: OpenShop, tmp_path: Path) -> None:
    folder = tmp_path / "receipts"
    desk = open_shop(f"preview://{folder}")
    tr = text_of(desk)
    ana = desk.enrol(name="Ana Martin")
    app = make_till(desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert status(app) == ("info", printer_line(f"preview://{folder}", None, tr))
        await submit(pilot, ana.number)
        await submit(pilot, "4.50")
        assert desk.card(ana.number).balance == 3
        assert feedback(app)[0] == "success"
        assert status(app) == ("success", line(tr, None))  # "Imprimante : prête"
        assert shows(app, line(tr, None))
        assert desk.pending_receipts() == ()
        printed = sorted(p.name for p in folder.iterdir())
        assert printed == ["receipt-000001.png", "receipt-000001.txt"]
        receipt = (folder / "receipt-000001.txt").read_text(encoding="utf-8")
        assert "Café Bleu" in receipt and "DUPLICATA" not in receipt
        with Image.open(folder / "receipt-000001.png") as png:
            assert png.width == 576


async def test_nothing_listening_keeps_the_sale_and_its_receipt_waits(open_shop: OpenShop) -> None:
    desk = open_shop(f"tcp://127.0.0.1:{free_port()}")
    tr = text_of(desk)
    ana = desk.enrol(name="Ana Martin")
    bruno = desk.enrol(name="Bruno Lefort")
    app = make_till(desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit(pilot, ana.number)
        await submit(pilot, "4.50")
        # The sale stands and shows as usual…
        assert desk.card(ana.number).balance == 3
        kind, message = feedback(app)
        assert kind == "success" and tr("sale.done", checkout=1) in message
        assert app.till.mode is Mode.IDLE and focused_id(app) == "card-input"
        # …and its receipt waits, which the status line says.
        assert [job.checkout for job in desk.pending_receipts()] == [1]
        assert status(app) == ("warning", line(tr, "refused", 1))
        assert shows(app, tr.count("waiting", 1))

        # The next sale is not held up either: both receipts now wait.
        await submit(pilot, bruno.number)
        await submit(pilot, "3.00")
        assert desk.card(bruno.number).balance == 3
        assert status(app) == ("warning", line(tr, "refused", 2))


async def test_receipts_left_waiting_are_announced_at_start(open_shop: OpenShop) -> None:
    url = f"tcp://127.0.0.1:{free_port()}"
    desk = open_shop(url)
    tr = text_of(desk)
    desk.checkout(amount="4.50", receipt=True)  # yesterday, the printer was off
    app = make_till(desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert status(app) == ("warning", printer_line(url, 1, tr))
        assert shows(app, tr.count("waiting", 1))
        await pilot.press("f7")  # still off
        await settle(pilot)
        state = printer_state("refused", tr)
        assert feedback(app) == ("warning", tr("reprint.failed", state=state))
        assert status(app) == ("warning", line(tr, "refused", 1))
        assert len(desk.pending_receipts()) == 1


async def test_a_refused_reprint_leaves_the_printer_line_alone(
    open_shop: OpenShop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = open_shop(f"preview://{tmp_path / 'receipts'}")
    tr = text_of(desk)
    app = make_till(desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await submit(pilot, "4.50")
        assert status(app) == ("success", line(tr, None))

        def gone(checkout: object) -> object:
            raise NotFound(f"no checkout {checkout}", "unknown_checkout")

        monkeypatch.setattr(desk, "reprint", gone)
        await pilot.press("f7")
        await settle(pilot)
        assert feedback(app) == ("error", "no checkout 1")
        assert status(app) == ("success", line(tr, None))
        assert focused_id(app) == "card-input"


async def test_paper_out_then_f7_prints_the_waiting_receipt(open_shop: OpenShop, tmp_path: Path) -> None:
    emulator = PrinterEmulator(port=0, out_dir=tmp_path / "paper", mode="paper_out")
    port = emulator.start()
    try:
        desk = open_shop(f"tcp://127.0.0.1:{port}", locale="en_GB")
        tr = text_of(desk)
        ana = desk.enrol(name="Ana Martin")
        app = make_till(desk)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await submit(pilot, ana.number)
            await submit(pilot, "4.50")
            assert desk.card(ana.number).balance == 3
            assert status(app) == ("warning", line(tr, "paper_out", 1))
            assert shows(app, "Printer: out of paper — 1 receipt waiting")
            assert emulator.receipts == []

            emulator.mode = "ok"  # the cashier loads a new roll
            await pilot.press("f7")
            await settle(pilot)
            pages = emulator.wait_for_pages(1)
            assert len(pages) == 1
            printed = "\n".join(pages[0].text_lines)
            assert "Café Bleu" in printed and ana.number[-4:] in printed  # her card, masked
            assert ana.number not in printed
            assert "DUPLICATA" not in printed  # its first copy
            assert status(app) == ("success", line(tr, None))
            assert feedback(app) == ("success", tr.count("printed", 1))
            assert desk.pending_receipts() == ()
            assert focused_id(app) == "card-input"  # F7 took no field's focus
    finally:
        emulator.stop()


async def test_f7_without_waiting_receipts_reprints_the_last_sale(
    open_shop: OpenShop, tmp_path: Path
) -> None:
    folder = tmp_path / "receipts"
    desk = open_shop(f"preview://{folder}")
    tr = text_of(desk)
    app = make_till(desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f7")  # no sale yet at this till, nothing waits
        await settle(pilot)
        assert feedback(app) == ("info", tr("reprint.nothing"))

        await pilot.press("f2")
        await submit(pilot, "12.50")
        await pilot.press("f7")
        await settle(pilot)
        assert feedback(app) == ("success", tr("reprint.again", checkout=1))
        copies = sorted(folder.glob("receipt-*.txt"))
        assert len(copies) == 2
        assert "DUPLICATA" not in copies[0].read_text(encoding="utf-8")
        assert "DUPLICATA" in copies[1].read_text(encoding="utf-8")
        assert status(app) == ("success", line(tr, None))


async def test_without_printer_sales_ask_for_no_receipt(open_shop: OpenShop) -> None:
    desk = open_shop(None)
    tr = text_of(desk)
    ana = desk.enrol(name="Ana Martin")
    asked: list[object] = []
    real_checkout = desk.checkout

    def checkout(**kwargs: Any) -> object:
        asked.append(kwargs.get("receipt"))
        return real_checkout(**kwargs)

    desk.checkout = checkout  # type: ignore[method-assign]
    app = make_till(desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert status(app) == ("info", tr("printer.none"))
        assert shows(app, tr("printer.none"))
        await submit(pilot, ana.number)
        await submit(pilot, "4.50")
        assert asked == [False]
        assert desk.card(ana.number).balance == 3
        assert status(app) == ("info", tr("printer.none"))
        await pilot.press("f7")
        await settle(pilot)
        assert feedback(app) == ("warning", tr("reprint.off"))


async def test_a_bad_printer_url_is_shown_once_and_the_till_sells_without_receipts(
    open_shop: OpenShop,
) -> None:
    desk = open_shop("lpt1")
    tr = text_of(desk)
    ana = desk.enrol(name="Ana Martin")
    app = make_till(desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        bad = tr("printer.bad_url", url="lpt1")
        assert status(app) == ("warning", bad)
        assert shows(app, bad)
        assert feedback(app)[0] == "info"  # the cashier's line is left alone
        await submit(pilot, ana.number)
        await submit(pilot, "4.50")
        assert desk.card(ana.number).balance == 3
        assert feedback(app)[0] == "success"
        assert desk.pending_receipts() == ()  # no receipt asked for
        assert status(app) == ("warning", bad)


async def test_a_slow_printer_never_holds_up_the_next_sale(
    open_shop: OpenShop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first sale's receipt is slow to print: the next sale goes on, and
    the first sale's worker ending does not let a double Enter on the second
    (whose write is still running) record it twice: the Enter waits for the
    sale to be shown, then lands in the empty card field."""
    folder = tmp_path / "receipts"
    desk = open_shop(f"preview://{folder}")
    tr = text_of(desk)
    ana = desk.enrol(name="Ana Martin")
    bruno = desk.enrol(name="Bruno Lefort")
    printing, writing = threading.Event(), threading.Event()
    real_checkout = desk.checkout

    def busy_checkout(**kwargs: Any) -> object:
        if kwargs.get("card") == bruno.number:
            writing.wait(10)  # the database is busy with another till
        return real_checkout(**kwargs)

    monkeypatch.setattr(desk, "checkout", busy_checkout)
    app = make_till(desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        real_print = app.till.printer.print_waiting

        def slow_print(*args: Any, **kwargs: Any) -> Any:
            printing.wait(10)  # the printer is warming up
            return real_print(*args, **kwargs)

        monkeypatch.setattr(app.till.printer, "print_waiting", slow_print)
        try:
            # (``submit`` waits for every worker: not while one is held on purpose.)
            await enter(pilot, ana.number)
            await wait_until(pilot, lambda: app.till.mode is Mode.CARD)
            await enter(pilot, "4.50")
            await wait_until(pilot, lambda: feedback(app)[0] == "success")
            assert desk.card(ana.number).balance == 3
            assert status(app) == ("info", printer_line(tr("printer.state.printing"), None, tr))

            await enter(pilot, bruno.number)
            await wait_until(
                pilot, lambda: app.till.card is not None and app.till.card.name == "Bruno Lefort"
            )
            await enter(pilot, "3.00")  # its write waits for the database
            printing.set()  # the first receipt prints; that sale's worker ends
            await wait_until(pilot, lambda: status(app)[0] == "success")
            await pilot.press("enter")  # impatient: kept until the sale is shown, not a second one
            assert app.keys_waiting == 1
        finally:
            printing.set()
            writing.set()
        await settle(pilot)
        assert app.keys_waiting == 0
        assert feedback(app) == ("success", f"{tr('sale.done', checkout=2)} {tr.count('added', 1)}")
        assert desk.card(bruno.number).balance == 3  # one sale, not two
        assert desk.pending_receipts() == ()
        assert len(list(folder.glob("receipt-*.png"))) == 2
        assert status(app) == ("success", line(tr, None))


# ----------------------------------------------------------------------
# The walk-in's QR code


def modules(lines: Sequence[str]) -> list[list[bool]]:
    """Half-block text back to modules: each character is two, one above the other."""
    rows: list[list[bool]] = []
    for text in lines:
        rows.append([c in (FULL, UPPER) for c in text])
        rows.append([c in (FULL, LOWER) for c in text])
    return rows


def decode(lines: Sequence[str], scale: int = 8) -> list[str]:
    """What a QR reader finds in half-block text."""
    rows = modules(lines)
    width, height = len(rows[0]), len(rows)
    raw = bytes(0 if dark else 255 for row in rows for dark in row)
    image = Image.frombytes("L", (width, height), raw).resize(
        (width * scale, height * scale), Image.Resampling.NEAREST
    )
    return [found.text for found in zxingcpp.read_barcodes(image)]


async def test_a_walk_in_sees_its_enrolment_qr_code(open_shop: OpenShop) -> None:
    desk = open_shop(f"tcp://127.0.0.1:{free_port()}")  # out of reach: the code is on screen anyway
    tr = text_of(desk)
    app = make_till(desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.till.qr.display
        await pilot.press("f2")
        await submit(pilot, "12.50")
        token = app.till.last_claim
        url = f"https://cafe.example/join/{token}"
        qr = app.till.qr
        assert qr.display and qr.data == url
        # The code as drawn decodes to the link…
        assert decode(qr.lines) == [url]
        assert set("".join(qr.lines)) <= {FULL, UPPER, LOWER, " "}
        # A version-4 code (33 modules, the most a claim link makes) with its
        # quiet zone and caption fits the 80×24 till.
        assert len(qr_modules(url)) == 33
        assert 33 + 2 * 2 <= len(qr.lines[0]) <= 33 + 2 * 4
        # …and so does what the terminal shows, cell for cell.
        region = qr.region
        screen = screen_text(app).split("\n")
        assert len(screen) == 24 and app.screen.region.contains_region(region)
        shown = [row[region.x : region.x + len(qr.lines[0])] for row in screen[region.y :][: len(qr.lines)]]
        assert decode(shown) == [url]
        assert tr.count("qr.caption", 2) in screen_text(app)  # "Scannez pour garder vos 2 tampons"
        # The link is also there in full, with what to do.
        assert url in screen_text(app)
        assert tr("walk_in.keep", stamps=tr.stamps(2)) in screen_text(app)
        # Black on white, whatever the terminal's theme.
        for strip in app.screen._compositor.render_strips():
            for segment in strip:
                if FULL in segment.text and segment.style is not None:
                    assert segment.style.color is not None and segment.style.bgcolor is not None
                    assert segment.style.color.get_truecolor().hex == "#000000"
                    assert segment.style.bgcolor.get_truecolor().hex == "#ffffff"
        # The printer's fault shows beside it, the sale stands.
        assert status(app) == ("warning", line(tr, "refused", 1))

        # The next customer's card takes its place.
        ana = desk.enrol(name="Ana Martin")
        await submit(pilot, ana.number)
        assert not qr.display and qr.lines == ()
        assert url not in screen_text(app)


async def test_a_small_terminal_shows_the_link_as_text(open_shop: OpenShop) -> None:
    desk = open_shop(None)
    tr = text_of(desk)
    app = make_till(desk)
    async with app.run_test(size=(64, 20)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await submit(pilot, "12.50")
        url = f"https://cafe.example/join/{app.till.last_claim}"
        assert not app.till.qr.display and app.till.qr.lines == ()
        assert url in screen_text(app)
        assert shows(app, tr("walk_in.keep", stamps=tr.stamps(2)))

        # Made bigger, the till draws the code.
        await pilot.resize_terminal(100, 30)
        await settle(pilot)
        assert app.till.qr.display
        assert decode(app.till.qr.lines) == [url]
        assert url in screen_text(app)


async def test_a_walk_in_without_stamps_has_no_code(open_shop: OpenShop) -> None:
    desk = open_shop(None)
    app = make_till(desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await submit(pilot, "1.00")  # under the programme's minimum
        assert app.till.qr.lines == () and not app.till.qr.display


# ----------------------------------------------------------------------
# A till open all day


async def test_the_footer_keeps_no_key_it_removed(open_shop: OpenShop) -> None:
    """Every scan moves the focus, and the footer makes its keys anew each
    time: it must not keep the old ones (Textual's footer held on to about
    1 MB a scan)."""
    from textual.widgets._footer import FooterKey

    from stampdesk.tui.widgets import TillFooter

    desk = open_shop(None)
    cards = [desk.enrol(name=f"Client {n}").number for n in range(8)]
    app = make_till(desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        footer = app.till.query_one(TillFooter)
        for number in cards:
            await submit(pilot, number)
            await pilot.press("escape")
            await settle(pilot)
        keys = len(footer.query(FooterKey))
        bound = getattr(footer, "__watchers", {}).get("compact", [])
        assert keys > 0 and len(bound) <= keys


# ----------------------------------------------------------------------
# The owner's printer settings


async def test_the_owner_sets_the_printer_tries_it_and_the_till_uses_it(
    open_shop: OpenShop, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '# the shop\'s settings\nlocale = "en_GB"  # the till speaks English\n', encoding="utf-8"
    )
    emulator = PrinterEmulator(port=0, out_dir=tmp_path / "printed")
    port = emulator.start()
    try:
        desk = open_shop(None, locale="en_GB", config_file=config)  # no printer yet, no staff
        tr = OwnerText("en_GB")
        ana = desk.enrol(name="Ana Martin")
        app = make_till(desk)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert status(app) == ("info", tr("printer.none"))
            await pilot.press("f9")  # a shop without staff: no PIN to ask
            await settle(pilot)
            await pilot.press("f5")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, OwnerScreen) and screen.tab == "printer"
            pane = screen.printer
            assert focused_id(app) == "printer-url"

            await burst(pilot, "ftp://printer")  # not a printer's URL: refused, nothing written
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert "ftp://printer" in pane.status
            assert "url" not in config.read_text(encoding="utf-8")

            pane.query_one("#printer-url", Input).value = f"tcp://127.0.0.1:{port}"
            pane.query_one("#printer-header", Input).value = "12 rue du Port | 01 23 45 67 89"
            pane.query_one("#printer-footer", Input).value = "Merci !"
            await pilot.press("ctrl+t")  # a test page on the printer as typed, before saving
            await settle(pilot)
            assert pane.status == tr("printer.test_ok", url=f"tcp://127.0.0.1:{port}")
            pages = emulator.wait_for_pages(1)
            assert len(pages) == 1
            # The header and footer as typed, on paper, to check them before saving.
            printed = [line.strip() for line in pages[0].text_lines]
            assert {"12 rue du Port", "01 23 45 67 89", "Merci !"} <= set(printed)

            await pilot.press("ctrl+s")
            await settle(pilot)
            assert pane.status == tr("printer.saved", path=str(config))
            saved = config.read_text(encoding="utf-8")
            assert saved.startswith('# the shop\'s settings\nlocale = "en_GB"  # the till speaks English\n')
            settings = load_settings(config=config)
            assert settings.printer.url == f"tcp://127.0.0.1:{port}"
            assert settings.printer.header == ("12 rue du Port", "01 23 45 67 89")

            await pilot.press("escape")  # back at the till: it prints there at once
            await settle(pilot)
            await submit(pilot, ana.number)
            await submit(pilot, "4.50")
            pages = emulator.wait_for_pages(2)
            assert status(app) == ("success", line(tr, None))
            receipt = "\n".join(pages[1].text_lines)
            assert "12 rue du Port" in receipt and "01 23 45 67 89" in receipt
    finally:
        emulator.stop()


# Receipt QR codes a customer's phone cannot open (no public_url)


def bar_row(app: TillApp) -> str:
    """The status line's row as the terminal shows it."""
    return screen_text(app).split("\n")[app.till.status_bar.region.y]


def bar_shows_state_then_warning(app: TillApp) -> bool:
    """Whether the status row shows the printer's state whole, then the
    start of the warning (the end may be cut to the terminal's width)."""
    bar = app.till.status_bar
    shown = bar_row(app).strip().removesuffix("…")
    return bar.shown.startswith(shown) and shown.startswith(f"{bar.message} · {bar.warning[:3]}")


async def test_without_a_public_url_the_status_line_warns_and_still_says_the_printers_state(
    open_shop: OpenShop,
) -> None:
    url = f"tcp://127.0.0.1:{free_port()}"
    desk = open_shop(url, public_url=DEFAULT_PUBLIC_URL)  # a French shop, nothing listening on its printer
    tr = text_of(desk)
    warned = tr("setup.public_url.short", path=str(default_config_file()))
    desk.checkout(amount="4.50", receipt=True)  # a receipt left waiting
    app = make_till(desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        bar = app.till.status_bar
        # The printer's trouble first, as without the warning; the warning after it.
        assert status(app) == ("warning", printer_line(url, 1, tr))
        assert bar.warning == warned and warned.startswith("Les codes QR des tickets ne s'ouvrent pas")
        assert bar_shows_state_then_warning(app)
        await pilot.press("f7")  # still off: the printer's line changes, the warning stays
        await settle(pilot)
        assert status(app) == ("warning", line(tr, "refused", 1))
        assert bar.shown == f"{line(tr, 'refused', 1)} · {warned}"
        assert bar.has_class("-warning") and bar_shows_state_then_warning(app)
    # A wide terminal shows the whole of it, the config file's path included.
    app = make_till(desk)
    async with app.run_test(size=(260, 24)) as pilot:
        await settle(pilot)
        assert warned in bar_row(app)


async def test_the_warning_does_not_hide_a_printer_error_nor_show_once_public_url_is_set(
    open_shop: OpenShop, tmp_path: Path
) -> None:
    desk = open_shop("ftp://printer", public_url="http://127.0.0.1:8421/", locale="en_GB")
    tr = text_of(desk)
    app = make_till(desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        bar = app.till.status_bar
        assert bar.warning == tr("setup.public_url.short", path=str(default_config_file()))
        assert bar.warning.startswith("Receipt QR codes won't open on phones: set public_url in")
        assert bar_shows_state_then_warning(app)
        assert not bar.has_class("-info")  # never plain: a bad printer's colour, or the warning's
    desk.close()

    # A shop with its public address: the printer's line alone, as before.
    shop = open_shop(None, locale="en_GB")  # public_url = "https://cafe.example/"
    app = make_till(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        bar = app.till.status_bar
        assert bar.warning == "" and bar.shown == text_of(shop)("printer.none")
        assert bar.has_class("-info") and "public_url" not in screen_text(app)


async def test_the_owners_printer_tab_says_how_to_make_receipt_qr_codes_open(
    open_shop: OpenShop, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('locale = "en_GB"\n', encoding="utf-8")
    desk = open_shop(None, locale="en_GB", config_file=config, public_url="http://localhost:8421/")
    tr = OwnerText("en_GB")
    app = make_till(desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f9")  # a shop without staff: no PIN to ask
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, OwnerScreen) and screen.tab == "printer"
        said = screen.printer.warning
        assert said == (
            tr("setup.public_url.loopback", url="http://localhost:8421/")
            + " "
            + tr("setup.public_url.fix", path=str(config))
        )
        assert 'Set public_url = "https://…"' in said and str(config) in said
        assert shows(app, said)
    desk.close()

    shop = open_shop(None, locale="en_GB", config_file=config)  # public_url = "https://cafe.example/"
    app = make_till(shop)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        assert isinstance(app.screen, OwnerScreen) and app.screen.printer.warning == ""
        assert not shows(app, "public_url")
