"""A loopback ESC/POS network printer that saves what it receives as PNG + text.

:class:`PrinterEmulator` listens on TCP (port 9100 by default, 127.0.0.1 only
unless told otherwise), answers the real-time status requests as an Epson
TM printer would, and saves every receipt (a page ends at a cut, or when the
connection closes) as ``receipt-0001.png`` and ``receipt-0001.txt`` in its
folder. Its :attr:`~PrinterEmulator.mode` plays a fault: ``paper_out``,
``cover_open`` or ``offline`` answer the status requests accordingly and print
nothing; ``silent`` accepts connections but never answers and saves nothing.
(A printer that refuses connections is an emulator not started.) The mode can
change while it runs, so a test can play a fault and then the recovery.

With ``keep_raw`` it also keeps every byte it received (:attr:`~PrinterEmulator.raw`),
to compare with what a till sent.

``stampdesk printer-emulator`` runs it with :meth:`~PrinterEmulator.serve_forever`.
"""

from __future__ import annotations

import contextlib
import os
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from .decode import Page, StatusRequest, StreamDecoder, page_to_png, page_to_text

MODES = ("ok", "paper_out", "cover_open", "offline", "silent")
#: The modes in which what arrives is printed (saved).
PRINTING_MODES = frozenset({"ok"})
#: How often the listener and each connection check whether the emulator is stopping.
_POLL_SECONDS = 0.05

# Fixed bits of a DLE EOT answer (bits 1 and 4 set, 0 and 7 clear), and its conditions.
_EOT_FIXED = 0x12
_EOT_OFFLINE = 0x08  # DLE EOT 1, bit 3
_EOT_COVER_OPEN = 0x04  # DLE EOT 2, bit 2
_EOT_PAPER_STOP = 0x20  # DLE EOT 2, bit 5: printing stopped by paper end
_EOT_ERROR = 0x40  # DLE EOT 2, bit 6: an error occurred; DLE EOT 3, bit 6: auto-recoverable
_EOT_PAPER_END = 0x60  # DLE EOT 4, bits 5-6
_GS_R_PAPER_END = 0x0C  # GS r 1, bits 2-3 (GS r answers have no fixed bits set)


def status_reply(request: StatusRequest, mode: str) -> bytes | None:
    """What an Epson printer in ``mode`` answers to ``request``; None when it sends nothing.

    ``offline`` is played as an auto-recoverable error (the head too hot): the
    printer is offline, DLE EOT 2 says an error occurred and DLE EOT 3 which.
    """
    if mode == "silent":
        return None
    offline = mode in ("paper_out", "cover_open", "offline")
    paper_out = mode == "paper_out"
    if request.command == "DLE EOT":
        match request.n:
            case 1:
                return bytes([_EOT_FIXED | (_EOT_OFFLINE if offline else 0)])
            case 2:
                cause = {"cover_open": _EOT_COVER_OPEN, "paper_out": _EOT_PAPER_STOP, "offline": _EOT_ERROR}
                return bytes([_EOT_FIXED | cause.get(mode, 0)])
            case 3:
                return bytes([_EOT_FIXED | (_EOT_ERROR if mode == "offline" else 0)])
            case 4:
                return bytes([_EOT_FIXED | (_EOT_PAPER_END if paper_out else 0)])
        return None  # DLE EOT 7 / 8 ask about ink: a thermal printer has none
    if (request.command, request.n) in (("GS r", 1), ("GS r", 49), ("ESC v", 0)):
        return bytes([_GS_R_PAPER_END if paper_out else 0])
    if (request.command, request.n) in (("GS r", 2), ("GS r", 50)) or request.command == "ESC u":
        return b"\x00"  # drawer kick-out connector pin 3 low
    if request.command == "GS a" and request.n:
        # Automatic status back switched on: the four ASB bytes, at once.
        first = 0x10 | (0x08 if offline else 0) | (0x20 if mode == "cover_open" else 0)
        second = 0x40 if mode == "offline" else 0
        third = _GS_R_PAPER_END if paper_out else 0
        return bytes([first, second, third, 0])
    return None


