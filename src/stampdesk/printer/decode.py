"""Reading ESC/POS: what a printer was sent, as pages of lines, codes and images.

:func:`decode` turns the bytes a till sent into :class:`Page` objects (a page
ends at a cut), so the printer emulator can save a receipt as PNG + text and
the tests can assert what a printer received. :class:`StreamDecoder` does the
same as the bytes arrive, and reports the status requests (``DLE EOT n``,
``GS r n``, ``GS a n``…) as soon as they are complete, so a server can answer
them.

The decoder knows Epson's command set: text in the code page chosen by
``ESC t`` (Epson's numbering), bold, underline, alignment and sizes, native QR
codes (``GS ( k``), barcodes (``GS k``), raster and column images (``GS v 0``,
``ESC *``, ``GS ( L``, ``GS *``), feeds and cuts. A command it does not know is
skipped (by its documented length where known) and recorded in
:attr:`Page.unknown`; nothing in the bytes makes it raise.

:func:`page_to_text` and :func:`page_to_png` draw a decoded page. The PNG
re-renders native QR codes (``qrcode``) and barcodes (python-barcode) with at
least 3 px per module, so that a barcode reader can read them back.

No I/O, and no ``escpos`` import.
"""

from __future__ import annotations

import importlib
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Literal

from PIL import Image, ImageDraw, ImageFont, ImageOps

Align = Literal["left", "center", "right"]
HriPosition = Literal["none", "above", "below", "both"]

ESC, GS, FS, DLE = 0x1B, 0x1D, 0x1C, 0x10
LF, CR, HT, FF = 0x0A, 0x0D, 0x09, 0x0C
EOT, ENQ, DC4 = 0x04, 0x05, 0x14

#: Epson's ``ESC t n`` numbers: the code page's name, and the Python codec that
#: reads it (None when Python has none: its upper half is then shown as U+FFFD).
CODE_PAGES: dict[int, tuple[str, str | None]] = {
    0: ("CP437", "cp437"),
    1: ("KATAKANA", None),
    2: ("CP850", "cp850"),
    3: ("CP860", "cp860"),
    4: ("CP863", "cp863"),
    5: ("CP865", "cp865"),
    11: ("CP851", None),
    12: ("CP853", None),
    13: ("CP857", "cp857"),
    14: ("CP737", "cp737"),
    15: ("ISO_8859-7", "iso8859_7"),
    16: ("CP1252", "cp1252"),
    17: ("CP866", "cp866"),
    18: ("CP852", "cp852"),
    19: ("CP858", "cp858"),
    32: ("CP720", "cp720"),
    33: ("CP775", "cp775"),
    34: ("CP855", "cp855"),
    35: ("CP861", "cp861"),
    36: ("CP862", "cp862"),
    37: ("CP864", "cp864"),
    38: ("CP869", "cp869"),
    39: ("ISO_8859-2", "iso8859_2"),
    40: ("ISO_8859-15", "iso8859_15"),
    45: ("CP1250", "cp1250"),
    46: ("CP1251", "cp1251"),
    47: ("CP1253", "cp1253"),
    48: ("CP1254", "cp1254"),
    49: ("CP1255", "cp1255"),
    50: ("CP1256", "cp1256"),
    51: ("CP1257", "cp1257"),
    52: ("CP1258", "cp1258"),
    53: ("RK1048", "kz1048"),
}

#: ``GS k m``: function A (``m`` 0-6, data ends with NUL) and function B
#: (``m`` 65-78, a length byte then the data).
SYMBOLOGIES: dict[int, str] = {
    0: "UPC-A",
    1: "UPC-E",
    2: "EAN13",
    3: "EAN8",
    4: "CODE39",
    5: "ITF",
    6: "CODABAR",
    65: "UPC-A",
    66: "UPC-E",
    67: "EAN13",
    68: "EAN8",
    69: "CODE39",
    70: "ITF",
    71: "CODABAR",
    72: "CODE93",
    73: "CODE128",
    74: "GS1-128",
    75: "GS1 DATABAR OMNIDIRECTIONAL",
    76: "GS1 DATABAR TRUNCATED",
    77: "GS1 DATABAR LIMITED",
    78: "GS1 DATABAR EXPANDED",
}

_QR_LEVELS = {48: "L", 49: "M", 50: "Q", 51: "H"}
_HRI: dict[int, HriPosition] = {0: "none", 1: "above", 2: "below", 3: "both"}
#: Epson's default tab stops: every 8 characters.
TAB_WIDTH = 8


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Span:
    """A run of text printed with one style and one code page."""

    text: str
    codepage: str
    bold: bool = False
    underline: int = 0
    width: int = 1
    height: int = 1
    invert: bool = False
    font: int = 0


@dataclass(frozen=True)
class TextLine:
    """One printed line of text: its spans, and its alignment (``ESC a``)."""

    spans: tuple[Span, ...]
    align: Align = "left"

    @property
    def text(self) -> str:
        """The line's characters, as Unicode."""
        return "".join(span.text for span in self.spans)

    @property
    def codepages(self) -> tuple[str, ...]:
        """Every code page the line's characters were read with, in order."""
        seen: list[str] = []
        for span in self.spans:
            if span.codepage not in seen:
                seen.append(span.codepage)
        return tuple(seen)

    @property
    def codepage(self) -> str:
        """The code page of the line's first non-ASCII character (else of its first character)."""
        for span in self.spans:
            if any(ord(char) > 127 for char in span.text):
                return span.codepage
        return self.spans[0].codepage if self.spans else CODE_PAGES[0][0]

    @property
    def bold(self) -> bool:
        """True when every visible character of the line is bold."""
        inked = [span for span in self.spans if span.text.strip()]
        return bool(inked) and all(span.bold for span in inked)

    @property
    def width(self) -> int:
        """The widest character magnification on the line (1 = normal)."""
        return max((span.width for span in self.spans), default=1)

    @property
    def height(self) -> int:
        """The tallest character magnification on the line (1 = normal)."""
        return max((span.height for span in self.spans), default=1)

    @property
    def columns(self) -> int:
        """How many character cells the line takes (double width counts twice)."""
        return sum(len(span.text) * span.width for span in self.spans)


