"""End-to-end tests of the ``stampdesk`` command line, on a SQLite file and
on PostgreSQL: through the console script's entry point in this process,
and as the installed console script in real processes for a shop's whole
first day (``init`` on an empty database included) and the exit statuses.

What a shop owner or a till script sees: exit statuses, one JSON object on
stdout with ``--json``, one error line on stderr, and the database left as it
was when a command is refused.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import traceback
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import stampdesk as engine
from helpers import ERROR_LINE, EXAMPLE_PROGRAM
from stampdesk.cli import main
from stampdesk.config import Settings
from stampdesk.db import sqlite_file

STAMPDESK = Path(sys.executable).parent / "stampdesk"


@dataclass(frozen=True)
class Run:
    """What one ``stampdesk`` process did."""

    status: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        return json.loads(self.out)

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


def stampdesk(*args: str, stdin: str | None = None, process: bool = False) -> Run:
    """Run the command line as the console script does (its entry point,
    ``stampdesk.cli.main``, with stdin, stdout and stderr of its own), in
    this process: a process start per command would cost more than most
    commands. ``process=True`` runs the installed console script in a real
    process instead (the environment, hermetic XDG dirs and TZ, is the test's)."""
    if process:
        done = subprocess.run(
            [str(STAMPDESK), *args],
            capture_output=True,
            text=True,
            input=stdin,
            env=dict(os.environ),
            timeout=120,
            check=False,
        )
        return Run(done.returncode, done.stdout, done.stderr)
    return in_process(list(args), stdin)


def _stream(data: str = "") -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(data.encode()), encoding="utf-8", write_through=True)


def in_process(argv: list[str], stdin: str | None = None) -> Run:
    """``stampdesk.cli.main(argv)`` with streams of its own; an exception it
    lets through ends it as it would end the process (status 1, the traceback
    on stderr)."""
    streams = _stream(stdin or ""), _stream(), _stream()
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = streams
    try:
        try:
            status = main(argv)
        except SystemExit as end:
            status = end.code if isinstance(end.code, int) else (0 if end.code is None else 1)
        except Exception:
            traceback.print_exc()
            status = 1
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    out, err = (s.buffer.getvalue().decode("utf-8") for s in streams[1:])  # type: ignore[attr-defined]
    return Run(status, out, err)


def ok_json(*args: str, process: bool = False) -> Any:
    """Run with ``--json`` and return the parsed object, insisting on success."""
    run = stampdesk(*args, "--json", process=process)
    assert run.status == 0, run
    assert run.err == "", run
    return run.json


def refused(*args: str, status: int = 1, process: bool = False) -> dict[str, str]:
    """Run with ``--json``, insisting on a clean refusal; return the error."""
    run = stampdesk(*args, "--json", process=process)
    assert run.status == status, run
    assert len(run.err_lines) == 1 and run.err_lines[0].startswith(ERROR_LINE), run
    error: dict[str, str] = run.json["error"]
    assert set(error) == {"code", "message"} and error["message"], run
    return error


def sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def dump(url: str) -> list[str]:
    """The whole content of a SQLite database, as SQL text."""
    conn = sqlite3.connect(sqlite_path(url))
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def shop(sqlite_url: str) -> str:
    """A SQLite shop with the example programme. Set up through the Python API
    to save two process starts per test; the first test does it by the CLI."""
    with engine.connect(settings=Settings(database=sqlite_url, timezone="Europe/Paris")) as desk:
        desk.load_program_file(EXAMPLE_PROGRAM)
    return sqlite_url


