"""Bad input at the command line: refused with one clear line, and nothing
written.

Every case runs the command line's entry point (in this process; the
human-output cases run the installed ``stampdesk`` script in a real process)
against one SQLite shop and compares the whole database content (``iterdump``) before and after:
a refused command must leave no trace, not even half a sale.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import stampdesk as engine
from helpers import ERROR_LINE, EXAMPLE_PROGRAM, migrated_sqlite
from stampdesk.config import Settings
from stampdesk.domain.card_numbers import check_digit
from stampdesk.domain.coupon_codes import new_coupon_code
from test_cli import STAMPDESK, Run, dump, stampdesk

INJECTION = "'; DROP TABLE cards; --"
BAD_NUMBER = "invalid_card_number"
FUTURE = "2999-01-01T00:00:00+00:00"


@dataclass(frozen=True)
class Shop:
    """A shop in a known state, built once for the module."""

    url: str
    card: str  # Ana's card
    unknown_card: str  # a valid check digit, but no such card
    mistyped_card: str  # Ana's number with a wrong check digit
    used_coupon: str
    refunded_checkout: str
    folder: Path


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    folder = tmp_path_factory.mktemp("bad-input")
    url = migrated_sqlite(folder / "shop.db")
    # Set up through the Python API (fast); the cases below go through the CLI.
    desk = engine.connect(settings=Settings(database=url, timezone="Europe/Paris"))
    try:
        desk.load_program_file(EXAMPLE_PROGRAM)
        ana = desk.enrol(name="Ana Martin", email="ana@example.org")
        sale = desk.checkout(card=ana.number, amount="12.50")
        used = sale.coupons[0].code
        desk.redeem(used)
        refunded = desk.checkout(card=ana.number, amount="3.00")
        desk.refund(refunded.checkout)
        desk.checkout(amount="4.20")  # a walk-in, so claims have something to refuse
    finally:
        desk.close()
    body = "29" + "0" * 9 + "1"
    unknown = body + check_digit(body)
    wrong = str((int(ana.number[-1]) + 1) % 10)
    (folder / "broken.toml").write_text("[program\nname = 'x'\n", encoding="utf-8")
    yield Shop(url, ana.number, unknown, ana.number[:-1] + wrong, used, str(refunded.checkout), folder)


# (what, argv after "stampdesk", expected exit status, expected error code or None)
CASES: list[tuple[str, tuple[str, ...], int, str | None]] = [
    # Cards
    ("unknown card", ("card", "{unknown_card}"), 1, "unknown_card"),
    ("mistyped card", ("card", "{mistyped_card}"), 1, "invalid_card_number"),
    ("card injection", ("card", INJECTION), 1, "invalid_card_number"),
    # Amounts
    *[
        (f"amount {amount!r}", ("checkout", "--card", "{card}", "--amount", amount), 1, "invalid_amount")
        for amount in ("-5", "0", "abc", "NaN", "1e3", "12.345", "99999999", "", "Infinity", "0x10", "1_000")
    ],
    # Checkout, other fields
    ("checkout unknown card", ("checkout", "--card", "{unknown_card}", "--amount", "5"), 1, "unknown_card"),
    ("checkout mistyped card", ("checkout", "--card", "{mistyped_card}", "--amount", "5"), 1, BAD_NUMBER),
    ("checkout card injection", ("checkout", "--card", INJECTION, "--amount", "5"), 1, "invalid_card_number"),
    ("item injection", ("checkout", "--amount", "5", "--item", INJECTION), 1, "invalid_item"),
    ("item zero quantity", ("checkout", "--amount", "5", "--item", "CAF:coffee:0:2.50"), 1, "invalid_item"),
    ("item bad price", ("checkout", "--amount", "5", "--item", "CAF:coffee:1:2.505"), 1, "invalid_amount"),
    ("key injection", ("checkout", "--amount", "5", "--key", INJECTION), 1, "invalid_idempotency_key"),
    ("at injection", ("checkout", "--amount", "5", "--at", INJECTION), 1, "invalid_time"),
    ("at in the future", ("checkout", "--amount", "5", "--at", FUTURE), 1, "invalid_time"),
    ("at without zone", ("checkout", "--amount", "5", "--at", "2026-01-05T09:30:00"), 1, "invalid_time"),
    # Enrolment
    ("empty name", ("enrol", "--name", ""), 1, "invalid_name"),
    ("blank name", ("enrol", "--name", "   "), 1, "invalid_name"),
    ("500-char name", ("enrol", "--name", "A" * 500), 1, "invalid_name"),
    ("control chars in name", ("enrol", "--name", "Ana\x07"), 1, "invalid_name"),
    ("malformed e-mail", ("enrol", "--name", "Ana", "--email", "ana@"), 1, "invalid_email"),
    ("e-mail injection", ("enrol", "--name", "Ana", "--email", INJECTION), 1, "invalid_email"),
    ("e-mail enrolled", ("enrol", "--name", "Ana", "--email", "ana@example.org"), 1, "already_enrolled"),
    ("bad phone", ("enrol", "--name", "Ana", "--phone", "call me"), 1, "invalid_phone"),
    ("future birthday", ("enrol", "--name", "Ana", "--birthday", "2999-01-01"), 1, "invalid_birthday"),
    ("bad birthday", ("enrol", "--name", "Ana", "--birthday", "12/04/1988"), 1, "invalid_birthday"),
    ("unknown referrer", ("enrol", "--name", "Ana", "--referrer", "{unknown_card}"), 1, "unknown_card"),
    ("claim injection", ("enrol", "--name", "Ana", "--claim", INJECTION), 1, "invalid_claim_token"),
    ("forged claim", ("enrol", "--name", "Ana", "--claim", "3.AAAAAAAAAAAAAAAA"), 1, "invalid_claim_token"),
    # Coupons
    ("reused coupon", ("redeem", "{used_coupon}"), 1, "coupon_used"),
    ("unknown coupon", ("redeem", "{unknown_coupon}"), 1, "unknown_coupon"),
    ("coupon injection", ("redeem", INJECTION), 1, "invalid_coupon_code"),
    # Refunds
    ("refund unknown id", ("refund", "999999"), 1, "unknown_checkout"),
    ("refund twice", ("refund", "{refunded_checkout}"), 1, "already_refunded"),
    ("refund injection", ("refund", INJECTION), 1, "invalid_checkout_id"),
    ("refund zero", ("refund", "0"), 1, "invalid_checkout_id"),
    ("refund huge id", ("refund", "9" * 40), 1, "invalid_checkout_id"),
    # Adjustments and search
    ("adjust zero", ("adjust", "{card}", "0", "--reason", "x", "--staff", "Zoé"), 1, "invalid_stamps"),
    ("adjust too many", ("adjust", "{card}", "1000", "--reason", "x", "--staff", "Zoé"), 1, "invalid_stamps"),
    ("adjust no reason", ("adjust", "{card}", "1", "--reason", "", "--staff", "Zoé"), 1, "invalid_reason"),
    ("adjust injection", ("adjust", INJECTION, "1", "--reason", "x", "--staff", "Zoé"), 1, BAD_NUMBER),
    ("empty search", ("search", " "), 1, "invalid_search"),
    # Programme, backup, configuration
    ("missing programme file", ("program", "load", "{folder}/nope.toml"), 1, "invalid_program"),
    ("broken programme file", ("program", "load", "{folder}/broken.toml"), 1, "invalid_program"),
    ("backup into a missing folder", ("backup", "{folder}/no/such/dir/copy.db"), 1, "invalid_path"),
    ("backup over the database", ("backup", "{folder}/shop.db"), 1, "invalid_path"),
    ("missing config file", ("card", "{card}", "--config", "{folder}/nope.toml"), 1, "invalid_config"),
    # Usage mistakes: exit status 2
    ("amount missing", ("checkout", "--card", "{card}"), 2, "usage"),
    ("amount without value", ("checkout", "--amount"), 2, "usage"),
    ("name missing", ("enrol", "--email", "ana@example.org"), 2, "usage"),
    ("unknown command", ("stamp", "{card}"), 2, "usage"),
    ("unknown option", ("card", "{card}", "--verbose"), 2, "usage"),
    ("stamps not a number", ("adjust", "{card}", "two", "--reason", "x", "--staff", "Zoé"), 2, "usage"),
    ("negative refund id", ("refund", "-1"), 2, "usage"),
    ("extra argument", ("redeem", "{used_coupon}", "again"), 2, "usage"),
]


def argv(shop: Shop, args: tuple[str, ...]) -> list[str]:
    values = {
        "card": shop.card,
        "unknown_card": shop.unknown_card,
        "mistyped_card": shop.mistyped_card,
        "used_coupon": shop.used_coupon,
        "unknown_coupon": new_coupon_code(),
        "refunded_checkout": shop.refunded_checkout,
        "folder": str(shop.folder),
    }
    # str.format would choke on the braces of other arguments: replace by hand.
    out = []
    for arg in args:
        for key, value in values.items():
            arg = arg.replace("{" + key + "}", value)
        out.append(arg)
    return [*out, "--db", shop.url]


def assert_refused(run: Run, status: int, *, as_json: bool) -> dict[str, str] | None:
    assert run.status == status, run
    assert len(run.err_lines) == 1, run
    assert run.err_lines[0].startswith(ERROR_LINE) and "Traceback" not in run.err, run
    if not as_json:
        assert run.out == "", run
        return None
    error: dict[str, str] = json.loads(run.out)["error"]  # exactly one JSON object
    assert set(error) == {"code", "message"} and error["message"], run
    return error


@pytest.mark.parametrize(("args", "status", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_refused_and_writes_nothing(
    shop: Shop, args: tuple[str, ...], status: int, code: str | None
) -> None:
    before = dump(shop.url)
    run = stampdesk(*argv(shop, args), "--json")
    error = assert_refused(run, status, as_json=True)
    assert error is not None
    if code is not None:
        assert error["code"] == code, run
    assert dump(shop.url) == before


HUMAN = ["unknown card", "amount '-5'", "reused coupon", "refund twice", "amount missing", "unknown command"]


@pytest.mark.parametrize(("args", "status"), [(c[1], c[2]) for c in CASES if c[0] in HUMAN], ids=HUMAN)
def test_without_json_an_error_is_one_line_on_stderr_only(
    shop: Shop, args: tuple[str, ...], status: int
) -> None:
    before = dump(shop.url)
    # The installed script in a real process: its exit status is the process's.
    assert_refused(stampdesk(*argv(shop, args), process=True), status, as_json=False)
    assert dump(shop.url) == before


def test_json_before_the_command_also_gives_the_error_object(shop: Shop) -> None:
    run = stampdesk("--json", "--db", shop.url, "redeem", shop.used_coupon)
    assert assert_refused(run, 1, as_json=True) == {
        "code": "coupon_used",
        "message": json.loads(run.out)["error"]["message"],
    }


def test_sql_in_a_name_is_just_a_name(shop: Shop, tmp_path: Path) -> None:
    # A valid (if odd) name: stored as typed, and the tables are all still there.
    copy = tmp_path / "copy.db"
    source = sqlite3.connect(Path(shop.url.removeprefix("sqlite:///")))
    target = sqlite3.connect(copy)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    url = f"sqlite:///{copy}"
    enrolled = stampdesk("enrol", "--name", INJECTION, "--db", url, "--json")
    assert enrolled.status == 0, enrolled
    number = json.loads(enrolled.out)["number"]
    card = json.loads(stampdesk("card", number, "--db", url, "--json").out)
    assert card["name"] == INJECTION
    check = json.loads(stampdesk("check", "--db", url, "--json").out)
    # No public_url in this shop's settings: a warning, not a failure.
    assert [w["code"] for w in check.pop("warnings")] == ["public_url_unreachable"]
    assert check == {
        "ok": True,
        "cards": 2,
        "ledger_rows": check["ledger_rows"],
        "mismatches": [],
        "missing_rewards": [],
    }


def test_the_console_script_is_the_one_under_test() -> None:
    # Guard against testing some other stampdesk on PATH.
    done = subprocess.run([str(STAMPDESK), "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.strip() == f"stampdesk {engine.__version__}"