@dataclass(frozen=True)
class Feed:
    """Paper fed without printing: whole lines (``LF``, ``ESC d``) and dots (``ESC J``)."""

    lines: int = 0
    dots: int = 0


@dataclass(frozen=True)
class QrCode:
    """A QR code the printer draws itself (``GS ( k``, function 80 then 81)."""

    payload: bytes
    model: int = 2
    module_size: int = 3
    error_correction: str = "L"
    align: Align = "left"

    @property
    def data(self) -> str:
        """The payload as text (UTF-8, which is what tills send)."""
        return self.payload.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class Barcode:
    """A 1D barcode the printer draws itself (``GS k``).

    ``data`` is what the code says, as a reader reads it: for CODE128 without
    the code-set prefixes (``{A``, ``{B``, ``{C``) and function characters.
    ``raw`` is the bytes as sent.
    """

    symbology: str
    data: str
    raw: bytes
    code_set: str | None = None
    height: int = 162
    module_width: int = 3
    hri: HriPosition = "none"
    align: Align = "left"


@dataclass(frozen=True, eq=False)
class RasterImage:
    """A bit image: 1-bit, black = 0, at the printer's dots.

    ``scale_x`` and ``scale_y`` say how much bigger than one dot per pixel the
    printer draws it (double-density modes).
    """

    image: Image.Image
    source: str
    scale_x: int = 1
    scale_y: int = 1
    align: Align = "left"

    @property
    def size(self) -> tuple[int, int]:
        """The image's size in pixels, as sent (before scaling)."""
        return self.image.size


Item = TextLine | Feed | QrCode | Barcode | RasterImage


@dataclass(frozen=True)
class Cut:
    """How a page ended: a full or partial cut, after feeding ``feed`` motion units."""

    partial: bool = False
    feed: int = 0


@dataclass(frozen=True)
class StatusRequest:
    """A request the printer answers (or acts on) at once.

    ``command`` is ``"DLE EOT"``, ``"DLE ENQ"``, ``"DLE DC4"``, ``"GS r"``,
    ``"GS a"``, ``"GS I"``, ``"GS ( k"`` (symbol size), ``"ESC v"`` or ``"ESC u"``;
    ``n`` is its parameter.
    """

    command: str
    n: int
    raw: bytes
    offset: int


@dataclass(frozen=True)
class UnknownCommand:
    """Bytes the decoder skipped: an unknown or truncated command."""

    raw: bytes
    offset: int
    reason: str = "unknown command"


@dataclass(frozen=True)
class PrintMode:
    """The printer's settings that shape what is printed next: the code page
    (Epson's ``ESC t`` number), alignment, character style and barcode
    settings. What a program that adds lines in the middle of a stream puts
    back afterwards."""

    codepage: int = 0
    align: Align = "left"
    bold: bool = False
    underline: int = 0
    width: int = 1
    height: int = 1
    invert: bool = False
    font: int = 0
    barcode_height: int = 162
    barcode_width: int = 3
    hri: HriPosition = "none"


@dataclass
class Page:
    """What one stretch of paper received, up to a cut (or the end of the data).

    The offsets count bytes from the start of the stream: ``ink_end`` is just
    after the command that printed the page's last line, code or image (with
    ``mode_at_ink``, the print mode then), ``cut_start`` where the cut's
    command begins and ``end`` just after it. A program that adds lines
    before the cut inserts them at ``ink_end`` (the feed to the cutter comes
    after them).
    """

    items: list[Item] = field(default_factory=list)
    cut: Cut | None = None
    inits: int = 0
    requests: list[StatusRequest] = field(default_factory=list)
    unknown: list[UnknownCommand] = field(default_factory=list)
    ink_end: int | None = None
    mode_at_ink: PrintMode | None = None
    cut_start: int | None = None
    end: int | None = None

    @property
    def lines(self) -> list[TextLine]:
        """The text lines, in order."""
        return [item for item in self.items if isinstance(item, TextLine)]

    @property
    def text_lines(self) -> list[str]:
        """The text of each text line."""
        return [line.text for line in self.lines]

    @property
    def qr_codes(self) -> list[QrCode]:
        """The native QR codes printed."""
        return [item for item in self.items if isinstance(item, QrCode)]

    @property
    def barcodes(self) -> list[Barcode]:
        """The native barcodes printed."""
        return [item for item in self.items if isinstance(item, Barcode)]

    @property
    def images(self) -> list[RasterImage]:
        """The bit images printed."""
        return [item for item in self.items if isinstance(item, RasterImage)]

    @property
    def has_print(self) -> bool:
        """True when something other than blank paper came out."""
        return any(not isinstance(item, Feed) for item in self.items)


@dataclass
class Decoded:
    """Everything read from a stream of bytes."""

    pages: list[Page] = field(default_factory=list)
    requests: list[StatusRequest] = field(default_factory=list)
    unknown: list[UnknownCommand] = field(default_factory=list)
    inits: int = 0
    #: Bytes read while not printing (:attr:`StreamDecoder.printing` False).
    discarded_bytes: int = 0

    @property
    def text_lines(self) -> list[str]:
        """The text of every line of every page."""
        return [text for page in self.pages for text in page.text_lines]


@dataclass
class Progress:
    """What one :meth:`StreamDecoder.feed` (or ``close``) completed."""

    requests: list[StatusRequest] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)


# --------------------------------------------------------------------------- decoding


def decode(data: bytes) -> Decoded:
    """Read a whole ESC/POS stream: its pages, status requests and unknown commands."""
    decoder = StreamDecoder()
    decoder.feed(data)
    decoder.close()
    return decoder.decoded


class _Incomplete(Exception):
    """The command at the current position needs bytes that have not arrived yet."""


@dataclass
class _Style:
    bold: bool = False
    underline: int = 0
    width: int = 1
    height: int = 1
    invert: bool = False
    font: int = 0


