"""Receipts as data and as text: what the customer reads, in French and in English.

Pure and fast: results are built by hand, no database, no printer.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from stampdesk.domain import claims
from stampdesk.printer import words
from stampdesk.printer.receipt import (
    QR,
    Barcode,
    Cut,
    Progress,
    Receipt,
    Row,
    Text,
    Title,
    bar,
    build_offline_receipt,
    build_sale_receipt,
    build_test_receipt,
    layout,
)
from stampdesk.printer.render_text import render_text
from stampdesk.results import CardState, CheckoutResult, CouponInfo, MilestoneInfo, NextMilestone
from stampdesk.words import formats

PARIS = ZoneInfo("Europe/Paris")
# 14:05 in Paris: the receipt shows the shop's local time, not UTC.
SALE_AT = datetime(2026, 11, 23, 13, 5, tzinfo=UTC)
COUPON_CODE = "7KQ3M9TB"
ENROL_URL = "https://cafe.example/join/AAAAAAAE0gBqk2x8Yt3uQw1Z"
NEXT = NextMilestone(at=6, reward="Cookie offert", remaining=3)
COUPON = CouponInfo(
    code=COUPON_CODE,
    reward="Croissant offert",
    milestone=3,
    issued=SALE_AT,
    # The last second of 22/01/2027 in Paris.
    expires=datetime(2027, 1, 22, 22, 59, 59, tzinfo=UTC),
)


def card_result(**changes: object) -> CheckoutResult:
    """A sale on Marie's card that reached the 3-stamp milestone and issued a coupon."""
    result = CheckoutResult(
        checkout=1234,
        card="2001-0003-4567",
        amount=Decimal("4.50"),
        at=SALE_AT,
        stamps_added=1,
        balance=3,
        stamps_per_card=10,
        milestones=(MilestoneInfo(3, "Croissant offert"),),
        coupons=(COUPON,),
        program_version=1,
        next_milestone=NEXT,
    )
    return replace(result, **changes)  # type: ignore[arg-type]


def card_state() -> CardState:
    return CardState(
        number="2001-0003-4567",
        name="Marie Dupont",
        email="marie@example.org",
        phone=None,
        birthday=None,
        balance=3,
        cycle=0,
        stamps_per_card=10,
        next_milestone=NEXT,
        coupons=(COUPON,),
        status="active",
        created_at=SALE_AT,
        program="Café Bleu",
    )


def walk_in_result(stamps: int = 2) -> CheckoutResult:
    return CheckoutResult(
        checkout=1235,
        card=None,
        amount=Decimal("12.00"),
        at=SALE_AT,
        stamps_added=stamps,
        balance=None,
        stamps_per_card=10,
        milestones=(),
        coupons=(),
        program_version=1,
        enrol_url=ENROL_URL,
        claim_token="AAAAAAAE0gBqk2x8Yt3uQw1Z",
    )


def card_sale(locale: str = "fr_FR", width: int = 42, **kwargs: object) -> Receipt:
    return build_sale_receipt(
        shop_name="Café Bleu",
        header_lines=("12 rue des Lilas", "75011 Paris"),
        footer_lines=("Merci et à bientôt !",),
        result=card_result(),
        card=card_state(),
        locale=locale,
        zone=PARIS,
        now=SALE_AT,
        width_chars=width,
        **kwargs,  # type: ignore[arg-type]
    )


def walk_in_sale(locale: str = "fr_FR", stamps: int = 2, width: int = 42) -> Receipt:
    return build_sale_receipt(
        shop_name="Café Bleu",
        header_lines=(),
        footer_lines=("Merci !",),
        result=walk_in_result(stamps),
        card=None,
        locale=locale,
        zone=PARIS,
        now=SALE_AT,
        width_chars=width,
    )


def lines_of(receipt: Receipt) -> list[str]:
    return [line.strip() for line in render_text(receipt).splitlines()]


