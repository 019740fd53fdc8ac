"""A till of a chain keeps selling when its link to PostgreSQL is cut, and
replays the kept sales, in order and exactly once, when it comes back.

The link is a real TCP relay on 127.0.0.1 that the test cuts and restores;
the database is the real PostgreSQL."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import warnings
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from helpers import ROOT, Clock, make_desk
from stampdesk.desk import Desk
from stampdesk.domain.card_numbers import check_digit
from stampdesk.offline import OfflineSale, SaleOutbox
from stampdesk.results import CheckoutResult
from tcp_proxy import CuttableLink

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from stampdesk.print_outbox import ReceiptPrinter
from stampdesk.web.app import create_app

pytestmark = pytest.mark.postgres

PROGRAM = """
[program]
name = "Boulangerie Dupain"
stamps_per_card = 10
starter_stamps = 1
[[program.milestones]]
at = 5
reward = "Un croissant"
[[program.milestones]]
at = 10
reward = "Une baguette"
[program.earning]
per_visit = 1
"""

STAMPDESK = Path(sys.executable).parent / "stampdesk"


def through(pg_url: str, link: CuttableLink) -> str:
    return make_url(pg_url).set(port=link.port).render_as_string(hide_password=False)


@pytest.fixture
def office(pg_url: str, clock: Clock) -> Iterator[Desk]:
    """The chain's office, on the database directly."""
    desk = make_desk(pg_url, clock, offline=False)
    desk.load_program_text(PROGRAM)
    yield desk
    desk.close()


@pytest.fixture
def till(pg_url: str, link: CuttableLink, clock: Clock, tmp_path: Path, office: Desk) -> Iterator[Desk]:
    """A till that reaches the database through the link."""
    desk = make_desk(through(pg_url, link), clock, offline=True, outbox=tmp_path / "outbox.db", till="gare-1")
    yield desk
    desk.close()


def sales_of(office: Desk) -> list[tuple[str, int | None, str]]:
    """(key, balance after, time) of every recorded sale, in the order recorded."""
    with office.store.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT idempotency_key, balance_after, at FROM checkouts ORDER BY id")
        ).all()
    return [(r[0], r[1], r[2].isoformat()) for r in rows]


def test_sales_made_while_the_link_is_cut_are_replayed_in_order_exactly_once(
    till: Desk, office: Desk, link: CuttableLink, clock: Clock
) -> None:
    number = office.enrol(name="Ana Martin").number
    made: list[CheckoutResult | OfflineSale] = []
    for n in range(24):
        if n == 8:
            link.cut()
        clock.advance(minutes=5)
        made.append(till.checkout(card=number, amount="3.20", till="gare-1"))
        if n == 15:
            assert till.waiting_sales() == 8
            link.restore()
            report = till.sync()
            assert (report.sent, report.refused, report.waiting, report.online) == (8, 0, 0, True)
    kept = [m for m in made if isinstance(m, OfflineSale)]
    assert [type(m) for m in made] == [CheckoutResult] * 8 + [OfflineSale] * 8 + [CheckoutResult] * 8
    assert [k.waiting for k in kept] == list(range(1, 9))  # the cashier sees the queue grow
    # Every sale once, in the order made, each at its own moment, and the
    # card's stamps counted one by one (no gap, no double).
    recorded = sales_of(office)
    assert len(recorded) == 24 == len({key for key, _, _ in recorded})
    assert [at for _, _, at in recorded] == sorted(at for _, _, at in recorded)
    assert [k.key for k in kept] == [key for key, _, _ in recorded[8:16]]
    assert [k.at.isoformat() for k in kept] == [at for _, _, at in recorded[8:16]]
    card = office.card(number)
    assert card.cycle * 10 + card.balance == 1 + 24
    assert office.check().ok
    assert till.waiting_sales() == 0


def test_a_replay_after_the_till_died_before_noting_it_records_nothing_twice(
    till: Desk, office: Desk, link: CuttableLink, clock: Clock, tmp_path: Path
) -> None:
    number = office.enrol(name="Ana Martin").number
    link.cut()
    for _ in range(5):
        clock.advance(minutes=1)
        assert isinstance(till.checkout(card=number, amount="4.00"), OfflineSale)
    link.restore()
    assert till.sync().sent == 5
    # The till died after the database's commits and before the outbox noted
    # them: on disk, the sales are still waiting.
    with sqlite3.connect(tmp_path / "outbox.db") as outbox:
        outbox.execute("UPDATE sales SET status = 'waiting', checkout_id = NULL")
    assert till.waiting_sales() == 5
    again = till.sync()
    assert (again.sent, again.waiting) == (5, 0)
    assert len(sales_of(office)) == 5
    assert office.card(number).balance == 1 + 5


