"""The printer emulator, over real TCP on 127.0.0.1: receipts saved, statuses answered.

Every socket has a timeout of at most 2 s, and every emulator is stopped.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import zxingcpp
from escpos.constants import RT_STATUS_ONLINE, RT_STATUS_PAPER
from escpos.printer import Dummy, Network
from PIL import Image

from stampdesk.printer.emulator import PrinterEmulator, SavedReceipt

ESC, GS, DLE = b"\x1b", b"\x1d", b"\x10"
JOIN_URL = "https://cafe.example/join/abc"
TIMEOUT = 2.0

DLE_EOT_1, DLE_EOT_2, DLE_EOT_3, DLE_EOT_4 = (DLE + b"\x04" + bytes([n]) for n in (1, 2, 3, 4))
GS_R_1 = GS + b"r\x01"


@pytest.fixture
def printer(tmp_path: Path) -> Iterator[PrinterEmulator]:
    emulator = PrinterEmulator("127.0.0.1", 0, out_dir=tmp_path / "receipts")
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


def connect(emulator: PrinterEmulator) -> socket.socket:
    return socket.create_connection(("127.0.0.1", emulator.port), timeout=TIMEOUT)


def ask(sock: socket.socket, request: bytes, size: int = 1) -> bytes:
    """Send a status request, read its ``size``-byte answer."""
    sock.sendall(request)
    answer = b""
    while len(answer) < size:
        chunk = sock.recv(size - len(answer))
        if not chunk:
            break
        answer += chunk
    return answer


def send(emulator: PrinterEmulator, data: bytes) -> None:
    with connect(emulator) as sock:
        sock.sendall(data)


def receipt(number: str = "K7QX3MZD") -> bytes:
    p = Dummy(profile="TM-T88V")
    p.hw("INIT")
    p.charcode("CP858")
    p.set(align="center", bold=True, double_height=True)
    p.textln("Café Bleu")
    p.set_with_default()
    p.textln("Crème brûlée         3,50 €")
    p.set(align="center")
    p.qr(JOIN_URL, native=True)
    p.barcode("{B" + number, "CODE128", function_type="B")
    p.cut()
    return bytes(p.output)


def codes_in(png: Path) -> set[tuple[str, str]]:
    with Image.open(png) as image:
        return {(result.format.name, result.text) for result in zxingcpp.read_barcodes(image)}


# --------------------------------------------------------------------------- printing


def test_a_receipt_over_a_socket_is_saved_as_png_and_text(printer: PrinterEmulator) -> None:
    send(printer, receipt())
    [page] = printer.wait_for_pages(1)
    assert page.text_lines == ["Café Bleu", "Crème brûlée         3,50 €"]
    folder = printer.out_dir
    assert sorted(path.name for path in folder.iterdir()) == ["receipt-0001.png", "receipt-0001.txt"]
    text = (folder / "receipt-0001.txt").read_text(encoding="utf-8")
    assert "Café Bleu" in text and "3,50 €" in text
    assert f"[QR {JOIN_URL}]" in text and "[CODE128 K7QX3MZD]" in text
    assert codes_in(folder / "receipt-0001.png") == {("QRCode", JOIN_URL), ("Code128", "K7QX3MZD")}


def test_python_escpos_network_printer_prints_and_reads_status(printer: PrinterEmulator) -> None:
    net = Network("127.0.0.1", port=printer.port, timeout=TIMEOUT, profile="TM-T88V")
    try:
        assert net.is_online()
        assert net.paper_status() == 2
        net.set(align="center", bold=True)
        net.textln("Café Bleu")
        net.qr(JOIN_URL, native=True)
        net.barcode("{BK7QX3MZD", "CODE128", function_type="B")
        net.cut()
    finally:
        net.close()
    [saved] = wait_for_receipts(printer, 1)
    assert saved.page.lines[0].bold and saved.page.lines[0].align == "center"
    assert codes_in(saved.png) == {("QRCode", JOIN_URL), ("Code128", "K7QX3MZD")}
    assert saved.png.name == "receipt-0001.png"


def test_each_cut_is_a_receipt_and_numbers_follow_those_already_there(tmp_path: Path) -> None:
    folder = tmp_path / "receipts"
    folder.mkdir()
    (folder / "receipt-0007.png").write_bytes(b"")
    with PrinterEmulator(port=0, out_dir=folder) as emulator:
        send(emulator, receipt("FIRST1") + receipt("SECOND2") + b"no cut yet\n")
        saved = wait_for_receipts(emulator, 3)
    assert [receipt.png.name for receipt in saved] == [
        "receipt-0008.png",
        "receipt-0009.png",
        "receipt-0010.png",
    ]
    assert [page.barcodes[0].data for page in emulator.pages[:2]] == ["FIRST1", "SECOND2"]
    assert emulator.pages[2].text_lines == ["no cut yet"] and emulator.pages[2].cut is None


def test_a_command_split_across_packets_is_printed_once_whole(printer: PrinterEmulator) -> None:
    data = receipt()
    with connect(printer) as sock:
        for start in range(0, len(data), 7):
            sock.sendall(data[start : start + 7])
            time.sleep(0.001)
        assert ask(sock, DLE_EOT_1) == b"\x12"  # answered while the connection stays open
    [page] = printer.wait_for_pages(1)
    assert page.qr_codes[0].data == JOIN_URL


def test_a_connection_with_only_status_requests_prints_nothing(printer: PrinterEmulator) -> None:
    with connect(printer) as sock:
        assert ask(sock, ESC + b"@" + DLE_EOT_4) == b"\x12"
    time.sleep(0.3)
    assert printer.pages == []
    assert list(printer.out_dir.iterdir()) == []


# --------------------------------------------------------------------------- statuses


@pytest.mark.parametrize(
    ("mode", "eot1", "eot2", "eot3", "eot4", "gs_r1"),
    [
        ("ok", 0x12, 0x12, 0x12, 0x12, 0x00),
        ("paper_out", 0x1A, 0x32, 0x12, 0x72, 0x0C),
        ("cover_open", 0x1A, 0x16, 0x12, 0x12, 0x00),
        ("offline", 0x1A, 0x52, 0x52, 0x12, 0x00),
    ],
)
def test_status_answers_in_each_mode(
    printer: PrinterEmulator, mode: str, eot1: int, eot2: int, eot3: int, eot4: int, gs_r1: int
) -> None:
    printer.mode = mode
    with connect(printer) as sock:
        answers = [ask(sock, request) for request in (DLE_EOT_1, DLE_EOT_2, DLE_EOT_3, DLE_EOT_4, GS_R_1)]
    assert answers == [bytes([eot1]), bytes([eot2]), bytes([eot3]), bytes([eot4]), bytes([gs_r1])]
    assert [(request.command, request.n, reply) for request, reply in printer.answers] == [
        ("DLE EOT", 1, bytes([eot1])),
        ("DLE EOT", 2, bytes([eot2])),
        ("DLE EOT", 3, bytes([eot3])),
        ("DLE EOT", 4, bytes([eot4])),
        ("GS r", 1, bytes([gs_r1])),
    ]


@pytest.mark.parametrize(
    ("mode", "online", "paper"), [("ok", True, 2), ("paper_out", False, 0), ("cover_open", False, 2)]
)
def test_python_escpos_reads_the_statuses(
    printer: PrinterEmulator, mode: str, online: bool, paper: int
) -> None:
    printer.mode = mode
    net = Network("127.0.0.1", port=printer.port, timeout=TIMEOUT)
    try:
        assert net.is_online() is online
        assert net.paper_status() == paper
    finally:
        net.close()


def test_automatic_status_back_sends_four_bytes(printer: PrinterEmulator) -> None:
    printer.mode = "cover_open"
    with connect(printer) as sock:
        assert ask(sock, GS + b"a\x0f", size=4) == bytes([0x38, 0x00, 0x00, 0x00])


def test_silent_printer_never_answers_and_saves_nothing(printer: PrinterEmulator) -> None:
    printer.mode = "silent"
    with connect(printer) as sock:
        sock.settimeout(0.5)
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            ask(sock, DLE_EOT_1)
        assert time.monotonic() - started < 1.0
        sock.sendall(receipt())
    assert printer.wait_for_pages(1, timeout=0.3) == []
    assert list(printer.out_dir.iterdir()) == []


def test_silent_printer_times_python_escpos_out(printer: PrinterEmulator) -> None:
    printer.mode = "silent"
    net = Network("127.0.0.1", port=printer.port, timeout=0.5)
    try:
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            net.query_status(RT_STATUS_ONLINE)
        assert time.monotonic() - started < 1.0
    finally:
        net.close()


def test_paper_out_then_paper_back_prints_again(printer: PrinterEmulator) -> None:
    printer.mode = "paper_out"
    with connect(printer) as sock:
        assert ask(sock, RT_STATUS_PAPER) == b"\x72"
        sock.sendall(receipt("LOST1"))  # a careless till prints anyway: nothing comes out
    assert printer.wait_for_pages(1, timeout=0.3) == []

    printer.mode = "ok"
    with connect(printer) as sock:
        assert ask(sock, RT_STATUS_PAPER) == b"\x12"
        sock.sendall(receipt("AFTER2"))
    [page] = printer.wait_for_pages(1)
    assert page.barcodes[0].data == "AFTER2"
    assert sorted(path.name for path in printer.out_dir.iterdir()) == ["receipt-0001.png", "receipt-0001.txt"]


def test_the_mode_changes_within_one_connection(printer: PrinterEmulator) -> None:
    printer.mode = "cover_open"
    with connect(printer) as sock:
        assert ask(sock, DLE_EOT_2) == b"\x16"
        printer.mode = "ok"
        assert ask(sock, DLE_EOT_2) == b"\x12"
        sock.sendall(receipt())
    assert len(printer.wait_for_pages(1)) == 1


def test_refuse_and_unknown_modes_are_rejected(tmp_path: Path) -> None:
    emulator = PrinterEmulator(port=0, out_dir=tmp_path)
    with pytest.raises(ValueError, match="not started"):
        emulator.mode = "refuse"
    with pytest.raises(ValueError, match="unknown printer mode"):
        PrinterEmulator(port=0, out_dir=tmp_path, mode="jammed")


def test_a_printer_not_started_refuses_connections(tmp_path: Path) -> None:
    emulator = PrinterEmulator(port=0, out_dir=tmp_path)
    port = emulator.start()
    emulator.stop()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)


# --------------------------------------------------------------------------- running


def test_it_listens_on_loopback_only_by_default(tmp_path: Path) -> None:
    with PrinterEmulator(port=0, out_dir=tmp_path) as emulator:
        assert emulator.address == ("127.0.0.1", emulator.port)
        assert emulator.port != 0


def test_stop_ends_open_connections_promptly(tmp_path: Path) -> None:
    emulator = PrinterEmulator(port=0, out_dir=tmp_path)
    emulator.start()
    sock = connect(emulator)
    try:
        sock.sendall(b"half a receipt\n")
        time.sleep(0.1)
        started = time.monotonic()
        emulator.stop()
        assert time.monotonic() - started < 1.5
        assert sock.recv(16) == b""  # the printer hung up
    finally:
        sock.close()
    assert emulator.pages[0].text_lines == ["half a receipt"]  # what arrived is still printed


def test_serve_forever_prints_one_line_per_receipt(tmp_path: Path) -> None:
    emulator = PrinterEmulator(port=0, out_dir=tmp_path)
    lines: list[str] = []
    server = threading.Thread(target=emulator.serve_forever, kwargs={"echo": lines.append}, daemon=True)
    server.start()
    try:
        deadline = time.monotonic() + TIMEOUT
        while emulator.port == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        send(emulator, receipt() + receipt())
        emulator.wait_for_pages(2)
    finally:
        emulator.stop()
        server.join(TIMEOUT)
    assert not server.is_alive()
    assert len(lines) == 2
    assert lines[0].startswith(
        "receipt-0001.png + receipt-0001.txt: 2 lines, 1 QR, 1 barcode (from 127.0.0.1:"
    )


def wait_for_receipts(emulator: PrinterEmulator, count: int) -> list[SavedReceipt]:
    emulator.wait_for_pages(count)
    return emulator.receipts
