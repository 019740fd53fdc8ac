"""Pre-printed cards: numbers issued blank, printed as a vector PDF (read
back: its text, and its barcodes from a 300 dpi rendering of each page), and
handed out at their first sale or enrolment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
import zxingcpp
from pypdf import PdfReader

import stampdesk as engine
from helpers import EXAMPLE_PROGRAM
from stampdesk import InvalidInput, Refused
from stampdesk.config import ShopDetails
from stampdesk.desk import Desk
from stampdesk.domain.card_numbers import check_digit
from stampdesk.domain.program import parse_program_toml
from stampdesk.printer.card_sheet import write_cards_pdf
from test_cli import ok_json, refused, stampdesk

CAFE = ShopDetails(name="Café Bleu", address="12 rue de l'Église, Besançon", phone="03 81 00 00 00")
ENGLISH_PROGRAM = """
[program]
name = "The Corner Bakery"
stamps_per_card = 8
starter_stamps = 1
[[program.milestones]]
at = 3
reward = "Free croissant"
[[program.milestones]]
at = 8
reward = "Free coffee"
[program.earning]
per_visit = 1
"""


def numbers(count: int) -> list[str]:
    bodies = [f"29{i:010d}" for i in range(1, count + 1)]
    return [body + check_digit(body) for body in bodies]


def text_of(pdf: Path) -> list[str]:
    """Each page's text as a PDF reader extracts it (what copy and paste gives)."""
    return [page.extract_text() for page in PdfReader(pdf).pages]


def scanned(
    pdf: Path, kind: Any, only: tuple[int, ...] | None = None
) -> list[list[tuple[str, float, float]]]:
    """Each page rendered at 300 dpi as a printer would, and the symbols of
    ``kind`` read off it: (text, centre x, centre y) in mm from the top left."""
    pages = []
    document = pdfium.PdfDocument(pdf)
    for index, page in enumerate(document):
        if only is not None and index not in only:
            continue
        image = page.render(scale=300 / 72).to_pil()
        found = []
        for symbol in zxingcpp.read_barcodes(image, formats=kind):
            corners = symbol.position
            xs = [corners.top_left.x, corners.top_right.x, corners.bottom_left.x, corners.bottom_right.x]
            ys = [corners.top_left.y, corners.top_right.y, corners.bottom_left.y, corners.bottom_right.y]
            found.append((symbol.text, sum(xs) / 4 / image.width * 210, sum(ys) / 4 / image.height * 297))
        pages.append(found)
    document.close()
    return pages


