"""Snapshots of the till's main screens, in French and English, at 80×24.

Each test drives the real till on a real SQLite shop to a screen and
compares the picture with the one accepted in ``__snapshots__/`` (SVG,
viewable in a browser). A change of layout, wording or colour shows up as a
failed test with both pictures side by side in the report; once the new
picture is right, accept it with ``bash scripts/test tests/tui/test_tui_snapshots.py
--snapshot-update``.

Card numbers, coupon codes and the claim secret are random in a shop; here
they come from a seeded generator so that every run draws the same screen.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pilot_helpers import SIZE, settle, submit
from sqlalchemy import update
from textual.pilot import Pilot
from textual.widgets import Input

from helpers import EXAMPLE_PROGRAM, LOYALTY_PROGRAM, Clock, make_desk, visit_weekly
from stampdesk.desk import Desk
from stampdesk.domain import card_numbers, coupon_codes
from stampdesk.models import settings as settings_table
from stampdesk.tui.app import make_till

Snap = Callable[..., bool]
LOCALES = {"fr": ("fr_FR", "Europe/Paris"), "en": ("en_GB", "Europe/London")}


def seeded_desk(language: str, tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> Desk:
    """A shop in ``language`` whose random parts are seeded."""
    draw = random.Random(2026)
    seeded = SimpleNamespace(
        randbelow=draw.randrange, token_bytes=lambda n: draw.getrandbits(8 * n).to_bytes(n, "big")
    )
    monkeypatch.setattr(card_numbers, "secrets", seeded)
    monkeypatch.setattr(coupon_codes, "secrets", seeded)
    locale, zone = LOCALES[language]
    desk = make_desk(f"sqlite:///{tmp_path / 'shop.db'}", clock, locale=locale, timezone=zone, till="1")
    with desk.store.engine.begin() as conn:
        conn.execute(
            update(settings_table).where(settings_table.c.key == "claim_secret").values(value="5a" * 32)
        )
    return desk


@pytest.fixture(params=sorted(LOCALES))
def shop(
    request: pytest.FixtureRequest, tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Desk]:
    """The example shop with two customers, its random parts seeded."""
    desk = seeded_desk(request.param, tmp_path, clock, monkeypatch)
    desk.load_program_file(EXAMPLE_PROGRAM)
    ana = desk.enrol(name="Ana Martin", email="ana@example.org", notes="usual: flat white")
    desk.checkout(card=ana.number, amount="4.50")  # a milestone: one coupon to show
    desk.enrol(name="Bruno Lefort")
    yield desk
    desk.close()


def first_card(desk: Desk) -> str:
    return desk.search("Ana")[0].number


def steps(*actions: Callable[[Pilot[Any]], Awaitable[None]]) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """Run ``actions`` in turn, letting the till settle after each."""

    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for action in actions:
            await action(pilot)
            await settle(pilot)
        # A blinking cursor is drawn or not depending on when the picture is
        # taken, and a field's text may or may not be selected yet when its
        # focus came late: keep the cursor steadily on, at the text's end.
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
            field.action_end()
        await pilot.pause()

    return run


def test_the_till_waiting_for_a_scan(shop: Desk, snap_compare: Snap) -> None:
    assert snap_compare(make_till(shop), terminal_size=SIZE, run_before=steps())


def test_a_card_with_its_grid_note_coupon_and_quick_picks(shop: Desk, snap_compare: Snap) -> None:
    number = first_card(shop)

    async def scan(pilot: Pilot[Any]) -> None:
        await submit(pilot, number)

    assert snap_compare(make_till(shop), terminal_size=SIZE, run_before=steps(scan))


def test_a_sale_reaching_a_milestone(shop: Desk, snap_compare: Snap) -> None:
    number = shop.search("Bruno")[0].number  # 2 starter stamps: one more reaches the croissant

    async def sell(pilot: Pilot[Any]) -> None:
        await submit(pilot, number)
        await pilot.click("#pick-1")  # a flat white, 4.20
        await pilot.press("enter")

    assert snap_compare(make_till(shop), terminal_size=SIZE, run_before=steps(sell))


def test_a_walk_in_sale_with_its_enrolment_qr(shop: Desk, snap_compare: Snap) -> None:
    async def walk_in(pilot: Pilot[Any]) -> None:
        await pilot.press("f2")
        await submit(pilot, "6.80")

    assert snap_compare(make_till(shop), terminal_size=SIZE, run_before=steps(walk_in))


def test_the_owners_programme_editor(shop: Desk, snap_compare: Snap) -> None:
    async def owner(pilot: Pilot[Any]) -> None:
        await pilot.press("f9")  # no staff yet: no PIN to ask

    assert snap_compare(make_till(shop), terminal_size=SIZE, run_before=steps(owner))


def test_the_owners_staff_form(shop: Desk, snap_compare: Snap) -> None:
    async def staff(pilot: Pilot[Any]) -> None:
        await pilot.press("f9")  # the owner's screens (no staff yet: no PIN to ask)
        await settle(pilot)
        await pilot.press("f3")  # staff
        await settle(pilot)
        await pilot.press(*"Marc", "tab")  # the name typed, the role chosen next

    assert snap_compare(make_till(shop), terminal_size=SIZE, run_before=steps(staff))


def test_the_owners_dashboard(shop: Desk, snap_compare: Snap) -> None:
    async def dashboard(pilot: Pilot[Any]) -> None:
        await pilot.press("f9")  # the owner's screens (no staff yet: no PIN to ask)
        await settle(pilot)
        await pilot.press("f9")  # their dashboard

    assert snap_compare(make_till(shop), terminal_size=SIZE, run_before=steps(dashboard))


def test_the_pin_screen_once_staff_exist(shop: Desk, snap_compare: Snap) -> None:
    shop.add_staff("Marc", "owner", "4826")
    assert snap_compare(make_till(shop), terminal_size=SIZE, run_before=steps())


@pytest.fixture(params=sorted(LOCALES))
def loyalty_shop(
    request: pytest.FixtureRequest, tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Desk]:
    """The full loyalty programme: a Gold regular now in the grace period
    (its tier, perk, lapse date and what keeps the tier on the panel)."""
    desk = seeded_desk(request.param, tmp_path, clock, monkeypatch)
    desk.load_program_file(LOYALTY_PROGRAM)
    ana = desk.enrol(name="Ana Martin", email="ana@example.org")
    visit_weekly(desk, clock, ana.number, 9)
    clock.advance(days=48)  # the first visits left the 90-day window
    yield desk
    desk.close()


def test_a_gold_card_in_its_grace_period(loyalty_shop: Desk, snap_compare: Snap) -> None:
    number = first_card(loyalty_shop)

    async def scan(pilot: Pilot[Any]) -> None:
        await submit(pilot, number)

    assert snap_compare(make_till(loyalty_shop), terminal_size=SIZE, run_before=steps(scan))


def test_a_gold_card_in_its_grace_period_then_a_sale_on_it(loyalty_shop: Desk, snap_compare: Snap) -> None:
    number = first_card(loyalty_shop)

    async def sell(pilot: Pilot[Any]) -> None:
        await submit(pilot, number)
        await submit(pilot, "15.00")

    assert snap_compare(make_till(loyalty_shop), terminal_size=SIZE, run_before=steps(sell))
