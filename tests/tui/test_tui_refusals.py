"""Every refusal the engine gives at the till, said in the shop's language.

The same shop in French and in English: a card number nobody holds, one
with a wrong check digit, an amount that is not one, a coupon code that
cannot be one, one that does not exist, one already used, one expired, a
sale number that does not exist, a sale already refunded. For each, the
engine is asked directly first (what it refuses, with its code and values);
the till must show exactly that refusal in the book's words, in the shop's
language, and a French till no English word of it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from pilot_helpers import SIZE, feedback, settle, shows, submit

from helpers import Clock
from stampdesk.desk import Desk
from stampdesk.domain.card_numbers import check_digit
from stampdesk.domain.errors import StampdeskError
from stampdesk.tui.app import make_till
from stampdesk.words import Book

asyncio = pytest.mark.asyncio

# Words of the English refusals that a French till must never show.
ENGLISH = re.compile(
    r"\b(no|not|card|coupon|already|expired|used|refunded|amount|must|such|digit|checkout)\b", re.IGNORECASE
)


def refused(call: Callable[[], object]) -> StampdeskError:
    """What the engine says to ``call``."""
    with pytest.raises(StampdeskError) as caught:
        call()
    return caught.value


@pytest.mark.parametrize("shop", ["sqlite_desk", "english_desk"])
@asyncio
async def test_every_refusal_is_said_in_the_shops_language(
    shop: str, request: pytest.FixtureRequest, clock: Clock
) -> None:
    desk: Desk = request.getfixturevalue(shop)
    book = Book(desk.settings.locale, desk.store.zone)
    ana = desk.enrol(name="Ana Martin")
    used = desk.checkout(card=ana.number, amount="4.50").coupons[0]
    desk.redeem(used.code)
    bob = desk.enrol(name="Bob Petit")
    [expired] = desk.checkout(card=bob.number, amount="4.50").coupons  # never used: it will lapse
    refunded = desk.checkout(amount="3.00")
    desk.refund(refunded.checkout)
    clock.advance(days=400)
    unknown_card = "290000000000" + check_digit("290000000000")
    wrong_digit = unknown_card[:-1] + str((int(unknown_card[-1]) + 1) % 10)

    # (the key that opens the field or None, what is typed, what the engine says to it)
    cases = [
        (None, unknown_card, refused(lambda: desk.card(unknown_card))),
        (None, wrong_digit, refused(lambda: desk.card(wrong_digit))),
        ("f4", "XYZ", refused(lambda: desk.redeem("XYZ"))),
        ("f4", "QWERTYUP", refused(lambda: desk.redeem("QWERTYUP"))),
        ("f4", used.code, refused(lambda: desk.redeem(used.code))),
        ("f4", expired.code, refused(lambda: desk.redeem(expired.code))),
        ("f5", str(refunded.checkout + 900), refused(lambda: desk.refund_preview(refunded.checkout + 900))),
        ("f5", str(refunded.checkout), refused(lambda: desk.refund_preview(refunded.checkout))),
    ]
    codes = [error.code for _, _, error in cases]
    assert len(set(codes)) >= 6, codes  # as many different refusals, not one said eight ways

    app = make_till(desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key, typed, error in cases:
            await pilot.press("escape")
            await settle(pilot)
            if key:
                await pilot.press(key)
                await settle(pilot)
            await submit(pilot, typed)
            said = book.error(error)
            assert feedback(app) == ("error", said), (typed, error.code)
            assert shows(app, said)
            if book.french:
                assert not ENGLISH.search(said), said

        # An amount that is not one, on a card's sale.
        await pilot.press("escape")
        await submit(pilot, ana.number)
        await submit(pilot, "douze")
        said = book.error(refused(lambda: desk.checkout(card=ana.number, amount="douze")))
        assert feedback(app) == ("error", said)
        if book.french:
            assert not ENGLISH.search(said), said