@dataclass
class _State:
    style: _Style = field(default_factory=_Style)
    align: Align = "left"
    codepage: int = 0
    barcode_height: int = 162
    barcode_width: int = 3
    hri: HriPosition = "none"
    qr_model: int = 2
    qr_size: int = 3
    qr_level: str = "L"
    qr_data: bytes | None = None
    graphics: RasterImage | None = None
    downloaded: RasterImage | None = None


Action = Callable[[], None] | None
_TEXT_RUN = re.compile(rb"[\x20-\xff]+")
_INVERT = bytes(255 - value for value in range(256))
_ALIGNS: dict[int, Align] = {0: "left", 1: "center", 2: "right"}

# Commands of a fixed length, by their second byte (lengths include the prefix).
_ESC_FIXED = {
    **dict.fromkeys(b"@2<LSimv", 2),
    **dict.fromkeys(b" !%-3=?EGJKMRTUVadertuA+{", 3),
    **dict.fromkeys(b"$\\Bfc", 4),
    ord("p"): 5,
    ord("W"): 10,
}
_GS_FIXED = {
    **dict.fromkeys(b":c", 2),
    **dict.fromkeys(b"!BEHITabfhjrw/|", 3),
    **dict.fromkeys(b"$LPW\\", 4),
    **dict.fromkeys(b"^z", 5),
    ord("g"): 6,
}
_FS_FIXED = {
    **dict.fromkeys(b"&.", 2),
    **dict.fromkeys(b"!-CW", 3),
    **dict.fromkeys(b"Sp?", 4),
    ord("2"): 76,
}
_DLE_DC4_LENGTHS = {1: 5, 2: 5, 3: 5, 7: 4, 8: 10}
_PREFIXES = (ESC, GS, FS, DLE)


