"""Reading a till's receipt (domain/receipt_reading.py): the total, a refund, a card number."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stampdesk.domain.card_numbers import check_digit
from stampdesk.domain.errors import InvalidInput
from stampdesk.domain.receipt_reading import (
    compile_patterns,
    find_card_number,
    parse_money,
    read_receipt,
    receipt_key,
)

CARD = "290000001234" + check_digit("290000001234")

FRENCH_CAFE = [
    "CAFE DU PORT",
    "12 quai des Brumes",
    "Ticket 0042   08/12/2026 09:14",
    "2 x Café                  3,00",
    "1 x Croissant             1,20",
    "SOUS-TOTAL                4,20",
    "TVA 10%                   0,38",
    "TOTAL TTC               4,20 €",
    "CB                        4,20",
    "Merci de votre visite !",
]
FRENCH_GROCER = [
    "EPICERIE FINE",
    "Huile d'olive            12,90",
    "Jambon                 1 015,10",
    "NB ARTICLES 2",
    "TOTAL HT               860,00",
    "TOTAL TVA              168,00",
    "NET A PAYER        1 028,00 EUR",
    "Espèces               1 030,00",
    "Rendu                     2,00",
]
ENGLISH_BAKERY = [
    "THE CORNER BAKERY",
    "Sourdough loaf          £4.50",
    "Cinnamon bun            £2.75",
    "SUBTOTAL                £7.25",
    "VAT included            £1.21",
    "Amount due              £7.25",
    "Card                    £7.25",
    "Refunds within 30 days with receipt",
]
ENGLISH_SHOP = [
    "HARDWARE & CO",
    "Drill                 1,299.00",
    "TOTAL ITEMS 1",
    "TOTAL              $1,299.00",
]


@pytest.mark.parametrize(
    ("lines", "total", "pattern"),
    [
        (FRENCH_CAFE, "4.20", "total_ttc"),
        (FRENCH_GROCER, "1028.00", "net_a_payer"),
        (ENGLISH_BAKERY, "7.25", "amount_due"),
        (ENGLISH_SHOP, "1299.00", "total"),
        (["TOTAL EUR 15,00"], "15.00", "total_eur"),
        (["Montant dû : 9,90 €"], "9.90", "montant_du"),
        (["A PAYER    € 7,10"], "7.10", "a_payer"),
        (["TOTAL", "", "  23,40 €"], "23.40", "total"),  # the amount on a line of its own (double size)
        (["*** TOTAL ***", "23.40"], "23.40", "total"),
        (["TOTAL.............  8,00"], "8.00", "total"),
        (["Total   1\u202f250,00\u00a0€"], "1250.00", "total"),  # Babel's French spaces
        (["TOTAL 1.250,00"], "1250.00", "total"),
        (["TOTAL 1'250.00 CHF"], "1250.00", "total"),
        (["TOTAL 10,00", "REMISE FIDELITE -1,00", "TOTAL 9,00"], "9.00", "total"),  # the last one
        (["NET A PAYER 5,00", "TOTAL 6,00"], "5.00", "net_a_payer"),  # the best label, wherever it is
    ],
)
def test_the_total_is_the_amount_due(lines: list[str], total: str, pattern: str) -> None:
    reading = read_receipt(lines)
    assert (reading.outcome, reading.total, reading.pattern) == ("sale", Decimal(total), pattern)
    assert reading.line is not None and lines[reading.line].strip()


@pytest.mark.parametrize(
    "lines",
    [
        ["SOUS-TOTAL 4,20"],
        ["SUBTOTAL 4.20", "TAX 0.30"],
        ["TOTAL TVA 0,38", "TOTAL HT 3,82"],
        ["TOTAL ARTICLES 3"],
        ["TOTAL 12"],  # a whole number without a currency is a count, not an amount
        ["Merci", "A bientôt"],
        [],
    ],
)
def test_lines_that_only_look_like_a_total_find_none(lines: list[str]) -> None:
    assert read_receipt(lines).outcome == "no_total"


@pytest.mark.parametrize(
    "lines",
    [
        ["*** REMBOURSEMENT ***", "TOTAL 4,20"],
        ["AVOIR N° 1234", "TOTAL 4,20"],
        ["REFUND", "TOTAL £4.20"],
        ["Retour", "Total 4,20"],
        ["TOTAL -4,20"],
        ["TOTAL 4,20-"],
        ["Amount due -£4.20"],
    ],
)
def test_a_refund_earns_nothing(lines: list[str]) -> None:
    assert read_receipt(lines).outcome == "refund"


def test_a_footer_about_refunds_is_not_a_refund() -> None:
    lines = ["TOTAL 4,20", "No refund without receipt", "Refund policy: 30 days", "Avoir valable 1 an"]
    assert read_receipt(lines).outcome == "sale"


def test_a_zero_total_records_nothing() -> None:
    assert read_receipt(["TOTAL 0,00"]).outcome == "zero_total"


def test_the_shops_patterns_come_first_and_say_which_matched() -> None:
    patterns = compile_patterns([r"^DU (?P<total>\S+)$", r"(?i)^\s*SOMME\s+(?P<total>[\d\s.,]+)"])
    reading = read_receipt(["TOTAL 99,00", "somme 12,30"], patterns=patterns)
    assert (reading.total, reading.pattern, reading.line) == (Decimal("12.30"), "custom:2", 1)
    # A pattern that matches no amount leaves the defaults to find it.
    assert read_receipt(["TOTAL 99,00"], patterns=patterns).pattern == "total"


@pytest.mark.parametrize(
    ("patterns", "phrase"),
    [(["(unclosed"], "config_proxy_pattern"), (["TOTAL"], "config_proxy_pattern_group")],
)
def test_a_bad_pattern_is_said(patterns: list[str], phrase: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        compile_patterns(patterns)
    assert caught.value.code == "invalid_config" and caught.value.phrase == phrase


def test_a_card_number_is_found_in_the_text_or_a_barcode() -> None:
    spaced = f"{CARD[:4]} {CARD[4:8]} {CARD[8:]}"
    assert read_receipt(["TOTAL 4,20", f"Carte fidélité : {spaced}"]).card == CARD
    assert read_receipt(["TOTAL 4,20"], codes=[CARD]).card == CARD
    wrong_digit = CARD[:12] + str((int(CARD[12]) + 1) % 10)
    assert find_card_number([wrong_digit]) is None
    assert find_card_number([CARD], prefix="28") is None
    assert find_card_number([CARD + "1"]) is None  # 14 digits: something else


def test_the_key_is_the_receipts_text() -> None:
    assert receipt_key(FRENCH_CAFE) == receipt_key([line + "  " for line in FRENCH_CAFE])
    assert receipt_key(FRENCH_CAFE) != receipt_key(FRENCH_CAFE[:-1])
    assert re.fullmatch(r"proxy:[0-9a-f]{64}", receipt_key(FRENCH_CAFE))


@pytest.mark.parametrize("text", ["", "abc", "12,345", "1..2", "€12€", "--4,20", "1 23,00", "12,50 € TTC"])
def test_what_is_not_one_amount(text: str) -> None:
    assert parse_money(text) is None


SEPARATORS = st.sampled_from(["", " ", "\u00a0", "\u202f", ".", ",", "'"])
CURRENCIES = st.sampled_from(["", "€", "$", "£", "EUR", "GBP"])


@given(
    cents=st.integers(1, 99_999_999),
    point=st.sampled_from([",", "."]),
    thousands=SEPARATORS,
    currency=CURRENCIES,
    before=st.booleans(),
    space=st.sampled_from(["", " ", "\u00a0"]),
    negative=st.booleans(),
)
def test_money_as_tills_write_it(
    cents: int, point: str, thousands: str, currency: str, before: bool, space: str, negative: bool
) -> None:
    if thousands == point:
        thousands = ""
    whole, part = divmod(cents, 100)
    digits = f"{whole:,}".replace(",", thousands)
    number = f"{digits}{point}{part:02d}"
    text = f"{currency}{space}{number}" if before else f"{number}{space}{currency}"
    if negative:
        text = "-" + text
    expected = Decimal(cents) / 100
    assert parse_money(text) == (-expected if negative else expected)
    reading = read_receipt([f"TOTAL   {text}"])
    assert reading.total == (-expected if negative else expected)
    assert reading.outcome == ("refund" if negative else "sale")


def test_a_currency_sign_printed_in_the_wrong_code_page_is_passed_over() -> None:
    # A till that selected CP858 before ESC @ prints "€" as CP437's "╒".
    assert read_receipt(["TOTAL TTC   12,50 ╒"]).total == Decimal("12.50")
    assert read_receipt(["TOTAL", "12,50 ╒"]).total == Decimal("12.50")
