"""The rules' and the configuration's errors, said in French and in English
through the words book: what the cashier, the owner or the CLI user reads."""

from __future__ import annotations

import ast
import string
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from helpers import Clock, make_desk
from stampdesk.config import PrinterSettings, load_settings
from stampdesk.config_file import save_printer_settings
from stampdesk.db import make_engine
from stampdesk.demo.simulation import build_demo
from stampdesk.desk import Desk
from stampdesk.domain.card_numbers import check_digit, new_card_number, normalise_card_number
from stampdesk.domain.coupon_codes import normalise_coupon_code
from stampdesk.domain.errors import StampdeskError
from stampdesk.domain.money import parse_amount
from stampdesk.domain.program import ProgramError, parse_program_toml
from stampdesk.domain.validate import PLAIN_TEXTS, clean_birthday, clean_item, clean_name, clean_time
from stampdesk.results import CheckoutResult
from stampdesk.tui.owner_text import OwnerText
from stampdesk.words import Book, catalogue

SRC = Path(__file__).resolve().parents[1] / "src" / "stampdesk"
FRENCH, ENGLISH = Book("fr_FR"), Book("en_GB")


def refusal(action: Callable[[], object]) -> StampdeskError:
    with pytest.raises(StampdeskError) as caught:
        action()
    return caught.value


def said(error: StampdeskError) -> tuple[str, str]:
    """The error in English (its ``message``) and in French."""
    return error.message, FRENCH.error(error)


# --- Amounts -------------------------------------------------------------


def test_a_mistyped_amount_shows_the_example_as_the_reader_types_it() -> None:
    error = refusal(lambda: parse_amount("12.345"))
    assert error.code == "invalid_amount"
    assert said(error) == (
        "amount must be a number with at most two decimals such as \"12.50\", got '12.345'",
        "le montant doit avoir au plus deux décimales, comme « 12,50 », et non « 12.345 »",
    )
    floated = refusal(lambda: parse_amount(4.5))
    assert said(floated) == (
        'amount must be a decimal string such as "12.50", not a float',
        "le montant doit s'écrire comme « 12,50 », pas en nombre flottant",
    )


def test_an_amount_over_a_sales_maximum_is_written_as_money_in_french() -> None:
    error = refusal(lambda: parse_amount("20000"))
    assert said(error) == (
        "amount 20000.00 is more than the 10000.00 a single sale may be",
        "le montant de 20 000,00 € dépasse le maximum d'une vente (10 000,00 €)",
    )


def test_an_amount_other_than_the_tills_is_named_by_its_field() -> None:
    error = refusal(lambda: clean_item("CROI:viennoiserie:1:-2"))
    assert said(error) == (
        "item unit_price must be positive, got -2",
        "item unit_price doit être positif, et non -2",
    )


# --- Card numbers and coupon codes -----------------------------------------


def test_a_mistyped_card_number_is_said_in_both_languages() -> None:
    number = new_card_number()
    wrong = number[:12] + str((int(number[12]) + 1) % 10)
    error = refusal(lambda: normalise_card_number(wrong))
    assert error.code == "invalid_card_number"
    assert said(error) == (
        f"{wrong} has a wrong check digit: mistyped card number?",
        f"{wrong} : chiffre de contrôle faux, n° mal tapé ?",
    )
    short = refusal(lambda: normalise_card_number("2900 12"))
    assert said(short) == (
        "card number must be 13 digits, got '2900 12'",
        "le n° de carte doit compter 13 chiffres, et non « 2900 12 »",
    )
    other = "4" + "0" * 11
    other += check_digit(other)
    assert FRENCH.error(refusal(lambda: normalise_card_number(other))) == (
        f"{other} n'est pas une carte de fidélité (elles commencent par 2)"
    )


def test_a_bad_card_prefix_is_said_in_both_languages() -> None:
    error = refusal(lambda: new_card_number("19"))
    assert said(error) == (
        "card prefix must be two digits from 20 to 29, got '19'",
        "le préfixe des cartes doit être de 20 à 29, et non « 19 »",
    )


def test_a_mistyped_coupon_code_is_said_in_both_languages() -> None:
    error = refusal(lambda: normalise_coupon_code("XYZ"))
    assert error.code == "invalid_coupon_code"
    assert said(error) == (
        "'XYZ' is not a coupon code (8 letters and digits)",
        "« XYZ » n'est pas un code de bon (8 lettres et chiffres)",
    )


# --- What people type --------------------------------------------------------


