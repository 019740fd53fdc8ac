"""What a receipt says, in French and in English, and how it writes money and dates.

Money and dates go through Babel, so a French receipt reads "4,50 €" and an
English one "€4.50". Babel puts no-break spaces in amounts ("4,50\\u00a0€",
"1\\u202f234,50\\u00a0€"); a receipt line is laid out in fixed columns and
printed from a single-byte code page, so they become plain spaces here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal

from babel.dates import format_date, format_time
from babel.numbers import format_currency

# Spaces Babel uses inside numbers and amounts, printed as plain spaces.
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})


@dataclass(frozen=True)
class Words:
    """The texts of a receipt in one language."""

    sale: str  # "Vente n° {number}"
    amount: str
    card: str
    customer: str  # "Client : {name}"
    stamps_added: str
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


FRENCH = Words(
    sale="Vente n° {number}",
    amount="Montant",
    card="Carte",
    customer="Client : {name}",
    stamps_added="Tampons ajoutés",
    progress="{reward} à {at}",
    remaining_one="Encore 1 tampon pour : {reward}",
    remaining_many="Encore {n} tampons pour : {reward}",
    milestone_reached="Palier atteint : {reward}",
    tier="Niveau",
    coupon="BON : {reward}",
    valid_until="valable jusqu'au {day}",
    enrol_none="Scannez pour créer votre carte de fidélité",
    enrol_one="Scannez pour garder votre tampon",
    enrol_many="Scannez pour garder vos {n} tampons",
    duplicate="DUPLICATA",
    reprinted="Réimprimé le {day} à {time}",
    at="{day} {time}",
    test_title="TEST D'IMPRESSION",
    test_accents="Accents : àéèçùœ€ ÀÉÈÇÙŒ",
    test_columns="{n} colonnes",
    test_qr="QR : scannez-moi",
    test_barcode="Code-barres CODE128",
    test_progress="Croissant offert à 4",
    offline="TAMPONS EN ATTENTE DE SYNCHRONISATION",
    offline_note="Vos tampons seront ajoutés à votre carte dès le retour de la connexion.",
)

ENGLISH = Words(
    sale="Sale no. {number}",
    amount="Amount",
    card="Card",
    customer="Customer: {name}",
    stamps_added="Stamps added",
    progress="{reward} at {at}",
    remaining_one="1 more stamp to: {reward}",
    remaining_many="{n} more stamps to: {reward}",
    milestone_reached="Milestone reached: {reward}",
    tier="Status",
    coupon="COUPON: {reward}",
    valid_until="valid until {day}",
    enrol_none="Scan to get your loyalty card",
    enrol_one="Scan to keep your stamp",
    enrol_many="Scan to keep your {n} stamps",
    duplicate="DUPLICATE",
    reprinted="Reprinted on {day} at {time}",
    at="{day} {time}",
    test_title="PRINT TEST",
    test_accents="Accents: àéèçùœ€ ÀÉÈÇÙŒ",
    test_columns="{n} columns",
    test_qr="QR: scan me",
    test_barcode="CODE128 barcode",
    test_progress="Croissant offert at 4",
    offline="STAMPS WAITING FOR SYNCHRONISATION",
    offline_note="Your stamps will be added to your card as soon as the connection is back.",
)


def words_for(locale: str) -> Words:
    """The texts for ``locale`` ("fr_FR", "en_GB"); French for any "fr" locale, else English."""
    return FRENCH if locale.lower().startswith("fr") else ENGLISH


def money(amount: Decimal, locale: str, currency: str = "EUR") -> str:
    """``Decimal("4.50")`` as "4,50 €" (fr_FR) or "€4.50" (en_GB), with plain spaces."""
    return str(format_currency(amount, currency, locale=locale)).translate(_SPACES)


def local(moment: datetime, zone: tzinfo) -> datetime:
    """``moment`` in the shop's time zone (a naive time is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone)


def day(value: date, locale: str) -> str:
    """A day as the locale writes it in short: "22/01/2027" in fr_FR and en_GB."""
    return str(format_date(value, "short", locale=locale)).translate(_SPACES)


def time_of_day(moment: datetime, locale: str) -> str:
    """Hours and minutes: "14:05"."""
    return str(format_time(moment.time(), "short", locale=locale)).translate(_SPACES)


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
