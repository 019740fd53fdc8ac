"""A transaction that fails only because another one was in the way (a
PostgreSQL deadlock or serialization failure, a SQLite file still locked
after the busy timeout) runs again: the cashier never sees it. Other errors
are raised at once, and a failure that lasts is raised after a few tries."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg.errors
import pytest
import sqlalchemy
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, OperationalError

from helpers import Clock, make_desk, wait_for_a_lock_wait
from stampdesk import db
from stampdesk.desk import Desk
from stampdesk.domain.errors import InvalidInput, NotFound, Refused

PROGRAM = """
[program]
name = "Corner café"
stamps_per_card = 10
starter_stamps = 2
[[program.milestones]]
at = 3
reward = "Croissant"
[[program.milestones]]
at = 10
reward = "Coffee"
[program.earning]
per_visit = 1
[program.expiry]
stamps_after_days = 180
[program.referral]
referrer_stamps = 2
referred_stamps = 1
"""


# ----------------------------------------------------------------------
# The policy


def sqlite_busy(tmp_path: Path) -> sqlite3.OperationalError:
    """A real SQLITE_BUSY: the file is being written by another connection."""
    path = tmp_path / "busy.db"
    holder = sqlite3.connect(path, isolation_level=None)
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as busy:
        return busy
    finally:
        holder.close()
        other.close()
    raise AssertionError("the file was not locked")


def wrapped(error: Exception, base: type[Exception]) -> DBAPIError:
    """The error as SQLAlchemy raises it from a statement."""
    return DBAPIError.instance("UPDATE cards SET balance = 3", {}, error, base)


TRANSIENT: dict[str, Callable[[Path], Exception]] = {
    "sqlite busy": lambda tmp: wrapped(sqlite_busy(tmp), sqlite3.Error),
    "sqlite busy at begin": sqlite_busy,
    "postgresql serialization failure": lambda _: wrapped(
        psycopg.errors.SerializationFailure("could not serialize access due to concurrent update"),
        psycopg.Error,
    ),
    "postgresql deadlock": lambda _: wrapped(
        psycopg.errors.DeadlockDetected("deadlock detected"), psycopg.Error
    ),
}


def no_such_table() -> Exception:
    try:
        sqlite3.connect(":memory:").execute("SELECT * FROM cards")
    except sqlite3.OperationalError as error:
        return wrapped(error, sqlite3.Error)
    raise AssertionError("the table exists")


PERMANENT: dict[str, Callable[[], Exception]] = {
    "postgresql unique violation": lambda: wrapped(
        psycopg.errors.UniqueViolation("duplicate key value violates unique constraint"), psycopg.Error
    ),
    "sqlite unique violation": lambda: wrapped(
        sqlite3.IntegrityError("UNIQUE constraint failed"), sqlite3.Error
    ),
    "postgresql statement timeout": lambda: wrapped(
        psycopg.errors.QueryCanceled("canceling statement due to statement timeout"), psycopg.Error
    ),
    "sqlite no such table": no_such_table,
    "refused": lambda: Refused("coupon K7QX3MZD was already used", "coupon_used"),
    "invalid input": lambda: InvalidInput("amount must be a decimal string", "invalid_amount"),
    "not found": lambda: NotFound("no card 2912345678903", "unknown_card"),
    "a bug": lambda: ZeroDivisionError("division by zero"),
}


class Flaky:
    """A transaction body that fails with ``error`` its first ``failures`` times."""

    def __init__(self, error: Exception, failures: int) -> None:
        self.error, self.failures, self.calls = error, failures, 0

    def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "sold"


@pytest.mark.parametrize("kind", TRANSIENT)
def test_a_transient_failure_runs_the_transaction_again(kind: str, tmp_path: Path) -> None:
    error = TRANSIENT[kind](tmp_path)
    assert db.is_transient(error)
    body, pauses = Flaky(error, failures=2), list[float]()
    assert db.retry_transient(body, sleep=pauses.append) == "sold"
    assert body.calls == 3
    # Short, growing, jittered pauses.
    assert len(pauses) == 2
    for n, pause in enumerate(pauses):
        assert 0.5 * db.RETRY_PAUSE_S * 2**n <= pause <= 1.5 * db.RETRY_PAUSE_S * 2**n


@pytest.mark.parametrize("kind", TRANSIENT)
def test_a_failure_that_lasts_is_raised_itself_after_the_last_attempt(kind: str, tmp_path: Path) -> None:
    error = TRANSIENT[kind](tmp_path)
    body, pauses = Flaky(error, failures=1000), list[float]()
    with pytest.raises(type(error)) as raised:
        db.retry_transient(body, sleep=pauses.append)
    assert raised.value is error
    assert body.calls == db.RETRY_ATTEMPTS
    assert len(pauses) == db.RETRY_ATTEMPTS - 1
    # A cashier waits a fraction of a second at most before the error shows.
    assert sum(pauses) < 0.5


@pytest.mark.parametrize("kind", PERMANENT)
def test_other_errors_are_raised_at_once(kind: str) -> None:
    error = PERMANENT[kind]()
    assert not db.is_transient(error)
    body, pauses = Flaky(error, failures=1), list[float]()
    with pytest.raises(type(error)) as raised:
        db.retry_transient(body, sleep=pauses.append)
    assert raised.value is error
    assert (body.calls, pauses) == (1, [])


def test_the_pauses_are_jittered(tmp_path: Path) -> None:
    """Two tills that met must not both come back at the same instant."""
    error = TRANSIENT["sqlite busy"](tmp_path)
    firsts = set()
    for _ in range(20):
        pauses = list[float]()
        db.retry_transient(Flaky(error, failures=1), sleep=pauses.append)
        firsts.add(pauses[0])
    assert len(firsts) > 1


# ----------------------------------------------------------------------
# SQLite: a file another till keeps locked past the busy timeout


BUSY_MS = 100


@dataclass
class Shop:
    desk: Desk
    clock: Clock
    path: Path
    card: str  # 2 starter stamps, then a sale: 3, a croissant coupon
    sale: int  # that sale
    coupon: str
    walk_in_token: str
    dormant: str  # enrolled 200 days ago, never seen since: its stamps lapsed


@pytest.fixture
def shop(sqlite_url: str, clock: Clock) -> Iterator[Shop]:
    desk = make_desk(sqlite_url, clock)
    desk.load_program_text(PROGRAM)
    dormant = desk.enrol(name="Dora", at=clock.now - timedelta(days=200)).number
    number = desk.enrol(name="Ana").number
    sale = desk.checkout(card=number, amount="3.10")
    token = desk.checkout(amount="4.00").claim_token
    assert token is not None
    # A till that waits BUSY_MS at most for the file, then gets SQLITE_BUSY.
    event.listen(
        desk.store.engine, "connect", lambda dbapi, _: dbapi.execute(f"PRAGMA busy_timeout={BUSY_MS}")
    )
    desk.store.close()  # connections made from now on have it
    yield Shop(
        desk,
        clock,
        Path(sqlite_url.removeprefix("sqlite:///")),
        number,
        sale.checkout,
        sale.coupons[0].code,
        token,
        dormant,
    )
    desk.close()


@contextmanager
def locked_by_another_till(path: Path, until: Callable[[], bool], longest: float) -> Iterator[None]:
    """Another connection holds the file's write lock until ``until()`` is
    true, ``longest`` seconds at most."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")

    def release() -> None:
        deadline = time.monotonic() + longest
        while not until() and time.monotonic() < deadline:
            time.sleep(0.005)
        holder.execute("COMMIT")
        holder.close()

    releasing = threading.Thread(target=release)
    releasing.start()
    try:
        yield
    finally:
        releasing.join(longest + 10)


