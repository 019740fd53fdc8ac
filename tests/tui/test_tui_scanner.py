"""A rush hour on the real till (tmux, 80×24): a scanner types a card number
and Enter in one burst, the cashier types the amount right after; coupon
codes and sale numbers the same way. Every key must arrive, in order, in the
field it was typed for: every sale on its card with its amount, every coupon
used, every sale refunded — none lost, none doubled.

The keys go to the till's terminal exactly as a scanner sends them (one
write per burst), never through the app's own test hooks.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

import stampdesk
from helpers import EXAMPLE_PROGRAM, migrated_sqlite
from stampdesk.config import Settings
from stampdesk.tui.text import Text
from terminal import START_TIMEOUT, STEP_TIMEOUT, Tmux, till_command

ROUNDS = 50


def _shop(tmp_path: Path, cards: int) -> tuple[str, list[str]]:
    """A café with ``cards`` customers (the example programme)."""
    database = migrated_sqlite(tmp_path / "shop.db")
    with stampdesk.connect(settings=Settings(database=database, timezone="Europe/Paris")) as desk:
        desk.load_program_file(EXAMPLE_PROGRAM)
        numbers = [desk.enrol(name=f"Client {i}").number for i in range(cards)]
    return database, numbers


def _start(tmux: Tmux, database: str) -> None:
    tmux.start(till_command(database))
    ready = Text("fr_FR", "Europe/Paris")("hint.cleared")
    tmux.wait_for(lambda s: ready in s and "F7" in s, START_TIMEOUT, "the ready screen")


def _until(
    read: Callable[[], set[tuple[str, ...]]],
    wanted: set[tuple[str, ...]],
    what: str,
    tmux: Tmux,
    typed: list[tuple[str, ...]] | None = None,
) -> set[tuple[str, ...]]:
    """Poll the database until it holds every row ``wanted`` or stops changing
    (a failure says which were missing, and where they were in ``typed``)."""
    rows: set[tuple[str, ...]] = set()
    changed = time.monotonic()
    while time.monotonic() - changed < STEP_TIMEOUT:
        now = read()
        if now != rows:
            rows, changed = now, time.monotonic()
        if len(rows) >= len(wanted):
            return rows
        time.sleep(0.1)
    missing = sorted(wanted - rows)
    where = f" (typed {[typed.index(row) + 1 for row in missing]} of {len(typed)})" if typed else ""
    raise AssertionError(
        f"only {len(rows)} of {len(wanted)} {what}, missing {missing}{where}:\n{tmux.screen()}"
    )


def _sales(database: str) -> Callable[[], set[tuple[str, ...]]]:
    engine = create_engine(database)

    def read() -> set[tuple[str, ...]]:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT c.number, k.amount_cents FROM checkouts k JOIN cards c ON c.id = k.card_id")
            ).all()
        return {(number, str(Decimal(cents) / 100)) for number, cents in rows}

    return read


def _amount(rng: random.Random) -> tuple[str, str]:
    """An amount as a French cashier types it ("12,05"), and its value."""
    euros, cents = rng.randint(2, 80), rng.randint(0, 99)
    return f"{euros},{cents:02d}", str(Decimal(euros * 100 + cents) / 100)


@pytest.mark.parametrize("pause", [None, (0.1, 0.3)], ids=["one-burst", "human-pause"])
def test_every_scan_and_amount_typed_at_once_is_a_sale_on_its_card(
    tmp_path: Path, tmux: Tmux, pause: tuple[float, float] | None
) -> None:
    rng = random.Random(1651)
    database, cards = _shop(tmp_path, ROUNDS)
    _start(tmux, database)

    wanted = set()
    for number in cards:
        typed, value = _amount(rng)
        wanted.add((number, value))
        if pause is None:
            tmux.keys(f"{number}\r{typed}\r", literal=True)  # one write: the scan, then the amount
        else:
            tmux.keys(f"{number}\r", literal=True)
            time.sleep(rng.uniform(*pause))
            tmux.keys(f"{typed}\r", literal=True)

    recorded = _until(_sales(database), wanted, "sales", tmux)
    assert recorded == wanted
    time.sleep(0.5)  # nothing more arrives: no sale doubled
    assert _sales(database)() == wanted
    tmux.quit()


@pytest.mark.parametrize("pause", [None, (0.1, 0.3)], ids=["one-burst", "human-pause"])
def test_every_coupon_code_typed_at_once_is_used(
    tmp_path: Path, tmux: Tmux, pause: tuple[float, float] | None
) -> None:
    rng = random.Random(4052)
    database, cards = _shop(tmp_path, ROUNDS)
    with stampdesk.connect(database) as desk:
        # Starter stamps 2, the Croissant at 3: one sale gives each card its coupon.
        codes = [desk.checkout(card=n, amount="5.00").coupons[0].code for n in cards]
    _start(tmux, database)

    for code in codes:
        tmux.keys("F4", code, "Enter")  # one write: F4, the code, Enter
        if pause is not None:
            time.sleep(rng.uniform(*pause))

    engine = create_engine(database)

    def used() -> set[tuple[str, ...]]:
        with engine.connect() as conn:
            return {
                (c,) for c in conn.scalars(text("SELECT code FROM coupons WHERE redeemed_at IS NOT NULL"))
            }

    wanted = {(c,) for c in codes}
    assert _until(used, wanted, "coupons used", tmux, [(c,) for c in codes]) == wanted
    tmux.quit()


@pytest.mark.parametrize("pause", [None, (0.1, 0.3)], ids=["one-burst", "human-pause"])
def test_every_sale_number_typed_at_once_is_refunded(
    tmp_path: Path, tmux: Tmux, pause: tuple[float, float] | None
) -> None:
    rng = random.Random(7113)
    database, cards = _shop(tmp_path, ROUNDS)
    with stampdesk.connect(database) as desk:
        sales = [desk.checkout(card=n, amount="5.00").checkout for n in cards]
    _start(tmux, database)

    for sale in sales:
        # F5, the sale's number and Enter in one write; the refund is shown
        # before it is confirmed, and the cashier's Enter confirms it.
        tmux.keys("F5", str(sale), "Enter")
        if pause is not None:
            time.sleep(rng.uniform(*pause))
        tmux.keys("Enter")

    engine = create_engine(database)

    def refunded() -> set[tuple[str, ...]]:
        with engine.connect() as conn:
            return {
                (str(i),)
                for i in conn.scalars(text("SELECT id FROM checkouts WHERE refunded_at IS NOT NULL"))
            }

    wanted = {(str(s),) for s in sales}
    assert _until(refunded, wanted, "sales refunded", tmux, [(str(s),) for s in sales]) == wanted
    tmux.quit()
