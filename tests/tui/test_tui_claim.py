"""F11 at the till: a customer who forgot their card at a sale comes back
with the receipt; the cashier scans the card, presses F11, scans the
receipt's QR code (or types its code), Enter: its stamps join the card, once.
Pilot on an 80×24 terminal, a real SQLite shop behind it, French and English."""

from __future__ import annotations

import pytest
from pilot_helpers import SIZE, feedback, field, focused_id, settle, shows, submit

from helpers import content
from stampdesk.desk import Desk
from stampdesk.domain.errors import InvalidInput, Refused
from stampdesk.tui.app import make_till
from stampdesk.tui.screens.till import Mode
from stampdesk.tui.text import Text

pytestmark = pytest.mark.asyncio


@pytest.fixture(params=["sqlite_desk", "english_desk"])
def shop(request: pytest.FixtureRequest) -> Desk:
    """The example shop, its till in French then in English."""
    desk: Desk = request.getfixturevalue(request.param)
    return desk


async def test_f11_adds_a_walk_in_receipt_to_the_card_on_screen_once(shop: Desk) -> None:
    tr = Text(shop.settings.locale, shop.settings.zone)
    lea = shop.enrol(name="Léa Martin")  # 2 starter stamps
    sale = shop.checkout(amount="12.50")  # a walk-in: 2 stamps on its receipt
    link = f"{shop.settings.public_url}join/{sale.claim_token}"
    app = make_till(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert shows(app, tr("idle.help").splitlines()[-2])  # the help lists F11
        await pilot.press("f11")  # no card on screen: nothing to add a receipt to
        await settle(pilot)
        assert feedback(app) == ("warning", tr("claim.no_card")) and app.till.mode is Mode.IDLE

        await submit(pilot, lea.number)
        await pilot.press("f11")
        await settle(pilot)
        assert app.till.mode is Mode.CLAIM and focused_id(app) == "claim-input"
        assert shows(app, tr("claim.for", number=lea.number, name="Léa Martin"))
        assert feedback(app) == ("info", tr("hint.claim"))

        await submit(pilot, link)  # the QR code's link, as the scanner reads it
        card = shop.card(lea.number)
        assert card.balance == 4
        added = tr.count("added", 2)
        assert feedback(app) == (
            "success",
            tr("claim.done", checkout=sale.checkout, number=lea.number, added=added),
        )
        # Back on the card, its new state and the coupon to hand over shown.
        assert app.till.mode is Mode.CARD and focused_id(app) == "amount-input"
        assert shows(app, tr("enrol.claimed", checkout=sale.checkout, count=2))
        [coupon] = card.coupons
        assert shows(
            app, tr("sale.coupon", code=coupon.code, reward=coupon.reward, day=tr.day(coupon.expires))
        )
        assert shows(app, tr.progress(4, 10, card.next_milestone))

        # The same receipt again: refused in the shop's words, nothing written.
        before = content(shop)
        await pilot.press("f11")
        await submit(pilot, sale.claim_token or "")
        kind, message = feedback(app)
        assert kind == "error"
        assert message == tr.error(Refused(code="already_claimed"))
        assert focused_id(app) == "claim-input"
        assert content(shop) == before

        # Escape leaves without adding anything.
        await pilot.press("escape")
        await settle(pilot)
        assert app.till.mode is Mode.IDLE


async def test_refusals_are_said_and_an_empty_field_asks_for_the_receipt(shop: Desk) -> None:
    tr = Text(shop.settings.locale, shop.settings.zone)
    lea = shop.enrol(name="Léa Martin")
    refunded = shop.checkout(amount="12.50")
    shop.refund(refunded.checkout)
    app = make_till(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit(pilot, lea.number)
        await pilot.press("f11")
        await submit(pilot, "")
        assert feedback(app) == ("warning", tr("claim.empty"))
        before = content(shop)
        refusals = (
            (refunded.claim_token or "", Refused(code="refunded")),
            ("not-a-receipt", InvalidInput(code="invalid_claim_token")),
        )
        for token, error in refusals:
            await submit(pilot, token)
            assert feedback(app) == ("error", tr.error(error))
        assert content(shop) == before
        # A card scanned into the receipt's field selects that card.
        other = shop.enrol(name="Bruno")
        await submit(pilot, other.number)
        assert app.till.mode is Mode.CARD and app.till.card is not None
        assert app.till.card.number == other.number
        assert field(app, "claim-input").value == ""
