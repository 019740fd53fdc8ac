"""The owner's and the administrator's errors in both languages, raised by
the real code on a real SQLite file: backups, staff and PINs, imports,
shops, the HTTP API's keys, the printer and the command line."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import pytest

from helpers import EXAMPLE_PROGRAM, Clock, make_desk
from stampdesk.cli import cli
from stampdesk.cli.common import CliState, UsageMistake
from stampdesk.cli.printing import print_one
from stampdesk.config import PrinterSettings
from stampdesk.desk import Desk
from stampdesk.domain.errors import InvalidInput, NotFound, Refused, StampdeskError
from stampdesk.domain.pins import pin_weakness
from stampdesk.print_outbox import ReceiptPrinter, check_printer_settings, print_pending
from stampdesk.printer.emulator import PrinterEmulator
from stampdesk.printer.transport import PrinterError, parse_printer_url
from stampdesk.services import printing
from stampdesk.services.importer import InvalidImport, import_customers
from stampdesk.words import Book
from stampdesk.words.tables import errors_admin

FR = Book("fr_FR")
EN = Book("en_GB")

RaisesIt = Callable[[], object]


def caught(kind: type[Exception], action: RaisesIt) -> Any:
    with pytest.raises(kind) as raised:
        action()
    return raised.value


def said(error: Any) -> tuple[str, str]:
    """The error in English and in French, after checking the English one is
    its message (the HTTP API's and the logs')."""
    assert EN.error(error) == str(error.message)
    return EN.error(error), FR.error(error)


# --- Backups --------------------------------------------------------------


def test_a_backup_over_the_database_itself_is_refused_in_both_languages(sqlite_desk: Desk) -> None:
    database = Path(sqlite_desk.store.engine.url.database or "")
    error = caught(InvalidInput, lambda: sqlite_desk.backup(database))
    assert error.code == "invalid_path"
    assert said(error) == (
        "the backup must not overwrite the database itself",
        "la sauvegarde ne doit pas écraser la base elle-même",
    )


def test_a_backup_into_a_missing_folder_names_it(sqlite_desk: Desk, tmp_path: Path) -> None:
    error = caught(InvalidInput, lambda: sqlite_desk.backup(tmp_path / "missing" / "copy.db"))
    assert said(error) == (
        f"folder {tmp_path / 'missing'} does not exist",
        f"le dossier {tmp_path / 'missing'} n'existe pas",
    )


def test_restoring_a_file_that_is_no_backup_is_refused_in_both_languages(
    sqlite_desk: Desk, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database", encoding="utf-8")
    error = caught(InvalidInput, lambda: sqlite_desk.restore(notes))
    assert error.code == "not_a_backup"
    assert said(error) == (
        f"{notes} is not a stampdesk backup (neither a SQLite database nor a pg_dump archive)",
        f"{notes} n'est pas une sauvegarde stampdesk (ni une base SQLite ni une archive pg_dump)",
    )
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE things (id INTEGER)")
    error = caught(InvalidInput, lambda: sqlite_desk.restore(other))
    assert FR.error(error) == f"{other} n'est pas une sauvegarde stampdesk (aucune table de magasin)"
    assert caught(InvalidInput, lambda: sqlite_desk.restore(tmp_path / "gone.db")).message == (
        f"no backup at {tmp_path / 'gone.db'}"
    )


def test_a_backup_from_a_newer_stampdesk_says_which_schemas(sqlite_desk: Desk, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    sqlite_desk.backup(copy)
    with sqlite3.connect(copy) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    error = caught(InvalidInput, lambda: sqlite_desk.restore(copy))
    assert error.code == "backup_too_new" and error.params["revision"] == "9999"
    english, french = said(error)
    assert english.startswith(f"{copy} comes from a newer stampdesk (schema 9999, this one knows up to ")
    assert french.startswith(f"{copy} vient d'un stampdesk plus récent (schéma 9999, celui-ci connaît ")
    assert french.endswith(" : mettez stampdesk à jour, puis restaurez")


def test_a_restore_the_owner_cancels_says_nothing_changed(sqlite_desk: Desk, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    sqlite_desk.backup(copy)
    error = caught(Refused, lambda: sqlite_desk.restore(copy, confirm=lambda info: False))
    assert error.code == "cancelled"
    assert said(error) == ("restore cancelled: nothing changed", "restauration annulée : rien n'a changé")


# --- Staff and PINs -------------------------------------------------------


@pytest.fixture
def staffed(sqlite_desk: Desk) -> Desk:
    sqlite_desk.add_staff("Nadia", "owner", "3917")
    sqlite_desk.add_staff("Léo", "cashier", "5128")
    return sqlite_desk


def test_pin_refusals_in_both_languages(staffed: Desk) -> None:
    assert said(caught(Refused, lambda: staffed.verify_pin("0000"))) == ("wrong PIN", "code PIN incorrect")
    assert said(caught(Refused, lambda: staffed.verify_pin("5128", owner=True))) == (
        "Léo is not an owner: an owner's PIN is needed here",
        "Léo n'est pas gérant : il faut ici le code PIN d'un gérant",
    )
    assert said(caught(InvalidInput, lambda: staffed.verify_pin("  "))) == (
        "type the PIN, then Enter",
        "tapez le code PIN, puis Entrée",
    )


def test_a_locked_till_says_how_long_in_both_languages(staffed: Desk) -> None:
    errors = [caught(Refused, lambda: staffed.verify_pin("0000")) for _ in range(5)]
    assert [e.code for e in errors] == ["wrong_pin"] * 4 + ["pin_locked"]
    assert said(errors[-1]) == (
        "wrong PIN, 5 times: PINs refused for 30 s",
        "code PIN incorrect 5 fois : codes refusés pendant 30 s",
    )
    waiting = caught(Refused, lambda: staffed.verify_pin("3917"))
    assert waiting.code == "pin_locked"
    assert said(waiting) == (
        "too many wrong PINs: try again in 30 s",
        "trop de codes incorrects : réessayez dans 30 s",
    )


@pytest.mark.parametrize(
    ("pin", "english", "french"),
    [
        ("7777", "one digit repeated", "un seul chiffre"),
        ("2345", "digits in a row", "des chiffres qui se suivent"),
        ("4747", "a pattern repeated", "un motif répété"),
        ("1987", "a year", "une année"),
        ("2580", "one of the most common PINs", "un code courant"),
    ],
)
def test_an_owner_pin_easy_to_guess_says_why_in_both_languages(
    sqlite_desk: Desk, pin: str, english: str, french: str
) -> None:
    assert pin_weakness(pin) is not None
    error = caught(InvalidInput, lambda: sqlite_desk.add_staff("Nadia", "owner", pin))
    assert error.code == "weak_pin"
    assert said(error) == (
        f"an owner's PIN must not be easy to guess ({english}): choose another",
        f"le code d'un gérant ne doit pas être facile à deviner ({french}) : choisissez-en un autre",
    )


def test_staff_mistakes_name_the_person_in_both_languages(staffed: Desk) -> None:
    assert said(caught(InvalidInput, lambda: staffed.add_staff("nadia", "cashier", "8264"))) == (
        "there is already a member of staff named nadia",
        "un membre de l'équipe s'appelle déjà nadia",
    )
    assert said(caught(NotFound, lambda: staffed.deactivate_staff("Zoé"))) == (
        "no active member of staff named Zoé",
        "personne de l'équipe en activité ne s'appelle Zoé",
    )
    assert said(caught(Refused, lambda: staffed.deactivate_staff("Nadia"))) == (
        "Nadia is the last owner: add another owner before deactivating them",
        "Nadia est le dernier gérant : ajoutez un autre gérant avant de le désactiver",
    )
    assert said(caught(InvalidInput, lambda: staffed.add_staff("Zoé", "boss", "8264"))) == (
        "role must be cashier or owner, got 'boss'",
        "le rôle doit être cashier (équipier) ou owner (gérant), pas « boss »",
    )
    assert said(caught(InvalidInput, lambda: staffed.add_staff("Zoé", "cashier", "12"))) == (
        "PIN must have 4 to 8 digits, got 2",
        "le code PIN doit avoir de 4 à 8 chiffres, pas 2",
    )


# --- Customer imports -----------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "clients.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_import_file_of_the_wrong_shape_is_refused_in_both_languages(
    sqlite_desk: Desk, tmp_path: Path
) -> None:
    store = sqlite_desk.store
    path = write(tmp_path, "name;colour\nAna;blue\n")
    assert said(caught(InvalidInput, lambda: import_customers(store, path))) == (
        "clients.csv: unknown column 'colour' (known: name, email, phone, stamps, birthday, notes, "
        "marketing, marketing_at)",
        "clients.csv : colonne inconnue « colour » (connues : name, email, phone, stamps, birthday, notes, "
        "marketing, marketing_at)",
    )
    path = write(tmp_path, "name\n")
    assert said(caught(InvalidInput, lambda: import_customers(store, path))) == (
        "clients.csv has a header but no customer lines",
        "clients.csv a un en-tête mais aucune ligne de client",
    )
    missing = tmp_path / "nowhere.csv"
    assert said(caught(InvalidInput, lambda: import_customers(store, missing))) == (
        f"file {missing} does not exist",
        f"le fichier {missing} n'existe pas",
    )


def test_an_import_with_bad_lines_names_each_line_in_both_languages(
    sqlite_desk: Desk, tmp_path: Path
) -> None:
    path = write(tmp_path, "name;email;stamps\nAna;ana@example.org;3\nBen;ANA@example.org;12\n")
    error: InvalidImport = caught(InvalidImport, lambda: import_customers(sqlite_desk.store, path))
    assert error.errors == (
        "line 3: stamps must be a whole number from 0 to 9, got '12'",
        "line 3: ana@example.org is already on line 2",
    )
    english, french = said(error)
    assert english == "nothing imported, the file has 2 errors: " + "; ".join(error.errors)
    assert french == (
        "rien d'importé, le fichier a 2 erreurs : ligne 3 : les tampons doivent être un nombre entier"
        " de 0 à 9, pas « 12 »; ligne 3 : ana@example.org est déjà à la ligne 2"
    )
    # Each line's problem, in the reader's language.
    assert [(line, FR.error(problem)) for line, problem in error.problems] == [
        (3, "les tampons doivent être un nombre entier de 0 à 9, pas « 12 »"),
        (3, "ana@example.org est déjà à la ligne 2"),
    ]


# --- Shops ----------------------------------------------------------------


def test_shop_refusals_in_both_languages(sqlite_desk: Desk) -> None:
    sqlite_desk.add_shop("Rue Haute")
    assert said(caught(Refused, lambda: sqlite_desk.add_shop("rue haute"))) == (
        "there is already a shop named 'rue haute'",
        "il y a déjà un magasin nommé « rue haute »",
    )
    error = caught(NotFound, lambda: sqlite_desk.rename_shop("Gare", "Quai"))
    assert error.code == "unknown_shop"
    english, french = said(error)
    assert english.startswith("no shop named 'Gare' (shops: ") and "Rue Haute" in english
    assert french.startswith("aucun magasin nommé « Gare » (magasins : ") and "Rue Haute" in french


# --- Printers -------------------------------------------------------------


def test_a_bad_printer_url_is_refused_in_both_languages() -> None:
    error = caught(InvalidInput, lambda: parse_printer_url("lpt1"))
    assert error.code == "invalid_printer_url"
    english, french = said(error)
    assert english.startswith("printer URL 'lpt1' is not valid: use tcp://host:9100, usb://VID:PID")
    assert french.startswith("l'adresse d'imprimante « lpt1 » n'est pas valide : utilisez tcp://hôte:9100")
    assert said(caught(InvalidInput, lambda: check_printer_settings(" ", None))) == (
        "give the printer's URL, e.g. tcp://192.168.1.50:9100",
        "donnez l'adresse de l'imprimante, par ex. tcp://192.168.1.50:9100",
    )
    assert said(caught(InvalidInput, lambda: ReceiptPrinter("tcp://127.0.0.1:9100", "TM-NOPE"))) == (
        "unknown printer profile 'TM-NOPE'",
        "profil d'imprimante inconnu : « TM-NOPE »",
    )


@pytest.fixture
def paper_out(tmp_path: Path) -> Iterator[PrinterEmulator]:
    emulator = PrinterEmulator(port=0, out_dir=tmp_path / "paper", mode="paper_out")
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


def test_a_printer_out_of_paper_says_so_in_both_languages(
    sqlite_desk: Desk, paper_out: PrinterEmulator
) -> None:
    sqlite_desk.checkout(amount="5.00", receipt=True)
    [outcome] = print_pending(sqlite_desk, ReceiptPrinter(f"tcp://127.0.0.1:{paper_out.port}"))
    assert not outcome.printed and outcome.reason == "paper_out"
    assert isinstance(outcome.fault, PrinterError)
    assert outcome.message == "the printer is out of paper"
    assert FR.error(outcome.fault) == "l'imprimante n'a plus de papier"
    assert "fault" not in outcome.to_dict()


def test_a_printer_that_does_not_listen_names_its_address(
    sqlite_desk: Desk, paper_out: PrinterEmulator
) -> None:
    port = paper_out.port
    paper_out.stop()  # nothing listens there any more
    sqlite_desk.checkout(amount="5.00", receipt=True)
    [outcome] = print_pending(sqlite_desk, ReceiptPrinter(f"tcp://127.0.0.1:{port}"))
    assert outcome.reason == "refused"
    assert said(outcome.fault) == (
        f"no printer answers at 127.0.0.1:{port}",
        f"aucune imprimante ne répond à 127.0.0.1:{port}",
    )


# --- The command line -----------------------------------------------------


def test_a_reprint_that_waits_for_the_printer_says_why_in_both_languages(
    sqlite_url: str, clock: Clock, paper_out: PrinterEmulator
) -> None:
    desk = make_desk(sqlite_url, clock, printer=PrinterSettings(url=f"tcp://127.0.0.1:{paper_out.port}"))
    try:
        desk.load_program(EXAMPLE_PROGRAM)
        error = caught(Refused, lambda: print_one(CliState(), desk, printing.test_page(desk.store)))
    finally:
        desk.close()
    assert error.code == "paper_out"
    assert said(error) == (
        "the receipt waits for the printer: the printer is out of paper",
        "le reçu attend l'imprimante : l'imprimante n'a plus de papier",
    )


def run_cli(*args: str) -> None:
    cli.main(list(args), prog_name="stampdesk", standalone_mode=False, obj=CliState())


def test_the_command_lines_own_mistakes_in_both_languages(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'shop.db'}"
    error = caught(UsageMistake, lambda: run_cli("init", "--days", "30", "--db", database))
    assert isinstance(error, click.UsageError)
    assert (error.format_message(), FR.error(error)) == (
        "--days only goes with --demo",
        "--days ne va qu'avec --demo",
    )
    sheet = str(tmp_path / "cards.txt")
    error = caught(
        InvalidInput, lambda: run_cli("cards", "print", "--count", "2", "--out", sheet, "--db", database)
    )
    assert said(error) == (
        f"{sheet} must be a .pdf file in an existing folder",
        f"{sheet} doit être un fichier .pdf dans un dossier existant",
    )


def test_no_sentence_of_the_admin_table_was_left_in_english_in_french() -> None:
    assert [key for key, text in errors_admin.EN.items() if errors_admin.FR[key] == text] == []


def test_an_error_of_the_engine_keeps_its_code_for_the_api(sqlite_desk: Desk) -> None:
    error: StampdeskError = caught(Refused, lambda: sqlite_desk.verify_pin("1234"))
    assert error.to_dict() == {"error": {"code": "no_staff", "message": "no member of staff has a PIN yet"}}
    assert FR.error(error) == "personne de l'équipe n'a encore de code PIN"
