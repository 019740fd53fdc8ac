"""The owner's dashboard in the till (F9 on the owner's screens): the
report of the last 30 days on the constructed history of the report's
tests, in French and in English, at 80×24."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pilot_helpers import SIZE, screen_text, settle, shows
from textual.widgets import DataTable, Static

from helpers import report_history
from stampdesk.desk import Desk
from stampdesk.services.report import Week
from stampdesk.tui.app import TillApp, make_till
from stampdesk.tui.owner_text import OwnerText
from stampdesk.tui.screens.owner import OwnerScreen
from stampdesk.tui.screens.owner_dashboard import dashboard_view

asyncio = pytest.mark.asyncio
LOCALES = {"fr": ("fr_FR", "Europe/Paris"), "en": ("en_GB", "Europe/London")}


@pytest.fixture(params=sorted(LOCALES))
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Desk]:
    """February's two members, March's sales (the clock is on 31 March)."""
    locale, zone = LOCALES[request.param]
    desk = report_history(f"sqlite:///{tmp_path / 'shop.db'}", locale=locale, timezone=zone)
    yield desk
    desk.close()


def owner(app: TillApp) -> OwnerScreen:
    assert isinstance(app.screen, OwnerScreen), app.screen
    return app.screen


def footer_text(app: TillApp) -> str:
    return screen_text(app).splitlines()[-1]


@asyncio
async def test_f9_opens_the_dashboard_of_the_last_30_days(shop: Desk) -> None:
    tr = OwnerText(shop.settings.locale, shop.settings.zone)
    money = tr.money
    app = make_till(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")  # no staff: straight to the owner's screens
        await settle(pilot)
        assert "F9" in footer_text(app) and tr("key.dashboard") in footer_text(app)
        await pilot.press("f9")
        await settle(pilot)
        screen = owner(app)
        assert screen.tab == "dashboard"
        pane = screen.dashboard
        assert app.focused is pane
        report = pane.report
        assert report is not None
        assert (report.start.isoformat(), report.end.isoformat()) == ("2026-03-02", "2026-03-31")
        # What the owner reads first, without scrolling.
        assert shows(app, report.verdict)
        assert report.verdict.startswith("Les membres dépensent" if tr.locale == "fr_FR" else "Members spend")
        for line in (
            tr("dash.period", start="02/03/2026", end="31/03/2026", days=30).split(" · ")[0],
            tr(
                "dash.basket",
                members=money(Decimal("8.00")).replace("\u00a0", " "),
                walkins=money(Decimal("6.00")).replace("\u00a0", " "),
            ),
        ):
            assert shows(app, line), line
        # From 2 March: Ana's two sales and Chloé's one; three walk-ins.
        assert (report.checkouts_members, report.checkouts_walkins) == (3, 3)
        assert shows(app, tr("dash.repeat", rate="50,0 %" if tr.locale == "fr_FR" else "50.0%"))

        # The page scrolls down to the weeks, the coupons, the tables.
        await pilot.press("end")
        await settle(pilot)
        assert shows(app, tr("dash.top"))
        # The tables hold their words as text, never as markup to parse.
        top: DataTable[object] = pane.query_one("#dash-top", DataTable)
        assert top.row_count == 2
        assert list(map(str, top.get_row_at(0)[1:4])) == ["Ana", f"…{report.top_customers[0].card[-4:]}", "2"]
        cohorts: DataTable[object] = pane.query_one("#dash-cohorts", DataTable)
        # Months by name, in the shop's language.
        month = "février 2026" if tr.locale == "fr_FR" else "February 2026"
        february = next(
            row for row in map(cohorts.get_row_at, range(cohorts.row_count)) if str(row[0]) == month
        )
        assert str(february[2]).strip() == ("50,0 %" if tr.locale == "fr_FR" else "50.0%")
        assert "Martin" not in screen_text(app)  # first names only
        # Visits per week, drawn: the week of 2 March has 1 member's visit, 3 walk-ins'.
        pane.query_one("#dash-weeks", Static).scroll_visible(animate=False)
        await settle(pilot)
        lines = screen_text(app).splitlines()
        [week] = [line for line in lines if "02/03  █" in line]
        assert week.count("█") == 7 and week.count("▒") == 22  # 1 and 3 on a 22-column scale
        # The week of 30 March is cut by the period's end: marked, not read as a drop.
        assert any("30/03* " in line for line in lines)
        assert shows(app, tr("dash.partial_week"))

        # However large a week's count, its figure never runs into the next bar.
        big = replace(report, weeks=(Week(date(2026, 3, 2), 201, 67), Week(date(2026, 3, 9), 3, 200)))
        drawn = dashboard_view(big, tr).weeks.plain.splitlines()[1:3]
        assert drawn[0].startswith("02/03  ") and re.search(r"█ 201 +▒", drawn[0])
        assert re.search(r"▏ +3 +▒", drawn[1]) and drawn[1].endswith("▒ 200")  # 3 of 201: a thin mark


@asyncio
async def test_the_dashboard_opens_with_the_mouse_and_reloads_with_ctrl_r(shop: Desk) -> None:
    tr = OwnerText(shop.settings.locale, shop.settings.zone)
    app = make_till(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        await pilot.click("#--content-tab-dashboard")
        await settle(pilot)
        pane = owner(app).dashboard
        assert owner(app).tab == "dashboard" and pane.report is not None
        assert pane.report.checkouts_walkins == 3

        shop.checkout(amount="7.00")  # another till's walk-in: ^r reads it
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert pane.report.checkouts_walkins == 4
        assert shows(app, pane.report.verdict)
        assert tr("dash.loading") not in screen_text(app)


@asyncio
async def test_a_dashboard_that_cannot_be_read_says_so(shop: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    tr = OwnerText(shop.settings.locale, shop.settings.zone)

    def broken(*_: object) -> None:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(shop, "report", broken)
    app = make_till(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        pane = owner(app).dashboard
        assert pane.report is None
        detail = tr("till.unexpected", kind="RuntimeError", detail="database is locked")
        assert pane.verdict == tr("dash.failed", detail=detail)
        assert shows(app, tr("dash.failed", detail=detail))
        # The owner can still leave for the till.
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, OwnerScreen)


def test_the_till_starts_without_the_report() -> None:
    """The report's code is read when the dashboard opens, not when the
    till or the owner's screens load."""
    code = (
        "import sys, stampdesk.tui.app, stampdesk.tui.screens.owner\n"
        "report = ('stampdesk.services.report', 'stampdesk.report_formats')\n"
        "print(','.join(m for m in report if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