def test_a_card_earns_redeems_and_is_refunded(empty_db_url: str) -> None:
    # A shop's first day as it goes: real processes, from an empty database.
    db = ("--db", empty_db_url)
    run = stampdesk("init", *db, "--json", process=True)
    assert run.status == 0, run
    init = run.json
    assert init["schema_revision"] and init["demo"] is None
    # A new SQLite file is said, with where it is; a server's database is not made here.
    file = sqlite_file(empty_db_url)
    assert run.err_lines == ([f"stampdesk : nouvelle base de données créée : {file}"] if file else [])

    program = ok_json("program", "load", str(EXAMPLE_PROGRAM), *db, process=True)
    assert program["name"] == "Café Bleu" and program["stamps_per_card"] == 10
    assert ok_json("program", "show", *db, process=True)["version"] == program["version"]

    ana = ok_json("enrol", "--name", "Ana Martin", "--email", "ana@example.org", *db, process=True)
    number = ana["number"]
    assert ana["balance"] == 2 and ana["starter_stamps"] == 2

    sale = ok_json(
        "checkout", "--card", number, "--amount", "12.50", "--item", "CAF:coffee:2:2.50", *db, process=True
    )
    assert sale["card"] == number and sale["amount"] == "12.50"
    assert (sale["stamps_added"], sale["balance"]) == (2, 4)
    assert [m["reward"] for m in sale["milestones"]] == ["Croissant offert"]
    [coupon] = sale["coupons"]
    assert set(coupon) >= {"code", "reward", "expires"} and coupon["reward"] == "Croissant offert"
    assert sale["enrol_url"] is None

    card = ok_json("card", number, *db, process=True)
    assert (card["number"], card["name"], card["balance"]) == (number, "Ana Martin", 4)
    assert card["next_milestone"] == {"at": 6, "reward": "Cookie offert", "remaining": 2}
    assert [c["code"] for c in card["coupons"]] == [coupon["code"]]

    used = ok_json("redeem", coupon["code"], "--till", "till-1", *db, process=True)
    assert (used["coupon"], used["card"]) == (coupon["code"], number)
    assert refused("redeem", coupon["code"], *db, process=True)["code"] == "coupon_used"
    assert ok_json("card", number, *db, process=True)["coupons"] == []

    back = ok_json("refund", str(sale["checkout"]), *db, process=True)
    assert (back["checkout"], back["stamps"], back["balance"]) == (sale["checkout"], -2, 2)
    assert refused("refund", str(sale["checkout"]), *db, process=True)["code"] == "already_refunded"

    report = ok_json("check", *db, process=True)
    assert report["ok"] is True and report["cards"] == 1 and report["mismatches"] == []


def test_an_idempotency_key_replays_and_refuses_another_sale(shop: str) -> None:
    db = ("--db", shop)
    number = ok_json("enrol", "--name", "Bob", *db)["number"]
    first = ok_json("checkout", "--card", number, "--amount", "4.20", "--key", "till1-42", *db)
    again = ok_json("checkout", "--card", number, "--amount", "4.20", "--key", "till1-42", *db)
    assert again["checkout"] == first["checkout"] and again["replayed"] is True
    assert again["balance"] == first["balance"] == 3
    before = dump(shop)
    error = refused("checkout", "--card", number, "--amount", "5.00", "--key", "till1-42", *db)
    assert error["code"] == "idempotency_conflict"
    assert dump(shop) == before
    assert ok_json("card", number, *db)["balance"] == 3


def test_two_tills_with_one_key_make_two_sales_each_replayed_to_its_till(shop: str) -> None:
    db = ("--db", shop)
    a = ok_json("checkout", "--till", "A", "--key", "R42", "--amount", "5", *db)
    b = ok_json("checkout", "--till", "B", "--key", "R42", "--amount", "5", *db)
    assert not a["replayed"] and not b["replayed"]
    assert a["checkout"] != b["checkout"] and a["claim_token"] != b["claim_token"]
    assert ok_json("checkout", "--till", "A", "--key", "R42", "--amount", "5", *db) == {**a, "replayed": True}
    assert ok_json("checkout", "--till", "B", "--key", "R42", "--amount", "5", *db) == {**b, "replayed": True}
    before = dump(shop)
    error = refused("checkout", "--till", "B", "--key", "R42", "--amount", "6", *db)
    assert error["code"] == "idempotency_conflict"
    assert dump(shop) == before
    # Refunds with a key: each till's own key.
    undo_a = ok_json("refund", str(a["checkout"]), "--key", "U1", "--till", "A", *db)
    undo_b = ok_json("refund", str(b["checkout"]), "--key", "U1", "--till", "B", *db)
    assert (undo_a["checkout"], undo_b["checkout"]) == (a["checkout"], b["checkout"])
    again = ok_json("refund", str(a["checkout"]), "--key", "U1", "--till", "A", *db)
    assert again == {**undo_a, "replayed": True}


