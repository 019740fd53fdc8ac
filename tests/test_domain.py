"""Pure rules: money, card numbers, coupon codes, the programme file, stamps."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from helpers import EXAMPLE_PROGRAM
from stampdesk.domain.card_numbers import (
    check_digit,
    masked_card_number,
    new_card_number,
    normalise_card_number,
)
from stampdesk.domain.coupon_codes import new_coupon_code, normalise_coupon_code
from stampdesk.domain.errors import InvalidInput
from stampdesk.domain.idempotency import key_kept, key_scope
from stampdesk.domain.money import from_cents, parse_amount, to_cents
from stampdesk.domain.pins import LOCKOUT, MAX_WRONG_PINS, PinAttempts, pin_weakness, try_pin, wait_left
from stampdesk.domain.program import Earning, Milestone, Program, parse_program_toml
from stampdesk.domain.rules import (
    CouponKey,
    advance,
    cap_for_day,
    next_milestone,
    retreat,
    rewards_due,
    stamps_for_sale,
)
from stampdesk.domain.validate import (
    clean_email,
    clean_item,
    clean_month,
    clean_name,
    clean_phone,
    first_name,
    name_key,
)

CAFE = parse_program_toml(EXAMPLE_PROGRAM.read_text())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.50", "12.50"),
        ("12,5", "12.50"),
        ("3", "3.00"),
        (" 7.05 ", "7.05"),
        (Decimal("1.1"), "1.10"),
        (4, "4.00"),
    ],
)
def test_amounts_people_type_are_read_exactly(text: object, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize(
    "bad",
    [
        "-5",
        "0",
        "0.00",
        "abc",
        "NaN",
        "nan",
        "inf",
        "1e3",
        "12.345",
        "99999999",
        "",
        " ",
        "1.2.3",
        "١٢",
        12.5,
        None,
    ],
)
def test_bad_amounts_are_refused_with_a_clear_message(bad: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_amount(bad)
    assert caught.value.code == "invalid_amount"
    assert "\n" not in caught.value.message


def test_cents_round_trip_without_float_drift() -> None:
    total = sum((parse_amount("0.10") for _ in range(3)), Decimal(0))
    assert to_cents(total) == 30 and from_cents(26828) == Decimal("268.28")


def test_card_numbers_are_ean13_in_the_in_store_range() -> None:
    for _ in range(200):
        number = new_card_number()
        assert len(number) == 13 and number.startswith("29")
        assert check_digit(number[:12]) == number[12]
        assert normalise_card_number(number) == number


def test_a_mistyped_card_number_is_caught_before_any_lookup() -> None:
    number = new_card_number()
    swapped = number[:5] + str((int(number[5]) + 1) % 10) + number[6:]
    with pytest.raises(InvalidInput, match="check digit"):
        normalise_card_number(swapped)
    for bad in ["", "123", "abcdefghijklm", "4006381333931", "2901 2345"]:
        with pytest.raises(InvalidInput):
            normalise_card_number(bad)
    spaced = f"{number[:4]} {number[4:8]} {number[8:]}"
    assert normalise_card_number(spaced) == number


def test_coupon_codes_carry_a_check_character() -> None:
    code = new_coupon_code()
    assert normalise_coupon_code(code.lower()) == code
    assert normalise_coupon_code(f"{code[:4]}-{code[4:]}") == code
    wrong = code[:3] + ("A" if code[3] != "A" else "B") + code[4:]
    with pytest.raises(InvalidInput):
        normalise_coupon_code(wrong)


def test_the_example_programme_loads() -> None:
    assert CAFE.name == "Café Bleu"
    assert [m.at for m in CAFE.milestones] == [3, 6, 10]
    assert CAFE.earning.min_amount == Decimal("2.00") and CAFE.earning.max_per_day == 3
    assert Program.from_dict(CAFE.to_dict()) == CAFE
    assert [(q.label, q.category, q.price, q.sku) for q in CAFE.quick_picks][:2] == [
        ("Espresso", "coffee", Decimal("2.40"), "ESPRESSO"),
        ("Flat white", "coffee", Decimal("4.20"), "FLAT-WHITE"),
    ]


def test_quick_picks_are_optional_and_the_sku_defaults_to_the_label() -> None:
    text = EXAMPLE_PROGRAM.read_text()
    bare = parse_program_toml(text[: text.index("[[program.quick_picks]]")])
    assert bare.quick_picks == () and "quick_picks" not in bare.to_dict()
    one = parse_program_toml(
        text[: text.index("[[program.quick_picks]]")]
        + '[[program.quick_picks]]\nlabel = "Thé"\ncategory = "Tea"\nprice = "3.00"\n'
    )
    assert one.quick_picks[0].sku == "thé" and one.quick_picks[0].category == "tea"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("stamps_per_card = 10", "stamps_per_card = 0"),
        ('min_amount = "2.00"', "min_amount = 2.0"),
        ("at = 10", "at = 9"),
        ("max_per_day = 3", "max_per_dya = 3"),
        ("starter_stamps = 2", "starter_stamps = 10"),
        ('name = "Café Bleu"', 'name = ""'),
        ('price = "1.40"', 'price = "0.00"'),
        ('price = "1.40"', "price = 1.4"),
        ('label = "Sandwich"', 'label = "Croissant"'),
        ('label = "Sandwich"', 'label = "A label far too long for a till button"'),
        ('category = "lunch"', 'categroy = "lunch"'),
    ],
)
def test_programme_mistakes_are_named(change: str, message: str) -> None:
    text = EXAMPLE_PROGRAM.read_text().replace(change, message)
    with pytest.raises(InvalidInput) as caught:
        parse_program_toml(text)
    assert caught.value.code == "invalid_program"


def test_earning_rules() -> None:
    earning = CAFE.earning
    assert stamps_for_sale(earning, Decimal("1.99")) == 0
    assert stamps_for_sale(earning, Decimal("2.00")) == 1
    assert stamps_for_sale(earning, Decimal("9.99")) == 1
    assert stamps_for_sale(earning, Decimal("10.00")) == 2
    assert stamps_for_sale(earning, Decimal("25.00")) == 3
    assert cap_for_day(3, 2, 3) == 1 and cap_for_day(3, 5, 3) == 0 and cap_for_day(4, 0, None) == 4


def test_milestones_are_reached_without_spending_stamps() -> None:
    step = advance(2, 0, 2, CAFE)
    assert (step.balance, step.cycle) == (4, 0)
    assert [r.milestone.at for r in step.reached] == [3]


def test_completing_the_card_starts_a_new_cycle_with_the_overflow() -> None:
    step = advance(8, 0, 5, CAFE)
    assert (step.balance, step.cycle) == (3, 1)
    assert [(r.cycle, r.milestone.at) for r in step.reached] == [(0, 10), (1, 3)]
    assert step.completed == (10,)


def test_a_lowered_threshold_still_completes_a_fuller_card() -> None:
    small = Program("x", 5, 0, (Milestone(5, "coffee"),), Earning())
    step = advance(7, 0, 1, small)
    assert (step.balance, step.cycle) == (3, 1) and step.reached[0].milestone.at == 5


def test_a_final_reward_is_owed_beside_a_milestone_already_held_at_its_place() -> None:
    # A card of ten holding the cookie at 6 (cycle 0); the card is now of six.
    six = Program("x", 6, 0, (Milestone(3, "croissant"), Milestone(6, "coffee")), Earning())
    step = advance(7, 0, 1, six)
    assert [(r.cycle, r.milestone.reward, r.final) for r in step.reached] == [(0, "coffee", True)]
    held = {CouponKey(0, 3), CouponKey(0, 6)}  # the croissant and the cookie
    assert rewards_due(step.reached, held) == step.reached
    # The cycle's final reward already held (used, its completion undone): nothing owed.
    assert rewards_due(step.reached, held | {CouponKey(0, None)}) == ()
    # A milestone already held is not owed again; one of the next cycle is.
    again = advance(2, 0, 8, six)
    assert [(r.cycle, r.milestone.at, r.final) for r in again.reached] == [
        (0, 3, False),
        (0, 6, True),
        (1, 3, False),
    ]
    assert [r.coupon for r in rewards_due(again.reached, {CouponKey(0, 3)})] == [
        CouponKey(0, None),
        CouponKey(1, 3),
    ]


def test_taking_back_stamps_undoes_completions_and_never_goes_below_zero() -> None:
    undone = retreat(1, 1, 3, [10])
    assert (undone.balance, undone.cycle, undone.reversed_completions, undone.taken) == (8, 0, 1, 3)
    # Nothing left to undo (stamps lapsed): down to zero, and only what was there is taken.
    floor = retreat(1, 0, 3, [])
    assert (floor.balance, floor.cycle, floor.reversed_completions, floor.taken) == (0, 0, 0, 1)


def test_next_milestone() -> None:
    assert next_milestone(0, CAFE).at == 3
    assert next_milestone(3, CAFE).at == 6
    assert next_milestone(9, CAFE).at == 10


@pytest.mark.parametrize(
    ("pin", "weakness"),
    [
        ("0000", "one_digit"),
        ("99999999", "one_digit"),
        ("1234", "sequence"),
        ("0123", "sequence"),
        ("2345", "sequence"),
        ("7890", "sequence"),
        ("12345678", "sequence"),
        ("4321", "sequence"),
        ("9876", "sequence"),
        ("3210", "sequence"),
        ("1212", "repeated"),
        ("2121", "repeated"),
        ("696969", "repeated"),
        ("123123", "repeated"),
        ("12341234", "repeated"),
        ("1984", "year"),
        ("2026", "year"),
        ("2580", "common"),
        ("1004", "common"),
        ("112233", "common"),
        ("4826", None),
        ("1357924", None),
        ("31415926", None),
        ("2138", None),
        ("12345", "sequence"),
        ("12435", None),
    ],
)
def test_pins_easy_to_guess(pin: str, weakness: str | None) -> None:
    assert pin_weakness(pin) == weakness


def test_wrong_pins_in_a_row_lock_a_till_then_let_it_count_again() -> None:
    now = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    attempts = PinAttempts()
    for n in range(1, MAX_WRONG_PINS):
        attempts = try_pin(attempts, now)
        assert attempts == PinAttempts(n, None) and wait_left(attempts, now) is None
    attempts = try_pin(attempts, now)  # the last one allowed locks, the count starts again
    assert attempts == PinAttempts(0, now + LOCKOUT)
    assert wait_left(attempts, now + LOCKOUT - timedelta(seconds=1)) == timedelta(seconds=1)
    later = now + LOCKOUT
    assert wait_left(attempts, later) is None
    assert try_pin(attempts, later) == PinAttempts(1, None)


def test_people_data_is_checked() -> None:
    assert clean_name("  Ana   Martin ") == "Ana Martin"
    assert clean_email("Ana@Example.ORG") == "ana@example.org"
    assert clean_phone("+33 6 12 34 56 78") == "+33612345678"
    assert name_key("Élodie Lefèvre") == "elodie lefevre"
    for bad_email in ["ana@", "@x.org", "ana", "ana@x", "a b@x.org", "ana@x..org"]:
        with pytest.raises(InvalidInput):
            clean_email(bad_email)
    for bad_name in ["", "   ", "x" * 101, "Ana\x00", "Ana\u202e"]:
        with pytest.raises(InvalidInput):
            clean_name(bad_name)
    with pytest.raises(InvalidInput):
        clean_phone("06 12; DROP")


def test_items_from_the_command_line() -> None:
    item = clean_item("ESP-01:Coffee:2:2.40")
    assert (item.sku, item.category, item.quantity, item.unit_price) == (
        "ESP-01",
        "coffee",
        2,
        Decimal("2.40"),
    )
    for bad in [
        "ESP:coffee:0:2.40",
        "ESP:coffee:2",
        "ESP:coffee:x:2.40",
        "ESP:coffee:1:-1",
        ":coffee:1:1.00",
    ]:
        with pytest.raises(InvalidInput):
            clean_item(bad)


def test_the_domain_is_pure() -> None:
    """Importing the rules pulls in no database, UI, printer or web library."""
    code = (
        "import sys, stampdesk.domain.rules, stampdesk.domain.program, stampdesk.domain.validate, "
        "stampdesk.domain.card_numbers, stampdesk.domain.coupon_codes, stampdesk.domain.money, "
        "stampdesk.domain.pins, stampdesk.domain.loyalty, stampdesk.domain.sale, stampdesk.domain.refund, "
        "stampdesk.domain.stamps, stampdesk.domain.outcomes, stampdesk.domain.days\n"
        "heavy = ('sqlalchemy', 'textual', 'escpos', 'fastapi', 'click', 'alembic')\n"
        "bad = [m for m in heavy if m in sys.modules]\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_leaderboard_shows_a_first_name_and_the_last_four_digits() -> None:
    assert first_name("Élodie  Marchand") == "Élodie"
    assert first_name("Jean-Luc d'Arc") == "Jean-Luc"
    assert first_name("Ana") == "Ana"
    assert masked_card_number("2912345678903") == "•••••••••8903"


@pytest.mark.parametrize(
    ("value", "month"),
    [("2026-03", date(2026, 3, 1)), (" 2026-12 ", date(2026, 12, 1)), (date(2026, 3, 31), date(2026, 3, 1))],
)
def test_a_month_is_read_as_its_first_day(value: object, month: date) -> None:
    assert clean_month(value) == month


def test_a_key_is_its_tills_and_kept_for_its_window() -> None:
    assert (key_scope("till-1"), key_scope(None), key_scope("")) == ("till-1", "", "")
    first = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert key_kept(first, first, 30)
    assert key_kept(first, first + timedelta(days=30) - timedelta(microseconds=1), 30)
    assert not key_kept(first, first + timedelta(days=30), 30)
    assert not key_kept(first, first + timedelta(days=8), 7)


def test_a_phone_number_is_searched_in_both_forms_of_the_shops_country() -> None:
    from stampdesk.domain.phones import calling_code, phone_forms

    assert calling_code("fr_FR") == "33" and calling_code("en_GB") == "44" and calling_code("xx") is None
    assert phone_forms("+33777239086", "33") == ("+33777239086", "0777239086")
    assert phone_forms("0777239086", "33") == ("0777239086", "+33777239086")
    assert phone_forms("0033777", "33") == ("0033777", "+33777", "0777")
    assert phone_forms("+447700900123", "44") == ("+447700900123", "07700900123")
    assert phone_forms("+447700900123", "33") == ("+447700900123",)  # a foreign number: as given
