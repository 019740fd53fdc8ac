"""A chain of shops on one database: shops, their tills, a programme for the
chain or for one shop, sales recorded with their shop and till, and the
report of one shop or of the whole chain. On a SQLite file and PostgreSQL."""

from __future__ import annotations

import warnings
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from helpers import Clock, content, make_desk
from stampdesk.desk import Desk
from stampdesk.domain.errors import InvalidInput, NotFound, Refused
from stampdesk.models import checkouts

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from stampdesk.web.app import create_app

CHAIN = """
[program]
name = "Boulangerie Dupain"
stamps_per_card = 10
starter_stamps = 1
[[program.milestones]]
at = 10
reward = "Une baguette"
[program.earning]
per_visit = 1
"""

# The station shop runs a double-stamp promotion of its own.
STATION = CHAIN.replace("per_visit = 1", "per_visit = 2")


@pytest.fixture
def chain(db_url: str, clock: Clock) -> Desk:
    desk = make_desk(db_url, clock)
    desk.load_program_text(CHAIN)
    desk.rename_shop(1, "Centre")
    desk.add_shop("Gare")
    desk.assign_till("centre-1", "Centre")
    desk.assign_till("gare-1", "gare")  # any case
    return desk


def shop_of_sale(desk: Desk, checkout_id: int) -> tuple[int, str | None]:
    with desk.store.read() as conn:
        row = conn.execute(
            select(checkouts.c.shop_id, checkouts.c.till).where(checkouts.c.id == checkout_id)
        ).one()
    return int(row.shop_id), row.till


def test_one_card_in_every_shop_and_each_sale_records_its_shop_and_till(chain: Desk, clock: Clock) -> None:
    number = chain.enrol(name="Ana Martin").number
    here = chain.checkout(card=number, amount="4.20", till="centre-1")
    clock.advance(hours=3)
    there = chain.checkout(card=number, amount="3.10", till="gare-1")
    walkin = chain.checkout(amount="2.50", till="gare-1")
    assert there.balance == here.balance + 1 == 3  # the stamps follow the card
    assert shop_of_sale(chain, here.checkout) == (1, "centre-1")
    assert shop_of_sale(chain, there.checkout) == (2, "gare-1")
    assert shop_of_sale(chain, walkin.checkout) == (2, "gare-1")
    listed = {s.name: s.tills for s in chain.shops()}
    assert listed == {"Centre": ("centre-1",), "Gare": ("gare-1",)}
    assert chain.check().ok


def test_a_shop_programme_rules_its_own_sales_until_the_chain_loads_a_new_one(
    chain: Desk, clock: Clock
) -> None:
    number = chain.enrol(name="Ana Martin").number
    loaded = chain.load_program_text(STATION, shop="Gare")
    assert loaded.shop == "Gare"
    assert chain.program(shop="Gare").version == loaded.version
    assert chain.program(shop="Centre").version != loaded.version
    assert [s.own_program for s in chain.shops()] == [None, loaded.version]
    clock.advance(hours=1)
    assert chain.checkout(card=number, amount="3.00", till="gare-1").stamps_added == 2
    clock.advance(hours=1)
    assert chain.checkout(card=number, amount="3.00", till="centre-1").stamps_added == 1
    # The chain's next version is every shop's, the station's included.
    clock.advance(days=1)
    chain.load_program_text(CHAIN.replace("Une baguette", "Deux baguettes"))
    assert [s.own_program for s in chain.shops()] == [None, None]
    assert chain.checkout(card=number, amount="3.00", till="gare-1").stamps_added == 1


def test_a_sale_recorded_later_follows_the_programme_in_force_at_its_moment(
    chain: Desk, clock: Clock
) -> None:
    number = chain.enrol(name="Ana Martin").number
    sold_at = clock.now + timedelta(hours=1)
    clock.advance(days=2)
    chain.load_program_text(STATION)  # double stamps from today, for the whole chain
    late = chain.checkout(card=number, amount="3.00", till="centre-1", at=sold_at.isoformat())
    now = chain.checkout(card=number, amount="3.00", till="centre-1")
    assert (late.stamps_added, now.stamps_added) == (1, 2)
    assert late.program_version < now.program_version


def test_a_shop_report_counts_its_sales_and_the_chain_report_all(chain: Desk, clock: Clock) -> None:
    ana = chain.enrol(name="Ana Martin").number
    chain.assign_till("gare-2", "Gare")
    for till, amount in (("centre-1", "10.00"), ("gare-1", "4.00"), ("gare-2", "6.00")):
        chain.checkout(card=ana, amount=amount, till=till)
        clock.advance(hours=1)
    chain.checkout(amount="5.00", till="gare-1")
    day = chain.store.local_day(clock.now).isoformat()
    whole = chain.report(day, day)
    gare = chain.report(day, day, shop="Gare")
    centre = chain.report(day, day, shop=1)
    assert (whole.shop, gare.shop, centre.shop) == (None, "Gare", "Centre")
    assert (whole.checkouts_members, gare.checkouts_members, centre.checkouts_members) == (3, 2, 1)
    assert (gare.revenue_members, centre.revenue_members) == (10, 10)
    assert (whole.checkouts_walkins, gare.checkouts_walkins, centre.checkouts_walkins) == (1, 1, 0)
    # Ana enrolled at the first shop's till: she is its member.
    assert (whole.members_new, centre.members_new, gare.members_new) == (1, 1, 0)


