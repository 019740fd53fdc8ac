"""The API schema's patterns accept exactly what the domain's validators
accept (all but a check digit and the programme's maximum), so a till that
checks a value against the schema is never refused for its shape, and the
schema never calls valid a value the shop refuses."""

from __future__ import annotations

from decimal import Decimal
from functools import cache

import jsonschema_rs
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from stampdesk.domain import shapes
from stampdesk.domain.card_numbers import check_digit, normalise_card_number
from stampdesk.domain.coupon_codes import ALPHABET, _check_char, normalise_coupon_code
from stampdesk.domain.errors import InvalidInput
from stampdesk.domain.money import parse_amount
from stampdesk.domain.validate import clean_checkout_id, clean_item, clean_key, clean_phone

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


@cache
def schema_of(pattern: str) -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for({"type": "string", "pattern": pattern})


def matches(pattern: str, text: str) -> bool:
    """As the schema's validators read the pattern (ECMA, not Python's ``$``)."""
    return bool(schema_of(pattern).is_valid(text))


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


@settings(max_examples=400, derandomize=True, database=None)
@given(st.one_of(PIECES, near("0123456789+(). -", 12)))
@example("+33 6 12 34 56 78")
@example(" ")
@example("12345")
def test_a_phone_matches_its_pattern_exactly_when_it_is_read(text: str) -> None:
    assert matches(shapes.PHONE, text) == accepted(clean_phone, text)


def item_with(field: str, text: str) -> object:
    return clean_item({"sku": "FLAT", "category": "", "quantity": 1, "unit_price": "1.00", field: text})


@settings(max_examples=400, derandomize=True, database=None)
@given(st.one_of(PIECES, st.text(alphabet="ab\x00\x1f\x7f~!" + SPACES, max_size=70)))
@example("x" * 64)
@example(" " + "x" * 64 + "\u3000")
@example("x" * 65)
@example("coffee\n")
def test_an_item_sku_and_category_match_their_patterns_exactly_when_read(text: str) -> None:
    assert matches(shapes.SKU, text) == accepted(lambda t: item_with("sku", t), text)
    assert matches(shapes.CATEGORY, text) == accepted(lambda t: item_with("category", t), text)


@settings(max_examples=400, derandomize=True, database=None)
@given(
    st.one_of(PIECES, st.text(alphabet="ab~!\x7f" + SPACES, max_size=4), st.text(min_size=199, max_size=201))
)
@example("a" * 200)
@example("a" * 201)
def test_an_idempotency_key_matches_its_pattern_exactly_when_it_is_read(text: str) -> None:
    assert matches(shapes.IDEMPOTENCY_KEY, text) == accepted(clean_key, text)
