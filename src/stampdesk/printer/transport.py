"""Where receipts go: printers by URL, and the conversation with them.

``tcp://host:9100`` is spoken to directly: before a job, the printer's
real-time status (``DLE EOT 1, 2, 4``) tells offline, cover open and paper out
apart; the job ends with ``GS r 1``, whose answer confirms the printer took
it. No answer means the receipt may or may not have printed (the job is then
*uncertain*). ``file://`` writes the bytes to a device file, ``preview://DIR``
writes PNG + text instead of printing; ``usb://``, ``serial://`` and
``cups://`` go through python-escpos's own device classes.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..domain.errors import InvalidInput
from ..words import book

DLE_EOT = b"\x10\x04"
GS_R_PAPER = b"\x1dr\x01"
CONNECT_TIMEOUT = 2.0
ANSWER_TIMEOUT = 2.0


class PrinterError(Exception):
    """A print that did not happen: ``reason`` is one of paper_out,
    cover_open, offline, no_answer, refused, error. ``uncertain`` when the
    job was sent but not confirmed. Said like the engine's errors: the
    words book's ``error.<phrase>`` with ``params`` (``Book.error``);
    ``message`` is the English sentence (the logs', the print queue's)."""

    given = None  # always said through the book

    def __init__(self, *, reason: str, phrase: str, uncertain: bool = False, **params: Any) -> None:
        self.reason = reason
        self.phrase = phrase
        self.params: dict[str, Any] = params
        self.uncertain = uncertain
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The fault in English."""
        return book().error(self)


@dataclass(frozen=True)
class PrinterURL:
    """A parsed printer URL (validated when the till starts, not at a sale)."""

    scheme: str
    target: str  # host, device path, queue or folder
    port: int = 9100
    vendor: int = 0
    product: int = 0
    baudrate: int = 19200


SCHEMES = ("tcp", "usb", "serial", "file", "cups", "preview")


def parse_printer_url(url: str) -> PrinterURL:
    """Check a printer URL and return its parts, or a clear ``InvalidInput``."""
    if not isinstance(url, str) or "://" not in url:
        raise InvalidInput(code="invalid_printer_url", url=url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise InvalidInput(code="invalid_printer_url", url=url)
    try:
        if scheme == "tcp":
            if not parts.hostname:
                raise ValueError
            return PrinterURL("tcp", parts.hostname, port=parts.port or 9100)
        if scheme == "usb":
            vid, pid = parts.netloc.split(":")
            return PrinterURL("usb", parts.netloc, vendor=int(vid, 16), product=int(pid, 16))
        if scheme == "serial":
            query = parse_qs(parts.query)
            baud = int(query.get("baudrate", ["19200"])[0])
            if not parts.path:
                raise ValueError
            return PrinterURL("serial", parts.path, baudrate=baud)
        if scheme == "file":
            if not parts.path:
                raise ValueError
            return PrinterURL("file", parts.path)
        if scheme == "cups":
            if not parts.netloc:
                raise ValueError
            return PrinterURL("cups", parts.netloc)
        folder = (parts.netloc + parts.path) or "."
        return PrinterURL("preview", folder)
    except ValueError:
        raise InvalidInput(code="invalid_printer_url", url=url) from None


def _status_byte(sock: socket.socket, n: int) -> int:
    sock.sendall(DLE_EOT + bytes([n]))
    answer = sock.recv(1)
    if not answer:
        raise PrinterError(reason="offline", phrase="printer_hung_up")
    return answer[0]


def check_status(sock: socket.socket) -> None:
    """Raise ``PrinterError`` unless the printer is ready (Epson real-time status)."""
    try:
        printer = _status_byte(sock, 1)
        if printer & 0x08:
            cause = _status_byte(sock, 2)
            if cause & 0x04:
                raise PrinterError(reason="cover_open", phrase="printer_cover_open")
            if cause & 0x20:
                raise PrinterError(reason="paper_out", phrase="printer_paper_out")
            raise PrinterError(reason="offline", phrase="printer_offline")
        paper = _status_byte(sock, 4)
        if paper & 0x60:
            raise PrinterError(reason="paper_out", phrase="printer_paper_out")
    except TimeoutError:
        raise PrinterError(reason="no_answer", phrase="printer_silent") from None


def send_tcp(target: PrinterURL, data: bytes) -> None:
    """Send one job to a network printer and wait for it to confirm."""
    try:
        sock = socket.create_connection((target.target, target.port), timeout=CONNECT_TIMEOUT)
    except ConnectionRefusedError:
        raise PrinterError(
            reason="refused", phrase="printer_refused", host=target.target, port=target.port
        ) from None
    except OSError as error:
        raise PrinterError(reason="offline", phrase="printer_unreachable", detail=str(error)) from None
    with sock:
        sock.settimeout(ANSWER_TIMEOUT)
        check_status(sock)
        try:
            sock.sendall(data + GS_R_PAPER)
            answer = sock.recv(1)
        except (TimeoutError, OSError):
            raise PrinterError(reason="no_answer", phrase="printer_unconfirmed", uncertain=True) from None
        if not answer:
            raise PrinterError(reason="no_answer", phrase="printer_hung_up_printing", uncertain=True)
        if answer[0] & 0x0C:  # GS r 1: paper end
            raise PrinterError(reason="paper_out", phrase="printer_paper_ran_out", uncertain=True)


def write_file(target: PrinterURL, data: bytes) -> None:
    try:
        with open(target.target, "ab") as device:
            device.write(data)
    except OSError as error:
        raise PrinterError(
            reason="error",
            phrase="printer_device_unwritable",
            device=target.target,
            detail=str(error.strerror),
        ) from None


def preview_folder(target: PrinterURL) -> Path:
    folder = Path(target.target).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PrinterError(
            reason="error", phrase="preview_unwritable", folder=str(folder), detail=str(error.strerror)
        ) from None
    return folder
