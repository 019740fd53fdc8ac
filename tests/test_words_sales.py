"""The sales side's errors, raised by the real services on a real SQLite
file, said in English (``message``: the API's and the logs') and in French
(``Book("fr_FR").error``: the till's, the pages')."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from helpers import Clock, make_desk
from stampdesk.desk import Desk
from stampdesk.domain.errors import InvalidInput, NotFound, Refused, StampdeskError
from stampdesk.services import printing
from stampdesk.words import Book

UNKNOWN_CARD = "2900000000001"  # a well-formed number no card has
FRENCH = Book("fr_FR")


def said(attempt: Callable[[], Any], kind: type[StampdeskError] = StampdeskError) -> tuple[str, str, str]:
    """The code, English and French words of the error ``attempt`` raises."""
    with pytest.raises(kind) as caught:
        attempt()
    error = caught.value
    assert error.given is None, "said in a sentence of its own, not through the book"
    return error.code, error.message, FRENCH.error(error)


def coupon_of(desk: Desk) -> tuple[str, str]:
    """A card and the coupon its third stamp gives (the croissant)."""
    card = desk.enrol(name="Ana Martin").number  # 2 starter stamps
    sale = desk.checkout(card=card, amount="4.50")
    return card, sale.coupons[0].code


# --- cards.py ---------------------------------------------------------------


def test_a_card_no_shop_of_the_chain_has_is_unknown_without_naming_a_shop(sqlite_desk: Desk) -> None:
    assert said(lambda: sqlite_desk.card(UNKNOWN_CARD), NotFound) == (
        "unknown_card",
        f"no card {UNKNOWN_CARD}",
        f"carte {UNKNOWN_CARD} inconnue",
    )


def test_enrolment_refusals_are_said_in_both_languages(sqlite_desk: Desk) -> None:
    sqlite_desk.enrol(name="Ana Martin", email="ana@example.org")
    assert said(lambda: sqlite_desk.enrol(name="Ana M", email="ana@example.org"), Refused) == (
        "already_enrolled",
        "ana@example.org is already enrolled: look the card up instead",
        "ana@example.org a déjà une carte : cherchez-la plutôt",
    )
    assert said(lambda: sqlite_desk.enrol(name="Léo", referrer=UNKNOWN_CARD), NotFound) == (
        "unknown_card",
        f"no card {UNKNOWN_CARD} to refer from",
        f"aucune carte {UNKNOWN_CARD} pour parrainer",
    )


def test_a_card_without_a_customer_takes_no_note(sqlite_desk: Desk) -> None:
    (blank,) = sqlite_desk.issue_cards(1)
    assert said(lambda: sqlite_desk.set_notes(blank, "flat white"), Refused) == (
        "card_not_enrolled",
        f"card {blank} has no customer yet: enrol it first",
        f"la carte {blank} n'a pas encore de client : inscrivez-le d'abord",
    )


def test_printed_cards_and_adjustments_say_their_limits(sqlite_desk: Desk) -> None:
    assert said(lambda: sqlite_desk.issue_cards(0), InvalidInput) == (
        "invalid_count",
        "print from 1 to 1000 cards at a time",
        "imprimez de 1 à 1000 cartes à la fois",
    )
    card = sqlite_desk.enrol(name="Ana Martin").number
    assert said(lambda: sqlite_desk.adjust(card, 0, reason="typo", staff="Zoé"), InvalidInput)[1:] == (
        "an adjustment is a whole number of stamps from -100 to 100, not 0",
        "un ajustement est un nombre entier de tampons de -100 à 100, sauf 0",
    )


# --- claims.py and card_links.py --------------------------------------------


def test_a_receipt_past_its_claim_days_says_its_last_day(sqlite_desk: Desk, clock: Clock) -> None:
    sale = sqlite_desk.checkout(amount="4.50")  # Monday 2 March 2026, a walk-in
    assert sale.enrol_url is not None
    token = sale.enrol_url.rsplit("/join/", 1)[1]
    clock.advance(days=31)
    assert said(lambda: sqlite_desk.join_preview(token), Refused) == (
        "claim_expired",
        "this receipt could be used to keep its stamps until 01/04/2026",
        "ce ticket permettait de garder ses tampons jusqu'au 01/04/2026",
    )
    assert said(lambda: sqlite_desk.join_preview("x" * 32), InvalidInput)[1:] == (
        "this receipt code is not valid",
        "ce code de ticket n'est pas valable",
    )


def test_a_receipt_claimed_once_cannot_be_claimed_again(sqlite_desk: Desk) -> None:
    sale = sqlite_desk.checkout(amount="4.50")
    assert sale.enrol_url is not None
    token = sale.enrol_url.rsplit("/join/", 1)[1]
    sqlite_desk.join(token, name="Ana", email="ana@example.org")
    assert said(lambda: sqlite_desk.join_preview(token), Refused) == (
        "already_claimed",
        "the stamps of this receipt were already claimed",
        "les tampons de ce ticket ont déjà été récupérés",
    )


def test_a_card_link_that_is_forged_or_of_an_erased_card(sqlite_desk: Desk) -> None:
    assert said(lambda: sqlite_desk.card_for_link("not a link"), NotFound) == (
        "invalid_card_link",
        "this card link is not valid",
        "ce lien de carte n'est pas valable",
    )
    card = sqlite_desk.enrol(name="Ana Martin").number
    token = sqlite_desk.card_token(card)
    sqlite_desk.erase(card)
    assert said(lambda: sqlite_desk.card_for_link(token), NotFound) == (
        "card_erased",
        "this card was erased at its holder's request",
        "cette carte a été effacée à la demande de son titulaire",
    )


# --- privacy.py ---------------------------------------------------------------


def test_a_correction_to_another_customers_email_is_refused(sqlite_desk: Desk) -> None:
    sqlite_desk.enrol(name="Ana Martin", email="ana@example.org")
    ben = sqlite_desk.enrol(name="Ben Durand", email="ben@example.org").number
    assert said(lambda: sqlite_desk.correct(ben, name="Ben", email="ana@example.org"), Refused) == (
        "already_enrolled",
        "ana@example.org is already enrolled on another card",
        "ana@example.org est déjà sur une autre carte",
    )
    assert said(lambda: sqlite_desk.erase(UNKNOWN_CARD), NotFound)[1:] == (
        f"no card {UNKNOWN_CARD}",
        f"carte {UNKNOWN_CARD} inconnue",
    )


# --- checkout.py ----------------------------------------------------------------


def test_a_sale_on_an_erased_card_is_refused_with_what_to_do(sqlite_desk: Desk) -> None:
    card = sqlite_desk.enrol(name="Ana Martin").number
    sqlite_desk.erase(card)
    assert said(lambda: sqlite_desk.checkout(card=card, amount="4.50"), NotFound) == (
        "card_erased",
        f"card {card} was erased at its holder's request: record the sale without a card",
        f"la carte {card} a été effacée : enregistrez la vente sans carte",
    )


def test_a_sale_of_too_many_lines_and_a_reused_key(sqlite_desk: Desk) -> None:
    items = [{"sku": f"S{i}", "category": "food", "quantity": 1, "unit_price": "1.00"} for i in range(501)]
    assert said(lambda: sqlite_desk.checkout(amount="501.00", items=items), InvalidInput) == (
        "invalid_item",
        "a sale may hold at most 500 items",
        "une vente compte au plus 500 articles",
    )
    first = sqlite_desk.checkout(amount="4.50", idempotency_key="till1-42")
    assert said(lambda: sqlite_desk.checkout(amount="9.00", idempotency_key="till1-42"), Refused) == (
        "idempotency_conflict",
        f"idempotency key 'till1-42' was already used for a different sale (checkout {first.checkout})",
        f"la clé d'idempotence « till1-42 » a déjà servi pour une autre vente (vente n° {first.checkout})",
    )


# --- coupons.py -------------------------------------------------------------------


def test_an_expired_coupon_says_its_last_day_as_the_shop_writes_it(sqlite_desk: Desk, clock: Clock) -> None:
    _, code = coupon_of(sqlite_desk)  # 2 March 2026: valid 60 days, until 1 May included
    clock.advance(days=61)
    assert said(lambda: sqlite_desk.redeem(code), Refused) == (
        "coupon_expired",
        f"coupon {code} expired on 01/05/2026",
        f"bon {code} expiré le 01/05/2026",
    )


def test_a_used_coupon_says_when_in_the_shops_time(sqlite_desk: Desk) -> None:
    _, code = coupon_of(sqlite_desk)
    sqlite_desk.redeem(code)  # 08:00 UTC: 09:00 in Paris
    assert said(lambda: sqlite_desk.redeem(code), Refused) == (
        "coupon_used",
        f"coupon {code} was already used on 02/03/2026 09:00",
        f"bon {code} déjà utilisé le 02/03/2026 09:00",
    )


def test_a_coupon_of_an_erased_card_is_cancelled(sqlite_desk: Desk) -> None:
    card, code = coupon_of(sqlite_desk)
    sqlite_desk.erase(card)
    assert said(lambda: sqlite_desk.redeem(code), Refused) == (
        "coupon_voided",
        f"coupon {code} was cancelled: its card was erased",
        f"bon {code} annulé : sa carte a été effacée",
    )


@pytest.mark.parametrize("typed", ["QWERTYUP", "qwerty-up", "UUUU 1234"])
def test_eight_letters_that_are_no_coupon_are_no_coupon_not_a_malformed_code(
    sqlite_desk: Desk, typed: str
) -> None:
    shown = typed.upper().replace("-", "").replace(" ", "")
    assert said(lambda: sqlite_desk.redeem(typed), NotFound) == (
        "unknown_coupon",
        f"no coupon {shown}",
        f"bon {shown} inconnu",
    )


def test_a_code_of_the_wrong_length_or_a_mistyped_one_is_still_malformed(sqlite_desk: Desk) -> None:
    _, code = coupon_of(sqlite_desk)
    wrong_check = code[:7] + ("0" if code[7] != "0" else "1")
    for typed in ("XYZ", "QWERTYUPX", wrong_check):
        with pytest.raises(InvalidInput) as caught:
            sqlite_desk.redeem(typed)
        assert caught.value.code == "invalid_coupon_code"
    assert sqlite_desk.redeem(code).code == code  # nothing was used up meanwhile


# --- refunds.py and idempotency.py ------------------------------------------------


def test_a_second_refund_says_when_the_first_was_made(sqlite_desk: Desk, clock: Clock) -> None:
    sale = sqlite_desk.checkout(amount="4.50")
    clock.advance(hours=5, minutes=5)
    sqlite_desk.refund(sale.checkout)  # 13:05 UTC: 14:05 in Paris
    assert said(lambda: sqlite_desk.refund(sale.checkout), Refused) == (
        "already_refunded",
        f"checkout {sale.checkout} was already refunded on 02/03/2026 14:05",
        f"la vente n° {sale.checkout} a déjà été remboursée le 02/03/2026 14:05",
    )
    assert said(lambda: sqlite_desk.refund_preview(sale.checkout), Refused)[0] == "already_refunded"
    assert said(lambda: sqlite_desk.refund(sale.checkout + 517), NotFound) == (
        "unknown_checkout",
        f"no checkout {sale.checkout + 517}",
        f"vente n° {sale.checkout + 517} inconnue",
    )


def test_a_refund_key_used_for_another_sale_is_refused(sqlite_desk: Desk) -> None:
    one = sqlite_desk.checkout(amount="4.50")
    two = sqlite_desk.checkout(amount="5.50")
    sqlite_desk.refund_once(one.checkout, idempotency_key="r-1")
    assert said(lambda: sqlite_desk.refund_once(two.checkout, idempotency_key="r-1"), Refused) == (
        "idempotency_conflict",
        "idempotency key 'r-1' was already used for a different refund",
        "la clé d'idempotence « r-1 » a déjà servi pour un autre remboursement",
    )


def test_a_redemption_key_used_for_another_coupon_is_refused(sqlite_desk: Desk) -> None:
    _, first = coupon_of(sqlite_desk)
    ben = sqlite_desk.enrol(name="Ben Durand").number
    second = sqlite_desk.checkout(card=ben, amount="4.50").coupons[0].code
    sqlite_desk.redeem_once(first, idempotency_key="c-1")
    assert said(lambda: sqlite_desk.redeem_once(second, idempotency_key="c-1"), Refused)[1:] == (
        "idempotency key 'c-1' was already used for a different redeem",
        "la clé d'idempotence « c-1 » a déjà servi pour un autre bon",
    )


# --- printing.py, leaderboard.py, program.py ----------------------------------


def test_print_jobs_and_receipts_of_nothing(sqlite_desk: Desk) -> None:
    assert said(lambda: sqlite_desk.reprint(5188), NotFound) == (
        "unknown_checkout",
        "no checkout 5188",
        "vente n° 5188 inconnue",
    )
    assert said(lambda: printing.job(sqlite_desk.store, 77), NotFound) == (
        "unknown_print_job",
        "no print job 77",
        "impression n° 77 inconnue",
    )


def test_the_board_says_how_many_it_shows(sqlite_desk: Desk) -> None:
    assert said(lambda: sqlite_desk.leaderboard(limit=0), InvalidInput) == (
        "invalid_limit",
        "the board shows from 1 to 100 customers",
        "le tableau montre de 1 à 100 clients",
    )


def test_a_programme_file_missing_or_not_loaded(sqlite_url: str, clock: Clock, tmp_path: Path) -> None:
    desk = make_desk(sqlite_url, clock)
    try:
        assert said(desk.program, NotFound) == (
            "no_program",
            "no programme is loaded yet: run `stampdesk program load FILE`",
            "aucun programme n'est encore chargé : lancez `stampdesk program load FICHIER`",
        )
        missing = tmp_path / "nope.toml"
        assert said(lambda: desk.load_program_file(missing), InvalidInput) == (
            "invalid_program",
            f"programme file {missing} does not exist",
            f"le fichier de programme {missing} n'existe pas",
        )
    finally:
        desk.close()


# --- apikeys.py -----------------------------------------------------------------------


def test_api_key_refusals(sqlite_desk: Desk) -> None:
    sqlite_desk.create_api_key("till-1")
    assert said(lambda: sqlite_desk.create_api_key("till-1"), Refused) == (
        "api_key_exists",
        "till till-1 already has a live API key: revoke it first (stampdesk apikey revoke till-1)",
        "la caisse till-1 a déjà une clé d'API active : révoquez-la d'abord (stampdesk apikey revoke till-1)",
    )
    assert said(lambda: sqlite_desk.revoke_api_key("till-9"), NotFound)[1:] == (
        "no live API key named till-9",
        "aucune clé d'API active nommée till-9",
    )
    assert said(lambda: sqlite_desk.create_api_key("till-2", "boss"), InvalidInput) == (
        "invalid_role",
        "role must be one of till, admin, got 'boss'",
        "le rôle doit être l'un de : till, admin (reçu : « boss »)",
    )


# --- report.py ---------------------------------------------------------------------------


def test_a_reversed_or_malformed_period_says_its_days(sqlite_desk: Desk) -> None:
    assert said(lambda: sqlite_desk.report("2026-03-31", "2026-03-01"), InvalidInput) == (
        "invalid_period",
        "the period starts (31/03/2026) after it ends (01/03/2026)",
        "la période commence (31/03/2026) après sa fin (01/03/2026)",
    )
    assert said(lambda: sqlite_desk.report("31/03/2026"), InvalidInput)[1:] == (
        "--from must be a day such as 2026-03-01, got '31/03/2026'",
        "--from doit être un jour comme 2026-03-01, pas « 31/03/2026 »",
    )
