"""A write transaction is all or nothing, however its statements travel, and
a till keeps selling when the server dropped its connection or many threads
sell at once."""

from __future__ import annotations

import fcntl
import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from helpers import EXAMPLE_PROGRAM, PG_BASE, Clock, make_desk
from stampdesk import db
from stampdesk.store import IDLE_WRITERS


def test_a_statement_that_fails_after_others_undoes_the_whole_transaction(db_url: str, clock: Clock) -> None:
    desk = make_desk(db_url, clock)
    desk.load_program_file(EXAMPLE_PROGRAM)
    number = desk.enrol(name="Regular").number
    add = desk.store.prepared(
        "test.card_month",
        lambda: text("INSERT INTO card_months (month, cohort, card_id) VALUES (:month, :cohort, :card_id)"),
    )
    with desk.store.read() as conn:
        card_id = conn.execute(text("SELECT id FROM cards WHERE number = :n"), {"n": number}).scalar_one()
    # On PostgreSQL both inserts wait and go with COMMIT: the second one's
    # error comes then, and the first insert must be undone with it.
    with pytest.raises(IntegrityError), desk.store.write() as conn:
        add.run(conn, month="1999-01", cohort="1999-01", card_id=card_id)
        add.run(conn, month="1999-01", cohort="1999-01", card_id=card_id)
    with desk.store.read() as conn:
        left = conn.execute(text("SELECT count(*) FROM card_months WHERE month = '1999-01'")).scalar_one()
    assert left == 0
    # The next sale goes through as usual.
    assert desk.checkout(card=number, amount="4.20").stamps_added == 1
    assert desk.check().ok
    desk.close()