def test_names_and_dates_of_birth_are_said_in_both_languages() -> None:
    assert said(refusal(lambda: clean_name("   "))) == (
        "name must not be empty",
        "le nom ne peut pas être vide",
    )
    assert said(refusal(lambda: clean_name("x" * 101))) == (
        "name is longer than 100 characters",
        "le nom dépasse 100 caractères",
    )
    late = refusal(lambda: clean_birthday("2090-01-01", date(2026, 3, 2)))
    assert said(late) == (
        "birthday 2090-01-01 is not a plausible date of birth",
        "le 01/01/2090 n'est pas une date de naissance plausible",
    )


@pytest.mark.parametrize("what", PLAIN_TEXTS)
@pytest.mark.parametrize("mistake", ["not_text", "empty", "too_long", "unprintable"])
def test_every_free_text_is_said_in_both_languages(what: str, mistake: str) -> None:
    for book in (ENGLISH, FRENCH):
        assert f"error.{what}_{mistake}" in book
        assert book(f"error.{what}_{mistake}", limit=200)


def test_a_time_in_the_future_is_said_in_the_shops_time_in_french() -> None:
    now = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    error = refusal(lambda: clean_time("2026-03-05T10:30:00+01:00", now))
    assert error.message == "at 2026-03-05T09:30:00+00:00 is in the future"
    assert FRENCH.error(error) == "at : le 05/03/2026 09:30 est dans le futur"


# --- Sales and refunds --------------------------------------------------------


def test_a_sale_over_the_programmes_maximum_and_a_second_refund(sqlite_url: str, clock: Clock) -> None:
    desk = make_desk(sqlite_url, clock)
    try:
        desk.load_program_text(_programme('max_amount = "50.00"'))
        over = refusal(lambda: desk.checkout(amount="80.00"))
        assert said(over) == (
            "amount 80.00 is more than the 50.00 a single sale may be (program.earning.max_amount)",
            "le montant de 80,00 € dépasse le maximum d'une vente (50,00 €, program.earning.max_amount)",
        )
        sale = desk.checkout(amount="4.50")
        assert isinstance(sale, CheckoutResult)
        checkout = sale.checkout
        desk.refund(checkout)
        twice = refusal(lambda: desk.refund(checkout))
        assert twice.code == "already_refunded"
        # 08:00 UTC is 09:00 in Paris: the shop's time, whichever language.
        assert said(twice) == (
            f"checkout {checkout} was already refunded on 02/03/2026 09:00",
            f"la vente n° {checkout} a déjà été remboursée le 02/03/2026 09:00",
        )
    finally:
        desk.close()


def _programme(earning: str = "", stamps_per_card: str = "10") -> str:
    return (
        f'[program]\nname = "Café"\nstamps_per_card = {stamps_per_card}\n'
        f"[program.earning]\n{earning}\n"
        '[[program.milestones]]\nat = 10\nreward = "Un café offert"\n'
    )


# --- The programme file --------------------------------------------------------


def test_a_programme_mistake_names_its_key_in_both_languages() -> None:
    error = refusal(lambda: parse_program_toml(_programme(stamps_per_card="0")))
    assert isinstance(error, ProgramError) and error.code == "invalid_program"
    assert said(error) == (
        "programme: program.stamps_per_card must be from 2 to 100, got 0",
        "programme : program.stamps_per_card doit aller de 2 à 100, et non 0",
    )
    # The owner's editor names it as the form labels it.
    assert OwnerText("fr_FR").program_error(error) == "« Tampons/carte » doit aller de 2 à 100, et non 0"
    assert OwnerText("en_GB").program_error(error) == "“Stamps/card” must be from 2 to 100, not 0"


def test_a_programme_amount_is_said_as_the_reader_writes_amounts() -> None:
    floated = refusal(lambda: parse_program_toml(_programme("min_amount = 1.5")))
    assert said(floated) == (
        'programme: program.earning.min_amount must be written as a string such as "1.50"',
        "programme : program.earning.min_amount doit s'écrire entre guillemets, comme « 1,50 »",
    )
    assert OwnerText("fr_FR").program_error(floated) == (
        "« Montant min. » : écrivez le montant entre guillemets, comme « 1,50 »"
    )
    negative = refusal(lambda: parse_program_toml(_programme('min_amount = "-1"')))
    assert said(negative) == (
        "programme: program.earning.min_amount must be positive, got -1",
        "programme : program.earning.min_amount doit être positif, et non -1",
    )
    assert OwnerText("fr_FR").program_error(negative) == "« Montant min. » n'est pas un montant comme 2,00"


