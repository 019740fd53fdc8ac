"""The till, driven like a cashier drives it: Pilot on an 80×24 terminal,
a real SQLite shop behind it. Each test checks the shop's data through the
Desk *and* what the screen shows."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from pilot_helpers import (
    SIZE,
    burst,
    feedback,
    field,
    focused_id,
    screen_text,
    settle,
    shows,
    submit,
    type_text,
)

from helpers import EXAMPLE_PROGRAM
from stampdesk.desk import Desk
from stampdesk.domain.card_numbers import check_digit
from stampdesk.domain.errors import NotFound
from stampdesk.tui.app import make_till
from stampdesk.tui.scan import ScanGuard
from stampdesk.tui.screens.confirm import ConfirmScreen
from stampdesk.tui.screens.refund_part import RefundPartScreen
from stampdesk.tui.screens.till import Mode
from stampdesk.tui.text import Text
from stampdesk.tui.widgets import SearchResults
from stampdesk.tui.widgets.stamp_grid import grid_lines
from stampdesk.words import formats

pytestmark = pytest.mark.asyncio

MILESTONES = (3, 6, 10)  # examples/program.toml


def text_of(desk: Desk) -> Text:
    return Text(desk.settings.locale, desk.settings.zone)


class FakeTime:
    """A monotonic clock for the double-scan guard, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_scan_then_amount_stamps_the_card(sqlite_desk: Desk) -> None:
    tr = text_of(sqlite_desk)
    ana = sqlite_desk.enrol(name="Ana Martin", email="ana@example.org")
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert focused_id(app) == "card-input"
        assert app.till.title == "Café Bleu"  # the programme's name in the header

        await submit(pilot, ana.number, typed=True)  # digit by digit, as a scanner types
        assert app.till.mode is Mode.CARD
        assert focused_id(app) == "amount-input"
        shown = screen_text(app)
        assert tr("card.greeting", name="Ana Martin") in shown
        assert grid_lines(2, 10, MILESTONES)[0] in shown  # ● ● ☆ ○ …
        assert ana.card.progress.split(" at ")[0] in shown  # "2/10 — Croissant offert"

        await submit(pilot, "4,50", typed=True)
        card = sqlite_desk.card(ana.number)
        assert card.balance == 3
        assert len(card.coupons) == 1
        shown = screen_text(app)
        assert grid_lines(3, 10, MILESTONES)[0] in shown  # the milestone box is now filled
        assert tr.progress(3, 10, card.next_milestone) in shown
        assert tr("sale.milestone", reward="Croissant offert", at=3) in shown
        coupon = card.coupons[0]
        assert tr("sale.coupon", code=coupon.code, reward=coupon.reward, day=tr.day(coupon.expires)) in shown
        kind, message = feedback(app)
        assert kind == "success" and tr.count("added", 1) in message
        # Back to idle, ready for the next customer.
        assert app.till.mode is Mode.IDLE
        assert focused_id(app) == "card-input"
        assert field(app, "amount-input").value == ""


async def test_scanner_sending_tab_or_line_feed_submits(sqlite_desk: Desk) -> None:
    ana = sqlite_desk.enrol(name="Ana Martin")
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit(pilot, ana.number, key="tab", typed=True)
        assert app.till.mode is Mode.CARD and focused_id(app) == "amount-input"
        await submit(pilot, "3", key="ctrl+j", typed=True)
        assert sqlite_desk.card(ana.number).balance == 3


async def test_same_card_scanned_twice_within_two_seconds_is_not_stamped_twice(sqlite_desk: Desk) -> None:
    tr = text_of(sqlite_desk)
    ana = sqlite_desk.enrol(name="Ana Martin")
    app = make_till(sqlite_desk)
    time = FakeTime()
    app.guard = ScanGuard(clock=time)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit(pilot, ana.number)
        await submit(pilot, "4.50")
        assert sqlite_desk.card(ana.number).balance == 3

        # The scanner reads the card again at once: ignored, with a note.
        time.now += 0.8
        await submit(pilot, ana.number)
        assert feedback(app) == ("warning", tr("scan.repeat", number=ana.number))
        assert app.till.mode is Mode.IDLE
        assert focused_id(app) == "card-input" and field(app, "card-input").value == ""
        # Even an amount typed now stamps nothing: no card is selected.
        await submit(pilot, "4.50")
        assert sqlite_desk.card(ana.number).balance == 3

        # Two seconds later it is a new visit.
        time.now += 2.0
        await submit(pilot, ana.number)
        assert app.till.mode is Mode.CARD


