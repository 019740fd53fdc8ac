"""The loyalty rules as pure functions: programme sections, multipliers,
category bonuses, surprises, birthdays and status tiers with their grace."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from helpers import LOYALTY_PROGRAM
from stampdesk.domain.loyalty import (
    Sale,
    birthday_year,
    category_stamps,
    lookback_days,
    multiplier,
    offpeak_multiplier,
    sale_stamps,
    surprise_at,
    tier_status,
)
from stampdesk.domain.program import Birthday, ProgramError, Tier, parse_program_toml

PARIS = ZoneInfo("Europe/Paris")

BASE = """
[program]
name = "Café Bleu"
stamps_per_card = 10
starter_stamps = 2
[[program.milestones]]
at = 10
reward = "Un café offert"
[program.earning]
per_visit = 1
min_amount = "2.00"
per_amount = "10.00"
"""

FULL = LOYALTY_PROGRAM.read_text(encoding="utf-8")  # every section, commented


def test_every_section_of_the_programme_file_is_read_and_survives_a_round_trip() -> None:
    program = parse_program_toml(FULL)
    assert program.expiry.stamps_after_days == 180 and program.expiry.warn_days == 14
    assert program.coupon_valid_days == 30
    assert [t.name for t in program.tiers] == ["Gold", "Silver"]
    assert program.tiers[0].min_spend == Decimal("120.00") and program.tiers[0].stamp_multiplier == 2
    assert program.tier_grace_days == 30
    assert program.surprises[0].at_visit == 4
    assert program.referral is not None and program.referral.referrer_stamps == 2
    assert program.birthday == Birthday("Dessert offert", 7, Decimal("1.20"))
    assert program.category_bonus[0].category == "pastry"
    assert program.offpeak[0].days == ("mon", "tue", "wed")
    assert type(program).from_dict(program.to_dict()) == program


@pytest.mark.parametrize(
    ("extra", "names"),
    [
        ("[[program.tiers]]\nname = 'Gold'\nwindow_days = 90\n", "program.tiers[1]"),
        (
            "[[program.tiers]]\nname = 'Silver'\nmin_visits = 4\n"
            "[[program.tiers]]\nname = 'Gold'\nmin_visits = 8\n",
            "Gold cannot ask more",
        ),
        ("[[program.tiers]]\nname = 'Gold'\nmin_spend = 120.0\n", 'such as "120.00"'),
        ("[[program.tiers]]\nname = 'Gold'\nmin_visits = 2\nstamp_multiplier = 50\n", "stamp_multiplier"),
        ("[program.tier_policy]\ngrace_days = 30\n", "needs [[program.tiers]]"),
        ("[[program.surprises]]\nat_visit = 0\nstamps = 1\nmessage = 'x'\n", "at_visit"),
        ("[[program.surprises]]\nat_visit = 4\nstamps = 1\n", "program.surprises[1].message"),
        ("[program.referral]\nreferrer_stamps = 0\n", "gives no stamps"),
        ("[program.birthday]\nwindow_days = 7\n", "program.birthday.reward"),
        ("[[program.offpeak]]\ndays = ['monday']\nstart = '14:00'\nend = '17:00'\nmultiplier = 2\n", "mon,"),
        (
            "[[program.offpeak]]\ndays = ['mon']\nstart = '17:00'\nend = '14:00'\nmultiplier = 2\n",
            "start must",
        ),
        ("[[program.offpeak]]\ndays = ['mon']\nstart = '25:00'\nend = '26:00'\nmultiplier = 2\n", "14:00"),
        ("[program.expiry]\nstamps_after_days = -1\n", "stamps_after_days"),
        ("[program.expiry]\ncoupon_valid_days = 30\n[program.coupons]\nvalid_days = 60\n", "disagree"),
        ("[program.expiry]\nlapse = 3\n", "unknown key program.expiry.lapse"),
    ],
)
def test_a_mistake_in_a_new_section_is_named(extra: str, names: str) -> None:
    with pytest.raises(ProgramError) as error:
        parse_program_toml(BASE + extra)
    assert names in str(error.value)


def test_multipliers_take_the_highest_never_the_product() -> None:
    program = parse_program_toml(FULL)
    gold = program.tiers[0]
    monday_quiet = datetime(2026, 3, 2, 15, 0, tzinfo=PARIS)
    monday_busy = datetime(2026, 3, 2, 12, 0, tzinfo=PARIS)
    thursday_quiet = datetime(2026, 3, 5, 15, 0, tzinfo=PARIS)
    assert offpeak_multiplier(program.offpeak, monday_quiet) == 2
    assert offpeak_multiplier(program.offpeak, monday_quiet.replace(hour=17)) == 1  # end excluded
    assert multiplier(program, gold, monday_quiet) == 2  # 2 and 2: not 4
    assert multiplier(program, None, monday_busy) == 1
    assert multiplier(program, gold, thursday_quiet) == 2
    assert multiplier(program, program.tiers[1], thursday_quiet) == 1


def test_a_sale_earns_multiplied_visit_and_amount_stamps_plus_its_category_bonus() -> None:
    program = parse_program_toml(FULL)
    # 24.00: 1 visit stamp + 2 amount stamps, doubled, + 1 for the croissant.
    assert sale_stamps(program, Decimal("24.00"), ["pastry"], 2) == 7
    assert sale_stamps(program, Decimal("24.00"), ["coffee"], 1) == 3
    assert category_stamps(program, ["PASTRY", "pastry"]) == 1  # once a sale
    assert sale_stamps(program, Decimal("0.00"), ["pastry"], 2) == 0


def test_a_surprise_belongs_to_its_visit_only() -> None:
    program = parse_program_toml(FULL)
    assert surprise_at(program.surprises, 3) is None
    surprise = surprise_at(program.surprises, 4)
    assert surprise is not None and surprise.stamps == 1
    assert surprise_at(program.surprises, 5) is None


@pytest.mark.parametrize(
    ("born", "day", "year"),
    [
        (date(1990, 5, 10), date(2026, 5, 9), None),
        (date(1990, 5, 10), date(2026, 5, 10), 2026),
        (date(1990, 5, 10), date(2026, 5, 16), 2026),
        (date(1990, 5, 10), date(2026, 5, 17), None),  # [birthday, birthday + 7)
        (date(1990, 12, 29), date(2027, 1, 3), 2026),  # the window crosses the new year
        (date(1992, 2, 29), date(2027, 2, 28), 2027),  # no 29 February in 2027
    ],
)
def test_the_birthday_window(born: date, day: date, year: int | None) -> None:
    assert birthday_year(Birthday("Dessert", 7), born, day) == year


GOLD = Tier("Gold", 8, Decimal("120.00"), 90, 2)
SILVER = Tier("Silver", 4, Decimal("40.00"), 90, 1)
D0 = date(2026, 1, 1)


def weekly(count: int, amount: str = "20.00", start: date = D0) -> list[Sale]:
    return [Sale(start + timedelta(days=7 * i), Decimal(amount), True) for i in range(count)]


def status_on(sales: list[Sale], offset: int, grace: int = 30) -> object:
    return tier_status(lambda _day: ((GOLD, SILVER), grace), sales, D0 + timedelta(days=offset))


def test_a_tier_is_reached_as_soon_as_both_criteria_hold() -> None:
    sales = weekly(8)  # 8 visits, 160.00, the 8th on day 49
    assert status_on(sales, 42).tier == SILVER  # type: ignore[attr-defined]
    assert status_on(sales, 49).tier == GOLD  # type: ignore[attr-defined]
    # A frequent small spender: 8 visits but 64.00 is Silver only.
    assert status_on(weekly(8, "8.00"), 49).tier == SILVER  # type: ignore[attr-defined]
    # A rare big spender: 3 visits of 100.00 reaches nothing.
    assert status_on(weekly(3, "100.00"), 14).tier is None  # type: ignore[attr-defined]


def test_falling_below_holds_the_tier_for_the_grace_period_then_drops_one_level() -> None:
    sales = weekly(8)
    # Day 90: the first visit leaves the 90-day window: 7 visits, below Gold.
    graced = status_on(sales, 90)
    assert graced.tier == GOLD  # type: ignore[attr-defined]
    assert graced.until == D0 + timedelta(days=119)  # type: ignore[attr-defined]
    # On its last day, the visits of days 35, 42, 49 still count: 5 more, 60.00 more.
    assert graced.visits_needed == 5  # type: ignore[attr-defined]
    assert graced.spend_needed == Decimal("60.00")  # type: ignore[attr-defined]
    assert status_on(sales, 119).tier == GOLD  # type: ignore[attr-defined]
    dropped = status_on(sales, 120)
    assert dropped.tier == SILVER  # type: ignore[attr-defined]
    assert dropped.until is not None  # below Silver too: a new grace  # type: ignore[attr-defined]
    assert status_on(sales, 150).tier is None  # type: ignore[attr-defined]


def test_a_visit_in_the_grace_period_keeps_the_tier() -> None:
    sales = weekly(8) + [Sale(D0 + timedelta(days=d), Decimal("20.00"), True) for d in (95, 96)]
    assert status_on(sales, 96).until is None  # 8 visits again in (6, 96]  # type: ignore[attr-defined]
    assert status_on(sales, 96).tier == GOLD  # type: ignore[attr-defined]


def test_no_grace_drops_at_once() -> None:
    assert status_on(weekly(8), 90, grace=0).tier == SILVER  # type: ignore[attr-defined]


def test_a_tier_held_under_an_older_version_is_not_taken_away_by_a_new_one() -> None:
    harder_gold = Tier("Gold", 12, Decimal("300.00"), 90, 2)
    change = D0 + timedelta(days=60)

    def tiers_on(day: date) -> tuple[tuple[Tier, ...], int]:
        return ((GOLD, SILVER) if day < change else (harder_gold, SILVER)), 30

    sales = weekly(8)
    held = tier_status(tiers_on, sales, D0 + timedelta(days=70))
    assert held.tier == harder_gold and held.until is not None  # kept, with a warning
    assert tier_status(tiers_on, sales, D0 + timedelta(days=89)).tier == harder_gold


def test_the_lookback_covers_a_window_and_every_grace() -> None:
    program = parse_program_toml(FULL)
    assert lookback_days(program) == 2 * 90 + 3 * 31
    assert lookback_days(parse_program_toml(BASE)) == 0