# --- Money, dates and words -------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "amount", "expected"),
    [
        ("fr_FR", "4.50", "4,50 €"),
        ("en_GB", "4.50", "€4.50"),
        ("fr_FR", "1234.50", "1 234,50 €"),
        ("en_GB", "1234.50", "€1,234.50"),
    ],
)
def test_money_is_written_as_the_locale_writes_it(locale: str, amount: str, expected: str) -> None:
    assert formats.money(Decimal(amount), locale) == expected


def test_days_and_times_are_the_shops() -> None:
    local = formats.local(SALE_AT, PARIS)
    assert formats.time_of_day(local, "fr_FR") == "14:05"
    assert formats.day(date(2027, 1, 22), "fr_FR") == "22/01/2027"
    assert formats.day(date(2027, 1, 22), "en_GB") == "22/01/2027"


@pytest.mark.parametrize(
    ("locale", "stamps", "expected"),
    [
        ("fr_FR", 2, "Scannez pour garder vos 2 tampons"),
        ("fr_FR", 1, "Scannez pour garder votre tampon"),
        ("en_GB", 2, "Scan to keep your 2 stamps"),
        ("en_GB", 1, "Scan to keep your stamp"),
        ("en_GB", 0, "Scan to get your loyalty card"),
    ],
)
def test_the_enrolment_caption_counts_the_stamps(locale: str, stamps: int, expected: str) -> None:
    assert words.enrol_caption(stamps, locale) == expected


# --- The receipt as data ----------------------------------------------------


def test_a_card_sale_carries_progress_and_a_coupon_with_its_barcode() -> None:
    receipt = card_sale()
    elements = receipt.elements
    assert elements[0] == Title("Café Bleu")
    assert Progress(3, 10, "Cookie offert à 6") in elements
    assert Barcode(COUPON_CODE) in elements
    assert Text("valable jusqu'au 22/01/2027", "center") in elements
    assert Row("Montant", "4,50 €", bold=True) in elements
    assert not any(isinstance(e, QR) for e in elements)
    assert isinstance(elements[-1], Cut)


def test_a_walk_in_sale_carries_the_enrolment_qr() -> None:
    elements = walk_in_sale("en_GB").elements
    assert QR(ENROL_URL, "Scan to keep your 2 stamps") in elements
    assert not any(isinstance(e, (Barcode, Progress)) for e in elements)


def test_a_receipt_is_plain_frozen_data() -> None:
    receipt = card_sale()
    assert receipt == card_sale()
    with pytest.raises(AttributeError):
        receipt.width_chars = 32  # type: ignore[misc]


@pytest.mark.parametrize(
    ("filled", "total", "expected"),
    [
        (3, 10, "■■■□□□□□□□"),
        (0, 10, "□□□□□□□□□□"),
        (10, 10, "■■■■■■■■■■"),
        (1, 100, "■" + "□" * 19),  # a stamp always shows
        (99, 100, "■" * 19 + "□"),  # one short is never full
        (15, 30, "■" * 10 + "□" * 10),
    ],
)
def test_the_progress_bar_shows_every_stamp_or_a_scale(filled: int, total: int, expected: str) -> None:
    assert bar(filled, total) == expected


# --- The receipt as text ----------------------------------------------------


@pytest.mark.parametrize("width", [32, 42, 48])
@pytest.mark.parametrize("make", [card_sale, walk_in_sale])
def test_every_text_line_is_exactly_the_width(width: int, make: object) -> None:
    receipt = make(width=width)  # type: ignore[operator]
    text = render_text(receipt)
    assert text.endswith("\n")
    assert {len(line) for line in text.splitlines()} == {width}