def test_a_kept_sale_earns_by_the_rules_in_force_when_it_was_made(
    till: Desk, office: Desk, link: CuttableLink, clock: Clock
) -> None:
    number = office.enrol(name="Ana Martin").number
    link.cut()
    clock.advance(hours=1)
    kept = till.checkout(card=number, amount="3.00")
    assert isinstance(kept, OfflineSale)
    clock.advance(days=1)
    office.load_program_text(PROGRAM.replace("per_visit = 1", "per_visit = 3"))  # triple stamps from now
    link.restore()
    till.sync()
    clock.advance(hours=1)
    now = till.checkout(card=number, amount="3.00")
    assert isinstance(now, CheckoutResult) and now.stamps_added == 3
    first = office.sale(now.checkout - 1)
    assert (first.stamps_added, first.at) == (1, kept.at)


def test_a_sale_the_database_refuses_at_replay_is_set_aside_for_the_owner(
    till: Desk, office: Desk, link: CuttableLink, clock: Clock
) -> None:
    number = office.enrol(name="Ana Martin").number
    stranger = "299999999999" + check_digit("299999999999")  # a well-formed number no card has
    link.cut()
    assert isinstance(till.checkout(card=stranger, amount="3.00"), OfflineSale)
    assert isinstance(till.checkout(card=number, amount="3.00"), OfflineSale)
    link.restore()
    report = till.sync()
    assert (report.sent, report.refused, report.waiting) == (1, 1, 0)
    assert [(r.card, r.code) for r in till.refused_sales()] == [(stranger, "unknown_card")]
    assert office.card(number).balance == 2


def test_bad_input_is_refused_offline_too_and_nothing_is_kept(till: Desk, link: CuttableLink) -> None:
    link.cut()
    for bad in ({"amount": "-3"}, {"amount": "abc"}, {"amount": "3.00", "card": "12"}):
        with pytest.raises(Exception) as refused:
            till.checkout(**bad)  # type: ignore[arg-type]
        assert getattr(refused.value, "code", "").startswith("invalid")
    assert till.waiting_sales() == 0


def test_the_api_prints_an_offline_sale_s_receipt_at_once(
    till: Desk, office: Desk, link: CuttableLink, tmp_path: Path
) -> None:
    number = office.enrol(name="Ana Martin").number
    key = till.create_api_key("gare-1").key
    auth = {"Authorization": f"Bearer {key}"}
    paper = tmp_path / "paper"
    with TestClient(create_app(till, printer=ReceiptPrinter(f"preview://{paper}"))) as client:
        assert client.get(f"/api/v1/cards/{number}", headers=auth).status_code == 200
        link.cut()
        sale = client.post(
            "/api/v1/checkouts",
            json={"card": number, "amount": "5.40", "receipt": True},
            headers={**auth, "Idempotency-Key": "gare-1-0002"},
        )
        assert sale.status_code == 202, sale.text
        deadline = time.monotonic() + 20
        while not list(paper.glob("offline-*.txt")) and time.monotonic() < deadline:
            time.sleep(0.05)
        link.restore()
    receipt = next(paper.glob("offline-*.txt")).read_text(encoding="utf-8")
    assert "TAMPONS EN ATTENTE DE SYNCHRONISATION" in receipt and "gare-1-0002" in receipt
    assert "5,40" in receipt


def test_the_api_accepts_sales_offline_and_answers_503_for_the_rest(
    till: Desk, office: Desk, link: CuttableLink, clock: Clock
) -> None:
    number = office.enrol(name="Ana Martin").number
    key = till.create_api_key("gare-1").key
    auth = {"Authorization": f"Bearer {key}"}
    with TestClient(create_app(till, print_outbox=False)) as client:
        assert client.get(f"/api/v1/cards/{number}", headers=auth).status_code == 200  # the key is known
        link.cut()
        sale = client.post(
            "/api/v1/checkouts",
            json={"card": number, "amount": "3.00"},
            headers={**auth, "Idempotency-Key": "gare-1-0001"},
        )
        assert sale.status_code == 202, sale.text
        body = sale.json()
        assert (body["pending"], body["checkout"], body["key"], body["waiting"]) == (
            True,
            None,
            "gare-1-0001",
            1,
        )
        card = client.get(f"/api/v1/cards/{number}", headers=auth)
        assert card.status_code == 503 and card.json()["error"]["code"] == "database_unreachable"
        # The same key again is the same sale: still one waiting.
        again = client.post(
            "/api/v1/checkouts",
            json={"card": number, "amount": "3.00"},
            headers={**auth, "Idempotency-Key": "gare-1-0001"},
        )
        assert again.status_code == 202 and till.waiting_sales() == 1
        link.restore()
        assert till.sync().sent == 1
        replay = client.post(
            "/api/v1/checkouts",
            json={"card": number, "amount": "3.00"},
            headers={**auth, "Idempotency-Key": "gare-1-0001"},
        )
        assert replay.status_code == 201 and replay.json()["replayed"] is True
    assert office.card(number).balance == 2


