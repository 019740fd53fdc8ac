"""A receipt as ESC/POS bytes, for the printer model's capabilities.

The only module that imports ``escpos`` (python-escpos), and only inside
functions: importing it costs ~130 ms, writes temporary files and installs a
logging handler (see :func:`escpos_modules`).

What python-escpos does that this module works around:

- ``charcode()`` then ``hw("INIT")`` leaves MagicEncode believing the code
  page is still selected while ``ESC @`` reset the printer to its default
  one: accents and "€" come out wrong. So: ``ESC @`` first, then ``ESC t n``.
- A forced code page prints "?" for what it lacks ("œ", "’", "—"); here
  such characters are substituted ("oe", "'", "-") before the layout, so
  columns stay aligned and nothing is lost.
- ``barcode()``, ``image(center=...)`` and ``_dpi()`` print to stdout (a
  till's terminal UI owns stdout); the hardware barcode and the raster image
  are sent here without them, and raster codes are the preview's pictures.
- ``qr(native=False)`` draws a 1-module quiet zone, which phones read badly.
"""

from __future__ import annotations

import functools
import logging
import os
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from types import SimpleNamespace
from typing import Any, Literal

from PIL import Image

from .receipt import ASCII, QR, Barcode, Cut, Feed, Glyphs, Line, Receipt, layout
from .render_png import barcode_image, barcode_modules, qr_image

DEFAULT_PROFILE = "TM-T88V"
DEFAULT_CODEPAGE = "CP858"
# When the profile lacks the code page asked for: those with "€" and French accents first.
FALLBACK_CODEPAGES = ("CP858", "CP1252", "ISO_8859-15", "CP850", "CP437")

ESC = b"\x1b"
GS = b"\x1d"
INIT = ESC + b"@"
SELECT_CODEPAGE = ESC + b"t"
PRINT_MODE = ESC + b"!"  # font A, emphasis (bold) and double height in one byte
BOLD_BIT = 0x08
DOUBLE_HEIGHT_BIT = 0x10
ALIGN = {"left": ESC + b"a\x00", "center": ESC + b"a\x01", "right": ESC + b"a\x02"}
RASTER = GS + b"v0"
FEED = ESC + b"d"
FULL_CUT_AFTER_FEED = GS + b"VA\x00"
RASTER_MAX_ROWS = 960  # python-escpos's fragment height: some printers buffer no more

#: Dots per module of a native QR and of a hardware CODE128 (0.4-0.85 mm at 180-203 dpi).
QR_MODULE_DOTS = {True: 6, False: 5}  # 80 mm paper, 58 mm paper
BARCODE_MODULE_DOTS = 3
BARCODE_HEIGHT_DOTS = 80

# What a code page cannot print, in characters it can (tried in order).
SUBSTITUTES: dict[str, tuple[str, ...]] = {
    "œ": ("oe",),
    "Œ": ("OE",),
    "æ": ("ae",),
    "Æ": ("AE",),
    "ß": ("ss",),
    "’": ("'",),
    "‘": ("'",),
    "‚": (",",),
    "“": ('"',),
    "”": ('"',),
    "„": ('"',),
    "«": ('"',),
    "»": ('"',),
    "‹": ("<",),
    "›": (">",),
    "–": ("-",),
    "—": ("-",),
    "‐": ("-",),
    "…": ("...",),
    "€": ("EUR",),
    "■": ("█", "#"),
    "□": ("░", "-"),
    "█": ("■", "#"),
    "░": ("-",),
    "✂": ("x",),
    "•": ("·", "*"),
    "·": (".",),
    "×": ("x",),
    "°": ("o",),
    "№": ("No",),
    "™": ("TM",),
    "\u00a0": (" ",),
    "\u202f": (" ",),
    "\u2009": (" ",),
}


