"""A receipt as data: what it says, not how a device draws it.

The builders turn a checkout into a :class:`Receipt`, a tuple of elements.
Each renderer (text, PNG, ESC/POS) lays it out with :func:`layout`, so the
lines, their wrapping and their columns are the same in a preview and on
paper; a renderer only decides how a line, a code or a cut is drawn, and which
characters it can draw (:class:`Glyphs`, ``fold``).

Pure: no I/O, no device, no ``escpos`` import.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Literal

from ..config import CardDetails
from ..domain import claims
from ..domain.card_numbers import masked_card_number
from ..domain.validate import first_name
from ..results import CardState, CheckoutResult, NextMilestone
from ..words import formats
from . import words

Align = Literal["left", "center", "right"]

#: The widths the printers have: 80 mm paper in font A (42 or 48 columns), 58 mm (32).
DEFAULT_WIDTH = 42
#: A progress bar never gets more cells than this; a 30-stamp card is drawn to scale.
MAX_BAR_CELLS = 20


@dataclass(frozen=True)
class Title:
    """The shop's name or a heading: centred, bold and tall."""

    text: str


@dataclass(frozen=True)
class Text:
    """A paragraph, wrapped to the width."""

    text: str
    align: Align = "left"
    bold: bool = False


@dataclass(frozen=True)
class Row:
    """Two columns: ``left`` against the left edge, ``right`` against the right."""

    left: str
    right: str
    bold: bool = False


@dataclass(frozen=True)
class Rule:
    """A horizontal line across the receipt."""


@dataclass(frozen=True)
class Progress:
    """A printed stamp card: "■■■□□□□□□□ 3/10 — Croissant offert à 4"."""

    filled: int
    total: int
    label: str = ""


@dataclass(frozen=True)
class Barcode:
    """A linear barcode; with ``caption`` its data is printed under it."""

    data: str
    symbology: Literal["CODE128"] = "CODE128"
    caption: bool = True


@dataclass(frozen=True)
class QR:
    """A QR code, with an optional caption under it."""

    data: str
    caption: str | None = None


@dataclass(frozen=True)
class Feed:
    """Blank lines."""

    lines: int = 1


@dataclass(frozen=True)
class Cut:
    """The end of the receipt: the printer cuts here (or feeds to tear off)."""


Element = Title | Text | Row | Rule | Progress | Barcode | QR | Feed | Cut


@dataclass(frozen=True)
class Receipt:
    """A whole receipt; ``width_chars`` is the width it is laid out to by default."""

    elements: tuple[Element, ...]
    width_chars: int = DEFAULT_WIDTH


# --- Builders ---------------------------------------------------------------


def build_sale_receipt(
    *,
    shop_name: str,
    header_lines: Sequence[str] = (),
    footer_lines: Sequence[str] = (),
    result: CheckoutResult,
    card: CardState | None,
    locale: str,
    zone: tzinfo,
    now: datetime,
    duplicate: bool = False,
    width_chars: int = DEFAULT_WIDTH,
    card_details: CardDetails = "masked",
) -> Receipt:
    """The receipt of one checkout.

    For a card: its number and holder (``masked``: the card's last 4 digits
    and the first name; ``full``: all of both), the stamps added, the
    progress bar to the next milestone, the status tier and the sale's
    messages, and each coupon issued (reward, last day, CODE128 of its
    code). For a walk-in: the enrolment QR that keeps the sale's stamps,
    and the last day it keeps them.
    ``duplicate`` marks a reprint and says when it was reprinted (``now``).
    """
    w = words.words_for(locale)
    at = formats.local(result.at, zone)
    out: list[Element] = [Title(shop_name)]
    out += [Text(line, "center") for line in header_lines]
    if duplicate:
        out.append(Text(f"*** {w.duplicate} ***", "center", bold=True))
    out.append(Rule())
    out.append(
        Row(
            w.at.format(day=formats.day(at.date(), locale), time=formats.time_of_day(at, locale)),
            w.sale.format(number=result.checkout),
        )
    )
    out.append(Row(w.amount, formats.money(result.amount, locale), bold=True))
    out += loyalty_elements(result=result, card=card, locale=locale, zone=zone, card_details=card_details)
    out.append(Rule())
    out += [Text(line, "center") for line in footer_lines]
    if duplicate:
        when = formats.local(now, zone)
        out.append(
            Text(
                w.reprinted.format(
                    day=formats.day(when.date(), locale), time=formats.time_of_day(when, locale)
                ),
                "center",
            )
        )
    out.append(Cut())
    return Receipt(tuple(out), width_chars)