def test_a_walk_in_enrols_from_the_receipt_and_claims_once(shop: str, tmp_path: Path) -> None:
    db = ("--db", shop)
    config = tmp_path / "config.toml"
    config.write_text('public_url = "https://cafe.example/"\n', encoding="utf-8")
    sale = ok_json("checkout", "--amount", "4.20", "--config", str(config), *db)
    assert sale["card"] is None and sale["balance"] is None and sale["stamps_added"] == 1
    assert sale["enrol_url"] == "https://cafe.example/join/" + sale["claim_token"]
    bob = ok_json("enrol", "--name", "Bob", "--claim", sale["claim_token"], *db)
    assert (bob["claimed_stamps"], bob["claimed_checkout"], bob["balance"]) == (1, sale["checkout"], 3)
    before = dump(shop)
    again = refused("enrol", "--name", "Carl", "--claim", sale["claim_token"], *db)
    assert again["code"] == "already_claimed"
    assert dump(shop) == before


def test_human_output_tells_the_cashier_what_happened(shop: str) -> None:
    db = ("--db", shop)
    enrol = stampdesk("enrol", "--name", "Ana", *db)
    assert enrol.status == 0 and "2/10 — Croissant offert à 3" in enrol.out, enrol
    number = enrol.out.split()[2]
    sale = stampdesk("checkout", "--card", number, "--amount", "12.50", *db)
    assert sale.status == 0 and sale.err == "", sale
    assert "+2 tampons" in sale.out and "4/10 — Cookie offert à 6" in sale.out
    code = ok_json("card", number, *db)["coupons"][0]["code"]
    assert code in sale.out and "Croissant offert" in sale.out and "valable jusqu'au" in sale.out
    walk_in = stampdesk("checkout", "--amount", "3.00", *db)
    assert "/join/" in walk_in.out, walk_in
    card = stampdesk("card", number, *db)
    assert "Ana" in card.out and "4/10" in card.out and code in card.out
    assert stampdesk("check", *db).out.startswith("OK")


def test_every_command_speaks_json(shop: str, tmp_path: Path) -> None:
    db = ("--db", shop)
    enrolled_at = ("--at", "2025-12-01T09:00:00+01:00")
    phone = ("--phone", "+33 6 12 34 56 78")
    number = ok_json("enrol", "--name", "Élodie Dupont", *phone, *enrolled_at, *db)["number"]
    assert ok_json("search", "elodie", *db)["results"][0]["number"] == number
    given = ok_json("adjust", number, "3", "--reason", "paper card", "--staff", "Zoé", *db)
    assert (given["stamps"], given["balance"]) == (3, 5)
    # A negative number of stamps is an argument, not an unknown option.
    taken = ok_json("adjust", number, "-2", "--reason", "typo", "--staff", "Zoé", *db)
    assert (taken["stamps"], taken["balance"]) == (-2, 3)
    sale = ok_json("checkout", "--card", number, "--amount", "2.00", "--at", "2026-01-05T09:30:00+01:00", *db)
    assert sale["at"].startswith("2026-01-05T08:30:00")
    backup = ok_json("backup", str(tmp_path / "copy.db"), *db)
    assert backup["bytes"] > 0
    # Global --json (before the command) works as well as the command's own.
    assert stampdesk("--json", *db, "program", "show").json["name"] == "Café Bleu"
    # --printer is a global option, kept in the settings for printing.
    printer = stampdesk("--printer", f"preview://{tmp_path}", "--json", *db, "program", "show")
    assert printer.status == 0 and printer.json["name"] == "Café Bleu", printer
    assert ok_json("init", *db)["database"] == shop


