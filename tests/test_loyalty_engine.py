"""The loyalty rules in the engine, on a SQLite file and on PostgreSQL:
expiry, status tiers and their grace, multipliers, surprises, referral,
birthdays, category bonuses, refunds that undo them, programme changes
that take nothing away, and the shop's clock across a daylight-saving change."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from helpers import LOYALTY_PROGRAM, Clock, make_desk
from stampdesk import NotFound, Refused
from stampdesk.desk import Desk
from stampdesk.models import ledger

LOYALTY = LOYALTY_PROGRAM.read_text(encoding="utf-8")
# The same, without the daily cap, where a test counts multiplied stamps.
UNCAPPED = LOYALTY.replace("max_per_day = 3", "max_per_day = 20")


@pytest.fixture
def shop(db_url: str, clock: Clock) -> Iterator[Desk]:
    desk = make_desk(db_url, clock)
    desk.load_program_text(LOYALTY)
    yield desk
    desk.close()


def next_day(clock: Clock, days: int = 1) -> None:
    clock.advance(days=days)


def kinds(desk: Desk, number: str) -> list[tuple[str, int]]:
    with desk.store.read() as conn:
        from stampdesk.models import cards

        card_id = conn.execute(select(cards.c.id).where(cards.c.number == number)).scalar_one()
        return [
            (r.kind, r.stamps)
            for r in conn.execute(select(ledger).where(ledger.c.card_id == card_id).order_by(ledger.c.id))
        ]


# ----------------------------------------------------------------------
# Surprises


def test_the_fourth_visit_brings_its_surprise_and_nothing_announces_it_before(
    shop: Desk, clock: Clock
) -> None:
    number = shop.enrol(name="Ana").number  # 2 starter stamps
    for _visit in (1, 2, 3):
        next_day(clock)
        result = shop.checkout(card=number, amount="5.00")
        assert result.stamps_added == 1
        assert not any("4e visite" in line for line in result.messages)
        assert "4e visite" not in str(shop.card(number).to_dict())
        assert "4e visite" not in str(shop.program().to_dict().get("name"))
    next_day(clock)
    fourth = shop.checkout(card=number, amount="5.00")
    assert fourth.stamps_added == 2  # 1 earned + 1 surprise
    assert "Pour votre 4e visite, un tampon offert !" in fourth.messages
    assert fourth.balance == 2 + 3 + 2
    assert ("surprise", 1) in kinds(shop, number)
    assert shop.card(number).visits == 4
    # Read back (a reprint, an idempotent retry), the sale says the same.
    assert shop.sale(fourth.checkout).stamps_added == 2

    # A refund of the 4th visit takes the surprise back; the next visit is the 4th again.
    back = shop.refund(fourth.checkout)
    assert back.stamps == -2 and back.balance == 5
    next_day(clock)
    again = shop.checkout(card=number, amount="5.00")
    assert again.stamps_added == 2 and "Pour votre 4e visite, un tampon offert !" in again.messages
    next_day(clock)
    assert shop.checkout(card=number, amount="5.00").stamps_added == 1  # the 5th: nothing more
    assert shop.check().ok


def test_gifts_are_not_capped_by_max_per_day(shop: Desk) -> None:
    number = shop.enrol(name="Ana").number
    for _ in range(3):
        shop.checkout(card=number, amount="5.00")  # 3 stamps: the day's cap
    fourth = shop.checkout(card=number, amount="5.00")
    assert fourth.stamps_added == 1  # no earned stamp left today, but the surprise
    assert "Pour votre 4e visite, un tampon offert !" in fourth.messages


def test_a_sale_below_the_minimum_is_not_a_visit(shop: Desk, clock: Clock) -> None:
    number = shop.enrol(name="Ana").number
    shop.checkout(card=number, amount="1.50")
    assert shop.card(number).visits == 0


# ----------------------------------------------------------------------
# Category bonus and multipliers


def test_a_sale_with_a_pastry_earns_its_category_bonus(shop: Desk) -> None:
    number = shop.enrol(name="Ana").number
    result = shop.checkout(
        card=number,
        amount="5.00",
        items=[{"sku": "CROISSANT", "category": "Pastry", "quantity": 2, "unit_price": "1.40"}],
    )
    assert result.stamps_added == 2  # 1 for the visit + 1 for the pastry (once a sale)


def test_quiet_hours_double_the_visit_and_amount_stamps(db_url: str, clock: Clock) -> None:
    clock.advance(days=1)
    desk = make_desk(db_url, clock)
    desk.load_program_text(UNCAPPED)
    number = desk.enrol(name="Ana", at="2026-03-02T08:00:00Z").number
    # Monday 2 March 2026, 15:00 in Paris (UTC+1) is in the quiet hours.
    quiet = desk.checkout(card=number, amount="12.00", at="2026-03-02T14:00:00+00:00")
    busy = desk.checkout(card=number, amount="12.00", at="2026-03-02T16:30:00+00:00")  # 17:30
    assert (quiet.stamps_added, busy.stamps_added) == (4, 2)
    desk.close()


def test_quiet_hours_follow_the_shops_clock_across_the_daylight_saving_change(
    db_url: str, clock: Clock
) -> None:
    clock.advance(days=40)  # now is in April: March's sales are history
    desk = make_desk(db_url, clock)
    desk.load_program_text(UNCAPPED)
    number = desk.enrol(name="Ana", at="2026-03-01T10:00:00+01:00").number
    # 12:30 UTC is 13:30 in Paris before the change (29 March), 14:30 after.
    winter = desk.checkout(card=number, amount="5.00", at="2026-03-24T12:30:00Z")
    summer = desk.checkout(card=number, amount="5.00", at="2026-03-31T12:30:00Z")
    assert (winter.stamps_added, summer.stamps_added) == (1, 2)
    # The same wall-clock time on both sides of the change is quiet.
    assert desk.checkout(card=number, amount="5.00", at="2026-03-31T15:00:00+02:00").stamps_added == 2
    fourth = desk.checkout(card=number, amount="5.00", at="2026-04-01T15:00:00+02:00")
    assert fourth.stamps_added == 2 + 1  # and the 4th visit's surprise
    desk.close()


# ----------------------------------------------------------------------
# Status tiers


@pytest.fixture
def regular(db_url: str, clock: Clock) -> Iterator[tuple[Desk, str, list[int]]]:
    """A customer who came every week for 8 weeks, 15.00 each time (Gold at the 8th)."""
    desk = make_desk(db_url, clock)
    desk.load_program_text(UNCAPPED)
    number = desk.enrol(name="Ana").number
    sales = []
    for week in range(8):
        if week:
            clock.advance(days=7)
        sales.append(desk.checkout(card=number, amount="15.00"))
    yield desk, number, [s.checkout for s in sales]
    desk.close()


def test_a_tier_is_reached_as_soon_as_both_criteria_hold_and_multiplies(
    regular: tuple[Desk, str, list[int]], clock: Clock
) -> None:
    desk, number, sales = regular
    results = [desk.sale(s) for s in sales]
    assert [r.tier for r in results] == [None, None, None, "Silver", "Silver", "Silver", "Silver", "Gold"]
    assert "Bienvenue au niveau Silver !" in results[3].messages
    assert "Bienvenue au niveau Gold !" in results[7].messages
    assert "Votre avantage Gold : Café offert le mardi" in results[7].messages
    # 15.00 earns 2 stamps; at Gold, doubled.
    assert results[6].stamps_added == 2 and results[7].stamps_added == 4
    card = desk.card(number)
    assert (card.tier, card.tier_until, card.perk) == ("Gold", None, "Café offert le mardi")
    assert card.to_dict()["tier"] == "Gold"


def test_the_highest_multiplier_wins_never_the_product(
    regular: tuple[Desk, str, list[int]], clock: Clock
) -> None:
    desk, number, _ = regular
    # A Gold customer (x2) in the quiet hours (x2): x2. Monday 27 April 2026, 15:00 Paris.
    clock.advance(days=7, hours=5)  # Monday 27 April 2026, 15:00 in Paris (UTC+2)
    assert clock().astimezone(desk.store.zone).strftime("%a %H:%M") == "Mon 15:00"
    assert desk.checkout(card=number, amount="15.00").stamps_added == 4


def test_falling_below_a_tier_gives_a_grace_period_then_drops_one_level(
    regular: tuple[Desk, str, list[int]], clock: Clock
) -> None:
    desk, number, _ = regular
    first_sale_day = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    # Day 90 after the first sale: it leaves the 90-day window; 7 visits, 105.00.
    clock.advance(days=90 - 49)
    card = desk.card(number)
    assert card.tier == "Gold"
    assert card.tier_until is not None
    last = card.tier_until.astimezone(desk.store.zone).date()
    assert last == (first_sale_day + timedelta(days=119)).date()
    keep = [m for m in card.messages if "pour rester Gold" in m]
    # On 29/06, only the sales of the last 90 days count: 3 of them, 45.00.
    assert keep == ["5 visites et 75,00 € d'achats pour rester Gold d'ici le 29/06/2026"]
    # A sale in the grace period that does not restore the tier says what keeps it.
    sale = desk.checkout(card=number, amount="5.00")  # 8 visits, but 110.00
    assert sale.tier == "Gold"
    assert any("pour rester Gold" in m for m in sale.messages)
    desk.refund(sale.checkout)
    # After the grace period: one level down, with a new grace (below Silver too).
    clock.advance(days=30)
    card = desk.card(number)
    assert card.tier == "Silver" and card.tier_until is not None
    clock.advance(days=31)
    assert desk.card(number).tier is None


def test_a_refunded_visit_does_not_count_for_the_tier(regular: tuple[Desk, str, list[int]]) -> None:
    desk, number, sales = regular
    desk.refund(sales[-1])
    card = desk.card(number)
    assert card.tier == "Silver"  # never Gold without that visit
    assert card.visits == 7


def test_a_new_programme_version_takes_no_tier_stamp_or_coupon_away(
    regular: tuple[Desk, str, list[int]], clock: Clock
) -> None:
    desk, number, _ = regular
    before = desk.card(number)
    harder = UNCAPPED.replace('min_visits = 8\nmin_spend = "120.00"', 'min_visits = 20\nmin_spend = "500.00"')
    assert harder != UNCAPPED
    clock.advance(hours=1)
    desk.load_program_text(harder)
    after = desk.card(number)
    assert after.tier == "Gold"  # kept, with the grace period's warning
    assert (after.balance, after.cycle, after.coupons) == (before.balance, before.cycle, before.coupons)


# ----------------------------------------------------------------------
# Referral


def test_referral_stamps_come_at_the_friends_first_qualifying_sale_once(shop: Desk, clock: Clock) -> None:
    ana = shop.enrol(name="Ana").number
    ben = shop.enrol(name="Ben", referrer=ana).number
    assert shop.card(ana).balance == 2 and shop.card(ben).balance == 2
    shop.checkout(card=ben, amount="1.00")  # not a qualifying sale: nothing yet
    assert shop.card(ana).balance == 2
    first = shop.checkout(card=ben, amount="5.00")
    assert first.stamps_added == 2  # 1 earned + 1 for being referred
    assert "Parrainage : 1 tampon(s) offert(s)" in first.messages
    assert shop.card(ana).balance == 4
    next_day(clock)
    assert shop.checkout(card=ben, amount="5.00").stamps_added == 1  # once only
    assert shop.card(ana).balance == 4
    # Refunding the sale that brought the referral takes both sides back.
    shop.refund(first.checkout)
    assert shop.card(ana).balance == 2
    assert shop.card(ben).balance == 3
    assert shop.check().ok


def test_a_card_cannot_refer_itself_nor_be_referred_by_a_stranger(shop: Desk) -> None:
    blank = shop.issue_cards(1)[0]
    with pytest.raises(Refused) as error:
        shop.enrol(name="Ana", card=blank, referrer=blank)
    assert error.value.code == "self_referral"
    with pytest.raises(NotFound):
        shop.enrol(name="Ana", referrer="2900000000001")
    with pytest.raises(Refused) as error:
        shop.enrol(name="Ana", referrer=blank)  # a card nobody holds yet
    assert error.value.code == "card_not_active"


# ----------------------------------------------------------------------
# Birthday


def test_the_birthday_coupon_comes_at_the_first_visit_of_the_window_once_a_year(
    shop: Desk, clock: Clock
) -> None:
    number = shop.enrol(name="Ana", birthday="1990-03-04").number  # today is 2 March 2026
    assert not [c for c in shop.checkout(card=number, amount="5.00").coupons if c.milestone == 0]
    next_day(clock, 2)
    party = shop.checkout(card=number, amount="5.00")
    gifts = [c for c in party.coupons if c.reward == "Dessert offert"]
    assert len(gifts) == 1
    assert "Joyeux anniversaire ! Dessert offert" in party.messages
    next_day(clock)
    assert not [c for c in shop.checkout(card=number, amount="5.00").coupons if c.milestone == 0]
    # Refunded: the coupon goes, and the next visit in the window brings it again.
    voided = shop.refund(party.checkout).voided_coupons
    assert gifts[0].code in voided
    next_day(clock)
    assert [c.reward for c in shop.checkout(card=number, amount="5.00").coupons if c.milestone == 0] == [
        "Dessert offert"
    ]
    clock.advance(days=365)
    assert [c.reward for c in shop.checkout(card=number, amount="5.00").coupons if c.milestone == 0] == [
        "Dessert offert"
    ]


# ----------------------------------------------------------------------
# Expiry


def test_stamps_lapse_after_the_days_without_a_visit(shop: Desk, clock: Clock) -> None:
    number = shop.enrol(name="Ana").number
    sale = shop.checkout(card=number, amount="5.00")
    card = shop.card(number)
    assert card.balance == 3
    assert card.expires is not None
    assert card.expires.astimezone(shop.store.zone).date().isoformat() == "2026-08-29"  # 180 days on
    # 170 days on: the card warns.
    clock.advance(days=170)
    assert "Vos 3 tampons expirent le 29/08/2026" in shop.card(number).messages
    # 181 days on: lapsed. The card shows it at once; the next sale writes it.
    clock.advance(days=11)
    lapsed = shop.card(number)
    assert lapsed.balance == 0 and lapsed.expires is None
    assert any("3 tampons expirés le 29/08/2026" in m for m in lapsed.messages)
    after = shop.checkout(card=number, amount="5.00")
    assert after.balance == 1
    assert any("expirés" in m for m in after.messages)
    assert ("expiry", -3) in kinds(shop, number)
    assert shop.check().ok
    # A refund of the sale whose stamps lapsed takes nothing below zero;
    # the croissant coupon that sale brought is cancelled (unused).
    change = shop.refund(sale.checkout)
    assert change.stamps == 0 and change.balance == 1
    assert sale.coupons and sale.coupons[0].code in change.voided_coupons
    assert shop.check().ok


def test_stampdesk_expire_writes_every_lapse_for_the_accounts(shop: Desk, clock: Clock) -> None:
    numbers = [shop.enrol(name=f"Client {i}").number for i in range(3)]
    clock.advance(days=100)
    shop.checkout(card=numbers[0], amount="5.00")  # a visit keeps this one
    clock.advance(days=100)
    report = shop.expire()
    assert (report.cards, report.stamps) == (2, 4)
    assert shop.expire().cards == 0  # done once
    assert [shop.card(n).balance for n in numbers] == [3, 0, 0]
    assert shop.check().ok


def test_a_coupon_about_to_end_is_announced(shop: Desk, clock: Clock) -> None:
    number = shop.enrol(name="Ana").number
    sale = shop.checkout(card=number, amount="5.00")  # 3 stamps: a croissant, valid 30 days
    assert sale.coupons
    clock.advance(days=20)
    assert "Bon « Croissant offert » à utiliser avant le 01/04/2026" in shop.card(number).messages


# ----------------------------------------------------------------------
# Refunds: the buy-redeem-refund trick


def test_buy_redeem_refund_gives_nothing(shop: Desk, clock: Clock) -> None:
    number = shop.enrol(name="Ana").number  # 2
    sale = shop.checkout(card=number, amount="5.00")  # 3: croissant
    shop.redeem(sale.coupons[0].code)
    change = shop.refund(sale.checkout)
    assert change.balance == 2
    next_day(clock)
    again = shop.checkout(card=number, amount="5.00")  # 3 again
    assert again.balance == 3
    assert again.coupons == ()  # the croissant of this card cycle was used
    assert shop.check().ok


def test_a_refund_never_takes_a_balance_below_zero(shop: Desk, clock: Clock) -> None:
    number = shop.enrol(name="Ana").number
    sale = shop.checkout(card=number, amount="25.00")  # 3 stamps: 5
    shop.adjust(number, -5, reason="test", staff="Owner")
    change = shop.refund(sale.checkout)
    assert change.balance == 0 and change.stamps == 0
    assert shop.card(number).balance == 0
    assert shop.check().ok


def test_the_card_json_carries_tier_tier_until_and_expires(shop: Desk) -> None:
    number = shop.enrol(name="Ana").number
    data = shop.card(number).to_dict()
    assert {"tier", "tier_until", "expires", "messages", "visits"} <= set(data)
    assert data["tier"] is None and data["expires"] is not None
    sale = shop.checkout(card=number, amount="5.00").to_dict()
    assert {"tier", "messages"} <= set(sale)
    assert Decimal(sale["amount"]) == Decimal("5.00")