def test_a_french_card_receipt_reads_right() -> None:
    text = render_text(card_sale())
    lines = text.splitlines()
    assert lines[0].strip() == "Café Bleu"
    assert "23/11/2026 14:05             Vente n° 1234" in lines
    assert "Montant                             4,50 €" in lines
    assert "Carte                       ••••••••••4567" in lines
    stripped = [line.strip() for line in lines]
    assert "Client : Marie" in stripped
    assert "Palier atteint : Croissant offert" in stripped
    assert "■■■□□□□□□□ 3/10 — Cookie offert à 6" in stripped
    assert "Encore 3 tampons pour : Cookie offert" in stripped
    assert "BON : Croissant offert" in stripped
    assert "valable jusqu'au 22/01/2027" in stripped
    assert f"[CODE128 {COUPON_CODE}]" in stripped
    assert COUPON_CODE in stripped  # printed under the barcode
    assert "Merci et à bientôt !" in stripped
    assert "DUPLICATA" not in text


def test_an_english_card_receipt_reads_right() -> None:
    stripped = lines_of(card_sale("en_GB"))
    assert "23/11/2026 14:05             Sale no. 1234" in stripped
    assert "Amount" + " " * 31 + "€4.50" in stripped
    assert "■■■□□□□□□□ 3/10 — Cookie offert at 6" in stripped
    assert "3 more stamps to: Cookie offert" in stripped
    assert "COUPON: Croissant offert" in stripped
    assert "valid until 22/01/2027" in stripped


@pytest.mark.parametrize(
    ("locale", "starter", "added"),
    [("fr_FR", "Tampons de bienvenue", "Tampons ajoutés"), ("en_GB", "Starter stamps", "Stamps added")],
)
def test_a_printed_cards_first_sale_prints_its_starter_stamps_apart(
    locale: str, starter: str, added: str
) -> None:
    first = build_sale_receipt(
        shop_name="Café Bleu",
        header_lines=(),
        footer_lines=(),
        result=card_result(starter_stamps=2, stamps_added=1),
        card=card_state(),
        locale=locale,
        zone=PARIS,
        now=SALE_AT,
        width_chars=42,
    )
    lines = render_text(first).splitlines()
    assert f"{starter:<40}+2" in lines and f"{added:<40}+1" in lines
    assert not any(line.startswith(starter) for line in render_text(card_sale(locale)).splitlines())


def test_a_walk_in_receipt_shows_the_qr_payload_and_its_caption() -> None:
    text = render_text(walk_in_sale("fr_FR"))
    assert "[QR" + ENROL_URL + "]" in text.replace("\n", "").replace(" ", "")
    assert "Scannez pour garder vos 2 tampons" in lines_of(walk_in_sale("fr_FR"))
    assert "Scannez pour garder votre tampon" in lines_of(walk_in_sale("fr_FR", stamps=1))


def claimable_walk_in(locale: str, stamps: int = 2, width: int = 42) -> Receipt:
    """A walk-in sale whose receipt's token (as the engine makes it) keeps
    its stamps until 23/12/2026 included."""
    token = claims.make_token(b"s" * 32, 1235, date(2026, 12, 23))
    result = replace(
        walk_in_result(stamps), claim_token=token, enrol_url=f"https://cafe.example/join/{token}"
    )
    return build_sale_receipt(
        shop_name="Café Bleu",
        result=result,
        card=None,
        locale=locale,
        zone=PARIS,
        now=SALE_AT,
        width_chars=width,
    )


@pytest.mark.parametrize(
    ("locale", "caption", "last_day"),
    [
        ("fr_FR", "Scannez pour garder vos 2 tampons", "À garder jusqu'au 23/12/2026"),
        ("en_GB", "Scan to keep your 2 stamps", "Claim by 23/12/2026"),
    ],
)
def test_a_walk_in_receipt_prints_the_last_day_to_claim_under_its_qr(
    locale: str, caption: str, last_day: str
) -> None:
    receipt = claimable_walk_in(locale)
    elements = list(receipt.elements)
    qr = next(i for i, e in enumerate(elements) if isinstance(e, QR))
    assert elements[qr + 1] == Text(last_day, "center", bold=True)
    lines = lines_of(receipt)
    assert lines[lines.index(caption) + 1] == last_day