class StreamDecoder:
    """Decode ESC/POS as it arrives.

    Feed it bytes with :meth:`feed`: it returns the status requests and the
    cut pages those bytes completed; a command split across two reads is
    decoded once its last byte arrives. :meth:`close` ends the stream (a
    last page without a cut is kept if something was printed on it).
    Everything read so far is in :attr:`decoded`.

    While :attr:`printing` is False the bytes are still read, and status
    requests still reported, but nothing is printed (a printer out of paper).
    """

    def __init__(self) -> None:
        self.printing = True
        self.decoded = Decoded()
        self._buf = bytearray()
        self._offset = 0
        self._state = _State()
        self._page = Page()
        self._spans: list[Span] = []
        self._line_align: Align = "left"
        self._band_open = False  # an ESC * band was just printed: its LF is part of the image
        self._progress = Progress()
        self._closed = False
        # The command being applied: where it starts and ends in the stream.
        self._command_at = (0, 0)

    # -- public

    def feed(self, data: bytes) -> Progress:
        """Read more bytes; return the requests and pages they completed."""
        if self._closed:
            raise ValueError("the stream is closed")
        self._buf += data
        self._run(final=False)
        return self._take_progress()

    @property
    def offset(self) -> int:
        """How many bytes were decoded so far (not counting a command still incomplete)."""
        return self._offset

    @property
    def page_begun(self) -> bool:
        """True when the page being read has something printed, or a line waiting."""
        return bool(self._spans) or self._page.has_print

    @property
    def mode(self) -> PrintMode:
        """The print mode now (as the bytes decoded so far left it)."""
        state, style = self._state, self._state.style
        return PrintMode(
            state.codepage,
            state.align,
            style.bold,
            style.underline,
            style.width,
            style.height,
            style.invert,
            style.font,
            state.barcode_height,
            state.barcode_width,
            state.hri,
        )

    def close(self) -> Progress:
        """End the stream: decode what is left and return the last page, if any."""
        if not self._closed:
            self._run(final=True)
            self._closed = True
            self._command_at = (self._offset, self._offset)
            if self.printing:
                self._print_line()
            if self._page.has_print:
                self._page.end = self._offset
                self._finish_page()
        return self._take_progress()

    # -- the loop

    def _run(self, *, final: bool) -> None:
        buf = self._buf
        pos = 0
        while pos < len(buf):
            try:
                end, action = self._command(buf, pos)
            except _Incomplete:
                if not final:
                    break
                self._unknown(bytes(buf[pos:]), pos, "truncated command")
                pos = len(buf)
                break
            if action is not None:
                if self.printing:
                    self._command_at = (self._offset + pos, self._offset + end)
                    action()
                else:
                    self.decoded.discarded_bytes += end - pos
            pos = end
        del buf[:pos]
        self._offset += pos

    def _take_progress(self) -> Progress:
        progress, self._progress = self._progress, Progress()
        return progress

    # -- recording

    def _request(self, command: str, n: int, raw: bytes, pos: int) -> None:
        request = StatusRequest(command, n, raw, self._offset + pos)
        self.decoded.requests.append(request)
        self._page.requests.append(request)
        self._progress.requests.append(request)

    def _unknown(self, raw: bytes, pos: int, reason: str = "unknown command") -> None:
        unknown = UnknownCommand(raw, self._offset + pos, reason)
        self.decoded.unknown.append(unknown)
        self._page.unknown.append(unknown)

    def _skip_unknown(self, buf: bytearray, pos: int, length: int) -> tuple[int, Action]:
        self._unknown(bytes(buf[pos : pos + length]), pos)
        return pos + length, None

    # -- parsing: each returns (end, action); the action changes state or prints

    def _command(self, buf: bytearray, pos: int) -> tuple[int, Action]:
        byte = buf[pos]
        if byte >= 0x20:
            match = _TEXT_RUN.match(buf, pos)
            assert match is not None
            chunk = match.group()
            return match.end(), lambda: self._text(chunk)
        if byte == LF:
            return pos + 1, self._line_feed
        if byte == ESC:
            return self._esc(buf, pos)
        if byte == GS:
            return self._gs(buf, pos)
        if byte == FS:
            return self._fs(buf, pos)
        if byte == DLE:
            return self._dle(buf, pos)
        if byte == HT:
            return pos + 1, self._tab
        if byte == FF:
            return pos + 1, self._form_feed
        # NUL, CR (ignored without auto line feed), CAN, BEL…: nothing to print.
        return pos + 1, None

    @staticmethod
    def _need(buf: bytearray, end: int) -> None:
        if end > len(buf):
            raise _Incomplete

    def _esc(self, buf: bytearray, pos: int) -> tuple[int, Action]:
        self._need(buf, pos + 2)
        code = buf[pos + 1]
        if code in _PREFIXES:
            return self._skip_unknown(buf, pos, 1)
        if code == ord("*"):
            self._need(buf, pos + 5)
            mode, columns = buf[pos + 2], buf[pos + 3] | buf[pos + 4] << 8
            if mode not in (0, 1, 32, 33):
                return self._skip_unknown(buf, pos, 5)
            dots = 24 if mode >= 32 else 8
            end = pos + 5 + columns * dots // 8
            self._need(buf, end)
            data = bytes(buf[pos + 5 : end])
            return end, lambda: self._column_band(mode, columns, data)
        if code == ord("&"):
            self._need(buf, pos + 5)
            rows, first, last = buf[pos + 2], buf[pos + 3], buf[pos + 4]
            end = pos + 5
            for _ in range(max(0, last - first + 1)):
                self._need(buf, end + 1)
                end += 1 + rows * buf[end]
            self._need(buf, end)
            return end, None
        if code == ord("D"):
            return self._nul_terminated(buf, pos, pos + 2, limit=64), None
        if code == ord("("):
            self._need(buf, pos + 5)
            end = pos + 5 + (buf[pos + 3] | buf[pos + 4] << 8)
            self._need(buf, end)
            return end, None
        length = _ESC_FIXED.get(code)
        if length is None:
            return self._skip_unknown(buf, pos, 2)
        self._need(buf, pos + length)
        end = pos + length
        n = buf[pos + 2] if length > 2 else 0
        style = self._state.style
        match chr(code):
            case "@":
                return end, self._init
            case "!":
                return end, lambda: self._print_mode(n)
            case "E":
                return end, lambda: setattr(style, "bold", bool(n & 1))
            case "-":
                return end, lambda: setattr(style, "underline", n & 3 if n & 3 < 3 else 0)
            case "M":
                return end, lambda: setattr(style, "font", n & 1)
            case "a":
                return end, lambda: self._set_align(n)
            case "t":
                return end, lambda: setattr(self._state, "codepage", n)
            case "d":
                return end, lambda: self._feed_after_line(lines=n)
            case "J":
                return end, lambda: self._feed_after_line(dots=n)
            case "i" | "m":
                return end, lambda: self._cut(Cut(partial=code == ord("m")))
            case "v" | "u":
                self._request(f"ESC {chr(code)}", n, bytes(buf[pos:end]), pos)
                return end, None
        return end, None

    def _gs(self, buf: bytearray, pos: int) -> tuple[int, Action]:
        self._need(buf, pos + 2)
        code = buf[pos + 1]
        if code in _PREFIXES:
            return self._skip_unknown(buf, pos, 1)
        if code == ord("("):
            self._need(buf, pos + 5)
            end = pos + 5 + (buf[pos + 3] | buf[pos + 4] << 8)
            self._need(buf, end)
            body = bytes(buf[pos + 5 : end])
            kind = buf[pos + 2]
            if kind == ord("k"):
                return end, self._symbol(body, bytes(buf[pos:end]), pos)
            if kind == ord("L"):
                return end, self._graphics(body)
            return end, None
        if code == ord("8"):
            self._need(buf, pos + 7)
            size = int.from_bytes(buf[pos + 3 : pos + 7], "little")
            end = pos + 7 + size
            self._need(buf, end)
            if buf[pos + 2] == ord("L"):
                return end, self._graphics(bytes(buf[pos + 7 : end]))
            return end, None
        if code == ord("v"):
            self._need(buf, pos + 8)
            if buf[pos + 2] not in (0, ord("0")):
                return self._skip_unknown(buf, pos, 3)
            density = buf[pos + 3]
            width_bytes = buf[pos + 4] | buf[pos + 5] << 8
            height = buf[pos + 6] | buf[pos + 7] << 8
            end = pos + 8 + width_bytes * height
            self._need(buf, end)
            data = bytes(buf[pos + 8 : end])
            return end, lambda: self._raster(width_bytes, height, density, data)
        if code == ord("k"):
            return self._barcode(buf, pos)
        if code == ord("V"):
            self._need(buf, pos + 3)
            mode = buf[pos + 2]
            if mode in (0, 1, 48, 49):
                return pos + 3, lambda: self._cut(Cut(partial=mode in (1, 49)))
            if mode in (65, 66, 97, 98, 103, 104):
                self._need(buf, pos + 4)
                feed = buf[pos + 3]
                return pos + 4, lambda: self._cut(Cut(partial=mode % 2 == 0, feed=feed))
            return self._skip_unknown(buf, pos, 3)
        if code == ord("*"):
            self._need(buf, pos + 4)
            x, y = buf[pos + 2], buf[pos + 3]
            end = pos + 4 + x * y * 8
            self._need(buf, end)
            data = bytes(buf[pos + 4 : end])
            return end, lambda: self._download(x, y, data)
        length = _GS_FIXED.get(code)
        if length is None:
            return self._skip_unknown(buf, pos, 2)
        self._need(buf, pos + length)
        end = pos + length
        n = buf[pos + 2] if length > 2 else 0
        state, style = self._state, self._state.style
        match chr(code):
            case "!":
                return end, lambda: self._char_size(n)
            case "B":
                return end, lambda: setattr(style, "invert", bool(n & 1))
            case "h":
                return end, lambda: setattr(state, "barcode_height", n)
            case "w":
                return end, lambda: setattr(state, "barcode_width", n)
            case "H":
                return end, lambda: setattr(
                    state, "hri", _HRI[n & 3 if n in (0, 1, 2, 3, 48, 49, 50, 51) else 0]
                )
            case "/":
                return end, lambda: self._print_downloaded(n)
            case "r" | "a" | "I":
                self._request(f"GS {chr(code)}", n, bytes(buf[pos:end]), pos)
                return end, None
        return end, None

    def _fs(self, buf: bytearray, pos: int) -> tuple[int, Action]:
        self._need(buf, pos + 2)
        code = buf[pos + 1]
        if code in _PREFIXES:
            return self._skip_unknown(buf, pos, 1)
        if code == ord("("):
            self._need(buf, pos + 5)
            end = pos + 5 + (buf[pos + 3] | buf[pos + 4] << 8)
            self._need(buf, end)
            return end, None
        if code == ord("g"):
            self._need(buf, pos + 10)
            end = pos + 10
            if buf[pos + 2] in (1, ord("1")):
                end += buf[pos + 8] | buf[pos + 9] << 8
            self._need(buf, end)
            return end, None
        if code == ord("q"):
            self._need(buf, pos + 3)
            end = pos + 3
            for _ in range(buf[pos + 2]):
                self._need(buf, end + 4)
                width, height = buf[end] | buf[end + 1] << 8, buf[end + 2] | buf[end + 3] << 8
                end += 4 + width * height * 8
            self._need(buf, end)
            return end, None
        length = _FS_FIXED.get(code)
        if length is None:
            return self._skip_unknown(buf, pos, 2)
        self._need(buf, pos + length)
        return pos + length, None

    def _dle(self, buf: bytearray, pos: int) -> tuple[int, Action]:
        self._need(buf, pos + 2)
        code = buf[pos + 1]
        if code in (EOT, ENQ):
            self._need(buf, pos + 3)
            n = buf[pos + 2]
            end = pos + 4 if code == EOT and n in (7, 8) else pos + 3
            self._need(buf, end)
            self._request("DLE EOT" if code == EOT else "DLE ENQ", n, bytes(buf[pos:end]), pos)
            return end, None
        if code == DC4:
            self._need(buf, pos + 3)
            n = buf[pos + 2]
            end = pos + _DLE_DC4_LENGTHS.get(n, 3)
            self._need(buf, end)
            self._request("DLE DC4", n, bytes(buf[pos:end]), pos)
            return end, None
        # A lone DLE is not a command: the printer ignores it.
        return pos + 1, None

    def _nul_terminated(self, buf: bytearray, pos: int, start: int, *, limit: int) -> int:
        nul = buf.find(b"\x00", start, start + limit)
        if nul >= 0:
            return nul + 1
        if len(buf) < start + limit:
            raise _Incomplete
        self._unknown(bytes(buf[pos:start]), pos, "unterminated command")
        return start

    def _barcode(self, buf: bytearray, pos: int) -> tuple[int, Action]:
        self._need(buf, pos + 3)
        m = buf[pos + 2]
        if m <= 6:
            end = self._nul_terminated(buf, pos, pos + 3, limit=256)
            if end == pos + 3:
                return end, None
            raw = bytes(buf[pos + 3 : end - 1])
        elif 65 <= m <= 78:
            self._need(buf, pos + 4)
            end = pos + 4 + buf[pos + 3]
            self._need(buf, end)
            raw = bytes(buf[pos + 4 : end])
        else:
            return self._skip_unknown(buf, pos, 3)
        return end, lambda: self._print_barcode(SYMBOLOGIES[m], raw)

    # -- applying: state

    def _init(self) -> None:
        # ESC @ clears the print buffer: a line not yet fed is lost, as on paper.
        self._spans = []
        self._state = _State()
        self._page.inits += 1
        self.decoded.inits += 1

    def _print_mode(self, n: int) -> None:
        style = self._state.style
        style.font = n & 1
        style.bold = bool(n & 0x08)
        style.height = 2 if n & 0x10 else 1
        style.width = 2 if n & 0x20 else 1
        style.underline = 1 if n & 0x80 else 0

    def _char_size(self, n: int) -> None:
        style = self._state.style
        style.width = (n >> 4 & 7) + 1
        style.height = (n & 7) + 1

    def _set_align(self, n: int) -> None:
        self._state.align = _ALIGNS.get(n % 48 if n >= 48 else n, "left")

    # -- applying: text and paper

    def _text(self, chunk: bytes) -> None:
        self._band_open = False
        charmap = _charmap(self._state.codepage)
        self._add_text("".join(charmap[byte] for byte in chunk), self._current_codepage())

    def _add_text(self, text: str, codepage: str) -> None:
        if not text:
            return
        style = self._state.style
        span = Span(
            text, codepage, style.bold, style.underline, style.width, style.height, style.invert, style.font
        )
        if not self._spans:
            self._line_align = self._state.align
        last = self._spans[-1] if self._spans else None
        if last is not None and replace(last, text="") == replace(span, text=""):
            self._spans[-1] = replace(last, text=last.text + text)
        else:
            self._spans.append(span)

    def _tab(self) -> None:
        column = sum(len(span.text) for span in self._spans)
        self._add_text(" " * (TAB_WIDTH - column % TAB_WIDTH), self._current_codepage())

    def _current_codepage(self) -> str:
        number = self._state.codepage
        return CODE_PAGES.get(number, (f"PAGE-{number}", None))[0]

    def _print_line(self) -> bool:
        if not self._spans:
            return False
        self._add_item(TextLine(tuple(self._spans), self._line_align))
        self._spans = []
        return True

    def _form_feed(self) -> None:
        # Standard mode: FF prints what is buffered; there is no page to eject on a roll.
        self._print_line()

    def _line_feed(self) -> None:
        if self._band_open and not self._spans:
            return  # the LF that ends a column-image band moves to the next band
        if not self._print_line():
            self._add_feed(lines=1)

    def _feed_after_line(self, *, lines: int = 0, dots: int = 0) -> None:
        # ESC d / ESC J print the buffer, then feed.
        self._print_line()
        self._add_feed(lines=lines, dots=dots)

    def _add_feed(self, *, lines: int = 0, dots: int = 0) -> None:
        if not lines and not dots:
            return
        items = self._page.items
        if items and isinstance(items[-1], Feed):
            items[-1] = Feed(items[-1].lines + lines, items[-1].dots + dots)
        else:
            items.append(Feed(lines, dots))
        self._band_open = False

    def _add_item(self, item: Item) -> None:
        self._page.items.append(item)
        self._band_open = False
        self._inked()

    def _inked(self) -> None:
        self._page.ink_end = self._command_at[1]
        self._page.mode_at_ink = self.mode

    def _cut(self, cut: Cut) -> None:
        self._print_line()
        self._page.cut = cut
        self._page.cut_start, self._page.end = self._command_at
        self._finish_page()

    def _finish_page(self) -> None:
        page, self._page = self._page, Page()
        self.decoded.pages.append(page)
        self._progress.pages.append(page)
        self._band_open = False

    # -- applying: codes and images

    def _symbol(self, body: bytes, raw: bytes, pos: int) -> Action:
        """``GS ( k``: 2D symbols; only QR codes (cn = 49) are drawn."""
        if len(body) < 2:
            return None
        cn, fn, params = body[0], body[1], body[2:]
        if cn == 49 and fn == 82:
            self._request("GS ( k", fn, raw, pos)
            return None
        if cn != 49:
            if fn == 81:
                self._unknown(raw, pos, f"2D symbol cn={cn} is not decoded")
            return None
        state = self._state

        def apply() -> None:
            if fn == 65 and params:
                state.qr_model = {49: 1, 50: 2, 51: 3}.get(params[0], 2)
            elif fn == 67 and params:
                state.qr_size = params[0]
            elif fn == 69 and params:
                state.qr_level = _QR_LEVELS.get(params[0], "L")
            elif fn == 80 and params:
                state.qr_data = params[1:]
            elif fn == 81 and state.qr_data:
                self._print_line()
                self._add_item(
                    QrCode(state.qr_data, state.qr_model, state.qr_size, state.qr_level, state.align)
                )

        return apply

    def _graphics(self, body: bytes) -> Action:
        """``GS ( L`` / ``GS 8 L``: store raster graphics (fn 112), print them (fn 50)."""
        if len(body) < 2:
            return None
        fn = body[1]
        if fn in (50, 2):

            def print_graphics() -> None:
                stored = self._state.graphics
                if stored is not None:
                    self._print_line()
                    self._add_item(replace(stored, align=self._state.align))
                    self._state.graphics = None

            return print_graphics
        if fn != 112 or len(body) < 10:
            return None
        tone, scale_x, scale_y, colour = body[2], body[3], body[4], body[5]
        width, height = body[6] | body[7] << 8, body[8] | body[9] << 8
        data = body[10:]
        if tone != 48 or colour not in (49, 1) or not width or not height:
            return None
        width_bytes = (width + 7) // 8
        if len(data) < width_bytes * height:
            return None
        image = _raster_to_image(width_bytes, height, data).crop((0, 0, width, height))

        def store() -> None:
            self._state.graphics = RasterImage(image, "GS ( L", max(1, scale_x), max(1, scale_y))

        return store

    def _raster(self, width_bytes: int, height: int, density: int, data: bytes) -> None:
        if not width_bytes or not height:
            return
        self._print_line()
        image = _raster_to_image(width_bytes, height, data)
        scale_x, scale_y = (2 if density & 1 else 1), (2 if density & 2 else 1)
        self._add_item(RasterImage(image, "GS v 0", scale_x, scale_y, self._state.align))

    def _column_band(self, mode: int, columns: int, data: bytes) -> None:
        if not columns:
            return
        self._print_line()
        dots = 24 if mode >= 32 else 8
        band = _columns_to_image(columns, dots, data)
        # Single density draws each dot twice as wide; 8-dot modes three times as tall.
        scale_x, scale_y = (1 if mode & 1 else 2), (1 if mode >= 32 else 3)
        items = self._page.items
        last = items[-1] if items else None
        if (
            self._band_open
            and isinstance(last, RasterImage)
            and last.source == "ESC *"
            and (last.scale_x, last.scale_y) == (scale_x, scale_y)
            and last.image.width == columns
        ):
            merged = Image.new("1", (columns, last.image.height + dots), 1)
            merged.paste(last.image, (0, 0))
            merged.paste(band, (0, last.image.height))
            items[-1] = replace(last, image=merged)
            self._inked()
        else:
            self._add_item(RasterImage(band, "ESC *", scale_x, scale_y, self._state.align))
        self._band_open = True

    def _download(self, x: int, y: int, data: bytes) -> None:
        if x and y:
            self._state.downloaded = RasterImage(_columns_to_image(x * 8, y * 8, data), "GS *")

    def _print_downloaded(self, mode: int) -> None:
        stored = self._state.downloaded
        if stored is None:
            return
        self._print_line()
        mode = mode - 48 if mode >= 48 else mode
        self._add_item(
            replace(
                stored, scale_x=2 if mode & 1 else 1, scale_y=2 if mode & 2 else 1, align=self._state.align
            )
        )

    def _print_barcode(self, symbology: str, raw: bytes) -> None:
        self._print_line()
        code_set: str | None = None
        if symbology in ("CODE128", "GS1-128") and raw[:1] == b"{":
            data, code_set = code128_human(raw)
        else:
            data = raw.decode("latin-1")
        state = self._state
        self._add_item(
            Barcode(
                symbology,
                data,
                raw,
                code_set,
                state.barcode_height,
                state.barcode_width,
                state.hri,
                state.align,
            )
        )


