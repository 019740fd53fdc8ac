"""The customer-of-the-month board, on a SQLite file and on PostgreSQL: who
is on it (opted-in customers only, never an erased one), what counts (kept,
qualifying sales), the shop-local month's bounds, and what it shows of a
person (first name, the last 4 digits of the card)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from helpers import Clock
from stampdesk.desk import Desk
from stampdesk.domain.errors import InvalidInput, NotFound, Refused
from stampdesk.results import Leaderboard

PARIS = ZoneInfo("Europe/Paris")


def paris(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """A shop-local (Paris) time, as the till's clock would read it."""
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def shop(desk: Desk, clock: Clock) -> Desk:
    """The example shop in mid-April 2026: March is a past month to fill in."""
    clock.now = datetime(2026, 4, 15, 10, 0, tzinfo=UTC)
    return desk


def enrol(desk: Desk, name: str, *, leaderboard: bool = True) -> str:
    return desk.enrol(name=name, leaderboard=leaderboard, at=paris(2026, 2, 1, 9, 0)).number


def visit(desk: Desk, card: str, when: datetime, amount: str = "4.50") -> int:
    return desk.checkout(card=card, amount=amount, at=when).checkout


def board(desk: Desk, month: object = "2026-03", limit: int = 10) -> list[tuple[int, str, int]]:
    return [(e.rank, e.name, e.visits) for e in desk.leaderboard(month, limit).entries]


def test_opted_in_customers_are_ranked_by_their_visits_of_the_month(shop: Desk) -> None:
    ana = enrol(shop, "Ana Martin")
    leo = enrol(shop, "Léo Dupont")
    zoe = enrol(shop, "Zoé Bernard", leaderboard=False)
    for day in (3, 4, 5):
        visit(shop, ana, paris(2026, 3, day, 9, 0))
        visit(shop, zoe, paris(2026, 3, day, 9, 0))
    for day in (3, 4, 5, 6):
        visit(shop, leo, paris(2026, 3, day, 10, 0))
    visit(shop, zoe, paris(2026, 3, 7, 9, 0))

    result = shop.leaderboard("2026-03")
    assert isinstance(result, Leaderboard) and result.month == "2026-03"
    # Zoé came most often but never said yes: she is not on the board.
    assert board(shop) == [(1, "Léo", 4), (2, "Ana", 3)]
    data = result.to_dict()
    assert set(data) == {"month", "start", "end", "entries"}
    assert data["entries"][0] == {"rank": 1, "name": "Léo", "card": "•" * 9 + leo[-4:], "visits": 4}
    assert data["start"] == "2026-02-28T23:00:00+00:00" and data["end"] == "2026-03-31T22:00:00+00:00"


def test_only_kept_qualifying_visits_count(shop: Desk) -> None:
    ana = enrol(shop, "Ana Martin")
    leo = enrol(shop, "Léo Dupont")
    visit(shop, ana, paris(2026, 3, 3, 9, 0))
    visit(shop, ana, paris(2026, 3, 4, 9, 0))
    refunded = visit(shop, ana, paris(2026, 3, 5, 9, 0))
    shop.refund(refunded)
    visit(shop, ana, paris(2026, 3, 6, 9, 0), amount="1.50")  # below min_amount: not a visit
    for day in (3, 4, 5):
        visit(shop, leo, paris(2026, 3, day, 9, 0))
    shop.checkout(amount="20.00", at=paris(2026, 3, 8, 9, 0))  # a walk-in is on nobody's card

    assert board(shop) == [(1, "Léo", 3), (2, "Ana", 2)]


def test_ties_go_to_the_earlier_last_visit_then_the_name(shop: Desk) -> None:
    late = enrol(shop, "Anna Late")
    early = enrol(shop, "Zed Early")
    bea = enrol(shop, "Béa Same")
    bob = enrol(shop, "Bob Same")
    visit(shop, late, paris(2026, 3, 2, 9, 0))
    visit(shop, late, paris(2026, 3, 20, 9, 0))
    visit(shop, early, paris(2026, 3, 2, 9, 0))
    visit(shop, early, paris(2026, 3, 10, 9, 0))
    for card in (bob, bea):  # the same last visit: by name, accents aside
        visit(shop, card, paris(2026, 3, 25, 9, 0))

    assert board(shop) == [(1, "Zed", 2), (2, "Anna", 2), (3, "Béa", 1), (4, "Bob", 1)]
    assert board(shop, limit=2) == [(1, "Zed", 2), (2, "Anna", 2)]