async def test_a_retried_sale_is_recorded_once(sqlite_desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sale is written, then the connection drops before the answer: the
    cashier presses Enter again and the idempotency key replays the sale."""
    tr = text_of(sqlite_desk)
    ana = sqlite_desk.enrol(name="Ana Martin")
    real_checkout = sqlite_desk.checkout
    keys: list[object] = []

    def flaky_checkout(**kwargs: Any) -> object:
        keys.append(kwargs.get("idempotency_key"))
        result = real_checkout(**kwargs)
        if len(keys) == 1:
            raise ConnectionError("connection lost")
        return result

    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit(pilot, ana.number)
        monkeypatch.setattr(sqlite_desk, "checkout", flaky_checkout)
        await submit(pilot, "4.50")
        kind, message = feedback(app)
        assert kind == "error" and "ConnectionError" in message and "connection lost" in message
        assert focused_id(app) == "amount-input"  # the amount is still there: Enter again

        await pilot.press("enter")
        await settle(pilot)
        assert keys[0] is not None and keys == [keys[0], keys[0]]
        assert sqlite_desk.card(ana.number).balance == 3  # stamped once
        assert shows(app, tr("sale.replayed"))
        assert feedback(app)[0] == "success"


async def test_walk_in_sale_shows_the_enrol_link(sqlite_desk: Desk) -> None:
    tr = text_of(sqlite_desk)
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        assert app.till.mode is Mode.WALK_IN and focused_id(app) == "amount-input"
        await submit(pilot, "12.50")
        token = app.till.last_claim
        assert token is not None
        shown = screen_text(app)
        assert f"https://cafe.example/join/{token}" in shown
        assert tr("walk_in.keep", stamps=tr.stamps(2)) in shown  # 1 a visit + 1 per 10.00
        assert tr("walk_in.title", checkout=1, amount=tr.money(Decimal("12.50"))) in shown
        assert focused_id(app) == "card-input"


async def test_enrol_with_the_claim_token_of_a_walk_in(sqlite_desk: Desk) -> None:
    tr = text_of(sqlite_desk)
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await submit(pilot, "4.50")
        token = app.till.last_claim

        await pilot.press("f6")
        assert focused_id(app) == "enrol-name"
        assert field(app, "enrol-claim").value == token  # offered at once
        await submit(pilot, "Lea Dupont")
        assert focused_id(app) == "enrol-email"
        await submit(pilot, "lea@example.org")
        assert focused_id(app) == "enrol-marketing"  # asked, never ticked by Enter
        await pilot.press("enter")
        assert focused_id(app) == "enrol-claim"
        await pilot.press("enter")
        await settle(pilot)

        card = app.till.card
        assert card is not None and card.name == "Lea Dupont"
        assert sqlite_desk.card(card.number).balance == 3  # 2 starter stamps + the walk-in's 1
        shown = screen_text(app)
        assert tr("enrol.done", number=card.number, name="Lea Dupont") in shown
        assert tr("enrol.claimed", checkout=1, count=1) in shown
        # The new card is selected: the next amount goes on it.
        assert app.till.mode is Mode.CARD and focused_id(app) == "amount-input"
        assert app.till.last_claim is None


async def test_f6_offers_a_walk_ins_stamps_only_right_after_its_sale(sqlite_desk: Desk) -> None:
    tr = text_of(sqlite_desk)
    ana = sqlite_desk.enrol(name="Ana Martin")
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await submit(pilot, "12.50")  # a walk-in: 2 stamps to claim
        walk_in = app.till.last_checkout
        token = app.till.last_claim
        assert walk_in is not None and token is not None

        await pilot.press("f6")  # right after it: offered, and said which sale and how many stamps
        assert field(app, "enrol-claim").value == token
        assert shows(app, tr("enrol.offer", checkout=walk_in, stamps=tr.stamps(2)))

        # Any other action takes the offer back: the next customer's card
        # must not take this walk-in's stamps.
        for other in ("escape", "f4", "f5", "f3", "scan", "sale"):
            await pilot.press("f2")
            await submit(pilot, "12.50")
            assert app.till.last_claim is not None
            if other == "scan":
                await submit(pilot, ana.number)
            elif other == "sale":
                await submit(pilot, ana.number)
                await submit(pilot, "3.00")
            else:
                await pilot.press(other)
                await settle(pilot)
            await pilot.press("f6")
            assert field(app, "enrol-claim").value == "", other
            assert not shows(app, tr("enrol.offer", checkout=app.till.last_checkout, stamps=tr.stamps(2)))
            await pilot.press("escape")

        await pilot.press("f6")
        await submit(pilot, "Bruno Lefort")
        await submit(pilot, "")
        await submit(pilot, "")
        bruno = app.till.card
        assert bruno is not None and sqlite_desk.card(bruno.number).balance == 2  # starter stamps only
    # The first walk-in's customer can still claim their stamps from the receipt.
    assert sqlite_desk.enrol(name="Zoe", claim=token).claimed_stamps == 2


async def test_enrol_claim_accepts_the_printed_link(sqlite_desk: Desk) -> None:
    sale = sqlite_desk.checkout(amount="4.50")
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        await submit(pilot, "Zoe")
        await pilot.press("enter")
        await submit(pilot, str(sale.enrol_url))
        card = app.till.card
        assert card is not None and sqlite_desk.card(card.number).balance == 3


async def test_redeem_a_coupon_then_a_second_time_is_refused(sqlite_desk: Desk) -> None:
    tr = text_of(sqlite_desk)
    ana = sqlite_desk.enrol(name="Ana Martin")
    coupon = sqlite_desk.checkout(card=ana.number, amount="4.50").coupons[0]
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        assert focused_id(app) == "coupon-input"
        await submit(pilot, coupon.code.lower())
        assert feedback(app) == ("success", tr("redeem.done", code=coupon.code, reward="Croissant offert"))
        assert shows(app, tr("redeem.done", code=coupon.code, reward="Croissant offert"))
        assert sqlite_desk.card(ana.number).coupons == ()
        assert focused_id(app) == "card-input"

        await pilot.press("f4")
        await submit(pilot, coupon.code)
        kind, message = feedback(app)
        assert kind == "error" and "déjà utilisé" in message
        assert shows(app, message)
        assert focused_id(app) == "coupon-input"


async def test_refund_shows_the_sale_then_asks_for_confirmation(sqlite_desk: Desk) -> None:
    tr = text_of(sqlite_desk)
    ana = sqlite_desk.enrol(name="Ana Martin")
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit(pilot, ana.number)
        await submit(pilot, "4.50")
        coupon = sqlite_desk.card(ana.number).coupons[0]
        checkout = app.till.last_checkout
        assert checkout is not None
        sold = sqlite_desk.refund_preview(checkout).at

        await pilot.press("f5")
        assert field(app, "checkout-input").value == str(checkout)  # the last sale is offered
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        # What is about to be refunded: when, how much, whose, what goes.
        for line in (
            tr("refund.title", checkout=checkout),
            tr("refund.sale", when=tr.when(sold), amount=tr.money(Decimal("4.50"))),
            tr("refund.of_card", card=ana.number, name="Ana Martin"),
            tr("refund.takes", taken=tr.count("taken", 1), before=3, after=2, per_card=10),
            tr("refund.voids", codes=coupon.code),
        ):
            assert shows(app, line), line
        await pilot.press("escape")  # changed my mind
        await settle(pilot)
        assert feedback(app) == ("info", tr("refund.cancelled"))
        assert sqlite_desk.card(ana.number).balance == 3

        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await type_text(pilot, ana.number)  # a scan now is not an answer…
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert sqlite_desk.card(ana.number).balance == 3
        await pilot.press("enter")  # …a lone Enter is (the confirm button has the focus)
        await settle(pilot)
        assert sqlite_desk.card(ana.number).balance == 2
        shown = screen_text(app)
        assert tr("refund.done", checkout=checkout) in shown
        assert tr("refund.voided", codes=coupon.code) in shown
        assert feedback(app) == ("success", tr("refund.done", checkout=checkout))
        assert focused_id(app) == "card-input"


async def test_a_part_of_a_sale_is_refunded_by_picking_items_or_typing_an_amount(sqlite_desk: Desk) -> None:
    tr = text_of(sqlite_desk)
    ana = sqlite_desk.enrol(name="Ana Martin")  # 2
    sandwiches = [{"sku": "SANDWICH", "category": "food", "quantity": 2, "unit_price": "12.50"}]
    checkout = sqlite_desk.checkout(card=ana.number, amount="25.00", items=sandwiches).checkout  # 5
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await submit(pilot, str(checkout))
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("tab", "enter")  # "Part of it…", beside Refund
        await settle(pilot)
        assert isinstance(app.screen, RefundPartScreen)
        assert shows(app, tr("part.left", amount=tr.money(Decimal("25.00"))))
        await pilot.press("tab", "tab", "enter")  # Next, with nothing picked
        await settle(pilot)
        assert shows(app, tr("part.empty")) and isinstance(app.screen, RefundPartScreen)
        app.screen.query_one("#part-items").focus()
        await pilot.press("space", "tab", "enter")  # one sandwich given back
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        half = tr.money(Decimal("12.50"))
        for line in (
            tr("refund.title.part", checkout=checkout),
            tr("refund.part.items", items="1× SANDWICH", amount=half, kept=half),
            tr("refund.takes", taken=tr.count("taken", 1), before=5, after=4, per_card=10),
        ):
            assert shows(app, line), line
        assert sqlite_desk.card(ana.number).balance == 5  # nothing yet
        await pilot.press("enter")
        await settle(pilot)
        assert sqlite_desk.card(ana.number).balance == 4
        done = tr("refund.done.part", checkout=checkout, amount=half, kept=half)
        assert feedback(app) == ("success", done)

        # The rest, as an amount typed the shop's way.
        await pilot.press("f5")
        await submit(pilot, str(checkout))
        assert shows(app, tr("refund.rest", amount=half))
        await pilot.press("tab", "enter")
        await settle(pilot)
        await pilot.press("tab")  # from the items to the amount
        await submit(pilot, formats.typed(Decimal("12.50"), tr.locale))
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert sqlite_desk.card(ana.number).balance == 2
        assert feedback(app) == ("success", tr("refund.done", checkout=checkout))


@pytest.mark.parametrize("which", ["unknown", "refunded"])
async def test_a_sale_that_cannot_be_refunded_is_refused_before_any_question(
    sqlite_desk: Desk, which: str
) -> None:
    sale = sqlite_desk.checkout(amount="4.50")
    if which == "refunded":
        sqlite_desk.refund(sale.checkout)
    number = sale.checkout if which == "refunded" else sale.checkout + 517
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await submit(pilot, str(number))
        assert not isinstance(app.screen, ConfirmScreen)
        kind, message = feedback(app)
        assert kind == "error"
        assert ("déjà été remboursée" if which == "refunded" else str(number)) in message
        assert focused_id(app) == "checkout-input"


async def test_a_walk_in_refund_is_shown_as_such(sqlite_desk: Desk) -> None:
    tr = text_of(sqlite_desk)
    sale = sqlite_desk.checkout(
        amount="12.40", items=[{"sku": "SANDWICH", "category": "food", "quantity": 2, "unit_price": "6.20"}]
    )
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await submit(pilot, str(sale.checkout))
        assert isinstance(app.screen, ConfirmScreen)
        assert shows(app, tr("refund.items", items=f"2× SANDWICH {tr.money(Decimal('6.20'))}"))
        assert shows(app, tr("refund.of_walk_in"))
        assert shows(app, tr("refund.unclaimable", taken=tr.count("taken", 2)))


async def test_search_by_name_prefix_then_choose(sqlite_desk: Desk) -> None:
    tr = text_of(sqlite_desk)
    ana = sqlite_desk.enrol(name="Ana Martin")
    sqlite_desk.enrol(name="Marc Petit")
    sqlite_desk.enrol(name="Bruno Lefort")
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_text(pilot, "mar")
        await pilot.pause(0.3)  # the live search waits for typing to pause
        await settle(pilot)
        results = app.till.query_one(SearchResults)
        assert results.option_count == 2  # Ana MARtin and MARc Petit
        shown = screen_text(app)
        assert ana.number in shown and "Marc Petit" in shown
        assert "Bruno" not in shown

        await pilot.press("down")
        assert focused_id(app) == "results"
        first = results.get_option_at_index(0).id
        await pilot.press("enter")
        await settle(pilot)
        assert app.till.card is not None and app.till.card.number == first
        assert app.till.mode is Mode.CARD and focused_id(app) == "amount-input"

        # Enter on a search with a single match selects it at once.
        await pilot.press("escape")
        await submit(pilot, "bru")
        assert app.till.card is not None and app.till.card.name == "Bruno Lefort"
        assert shows(app, tr("card.greeting", name="Bruno Lefort"))


async def test_search_without_match_says_so(sqlite_desk: Desk) -> None:
    tr = text_of(sqlite_desk)
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await submit(pilot, "zzz")
        assert feedback(app) == ("warning", tr("search.none", query="zzz"))
        assert focused_id(app) == "card-input"


async def test_bad_amount_shows_the_message_and_keeps_the_card(sqlite_desk: Desk) -> None:
    ana = sqlite_desk.enrol(name="Ana Martin")
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit(pilot, ana.number)
        await submit(pilot, "12.345")
        kind, message = feedback(app)
        assert kind == "error" and "au plus deux décimales" in message
        assert shows(app, message)
        assert "Traceback" not in screen_text(app)
        assert focused_id(app) == "amount-input" and app.till.mode is Mode.CARD
        assert sqlite_desk.card(ana.number).balance == 2

        await pilot.press("backspace")  # the bad amount is selected: retype it
        await submit(pilot, "4.50")
        assert sqlite_desk.card(ana.number).balance == 3


async def test_unknown_card_and_wrong_check_digit(sqlite_desk: Desk) -> None:
    unknown = "290000000000" + check_digit("290000000000")
    mistyped = unknown[:12] + str((int(unknown[12]) + 1) % 10)
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit(pilot, unknown)
        kind, message = feedback(app)
        assert kind == "error" and f"carte {unknown} inconnue" in message
        assert shows(app, message)
        assert focused_id(app) == "card-input" and field(app, "card-input").value == ""
        assert app.till.mode is Mode.IDLE

        await submit(pilot, mistyped)
        kind, message = feedback(app)
        assert kind == "error" and "chiffre de contrôle faux" in message
        assert focused_id(app) == "card-input"


async def test_a_french_till_says_the_engines_errors_in_french(
    sqlite_desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    unknown = "290000000000" + check_digit("290000000000")

    def no_such_card(number: str) -> object:
        # As the engine says it with a code and its values.
        raise NotFound(code="unknown_card", number=number)

    monkeypatch.setattr(sqlite_desk, "card", no_such_card)
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit(pilot, unknown)
        kind, message = feedback(app)
        assert (kind, message) == ("error", f"carte {unknown} inconnue")
        assert shows(app, message)
        assert focused_id(app) == "card-input" and app.till.mode is Mode.IDLE


@pytest.mark.parametrize(
    ("desk_fixture", "typed", "shown"),
    [("sqlite_desk", "1234,50", "1 234,50 €"), ("english_desk", "1234.50", "€1,234.50")],
)
async def test_the_till_writes_a_sale_as_the_receipt_does(
    desk_fixture: str, typed: str, shown: str, request: pytest.FixtureRequest
) -> None:
    desk: Desk = request.getfixturevalue(desk_fixture)
    tr = text_of(desk)
    ana = desk.enrol(name="Ana Martin")
    app = make_till(desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit(pilot, ana.number)
        await submit(pilot, typed)
        assert feedback(app)[0] == "success"
        assert desk.card(ana.number).balance > ana.card.balance
        # "Vente n° 1 — 1 234,50 €": thousands apart, as on the receipt and the pages.
        assert shown in screen_text(app)
        assert tr.money(Decimal("1234.50")) == shown


async def test_daily_cap_reached_adds_no_stamp_with_a_note(sqlite_desk: Desk) -> None:
    tr = text_of(sqlite_desk)
    ana = sqlite_desk.enrol(name="Ana Martin")
    for _ in range(3):  # max_per_day = 3
        sqlite_desk.checkout(card=ana.number, amount="4.50")
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit(pilot, ana.number)
        await submit(pilot, "4.50")
        assert sqlite_desk.card(ana.number).balance == 5
        kind, message = feedback(app)
        assert kind == "warning" and tr("outcome.daily_cap", count=3) in message
        assert shows(app, tr("outcome.daily_cap", count=3))


async def test_a_sale_the_daily_cap_cut_says_why_it_earned_fewer_stamps(sqlite_desk: Desk) -> None:
    """A 25.00 sale earns 3 stamps (1 a visit, 1 per full 10.00); with 2
    already today and 3 a day at most it gets 1, and the till says why."""
    tr = text_of(sqlite_desk)
    ana = sqlite_desk.enrol(name="Ana Martin")
    for _ in range(2):
        sqlite_desk.checkout(card=ana.number, amount="4.50")
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit(pilot, ana.number)
        await submit(pilot, "25.00")
        assert sqlite_desk.card(ana.number).balance == 2 + 3
        assert shows(app, tr.count("added", 1))
        assert shows(app, tr("outcome.daily_cap.some", count=3))


async def test_a_sale_that_earns_nothing_below_the_cap_says_so_without_blaming_the_cap(
    sqlite_desk: Desk,
) -> None:
    """One stamp per full 10.00 and none a visit: a 4.50 sale earns nothing,
    and the card has had no stamp today. The till says the sale earns no
    stamp, not that the day's cap was reached."""
    tr = text_of(sqlite_desk)
    sqlite_desk.load_program(EXAMPLE_PROGRAM.read_text().replace("per_visit = 1 ", "per_visit = 0 "))
    ana = sqlite_desk.enrol(name="Ana Martin")
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit(pilot, ana.number)
        await submit(pilot, "4.50")
        assert sqlite_desk.card(ana.number).balance == 2  # the starter stamps alone
        kind, message = feedback(app)
        assert kind == "warning" and tr("sale.none") in message
        assert tr("outcome.daily_cap", count=3) not in message
        assert shows(app, tr("sale.none")) and not shows(app, tr("outcome.daily_cap", count=3))


async def test_a_failing_worker_shows_an_error_instead_of_crashing(
    sqlite_desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana = sqlite_desk.enrol(name="Ana Martin")

    def broken(number: str) -> object:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(sqlite_desk, "card", broken)
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit(pilot, ana.number)
        kind, message = feedback(app)
        assert kind == "error" and "RuntimeError" in message and "disk on fire" in message
        assert app.is_running
        assert focused_id(app) == "card-input"
        # The till still works for what does not need the broken call.
        await pilot.press("f2")
        await submit(pilot, "4.50")
        assert feedback(app)[0] == "success"


async def test_a_shop_without_programme_says_so(bare_desk: Desk) -> None:
    app = make_till(bare_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        kind, message = feedback(app)
        assert kind == "error" and "aucun programme n'est encore chargé" in message
        assert focused_id(app) == "card-input"
        await pilot.press("f2")
        await submit(pilot, "4.50")
        assert feedback(app)[0] == "error"
        assert focused_id(app) == "amount-input"


async def test_escape_goes_back_to_idle(sqlite_desk: Desk) -> None:
    ana = sqlite_desk.enrol(name="Ana Martin")
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit(pilot, ana.number)
        await type_text(pilot, "4.5")
        await pilot.press("escape")
        assert app.till.mode is Mode.IDLE and app.till.card is None
        assert focused_id(app) == "card-input"
        assert field(app, "amount-input").value == ""
        assert sqlite_desk.card(ana.number).balance == 2


async def test_a_slow_sale_still_reports_after_the_cashier_moved_on(
    sqlite_desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    tr = text_of(sqlite_desk)
    ana = sqlite_desk.enrol(name="Ana Martin")
    real_checkout = sqlite_desk.checkout
    gate = threading.Event()

    def slow_checkout(**kwargs: Any) -> object:
        gate.wait(10)  # the database is busy (another till holds the lock)
        return real_checkout(**kwargs)

    monkeypatch.setattr(sqlite_desk, "checkout", slow_checkout)
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit(pilot, ana.number)
        await burst(pilot, "4.50")
        await pilot.press("enter")
        await pilot.press("enter")  # impatient: a second Enter is not a second sale
        await pilot.press("escape")
        assert app.keys_waiting == 2  # kept, in order, until the sale is shown
        gate.set()
        await settle(pilot)
        assert app.keys_waiting == 0
        assert sqlite_desk.card(ana.number).balance == 3
        kind, message = feedback(app)
        assert kind == "success" and tr("sale.done", checkout=1) in message  # Escape kept it said
        assert app.till.mode is Mode.IDLE and focused_id(app) == "card-input"
        assert app.till.card is None


async def test_a_card_scanned_into_the_amount_field_selects_it(sqlite_desk: Desk) -> None:
    ana = sqlite_desk.enrol(name="Ana Martin")
    bruno = sqlite_desk.enrol(name="Bruno Lefort")
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit(pilot, ana.number)
        await submit(pilot, bruno.number)  # the next customer's card, not an amount
        assert app.till.card is not None and app.till.card.number == bruno.number
        assert sqlite_desk.card(ana.number).balance == 2


@pytest.mark.parametrize("desk_fixture", ["sqlite_desk", "english_desk"])
async def test_the_screen_fits_80_by_24(desk_fixture: str, request: pytest.FixtureRequest) -> None:
    desk: Desk = request.getfixturevalue(desk_fixture)
    tr = text_of(desk)
    ana = desk.enrol(name="Ana Martin")
    desk.checkout(card=ana.number, amount="4.50")  # a coupon to list
    app = make_till(desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lines = screen_text(app).split("\n")
        assert len(lines) == 24 and all(len(line) <= 80 for line in lines)
        footer = lines[-1]
        for key, description in [
            ("F2", "key.walk_in"),
            ("F3", "key.search"),
            ("F4", "key.redeem"),
            ("F5", "key.refund"),
            ("F6", "key.enrol"),
            ("keyname.escape", "key.clear"),  # "Esc" / "Échap", as the help says it
            ("^q", "key.quit"),
        ]:
            name = tr(key) if key.startswith("keyname.") else key
            assert f"{name} {tr(description)}" in footer
        assert "Café Bleu" in lines[0]
        assert (desk.settings.till or tr("till.default")) in lines[0]

        await submit(pilot, ana.number)
        await submit(pilot, "9.50")  # a second milestone-free sale with an outcome box
        panel = app.till.card_panel
        assert panel.max_scroll_y == 0  # card, coupons and outcome fit without scrolling
        screen = app.screen.region
        for widget in (app.till.feedback, field(app, "card-input"), panel):
            assert screen.contains_region(widget.region)


async def test_english_till_progress_is_the_engine_progress(english_desk: Desk) -> None:
    ana = english_desk.enrol(name="Ana Martin")
    app = make_till(english_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit(pilot, ana.number)
        shown = screen_text(app)
        assert "Hello Ana Martin!" in shown
        assert ana.card.progress in shown  # "2/10 — Croissant offert at 3"
        assert "front" in shown.split("\n")[0]  # the till's name in the header


async def test_the_card_shows_the_shops_note_on_the_customer(sqlite_desk: Desk) -> None:
    tr = text_of(sqlite_desk)
    ana = sqlite_desk.enrol(name="Ana Martin")
    sqlite_desk.set_notes(ana.number, "usual: flat white")
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit(pilot, ana.number)
        assert tr("card.notes", notes="usual: flat white") in screen_text(app)


def _items(desk: Desk) -> list[tuple[object, ...]]:
    from sqlalchemy import text

    with desk.store.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT sku, category, quantity, unit_price_cents FROM checkout_items ORDER BY id")
        ).all()
    return [tuple(r) for r in rows]


async def test_quick_picks_add_items_and_their_total(sqlite_desk: Desk) -> None:
    tr = text_of(sqlite_desk)
    ana = sqlite_desk.enrol(name="Ana Martin")
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.till.query_one("#picks").display  # no sale yet: no buttons
        await submit(pilot, ana.number)
        assert app.till.query_one("#picks").display
        # Each button says its price, as the till writes money.
        assert shows(app, f"Flat white {tr.money(Decimal('4.20'))}")
        await pilot.click("#pick-1")  # Flat white, with the mouse
        assert focused_id(app) == "amount-input"
        await pilot.press("f8")  # the keyboard way: F8, arrows, Space adds and stays…
        assert focused_id(app) == "pick-0"
        assert feedback(app) == ("info", tr("picks.keys"))
        await pilot.press("right", "right", "space")  # a croissant
        assert focused_id(app) == "pick-2"
        await pilot.press("left", "enter")  # …Enter adds a second flat white and goes back to the amount
        assert focused_id(app) == "amount-input"
        assert field(app, "amount-input").value == "9,80"  # French, as a cashier types it
        kind, message = feedback(app)
        assert "2× Flat white, 1× Croissant" in message and tr.money(Decimal("9.80")) in message
        await pilot.press("enter")  # Enter now records the sale (it added the item again before)
        await settle(pilot)
    assert _items(sqlite_desk) == [("FLAT-WHITE", "coffee", 2, 420), ("CROISSANT", "pastry", 1, 140)]
    card = sqlite_desk.card(ana.number)
    assert card.balance == 3  # 2 starter + 1 visit (9.80 is under the 10.00 step)


async def test_one_picked_item_comes_out_without_clearing_the_others(sqlite_desk: Desk) -> None:
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await pilot.press("f8", "space", "space", "right", "space")  # 2 espressos, 1 flat white
        assert field(app, "amount-input").value == "9,00"
        await pilot.press("left", "delete")  # one espresso out
        assert field(app, "amount-input").value == "6,60"
        kind, message = feedback(app)
        assert "1× Espresso, 1× Flat white" in message
        await pilot.press("delete", "delete")  # the last espresso; a third press changes nothing
        assert field(app, "amount-input").value == "4,20"
        await pilot.press("f8", "enter")
        await settle(pilot)
        assert feedback(app)[0] == "success"
    assert _items(sqlite_desk) == [("FLAT-WHITE", "coffee", 1, 420)]


async def test_an_amount_changed_after_picking_is_not_recorded_with_those_items(sqlite_desk: Desk) -> None:
    tr = text_of(sqlite_desk)
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await pilot.press("f8", "enter")  # one espresso: 2,40
        await submit(pilot, "10,00")  # the cashier types over it
        assert feedback(app) == ("warning", tr("picks.mismatch", total=tr.money(Decimal("2.40"))))
        assert app.till.last_checkout is None  # nothing recorded
        await pilot.press(*["backspace"] * 5)
        await submit(pilot, "2,40")
        assert feedback(app)[0] == "success"
    assert _items(sqlite_desk) == [("ESPRESSO", "coffee", 1, 240)]
    assert sqlite_desk.refund_preview(1).amount == Decimal("2.40")


async def test_f8_without_a_sale_says_what_to_do(sqlite_desk: Desk) -> None:
    tr = text_of(sqlite_desk)
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f8")
        assert feedback(app) == ("warning", tr("picks.none"))
        assert focused_id(app) == "card-input"


async def test_the_feedback_line_and_the_fields_shown_never_go_stale(sqlite_desk: Desk) -> None:
    tr = text_of(sqlite_desk)
    ana = sqlite_desk.enrol(name="Ana Martin")
    sqlite_desk.enrol(name="Anaïs Morel")
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit(pilot, ana.number)  # after a scan: not "ready: scan a card"
        assert feedback(app) == ("info", tr("card.ready", name="Ana Martin"))
        await pilot.press("escape")
        await submit(pilot, "ana", typed=True)  # two found…
        await pilot.press("down", "enter")  # …one chosen: not "2 found: ↓ to choose"
        await settle(pilot)
        chosen = app.till.card
        assert chosen is not None
        assert feedback(app) == ("info", tr("card.ready", name=chosen.name))
        await submit(pilot, "5,00")
        coupon = sqlite_desk.card(chosen.number).coupons[0].code

        await pilot.press("f4")
        await submit(pilot, coupon)
        # The coupon's result stays, its field goes: the focus is in the card field.
        assert shows(app, tr("redeem.done", code=coupon, reward="Croissant offert"))
        assert not shows(app, tr("placeholder.coupon"))
        assert focused_id(app) == "card-input"

        await pilot.press("f5")
        refund_row = app.till.query_one("#refund .till-row")
        assert refund_row.display
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")  # confirmed
        await settle(pilot)
        assert feedback(app)[0] == "success"
        assert not refund_row.display  # its result shows, its field no longer
        assert focused_id(app) == "card-input"


async def test_a_valid_coupon_shows_before_expired_ones_at_80_by_24(sqlite_desk: Desk, clock: Any) -> None:
    tr = text_of(sqlite_desk)
    margaux = sqlite_desk.enrol(name="Margaux Petit").number
    for amount in ("5.00", "12.00", "5.00"):  # 3: Croissant, 5, 6: Cookie
        sqlite_desk.checkout(card=margaux, amount=amount)
        clock.advance(days=1)
    sqlite_desk.adjust(margaux, 3, reason="paper card", staff="Léa")  # 9
    sqlite_desk.checkout(card=margaux, amount="5.00")  # 10: the coffee, a new cycle
    clock.advance(days=1)
    for amount in ("12.00", "5.00"):  # 3 again: another Croissant
        sqlite_desk.checkout(card=margaux, amount=amount)
        clock.advance(days=1)
    clock.advance(days=55)  # the first two have expired, the last two not yet
    sqlite_desk.checkout(card=margaux, amount="12.00")  # 5: nothing new
    clock.advance(days=4)  # now the coffee has expired too; only the last Croissant is valid
    card = sqlite_desk.card(margaux)
    assert [c.status for c in card.coupons] == ["valid", "expired", "expired", "expired"]
    valid = card.coupons[0]
    assert valid.reward == "Croissant offert"
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit(pilot, margaux)
        assert shows(app, tr("coupon.valid", code=valid.code, reward=valid.reward, day=tr.day(valid.expires)))
        shown = app.till.card_panel.plain
        assert shown.index(valid.code) < min(shown.index(c.code) for c in card.coupons[1:])


async def test_a_card_fuller_than_a_lowered_programme_reads_complete(sqlite_desk: Desk, clock: Any) -> None:
    tr = text_of(sqlite_desk)
    number = sqlite_desk.enrol(name="Ana Martin").number
    sqlite_desk.adjust(number, 7, reason="paper card", staff="Léa")  # 9 of 10
    lowered = EXAMPLE_PROGRAM.read_text(encoding="utf-8")
    lowered = lowered.replace("stamps_per_card = 10", "stamps_per_card = 8").replace("at = 10", "at = 8")
    sqlite_desk.load_program_text(lowered)
    assert sqlite_desk.card(number).progress == "complete — Un café offert at the next visit"
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit(pilot, number)
        assert shows(app, tr("progress.full", reward="Un café offert"))
        assert not shows(app, "9/8")


@pytest.mark.parametrize("language", ["fr", "en"])
async def test_a_printed_cards_first_sale_says_its_starter_stamps_and_the_visits(
    sqlite_desk: Desk, english_desk: Desk, language: str
) -> None:
    desk = sqlite_desk if language == "fr" else english_desk
    tr = text_of(desk)
    [number] = desk.issue_cards(1)
    app = make_till(desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await submit(pilot, number, typed=True)
        assert shows(app, tr("card.blank"))  # a new printed card earns, with its starter stamps
        await submit(pilot, "4,50" if language == "fr" else "4.50", typed=True)
        assert desk.card(number).balance == 3
        said = {
            "fr": "2 tampons de bienvenue + 1 pour cette visite — 3/10",
            "en": "2 starter stamps + 1 for this visit — 3/10",
        }[language]
        assert shows(app, said), screen_text(app)
        assert not shows(app, tr.count("added", 3))
        # Handed out: the card is no longer new.
        assert not shows(app, tr("card.blank")) and not shows(app, tr("card.status", status="blank"))
