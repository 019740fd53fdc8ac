"""The till of a chain whose link to PostgreSQL is cut: the cashier scans,
types the amount, and the sale is kept; the status line says how many wait,
and they are recorded once the link is back. Pilot, a real PostgreSQL behind
a real TCP relay that the test cuts."""

from __future__ import annotations

from pathlib import Path

import pytest
from pilot_helpers import SIZE, feedback, settle, shows, submit
from sqlalchemy.engine import make_url

from helpers import Clock, make_desk
from stampdesk.desk import Desk
from stampdesk.tui.app import make_till
from tcp_proxy import CuttableLink
from test_chain import CHAIN as PROGRAM

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres]


async def test_a_cut_link_keeps_the_till_selling_and_the_sales_come_back(
    pg_url: str, link: CuttableLink, clock: Clock, tmp_path: Path
) -> None:
    office = make_desk(pg_url, clock, offline=False)
    office.load_program_text(PROGRAM)
    number = office.enrol(name="Ana Martin").number
    other = office.enrol(name="Léa Petit").number
    proxied = make_url(pg_url).set(port=link.port).render_as_string(hide_password=False)
    till: Desk = make_desk(proxied, clock, offline=True, outbox=tmp_path / "outbox.db", till="gare-1")
    app = make_till(till)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        link.cut()
        await submit(pilot, number)
        kind, message = feedback(app)
        assert kind == "warning" and "Hors ligne" in message and number in message
        await submit(pilot, "3,20")
        kind, message = feedback(app)
        assert kind == "warning" and "tampons en attente de synchronisation" in message
        assert shows(app, "en attente de synchronisation : 1 vente(s)")
        await submit(pilot, other)
        await submit(pilot, "2,00")
        assert shows(app, "en attente de synchronisation : 2 vente(s)")
        assert till.waiting_sales() == 2
        link.restore()
        app.till.sync_outbox()
        await settle(pilot)
        assert shows(app, "Connexion rétablie : vente(s) gardée(s) enregistrée(s) : 2.")
    till.close()
    assert (office.card(number).balance, office.card(other).balance) == (2, 2)
    assert office.check().ok
    office.close()