def test_check_exits_1_when_a_balance_disagrees_with_the_ledger(shop: str) -> None:
    number = ok_json("enrol", "--name", "Ana", "--db", shop)["number"]
    tampered = sqlite3.connect(sqlite_path(shop))
    try:
        tampered.execute("UPDATE cards SET balance = 9")
        tampered.commit()
    finally:
        tampered.close()
    run = stampdesk("check", "--db", shop, "--json")
    assert run.status == 1 and run.err_lines == [
        "stampdesk : erreur : 1 carte ne correspond pas au registre"
    ], run
    assert run.json["ok"] is False
    assert run.json["mismatches"] == [
        {"card": number, "balance": 9, "ledger_balance": 2, "cycle": 0, "ledger_cycle": 0}
    ]
    human = stampdesk("check", "--db", shop)
    assert human.status == 1 and number in human.out, human


def test_check_exits_1_when_a_completed_card_lacks_its_final_reward(shop: str) -> None:
    number = ok_json("enrol", "--name", "Ana", "--db", shop)["number"]
    # The card completed in the ledger and on the card, without its coffee.
    tampered = sqlite3.connect(sqlite_path(shop))
    try:
        card_id = tampered.execute("SELECT id FROM cards WHERE number = ?", (number,)).fetchone()[0]
        tampered.executemany(
            "INSERT INTO ledger (card_id, at, kind, stamps, cycles) "
            "VALUES (?, '2026-03-02 09:00:00', ?, ?, ?)",
            [(card_id, "adjust", 8, 0), (card_id, "completion", -10, 1)],
        )
        tampered.execute("UPDATE cards SET balance = 0, cycle = 1 WHERE id = ?", (card_id,))
        tampered.commit()
    finally:
        tampered.close()
    run = stampdesk("check", "--db", shop, "--json")
    assert run.status == 1 and run.err_lines == [
        "stampdesk : erreur : 1 carte complète sans récompense finale"
    ], run
    assert run.json["ok"] is False and run.json["mismatches"] == []
    assert run.json["missing_rewards"] == [{"card": number, "cycle": 0}]
    human = stampdesk("check", "--db", shop)
    assert human.status == 1 and f"{number} : cycle 0 complété, sans récompense finale" in human.out, human


def test_backup_is_a_sqlite_database_with_the_same_cards(shop: str, tmp_path: Path) -> None:
    db = ("--db", shop)
    for name in ("Ana", "Bob", "Chloé"):
        ok_json("enrol", "--name", name, *db)
    target = tmp_path / "backups" / "shop-copy.db"
    target.parent.mkdir()
    run = stampdesk("backup", str(target), *db)
    assert run.status == 0 and str(target) in run.out, run
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT count(*) FROM cards").fetchone() == (3,)
    finally:
        copy.close()


def test_the_commands_db_option_wins_over_the_global_one(shop: str, tmp_path: Path) -> None:
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    assert stampdesk("init", "--db", empty).status == 0
    # Only `shop` has a programme: which database answered is plain to see.
    assert stampdesk("--db", empty, "program", "show", "--db", shop, "--json").json["name"] == "Café Bleu"
    run = stampdesk("--db", shop, "--json", "program", "show", "--db", empty)
    assert run.status == 1 and run.json["error"]["code"] == "no_program"
    # STAMPDESK_DB is the fallback when no --db is given.
    os.environ["STAMPDESK_DB"] = shop
    try:
        assert ok_json("program", "show")["name"] == "Café Bleu"
    finally:
        del os.environ["STAMPDESK_DB"]


