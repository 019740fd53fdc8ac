"""The till's plain parts: translations, the stamp grid, what counts as a
scan, the double-scan guard, and how results are worded."""

from __future__ import annotations

import string
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from stampdesk.results import CheckoutResult, NextMilestone
from stampdesk.tui.present import Programme, sale_lines, zero_stamp_reason
from stampdesk.tui.scan import ScanGuard, card_digits, claim_token, is_search
from stampdesk.tui.text import Text
from stampdesk.tui.widgets.stamp_grid import grid_lines
from stampdesk.words.tables import till


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_string_is_translated_with_the_same_placeholders() -> None:
    english, french = till.EN, till.FR
    assert set(english) == set(french)
    for key in english:
        assert _fields(english[key]) == _fields(french[key]), key
        assert french[key].strip(), key


def test_money_days_and_plurals_follow_the_locale() -> None:
    fr, en = Text("fr_FR"), Text("en_GB")
    assert fr.money(Decimal("12.5")) == "12,50 €"
    assert en.money(Decimal("12.5")) == "€12.50"
    # As the receipt and the customer's pages write it.
    assert fr.money(Decimal("1234.50")) == "1 234,50 €"
    assert en.money(Decimal("1234.50")) == "€1,234.50"
    assert fr.stamps(0) == "0 tampon" and fr.stamps(2) == "2 tampons"
    assert en.stamps(0) == "0 stamps" and en.stamps(1) == "1 stamp"
    assert fr.day(datetime(2026, 4, 30, 23, 0, tzinfo=UTC)) == "30/04/2026"
    assert Text("de_DE").locale == "en_GB"  # unknown locale: English


def test_progress_line_names_the_next_reward_and_what_remains() -> None:
    nxt = NextMilestone(at=10, reward="Un café offert", remaining=3)
    assert Text("fr_FR").progress(7, 10, nxt) == "7/10 — Un café offert à 10 (encore 3)"
    assert Text("en_GB").progress(7, 10, nxt) == "7/10 — Un café offert at 10 (3 to go)"


def test_grid_fills_boxes_and_marks_milestones() -> None:
    assert grid_lines(4, 10, (3, 6, 10)) == [
        "● ● ★ ● ○ ☆ ○ ○ ○ ☆",
        "    3     6       10",
    ]
    assert grid_lines(0, 5, ()) == ["○ ○ ○ ○ ○"]
    assert grid_lines(12, 3, (3,))[0] == "● ● ★"  # never more than the card holds


def test_grid_wraps_long_cards_and_keeps_numbers_apart() -> None:
    lines = grid_lines(25, 30, (10, 11, 30))
    assert len(lines) == 4  # two rows of boxes, each with its numbers
    assert all(len(line) <= 40 for line in lines)
    assert "10" in lines[1] and "11" not in lines[1]  # 11 would touch 10
    assert lines[3].strip() == "30"


@pytest.mark.parametrize(
    ("typed", "card"),
    [
        ("2912345678906", "2912345678906"),
        (" 2912 3456-78906 ", "2912345678906"),
        ("29123", "29123"),  # a short card number: the engine says what is wrong
        ("4006381333931", "4006381333931"),  # a product barcode: refused by the engine
        ("0612345678", None),  # a phone number: a search
        ("ana", None),
        ("", None),
    ],
)
def test_what_counts_as_a_card_number(typed: str, card: str | None) -> None:
    assert card_digits(typed) == card
    assert is_search(typed) == (card is None and bool(typed.strip()))


def test_claim_token_from_the_code_or_the_printed_link() -> None:
    assert claim_token(" 12.abcdef ") == "12.abcdef"
    assert claim_token("https://cafe.example/join/12.abcdef") == "12.abcdef"
    assert claim_token("  ") is None


def test_scan_guard_ignores_the_same_card_for_two_seconds() -> None:
    now = [100.0]
    guard = ScanGuard(clock=lambda: now[0])
    assert not guard.is_repeat("2912345678906")
    guard.stamped("2912345678906")
    now[0] += 1.9
    assert guard.is_repeat("2912345678906")
    assert not guard.is_repeat("2900000000007")  # another card is welcome
    now[0] += 0.2
    assert not guard.is_repeat("2912345678906")


def _sale(amount: str, stamps: int, outcomes: tuple[str, ...] = ()) -> CheckoutResult:
    return CheckoutResult(
        checkout=7,
        card="2912345678906",
        amount=Decimal(amount),
        at=datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
        stamps_added=stamps,
        balance=5,
        stamps_per_card=10,
        milestones=(),
        coupons=(),
        program_version=1,
        next_milestone=NextMilestone(6, "Cookie offert", 1),
        outcomes=outcomes,
    )


def test_a_sale_without_stamps_says_why() -> None:
    tr = Text("en_GB")
    programme = Programme("Café Bleu", 1, 10, (3, 6, 10), Decimal("2.00"), 3)
    below = _sale("1.50", 0, ("below_minimum",))
    assert zero_stamp_reason(below, programme, tr) == tr("outcome.below_minimum", minimum=Decimal("2.00"))
    capped = _sale("4.50", 0, ("daily_cap",))
    assert zero_stamp_reason(capped, programme, tr) == tr("outcome.daily_cap", count=3)
    assert zero_stamp_reason(capped, None, tr) == tr("sale.none")
    # The engine says why; the till no longer guesses from the rules it knows.
    assert zero_stamp_reason(_sale("4.50", 0), programme, tr) == tr("sale.none")
    assert zero_stamp_reason(_sale("1.50", 0, ("walk_in",)), programme, tr) == tr("sale.none")
    assert sale_lines(_sale("4.50", 1), programme, tr) == [
        "Sale no. 7 — €4.50",
        "+1 stamp — 5/10 — Cookie offert at 6 (1 to go)",
    ]


def test_the_till_reaches_the_data_only_through_the_desk() -> None:
    """No module of the till imports the database layer or the services, nor
    reaches behind the Desk (``desk.store``): the Desk is its only door."""
    import ast
    from pathlib import Path

    import stampdesk.tui

    forbidden = ("sqlalchemy", "stampdesk.db", "stampdesk.store", "stampdesk.models", "stampdesk.services")
    for path in Path(stampdesk.tui.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                # "from ...services import x": every package of the till sits under stampdesk.
                names = [f"stampdesk.{node.module or ''}" if node.level else node.module or ""]
            else:
                if isinstance(node, ast.Attribute) and node.attr == "store":
                    raise AssertionError(f"{path.name} reaches behind the Desk (.store)")
                continue
            for name in names:
                assert not name.startswith(forbidden), f"{path.name} imports {name}"