def test_bad_shop_input_is_refused_and_changes_nothing(chain: Desk) -> None:
    before = content(chain)
    with pytest.raises(Refused) as taken:
        chain.add_shop("GARE")
    assert taken.value.code == "shop_exists"
    with pytest.raises(NotFound) as unknown:
        chain.assign_till("till-9", "Nowhere")
    assert unknown.value.code == "unknown_shop" and "Centre, Gare" in str(unknown.value)
    with pytest.raises(NotFound):
        chain.load_program_text(STATION, shop="Nowhere")
    with pytest.raises(NotFound):
        chain.report(shop="Nowhere")
    with pytest.raises(InvalidInput):
        chain.assign_till("till 9!", "Gare")
    with pytest.raises(InvalidInput):
        chain.add_shop("")
    with pytest.raises(Refused):
        chain.rename_shop("Centre", "gare")
    assert content(chain) == before


def test_a_till_configured_for_a_shop_sells_for_it(db_url: str, clock: Clock, chain: Desk) -> None:
    station = make_desk(db_url, clock, shop="Gare", till="gare-3")
    number = station.enrol(name="Léa Petit").number
    sale = station.checkout(card=number, amount="3.00")
    assert shop_of_sale(station, sale.checkout) == (2, "gare-3")
    wrong = make_desk(db_url, clock, shop="Nowhere")
    with pytest.raises(NotFound) as refused:
        wrong.checkout(card=number, amount="3.00")
    assert refused.value.code == "unknown_shop"
    for desk in (station, wrong):
        desk.close()


def test_an_api_key_per_till_sells_for_the_till_s_shop(chain: Desk) -> None:
    key = chain.create_api_key("gare-4", shop="Gare").key
    assert {t.name: t.shop for t in chain.tills()}["gare-4"] == "Gare"
    with pytest.raises(NotFound):
        chain.create_api_key("gare-5", shop="Nowhere")
    assert "gare-5" not in {k.name for k in chain.api_keys()}
    number = chain.enrol(name="Ana Martin").number
    with TestClient(create_app(chain, print_outbox=False)) as client:
        answer = client.post(
            "/api/v1/checkouts",
            json={"card": number, "amount": "3.00"},
            headers={"Authorization": f"Bearer {key}", "Idempotency-Key": "gare-4-1"},
        )
    assert answer.status_code == 201, answer.text
    assert shop_of_sale(chain, answer.json()["checkout"]) == (2, "gare-4")


def test_the_command_line_runs_a_chain(db_url: str, tmp_path: Path) -> None:
    from test_cli import ok_json, refused

    program = tmp_path / "chain.toml"
    program.write_text(CHAIN, encoding="utf-8")
    station = tmp_path / "station.toml"
    station.write_text(STATION, encoding="utf-8")
    db = ("--db", db_url)
    ok_json("program", "load", str(program), *db)
    assert ok_json("shop", "add", "Gare", *db)["id"] == 2
    assert ok_json("shop", "till", "gare-1", "Gare", *db) == {"name": "gare-1", "shop": "Gare", "shop_id": 2}
    assert ok_json("program", "load", str(station), "--shop", "gare", *db)["shop"] == "Gare"
    shops = ok_json("shop", "list", *db)["shops"]
    assert [(s["name"], s["tills"], bool(s["own_program"])) for s in shops] == [
        ("Main shop", [], False),
        ("Gare", ["gare-1"], True),
    ]
    key = ok_json("apikey", "create", "gare-2", "--shop", "Gare", *db)
    assert key["shop"] == "Gare"
    assert refused("shop", "add", "gare", *db)["code"] == "shop_exists"
    assert refused("report", "--shop", "Nowhere", *db)["code"] == "unknown_shop"
    assert refused("apikey", "create", "till-9", "--shop", "Nowhere", *db)["code"] == "unknown_shop"
    assert ok_json("report", "--shop", "Gare", *db)["shop"] == "Gare"
    from test_cli import stampdesk

    text = stampdesk("report", "--shop", "Gare", *db)
    assert text.status == 0 and text.out.startswith("Gare : "), text
    page = stampdesk("report", "--shop", "Gare", "--format", "html", *db)
    assert "<h1>Le programme de fidélité — Gare</h1>" in page.out