def test_usage_mistakes_exit_2_with_one_line(shop: str) -> None:
    for args in (
        ("checkout", "--db", shop),  # --amount missing
        ("chekout", "--amount", "5"),
        ("card", "--colour", "blue", "2900000000005"),
        ("adjust", "2900000000005", "two", "--reason", "x", "--staff", "y"),
    ):
        before = dump(shop)
        error = refused(*args, status=2)
        assert error["code"] == "usage"
        human = stampdesk(*args)
        assert human.status == 2 and human.out == "" and len(human.err_lines) == 1, human
        assert dump(shop) == before


def test_version_and_help() -> None:
    version = stampdesk("--version", process=True)
    assert version.status == 0 and version.out.startswith("stampdesk ")
    helped = stampdesk("checkout", "--help", process=True)
    assert helped.status == 0 and "--amount" in helped.out and "--item" in helped.out


def test_print_without_a_good_printer_is_refused_before_the_sale(shop: str) -> None:
    before = dump(shop)
    assert refused("checkout", "--amount", "5.00", "--print", "--db", shop)["code"] == "no_printer"
    bad = ("--printer", "lpt1:", "checkout", "--amount", "5.00", "--print", "--db", shop)
    assert refused(*bad)["code"] == "invalid_printer_url"
    assert dump(shop) == before


def test_a_sale_is_kept_when_the_printer_is_unreachable_and_prints_later(shop: str, tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:  # a loopback port where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sale = stampdesk(
        "--printer",
        f"tcp://127.0.0.1:{port}",
        "checkout",
        "--amount",
        "5.00",
        "--print",
        "--db",
        shop,
        "--json",
    )
    assert sale.status == 0 and len(sale.err_lines) == 1 and "son ticket attend l'imprimante" in sale.err
    assert sale.json["printed"] is False and sale.json["print_job"] and sale.json["checkout"]
    later = stampdesk("--printer", f"preview://{tmp_path}", "print-pending", "--db", shop, "--json")
    assert later.status == 0 and later.json == {"printed": 1, "pending": 0, "error": None}
    assert (tmp_path / f"receipt-{sale.json['print_job']:06d}.txt").exists()
    again = ok_json("--printer", f"preview://{tmp_path}", "reprint", str(sale.json["checkout"]), "--db", shop)
    assert again["duplicate"] is True and again["printed"] is True
    assert "DUPLICATA" in (tmp_path / f"receipt-{again['job']:06d}.txt").read_text()
    test_page = ok_json("--printer", f"preview://{tmp_path}", "print-test", "--db", shop)
    assert test_page["printed"] is True and test_page["checkout"] is None


def test_init_demo_builds_a_shop_that_checks_out(sqlite_url: str) -> None:
    db = ("--db", sqlite_url)
    summary = ok_json("init", "--demo", "--customers", "12", "--days", "20", *db)["demo"]
    assert summary["cards"] == 12 and summary["checkouts"] > 0
    assert ok_json("check", *db)["ok"] is True
    # A demo is never mixed into a shop that already has cards.
    before = dump(sqlite_url)
    assert refused("init", "--demo", "--customers", "12", "--days", "20", *db)["code"] == "not_empty"
    assert dump(sqlite_url) == before


def test_import_customers_from_csv(shop: str, tmp_path: Path) -> None:
    db = ("--db", shop)
    good = tmp_path / "customers.csv"
    good.write_text("name,email,stamps\nAna Martin,ana@example.org,7\nBob,,\n", encoding="utf-8")
    report = ok_json("import", str(good), *db)
    assert report["imported"] == 2
    ana = ok_json("card", report["cards"][0], *db)
    assert (ana["name"], ana["email"], ana["balance"]) == ("Ana Martin", "ana@example.org", 7)
    assert [m["number"] for m in ok_json("search", "martin", *db)["results"]] == [ana["number"]]
    # One bad line: nothing is imported, and the error says which line.
    bad = tmp_path / "bad.csv"
    bad.write_text("name,email,phone\nChloé,chloe@example.org,\n,broken@,\n", encoding="utf-8")
    before = dump(shop)
    error = refused("import", str(bad), *db)
    assert error["code"] and "3" in error["message"]
    assert dump(shop) == before


