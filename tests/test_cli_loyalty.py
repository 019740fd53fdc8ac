"""The loyalty rules through the ``stampdesk`` command line, with ``--at``
history: a customer's weeks of visits, their tier, surprise, birthday and
referral, a refund that undoes a tier, and stamps that lapse."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from helpers import ROOT
from test_cli import ok_json, refused, stampdesk

PARIS = ZoneInfo("Europe/Paris")
LOYALTY = ROOT / "examples" / "program-loyalty.toml"


def at(moment: datetime) -> str:
    return moment.isoformat()


def test_weeks_of_visits_bring_tier_surprise_birthday_and_referral(sqlite_url: str) -> None:
    db = ("--db", sqlite_url)
    ok_json("init", *db)
    ok_json("program", "load", str(LOYALTY), *db)
    # Ten weeks ago, at 10:00 in Paris (never in the quiet hours), every week.
    start = (datetime.now(PARIS) - timedelta(days=70)).replace(hour=10, minute=0, second=0, microsecond=0)
    visits = [start + timedelta(days=7 * i) for i in range(8)]
    friend = ok_json("enrol", "--name", "Chloé", "--at", at(start - timedelta(days=1)), *db)["number"]
    birthday = visits[2].strftime("1990-%m-%d")
    ana = ok_json(
        "enrol", "--name", "Ana", "--birthday", birthday, "--referrer", friend, "--at", at(start), *db
    )["number"]

    sales = []
    for i, moment in enumerate(visits):
        items = ("--item", "CROISSANT:pastry:1:1.40") if i == 4 else ()
        sales.append(ok_json("checkout", "--card", ana, "--amount", "15.00", *items, "--at", at(moment), *db))

    # 15.00 earns 2 stamps; max_per_day is 3.
    assert [s["stamps_added"] for s in sales] == [3, 2, 2, 3, 3, 2, 2, 3]
    assert "Parrainage : 1 tampon(s) offert(s)" in sales[0]["messages"]
    assert ok_json("card", friend, *db)["balance"] == 2 + 2  # the referrer's stamps
    assert "Joyeux anniversaire ! Dessert offert" in sales[2]["messages"]
    assert [c["reward"] for c in sales[2]["coupons"] if c["milestone"] == 0] == ["Dessert offert"]
    assert "Pour votre 4e visite, un tampon offert !" in sales[3]["messages"]
    assert not any("4e visite" in m for s in sales[:3] for m in s["messages"])
    assert [s["tier"] for s in sales] == [None, None, None, "Silver", "Silver", "Silver", "Silver", "Gold"]
    assert "Bienvenue au niveau Gold !" in sales[7]["messages"]

    card = ok_json("card", ana, *db)
    assert (card["tier"], card["tier_until"], card["perk"]) == ("Gold", None, "Café offert le mardi")
    lapse = datetime.fromisoformat(card["expires"]).astimezone(PARIS).date()
    assert lapse == (visits[-1] + timedelta(days=180)).date()

    # The 8th visit refunded: it never happened, so neither did Gold.
    ok_json("refund", str(sales[7]["checkout"]), *db)
    assert ok_json("card", ana, *db)["tier"] == "Silver"
    # Refunding the first sale takes the referral stamps back on both cards.
    ok_json("refund", str(sales[0]["checkout"]), *db)
    assert ok_json("card", friend, *db)["balance"] == 2
    assert ok_json("check", *db)["ok"] is True


def test_stamps_lapse_after_days_without_a_visit(sqlite_url: str) -> None:
    db = ("--db", sqlite_url)
    ok_json("init", *db)
    ok_json("program", "load", str(LOYALTY), *db)
    long_ago = datetime.now(PARIS) - timedelta(days=200)
    number = ok_json("enrol", "--name", "Ana", "--at", at(long_ago), *db)["number"]
    ok_json("checkout", "--card", number, "--amount", "5.00", "--at", at(long_ago + timedelta(days=1)), *db)
    card = ok_json("card", number, *db)
    assert card["balance"] == 0 and card["expires"] is None
    assert any("3 tampons expirés" in m for m in card["messages"])
    assert ok_json("expire", *db) == {"cards": 1, "stamps": 3, "keys": 0}
    assert ok_json("expire", *db) == {"cards": 0, "stamps": 0, "keys": 0}
    said = stampdesk("expire", *db)  # the nightly run's line, in the shop's words
    assert said.status == 0, said.err
    assert said.out.startswith("Tampons expirés : 0 tampon sur 0 carte ;"), said.out
    assert ok_json("check", *db)["ok"] is True


def test_referral_mistakes_are_refused_and_change_nothing(sqlite_url: str) -> None:
    db = ("--db", sqlite_url)
    ok_json("init", *db)
    ok_json("program", "load", str(LOYALTY), *db)
    assert refused("enrol", "--name", "Ana", "--referrer", "2900000000001", *db)["code"] == "unknown_card"
    assert refused("enrol", "--name", "Ana", "--referrer", "123", *db)["code"] == "invalid_card_number"
    assert ok_json("check", *db)["cards"] == 0


def test_a_sale_in_the_quiet_hours_earns_double(sqlite_url: str) -> None:
    db = ("--db", sqlite_url)
    ok_json("init", *db)
    ok_json("program", "load", str(LOYALTY), *db)
    now = datetime.now(PARIS)
    monday = (now - timedelta(days=now.weekday() + 7)).replace(hour=15, minute=0, second=0, microsecond=0)
    number = ok_json("enrol", "--name", "Ana", "--at", at(monday - timedelta(hours=6)), *db)["number"]
    quiet = ok_json("checkout", "--card", number, "--amount", "5.00", "--at", at(monday), *db)
    busy = ok_json(
        "checkout", "--card", number, "--amount", "5.00", "--at", at(monday + timedelta(days=3)), *db
    )
    assert (quiet["stamps_added"], busy["stamps_added"]) == (2, 1)  # Monday 15:00, then Thursday