def test_a_sqlite_sale_is_on_disk_before_it_is_answered_without_holding_the_lock_for_it(
    sqlite_url: str, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite syncs the WAL at each commit with synchronous=FULL, holding
    # the file's write lock meanwhile. A till commits without that sync,
    # lets the next till in, then syncs the WAL before it answers.
    desk = make_desk(sqlite_url, clock)
    desk.load_program_file(EXAMPLE_PROGRAM)
    number = desk.enrol(name="Regular").number
    path = sqlite_url.removeprefix("sqlite:///")
    real_sync = db._fdatasync
    assert real_sync is not None
    seen: list[tuple[str, bool, int]] = []

    def sync(fd: int) -> None:
        probe = os.open(f"{path}-lock", os.O_RDWR)
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(probe, fcntl.LOCK_UN)
            lock_free = True
        except BlockingIOError:
            lock_free = False
        finally:
            os.close(probe)
        with sqlite3.connect(path) as other:
            sales = other.execute("SELECT count(*) FROM checkouts").fetchone()[0]
        real_sync(fd)
        seen.append((os.readlink(f"/proc/self/fd/{fd}"), lock_free, sales))

    monkeypatch.setattr(db, "_fdatasync", sync)
    desk.checkout(card=number, amount="4.20")
    desk.checkout(amount="2.10")  # a walk-in
    # Each sale: committed (another connection sees it), the lock free for
    # the next till, then the WAL synced before the call returned.
    assert seen == [(f"{path}-wal", True, 1), (f"{path}-wal", True, 2)]
    seen.clear()
    desk.enrol(name="Another")  # every write, not only sales
    assert len(seen) == 1
    # Other connections (reports, the command line, a backup) still sync
    # inside each commit, and so does the writing connection once it is
    # back in the pool.
    with desk.store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    conn = desk.store.engine.connect()
    with desk.store.write_on(conn):
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL: synced after
    pooled = conn.connection.driver_connection
    conn.close()
    assert pooled.execute("PRAGMA synchronous").fetchone()[0] == 2
    assert desk.check().ok
    desk.close()


@pytest.mark.postgres
def test_a_sale_after_the_server_dropped_the_connection_is_recorded(pg_url: str, clock: Clock) -> None:
    desk = make_desk(pg_url, clock)
    desk.load_program_file(EXAMPLE_PROGRAM)
    number = desk.enrol(name="Regular").number
    desk.checkout(card=number, amount="4.20")
    with desk.store.write() as conn:
        writer = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    with desk.store.read() as conn:
        reader = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    admin = sqlalchemy.create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for pid in {writer, reader}:
            conn.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
    admin.dispose()
    # No round trip checks a connection before a sale: the server's goodbye
    # on the socket says it is gone, and another connection is taken.
    sale = desk.checkout(card=number, amount="4.20")
    assert sale.balance == desk.card(number).balance
    assert desk.check().ok
    desk.close()


@pytest.mark.postgres
def test_many_threads_selling_at_once_leave_the_pool_its_connections(pg_url: str, clock: Clock) -> None:
    desk = make_desk(pg_url, clock)
    desk.load_program_file(EXAMPLE_PROGRAM)
    numbers = [desk.enrol(name=f"Client {i}").number for i in range(5)]

    def sell(i: int) -> int:
        return desk.checkout(card=numbers[i % 5], amount="4.20", idempotency_key=f"thread-sale-{i}").checkout

    with ThreadPoolExecutor(12) as pool:
        sales = list(pool.map(sell, range(120)))
    assert len(set(sales)) == 120
    # Only a few connections stay set aside for writing; reads still get theirs.
    assert desk.store.engine.pool.checkedout() <= IDLE_WRITERS  # type: ignore[attr-defined]
    assert [desk.card(n).visits for n in numbers] == [24] * 5
    assert desk.check().ok
    desk.close()


@pytest.mark.postgres
def test_a_card_sale_is_two_statements_each_parsed_once_per_connection(
    pg_url: str, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL a till's sale reads its card (with the milestones it
    holds coupons for), then writes the sale, its lines, its stamps, its
    coupons, its receipt's print job and the card in one statement, also
    when it reaches a milestone. psycopg
    keeps its parsing of a statement only within 4,096 characters and 50
    parameters: past them every sale would pay for it again."""
    import psycopg
    from psycopg import _queries

    desk = make_desk(pg_url, clock)
    desk.load_program_file(EXAMPLE_PROGRAM)
    number = desk.enrol(name="Regular").number
    sent: list[tuple[str, int]] = []
    execute = psycopg.Cursor.execute

    def spy(self: psycopg.Cursor, query: str, params: object = None, **kwargs: object) -> psycopg.Cursor:
        sent.append((str(query), len(params) if isinstance(params, (dict, tuple, list)) else 0))
        return execute(self, query, params, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(psycopg.Cursor, "execute", spy)
    sale = desk.checkout(
        card=number,
        amount="3.00",
        items=[{"sku": "ESPRESSO", "category": "coffee", "quantity": 2, "unit_price": "1.50"}],
        idempotency_key="till1-0001",
    )
    monkeypatch.undo()
    assert sale.balance == 3 and [c.reward for c in sale.coupons] == ["Croissant offert"]
    statements = [query.split()[0] for query, _ in sent]
    assert statements == ["SELECT", "WITH"]
    write, params = sent[-1]
    assert len(write.encode()) <= _queries.MAX_CACHED_STATEMENT_LENGTH
    assert params <= _queries.MAX_CACHED_STATEMENT_PARAMS
    # Everything was written, once.
    assert desk.check().ok
    assert [c.reward for c in desk.card(number).coupons] == ["Croissant offert"]
    assert desk.sale(sale.checkout).coupons == sale.coupons
    # A sale with its receipt: the print job is written by the same statement.
    sent.clear()
    monkeypatch.setattr(psycopg.Cursor, "execute", spy)
    printed = desk.checkout(card=number, amount="3.00", receipt=True)
    monkeypatch.undo()
    assert [query.split()[0] for query, _ in sent] == ["SELECT", "WITH"]
    assert printed.print_job is not None
    assert [(j.id, j.checkout, j.till) for j in desk.pending_receipts()] == [
        (printed.print_job, printed.checkout, desk.settings.till)
    ]
    desk.close()
