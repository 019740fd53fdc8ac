"""Printable loyalty cards for customers without a phone: business-card size
(85 × 55 mm), ten to an A4 page (2 columns × 5 rows, edge to edge, cut marks
in the margins), as a vector PDF: its text can be selected and its barcodes
stay sharp at any printer's resolution.

The front says the shop's name, address and phone, the stamp grid with the
starter stamps already stamped and each reward at its milestone, and the
card's number as an EAN-13 barcode. The back (optional) says the
programme's rules in short and carries the card's own page as a QR code;
back pages follow their front page with the columns swapped, so a
long-edge duplex print puts each back behind its front.

What a card says (``card_words``) is worked out apart from how it is drawn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import ShopDetails
from ..domain.program import Program
from ..words import DEFAULT_LOCALE, Book

MM = 72 / 25.4  # PDF points in a millimetre
CARD_W, CARD_H = 85 * MM, 55 * MM
PAGE_W, PAGE_H = 210 * MM, 297 * MM  # A4
COLUMNS, ROWS = 2, 5
PER_PAGE = COLUMNS * ROWS
LEFT = (PAGE_W - COLUMNS * CARD_W) / 2  # 20 mm
BOTTOM = (PAGE_H - ROWS * CARD_H) / 2  # 11 mm
PAD = 4 * MM  # inside a card, nothing closer to its edge: cuts are never exact
MARK_GAP, MARK_LEN = 2 * MM, 6 * MM  # cut marks start this far from the card
REGULAR, BOLD = "Helvetica", "Helvetica-Bold"  # PDF base fonts: nothing to embed
INK, STAMPED = (0, 0, 0), (0.35, 0.35, 0.35)
# EAN-13: 0.30 mm modules (91 % of nominal) read by every scanner and phone.
MODULE = 0.30 * MM
BAR_HEIGHT = 10 * MM


@dataclass(frozen=True)
class CardWords:
    """Everything a card says, in the shop's language."""

    shop: str
    address: str | None
    phone: str | None
    subtitle: str
    programme: str | None  # the programme's name when it is not the shop's
    rewards: tuple[str, ...]  # "3 : Croissant offert"
    starter: str | None  # "2 tampons déjà offerts"
    back_title: str
    rules: tuple[str, ...]
    show: str
    scan: str


def card_words(program: Program, shop: ShopDetails, locale: str = DEFAULT_LOCALE) -> CardWords:
    """What the cards of ``program`` say, from the words book in ``locale``."""
    say = Book(locale)
    name = shop.name or program.name
    earning = program.earning
    per_visit = earning.per_visit
    if earning.min_amount > 0:
        rules = [say.count("card_sheet.back.per_visit_from", per_visit, minimum=earning.min_amount)]
    else:
        rules = [say.count("card_sheet.back.per_visit", per_visit)]
    if earning.per_amount is not None:
        rules.append(say("card_sheet.back.per_amount", amount=earning.per_amount))
    if earning.max_per_day is not None:
        rules.append(say.count("card_sheet.back.max_per_day", earning.max_per_day))
    final = program.final_reward
    rules.append(say("card_sheet.back.final", reward=final.reward, at=final.at))
    if program.expiry.stamps_after_days is not None:
        rules.append(say.count("card_sheet.back.lapse", program.expiry.stamps_after_days))
    rules.append(say.count("card_sheet.back.coupons", program.coupon_valid_days))
    starter = program.starter_stamps
    return CardWords(
        shop=name,
        address=shop.address,
        phone=say("card_sheet.phone", phone=shop.phone) if shop.phone else None,
        subtitle=say("card_sheet.subtitle"),
        programme=program.name if program.name != name else None,
        rewards=tuple(say("card_sheet.reward", at=m.at, reward=m.reward) for m in program.milestones),
        starter=say.count("card_sheet.starter", starter) if starter else None,
        back_title=say("card_sheet.back.title"),
        rules=tuple(rules),
        show=say("card_sheet.back.show"),
        scan=say("card_sheet.back.scan"),
    )


