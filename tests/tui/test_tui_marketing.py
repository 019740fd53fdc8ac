"""The till's enrolment asks about marketing e-mails with a box of its own:
unticked for every customer, ticked only with Space (an Enter moves on),
recorded as given at the till; without an e-mail, refused and the cashier
is led back to the e-mail field."""

from __future__ import annotations

import pytest
from pilot_helpers import SIZE, feedback, focused_id, settle, shows, submit

from stampdesk.desk import Desk
from stampdesk.tui.app import make_till
from stampdesk.tui.text import Text
from stampdesk.tui.widgets.plain import PlainCheckbox

pytestmark = pytest.mark.asyncio


def box(app: object) -> PlainCheckbox:
    return app.till.query_one("#enrol-marketing", PlainCheckbox)  # type: ignore[attr-defined, no-any-return]


async def test_enrolling_with_enter_through_the_form_leaves_consent_off(sqlite_desk: Desk) -> None:
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        await submit(pilot, "Ana Martin")
        await submit(pilot, "ana@example.org")
        assert focused_id(app) == "enrol-marketing" and box(app).value is False
        await submit(pilot, "")  # Enter on the question: on to the receipt, unticked
        assert focused_id(app) == "enrol-claim" and box(app).value is False
        await submit(pilot, "")
        card = app.till.card
        assert card is not None and card.name == "Ana Martin"
    assert sqlite_desk.card(card.number).marketing is False


async def test_space_ticks_the_box_and_the_consent_is_recorded_at_the_till(sqlite_desk: Desk) -> None:
    tr = Text(sqlite_desk.settings.locale, sqlite_desk.settings.zone)
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        assert shows(app, tr("enrol.marketing_box"))
        await submit(pilot, "Ana Martin")
        await submit(pilot, "ana@example.org")
        await pilot.press("space")
        assert box(app).value is True
        await pilot.press("enter")
        await submit(pilot, "")
        card = app.till.card
        assert card is not None and card.marketing is True
        assert shows(app, tr("enrol.marketing"))
        customer = sqlite_desk.export(card.number)["customer"]
        assert customer["marketing"] is True and customer["marketing_source"] == "till"

        # The next customer is asked anew: the box is unticked again.
        await pilot.press("f6")
        assert box(app).value is False
        await submit(pilot, "Léo Dupont")
        await submit(pilot, "")  # no e-mail: nothing to ask, straight to the receipt
        assert focused_id(app) == "enrol-claim"
        await submit(pilot, "")
        leo = app.till.card
        assert leo is not None and leo.name == "Léo Dupont" and leo.marketing is False


async def test_a_ticked_box_without_an_e_mail_is_refused_and_leads_back_to_the_e_mail(
    sqlite_desk: Desk,
) -> None:
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        await submit(pilot, "Ana Martin")
        await submit(pilot, "")
        await pilot.press("shift+tab")  # back up to the question, by hand
        assert focused_id(app) == "enrol-marketing"
        await pilot.press("space", "enter")
        await submit(pilot, "")
        kind, message = feedback(app)
        assert kind == "error" and "e-mail" in message
        assert focused_id(app) == "enrol-email"
    assert sqlite_desk.search("Ana") == ()