def card_at(x: float, y: float) -> tuple[int, int]:
    """The (column, row) of the 85 x 55 mm card under a point of an A4 page (in mm)."""
    return int((x - 20) // 85), int((y - 11) // 55)


def test_twelve_french_cards_are_a_small_vector_pdf_whose_text_and_barcodes_read_back(tmp_path: Path) -> None:
    program = parse_program_toml(EXAMPLE_PROGRAM.read_text())
    cards = numbers(12)
    out = tmp_path / "cards.pdf"
    assert write_cards_pdf(out, cards, program, CAFE, "fr_FR") == 2
    assert out.stat().st_size <= 200_000
    first, second = text_of(out)
    for said in (
        "Café Bleu",
        "12 rue de l'Église, Besançon",
        "Tél. 03 81 00 00 00",
        "Carte de fidélité",
        "2 tampons déjà offerts",
        "3 : Croissant offert",
        "6 : Cookie offert",
        "10 : Un café offert",
    ):
        assert first.count(said) == 10 and second.count(said) == 2, said
    # Vector: no picture anywhere, the barcodes are drawn bars.
    assert all("/XObject" not in str(page["/Resources"]) for page in PdfReader(out).pages)
    page_one, page_two = scanned(out, zxingcpp.BarcodeFormat.EAN13)
    assert sorted(code for code, _, _ in page_one) == cards[:10]
    assert sorted(code for code, _, _ in page_two) == cards[10:]


def test_english_cards_name_the_programme_when_the_shop_is_not_configured(tmp_path: Path) -> None:
    program = parse_program_toml(ENGLISH_PROGRAM)
    out = tmp_path / "cards.pdf"
    write_cards_pdf(out, numbers(3), program, ShopDetails(), "en_GB")
    [text] = text_of(out)
    for said in ("The Corner Bakery", "Loyalty card", "1 stamp already on the card", "3: Free croissant"):
        assert text.count(said) == 3, said
    assert "8: Free coffee" in text and "Tel." not in text
    [found] = scanned(out, zxingcpp.BarcodeFormat.EAN13)
    assert sorted(code for code, _, _ in found) == numbers(3)


def test_the_backs_say_the_rules_and_carry_each_cards_link_behind_its_front(tmp_path: Path) -> None:
    program = parse_program_toml(EXAMPLE_PROGRAM.read_text())
    cards = numbers(12)
    links = [f"https://cafe.example/card/{n}" for n in cards]
    out = tmp_path / "cards.pdf"
    assert write_cards_pdf(out, cards, program, CAFE, "fr_FR", links=links) == 4
    assert out.stat().st_size <= 200_000
    texts = text_of(out)
    assert "Comment ça marche" not in texts[0] and "Carte de fidélité" not in texts[1]
    for said in ("Comment ça marche", "1 tampon par visite dès 2,00 €", "Au plus 3 tampons par jour"):
        assert texts[1].count(said) == 10 and texts[3].count(said) == 2, said
    pages = scanned(out, (zxingcpp.BarcodeFormat.EAN13, zxingcpp.BarcodeFormat.QRCode))
    for front, back in ((pages[0], pages[1]), (pages[2], pages[3])):
        fronts = {code: card_at(x, y) for code, x, y in front}
        backs = {link: card_at(x, y) for link, x, y in back}
        assert len(backs) == len(fronts) and len(set(fronts.values())) == len(fronts)
        for number, (column, row) in fronts.items():
            # Turned over its long edge, the page puts this back behind its front.
            assert backs[f"https://cafe.example/card/{number}"] == (1 - column, row)


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


def test_cards_print_writes_the_shops_cards_and_their_backs(sqlite_url: str, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        'locale = "en_GB"\npublic_url = "https://cafe.example/"\n'
        '[shop]\nname = "Blue Café"\naddress = "3 Mill Lane, York"\nphone = "01904 000000"\n',
        encoding="utf-8",
    )
    where = ("--db", sqlite_url, "--config", str(config))
    ok_json("program", "load", str(EXAMPLE_PROGRAM), *where)
    out = tmp_path / "cards.pdf"
    data = ok_json("cards", "print", "--count", "12", "--out", str(out), "--back", *where)
    assert len(data["cards"]) == 12 and data["pages"] == 4 and data["back"] is True
    texts = text_of(out)
    assert texts[0].count("Blue Café") == 10 and texts[0].count("Tel. 01904 000000") == 10
    assert texts[1].count("How it works") == 10
    pages = scanned(out, zxingcpp.BarcodeFormat.QRCode, only=(1, 3))
    links = {link for page in pages for link, _, _ in page}
    assert len(links) == 12 and all(link.startswith("https://cafe.example/card/") for link in links)
    # The link on a card's back opens that card's own page.
    desk = engine.connect(sqlite_url)
    try:
        opened = {desk.card_for_link(link.rsplit("/", 1)[1]).number for link in links}
    finally:
        desk.close()
    assert opened == set(data["cards"])
    bad = refused("cards", "print", "--count", "5", "--out", str(tmp_path / "x.txt"), *where)
    assert "pdf" in bad["message"]


@pytest.mark.parametrize(
    ("locale", "said"),
    [
        ("fr_FR", "2 tampons de bienvenue + 1 pour cette visite → 3/10"),
        ("en_GB", "2 starter stamps + 1 for this visit → 3/10"),
    ],
)
def test_a_printed_cards_first_sale_says_its_starter_stamps_apart(
    sqlite_url: str, tmp_path: Path, locale: str, said: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'locale = "{locale}"\n', encoding="utf-8")
    where = ("--db", sqlite_url, "--config", str(config))
    ok_json("program", "load", str(EXAMPLE_PROGRAM), *where)
    [number] = ok_json("cards", "print", "--count", "1", "--out", str(tmp_path / "c.pdf"), *where)["cards"]
    first = stampdesk("checkout", "--card", number, "--amount", "4.50", "--key", "k1", *where)
    assert first.status == 0 and said in first.out, first
    assert "+3" not in first.out
    sale = ok_json("checkout", "--card", number, "--amount", "4.50", "--key", "k1", *where)
    assert (sale["replayed"], sale["starter_stamps"], sale["stamps_added"], sale["balance"]) == (
        True,
        2,
        1,
        3,
    )
    second = ok_json("checkout", "--card", number, "--amount", "4.50", *where)
    assert (second["starter_stamps"], second["stamps_added"], second["balance"]) == (0, 1, 4)