def test_the_last_day_to_claim_fits_narrow_paper_and_a_sale_without_stamps_has_none() -> None:
    assert "À garder jusqu'au 23/12/2026" in lines_of(claimable_walk_in("fr_FR", width=32))
    # No stamp to keep: the code only offers a card, with no day to keep it by.
    assert not any("garder jusqu" in line for line in lines_of(claimable_walk_in("fr_FR", stamps=0)))
    # A card's sale has no code and no claim.
    assert not any("garder jusqu" in line for line in lines_of(card_sale()))


def test_a_duplicate_says_so_and_when_it_was_reprinted() -> None:
    receipt = build_sale_receipt(
        shop_name="Café Bleu",
        result=card_result(),
        card=card_state(),
        locale="fr_FR",
        zone=PARIS,
        now=datetime(2026, 11, 24, 8, 30, tzinfo=UTC),
        duplicate=True,
    )
    stripped = lines_of(receipt)
    assert "*** DUPLICATA ***" in stripped
    assert "Réimprimé le 24/11/2026 à 09:30" in stripped
    # The sale keeps its own date.
    assert any(line.startswith("23/11/2026 14:05") for line in stripped)
    english = lines_of(replace(receipt, elements=tuple(card_sale("en_GB", duplicate=True).elements)))
    assert "*** DUPLICATE ***" in english


def test_a_card_without_a_name_or_coupon_still_shows_its_progress() -> None:
    receipt = build_sale_receipt(
        shop_name="Café Bleu",
        result=card_result(
            milestones=(), coupons=(), balance=4, next_milestone=NextMilestone(6, "Cookie", 2)
        ),
        card=None,
        locale="en_GB",
        zone=PARIS,
        now=SALE_AT,
    )
    stripped = lines_of(receipt)
    assert "■■■■□□□□□□ 4/10 — Cookie at 6" in stripped
    assert "2 more stamps to: Cookie" in stripped
    assert not any(isinstance(e, Barcode) for e in receipt.elements)


SURPRISE = "Pour votre 4e visite, un tampon offert !"
KEEP_GOLD = "5 visites et 75,00 € d'achats pour rester Gold d'ici le 29/06/2026"


def loyalty_sale(locale: str = "fr_FR", width: int = 42) -> Receipt:
    """A Gold customer's 4th visit: its surprise and what keeps the tier."""
    return build_sale_receipt(
        shop_name="Café Bleu",
        result=card_result(tier="Gold", messages=(SURPRISE, KEEP_GOLD)),
        card=card_state(),
        locale=locale,
        zone=PARIS,
        now=SALE_AT,
        width_chars=width,
    )


def test_a_sale_prints_its_tier_and_every_line_the_engine_wrote() -> None:
    stripped = lines_of(loyalty_sale())
    assert "Niveau" + " " * 32 + "Gold" in stripped
    assert SURPRISE in stripped
    # Wrapped to the paper like any paragraph: no word lost, none cut.
    assert " ".join(stripped).count(KEEP_GOLD) == 1
    assert stripped.index(SURPRISE) < stripped.index("BON : Croissant offert")  # before the coupons
    assert "Status" + " " * 32 + "Gold" in lines_of(loyalty_sale("en_GB"))


def test_a_sale_without_tier_or_message_prints_neither() -> None:
    stripped = lines_of(card_sale())  # no tier in the programme, nothing to say
    assert not any(line.startswith("Niveau") for line in stripped)


def test_narrow_paper_wraps_the_sales_messages() -> None:
    lines = render_text(loyalty_sale(width=32)).splitlines()
    assert {len(line) for line in lines} == {32}
    assert " ".join(" ".join(line.split()) for line in lines).count(KEEP_GOLD) == 1