def code128_human(raw: bytes) -> tuple[str, str | None]:
    """What a CODE128 ``GS k`` payload says, and its first code set.

    The payload starts with ``{A``, ``{B`` or ``{C`` and may change set with
    another ``{A``/``{B``/``{C``; ``{S`` shifts one character, ``{1``-``{4``
    are function characters (not part of the data) and ``{{`` is a ``{``. In
    code set C each byte is a number 0-99 that stands for two digits.
    """
    out: list[str] = []
    first: str | None = None
    current = "B"
    shift = False
    i = 0
    while i < len(raw):
        byte = raw[i]
        if byte == ord("{") and i + 1 < len(raw):
            code = chr(raw[i + 1])
            i += 2
            if code in "ABC":
                current = code
                first = first or code
            elif code == "S":
                shift = True
            elif code == "{":
                out.append("{")
            continue
        i += 1
        active = ("A" if current == "B" else "B") if shift and current in "AB" else current
        shift = False
        if active == "C":
            out.append(f"{byte:02d}" if byte <= 99 else chr(byte))
        else:
            out.append(chr(byte))
    return "".join(out), first


@lru_cache(maxsize=64)
def _charmap(number: int) -> tuple[str, ...]:
    """The 256 characters of a code page (control bytes and DEL print nothing)."""
    codec = CODE_PAGES.get(number, ("", None))[1]
    chars: list[str] = []
    for value in range(256):
        if value < 0x20 or value == 0x7F:
            chars.append("")
        elif value < 0x80:
            chars.append(chr(value))
        elif codec is None:
            chars.append("\ufffd")
        else:
            chars.append(bytes([value]).decode(codec, errors="replace"))
    return tuple(chars)