def loyalty_elements(
    *,
    result: CheckoutResult,
    card: CardState | None,
    locale: str,
    zone: tzinfo,
    card_details: CardDetails = "masked",
) -> list[Element]:
    """A sale's loyalty part, as every receipt prints it: for a card, its
    number and holder, the stamps added, the progress bar, the tier, the
    sale's messages and each coupon with its barcode; for a walk-in, the
    enrolment QR that keeps the sale's stamps and the last day to claim them.
    Each part starts with a rule. (The receipt of a sale, and the block the
    receipt-printer plugin adds to a till's own receipt.)"""
    w = words.words_for(locale)
    out: list[Element] = []
    if result.card is not None:
        out.append(Rule())
        out.append(Row(w.card, _card_number(result.card, card_details)))
        if card is not None and card.name:
            name = card.name if card_details == "full" else first_name(card.name)
            out.append(Text(w.customer.format(name=name)))
        if result.starter_stamps:
            out.append(Row(w.starter_stamps, f"+{result.starter_stamps}"))
        out.append(Row(w.stamps_added, f"+{result.stamps_added}"))
        for reached in result.milestones:
            out.append(Text(w.milestone_reached.format(reward=reached.reward), bold=True))
        nxt: NextMilestone | None = result.next_milestone or (card.next_milestone if card else None)
        balance = result.balance if result.balance is not None else (card.balance if card else None)
        if balance is not None:
            label = w.progress.format(reward=nxt.reward, at=nxt.at) if nxt else ""
            out.append(Progress(balance, result.stamps_per_card, label))
            if nxt is not None and nxt.remaining > 0:
                out.append(Text(words.remaining(nxt.remaining, nxt.reward, locale)))
        if result.tier:
            out.append(Row(w.tier, result.tier, bold=True))
        # What the engine wrote with the sale (a surprise, a tier reached, what
        # keeps it, a birthday, stamps or coupons about to lapse): stored with
        # the sale, so a reprint says the same.
        out += [Text(line) for line in result.messages]
        for coupon in result.coupons:
            last_day = formats.local(coupon.expires, zone).date()
            out.append(Rule())
            out.append(Text(w.coupon.format(reward=coupon.reward), "center", bold=True))
            out.append(Text(w.valid_until.format(day=formats.day(last_day, locale)), "center"))
            out.append(Barcode(coupon.code))
    elif result.enrol_url:
        out.append(Rule())
        out.append(QR(result.enrol_url, words.enrol_caption(result.stamps_added, locale)))
        # Until when the customer can keep them: the day is in the claim token.
        claim_until = claims.token_last_day(result.claim_token)
        if claim_until is not None and result.stamps_added > 0:
            out.append(Text(w.claim_by.format(day=formats.day(claim_until, locale)), "center", bold=True))
    return out


def build_offline_receipt(
    *,
    shop_name: str,
    header_lines: Sequence[str] = (),
    footer_lines: Sequence[str] = (),
    card: str | None,
    amount: Decimal,
    at: datetime,
    reference: str,
    locale: str,
    zone: tzinfo,
    width_chars: int = DEFAULT_WIDTH,
    card_details: CardDetails = "masked",
) -> Receipt:
    """The receipt of a sale a till kept while the database was out of reach:
    the amount and the card (as ``card_details`` says), marked "stamps
    waiting for synchronisation" (the stamps and coupons are known once the
    sale is replayed), and the sale's reference (its idempotency key) for
    the owner."""
    w = words.words_for(locale)
    local = formats.local(at, zone)
    out: list[Element] = [Title(shop_name)]
    out += [Text(line, "center") for line in header_lines]
    out.append(Rule())
    out.append(
        Row(w.at.format(day=formats.day(local.date(), locale), time=formats.time_of_day(local, locale)), "")
    )
    out.append(Row(w.amount, formats.money(amount, locale), bold=True))
    if card is not None:
        out.append(Row(w.card, _card_number(card, card_details)))
    out.append(Rule())
    out.append(Text(f"*** {w.offline} ***", "center", bold=True))
    out.append(Text(w.offline_note, "center"))
    out.append(Text(reference, "center"))
    out.append(Rule())
    out += [Text(line, "center") for line in footer_lines]
    out.append(Cut())
    return Receipt(tuple(out), width_chars)


def _card_number(number: str, details: CardDetails) -> str:
    # Masked, a receipt left on a table does not let anyone use the card at
    # the till (a number typed in is as good as the card); the last digits
    # still tell the customer which card it was.
    return number if details == "full" else masked_card_number(number)


