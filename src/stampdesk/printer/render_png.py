"""A receipt as a picture: the preview of a shop without a printer, and the web page's copy.

The same layout as the printer (fixed columns in a monospace font), the QR
drawn by ``qrcode`` and the CODE128 by ``python-barcode``, at whole pixels per
module (at least 3 for a barcode) so phones and scanners read them from the
picture. :func:`qr_image` and :func:`barcode_image` also give the ESC/POS
renderer its raster codes for printers that cannot draw them, so a raster
code on paper is the preview's code.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from ..code128 import code128_modules
from .receipt import QR, Barcode, Cut, Feed, Line, Receipt, layout

#: Printable width of 80 mm paper at 203 dpi; 58 mm paper is 384.
WIDTH_80MM = 576
#: A scanner needs modules of at least 3 pixels (0.37 mm at 203 dpi) to read a printed CODE128.
BARCODE_MODULE_PX = 3
BARCODE_HEIGHT_PX = 80
QR_BORDER = 4  # modules of quiet zone the QR standard asks for

_FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/TTF",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/truetype",
    "/usr/local/share/fonts",
    "/Library/Fonts",
    "/System/Library/Fonts",
    str(Path.home() / ".fonts"),
    "C:/Windows/Fonts",
)
_FONT_FILES = {
    False: ("DejaVuSansMono.ttf", "LiberationMono-Regular.ttf", "consola.ttf", "Menlo.ttc"),
    True: ("DejaVuSansMono-Bold.ttf", "LiberationMono-Bold.ttf", "consolab.ttf"),
}
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@functools.cache
def _font_path(bold: bool) -> str | None:
    """A monospace TrueType font of the system; python-barcode ships DejaVu Sans Mono as a last resort."""
    for directory in _FONT_DIRS:
        for name in _FONT_FILES[bold]:
            path = Path(directory) / name
            if path.is_file():
                return str(path)
    if bold:
        return None
    try:
        import barcode  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - python-barcode is a dependency
        return None
    bundled = Path(barcode.__file__).parent / "fonts" / "DejaVuSansMono.ttf"
    return str(bundled) if bundled.is_file() else None


@functools.cache
def _font(cell_px: int, bold: bool) -> tuple[Font, bool, bool]:
    """The font for ``cell_px`` wide columns: (font, monospace?, real bold?)."""
    path = _font_path(bold) or (_font_path(False) if bold else None)
    if path is not None:
        probe = ImageFont.truetype(path, 100)
        advance = probe.getlength("0") / 100
        size = max(6, int(cell_px / advance))
        font = ImageFont.truetype(path, size)
        mono = font.getlength("i") == font.getlength("W")
        return font, mono, bold and path == _font_path(True)
    # No TrueType font on this machine: Pillow's own, each character in its cell.
    return ImageFont.load_default(size=cell_px * 1.5), False, False


def qr_matrix(data: str) -> list[list[bool]]:
    """The modules of the QR code of ``data`` (error correction M), without quiet zone."""
    import qrcode  # type: ignore[import-untyped]
    from qrcode.constants import ERROR_CORRECT_M  # type: ignore[import-untyped]

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=1, border=0)
    code.add_data(data)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    return matrix


def qr_image(
    data: str, *, max_px: int = WIDTH_80MM, module_px: int | None = None, border: int = QR_BORDER
) -> Image.Image:
    """A QR code in black on white with its quiet zone.

    ``module_px`` pixels per module; by default about half of ``max_px`` wide
    (3 to 8 pixels a module), never wider than ``max_px``.
    """
    matrix = qr_matrix(data)
    n = len(matrix) + 2 * border
    if module_px is None:
        module_px = max(1, min(8, max(3, (max_px // 2) // n), max_px // n))
    white = [255] * border
    rows = [white + [0 if dark else 255 for dark in row] + white for row in matrix]
    blank = [[255] * n for _ in range(border)]
    raw = bytes(v for row in blank + rows + blank for v in row)
    small = Image.frombytes("L", (n, n), raw)
    return small.resize((n * module_px, n * module_px), Image.Resampling.NEAREST)


def barcode_modules(data: str) -> str:
    """The CODE128 of ``data`` as "1" (bar) and "0" (space) modules, without quiet zones."""
    return code128_modules(data)


def barcode_image(
    data: str,
    *,
    max_px: int = WIDTH_80MM,
    module_px: int | None = None,
    height_px: int = BARCODE_HEIGHT_PX,
    quiet_modules: int = 10,
) -> Image.Image:
    """A CODE128 in black on white, at most ``max_px`` wide with its quiet zones.

    3 pixels per module unless ``module_px`` says otherwise (fewer only when
    the code cannot fit in ``max_px`` else); the quiet zones shrink to what
    room is left, paper margins being white too.
    """
    modules = barcode_modules(data)
    if module_px is None:
        module_px = max(1, min(BARCODE_MODULE_PX, max_px // len(modules)))
    width = len(modules) * module_px
    quiet = max(0, min(quiet_modules * module_px, (max_px - width) // 2))
    white = b"\xff" * quiet
    line = white + b"".join((b"\x00" if m == "1" else b"\xff") * module_px for m in modules) + white
    return Image.frombytes("L", (len(line), 1), line).resize((len(line), height_px), Image.Resampling.NEAREST)


def render_png(
    receipt: Receipt, *, width_px: int = WIDTH_80MM, width_chars: int | None = None
) -> Image.Image:
    """The receipt as a grayscale picture ``width_px`` wide (576 for 80 mm paper, 384 for 58 mm)."""
    chars = width_chars or receipt.width_chars
    cell = max(4, width_px // chars)
    font, mono, _ = _font(cell, False)
    bold_font, _, real_bold = _font(cell, True)
    ascent, descent = font.getmetrics() if isinstance(font, ImageFont.FreeTypeFont) else (cell * 2, 0)
    line_h = max(ascent + descent + 4, int(cell * 1.8))
    advance = font.getlength("0") if mono else cell
    margin = max(0, int((width_px - advance * chars) // 2))

    pieces: list[tuple[int, Any]] = []  # (height, what to draw)
    for block in layout(receipt, width=chars):
        match block:
            case Line():
                pieces.append((line_h * (2 if block.tall else 1), block))
            case Barcode(data, _, _):
                image = barcode_image(data, max_px=width_px)
                pieces.append((image.height + line_h // 2, image))
            case QR(data, _):
                image = qr_image(data, max_px=width_px)
                pieces.append((image.height, image))
            case Feed(lines):
                pieces.append((line_h * lines, None))
            case Cut():
                pieces.append((line_h, "cut"))

    canvas = Image.new("L", (width_px, sum(h for h, _ in pieces) + line_h), 255)
    draw = ImageDraw.Draw(canvas)
    y = line_h // 2
    for height, what in pieces:
        if isinstance(what, Line):
            text = what.padded(chars)
            use = bold_font if what.bold else font
            if what.tall:
                strip = Image.new("L", (width_px, line_h), 255)
                _draw_line(
                    ImageDraw.Draw(strip), 0, text, use, mono, advance, margin, what.bold and not real_bold
                )
                canvas.paste(strip.resize((width_px, height), Image.Resampling.BICUBIC), (0, y))
            else:
                _draw_line(draw, y, text, use, mono, advance, margin, what.bold and not real_bold)
        elif isinstance(what, Image.Image):
            canvas.paste(what, ((width_px - what.width) // 2, y))
        elif what == "cut":
            for x in range(0, width_px, 12):
                draw.line((x, y + height // 2, x + 6, y + height // 2), fill=128)
        y += height
    return canvas


def _draw_line(
    draw: ImageDraw.ImageDraw,
    y: int,
    text: str,
    font: Font,
    mono: bool,
    advance: float,
    margin: int,
    fake_bold: bool,
) -> None:
    strokes = (0, 1) if fake_bold else (0,)
    for dx in strokes:
        if mono:
            draw.text((margin + dx, y), text, font=font, fill=0)
        else:
            for i, char in enumerate(text):
                if char != " ":
                    draw.text((margin + dx + i * advance, y), char, font=font, fill=0)