def card_origin(index: int, *, back: bool = False) -> tuple[float, float]:
    """The lower-left corner of the ``index``-th card of a page (reading
    order); on a back page the columns are swapped, so that a page turned
    over its long edge puts each back behind its front."""
    column, row = index % COLUMNS, index // COLUMNS
    if back:
        column = COLUMNS - 1 - column
    return LEFT + column * CARD_W, PAGE_H - BOTTOM - (row + 1) * CARD_H


def write_cards_pdf(
    target: str | Path,
    numbers: Sequence[str],
    program: Program,
    shop: ShopDetails,
    locale: str = DEFAULT_LOCALE,
    *,
    links: Sequence[str] | None = None,
) -> int:
    """Write the cards of ``numbers`` as an A4 PDF; with ``links`` (each
    card's page, in the order of ``numbers``), each page of fronts is
    followed by its page of backs. Returns the number of pages."""
    from reportlab.pdfgen.canvas import Canvas

    words = card_words(program, shop, locale)
    pdf = Canvas(str(target), pagesize=(PAGE_W, PAGE_H), pageCompression=1, invariant=1)
    pdf.setTitle(f"{words.subtitle} — {words.shop}")
    pdf.setAuthor(words.shop)
    pdf.setCreator("stampdesk")
    pages = 0
    for start in range(0, len(numbers), PER_PAGE):
        chunk = numbers[start : start + PER_PAGE]
        _cut_marks(pdf)
        for i, number in enumerate(chunk):
            _front(pdf, card_origin(i), number, program, words)
        pdf.showPage()
        pages += 1
        if links is not None:
            _cut_marks(pdf)
            for i, link in enumerate(links[start : start + PER_PAGE]):
                _back(pdf, card_origin(i, back=True), link, words)
            pdf.showPage()
            pages += 1
    pdf.save()
    return pages


# --------------------------------------------------------------------------- drawing


def _cut_marks(pdf: Any) -> None:
    """Short lines in the margins along every cut, never on a card."""
    pdf.saveState()
    pdf.setLineWidth(0.3)
    pdf.setStrokeColorRGB(*INK)
    top, right = PAGE_H - BOTTOM, LEFT + COLUMNS * CARD_W
    for column in range(COLUMNS + 1):
        x = LEFT + column * CARD_W
        pdf.line(x, top + MARK_GAP, x, top + MARK_GAP + MARK_LEN)
        pdf.line(x, BOTTOM - MARK_GAP, x, BOTTOM - MARK_GAP - MARK_LEN)
    for row in range(ROWS + 1):
        y = BOTTOM + row * CARD_H
        pdf.line(LEFT - MARK_GAP, y, LEFT - MARK_GAP - MARK_LEN, y)
        pdf.line(right + MARK_GAP, y, right + MARK_GAP + MARK_LEN, y)
    pdf.restoreState()


