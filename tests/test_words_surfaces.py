"""One sale, every surface: a sale of 1234.50 that hands over a coupon, on a
real SQLite shop, read on the till, the receipt, the customer's card page,
the owner's report and the command line. Each writes the amount and the
coupon's last day the same way ("1 234,50 €" / "€1,234.50", "14/12/2026"):
the one formatter of ``stampdesk.words.formats``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import stampdesk as stampdesk_engine
from helpers import EXAMPLE_PROGRAM
from stampdesk.config import Settings
from stampdesk.desk import Desk
from stampdesk.printer.receipt import build_sale_receipt
from stampdesk.printer.render_text import render_text
from stampdesk.report_formats import report_text
from stampdesk.results import CheckoutResult
from stampdesk.tui.present import sale_lines
from stampdesk.tui.text import Text
from stampdesk.words import formats
from test_cli import stampdesk
from web_app import make_app

AMOUNT = {"fr_FR": "1 234,50 €", "en_GB": "€1,234.50"}
DAY = re.compile(r"\b\d\d/\d\d/\d{4}\b")


def plain(text: str) -> str:
    return formats.plain_spaces(text)


@pytest.fixture(params=["fr_FR", "en_GB"])
def sale(
    request: pytest.FixtureRequest, sqlite_url: str, tmp_path: Path
) -> Iterator[tuple[Desk, CheckoutResult, tuple[str, ...]]]:
    """The shop, its sale of 1234.50 on a new card (its croissant's coupon
    handed over), and the command line's options for the same shop."""
    locale = request.param
    # The real clock: the command line reads it too.
    settings = Settings(database=sqlite_url, timezone="Europe/Paris", locale=locale)
    desk = stampdesk_engine.connect(settings=settings)
    desk.load_program(EXAMPLE_PROGRAM)
    number = desk.enrol(name="Ana").number
    result = desk.checkout(card=number, amount="1234.50", idempotency_key="big-sale")
    assert result.coupons, "the sale hands over a coupon"
    config = tmp_path / "stampdesk.toml"
    config.write_text(f'locale = "{locale}"\ntimezone = "Europe/Paris"\n', encoding="utf-8")
    yield desk, result, ("--db", sqlite_url, "--config", str(config))
    desk.close()


def expected(desk: Desk, result: CheckoutResult) -> tuple[str, str]:
    locale = desk.settings.locale
    day = formats.day(result.coupons[0].expires, locale, desk.store.zone)
    assert DAY.fullmatch(day) and formats.money(Decimal("1234.50"), locale) == AMOUNT[locale]
    return AMOUNT[locale], day


def test_the_till(sale: tuple[Desk, CheckoutResult, tuple[str, ...]]) -> None:
    desk, result, _ = sale
    amount, day = expected(desk, result)
    text = plain("\n".join(sale_lines(result, None, Text(desk.settings.locale, desk.store.zone))))
    assert amount in text and day in text, text


def test_the_receipt(sale: tuple[Desk, CheckoutResult, tuple[str, ...]]) -> None:
    desk, result, _ = sale
    amount, day = expected(desk, result)
    receipt = build_sale_receipt(
        shop_name="Café Bleu",
        result=result,
        card=desk.card(str(result.card)),
        locale=desk.settings.locale,
        zone=desk.store.zone,
        now=datetime.now(desk.store.zone),
    )
    text = plain(" ".join(render_text(receipt).split()))
    assert amount in text and day in text, text


def test_the_card_page(sale: tuple[Desk, CheckoutResult, tuple[str, ...]]) -> None:
    """The card page shows no sale's amount: its coupon's last day."""
    desk, result, _ = sale
    _, day = expected(desk, result)
    with TestClient(make_app(desk), base_url="https://cafe.example") as client:
        page = client.get(f"/card/{desk.card_token(str(result.card))}")
    assert page.status_code == 200
    assert day in plain(page.text), page.text


def test_the_report(sale: tuple[Desk, CheckoutResult, tuple[str, ...]]) -> None:
    desk, result, _ = sale
    amount, _ = expected(desk, result)
    today = desk.store.local_day(desk.store.now())
    text = plain(report_text(desk.report(today, today), desk.settings.locale))
    assert amount in text, text
    first = formats.day(today, desk.settings.locale)
    assert text.startswith(f"{first} → {first}"), text


def test_the_command_line(sale: tuple[Desk, CheckoutResult, tuple[str, ...]]) -> None:
    desk, result, shop = sale
    amount, day = expected(desk, result)
    # The same key: the sale, replayed, as the command line tells it.
    replayed = stampdesk(
        "checkout", "--card", str(result.card), "--amount", "1234.50", "--key", "big-sale", *shop
    )
    assert replayed.status == 0, replayed
    assert amount in plain(replayed.out) and day in plain(replayed.out), replayed
    card = stampdesk("card", str(result.card), *shop)
    assert card.status == 0 and day in plain(card.out), card
