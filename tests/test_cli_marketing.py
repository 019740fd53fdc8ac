"""Consent to marketing e-mails from the command line: ``enrol --marketing``
and ``marketing-optin CARD on|off``, in the shop's language; off unless
given, and a refusal writes nothing."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

import stampdesk as engine
from helpers import EXAMPLE_PROGRAM
from stampdesk.config import Settings
from stampdesk.domain.errors import Refused
from stampdesk.words import Book
from test_cli import dump, ok_json, refused, stampdesk


@pytest.fixture(params=["fr_FR", "en_GB"])
def shop(request: pytest.FixtureRequest, sqlite_url: str, tmp_path: Path) -> tuple[str, tuple[str, ...]]:
    """A shop with the example programme, in French or English: its locale and options."""
    locale = request.param
    config = tmp_path / "stampdesk.toml"
    config.write_text(f'locale = "{locale}"\ntimezone = "Europe/Paris"\n', encoding="utf-8")
    with engine.connect(settings=Settings(database=sqlite_url, timezone="Europe/Paris")) as desk:
        desk.load_program_file(EXAMPLE_PROGRAM)
    return locale, ("--db", sqlite_url, "--config", str(config))


def test_enrolling_without_the_flag_leaves_consent_off(shop: tuple[str, tuple[str, ...]]) -> None:
    locale, db = shop
    ana = ok_json("enrol", "--name", "Ana Martin", "--email", "ana@example.org", "--leaderboard", *db)
    assert ana["marketing"] is False
    assert ok_json("card", ana["number"], *db)["marketing"] is False
    assert Book(locale)("cli.card.marketing") not in stampdesk("card", ana["number"], *db).out


def test_enrol_with_marketing_then_withdraw_and_give_it_again(shop: tuple[str, tuple[str, ...]]) -> None:
    locale, db = shop
    say = Book(locale)
    ana = ok_json("enrol", "--name", "Ana Martin", "--email", "ana@example.org", "--marketing", *db)
    assert ana["marketing"] is True
    number = ana["number"]
    assert say("cli.card.marketing") in stampdesk("card", number, *db).out
    with engine.connect(settings=Settings(database=db[1], timezone="Europe/Paris")) as desk:
        customer = desk.export(number)["customer"]
    assert customer["marketing_source"] == "cli"

    off = stampdesk("marketing-optin", number, "off", *db)
    assert off.status == 0 and off.out.strip() == say("cli.marketing.off", number=number)
    assert ok_json("card", number, *db)["marketing"] is False
    at = "2026-01-05T09:30:00+01:00"
    assert ok_json("marketing-optin", number, "ON", "--at", at, *db)["marketing"] is True
    with engine.connect(settings=Settings(database=db[1], timezone="Europe/Paris")) as desk:
        customer = desk.export(number)["customer"]
    assert datetime.fromisoformat(customer["marketing_at"]) == datetime.fromisoformat(at)
    assert customer["marketing_source"] == "cli"
    on = stampdesk("marketing-optin", number, "on", *db)
    assert on.out.strip() == say("cli.marketing.on", number=number)


def test_consent_without_an_e_mail_is_refused_and_writes_nothing(shop: tuple[str, tuple[str, ...]]) -> None:
    locale, db = shop
    before = dump(db[1])
    error = refused("enrol", "--name", "Ana Martin", "--marketing", *db)
    assert error["code"] == "marketing_needs_email"
    assert dump(db[1]) == before
    leo = ok_json("enrol", "--name", "Léo Dupont", *db)["number"]
    before = dump(db[1])
    run = stampdesk("marketing-optin", leo, "on", *db)
    assert run.status == 1
    assert Book(locale).error(Refused(code="marketing_needs_email")) in run.err
    assert dump(db[1]) == before
    assert refused("marketing-optin", leo, "maybe", *db, status=2)["code"] == "usage"
    assert refused("marketing-optin", "2900000000001", "off", *db)["code"] == "unknown_card"
