"""The card page with the full loyalty programme (examples/program-loyalty.toml):
the status tier and its perk, until when a grace period holds it, when the
stamps lapse, and what the card has to say; in French and in English, escaped."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from page_helpers import make_app, text_of

from helpers import LOYALTY_PROGRAM, Clock, make_desk, visit_weekly
from stampdesk.config import PagesSettings
from stampdesk.desk import Desk

PERK = "Café offert le mardi"


@contextmanager
def open_shop(sqlite_url: str, clock: Clock, program: str) -> Iterator[tuple[Desk, TestClient]]:
    desk = make_desk(sqlite_url, clock, pages=PagesSettings(rate_limit=0))
    desk.load_program_text(program)
    with TestClient(make_app(desk), base_url="https://cafe.example", follow_redirects=False) as client:
        yield desk, client
    desk.close()


@pytest.fixture
def loyalty(sqlite_url: str, clock: Clock) -> Iterator[tuple[Desk, TestClient]]:
    with open_shop(sqlite_url, clock, LOYALTY_PROGRAM.read_text()) as shop:
        yield shop


def gold_card(desk: Desk, clock: Clock) -> tuple[str, str]:
    """A regular who reached Gold at the 8th week and came a 9th (27/04/2026): number, page token."""
    number = desk.enrol(name="Ana", email="ana@example.org").number
    visit_weekly(desk, clock, number, 9)
    return number, desk.card_token(number)


def test_the_card_page_shows_the_tier_its_perk_and_when_the_stamps_lapse(
    loyalty: tuple[Desk, TestClient], clock: Clock
) -> None:
    desk, client = loyalty
    _, token = gold_card(desk, clock)
    page = client.get(f"/card/{token}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Niveau Gold" in text and f"Votre avantage : {PERK}" in text
    assert "garanti jusqu" not in text  # not in a grace period
    # 180 days after the last visit, in the short day of every surface.
    assert "Vos tampons restent valables jusqu'au 24/10/2026" in text
    english = text_of(client.get(f"/card/{token}?lang=en").text)
    assert "Gold status" in english and f"Your perk: {PERK}" in english
    assert "Your stamps stay valid until 24/10/2026" in english


def test_a_card_in_its_grace_period_says_until_when_and_what_keeps_it(
    loyalty: tuple[Desk, TestClient], clock: Clock
) -> None:
    desk, client = loyalty
    number, token = gold_card(desk, clock)
    clock.advance(days=41)  # the first visits leave the 90-day window: below Gold
    card = desk.card(number)
    assert card.tier == "Gold" and card.tier_until is not None
    [keep] = [m for m in card.messages if "pour rester Gold" in m]
    text = text_of(client.get(f"/card/{token}").text)
    day = card.tier_until.astimezone(desk.store.zone).strftime("%d/%m/%Y")  # short, as everywhere
    assert f"Votre niveau Gold est garanti jusqu'au {day}." in text
    assert keep in text


def test_stamps_about_to_lapse_are_announced_on_the_page(
    loyalty: tuple[Desk, TestClient], clock: Clock
) -> None:
    desk, client = loyalty
    number = desk.enrol(name="Léa").number
    desk.checkout(card=number, amount="5.00")  # 3 stamps, lapsing on 29/08/2026
    clock.advance(days=170)
    text = text_of(client.get(f"/card/{desk.card_token(number)}").text)
    assert "Vos 3 tampons expirent le 29/08/2026" in text
    assert "Niveau" not in text  # no tier reached: none shown


def test_the_tier_and_perk_are_escaped(sqlite_url: str, clock: Clock) -> None:
    program = LOYALTY_PROGRAM.read_text().replace(f'perk = "{PERK}"', 'perk = "<b>Café</b> & co"')
    with open_shop(sqlite_url, clock, program) as (desk, client):
        _, token = gold_card(desk, clock)
        page = client.get(f"/card/{token}").text
        assert "&lt;b&gt;Café&lt;/b&gt; &amp; co" in page and "<b>Café" not in page