def test_narrow_paper_wraps_the_progress_label_and_long_lines() -> None:
    receipt = card_sale(width=32)
    stripped = lines_of(receipt)
    assert "■■■□□□□□□□ 3/10" in stripped
    assert "Cookie offert à 6" in stripped
    long = Receipt((Text("word " * 20), Row("a very long left column that wraps", "9,99 €")), 20)
    lines = render_text(long).splitlines()
    assert {len(line) for line in lines} == {20}
    assert lines[-1].endswith("9,99 €")


def test_the_test_page_has_accents_a_qr_a_barcode_and_a_bar() -> None:
    receipt = build_test_receipt("Café Bleu", "fr_FR", 42)
    text = render_text(receipt)
    assert "àéèçùœ€" in text
    assert "■■■□□□□□□□ 3/10" in text
    assert any(isinstance(e, QR) for e in receipt.elements)
    assert any(isinstance(e, Barcode) and e.symbology == "CODE128" for e in receipt.elements)
    assert "123456789012345678901234567890123456789012" in text  # the column ruler
    assert {len(line) for line in text.splitlines()} == {42}


def test_layout_folds_text_before_measuring_so_columns_hold() -> None:
    receipt = Receipt((Row("Cœur", "4,50 €"),), 20)
    lines = layout(receipt, fold=lambda t: t.replace("œ", "oe").replace("€", "EUR"))
    assert [line.text for line in lines] == ["Coeur       4,50 EUR"]  # type: ignore[union-attr]


# --- What a thrown-away receipt tells -----------------------------------------
#
# A receipt left on the table must not let anyone use the card at the till:
# by default it names the first name and the card's last 4 digits only.

NUMBER = "2977836403689"


def named_sale(**kwargs: object) -> Receipt:
    return build_sale_receipt(
        shop_name="Café Bleu",
        result=card_result(card=NUMBER),
        card=replace(card_state(), number=NUMBER, name="Léa Marchand-Dupont"),
        locale=str(kwargs.pop("locale", "fr_FR")),
        zone=PARIS,
        now=SALE_AT,
        **kwargs,  # type: ignore[arg-type]
    )


def offline_sale(**kwargs: object) -> Receipt:
    return build_offline_receipt(
        shop_name="Café Bleu",
        card=NUMBER,
        amount=Decimal("5.40"),
        at=SALE_AT,
        reference="gare-1-0002",
        locale="fr_FR",
        zone=PARIS,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("duplicate", [False, True], ids=["sale", "reprint"])
@pytest.mark.parametrize("width", [32, 42, 48])
def test_a_card_receipt_names_the_first_name_and_the_cards_last_four_digits_only(
    duplicate: bool, width: int
) -> None:
    receipt = named_sale(duplicate=duplicate, width_chars=width)
    text = render_text(receipt)
    stripped = [line.strip() for line in text.splitlines()]
    assert f"Carte{' ' * (width - 18)}•••••••••3689" in stripped
    assert "Client : Léa" in stripped
    assert NUMBER not in text and NUMBER[:9] not in text.replace(" ", "")
    assert "Marchand" not in text and "Dupont" not in text
    # The coupon is its own, used once: its barcode stays; no code of the card.
    codes = [e.data for e in receipt.elements if isinstance(e, Barcode)]
    assert codes == [COUPON_CODE]
    assert {len(line) for line in text.splitlines()} == {width}


def test_an_english_receipt_masks_the_card_alike() -> None:
    stripped = lines_of(named_sale(locale="en_GB"))
    assert "Card" + " " * 25 + "•••••••••3689" in stripped
    assert "Customer: Léa" in stripped


def test_an_offline_receipt_shows_the_cards_last_four_digits_only() -> None:
    text = render_text(offline_sale())
    assert "Carte" + " " * 24 + "•••••••••3689" in text.splitlines()
    assert NUMBER not in text


def test_the_shop_may_print_the_whole_card_number_and_name() -> None:
    stripped = lines_of(named_sale(card_details="full"))
    assert "Carte" + " " * 24 + NUMBER in stripped
    assert "Client : Léa Marchand-Dupont" in stripped
    assert NUMBER in render_text(offline_sale(card_details="full"))