def test_a_mistake_the_form_cannot_make_is_said_as_the_files() -> None:
    error = ProgramError("clock", key="program.offpeak[1].start")
    assert OwnerText("fr_FR").program_error(error) == (
        "programme : program.offpeak[1].start doit être une heure comme « 14:00 »"
    )
    assert OwnerText("en_GB").program_error(error) == error.message


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_programme_mistake_is_in_the_book_in_both_languages() -> None:
    """Each ``ProgramError(rule, …)`` raised in domain/program.py has its
    sentence, and its editor's line if any, with the values it passes."""
    book = catalogue()
    tree = ast.parse((SRC / "domain" / "program.py").read_text(encoding="utf-8"))
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ProgramError"
    ]
    assert len(calls) > 30
    missing = []
    for call in calls:
        rule = call.args[0]
        assert isinstance(rule, ast.Constant)
        given = {k.arg for k in call.keywords} | {"milestone_at"}
        for key in (f"error.program_{rule.value}", f"error.program_{rule.value}.form"):
            for lang in ("en", "fr"):
                template = book[lang].get(key)
                if template is None:
                    if not key.endswith(".form"):
                        missing.append(f"{key} ({lang})")
                elif _fields(template) - given:
                    missing.append(f"{key} ({lang}) needs {_fields(template) - given}")
    assert not missing, missing


# --- The configuration, the database and the store -----------------------------------


def test_a_bad_config_value_is_said_in_both_languages(tmp_path: Path) -> None:
    config = tmp_path / "stampdesk.toml"
    config.write_text('locale = "de_DE"\n', encoding="utf-8")
    error = refusal(lambda: load_settings(config=config, env={}))
    assert error.code == "invalid_config"
    assert said(error) == (
        "locale must be one of fr_FR, en_GB, got 'de_DE'",
        "la langue (locale) doit être fr_FR, en_GB, et non « de_DE »",
    )
    config.write_text('[pages]\ncolour = "blue"\n', encoding="utf-8")
    colour = refusal(lambda: load_settings(config=config, env={}))
    assert said(colour) == (
        f'config file {config}: pages.colour must be a colour such as "#1f4e79"',
        f"fichier de configuration {config} : pages.colour doit être une couleur comme « #1f4e79 »",
    )
    missing = refusal(lambda: load_settings(config=tmp_path / "nope.toml", env={}))
    assert FRENCH.error(missing) == f"le fichier de configuration {tmp_path / 'nope.toml'} n'existe pas"


def test_a_config_file_that_cannot_be_updated_is_said_in_french(tmp_path: Path) -> None:
    error = refusal(lambda: save_printer_settings(tmp_path, PrinterSettings()))
    assert error.code == "invalid_config"
    assert FRENCH.error(error).startswith(
        f"le fichier de configuration {tmp_path} ne peut pas être modifié : "
    )
    assert error.message.startswith(f"config file {tmp_path} cannot be updated: ")


def test_a_bad_database_url_is_said_in_both_languages() -> None:
    error = refusal(lambda: make_engine("sqlite://"))
    assert error.code == "invalid_database_url"
    assert said(error) == (
        "stampdesk needs a SQLite file, not an in-memory database",
        "stampdesk demande un fichier SQLite, pas une base en mémoire",
    )
    assert FRENCH.error(refusal(lambda: make_engine("oracle://x/y"))) == (
        "base de données « oracle » non prise en charge : sqlite ou postgresql"
    )


def test_the_store_says_a_missing_programme_and_an_unknown_shop(sqlite_url: str, clock: Clock) -> None:
    desk: Desk = make_desk(sqlite_url, clock)
    try:
        error = refusal(lambda: desk.checkout(amount="4.50"))
        assert error.code == "no_program"
        assert said(error) == (
            "no programme is loaded yet: run `stampdesk program load FILE` (see examples/program.toml)",
            "aucun programme chargé : lancez `stampdesk program load FICHIER` (voir examples/program.toml)",
        )
    finally:
        desk.close()
    elsewhere = make_desk(sqlite_url, clock, shop="Port")
    try:
        unknown = refusal(lambda: elsewhere.checkout(amount="4.50"))
        assert unknown.code == "unknown_shop"
        assert FRENCH.error(unknown) == (
            "aucun magasin nommé « Port » : ajoutez-le avec `stampdesk shop add` "
            "ou corrigez `shop` dans le fichier de configuration"
        )
    finally:
        elsewhere.close()


def test_the_demo_says_its_limits_in_both_languages(sqlite_desk: Desk) -> None:
    error = refusal(lambda: build_demo(sqlite_desk.store, customers=0))
    assert said(error) == ("demo customers must be from 1 to 20000", "la démo compte de 1 à 20 000 clients")
    sqlite_desk.enrol(name="Ana")
    full = refusal(lambda: build_demo(sqlite_desk.store, customers=10, days=7))
    assert said(full) == (
        "this database already has 1 cards: build the demo into a new, empty database",
        "cette base contient déjà des cartes (1) : créez la démo dans une base neuve, vide",
    )