def sell(shop: Shop) -> None:
    sale = shop.desk.checkout(card=shop.card, amount="3.10", idempotency_key="till1-0042")
    assert (sale.stamps_added, sale.balance, sale.replayed) == (1, 4, False)
    again = shop.desk.checkout(card=shop.card, amount="3.10", idempotency_key="till1-0042")
    assert (again.checkout, again.replayed) == (sale.checkout, True)


def refund(shop: Shop) -> None:
    change = shop.desk.refund(shop.sale)
    assert (change.stamps, change.balance, change.voided_coupons) == (-1, 2, (shop.coupon,))


def refund_once(shop: Shop) -> None:
    change = shop.desk.refund_once(shop.sale, idempotency_key="refund-1")
    assert (change.stamps, change.balance) == (-1, 2)
    assert shop.desk.refund_once(shop.sale, idempotency_key="refund-1").replayed


def redeem(shop: Shop) -> None:
    assert shop.desk.redeem(shop.coupon).reward == "Croissant"


def redeem_once(shop: Shop) -> None:
    assert shop.desk.redeem_once(shop.coupon, idempotency_key="use-1").reward == "Croissant"
    assert shop.desk.redeem_once(shop.coupon, idempotency_key="use-1").replayed


def enrol(shop: Shop) -> None:
    assert shop.desk.enrol(name="Ben", referrer=shop.card).card.balance == 2


