"""The command line speaks the shop's language (config ``locale``): a French
shop reads French only, an English shop English only, amounts and days
written as on the till and the receipt; ``--json`` stays the same data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import stampdesk as engine
from helpers import LOYALTY_PROGRAM
from stampdesk.config import Settings
from stampdesk.domain.errors import StampdeskError
from stampdesk.words import Book, formats
from test_cli import Run, ok_json, stampdesk

PARIS = ZoneInfo("Europe/Paris")
# Words that give a language away in the lines a cashier reads.
ENGLISH = (
    "Card ",
    "Checkout",
    "Stamps",
    "stamps",
    " at 6",
    "valid until",
    "Coupon",
    "Tier",
    "refunded",
    "error",
)
FRENCH = ("Carte", "Vente", "tampon", " à ", "Bon", "valable", "Niveau", "remboursée", "erreur")


@dataclass(frozen=True)
class Shop:
    locale: str
    args: tuple[str, ...]  # --db and --config

    def run(self, *args: str) -> Run:
        run = stampdesk(*args, *self.args)
        assert run.status == 0 and run.err == "", run
        return run

    def json(self, *args: str) -> dict[str, object]:
        data: dict[str, object] = ok_json(*args, *self.args)
        return data


@pytest.fixture(params=["fr_FR", "en_GB"])
def shop(request: pytest.FixtureRequest, sqlite_url: str, tmp_path: Path) -> Shop:
    """A shop with the loyalty programme, in French or in English."""
    locale = request.param
    config = tmp_path / "stampdesk.toml"
    config.write_text(f'locale = "{locale}"\ntimezone = "Europe/Paris"\n', encoding="utf-8")
    settings = Settings(database=sqlite_url, timezone="Europe/Paris", locale=locale)
    with engine.connect(settings=settings) as desk:
        desk.load_program_file(LOYALTY_PROGRAM)
    return Shop(locale, ("--db", sqlite_url, "--config", str(config)))


def speaks_only(text: str, locale: str) -> None:
    foreign = ENGLISH if locale == "fr_FR" else FRENCH
    assert not [word for word in foreign if word in text], text


def day(iso: object, locale: str) -> str:
    return formats.day(datetime.fromisoformat(str(iso)), locale, PARIS)


def test_card_checkout_redeem_and_refund_in_the_shops_words(shop: Shop) -> None:
    fr = shop.locale == "fr_FR"
    money = Book(shop.locale).money
    # Twenty days ago: the croissant's coupon (30 days) ends within the 14 days' warning.
    start = (datetime.now(PARIS) - timedelta(days=20)).replace(hour=10, minute=0, second=0, microsecond=0)
    number = str(shop.json("enrol", "--name", "Ana", "--at", start.isoformat())["number"])
    sale_at = (start + timedelta(hours=1)).isoformat()
    sale = shop.run("checkout", "--card", number, "--amount", "12.50", "--at", sale_at).out
    data = shop.json("card", number)
    coupon = data["coupons"][0]  # type: ignore[index]
    code, expires = coupon["code"], day(coupon["expires"], shop.locale)
    speaks_only(sale, shop.locale)
    if fr:
        assert "12,50 €, carte " + number in sale
        assert "+2 tampons → 4/10 — Cookie offert à 6" in sale
        assert f"Bons à remettre :\n  {code}  Croissant offert — valable jusqu'au {expires}" in sale
    else:
        assert "€12.50, card " + number in sale
        assert "+2 stamps → 4/10 — Cookie offert at 6" in sale
        assert f"Coupons to hand over:\n  {code}  Croissant offert — valid until {expires}" in sale

    card = shop.run("card", number).out
    speaks_only(card, shop.locale)
    lapse = day(data["expires"], shop.locale)
    if fr:
        assert f"Carte {number} — Ana\n4/10 — Cookie offert à 6 (encore 2 tampons)" in card
        assert f"Les tampons expirent le {lapse} sans visite" in card
        assert f"Bon « Croissant offert » à utiliser avant le {expires}" in card
    else:
        assert f"Card {number} — Ana\n4/10 — Cookie offert at 6 (2 stamps to go)" in card
        assert f"Stamps lapse on {lapse} without a visit" in card
        assert f'Use your "Croissant offert" coupon by {expires}' in card

    big = shop.run("checkout", "--card", number, "--amount", "1234.50", "--key", "big").out
    assert money(Decimal("1234.50")) == ("1 234,50 €" if fr else "€1,234.50")
    assert money(Decimal("1234.50")) in big

    small = shop.run("checkout", "--card", number, "--amount", "1.00").out
    speaks_only(small, shop.locale)
    if fr:
        assert "Aucun tampon : les tampons commencent à 2,00 € d'achat." in small
    else:
        assert "No stamp: sales from €2.00 earn stamps." in small

    redeemed = shop.run("redeem", str(code)).out
    assert redeemed.strip() == (
        f"Bon {code} utilisé : Croissant offert (carte {number})"
        if fr
        else f"Coupon {code} used: Croissant offert (card {number})"
    )
    # The same key again: the big sale, replayed, to refund it.
    checkout = shop.json("checkout", "--card", number, "--amount", "1234.50", "--key", "big")["checkout"]
    refund = shop.run("refund", str(checkout)).out
    speaks_only(refund, shop.locale)
    if fr:
        assert refund.startswith(f"Vente n° {checkout} remboursée : 3 tampons en moins sur la carte {number}")
    else:
        assert refund.startswith(f"Checkout {checkout} refunded: took back 3 stamps on card {number}")


def test_the_report_in_the_shops_words(shop: Shop) -> None:
    fr = shop.locale == "fr_FR"
    shop.json("enrol", "--name", "Ana", "--at", "2026-03-01T10:00:00+01:00")
    shop.json("checkout", "--amount", "7.50", "--at", "2026-03-03T10:00:00+01:00")
    text = shop.run("report", "--from", "2026-03-01", "--to", "2026-03-30").out
    lines = text.splitlines()
    assert lines[0] == ("01/03/2026 → 30/03/2026 (30 jours)" if fr else "01/03/2026 → 30/03/2026 (30 days)")
    assert lines[-1].split() == (
        ["Inscriptions", "À", "la", "caisse", "1,", "QR", "du", "ticket", "0,", "Import", "0"]
        if fr
        else ["Enrolments", "At", "the", "till", "1,", "Receipt", "QR", "code", "0,", "Import", "0"]
    )
    assert ("7,50 €" if fr else "€7.50") in text
    assert ("Panier moyen sans carte" if fr else "Walk-ins' average basket") in text


def test_an_error_is_one_line_in_the_shops_words(shop: Shop, sqlite_url: str) -> None:
    run = stampdesk("card", "2900000000012", *shop.args)
    with engine.connect(sqlite_url) as desk, pytest.raises(StampdeskError) as raised:
        desk.card("2900000000012")
    said = Book(shop.locale).error(raised.value)
    prefix = "stampdesk : erreur : " if shop.locale == "fr_FR" else "stampdesk: error: "
    assert run.status == 1 and run.out == "" and run.err_lines == [prefix + said], run
    # --json keeps the English message of the HTTP API, whatever the shop's language.
    data = stampdesk("card", "2900000000012", "--json", *shop.args)
    assert data.json == {"error": {"code": raised.value.code, "message": raised.value.message}}


def test_json_is_the_same_data_in_every_language(shop: Shop) -> None:
    number = str(shop.json("enrol", "--name", "Ana")["number"])
    data = shop.json("card", number)
    assert data["progress"] == "2/10 — Croissant offert at 3"  # the JSON's field, as it always was