def build_test_receipt(
    shop_name: str,
    locale: str,
    width_chars: int = DEFAULT_WIDTH,
    *,
    header_lines: Sequence[str] = (),
    footer_lines: Sequence[str] = (),
) -> Receipt:
    """The page ``stampdesk print-test`` prints: the shop's header and footer
    as its receipts print them, accents, columns, a progress bar, a QR and a
    CODE128."""
    w = words.words_for(locale)
    ruler = "".join(str(i % 10) for i in range(1, width_chars + 1))
    return Receipt(
        (
            Title(shop_name),
            *(Text(line, "center") for line in header_lines),
            Text(w.test_title, "center", bold=True),
            Rule(),
            Text(w.test_accents),
            Text(f"{formats.money(Decimal('4.50'), locale)} · « » ’ — …"),
            Text(w.test_columns.format(n=width_chars)),
            Text(ruler),
            Row("<", ">"),
            Rule(),
            Progress(3, 10, w.test_progress),
            Rule(),
            Text(w.test_barcode, "center"),
            Barcode("TEST1234"),
            Text(w.test_qr, "center"),
            QR("https://stampdesk.example/print-test", "stampdesk"),
            *(Text(line, "center") for line in footer_lines),
            Cut(),
        ),
        width_chars,
    )


# --- Layout, shared by every renderer ---------------------------------------


@dataclass(frozen=True)
class Glyphs:
    """The characters a renderer draws the bar and the rules with."""

    filled: str = "■"
    empty: str = "□"
    rule: str = "-"


UNICODE = Glyphs()
ASCII = Glyphs("#", "-", "-")


@dataclass(frozen=True)
class Line:
    """One laid-out line: ``text`` holds no padding and is at most the width."""

    text: str
    align: Align = "left"
    bold: bool = False
    tall: bool = False  # printed double height (titles)

    def padded(self, width: int) -> str:
        """The line exactly ``width`` characters wide, aligned with spaces."""
        if self.align == "center":
            return self.text.center(width)
        if self.align == "right":
            return self.text.rjust(width)
        return self.text.ljust(width)


Block = Line | Barcode | QR | Feed | Cut


def _same(text: str) -> str:
    return text


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        if len(paragraph) <= width:
            lines.append(paragraph.rstrip())
        else:
            lines += textwrap.wrap(paragraph, width, break_long_words=True, break_on_hyphens=False) or [""]
    return lines


def bar(filled: int, total: int, glyphs: Glyphs = UNICODE) -> str:
    """The cells of a progress bar: one per stamp, scaled down past ``MAX_BAR_CELLS``.

    A card with stamps never shows an empty bar, and a card one stamp short
    never shows a full one.
    """
    total = max(total, 1)
    filled = min(max(filled, 0), total)
    cells = min(total, MAX_BAR_CELLS)
    shown = round(filled * cells / total)
    if filled > 0:
        shown = max(shown, 1)
    if filled < total:
        shown = min(shown, cells - 1)
    return glyphs.filled * shown + glyphs.empty * (cells - shown)


def layout(
    receipt: Receipt,
    *,
    width: int | None = None,
    glyphs: Glyphs = UNICODE,
    fold: Callable[[str], str] = _same,
) -> list[Block]:
    """The receipt as lines of at most ``width`` characters, codes and cuts.

    ``fold`` turns a text into what the renderer can draw (a printer's code
    page: "œ" → "oe"); it runs before measuring, so columns stay aligned.
    """
    width = width or receipt.width_chars
    out: list[Block] = []
    for element in receipt.elements:
        match element:
            case Title(text):
                out += [Line(t, "center", bold=True, tall=True) for t in _wrap(fold(text), width)]
            case Text(text, align, bold):
                out += [Line(t, align, bold) for t in _wrap(fold(text), width)]
            case Row(left, right, bold):
                out += _row(fold(left), fold(right), width, bold)
            case Rule():
                out.append(Line(glyphs.rule * width))
            case Progress(filled, total, label):
                cells = bar(filled, total, glyphs)
                head = f"{cells} {filled}/{total}"
                text = fold(label)
                dash = fold(" — ")
                if len(head) + len(dash) + len(text) <= width:
                    out.append(Line(f"{head}{dash}{text}" if text else head))
                else:
                    out += [Line(t) for t in _wrap(head, width)]
                    out += [Line(t) for t in _wrap(text, width)] if text else []
            case Barcode(data, _, caption):
                out.append(element)
                if caption:
                    out += [Line(t, "center") for t in _wrap(data, width)]
            case QR(data, caption):
                out.append(element)
                if caption:
                    out += [Line(t, "center") for t in _wrap(fold(caption), width)]
            case Feed() | Cut():
                out.append(element)
    return out


def _row(left: str, right: str, width: int, bold: bool) -> list[Line]:
    if len(left) + 1 + len(right) <= width:
        return [Line(left + " " * (width - len(left) - len(right)) + right, bold=bold)]
    # Too long for one line: the left column wraps, the right one closes the last line.
    lines = _wrap(left, width)
    last = lines[-1]
    if len(last) + 1 + len(right) <= width:
        lines[-1] = last + " " * (width - len(last) - len(right)) + right
        return [Line(t, bold=bold) for t in lines]
    return [Line(t, bold=bold) for t in lines] + [Line(t, "right", bold) for t in _wrap(right, width)]