@dataclass(frozen=True)
class SavedReceipt:
    """One receipt the emulator printed: its files, what it said, who sent it."""

    number: int
    png: Path
    txt: Path
    page: Page
    peer: str

    def describe(self) -> str:
        """One line for the console: the files and what is on the receipt."""
        page = self.page
        parts = [f"{len(page.lines)} lines"]
        if page.qr_codes:
            parts.append(f"{len(page.qr_codes)} QR")
        if page.barcodes:
            parts.append(f"{len(page.barcodes)} barcode" + ("s" if len(page.barcodes) > 1 else ""))
        if page.images:
            parts.append(f"{len(page.images)} image" + ("s" if len(page.images) > 1 else ""))
        if page.cut is None:
            parts.append("no cut")
        return f"{self.png.name} + {self.txt.name}: {', '.join(parts)} (from {self.peer})"


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], emulator: PrinterEmulator) -> None:
        self.emulator = emulator
        super().__init__(address, _Connection)


class _Connection(socketserver.BaseRequestHandler):
    server: _Server
    request: socket.socket

    def handle(self) -> None:
        host, port = self.client_address[:2]
        self.server.emulator._serve_connection(self.request, f"{host}:{port}")


class PrinterEmulator:
    """A threaded TCP ESC/POS printer (see the module's docstring).

    ``start()`` binds (``port=0`` picks a free port) and returns the port;
    ``stop()`` closes it; ``with PrinterEmulator(...) as printer:`` does both.
    :attr:`pages` and :attr:`receipts` hold what was printed, in order.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 9100,
        out_dir: Path | str = Path("receipts"),
        mode: str = "ok",
        *,
        width_px: int = 576,
        on_receipt: Callable[[SavedReceipt], None] | None = None,
        keep_raw: bool = False,
    ) -> None:
        self.host = host
        self.port = port
        self.out_dir = Path(out_dir)
        self.width_px = width_px
        self.on_receipt = on_receipt
        self.keep_raw = keep_raw
        self._raw = bytearray()
        self._mode = "ok"
        self.mode = mode
        self._lock = threading.Lock()
        self._printed = threading.Condition(self._lock)
        self._receipts: list[SavedReceipt] = []
        self._answers: list[tuple[StatusRequest, bytes | None]] = []
        self._next_number = 1
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: dict[socket.socket, threading.Thread] = {}
        self._stopping = threading.Event()

    # -- the mode

    @property
    def mode(self) -> str:
        """``ok``, ``paper_out``, ``cover_open``, ``offline`` or ``silent``; may change at any time."""
        return self._mode

    @mode.setter
    def mode(self, mode: str) -> None:
        if mode == "refuse":
            raise ValueError("a printer that refuses connections is an emulator that is not started")
        if mode not in MODES:
            raise ValueError(f"unknown printer mode {mode!r}: use one of {', '.join(MODES)}")
        self._mode = mode

    # -- what was printed

    @property
    def receipts(self) -> list[SavedReceipt]:
        """The receipts saved so far, oldest first."""
        with self._lock:
            return list(self._receipts)

    @property
    def pages(self) -> list[Page]:
        """The decoded pages of the receipts saved so far, oldest first."""
        with self._lock:
            return [receipt.page for receipt in self._receipts]

    @property
    def answers(self) -> list[tuple[StatusRequest, bytes | None]]:
        """Every status request received, with the bytes answered (None: no answer)."""
        with self._lock:
            return list(self._answers)

    @property
    def raw(self) -> bytes:
        """Every byte received, in the order it arrived (kept only with ``keep_raw``):
        what a program in front of the printer really sent it."""
        with self._lock:
            return bytes(self._raw)

    def wait_for_pages(self, count: int, timeout: float = 2.0) -> list[Page]:
        """Wait until ``count`` pages have been saved (or ``timeout`` seconds); return the pages."""
        deadline = time.monotonic() + timeout
        with self._printed:
            while len(self._receipts) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._printed.wait(left)
            return [receipt.page for receipt in self._receipts]

    # -- running

    @property
    def address(self) -> tuple[str, int]:
        """The host and port it listens on (the real port once started)."""
        return self.host, self.port

    def start(self) -> int:
        """Bind and serve in a background thread; return the port (useful with ``port=0``)."""
        if self._server is not None:
            return self.port
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._next_number = _next_free_number(self.out_dir)
        self._stopping.clear()
        self._server = _Server((self.host, self.port), self)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": _POLL_SECONDS},
            name=f"printer-emulator:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self.port

    def stop(self, timeout: float = 2.0) -> None:
        """Stop listening, end the open connections (what they sent is still printed), wait for them."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        with self._lock:
            connections = dict(self._connections)
        for sock in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                sock.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + timeout
        for thread in connections.values():
            thread.join(max(0.0, deadline - time.monotonic()))
        if self._thread is not None:
            self._thread.join(max(0.0, deadline - time.monotonic()))
            self._thread = None

    def serve_forever(self, echo: Callable[[str], Any] = print) -> None:
        """Serve until interrupted (Ctrl-C) or stopped, calling ``echo`` with one line per receipt."""
        chained = self.on_receipt

        def announce(receipt: SavedReceipt) -> None:
            echo(receipt.describe())
            if chained is not None:
                chained(receipt)

        self.on_receipt = announce
        try:
            self.start()
            while not self._stopping.wait(_POLL_SECONDS):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()
            self.on_receipt = chained

    def __enter__(self) -> PrinterEmulator:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- one connection

    def _serve_connection(self, sock: socket.socket, peer: str) -> None:
        """Read until the client closes: answer status requests, print the pages."""
        with self._lock:
            self._connections[sock] = threading.current_thread()
        decoder = StreamDecoder()
        sock.settimeout(_POLL_SECONDS)
        try:
            while True:
                try:
                    data = sock.recv(65536)
                except TimeoutError:
                    if self._stopping.is_set():
                        break
                    continue
                except OSError:
                    break
                if not data:
                    break
                if self.keep_raw:
                    with self._lock:
                        self._raw += data
                mode = self.mode  # read once: a chunk is handled in one mode
                decoder.printing = mode in PRINTING_MODES
                progress = decoder.feed(data)
                self._answer(sock, progress.requests, mode)
                self._print(progress.pages, peer, mode)
            mode = self.mode
            decoder.printing = mode in PRINTING_MODES
            self._print(decoder.close().pages, peer, mode)
        finally:
            with self._lock:
                self._connections.pop(sock, None)

    def _answer(self, sock: socket.socket, requests: list[StatusRequest], mode: str) -> None:
        for request in requests:
            reply = status_reply(request, mode)
            with self._lock:
                self._answers.append((request, reply))
            if reply is None:
                continue
            try:
                sock.sendall(reply)
            except OSError:
                return  # the client has gone; there is nobody to answer

    def _print(self, pages: list[Page], peer: str, mode: str) -> None:
        if mode not in PRINTING_MODES:
            return
        for page in pages:
            receipt = self._save(page, peer)
            if self.on_receipt is not None:
                self.on_receipt(receipt)

    def _save(self, page: Page, peer: str) -> SavedReceipt:
        image = page_to_png(page, self.width_px)
        text = page_to_text(page, columns=self.width_px // 12)
        with self._lock:
            number = self._next_number
            self._next_number += 1
        png = self.out_dir / f"receipt-{number:04d}.png"
        txt = self.out_dir / f"receipt-{number:04d}.txt"
        # Written aside then renamed: a folder watcher never sees half a receipt.
        part = self.out_dir / f".receipt-{number:04d}.part"
        image.save(part, format="PNG")
        os.replace(part, png)
        part.write_text(text, encoding="utf-8")
        os.replace(part, txt)
        receipt = SavedReceipt(number, png, txt, page, peer)
        with self._printed:
            self._receipts.append(receipt)
            self._receipts.sort(key=lambda saved: saved.number)
            self._printed.notify_all()
        return receipt


def _next_free_number(out_dir: Path) -> int:
    """The number after the highest ``receipt-NNNN.png`` already in the folder."""
    numbers = [0]
    for path in out_dir.glob("receipt-*.png"):
        suffix = path.stem.removeprefix("receipt-")
        if suffix.isdigit():
            numbers.append(int(suffix))
    return max(numbers) + 1
