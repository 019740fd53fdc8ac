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
from urllib.parse import parse_qs, urlsplit

from ..domain.errors import InvalidInput

DLE_EOT = b"\x10\x04"
GS_R_PAPER = b"\x1dr\x01"
CONNECT_TIMEOUT = 2.0
ANSWER_TIMEOUT = 2.0


class PrinterError(Exception):
    """A print that did not happen: ``reason`` is one of paper_out,
    cover_open, offline, no_answer, refused, error. ``uncertain`` when the
    job was sent but not confirmed."""

    def __init__(self, reason: str, message: str, *, uncertain: bool = False) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.uncertain = uncertain


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
    bad = (
        f"printer URL {url!r} is not valid: use tcp://host:9100, usb://VID:PID, "
        "serial:///dev/ttyUSB0?baudrate=19200, file:///dev/usb/lp0, cups://QUEUE or preview://DIR"
    )
    if not isinstance(url, str) or "://" not in url:
        raise InvalidInput(bad, "invalid_printer_url")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise InvalidInput(bad, "invalid_printer_url")
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
        raise InvalidInput(bad, "invalid_printer_url") from None


def _status_byte(sock: socket.socket, n: int) -> int:
    sock.sendall(DLE_EOT + bytes([n]))
    answer = sock.recv(1)
    if not answer:
        raise PrinterError("offline", "the printer closed the connection")
    return answer[0]


def check_status(sock: socket.socket) -> None:
    """Raise ``PrinterError`` unless the printer is ready (Epson real-time status)."""
    try:
        printer = _status_byte(sock, 1)
        if printer & 0x08:
            cause = _status_byte(sock, 2)
            if cause & 0x04:
                raise PrinterError("cover_open", "the printer's cover is open")
            if cause & 0x20:
                raise PrinterError("paper_out", "the printer is out of paper")
            raise PrinterError("offline", "the printer is offline")
        paper = _status_byte(sock, 4)
        if paper & 0x60:
            raise PrinterError("paper_out", "the printer is out of paper")
    except TimeoutError:
        raise PrinterError("no_answer", "the printer does not answer") from None


def send_tcp(target: PrinterURL, data: bytes) -> None:
    """Send one job to a network printer and wait for it to confirm."""
    try:
        sock = socket.create_connection((target.target, target.port), timeout=CONNECT_TIMEOUT)
    except ConnectionRefusedError:
        raise PrinterError("refused", f"no printer answers at {target.target}:{target.port}") from None
    except OSError as error:
        raise PrinterError("offline", f"cannot reach the printer: {error}") from None
    with sock:
        sock.settimeout(ANSWER_TIMEOUT)
        check_status(sock)
        try:
            sock.sendall(data + GS_R_PAPER)
            answer = sock.recv(1)
        except (TimeoutError, OSError):
            raise PrinterError(
                "no_answer", "the printer took the receipt but did not confirm it", uncertain=True
            ) from None
        if not answer:
            raise PrinterError(
                "no_answer", "the printer closed the connection before confirming", uncertain=True
            )
        if answer[0] & 0x0C:  # GS r 1: paper end
            raise PrinterError("paper_out", "the printer ran out of paper while printing", uncertain=True)


def write_file(target: PrinterURL, data: bytes) -> None:
    try:
        with open(target.target, "ab") as device:
            device.write(data)
    except OSError as error:
        raise PrinterError("error", f"cannot write to {target.target}: {error.strerror}") from None


def preview_folder(target: PrinterURL) -> Path:
    folder = Path(target.target).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PrinterError("error", f"cannot write previews to {folder}: {error.strerror}") from None
    return folder
