"""Pre-printed cards: numbers issued blank, printed as a PDF whose barcodes
scan, and handed out at their first sale or enrolment."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import zxingcpp

from helpers import EXAMPLE_PROGRAM
from stampdesk import InvalidInput, Refused
from stampdesk.desk import Desk
from stampdesk.domain.card_numbers import check_digit
from stampdesk.domain.program import parse_program_toml
from stampdesk.printer.card_sheet import card_pages


def test_printed_cards_carry_barcodes_every_scanner_reads() -> None:
    program = parse_program_toml(EXAMPLE_PROGRAM.read_text())
    numbers = [body + check_digit(body) for body in ("290000000000", "291234567890", "299876543210")]
    [page] = card_pages(numbers, program)
    found = {c.text for c in zxingcpp.read_barcodes(page) if c.format == zxingcpp.BarcodeFormat.EAN13}
    assert found == set(numbers)


def test_a_blank_card_gets_its_starter_stamps_at_its_first_sale(desk: Desk) -> None:
    [number] = desk.issue_cards(1)
    assert desk.card(number).status == "blank" and desk.card(number).name is None
    sale = desk.checkout(card=number, amount="5.00")
    assert (sale.stamps_added, sale.balance) == (1, 3)  # 2 starter stamps + this sale's one
    assert [c.reward for c in sale.coupons] == ["Croissant offert"]
    assert desk.card(number).status == "active"
    # Enrolling later names the card and keeps its stamps: no second starter.
    enrolled = desk.enrol(name="Louise", card=number)
    assert (enrolled.number, enrolled.card.balance, enrolled.starter_stamps) == (number, 3, 0)
    assert desk.refund(sale.checkout).balance == 2
    assert desk.check().ok


def test_enrolling_with_a_blank_card_gives_the_starter_stamps(desk: Desk) -> None:
    [number] = desk.issue_cards(1)
    enrolled = desk.enrol(name="Louise", email="louise@example.org", card=number)
    assert (enrolled.card.balance, enrolled.card.status, enrolled.starter_stamps) == (2, "active", 2)
    with pytest.raises(Refused) as taken:
        desk.enrol(name="Marc", card=number)
    assert taken.value.code == "card_taken"
    for bad in (0, 1001, -3):
        with pytest.raises(InvalidInput):
            desk.issue_cards(bad)


def test_cards_print_writes_a_pdf_of_new_numbers(sqlite_url: str, tmp_path: Path) -> None:
    tool = Path(sys.executable).parent / "stampdesk"
    subprocess.run(
        [str(tool), "program", "load", str(EXAMPLE_PROGRAM), "--db", sqlite_url],
        check=True,
        capture_output=True,
    )
    out = tmp_path / "cards.pdf"
    done = subprocess.run(
        [str(tool), "cards", "print", "--count", "12", "--out", str(out), "--db", sqlite_url, "--json"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert len(data["cards"]) == 12 and data["pages"] == 2
    assert (
        out.read_bytes().startswith(b"%PDF")
        and out.read_bytes().count(b"/Type /Page\n")
        + out.read_bytes().count(b"/Type /Page>")
        + out.read_bytes().count(b"/Type /Page ")
        >= 2
    )
    bad = subprocess.run(
        [str(tool), "cards", "print", "--count", "5", "--out", str(tmp_path / "x.txt"), "--db", sqlite_url],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1 and "pdf" in bad.stderr
