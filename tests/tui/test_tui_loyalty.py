"""The loyalty rules on the till (examples/program-loyalty.toml): the status
tier with its perk, when the stamps lapse, what keeps a tier, and what a sale
says, a surprise above all. Pilot on an 80×24 terminal, a real SQLite shop."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pilot_helpers import SIZE, feedback, settle, shows, submit

from helpers import LOYALTY_PROGRAM, Clock, make_desk, visit_weekly
from stampdesk.desk import Desk
from stampdesk.tui.app import make_till
from stampdesk.tui.text import Text

pytestmark = pytest.mark.asyncio

SURPRISE = "Pour votre 4e visite, un tampon offert !"  # examples/program-loyalty.toml
PERK = "Café offert le mardi"


@pytest.fixture
def english_loyalty_desk(tmp_path: Path, clock: Clock) -> Iterator[Desk]:
    shop = make_desk(f"sqlite:///{tmp_path / 'english.db'}", clock, locale="en_GB", timezone="Europe/London")
    shop.load_program_file(LOYALTY_PROGRAM)
    yield shop
    shop.close()


def text_of(desk: Desk) -> Text:
    return Text(desk.settings.locale, desk.settings.zone)


async def test_the_fourth_visit_shows_its_surprise_to_the_cashier(loyalty_desk: Desk, clock: Clock) -> None:
    number = loyalty_desk.enrol(name="Ana Martin").number
    for _ in range(3):
        clock.advance(days=1)
        loyalty_desk.checkout(card=number, amount="5.00")
    clock.advance(days=1)
    app = make_till(loyalty_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit(pilot, number)
        assert not shows(app, SURPRISE)  # never announced before
        await submit(pilot, "5,00")
        assert shows(app, SURPRISE)
        assert feedback(app)[1].endswith("+2 tampons")  # the visit's stamp and the surprise's
    assert loyalty_desk.card(number).visits == 4


async def test_a_gold_card_shows_its_tier_perk_and_when_its_stamps_lapse(
    loyalty_desk: Desk, clock: Clock
) -> None:
    tr = text_of(loyalty_desk)
    number = loyalty_desk.enrol(name="Ana Martin").number
    visit_weekly(loyalty_desk, clock, number, 9)  # Gold at the 8th; 3 stamps on a new card at the 9th
    card = loyalty_desk.card(number)
    assert card.tier == "Gold" and card.balance == 3 and card.expires is not None
    app = make_till(loyalty_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit(pilot, number)
        assert shows(app, f"Niveau : Gold · Avantage : {PERK}")
        assert shows(app, "Les tampons expirent le 24/10/2026 sans visite")  # 180 days after 27/04
        assert tr.day(card.expires) == "24/10/2026"


async def test_a_card_in_its_grace_period_says_until_when_and_what_keeps_its_tier(
    loyalty_desk: Desk, clock: Clock
) -> None:
    number = loyalty_desk.enrol(name="Ana Martin").number
    visit_weekly(loyalty_desk, clock, number, 8)
    clock.advance(days=41)  # the first sale leaves the 90-day window: below Gold
    card = loyalty_desk.card(number)
    assert card.tier_until is not None
    [keep] = [m for m in card.messages if "pour rester Gold" in m]
    app = make_till(loyalty_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit(pilot, number)
        assert shows(app, f"Niveau : Gold jusqu'au {text_of(loyalty_desk).day(card.tier_until)}")
        assert shows(app, keep)


async def test_the_sale_that_reaches_gold_says_so_with_its_perk(loyalty_desk: Desk, clock: Clock) -> None:
    number = loyalty_desk.enrol(name="Ana Martin").number
    visit_weekly(loyalty_desk, clock, number, 7)
    assert loyalty_desk.card(number).tier == "Silver"
    clock.advance(days=7)
    app = make_till(loyalty_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit(pilot, number)
        assert shows(app, "Niveau : Silver")
        await submit(pilot, "15,00")
        assert shows(app, "Bienvenue au niveau Gold !")
        assert shows(app, f"Votre avantage Gold : {PERK}")
        assert shows(app, "Niveau : Gold")
        assert not shows(app, "Niveau : Silver")  # the panel follows the sale


async def test_an_english_till_shows_the_tier_and_lapse_date_in_english(
    english_loyalty_desk: Desk, clock: Clock
) -> None:
    number = english_loyalty_desk.enrol(name="Ana Martin").number
    visit_weekly(english_loyalty_desk, clock, number, 9)
    app = make_till(english_loyalty_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit(pilot, number)
        assert shows(app, f"Status: Gold · Perk: {PERK}")
        assert shows(app, "Stamps lapse on 24/10/2026 without a visit")