def _width(text: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return float(stringWidth(text, font, size))


def _fit(text: str, font: str, size: float, width: float, smallest: float) -> float:
    """The largest size up to ``size`` (down to ``smallest``) at which ``text`` fits ``width``."""
    while size > smallest and _width(text, font, size) > width:
        size -= 0.25
    return size


def _clip(text: str, font: str, size: float, width: float) -> str:
    """``text``, cut with an ellipsis if it still does not fit."""
    if _width(text, font, size) <= width:
        return text
    while text and _width(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _wrap(parts: Sequence[str], font: str, size: float, width: float, joiner: str = "") -> list[str]:
    """``parts`` (words, or whole entries joined by ``joiner``) in lines of ``width``."""
    lines: list[str] = []
    line = ""
    for part in parts:
        candidate = f"{line}{joiner}{part}" if line else part
        if line and _width(candidate, font, size) > width:
            lines.append(line)
            line = part
        else:
            line = candidate
    if line:
        lines.append(line)
    return [_clip(x, font, size, width) for x in lines]


def _front(pdf: Any, origin: tuple[float, float], number: str, program: Program, words: CardWords) -> None:
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.eanbc import Ean13BarcodeWidget
    from reportlab.graphics.shapes import Drawing

    x0, y0 = origin
    inner = CARD_W - 2 * PAD
    pdf.saveState()
    pdf.translate(x0, y0)
    pdf.setFillColorRGB(*INK)
    # The shop: name, address, phone.
    y = CARD_H - PAD - 3.6 * MM
    size = _fit(words.shop, BOLD, 12, inner, 8)
    pdf.setFont(BOLD, size)
    pdf.drawString(PAD, y, _clip(words.shop, BOLD, size, inner))
    for line in (words.address, words.phone):
        if line:
            y -= 2.9 * MM
            pdf.setFont(REGULAR, 6.5)
            pdf.drawString(PAD, y, _clip(line, REGULAR, 6.5, inner))
    # The barcode, bottom right, with its digits.
    code = Ean13BarcodeWidget(number[:12], barWidth=MODULE, barHeight=BAR_HEIGHT, fontSize=7)
    left, bottom, right, top = code.getBounds()
    drawing = Drawing(right - left, top - bottom)
    drawing.add(code)
    code_x = CARD_W - PAD - (right - left) + 1.5 * MM  # its quiet zone may reach into the padding
    renderPDF.draw(drawing, pdf, code_x, 2.5 * MM)
    code_top = 2.5 * MM + (top - bottom)
    # Beside it: what the card is, the programme, the starter stamps.
    side = code_x - PAD - 1 * MM
    notes = [(BOLD, 7.5, words.subtitle)]
    if words.programme:
        notes.append((REGULAR, 6.5, words.programme))
    if words.starter:
        notes.append((REGULAR, 6.5, words.starter))
    line_y = 3.5 * MM + (len(notes) - 1) * 3 * MM
    for font, size, text in notes:
        pdf.setFont(font, size)
        pdf.drawString(PAD, line_y, _clip(text, font, size, side))
        line_y -= 3 * MM
    # The stamp grid and under it the rewards, each at its milestone
    # ("3 : Croissant offert · 10 : …"), centred between the shop and the barcode.
    reward_size = 6.5
    lines = _wrap(words.rewards, REGULAR, reward_size, inner, "   ·   ")
    if len(lines) > 2:
        reward_size = 5.5
        lines = _wrap(words.rewards, REGULAR, reward_size, inner, "  ·  ")[:3]
    legend = len(lines) * reward_size * 1.2
    zone_top, zone_bottom = y - 2 * MM, code_top + 0.5 * MM
    space = zone_top - zone_bottom
    rows, per_row, cell = _grid_shape(program.stamps_per_card, inner, space - legend - 1.5 * MM)
    block = rows * cell + 1.5 * MM + legend
    top = zone_bottom + (space + block) / 2
    _grid(pdf, program, top=top, rows=rows, per_row=per_row, cell=cell)
    line_y = top - rows * cell - 1.5 * MM - reward_size
    pdf.setFont(REGULAR, reward_size)
    for line in lines:
        pdf.drawCentredString(CARD_W / 2, line_y, line)
        line_y -= reward_size * 1.2
    pdf.restoreState()


def _grid_shape(count: int, width: float, height: float) -> tuple[int, int, float]:
    """Rows, circles per row and the cell size of a grid of ``count`` stamps
    in ``width`` × ``height``: at most ten a row, rows of even length."""
    rows = math.ceil(count / 10)
    per_row = math.ceil(count / rows)
    return rows, per_row, min(7.5 * MM, width / per_row, max(height, 2 * MM) / rows)


def _grid(pdf: Any, program: Program, *, top: float, rows: int, per_row: int, cell: float) -> None:
    """The card's stamps as circles: the starter stamps already stamped,
    each milestone marked with its number."""
    count = program.stamps_per_card
    radius = cell * 0.40
    milestones = {m.at for m in program.milestones}
    starter = min(program.starter_stamps, count)
    start_x = (CARD_W - per_row * cell) / 2
    number_size = max(4.0, cell * 0.42)
    for i in range(count):
        row, column = divmod(i, per_row)
        cx = start_x + column * cell + cell / 2
        cy = top - row * cell - cell / 2
        at = i + 1
        stamped = at <= starter
        pdf.setLineWidth(1.4 if at in milestones else 0.6)
        pdf.setStrokeColorRGB(*INK)
        if stamped:
            pdf.setFillColorRGB(*STAMPED)
        pdf.circle(cx, cy, radius, stroke=1, fill=1 if stamped else 0)
        if stamped:
            _tick(pdf, cx, cy, radius)
        elif at in milestones:
            pdf.setFillColorRGB(*INK)
            pdf.setFont(BOLD, number_size)
            pdf.drawCentredString(cx, cy - number_size * 0.35, str(at))
    pdf.setFillColorRGB(*INK)


def _tick(pdf: Any, cx: float, cy: float, radius: float) -> None:
    """A white tick in a stamped circle."""
    pdf.saveState()
    pdf.setStrokeColorRGB(1, 1, 1)
    pdf.setLineWidth(max(0.8, radius * 0.22))
    pdf.setLineCap(1)
    pdf.setLineJoin(1)
    path = pdf.beginPath()
    path.moveTo(cx - radius * 0.45, cy)
    path.lineTo(cx - radius * 0.1, cy - radius * 0.38)
    path.lineTo(cx + radius * 0.5, cy + radius * 0.38)
    pdf.drawPath(path, stroke=1, fill=0)
    pdf.restoreState()


def _back(pdf: Any, origin: tuple[float, float], link: str, words: CardWords) -> None:
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    x0, y0 = origin
    pdf.saveState()
    pdf.translate(x0, y0)
    pdf.setFillColorRGB(*INK)
    # The card's page as a QR code, on the right, with what it is for.
    side = 24 * MM
    qr = QrCodeWidget(link, barLevel="M", barBorder=0)
    left, bottom, right, top = qr.getBounds()
    drawing = Drawing(side, side, transform=[side / (right - left), 0, 0, side / (top - bottom), 0, 0])
    drawing.add(qr)
    qr_x, qr_y = CARD_W - PAD - side, CARD_H - PAD - side
    renderPDF.draw(drawing, pdf, qr_x, qr_y)
    pdf.setFont(REGULAR, 5.5)
    caption_y = qr_y - 2.5 * MM
    for line in _wrap(words.scan.split(), REGULAR, 5.5, side + 2 * MM, " ")[:3]:
        pdf.drawCentredString(qr_x + side / 2, caption_y, line)
        caption_y -= 2.3 * MM
    # The rules, on the left.
    column = qr_x - PAD - 3 * MM
    y = CARD_H - PAD - 3 * MM
    pdf.setFont(BOLD, 8.5)
    pdf.drawString(PAD, y, _clip(words.back_title, BOLD, 8.5, column))
    y -= 1.5 * MM
    size = 6.5
    for rule in words.rules:
        for i, line in enumerate(_wrap(rule.split(), REGULAR, size, column - 2.5 * MM, " ")):
            y -= size * 1.25
            if y < PAD + 4 * MM:
                break
            pdf.setFont(REGULAR, size)
            if i == 0:
                pdf.drawString(PAD, y, "•")
            pdf.drawString(PAD + 2.5 * MM, y, line)
    pdf.setFont(BOLD, 6.5)
    pdf.drawString(PAD, PAD, _clip(words.show, BOLD, 6.5, CARD_W - 2 * PAD))
    pdf.restoreState()