def test_the_month_is_the_shops_across_the_change_of_clocks(shop: Desk, clock: Clock) -> None:
    # Paris goes to summer time on 29 March 2026: 31 March 23:30 is 21:30 UTC.
    ana = enrol(shop, "Ana Martin")
    leo = enrol(shop, "Léo Dupont")
    visit(shop, ana, paris(2026, 2, 28, 23, 30))  # February (22:30 UTC)
    visit(shop, ana, paris(2026, 3, 1, 0, 30))  # March, though still 28 February in UTC
    visit(shop, ana, paris(2026, 3, 31, 23, 30))  # March, summer time
    visit(shop, leo, paris(2026, 4, 1, 0, 30))  # April, though still 31 March in UTC
    assert paris(2026, 4, 1, 0, 30).astimezone(UTC).day == 31

    assert board(shop, "2026-02") == [(1, "Ana", 1)]
    assert board(shop, "2026-03") == [(1, "Ana", 2)]
    assert board(shop, date(2026, 4, 20)) == [(1, "Léo", 1)]  # any day names its month
    march = shop.leaderboard("2026-03")
    assert march.end - march.start == timedelta(days=31, hours=-1)  # an hour short

    # Without a month: the shop's current one, which starts at its midnight.
    clock.now = paris(2026, 3, 31, 23, 59).astimezone(UTC)
    assert shop.leaderboard().month == "2026-03"
    clock.now = paris(2026, 4, 1, 0, 1).astimezone(UTC)
    assert shop.leaderboard().month == "2026-04"
    assert board(shop, None) == [(1, "Léo", 1)]


def test_opting_in_and_out(shop: Desk) -> None:
    ana = enrol(shop, "Ana Martin", leaderboard=False)
    visit(shop, ana, paris(2026, 3, 3, 9, 0))
    assert shop.card(ana).leaderboard is False
    assert shop.export(ana)["customer"]["leaderboard"] is False
    assert board(shop) == []

    card = shop.set_leaderboard(ana, True)
    assert card.leaderboard is True and card.to_dict()["leaderboard"] is True
    assert shop.export(ana)["customer"]["leaderboard"] is True
    assert board(shop) == [(1, "Ana", 1)]

    assert shop.set_leaderboard(ana, False).leaderboard is False
    assert board(shop) == []


def test_an_erased_customer_never_appears(shop: Desk) -> None:
    ana = enrol(shop, "Ana Martin")
    visit(shop, ana, paris(2026, 3, 3, 9, 0))
    assert board(shop) == [(1, "Ana", 1)]
    shop.erase(ana)
    assert board(shop) == []
    with pytest.raises(NotFound) as erased:
        shop.set_leaderboard(ana, True)
    assert erased.value.code == "card_erased"


def test_a_card_without_a_customer_cannot_opt_in(shop: Desk) -> None:
    [blank] = shop.issue_cards(1)
    with pytest.raises(Refused) as refused:
        shop.set_leaderboard(blank, True)
    assert refused.value.code == "card_not_enrolled"
    with pytest.raises(NotFound):
        shop.set_leaderboard("2900000000001", True)


@pytest.mark.parametrize("month", ["2026-13", "2026-3", "March", "", "1999-12", "2026-03-01", 202603])
def test_a_bad_month_is_refused(shop: Desk, month: object) -> None:
    with pytest.raises(InvalidInput) as error:
        shop.leaderboard(month)  # type: ignore[arg-type]
    assert error.value.code == "invalid_month"


@pytest.mark.parametrize("limit", [0, 101, True])
def test_a_bad_limit_is_refused(shop: Desk, limit: int) -> None:
    with pytest.raises(InvalidInput) as error:
        shop.leaderboard("2026-03", limit)
    assert error.value.code == "invalid_limit"


def test_the_choice_is_a_yes_or_a_no(shop: Desk) -> None:
    with pytest.raises(InvalidInput) as error:
        shop.enrol(name="Ana", leaderboard="yes")  # type: ignore[arg-type]
    assert error.value.code == "invalid_leaderboard"
