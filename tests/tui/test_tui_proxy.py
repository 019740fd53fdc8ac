"""The owner's printer tab says what the receipt-printer plugin did today."""

from __future__ import annotations

from pathlib import Path

import pytest
from pilot_helpers import SIZE, settle

from helpers import EXAMPLE_PROGRAM, Clock, make_desk
from stampdesk.proxy.journal import Journal, default_folder
from stampdesk.tui.app import make_till
from stampdesk.tui.screens.owner import OwnerScreen

pytestmark = pytest.mark.asyncio


async def test_the_printer_tab_says_todays_receipts_from_the_plugin(tmp_path: Path, clock: Clock) -> None:
    # (Without a journal the line stays hidden: the printer tab's snapshots are unchanged.)
    desk = make_desk(f"sqlite:///{tmp_path / 'shop.db'}", clock, locale="en_GB")
    desk.load_program_file(EXAMPLE_PROGRAM)
    journal = Journal(default_folder(), desk.store.zone)
    journal.write(clock.now, "receipt", printed=True, checkout=1)
    journal.write(clock.now, "receipt", printed=False, reason="no_total")
    journal.write(clock.now, "receipt", printed=False, reason="refund")
    try:
        app = make_till(desk)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("f9")  # a shop without staff: no PIN to ask
            await settle(pilot)
            await pilot.press("f5")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, OwnerScreen) and screen.tab == "printer"
            assert screen.printer.proxy_line == (
                "Receipt plugin today — receipts: 3, sales: 1, unchanged: 2\n"
                "Unchanged: no total found (1), a refund (1)"
            )
    finally:
        desk.close()
