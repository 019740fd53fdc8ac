"""The API schema's patterns accept exactly what the domain's validators
accept (all but a check digit and the programme's maximum), so a till that
checks a value against the schema is never refused for its shape, and the
schema never calls valid a value the shop refuses."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from stampdesk.domain import shapes
from stampdesk.domain.card_numbers import check_digit, normalise_card_number
from stampdesk.domain.coupon_codes import ALPHABET, _check_char, normalise_coupon_code
from stampdesk.domain.errors import InvalidInput
from stampdesk.domain.money import parse_amount
from stampdesk.domain.validate import clean_checkout_id

SPACES = " \t\n\x1c\x85\xa0\u2003\u3000"
# Text made of what these values are made of, and of what lies next to it.
PIECES = st.text(alphabet="0123456789.,- " + "2ABCUuoOiIlLzß²٤" + SPACES + "\x00é", max_size=24)


def near(alphabet: str, size: int) -> st.SearchStrategy[str]:
    """About ``size`` characters of ``alphabet``, with spaces around."""
    around = st.text(alphabet=SPACES + "-", max_size=2)
    body = st.text(alphabet=alphabet, min_size=size - 1, max_size=size + 2)
    return st.tuples(around, body, around).map("".join)


def accepted(check: object, text: str) -> bool:
    try:
        check(text)  # type: ignore[operator]
    except InvalidInput:
        return False
    return True


def matches(pattern: str, text: str) -> bool:
    return re.search(pattern, text) is not None


@settings(max_examples=400, derandomize=True, database=None)
@given(PIECES)
@example("12.50")
@example(" 0,01\u3000")
@example("0.00")
@example("000")
@example("1000000000")
def test_a_sale_amount_matches_its_pattern_exactly_when_it_is_read(text: str) -> None:
    assert matches(shapes.POSITIVE_AMOUNT, text) == accepted(lambda t: parse_amount(t, maximum=None), text)


@settings(max_examples=400, derandomize=True, database=None)
@given(PIECES)
@example("10000")
@example("10000.01")
@example("0")
@example("9999,99")
def test_an_item_price_matches_its_pattern_exactly_when_it_is_read(text: str) -> None:
    def price(t: str) -> Decimal:
        return parse_amount(t, field="item unit_price", allow_zero=True)

    assert matches(shapes.PRICE, text) == accepted(price, text)


def with_check_digit(text: str) -> str:
    """The card number's text with its last digit made right."""
    digits = [i for i, c in enumerate(text) if c.isascii() and c.isdigit()]
    if len(digits) != 13:
        return text
    body = "".join(text[i] for i in digits[:12])
    last = digits[-1]
    return text[:last] + check_digit(body) + text[last + 1 :]


@settings(max_examples=400, derandomize=True, database=None)
@given(st.one_of(PIECES, near("2222-0123456789 ", 13)))
@example(" 2000-0000 0001-5 ")
@example("\u00a0-2000000000015")
@example("2000000000015\t-")
@example("3000000000015")
def test_a_card_number_matches_its_pattern_exactly_when_it_is_read(text: str) -> None:
    text = with_check_digit(text)
    assert matches(shapes.CARD_NUMBER, text) == accepted(normalise_card_number, text)


def with_check_char(text: str) -> str:
    """The coupon code's text with its last character made right."""
    places = [i for i, c in enumerate(text) if c not in " -" and not c.isspace()]
    if len(places) != 8 or not text.strip().isascii():
        return text
    body = "".join(text[i] for i in places[:7]).upper().translate(str.maketrans("OIL", "011"))
    if any(c not in ALPHABET for c in body):
        return text
    last = places[-1]
    return text[:last] + _check_char(body) + text[last + 1 :]


@settings(max_examples=400, derandomize=True, database=None)
@given(st.one_of(PIECES, near("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz- ", 8)))
@example("k7qh-2m9x")
@example("ooooooo0")
@example("ßßßß")
@example("UUUUUUUU")
def test_a_coupon_code_matches_its_pattern_exactly_when_it_is_read(text: str) -> None:
    text = with_check_char(text)
    assert matches(shapes.COUPON_CODE, text) == accepted(normalise_coupon_code, text)


@pytest.mark.parametrize("text", ["²", "٤٢", "⁴"])
def test_a_checkout_id_is_written_in_ascii_digits(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        clean_checkout_id(text)
    assert refused.value.code == "invalid_checkout_id"