def test_notes_on_a_customer_show_on_the_card(shop: str) -> None:
    db = ("--db", shop)
    number = ok_json("enrol", "--name", "Ana", *db)["number"]
    assert ok_json("notes", number, "usual: flat white", *db)["notes"] == "usual: flat white"
    assert "Note : usual: flat white" in stampdesk("card", number, *db).out
    before = dump(shop)
    assert refused("notes", number, "x" * 201, *db)["code"] == "invalid_notes"
    assert dump(shop) == before
    assert ok_json("notes", number, "", *db)["notes"] is None


def test_staff_are_managed_from_the_command_line(shop: str) -> None:
    db = ("--db", shop)
    owner = stampdesk("staff", "add", "Claire", "--role", "owner", "--json", *db, stdin="4826\n")
    assert owner.status == 0, owner
    assert owner.json["role"] == "owner" and "4826" not in owner.out
    assert stampdesk("staff", "add", "Tom", *db, stdin="1234\n").status == 0
    before = dump(shop)
    clash = stampdesk("staff", "add", "Léa", "--json", *db, stdin="1234\n")  # Tom's PIN
    assert clash.status == 1 and clash.json["error"]["code"], clash
    short = stampdesk("staff", "add", "Léa", "--json", *db, stdin="12\n")
    assert short.status == 1, short
    assert refused("staff", "remove", "Claire", *db)  # the last owner stays
    assert dump(shop) == before
    listed = ok_json("staff", "list", *db)["staff"]
    assert [(m["name"], m["role"]) for m in listed] == [("Claire", "owner"), ("Tom", "cashier")]
    assert stampdesk("staff", "pin", "Tom", *db, stdin="5678\n").status == 0
    with engine.connect(shop) as desk:
        assert desk.verify_pin("5678").name == "Tom"
    assert ok_json("staff", "remove", "Tom", *db)["active"] is False
    assert [m["name"] for m in ok_json("staff", "list", *db)["staff"]] == ["Claire"]
    assert "Tom (équipier) [désactivé]" in stampdesk("staff", "list", "--all", *db).out


def test_an_owner_pin_easy_to_guess_is_refused_from_the_command_line(shop: str) -> None:
    db = ("--db", shop)
    before = dump(shop)
    for pin in ("1234", "0000", "1212", "9876", "1984"):
        weak = stampdesk("staff", "add", "Claire", "--role", "owner", "--json", *db, stdin=f"{pin}\n")
        assert weak.status == 1 and weak.json["error"]["code"] == "weak_pin", weak
    human = stampdesk("staff", "add", "Claire", "--role", "owner", *db, stdin="2580\n")
    weak_pin = "stampdesk : erreur : le code d'un gérant ne doit pas"
    assert human.status == 1 and human.err_lines[0].startswith(weak_pin), human
    assert dump(shop) == before
    assert stampdesk("staff", "add", "Claire", "--role", "owner", *db, stdin="4826\n").status == 0
    assert stampdesk("staff", "add", "Tom", *db, stdin="1234\n").status == 0  # a cashier's may be
    before = dump(shop)
    weak = stampdesk("staff", "pin", "Claire", "--json", *db, stdin="4444\n")
    assert weak.status == 1 and weak.json["error"]["code"] == "weak_pin", weak
    assert dump(shop) == before


def test_print_pending_prints_another_tills_receipts_when_asked(shop: str, tmp_path: Path) -> None:
    db = ("--db", shop)
    with engine.connect(shop) as desk:
        job = desk.checkout(amount="5.00", till="back", receipt=True).print_job
    printer = ("--printer", f"preview://{tmp_path}")
    mine = ok_json(*printer, "print-pending", *db)  # this till has no name: the back till's waits
    assert mine == {"printed": 0, "pending": 0, "error": None}
    theirs = ok_json(*printer, "print-pending", "--till", "back", *db)
    assert theirs == {"printed": 1, "pending": 0, "error": None}
    assert (tmp_path / f"receipt-{job:06d}.txt").exists()