def _raster_to_image(width_bytes: int, height: int, data: bytes) -> Image.Image:
    """Raster bit image bytes (1 = black, MSB first) as a PIL 1-bit image."""
    size = width_bytes * height
    data = data[:size].ljust(size, b"\x00")
    return Image.frombytes("1", (width_bytes * 8, height), data.translate(_INVERT))


def _columns_to_image(columns: int, dots: int, data: bytes) -> Image.Image:
    """Column-format bit image bytes (each column top to bottom, MSB first) as a 1-bit image."""
    size = columns * dots // 8
    data = data[:size].ljust(size, b"\x00")
    # Each column is a row of the transposed image.
    transposed = Image.frombytes("1", (dots, columns), data.translate(_INVERT))
    return transposed.transpose(Image.Transpose.TRANSPOSE)


# --------------------------------------------------------------------------- drawing

#: Font A: a 12 x 24 dot cell; lines 30 dots apart (1/6 inch at 180 dpi).
CELL_WIDTH = 12
CELL_HEIGHT = 24
LINE_SPACING = 6
#: The blank paper each side of the printable width (about 3 mm).
PAPER_MARGIN = 24
#: A native code is redrawn with at least this many pixels per module.
MIN_MODULE_PX = 3
_QUIET_MODULES = 10
#: python-barcode measures in millimetres: at 25.4 dpi one is one pixel. Nudged up a
#: millionth so that its float edges never land just below a whole pixel (which would
#: make some bars a pixel thinner and others thicker).
_PIXEL_DPI = 25.4 * 1.000001

