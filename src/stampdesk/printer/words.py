"""What a receipt says, in French and in English: a view of the words book's
``receipt.…`` keys (``words/tables/receipt.py``). Money, days and times are
written by ``stampdesk.words.formats``, with plain spaces: a receipt line is
laid out in fixed columns and printed from a single-byte code page.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cache

from ..words import Book


@dataclass(frozen=True)
class Words:
    """The texts of a receipt in one language."""

    sale: str  # "Vente n° {number}"
    amount: str
    card: str
    customer: str  # "Client : {name}"
    stamps_added: str
    starter_stamps: str  # a printed card's first sale: the starter stamps it hands out
    progress: str  # "{reward} à {at}": the next milestone after the bar
    remaining_one: str  # "Encore 1 tampon pour : {reward}"
    remaining_many: str
    milestone_reached: str  # "Palier atteint : {reward}"
    tier: str  # the status tier's row: "Niveau" … "Gold"
    coupon: str  # "BON : {reward}"
    valid_until: str  # "valable jusqu'au {day}"
    enrol_none: str  # the walk-in's QR when the sale earned no stamp
    enrol_one: str
    enrol_many: str  # "Scannez pour garder vos {n} tampons"
    claim_by: str  # "À garder jusqu'au {day}": the walk-in's last day to keep them
    duplicate: str
    reprinted: str  # "Réimprimé le {day} à {time}"
    at: str  # "{day} {time}": the sale's date and time
    test_title: str
    test_accents: str
    test_columns: str
    test_qr: str
    test_barcode: str
    test_progress: str
    offline: str  # a sale kept by a till that could not reach the database
    offline_note: str


@cache
def words_for(locale: str) -> Words:
    """The texts for ``locale`` ("fr_FR", "en_GB"): the words book's ``receipt.…``
    keys, French for any "fr" locale, else English."""
    table = Book(locale).table
    return Words(**{f.name: table[f"receipt.{f.name}"] for f in fields(Words)})


def enrol_caption(stamps: int, locale: str) -> str:
    """What the walk-in's QR says: "Scannez pour garder vos 2 tampons" (singular for one)."""
    w = words_for(locale)
    if stamps <= 0:
        return w.enrol_none
    if stamps == 1:
        return w.enrol_one
    return w.enrol_many.format(n=stamps)


def remaining(stamps: int, reward: str, locale: str) -> str:
    """ "Encore 2 tampons pour : Croissant offert" / "2 more stamps to: …"."""
    w = words_for(locale)
    template = w.remaining_one if stamps == 1 else w.remaining_many
    return template.format(n=stamps, reward=reward)
