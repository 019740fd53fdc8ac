"""Importing paper cards from a CSV file: all lines or none, on SQLite and
PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import select

from helpers import ROOT, Clock, content, make_desk
from stampdesk.desk import Desk
from stampdesk.domain.errors import InvalidInput, Refused
from stampdesk.models import coupons, customers, ledger
from stampdesk.services.importer import ImportReport, InvalidImport, import_customers

SAMPLE = ROOT / "examples" / "customers.csv"


def write(tmp_path: Path, text: str, *, name: str = "cards.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def refused(desk: Desk, path: Path) -> InvalidInput:
    """Import ``path``, expect a refusal, and prove nothing was written."""
    before = content(desk)
    with pytest.raises(InvalidInput) as caught:
        import_customers(desk.store, path)
    assert content(desk) == before
    assert "\n" not in caught.value.message  # one line for the CLI and the API
    return caught.value


def test_the_sample_file_imports_every_line_with_its_stamps(desk: Desk) -> None:
    seen: list[tuple[int, int]] = []
    report = import_customers(desk.store, SAMPLE, progress=lambda done, total: seen.append((done, total)))

    assert isinstance(report, ImportReport) and report.imported == 7 and len(set(report.cards)) == 7
    assert report.to_dict() == {"imported": 7, "cards": list(report.cards)}
    expected = [
        ("Ana Martin", 7),
        ("Élodie Le Gall", 3),
        ("Jérôme Dupont", 9),
        ("Oliver Smith", 0),
        ("Chloé Bernard", 5),
        ("Harry O'Brien", 1),
        ("Maëlle Côté", 0),
    ]
    states = [desk.card(number) for number in report.cards]
    assert [(s.name, s.balance) for s in states] == expected
    ana, _, jerome, oliver, *_ = states
    assert (ana.email, ana.phone, str(ana.birthday), ana.cycle) == (
        "ana.martin@example.org",
        "0612345678",
        "1988-04-12",
        0,
    )
    assert (jerome.email, jerome.phone) == (None, "+33698765432")
    assert oliver.phone == "+447700900123"
    assert seen[0] == (0, 7) and seen[-1] == (7, 7)
    assert desk.check().ok
    # Search finds imported customers by their whole name or any word of it.
    assert [m.number for m in desk.search("elodie")] == [report.cards[1]]
    assert [m.number for m in desk.search("cote")] == [report.cards[6]]
    assert [m.number for m in desk.search("Jérôme Dup")] == [report.cards[2]]
    with desk.store.read() as conn:
        kinds = conn.execute(select(ledger.c.kind, ledger.c.stamps).order_by(ledger.c.id)).all()
        notes = conn.execute(select(customers.c.notes).order_by(customers.c.id)).scalars().all()
        issued = conn.execute(select(coupons.c.id)).all()
    assert [tuple(k) for k in kinds] == [
        ("import", 7),
        ("import", 3),
        ("import", 9),
        ("import", 5),
        ("import", 1),
    ]
    assert notes[0] == "Usual: flat white, oat milk"
    # The paper card's rewards were handed out on paper: no coupon for passed milestones.
    assert issued == [] and all(s.coupons == () for s in states)


def test_an_imported_card_carries_on_from_its_paper_stamps(desk: Desk) -> None:
    report = import_customers(desk.store, SAMPLE)
    ana, elodie = report.cards[0], report.cards[1]

    sale = desk.checkout(card=ana, amount="3.20")  # 7 -> 8: no milestone on the way
    assert (sale.balance, sale.coupons) == (8, ())
    sale = desk.checkout(card=elodie, amount="3.20")  # 3 -> 4: the croissant was on paper
    assert (sale.balance, sale.coupons) == (4, ())
    sale = desk.checkout(card=report.cards[2], amount="3.20")  # 9 -> 10: the card completes
    assert sale.balance == 0 and [c.reward for c in sale.coupons] == ["Un café offert"]
    assert desk.check().ok


def test_semicolons_a_bom_and_crlf_as_french_excel_writes_them(desk: Desk, tmp_path: Path) -> None:
    text = (
        "\ufeffName;E-mail;Phone;Stamps;Birthday;Notes\r\n"
        'Léa Moreau;lea@example.fr;06 01 02 03 04;4;1990-02-03;"Crème; sans sucre"\r\n'
        "Étienne Roux;;;2;;\r\n"
        ";;;;;\r\n"  # Excel leaves empty lines behind
    )
    report = import_customers(desk.store, write(tmp_path, text))
    assert report.imported == 2
    lea, etienne = (desk.card(n) for n in report.cards)
    assert (lea.name, lea.email, lea.phone, lea.balance) == ("Léa Moreau", "lea@example.fr", "0601020304", 4)
    assert (etienne.name, etienne.balance) == ("Étienne Roux", 2)


def test_a_file_with_two_bad_lines_imports_nothing_and_names_both(desk: Desk, tmp_path: Path) -> None:
    desk.enrol(name="Already here", email="here@example.org")
    text = (
        "name,email,phone,stamps\n"
        "Ana,ana@example.org,,2\n"
        "Bob,bob@,,1\n"  # line 3
        "Chloé,chloe@example.org,,3\n"
        "Dan,dan@example.org,12,1\n"  # line 5: too few digits for a phone
        "Eve,eve@example.org,,4\n"
    )
    error = refused(desk, write(tmp_path, text))
    assert isinstance(error, InvalidImport) and error.code == "invalid_import"
    assert "line 3: 'bob@' is not an e-mail address" in error.message
    assert "line 5: '12' is not a phone number" in error.message
    assert "2 errors" in error.message
    assert [e.split(":")[0] for e in error.errors] == ["line 3", "line 5"]


def test_duplicate_emails_in_the_file_and_in_the_database(desk: Desk, tmp_path: Path) -> None:
    desk.enrol(name="Ana Martin", email="ana@example.org")
    text = (
        "name,email\n"
        "Bob,bob@example.org\n"
        "Ana again,ANA@example.org\n"  # line 3: enrolled already, whatever the case
        "Bob twin,Bob@Example.org\n"  # line 4: same as line 2
    )
    error = refused(desk, write(tmp_path, text))
    assert error.errors == (  # type: ignore[attr-defined]
        "line 3: ana@example.org is already enrolled",
        "line 4: bob@example.org is already on line 2",
    )


def test_stamps_must_fit_on_the_card(desk: Desk, tmp_path: Path) -> None:
    text = "name,stamps\nFull card,10\nMinus,-1\nHalf,2.5\nWords,deux\nFine,9\n"
    error = refused(desk, write(tmp_path, text))
    assert [e.split(":")[0] for e in error.errors] == ["line 2", "line 3", "line 4", "line 5"]  # type: ignore[attr-defined]
    assert "stamps must be a whole number from 0 to 9, got '10'" in error.message


def test_every_bad_line_is_counted_and_the_first_twenty_shown(desk: Desk, tmp_path: Path) -> None:
    lines = ["name,email"] + [f"Customer {i},bad{i}@" for i in range(45)]
    error = refused(desk, write(tmp_path, "\n".join(lines) + "\n"))
    assert len(error.errors) == 45  # type: ignore[attr-defined]
    assert "45 errors" in error.message and "and 25 more" in error.message
    assert "line 21:" in error.message and "line 22:" not in error.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "is empty"),
        ("\n\n", "is empty"),
        ("email,phone\nana@example.org,\n", "at least 'name'"),
        ("Ana,ana@example.org\n", "at least 'name'"),  # no header line at all
        ("name,emial\nAna,ana@example.org\n", "unknown column 'emial'"),
        ("name,email,name\nAna,a@example.org,Ana\n", "appears twice"),
        ("name,email\n", "no customer lines"),
        ("name,email\nAna,a@example.org,extra\n", "line 2: 3 fields but the header has 2"),
    ],
)
def test_files_that_are_not_a_customer_list(
    sqlite_desk: Desk, tmp_path: Path, text: str, expected: str
) -> None:
    assert expected in refused(sqlite_desk, write(tmp_path, text)).message


def test_unreadable_files(sqlite_desk: Desk, tmp_path: Path) -> None:
    latin1 = write(tmp_path, "name\nAna\nJérôme\n", encoding="latin-1")
    assert "is not UTF-8 (line 3)" in refused(sqlite_desk, latin1).message
    assert "does not exist" in refused(sqlite_desk, tmp_path / "missing.csv").message
    assert "is a folder" in refused(sqlite_desk, tmp_path).message


def test_birthdays_and_notes_are_checked(sqlite_desk: Desk, tmp_path: Path) -> None:
    text = 'name,birthday,notes\nAna,12/03/1985,\nBob,2090-01-01,\nChloé,,"tab\there"\n' + "Dan,,\x07bell\n"
    error = refused(sqlite_desk, write(tmp_path, text))
    assert error.errors == (  # type: ignore[attr-defined]
        "line 2: birthday must be YYYY-MM-DD, got '12/03/1985'",
        "line 3: birthday 2090-01-01 is not a plausible date of birth",
        "line 5: notes holds characters that cannot be printed",
    )


def test_five_thousand_lines_import_in_a_few_seconds(desk: Desk, tmp_path: Path) -> None:
    lines = ["name;email;phone;stamps"]
    lines += [f"Client {i};client{i}@example.org;06{i:08d};{i % 10}" for i in range(5000)]
    path = write(tmp_path, "\n".join(lines) + "\n")
    calls: list[tuple[int, int]] = []

    started = time.perf_counter()
    report = import_customers(desk.store, path, progress=lambda done, total: calls.append((done, total)))
    elapsed = time.perf_counter() - started

    assert report.imported == 5000 and len(set(report.cards)) == 5000
    assert elapsed < 5, f"5,000 lines took {elapsed:.1f} s"
    assert len(calls) >= 5 and calls[-1] == (5000, 5000)
    assert desk.card(report.cards[4321]).balance == 1
    check = desk.check()
    assert check.ok and check.cards == 5000 and check.ledger_rows == 4500


def test_an_import_needs_a_programme(sqlite_url: str, clock: Clock) -> None:
    desk = make_desk(sqlite_url, clock)  # no programme loaded: stamps_per_card is unknown
    with pytest.raises(Refused, match="no programme"):
        import_customers(desk.store, SAMPLE)
    desk.close()