def test_two_tills_keeping_sales_with_one_key_get_a_sale_each(
    till: Desk, office: Desk, link: CuttableLink
) -> None:
    """A server that keeps its tills' sales while the database is out of
    reach: two tills that send the same receipt number are two sales."""
    number = office.enrol(name="Ana Martin").number
    auth = [{"Authorization": f"Bearer {till.create_api_key(name).key}"} for name in ("gare-1", "gare-2")]
    with TestClient(create_app(till, print_outbox=False)) as client:
        for headers in auth:  # the keys are known before the link goes
            assert client.get(f"/api/v1/cards/{number}", headers=headers).status_code == 200
        link.cut()
        kept = [
            client.post(
                "/api/v1/checkouts",
                json={"card": number, "amount": "3.00"},
                headers={**headers, "Idempotency-Key": "R42"},
            )
            for headers in (*auth, auth[0])
        ]
        assert [k.status_code for k in kept] == [202, 202, 202]
        assert [k.json()["waiting"] for k in kept] == [1, 2, 2]  # the retry is the same sale
        link.restore()
        assert till.sync().sent == 2
        replays = [
            client.post(
                "/api/v1/checkouts",
                json={"card": number, "amount": "3.00"},
                headers={**headers, "Idempotency-Key": "R42"},
            ).json()
            for headers in auth
        ]
    assert [r["replayed"] for r in replays] == [True, True]
    assert replays[0]["checkout"] != replays[1]["checkout"]
    assert len(sales_of(office)) == 2 and office.card(number).balance == 1 + 2


def test_a_kept_sale_with_another_tills_key_is_a_sale_of_its_own(
    till: Desk, office: Desk, link: CuttableLink
) -> None:
    number = office.enrol(name="Ana Martin").number
    other = office.checkout(card=number, amount="3.00", idempotency_key="R7", till="gare-2")
    link.cut()
    assert isinstance(till.checkout(card=number, amount="3.00", idempotency_key="R7"), OfflineSale)
    link.restore()
    assert till.sync().sent == 1
    recorded = sales_of(office)
    assert [key for key, _, _ in recorded] == ["R7", "R7"]
    assert office.card(number).balance == 1 + 2
    # Each till's key replays its own sale.
    mine = till.checkout(card=number, amount="3.00", idempotency_key="R7")
    assert isinstance(mine, CheckoutResult) and mine.replayed and mine.checkout != other.checkout


# The outbox as stampdesk wrote it when a key was one sale whatever its till.
UNSCOPED_OUTBOX = """
CREATE TABLE sales (
    seq INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, card TEXT, amount TEXT NOT NULL,
    items TEXT NOT NULL, at TEXT NOT NULL, given_at INTEGER NOT NULL, till TEXT, queued_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'waiting', checkout_id INTEGER, error_code TEXT, error TEXT, done_at TEXT
);
CREATE INDEX ix_sales_waiting ON sales (seq) WHERE status = 'waiting';
CREATE TABLE facts (name TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO sales (key, card, amount, items, at, given_at, till, queued_at)
VALUES ('R1', NULL, '3.00', '[]', '2026-03-02T08:00:00+00:00', 0, 'gare-1', '2026-03-02T08:00:00+00:00');
"""