FontType = ImageFont.FreeTypeFont | ImageFont.ImageFont
_FONT_LOCK = threading.Lock()


def page_to_text(page: Page, columns: int = 48) -> str:
    """The page as plain text, ``columns`` wide (48 for 80 mm paper, 32 for 58 mm).

    Alignment is kept by padding; codes and images appear as a bracketed
    line (``[QR https://…]``, ``[CODE128 K7QX3MZD]``, ``[image 384x120]``),
    and a cut as a line of scissors.
    """
    out: list[str] = []

    def aligned(text: str, align: Align, cells: int) -> str:
        room = max(0, columns - cells)
        pad = {"left": 0, "center": room // 2, "right": room}[align]
        return (" " * pad + text).rstrip()

    for item in page.items:
        match item:
            case TextLine():
                out.append(aligned(item.text, item.align, item.columns))
            case Feed(lines, dots):
                out += [""] * (lines + dots // (CELL_HEIGHT + LINE_SPACING))
            case QrCode():
                text = f"[QR {item.data}]"
                out.append(aligned(text, item.align, len(text)))
            case Barcode():
                text = f"[{item.symbology} {item.data}]"
                out.append(aligned(text, item.align, len(text)))
            case RasterImage():
                width, height = item.size
                text = f"[image {width}x{height}]"
                out.append(aligned(text, item.align, len(text)))
    if page.cut is not None:
        out.append(("✂" + " -" * columns)[:columns].rstrip())
    return "\n".join(out) + "\n"


def page_to_png(page: Page, width_px: int = 576) -> Image.Image:
    """Draw the page as the printer would, one pixel per dot (grayscale).

    ``width_px`` is the printable width (576 dots on 80 mm paper, 384 on
    58 mm); the picture adds the paper's blank margins around it. Text is
    drawn in a monospace font at 12 x 24 px per character, bit images pasted,
    QR codes and barcodes redrawn so that a reader can decode them. A code
    wider than the printable width widens the picture rather than being lost.
    """
    blocks: list[tuple[Image.Image, Align]] = []
    for item in page.items:
        match item:
            case TextLine():
                blocks += [(row, item.align) for row in _draw_line(item, width_px)]
            case Feed(lines, dots):
                height = lines * (CELL_HEIGHT + LINE_SPACING) + dots
                if height:
                    blocks.append((Image.new("L", (1, height), 255), "left"))
            case RasterImage():
                image = item.image.convert("L")
                if (item.scale_x, item.scale_y) != (1, 1):
                    size = (image.width * item.scale_x, image.height * item.scale_y)
                    image = image.resize(size, Image.Resampling.NEAREST)
                blocks.append((image, item.align))
            case QrCode():
                blocks.append((_draw_qr(item), item.align))
            case Barcode():
                blocks.append((_draw_barcode(item, width_px), item.align))
    printable = max([width_px] + [image.width for image, _ in blocks])
    width = printable + 2 * PAPER_MARGIN
    height = CELL_HEIGHT * 2 + sum(image.height for image, _ in blocks)
    canvas = Image.new("L", (width, height), 255)
    y = CELL_HEIGHT
    for image, align in blocks:
        room = printable - image.width
        x = PAPER_MARGIN + {"left": 0, "center": room // 2, "right": room}[align]
        canvas.paste(image, (x, y))
        y += image.height
    if page.cut is not None:
        draw = ImageDraw.Draw(canvas)
        for x in range(0, width, 16):
            draw.line([(x, height - 2), (x + 7, height - 2)], fill=128)
    return canvas


def _draw_line(line: TextLine, width_px: int) -> list[Image.Image]:
    """A text line as images one printed row high (a line too long wraps)."""
    height = max(span.height for span in line.spans) * CELL_HEIGHT
    cells: list[Image.Image] = []
    for span in line.spans:
        for char in span.text:
            glyph = _glyph(char, span.bold)
            if span.invert:
                glyph = ImageOps.invert(glyph)
            if span.underline:
                glyph = glyph.copy()
                ImageDraw.Draw(glyph).rectangle(
                    [(0, CELL_HEIGHT - span.underline), (CELL_WIDTH - 1, CELL_HEIGHT - 1)], fill=0
                )
            if (span.width, span.height) != (1, 1):
                glyph = glyph.resize(
                    (CELL_WIDTH * span.width, CELL_HEIGHT * span.height), Image.Resampling.NEAREST
                )
            cells.append(glyph)
    rows: list[Image.Image] = []
    x = 0
    row = Image.new("L", (width_px, height + LINE_SPACING), 255)
    for cell in cells:
        if x + cell.width > width_px and x:
            rows.append(row.crop((0, 0, x, row.height)))
            row, x = Image.new("L", (width_px, height + LINE_SPACING), 255), 0
        row.paste(cell, (x, height - cell.height))  # characters share a baseline
        x += cell.width
    rows.append(row.crop((0, 0, max(x, 1), row.height)))
    return rows


@lru_cache(maxsize=1024)
def _glyph(char: str, bold: bool) -> Image.Image:
    """One character in its cell (shared: callers copy before drawing on it)."""
    cell = Image.new("L", (CELL_WIDTH, CELL_HEIGHT), 255)
    draw = ImageDraw.Draw(cell)
    with _FONT_LOCK:  # one font object serves every emulator connection's thread
        font = _font(bold)
        if isinstance(font, ImageFont.FreeTypeFont):
            draw.text((CELL_WIDTH / 2, CELL_HEIGHT / 2), char, font=font, fill=0, anchor="mm")
        else:
            draw.text((1, 4), char, font=font, fill=0)
    return cell


@lru_cache(maxsize=2)
def _font(bold: bool) -> FontType:
    """A monospace font sized so that a character fills a 12 x 24 cell."""
    names = (
        ["DejaVuSansMono-Bold.ttf", "LiberationMono-Bold.ttf", "Menlo.ttc", "consolab.ttf", "courbd.ttf"]
        if bold
        else ["DejaVuSansMono.ttf", "LiberationMono-Regular.ttf", "Menlo.ttc", "consola.ttf", "cour.ttf"]
    )
    for name in names:
        try:
            return ImageFont.truetype(name, 19)
        except OSError:
            continue
    return ImageFont.load_default(19)


def _draw_qr(code: QrCode) -> Image.Image:
    qrcode: Any = importlib.import_module("qrcode")  # untyped; imported when a code is drawn
    levels = {
        "L": qrcode.constants.ERROR_CORRECT_L,
        "M": qrcode.constants.ERROR_CORRECT_M,
        "Q": qrcode.constants.ERROR_CORRECT_Q,
        "H": qrcode.constants.ERROR_CORRECT_H,
    }
    qr = qrcode.QRCode(
        version=None,
        error_correction=levels.get(code.error_correction, qrcode.constants.ERROR_CORRECT_L),
        box_size=max(code.module_size, MIN_MODULE_PX),
        border=4,
    )
    qr.add_data(code.payload)
    qr.make(fit=True)
    image: Image.Image = qr.make_image(fill_color="black", back_color="white").get_image()
    return image.convert("L")


#: python-barcode's names for the symbologies it can draw.
_BARCODE_CLASSES = {
    "CODE128": "code128",
    "GS1-128": "gs1_128",
    "EAN13": "ean13",
    "EAN8": "ean8",
    "UPC-A": "upca",
    "CODE39": "code39",
    "ITF": "itf",
    "CODABAR": "codabar",
}


def _draw_barcode(code: Barcode, width_px: int) -> Image.Image:
    """The barcode redrawn by python-barcode, its human-readable text where GS H put it.

    The quiet zone is ten modules where the paper has room, less where it has not.
    """
    module = max(code.module_width, MIN_MODULE_PX)
    bars: Image.Image | None = None
    name = _BARCODE_CLASSES.get(code.symbology)
    if name is not None:
        try:
            barcode: Any = importlib.import_module("barcode")  # untyped; imported when a code is drawn
            writer: Any = importlib.import_module("barcode.writer")
            symbol = barcode.get_barcode_class(name)(
                code.data, writer=writer.ImageWriter(mode="L", dpi=_PIXEL_DPI)
            )
            bars = symbol.render(
                writer_options={
                    "module_width": module,
                    "module_height": max(code.height, 24),
                    "quiet_zone": 0,
                    "write_text": False,
                    "margin_top": 0,
                    "margin_bottom": 0,
                    "dpi": _PIXEL_DPI,
                }
            ).convert("L")
        except Exception:  # data python-barcode refuses: show the text alone
            bars = None
    if bars is not None:
        quiet = min(_QUIET_MODULES * module, max(0, (width_px - bars.width) // 2))
        bars = ImageOps.expand(bars, border=(quiet, 0), fill=255)
    text = f"{code.symbology} {code.data}" if bars is None else code.data
    hri = _draw_plain(text)
    parts: list[Image.Image] = []
    if bars is None or code.hri in ("above", "both"):
        parts.append(hri)
    if bars is not None:
        parts.append(bars)
        if code.hri in ("below", "both"):
            parts.append(hri)
    width = max(part.width for part in parts)
    out = Image.new("L", (width, sum(part.height for part in parts) + LINE_SPACING), 255)
    y = 0
    for part in parts:
        out.paste(part, ((width - part.width) // 2, y))
        y += part.height
    return out


def _draw_plain(text: str) -> Image.Image:
    line = TextLine((Span(text, "CP437"),))
    rows: Sequence[Image.Image] = _draw_line(line, max(CELL_WIDTH, len(text) * CELL_WIDTH))
    return rows[0]