def claim(shop: Shop) -> None:
    enrolled = shop.desk.enrol(name="Chloé", claim=shop.walk_in_token)
    assert (enrolled.claimed_stamps, enrolled.card.balance) == (1, 3)


def adjust(shop: Shop) -> None:
    assert shop.desk.adjust(shop.card, 2, reason="paper card", staff="Léa").balance == 5


def expire(shop: Shop) -> None:
    report = shop.desk.expire()
    assert (report.cards, report.stamps) == (1, 2)
    assert shop.desk.card(shop.dormant).balance == 0


OPERATIONS: dict[str, Callable[[Shop], None]] = {
    f.__name__: f for f in (sell, refund, refund_once, redeem, redeem_once, enrol, claim, adjust, expire)
}


@pytest.mark.parametrize("operation", OPERATIONS)
def test_an_operation_waits_out_another_till_holding_the_file(
    operation: str, shop: Shop, caplog: pytest.LogCaptureFixture
) -> None:
    """The file stays locked longer than the busy timeout: SQLite gives up,
    the operation runs again and succeeds, once."""
    caplog.set_level(logging.INFO, logger="stampdesk.db")

    def an_attempt_failed() -> bool:
        return any("database is locked" in r.getMessage() for r in caplog.records)

    # Held until SQLite has given up on it once, so the next attempt finds it free.
    with locked_by_another_till(shop.path, an_attempt_failed, longest=5):
        OPERATIONS[operation](shop)
    assert an_attempt_failed()
    assert shop.desk.check().ok


def test_a_file_locked_for_good_fails_the_sale_after_a_few_tries_and_records_nothing(
    shop: Shop, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="stampdesk.db")
    before = shop.desk.card(shop.card)
    with (
        locked_by_another_till(shop.path, lambda: False, longest=1.5),
        pytest.raises(OperationalError, match="database is locked"),
    ):
        shop.desk.checkout(card=shop.card, amount="3.10")
    assert len([r for r in caplog.records if "database is locked" in r.getMessage()]) == db.RETRY_ATTEMPTS - 1
    assert shop.desk.card(shop.card) == before
    assert shop.desk.check().ok


# ----------------------------------------------------------------------
# PostgreSQL: a real deadlock, a real serialization failure


def lock_card(conn: sqlalchemy.Connection, number: str) -> None:
    conn.execute(sqlalchemy.text("SELECT id FROM cards WHERE number = :n FOR UPDATE"), {"n": number})


def in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """``call()`` started in a thread; its result (or error) lands in the list."""
    out: list[Any] = []

    def run() -> None:
        try:
            out.append(call())
        except Exception as error:
            out.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