@dataclass(frozen=True)
class PrinterModel:
    """What a python-escpos profile says a printer can do, as this renderer uses it."""

    profile: str
    columns: int  # font A
    width_px: int  # printable dots across
    native_qr: bool  # GS ( k
    hardware_code128: bool  # GS k, function B
    raster: bool  # GS v 0
    column_image: bool  # ESC *, for printers without raster
    cut: Literal["partial", "full"] | None
    codepage: str | None  # None: the printer's default, ASCII only
    codepage_index: int | None
    codec: str


@functools.cache
def escpos_modules() -> SimpleNamespace:
    """Import python-escpos on first use, without its import-time side effects.

    Its capability database is parsed from YAML and cached as a pickle in a
    fresh temporary directory per process unless ``ESCPOS_CAPABILITIES_PICKLE_DIR``
    names one: pointing it at the user cache makes later imports ~100 ms
    faster. ``escpos.capabilities`` also calls ``logging.basicConfig()``,
    which would send every later log record to stderr, under a terminal UI:
    a handler it adds is removed again.
    """
    if "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
        try:
            from platformdirs import user_cache_path

            cache = user_cache_path("stampdesk", appauthor=False) / "escpos"
            cache.mkdir(parents=True, exist_ok=True)
            os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(cache)
        except OSError:
            pass  # python-escpos falls back to a temporary directory
    root = logging.getLogger()
    handlers = list(root.handlers)
    import escpos.capabilities  # type: ignore[import-untyped]
    import escpos.constants  # type: ignore[import-untyped]
    import escpos.printer  # type: ignore[import-untyped]

    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
    return SimpleNamespace(
        capabilities=escpos.capabilities,
        constants=escpos.constants,
        Dummy=escpos.printer.Dummy,
        printer=escpos.printer,
    )


def send_to_device(
    scheme: str,
    target: str,
    data: bytes,
    *,
    vendor: int = 0,
    product: int = 0,
    baudrate: int = 19200,
    profile: str | None = DEFAULT_PROFILE,
) -> None:
    """Send ready ESC/POS bytes to a USB, serial or CUPS printer through
    python-escpos's device classes (raises ``OSError``-like errors from them)."""
    devices = escpos_modules().printer
    if scheme == "usb":
        device = devices.Usb(vendor, product, profile=profile)
    elif scheme == "serial":
        device = devices.Serial(devfile=target, baudrate=baudrate, profile=profile)
    elif scheme == "cups":
        device = devices.CupsPrinter(printer_name=target, profile=profile)
    else:
        raise ValueError(f"not a device scheme: {scheme}")
    try:
        device._raw(data)
    finally:
        device.close()


def profile_names() -> list[str]:
    """The printer profiles python-escpos knows ("TM-T88V", "TM-T20II", "POS-5890", ...)."""
    return sorted(escpos_modules().capabilities.CAPABILITIES["profiles"])


@functools.cache
def printer_model(profile: str | None = DEFAULT_PROFILE, codepage: str = DEFAULT_CODEPAGE) -> PrinterModel:
    """The capabilities of ``profile`` (``None``: python-escpos's default profile).

    The code page is ``codepage`` when the model has it, else the first of
    :data:`FALLBACK_CODEPAGES` it has, at its lowest ``ESC t`` index.
    """
    caps = escpos_modules().capabilities
    name = profile or "default"
    profiles: dict[str, Any] = caps.CAPABILITIES["profiles"]
    if name not in profiles:
        raise ValueError(f"unknown printer profile {name!r}; known: {', '.join(sorted(profiles))}")
    data = profiles[name]
    features: dict[str, bool] = data.get("features", {})
    encodings: dict[str, Any] = caps.CAPABILITIES["encodings"]
    indexes: dict[str, int] = {}
    for index, page in sorted(data.get("codePages", {}).items(), key=lambda kv: int(kv[0])):
        if "python_encode" in encodings.get(page, {}):
            indexes.setdefault(page, int(index))
    chosen = next((c for c in (codepage.upper(), *FALLBACK_CODEPAGES) if c in indexes), None)
    pixels = data.get("media", {}).get("width", {}).get("pixels")
    width_px = pixels if isinstance(pixels, int) else 512
    cut: Literal["partial", "full"] | None = None
    if features.get("paperPartCut"):
        cut = "partial"
    elif features.get("paperFullCut"):
        cut = "full"
    return PrinterModel(
        profile=name,
        columns=int(data["fonts"]["0"]["columns"]),
        width_px=width_px,
        native_qr=bool(features.get("qrCode")),
        hardware_code128=bool(features.get("barcodeB")),
        raster=bool(features.get("bitImageRaster")),
        column_image=bool(features.get("bitImageColumn")) and isinstance(pixels, int),
        cut=cut,
        codepage=chosen,
        codepage_index=indexes[chosen] if chosen else None,
        codec=encodings[chosen]["python_encode"] if chosen else "ascii",
    )


