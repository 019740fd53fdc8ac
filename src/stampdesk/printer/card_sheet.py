"""Printable loyalty cards for customers without a phone: credit-card size,
the programme's name, its stamp grid and the card's EAN-13 barcode, ten to an
A4 page, as a PDF the shop prints and cuts."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ..domain.program import Program
from ..words import DEFAULT_LOCALE, Book

DPI = 300
CARD_PX = (1011, 638)  # 85.6 x 54 mm at 300 dpi
PAGE_PX = (2480, 3508)  # A4 at 300 dpi
COLUMNS, ROWS = 2, 5
MARGIN_PX = 40


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    import barcode  # type: ignore[import-untyped]

    names = ["DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf", "DejaVuSansMono.ttf"]
    for name in names:
        for folder in ("/usr/share/fonts/truetype/dejavu", str(Path(barcode.__file__).parent / "fonts")):
            try:
                return ImageFont.truetype(str(Path(folder) / name), size)
            except OSError:
                continue
    return ImageFont.load_default()


def ean13_image(number: str, height_px: int = 170) -> Image.Image:
    """The card number as an EAN-13 barcode every till scanner reads."""
    import barcode
    from barcode.writer import ImageWriter  # type: ignore[import-untyped]

    code = barcode.get("ean13", number[:12], writer=ImageWriter())
    out = io.BytesIO()
    # 3 px per module at 300 dpi: 0.25 mm, read by phones and scanners alike.
    code.write(
        out,
        {
            "module_width": 0.254,
            "module_height": height_px / DPI * 25.4,
            "dpi": DPI,
            "font_size": 9,
            "text_distance": 3.5,
            "quiet_zone": 3.0,
        },
    )
    out.seek(0)
    return Image.open(out).convert("L")


def card_image(number: str, program: Program, locale: str = DEFAULT_LOCALE) -> Image.Image:
    """One card: name, "Carte de fidélité" (in the shop's language), the stamp
    grid with its milestones, the barcode."""
    card = Image.new("L", CARD_PX, 255)
    draw = ImageDraw.Draw(card)
    draw.rounded_rectangle((2, 2, CARD_PX[0] - 3, CARD_PX[1] - 3), radius=36, outline=0, width=3)
    draw.text((50, 34), program.name, font=_font(56, bold=True), fill=0)
    draw.text((52, 104), Book(locale)("card_sheet.subtitle"), font=_font(30), fill=0)
    spc = program.stamps_per_card
    per_row = min(spc, 10)
    rows = -(-spc // per_row)
    cell = min(88, (CARD_PX[0] - 100) // per_row)
    milestones = {m.at for m in program.milestones}
    for i in range(spc):
        x = 50 + (i % per_row) * cell
        y = 160 + (i // per_row) * cell
        box = (x + 6, y + 6, x + cell - 6, y + cell - 6)
        draw.ellipse(box, outline=0, width=4 if i + 1 in milestones else 2)
        if i + 1 in milestones:
            draw.text(
                (x + cell // 2, y + cell // 2), str(i + 1), font=_font(26, bold=True), fill=0, anchor="mm"
            )
    code = ean13_image(number)
    top = 160 + rows * cell + 10
    fit = min(1.0, (CARD_PX[1] - top - 20) / code.height, (CARD_PX[0] - 80) / code.width)
    if fit < 1.0:
        code = code.resize((int(code.width * fit), int(code.height * fit)), Image.Resampling.NEAREST)
    card.paste(code, ((CARD_PX[0] - code.width) // 2, top))
    return card


def card_pages(numbers: Sequence[str], program: Program, locale: str = DEFAULT_LOCALE) -> list[Image.Image]:
    """A4 pages of ten cards, with thin cutting lines."""
    pages: list[Image.Image] = []
    step_x = (PAGE_PX[0] - 2 * MARGIN_PX) // COLUMNS
    step_y = (PAGE_PX[1] - 2 * MARGIN_PX) // ROWS
    for start in range(0, len(numbers), COLUMNS * ROWS):
        page = Image.new("L", PAGE_PX, 255)
        for i, number in enumerate(numbers[start : start + COLUMNS * ROWS]):
            x = MARGIN_PX + (i % COLUMNS) * step_x + (step_x - CARD_PX[0]) // 2
            y = MARGIN_PX + (i // COLUMNS) * step_y + (step_y - CARD_PX[1]) // 2
            page.paste(card_image(number, program, locale), (x, y))
        pages.append(page)
    return pages


def write_pdf(pages: Sequence[Image.Image], path: str | Path) -> None:
    first, *rest = pages
    first.save(path, "PDF", resolution=DPI, save_all=True, append_images=rest)