def test_an_outbox_written_before_keys_had_a_till_keeps_its_sales(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "outbox.db"
    with sqlite3.connect(path) as old:
        old.executescript(UNSCOPED_OUTBOX)
    outbox = SaleOutbox(path)
    try:
        [waiting] = outbox.next_waiting()
        assert (waiting.key, waiting.till, waiting.amount) == ("R1", "gare-1", Decimal("3.00"))
        sale = {"card": None, "amount": Decimal("3.00"), "items": (), "at": clock(), "given_at": False}
        assert outbox.add(key="R1", till="gare-1", scope="gare-1", **sale) == 1  # the same sale
        assert outbox.add(key="R1", till="gare-2", scope="gare-2", **sale) == 2  # another till's
    finally:
        outbox.close()
    outbox = SaleOutbox(path)  # opened again: as it is
    try:
        assert [(s.key, s.till) for s in outbox.next_waiting()] == [("R1", "gare-1"), ("R1", "gare-2")]
    finally:
        outbox.close()


def test_the_command_line_keeps_a_sale_offline_and_syncs_it(
    pg_url: str, link: CuttableLink, office: Desk, tmp_path: Path
) -> None:
    number = office.enrol(name="Ana Martin").number
    config = tmp_path / "till.toml"
    config.write_text(
        f'database = "{through(pg_url, link)}"\ntill = "gare-2"\noutbox = "{tmp_path / "cli-outbox.db"}"\n'
        f'timezone = "Europe/Paris"\n[printer]\nurl = "preview://{tmp_path / "paper"}"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "STAMPDESK_CONFIG": str(config)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(STAMPDESK), *args, "--json"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )

    link.cut()
    kept = run("checkout", "--card", number, "--amount", "4.50", "--print")
    assert kept.returncode == 0, kept.stderr
    sale = json.loads(kept.stdout)
    assert (sale["pending"], sale["waiting"], sale["printed"]) == (True, 1, True)
    receipt = next((tmp_path / "paper").glob("offline-*.txt")).read_text(encoding="utf-8")
    assert "TAMPONS EN ATTENTE DE SYNCHRONISATION" in receipt and number[-4:] in receipt
    assert number not in receipt  # the card's last 4 digits only
    still = run("sync")
    assert still.returncode == 1 and json.loads(still.stdout)["waiting"] == 1
    link.restore()
    done = run("sync")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["sent"] == 1
    assert office.card(number).balance == 2


KEEPER = textwrap.dedent(
    """
    import sys, stampdesk
    from stampdesk.config import Settings
    url, outbox, number = sys.argv[1:4]
    desk = stampdesk.connect(settings=Settings(database=url, offline=True, outbox=outbox, till="gare-9"))
    n = 0
    while True:
        sale = desk.checkout(card=number, amount="2.10")
        print(sale.key, flush=True)
        n += 1
    """
)


def test_the_outbox_survives_a_till_killed_at_any_instant(pg_url: str, office: Desk, tmp_path: Path) -> None:
    number = office.enrol(name="Ana Martin").number
    nowhere = make_url(pg_url).set(port=1).render_as_string(hide_password=False)  # nothing listens there
    outbox = tmp_path / "killed-outbox.db"
    printed: list[str] = []
    for delay in (0.8, 0.35, 1.2):
        child = subprocess.Popen(
            [sys.executable, "-c", KEEPER, nowhere, str(outbox), number],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        )
        time.sleep(delay + 1.0)  # the interpreter's start, then sales
        os.kill(child.pid, signal.SIGKILL)
        out, _ = child.communicate(timeout=30)
        printed += out.split()
    assert printed, "the till never sold"
    # Every sale the cashier saw kept is still there after the kill.
    with sqlite3.connect(outbox) as conn:
        kept = [k for (k,) in conn.execute("SELECT key FROM sales ORDER BY seq")]
    assert set(printed) <= set(kept) and len(kept) <= len(printed) + 3
    # And the till, back on its database, replays each of them once.
    back = make_desk(pg_url, Clock(office.now() + timedelta(minutes=1)), offline=True, outbox=outbox)
    report = back.sync()
    back.close()
    assert (report.sent, report.waiting) == (len(kept), 0)
    assert office.card(number).cycle * 10 + office.card(number).balance == 1 + len(kept)
    assert office.check().ok


def test_init_says_when_the_database_cannot_be_reached(pg_url: str, tmp_path: Path) -> None:
    nowhere = make_url(pg_url).set(port=1).render_as_string(hide_password=False)
    done = subprocess.run(
        [str(STAMPDESK), "init", "--db", nowhere, "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, "STAMPDESK_OUTBOX": str(tmp_path / "outbox.db")},
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done
    assert json.loads(done.stdout)["error"]["code"] == "database_unavailable"


def _open_outbox(path: str) -> None:
    SaleOutbox(path).close()


def test_processes_of_one_till_opening_a_new_outbox_at_once_all_open_it(tmp_path: Path) -> None:
    """Till processes started together (one till's API server and its
    scripts) open the same new outbox: SQLite refuses the switch to WAL of
    some of them at once, and each must still open it."""
    context = multiprocessing.get_context("fork")
    failed = 0
    for trial in range(40):
        path = str(tmp_path / f"outbox-{trial}.db")
        openers = [context.Process(target=_open_outbox, args=(path,)) for _ in range(4)]
        for p in openers:
            p.start()
        for p in openers:
            p.join(60)
        failed += sum(p.exitcode != 0 for p in openers)
    assert failed == 0