def _encodable(text: str, codec: str) -> bool:
    try:
        text.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


@functools.cache
def _substitute(char: str, codec: str) -> str:
    for candidate in SUBSTITUTES.get(char, ()):
        if _encodable(candidate, codec):
            return candidate
    # "Ŵ" → "W": the letter without its accent.
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    if base and _encodable(base, codec):
        return base
    return "?"


@functools.cache
def folder(codec: str) -> Callable[[str], str]:
    """A function giving a text in characters ``codec`` can encode, substituting the others."""

    def fold(text: str) -> str:
        if _encodable(text, codec):
            return text
        return "".join(c if _encodable(c, codec) else _substitute(c, codec) for c in text)

    return fold


@functools.cache
def glyphs_for(codec: str) -> Glyphs:
    """The progress bar's characters: ■□ if the code page has both, else █░ (CP437/850/858), else #-."""
    for filled, empty in (("■", "□"), ("█", "░")):
        if _encodable(filled + empty, codec):
            return Glyphs(filled, empty, "-")
    return ASCII


def profile_columns(profile: str | None = DEFAULT_PROFILE) -> int:
    """Characters per line in font A: build receipts this wide for this printer."""
    return printer_model(profile).columns


def render_escpos(
    receipt: Receipt,
    *,
    profile: str | None = DEFAULT_PROFILE,
    codepage: str = DEFAULT_CODEPAGE,
    columns: int | None = None,
    native_codes: bool = True,
) -> bytes:
    """The receipt as the bytes to send to a printer of model ``profile``.

    ``ESC @``, then the code page, then the lines in the profile's columns
    (font A). Native QR (``GS ( k``) and hardware CODE128 (``GS k``) when the
    profile has them and ``native_codes`` (a clone whose profile claims more
    than it draws can print pictures instead), else raster pictures
    (``GS v 0``); a cut (``GS V``) where the model has a cutter, else a feed
    to the tear bar.
    """
    model = printer_model(profile, codepage)
    if not native_codes:
        model = replace(model, native_qr=False, hardware_code128=False)
    mod = escpos_modules()
    printer: Any = mod.Dummy(profile=model.profile)
    width = columns or model.columns
    fold = folder(model.codec)
    out = _Writer(printer, model)
    out.raw(INIT)
    if model.codepage_index is not None:
        out.raw(SELECT_CODEPAGE + bytes((model.codepage_index,)))
    for block in layout(receipt, width=width, glyphs=glyphs_for(model.codec), fold=fold):
        match block:
            case Line(text, align, bold, tall):
                out.style(align, bold, tall)
                out.text(text)
            case Barcode(data, _, _):
                out.barcode(data)
            case QR(data, _):
                out.qr(data)
            case Feed(lines):
                out.raw(FEED + bytes((min(lines, 255),)))
            case Cut():
                out.cut()
    out.flush()
    return bytes(printer.output)


