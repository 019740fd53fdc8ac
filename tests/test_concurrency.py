"""Tills (separate processes) stamping the same card at once lose nothing,
and the protections that make it so stay in place."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy

from helpers import STAMPDESK, Clock, make_desk, wait_for_a_lock_wait
from stampdesk.desk import Desk
from stampdesk.services import checkout as checkout_service
from tills import BAKERY as PROGRAM

TILLS = Path(__file__).with_name("tills.py")


def run_tills(
    mode: str, url: str, number: str, tills: int, per_till: int, timeout: float
) -> list[tuple[int, Any]]:
    """Run ``tills`` processes of tests/tills.py MODE together on one card:
    each one's exit status and report (``{"done", "errors"}``)."""
    start = time.time() + 3  # every till connected and warm, then all at once
    processes = [
        subprocess.Popen(
            [sys.executable, str(TILLS), mode, url, number, f"till{n}", str(per_till), str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(1, tills + 1)
    ]
    deadline = time.monotonic() + timeout
    try:
        outputs = [p.communicate(timeout=max(0.1, deadline - time.monotonic())) for p in processes]
    finally:
        for p in processes:
            if p.poll() is None:
                p.kill()
                p.wait(10)
    for n, (p, (_, err)) in enumerate(zip(processes, outputs, strict=True), 1):
        if p.returncode or err.strip():
            print(f"till{n} exited with {p.returncode}:\n{err[-3000:]}")  # shown if the test fails
    return [
        (p.returncode, json.loads(out) if out.strip() else None)
        for p, (out, _) in zip(processes, outputs, strict=True)
    ]


def stamps_on(desk: Desk, number: str) -> int:
    """Every stamp the card holds, across its completed cycles (10 stamps each)."""
    card = desk.card(number)
    return card.cycle * 10 + card.balance


def ledger_of(desk: Desk, number: str) -> tuple[int, int]:
    """The card's stamps and cycles as its ledger sums them."""
    with desk.store.engine.connect() as conn:
        row = conn.execute(
            sqlalchemy.text(
                "SELECT coalesce(sum(stamps), 0), coalesce(sum(cycles), 0) FROM ledger "
                "WHERE card_id = (SELECT id FROM cards WHERE number = :n)"
            ),
            {"n": number},
        ).one()
    return int(row[0]), int(row[1])


def test_two_tills_stamping_one_card_lose_nothing(db_url: str, clock: Clock) -> None:
    desk = make_desk(db_url, clock)
    desk.load_program_text(PROGRAM)
    number = desk.enrol(name="Regular").number
    per_till = 300
    assert (
        run_tills("checkout", db_url, number, 2, per_till, timeout=180)
        == [(0, {"done": per_till, "errors": {}})] * 2
    )
    card = desk.card(number)
    # 1 starter stamp + one stamp per sale, wherever the cycles fell.
    assert card.cycle * 10 + card.balance == 1 + 2 * per_till
    assert desk.check().ok
    with desk.store.engine.connect() as conn:
        coupons = conn.exec_driver_sql("SELECT cycle, milestone_at FROM coupons").all()
    # Exactly one coupon per milestone and cycle, none lost, none doubled.
    assert sorted(coupons) == sorted(
        {(c, m) for c in range(card.cycle) for m in (4, 10)}
        | ({(card.cycle, 4)} if card.balance >= 4 else set())
    )
    desk.close()


SAME_KEYS = textwrap.dedent(
    """
    import sys, time, stampdesk
    url, number = sys.argv[1:3]
    count, start = int(sys.argv[3]), float(sys.argv[4])
    desk = stampdesk.connect(url)
    desk.card(number)
    time.sleep(max(0.0, start - time.time()))
    sales = [desk.checkout(card=number, amount="3.10", idempotency_key=f"receipt-{i}") for i in range(count)]
    ids = [sale.checkout for sale in sales]
    print(",".join(map(str, ids)))
    """
)


def test_two_tills_retrying_the_same_sales_record_each_once(db_url: str, clock: Clock) -> None:
    """Both tills send the same idempotency keys at the same moment (a retry
    racing the original): each sale is recorded once, both get its result."""
    desk = make_desk(db_url, clock)
    desk.load_program_text(PROGRAM)
    number = desk.enrol(name="Regular").number
    count, start = 200, time.time() + 3
    tills = [
        subprocess.Popen(
            [sys.executable, "-c", SAME_KEYS, db_url, number, str(count), str(start)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in (1, 2)
    ]
    outputs = [t.communicate(timeout=180)[0] for t in tills]
    assert [t.returncode for t in tills] == [0, 0]
    assert outputs[0] == outputs[1]  # the same checkout for the same key, whichever till wrote it
    card = desk.card(number)
    assert card.cycle * 10 + card.balance == 1 + count
    assert desk.check().ok
    desk.close()


def test_threads_of_one_till_share_the_desk_safely(db_url: str, clock: Clock) -> None:
    """The till and the API call one Desk from several threads at once."""
    from concurrent.futures import ThreadPoolExecutor

    desk = make_desk(db_url, clock)
    desk.load_program_text(PROGRAM)
    number = desk.enrol(name="Regular").number
    others = [desk.enrol(name=f"Other {i}").number for i in range(4)]

    def sell(card: str) -> int:
        for _ in range(40):
            desk.checkout(card=card, amount="3.10")
            desk.card(number)
        return 40

    with ThreadPoolExecutor(max_workers=5) as pool:
        done = sum(pool.map(sell, [number, *others]))
    assert done == 200
    for card in [number, *others]:
        state = desk.card(card)
        assert state.cycle * 10 + state.balance == 1 + 40
    assert desk.check().ok
    desk.close()


@pytest.mark.slow
def test_four_tills_selling_8000_times_on_one_card_lose_and_double_nothing(db_url: str, clock: Clock) -> None:
    desk = make_desk(db_url, clock)
    desk.load_program_text(PROGRAM)
    number = desk.enrol(name="Regular").number
    tills, per_till = 4, 2000
    reports = run_tills("checkout", db_url, number, tills, per_till, timeout=600)
    # Every till got an answer for every sale: none was refused or failed.
    assert reports == [(0, {"done": per_till, "errors": {}})] * tills
    sales = tills * per_till
    card = desk.card(number)
    assert card.cycle * 10 + card.balance == 1 + sales
    assert ledger_of(desk, number) == (card.balance, card.cycle)
    with desk.store.engine.connect() as conn:
        coupons = conn.exec_driver_sql("SELECT cycle, milestone_at FROM coupons").all()
        recorded, keys = conn.exec_driver_sql(
            "SELECT count(*), count(DISTINCT idempotency_key) FROM checkouts"
        ).one()
    assert (recorded, keys) == (sales, sales)
    # One coupon per milestone and cycle, none lost, none doubled.
    assert sorted(coupons) == sorted(
        {(c, m) for c in range(card.cycle) for m in (4, 10)}
        | ({(card.cycle, 4)} if card.balance >= 4 else set())
    )
    check = subprocess.run(
        [str(STAMPDESK), "--db", db_url, "check"], capture_output=True, text=True, timeout=120
    )
    assert check.returncode == 0, check.stdout + check.stderr
    desk.close()


def test_a_read_then_write_without_a_lock_loses_stamps_that_checkout_keeps(db_url: str, clock: Clock) -> None:
    """The harness sees lost stamps: a till that reads the balance, then
    writes it back plus one, loses some when four tills sell at once; the
    same four tills through ``checkout`` lose none."""
    desk = make_desk(db_url, clock)
    desk.load_program_text(PROGRAM)
    naive, real = desk.enrol(name="Naive").number, desk.enrol(name="Real").number
    tills, per_till = 4, 150
    assert (
        run_tills("naive", db_url, naive, tills, per_till, timeout=300)
        == [(0, {"done": per_till, "errors": {}})] * tills
    )
    assert stamps_on(desk, naive) < 1 + tills * per_till  # stamps were lost
    assert not desk.check().ok  # and the ledger, written in full, shows it
    assert (
        run_tills("checkout", db_url, real, tills, per_till, timeout=300)
        == [(0, {"done": per_till, "errors": {}})] * tills
    )
    assert stamps_on(desk, real) == 1 + tills * per_till
    assert ledger_of(desk, real) == (desk.card(real).balance, desk.card(real).cycle)
    desk.close()


def _stamps_by_hand(url: str, number: str, stamps: int) -> None:
    """Another till gives stamps by hand, and commits."""
    other = sqlalchemy.create_engine(url)
    with other.begin() as conn:
        card_id = conn.exec_driver_sql(f"SELECT id FROM cards WHERE number = '{number}'").scalar_one()
        conn.exec_driver_sql(
            "INSERT INTO ledger (card_id, at, kind, stamps, cycles, staff, reason) "
            f"VALUES ({card_id}, CURRENT_TIMESTAMP, 'adjust', {stamps}, 0, 'Léa', 'paper card')"
        )
        conn.exec_driver_sql(f"UPDATE cards SET balance = balance + {stamps} WHERE id = {card_id}")
    other.dispose()


@pytest.mark.parametrize("changes", [1, checkout_service.UNLOCKED_TRIES])
def test_a_card_changed_while_the_sale_is_worked_out_is_read_again(
    db_url: str, clock: Clock, monkeypatch: pytest.MonkeyPatch, changes: int
) -> None:
    """A sale reads its card without a lock and writes only if the card is
    still as it read it. Another till gives stamps in between: the sale is
    worked out again from the new balance (after a few such changes, with
    the card locked), so those stamps are kept and the sale's are added."""
    desk = make_desk(db_url, clock)
    desk.load_program_text(PROGRAM)
    number = desk.enrol(name="Regular").number  # 1 starter stamp
    plan = checkout_service.plan_sale  # the pure plan, between the read and the write
    calls = []

    def another_till_meanwhile(*args: Any, **kwargs: Any) -> Any:
        planned = plan(*args, **kwargs)
        calls.append(planned)
        if len(calls) <= changes:
            _stamps_by_hand(db_url, number, 2)
        return planned

    monkeypatch.setattr(checkout_service, "plan_sale", another_till_meanwhile)
    sale = desk.checkout(card=number, amount="3.10", idempotency_key="till1-0001")
    assert len(calls) == changes + 1  # worked out again after each change
    assert sale.balance == desk.card(number).balance == 1 + 2 * changes + 1
    assert sale.stamps_added == 1
    assert ledger_of(desk, number) == (1 + 2 * changes + 1, 0)
    with desk.store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM checkouts").scalar_one() == 1
    assert desk.check().ok
    desk.close()


@pytest.mark.postgres
def test_a_sale_waits_for_another_tills_stamps_and_counts_them(pg_url: str, clock: Clock) -> None:
    """Another till gives stamps by hand and has not committed yet: the sale
    waits for it, then builds on its balance instead of overwriting it."""
    desk = make_desk(pg_url, clock)
    desk.load_program_text(PROGRAM)
    number = desk.enrol(name="Regular").number  # 1 starter stamp
    other = sqlalchemy.create_engine(pg_url)
    sale: list[Any] = []
    with other.connect() as conn, conn.begin():
        card_id = conn.exec_driver_sql(f"SELECT id FROM cards WHERE number = '{number}'").scalar_one()
        conn.exec_driver_sql(
            "INSERT INTO ledger (card_id, at, kind, stamps, cycles, staff, reason) "
            f"VALUES ({card_id}, now(), 'adjust', 5, 0, 'Léa', 'paper card')"
        )
        conn.exec_driver_sql(f"UPDATE cards SET balance = balance + 5 WHERE id = {card_id}")
        selling = threading.Thread(target=lambda: sale.append(desk.checkout(card=number, amount="3.10")))
        selling.start()
        wait_for_a_lock_wait(pg_url)
    selling.join(30)
    assert not selling.is_alive()
    assert sale[0].balance == 1 + 5 + 1
    assert desk.check().ok
    other.dispose()
    desk.close()


def test_a_write_transaction_on_sqlite_holds_the_write_lock_from_its_start(
    sqlite_url: str, clock: Clock
) -> None:
    """BEGIN IMMEDIATE: another connection cannot start writing once a write
    transaction has begun, before it reads or writes anything, so a balance
    it reads cannot change under it. A read transaction leaves writers be."""
    desk = make_desk(sqlite_url, clock)
    desk.load_program_text(PROGRAM)
    other = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), timeout=0, isolation_level=None)

    def other_can_write() -> bool:
        try:
            other.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as busy:
            assert "database is locked" in str(busy)
            return False
        other.execute("ROLLBACK")
        return True

    assert other_can_write()
    with desk.store.write():
        assert not other_can_write()
    # What the services run their transactions in.
    assert desk.store.transact(lambda conn: other_can_write()) is False
    with desk.store.read() as conn:
        conn.exec_driver_sql("SELECT balance FROM cards").all()
        assert other_can_write()
    assert other_can_write()
    other.close()
    desk.close()


def test_the_nightly_expiry_waits_for_a_sale_that_is_expiring_the_same_card(
    pg_url: str, clock: Clock
) -> None:
    """A sale on a dormant card writes its lapse first; `stampdesk expire`,
    running at that moment, waits for it and then finds nothing left to
    lapse, instead of writing the lapse a second time."""
    from stampdesk.services import loyalty
    from stampdesk.services.stamps import lock_card

    desk = make_desk(pg_url, clock)
    desk.load_program_text(PROGRAM + "\n[program.expiry]\nstamps_after_days = 30\n")
    number = desk.enrol(name="Dormant").number
    desk.checkout(card=number, amount="3.10")
    clock.advance(days=45)
    expired: list[Any] = []
    with desk.store.write() as conn:
        # A sale on the card is in progress: it has locked it and written its lapse.
        card = lock_card(conn, desk.store, number=number)
        _, program = desk.store.current_program(conn)
        assert loyalty.expire(conn, desk.store, card, program, desk.now()) is not None
        nightly = threading.Thread(target=lambda: expired.append(desk.expire()))
        nightly.start()
        wait_for_a_lock_wait(pg_url)
    nightly.join(30)
    assert not nightly.is_alive()
    assert (expired[0].cards, expired[0].stamps) == (0, 0)
    with desk.store.engine.connect() as conn:
        lapses = conn.exec_driver_sql("SELECT count(*) FROM ledger WHERE kind = 'expiry'").scalar_one()
    assert lapses == 1
    assert desk.check().ok
    desk.close()


def test_a_refund_is_shown_while_another_till_is_writing(db_url: str, clock: Clock) -> None:
    """The till shows a refund before the cashier confirms it: worked out
    from what it reads, it waits for no other till's write (on SQLite, the
    file's write lock; on PostgreSQL, the card's row, locked by a sale in
    progress) and holds none."""
    desk = make_desk(db_url, clock)
    desk.load_program(PROGRAM)
    number = desk.enrol(name="Regular").number
    sale = desk.checkout(card=number, amount="3.10")
    other = sqlalchemy.create_engine(db_url)
    shown: list[Any] = []
    try:
        with other.connect() as conn:
            if db_url.startswith("sqlite"):
                conn.exec_driver_sql("BEGIN IMMEDIATE")  # another till is writing
            else:
                conn.begin()
                conn.exec_driver_sql(f"SELECT id FROM cards WHERE number = '{number}' FOR UPDATE")
            looking = threading.Thread(target=lambda: shown.append(desk.refund_preview(sale.checkout)))
            looking.start()
            looking.join(5)
            answered_while_locked = not looking.is_alive()
            conn.rollback()
        looking.join(60)
    finally:
        other.dispose()
    assert answered_while_locked
    assert shown[0].change == desk.refund(sale.checkout)
    desk.close()