def test_the_customer_of_the_month_board(shop: str) -> None:
    db = ("--db", shop)
    enrolled = ("--at", "2025-12-01T09:00:00+01:00")
    ana = ok_json("enrol", "--name", "Ana Martin", "--leaderboard", *enrolled, *db)
    assert ana["leaderboard"] is True
    leo = ok_json("enrol", "--name", "Léo Dupont", *enrolled, *db)
    zoe = ok_json("enrol", "--name", "Zoé Bernard", *enrolled, *db)
    assert leo["leaderboard"] is False
    assert ok_json("leaderboard-optin", leo["number"], "on", *db)["leaderboard"] is True
    assert "Au tableau du client du mois" in stampdesk("card", leo["number"], *db).out
    for card, days in ((ana, (5, 6)), (leo, (5, 6, 7)), (zoe, (5, 6, 7, 8))):
        for day in days:
            at = f"2026-01-{day:02d}T09:30:00+01:00"
            ok_json("checkout", "--card", card["number"], "--amount", "4.50", "--at", at, *db)

    board = ok_json("leaderboard", "--month", "2026-01", *db)
    assert board["month"] == "2026-01"
    assert board["entries"] == [
        {"rank": 1, "name": "Léo", "card": "•" * 9 + leo["number"][-4:], "visits": 3},
        {"rank": 2, "name": "Ana", "card": "•" * 9 + ana["number"][-4:], "visits": 2},
    ]
    assert [
        e["name"] for e in ok_json("leaderboard", "--month", "2026-01", "--limit", "1", *db)["entries"]
    ] == ["Léo"]
    human = stampdesk("leaderboard", "--month", "2026-01", *db)
    assert human.status == 0 and human.err == "", human
    assert human.out.splitlines() == [
        "Client du mois, janvier 2026",
        f"  1. Léo  {'•' * 9}{leo['number'][-4:]}  3 visites",
        f"  2. Ana  {'•' * 9}{ana['number'][-4:]}  2 visites",
    ]
    assert zoe["number"][-4:] not in human.out and "Dupont" not in human.out

    # Without --month: the shop's current month, where nobody came yet.
    now = datetime.now(ZoneInfo("Europe/Paris"))
    current = ok_json("leaderboard", *db)
    assert current["month"] == f"{now.year:04d}-{now.month:02d}" and current["entries"] == []
    assert "Pas encore de visite" in stampdesk("leaderboard", *db).out

    # Opting out takes them off the board at once.
    assert ok_json("leaderboard-optin", leo["number"], "off", *db)["leaderboard"] is False
    assert [e["name"] for e in ok_json("leaderboard", "--month", "2026-01", *db)["entries"]] == ["Ana"]


def test_the_board_refuses_a_bad_month_clearly(shop: str) -> None:
    db = ("--db", shop)
    for month in ("2026-13", "January", "2026-1"):
        assert refused("leaderboard", "--month", month, *db)["code"] == "invalid_month"
    human = stampdesk("leaderboard", "--month", "2026-13", *db)
    assert human.status == 1 and human.err_lines == [
        "stampdesk : erreur : le mois doit s'écrire AAAA-MM, comme 2026-03, et non « 2026-13 »"
    ], human
    assert refused("leaderboard", "--limit", "0", *db, status=2)["code"] == "usage"
    before = dump(shop)
    assert refused("leaderboard-optin", "2900000000005", "maybe", *db, status=2)["code"] == "usage"
    assert refused("leaderboard-optin", "2900000000001", "on", *db)["code"] == "unknown_card"
    assert dump(shop) == before