class _Writer:
    """Sends lines and commands to the python-escpos ``Dummy``, tracking the print mode."""

    def __init__(self, printer: Any, model: PrinterModel) -> None:
        self.printer = printer
        self.model = model
        self.pending: list[bytes] = []
        self.align = "left"
        self.mode = 0

    def raw(self, data: bytes) -> None:
        self.pending.append(data)

    def flush(self) -> None:
        if self.pending:
            self.printer._raw(b"".join(self.pending))
            self.pending.clear()

    def style(self, align: str, bold: bool, tall: bool) -> None:
        if align != self.align:
            self.raw(ALIGN[align])
            self.align = align
        mode = (BOLD_BIT if bold else 0) | (DOUBLE_HEIGHT_BIT if tall else 0)
        if mode != self.mode:
            self.raw(PRINT_MODE + bytes((mode,)))
            self.mode = mode

    def text(self, text: str) -> None:
        self.raw(text.encode(self.model.codec, errors="replace") + b"\n")

    def barcode(self, data: str) -> None:
        self.style("center", False, False)
        modules = len(barcode_modules(data))
        if self.model.hardware_code128 and data.isascii() and data.isprintable():
            dots = max(2, min(BARCODE_MODULE_DOTS, self.model.width_px // (modules + 20)))
            self.flush()
            # "{B": code set B; the code is printed under it as a receipt line, not as HRI.
            self.printer._hw_barcode(
                "{B" + data,
                "CODE128",
                height=BARCODE_HEIGHT_DOTS,
                width=dots,
                pos="OFF",
                align_ct=False,
                function_type="B",
            )
            return
        self.image(barcode_image(data, max_px=self.model.width_px), f"[{data}]")

    def qr(self, data: str) -> None:
        self.style("center", False, False)
        if self.model.native_qr:
            self.flush()
            ec = escpos_modules().constants.QR_ECLEVEL_M
            size = QR_MODULE_DOTS[self.model.width_px >= 500]
            self.printer.qr(data, ec=ec, size=size, native=True)
            return
        self.image(qr_image(data, max_px=self.model.width_px), f"[{data}]")

    def image(self, picture: Image.Image, otherwise: str) -> None:
        """A picture centred on the paper: raster, else column mode, else its text."""
        width = self.model.width_px
        if self.model.raster:
            self.raw(_raster(picture, width))
        elif self.model.column_image:
            self.flush()
            self.printer.image(_centred(picture, width), impl="bitImageColumn", center=False)
        else:
            for start in range(0, len(otherwise), self.model.columns):
                self.text(folder(self.model.codec)(otherwise[start : start + self.model.columns]))

    def cut(self) -> None:
        self.style("left", False, False)
        if self.model.cut == "partial":
            self.flush()
            self.printer.cut(feed=False)  # GS V 66 0: feed to the cutter, then cut
        elif self.model.cut == "full":
            self.raw(FULL_CUT_AFTER_FEED)
        else:
            self.raw(FEED + b"\x04")  # past the tear bar


def _centred(picture: Image.Image, width: int) -> Image.Image:
    """``picture`` on a white strip ``width`` wide, so every printer centres it."""
    if picture.width >= width:
        return picture
    strip = Image.new("L", (width, picture.height), 255)
    strip.paste(picture, ((width - picture.width) // 2, 0))
    return strip


def _raster(picture: Image.Image, width: int) -> bytes:
    """``GS v 0`` commands for ``picture`` centred in ``width`` dots (1 bit = a black dot)."""
    strip = _centred(picture, width - width % 8)
    bits = strip.point(lambda v: 255 if v < 128 else 0, mode="1")
    row_bytes = (bits.width + 7) // 8
    out: list[bytes] = []
    for top in range(0, bits.height, RASTER_MAX_ROWS):
        part = bits.crop((0, top, bits.width, min(bits.height, top + RASTER_MAX_ROWS)))
        header = RASTER + b"\x00" + row_bytes.to_bytes(2, "little") + part.height.to_bytes(2, "little")
        out.append(header + part.tobytes())
    return b"".join(out)
