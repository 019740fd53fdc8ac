"""``stampdesk claim CARD TOKEN_OR_URL``: a customer who forgot their card
adds the walk-in receipt to it afterwards, in the shop's language; once, and
a refusal writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

import stampdesk as engine
from helpers import EXAMPLE_PROGRAM
from stampdesk.config import Settings
from test_cli import dump, ok_json, refused, stampdesk
from test_cli_words import speaks_only


@pytest.fixture(params=["fr_FR", "en_GB"])
def shop(request: pytest.FixtureRequest, sqlite_url: str, tmp_path: Path) -> tuple[str, tuple[str, ...]]:
    """A shop with the example programme, in French or English: its locale and options."""
    locale = request.param
    config = tmp_path / "stampdesk.toml"
    config.write_text(
        f'locale = "{locale}"\ntimezone = "Europe/Paris"\npublic_url = "https://cafe.example/"\n',
        encoding="utf-8",
    )
    with engine.connect(settings=Settings(database=sqlite_url, timezone="Europe/Paris")) as desk:
        desk.load_program_file(EXAMPLE_PROGRAM)
    return locale, ("--db", sqlite_url, "--config", str(config))


def test_a_receipt_is_added_to_a_card_once_in_the_shops_words(
    shop: tuple[str, tuple[str, ...]], sqlite_url: str
) -> None:
    locale, args = shop
    lea = ok_json("enrol", "--name", "Léa", *args)
    sale = ok_json("checkout", "--amount", "12.50", *args)  # a walk-in: 2 stamps to claim
    run = stampdesk("claim", lea["number"], sale["enrol_url"], *args)  # the link, as a scanner reads it
    assert run.status == 0 and run.err == "", run
    lines = run.out.splitlines()
    if locale == "fr_FR":
        number, checkout = lea["number"], sale["checkout"]
        assert lines[0] == f"Ticket de la vente n° {checkout} ajouté à la carte {number} — Léa : +2 tampons"
        assert lines[1] == "4/10 — Cookie offert à 6"
        assert lines[2] == "Bons à remettre :" and "Croissant offert — valable jusqu'au" in lines[3]
    else:
        assert (
            lines[0] == f"Receipt of sale {sale['checkout']} added to card {lea['number']} — Léa: +2 stamps"
        )
        assert lines[1] == "4/10 — Cookie offert at 6"
        assert lines[2] == "Coupons to hand over:" and "Croissant offert — valid until" in lines[3]
    speaks_only(run.out.replace("Cookie offert", "").replace("Croissant offert", ""), locale)
    assert ok_json("card", lea["number"], *args)["balance"] == 4

    # Twice: refused in the shop's words, nothing written.
    before = dump(sqlite_url)
    again = stampdesk("claim", lea["number"], sale["claim_token"], *args)
    assert again.status == 1 and again.out == ""
    word = "déjà été récupérés" if locale == "fr_FR" else "already claimed"
    assert len(again.err.splitlines()) == 1 and word in again.err
    assert dump(sqlite_url) == before


def test_claim_speaks_json_and_refuses_with_codes(shop: tuple[str, tuple[str, ...]], sqlite_url: str) -> None:
    _, args = shop
    lea = ok_json("enrol", "--name", "Léa", *args)
    sale = ok_json("checkout", "--amount", "4.20", *args)
    data = ok_json("claim", lea["number"], sale["claim_token"], *args)
    assert (data["number"], data["checkout"], data["stamps_added"], data["balance"]) == (
        lea["number"],
        sale["checkout"],
        1,
        3,
    )
    assert [c["reward"] for c in data["new_coupons"]] == ["Croissant offert"]  # 3: the first milestone
    other = ok_json("checkout", "--amount", "4.20", *args)
    before = dump(sqlite_url)
    assert refused("claim", lea["number"], sale["claim_token"], *args)["code"] == "already_claimed"
    assert refused("claim", "2000000000015", other["claim_token"], *args)["code"] == "unknown_card"
    assert refused("claim", lea["number"], "nonsense", *args)["code"] == "invalid_claim_token"
    assert refused("claim", lea["number"], *args, status=2)  # the receipt is missing: a usage mistake
    assert dump(sqlite_url) == before