@pytest.mark.postgres
def test_a_sale_caught_in_a_deadlock_is_run_again_and_recorded_once(
    pg_url: str, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """A referred customer's first sale locks their card, then the
    referrer's; another till locks the same two cards in the opposite order.
    PostgreSQL breaks the deadlock by failing the sale's transaction: the
    sale runs again and is recorded once, referral stamps given once."""
    caplog.set_level(logging.INFO, logger="stampdesk.db")
    desk = make_desk(pg_url, clock)
    desk.load_program_text(PROGRAM)
    referrer = desk.enrol(name="Ana").number
    referred = desk.enrol(name="Ben", referrer=referrer).number
    other = sqlalchemy.create_engine(pg_url)
    with other.connect() as conn, conn.begin():
        # The sale's connection finds the deadlock first (after 1 s, the server's default).
        conn.exec_driver_sql("SET LOCAL deadlock_timeout = '30s'")
        lock_card(conn, referrer)
        selling, sale = in_thread(
            lambda: desk.checkout(card=referred, amount="3.10", idempotency_key="till2-0001")
        )
        wait_for_a_lock_wait(pg_url)  # the sale holds Ben's card and waits for Ana's
        lock_card(conn, referred)  # returns once PostgreSQL has failed the sale's transaction
    selling.join(30)
    assert not selling.is_alive()
    [result] = sale
    assert not isinstance(result, Exception), result
    assert any("deadlock detected" in r.getMessage() for r in caplog.records)
    assert (result.stamps_added, result.balance) == (1 + 1, 2 + 1 + 1)
    assert desk.card(referrer).balance == 2 + 2
    again = desk.checkout(card=referred, amount="3.10", idempotency_key="till2-0001")
    assert (again.checkout, again.replayed) == (result.checkout, True)
    with desk.store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM checkouts").scalar_one() == 1
        assert conn.exec_driver_sql("SELECT count(*) FROM ledger WHERE kind = 'referral'").scalar_one() == 2
    assert desk.check().ok
    other.dispose()
    desk.close()


@pytest.mark.postgres
def test_a_serializable_sale_that_met_another_tills_write_is_run_again(
    pg_url: str, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """A shop whose PostgreSQL runs every transaction SERIALIZABLE: the sale
    starts, another till commits stamps on the same card meanwhile, and
    PostgreSQL refuses the sale's transaction (40001). It runs again, on the
    new balance."""
    caplog.set_level(logging.INFO, logger="stampdesk.db")
    url = pg_url + "%20-cdefault_transaction_isolation%3Dserializable"
    desk = make_desk(url, clock)
    desk.load_program_text(PROGRAM)
    number = desk.enrol(name="Ana").number  # 2 starter stamps
    other = sqlalchemy.create_engine(pg_url)
    with desk.store.read() as conn:
        assert conn.exec_driver_sql("SHOW transaction_isolation").scalar() == "serializable"
    with other.connect() as conn, conn.begin():
        card_id = conn.execute(
            sqlalchemy.text("SELECT id FROM cards WHERE number = :n"), {"n": number}
        ).scalar()
        conn.execute(
            sqlalchemy.text(
                "INSERT INTO ledger (card_id, at, kind, stamps, cycles, staff, reason) "
                "VALUES (:id, now(), 'adjust', 5, 0, 'Léa', 'paper card')"
            ),
            {"id": card_id},
        )
        conn.execute(
            sqlalchemy.text("UPDATE cards SET balance = balance + 5 WHERE id = :id"), {"id": card_id}
        )
        selling, sale = in_thread(lambda: desk.checkout(card=number, amount="3.10"))
        wait_for_a_lock_wait(pg_url)  # the sale began, and waits for the card
    selling.join(30)
    assert not selling.is_alive()
    [result] = sale
    assert not isinstance(result, Exception), result
    assert any("could not serialize" in r.getMessage() for r in caplog.records)
    assert result.balance == 2 + 5 + 1
    assert desk.check().ok
    other.dispose()
    desk.close()
