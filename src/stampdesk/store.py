"""The composition root's handle on a database: engine, settings, clock and
the small caches the hot path relies on (current programme, claim secret)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from time import monotonic
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement

from . import db
from .config import Settings
from .domain import days
from .domain.errors import NotFound, Refused, StampdeskError, Unreachable
from .domain.program import Program
from .domain.validate import name_key
from .models import program_versions, settings, shops, tills, versions_for


@contextmanager
def _reachable() -> Iterator[None]:
    """A database that cannot be reached is said plainly (``Unreachable``):
    an offline till keeps its sales, the other callers wait."""
    try:
        yield
    except DBAPIError as error:
        if db.unreachable(error):
            raise Unreachable(code="database_unreachable") from error
        raise


T = TypeVar("T")

# How long a process trusts what it read of a till's shop.
TILL_SHOP_SECONDS = 60.0
# PostgreSQL connections kept in autocommit mode for write transactions.
IDLE_WRITERS = 4


def utc_now() -> datetime:
    return datetime.now(UTC)


class Store:
    """What every service function receives: one per process and database."""

    def __init__(self, engine: Engine, settings: Settings, clock: Callable[[], datetime] = utc_now) -> None:
        self.engine = engine
        self.settings = settings
        self.clock = clock
        self.zone = ZoneInfo(settings.timezone)
        self.postgres = engine.dialect.name == "postgresql"
        self._programs: dict[int, Program] = {}
        self._claim_secret: bytes | None = None
        self._version_days: dict[int, list[tuple[str, int]]] = {}
        self._lock = threading.Lock()
        self._prepared: dict[str, db.Prepared] = {}
        # SQLite takes one writer at a time anyway (BEGIN IMMEDIATE), so this
        # process keeps one connection for its writes, behind a lock: no pool
        # round trip at every sale. PostgreSQL writes concurrently: write
        # transactions take a connection already in autocommit mode from
        # `_pg_idle` (see db.begin_pipelined) and put it back.
        self._writer: Connection | None = None
        self._writer_lock = threading.Lock()
        self._queue = None if self.postgres else db.WriterQueue(engine.url.database or "")
        self._wal = None if self.postgres else db.WalSync(engine.url.database or "")
        self._pg_idle: list[Connection] = []
        # The shop of this process (settings.shop, else its till's, else the
        # first) and the shop of each till a sale named, looked up once.
        self._shop_id: int | None = None
        self._till_shops: dict[str, tuple[int | None, float]] = {}

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction: committed on success, rolled back on error."""
        if self.postgres:
            with _reachable():
                conn = self._pg_writer()
                try:
                    with conn.begin():
                        db.begin_pipelined(conn)
                        try:
                            yield conn
                            db.commit_pipelined(conn)
                        finally:
                            # On error, leaving `begin()` rolls back what was sent.
                            db.end_pipelined(conn)
                finally:
                    self._pg_put_back(conn)
            return
        with self._writer_lock, self.write_on(self._sqlite_writer()) as conn:
            yield conn

    def _sqlite_writer(self) -> Connection:
        # The caller holds _writer_lock.
        if self._writer is None or self._writer.invalidated or self._writer.closed:
            self._writer = self.engine.connect()
            self._writer.execution_options(stampdesk_write=True)
        return self._writer

    @contextmanager
    def write_on(self, conn: Connection) -> Iterator[Connection]:
        """A write transaction on the connection ``unlocked`` gave (on SQLite,
        the write lock is taken here; PostgreSQL: ``conn`` itself, each of
        its statements its own transaction)."""
        if self.postgres:
            yield conn
            return
        assert self._queue is not None and self._wal is not None
        if conn.in_transaction():
            conn.rollback()  # the reads' snapshot ends
        conn.execution_options(stampdesk_write=True)
        wal = self._wal if db.WalSync.commit_unsynced(conn) else None
        with self._queue.turn():
            try:
                with conn.begin():
                    yield conn
            except BaseException as error:
                if not isinstance(error, StampdeskError):
                    # A broken connection must not serve the next sale.
                    conn.close()
                    self._writer = None
                raise
        if wal is not None:
            # Committed, the lock released for the next till: durable
            # before the caller hears of it (see db.WalSync).
            wal.sync()

    @contextmanager
    def unlocked(self) -> Iterator[Connection]:
        """A connection to read a sale's card without locking it, then write
        the sale if the card is still as read (see ``checkout``). PostgreSQL:
        each statement is its own transaction. SQLite: this process's
        writing connection, read without the write lock, which
        ``write_on`` then takes (one connection: one cache of pages)."""
        if not self.postgres:
            with self._writer_lock:
                conn = self._sqlite_writer()
                conn.execution_options(stampdesk_write=False)
                try:
                    yield conn
                finally:
                    if not conn.closed:
                        if conn.in_transaction():
                            conn.rollback()
                        conn.execution_options(stampdesk_write=True)
            return
        with _reachable():
            conn = self._pg_writer()
            try:
                # In autocommit mode this BEGIN is SQLAlchemy's alone: the
                # server sees none.
                with conn.begin():
                    yield conn
            finally:
                self._pg_put_back(conn)

    def transact(self, body: Callable[[Connection], T]) -> T:
        """``body(conn)`` in a write transaction, committed when it returns.
        A transient failure (a deadlock, a serialization failure, a busy
        SQLite file) rolls it back and runs it again: see
        ``db.retry_transient``."""

        def once() -> T:
            with self.write() as conn:
                return body(conn)

        return db.retry_transient(once)

    def _pg_writer(self) -> Connection:
        """A PostgreSQL connection for a write transaction, in autocommit
        mode (``write`` sends BEGIN and COMMIT itself): an idle one that is
        still open, else a new one from the pool."""
        while True:
            with self._lock:
                conn = self._pg_idle.pop() if self._pg_idle else None
            if conn is None:
                conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
                conn.info[db.USED] = monotonic()
                return conn
            if not conn.invalidated and db.still_open(
                conn.connection.driver_connection, conn.info, self.engine.dialect
            ):
                return conn
            conn.invalidate()
            conn.close()

    def _pg_put_back(self, conn: Connection) -> None:
        # A few stay in autocommit mode for the next transactions; more go
        # back to the pool, so that a burst of writers leaves readers their
        # connections.
        with self._lock:
            if not conn.invalidated and not conn.closed and len(self._pg_idle) < IDLE_WRITERS:
                self._pg_idle.append(conn)
                return
        conn.close()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with _reachable(), db.read(self.engine) as conn:
            yield conn

    def now(self) -> datetime:
        moment = self.clock()
        if moment.tzinfo is None:
            raise ValueError("the clock must give timezone-aware times")
        return moment.astimezone(UTC)

    def day_of(self, moment: datetime) -> str:
        """The shop-local calendar day of ``moment`` (for ``max_per_day``)."""
        return days.local_day(moment, self.zone).isoformat()

    def local_day(self, moment: datetime) -> date:
        """The shop-local calendar day of ``moment``."""
        return days.local_day(moment, self.zone)

    def end_of_day_after(self, moment: datetime, count: int) -> datetime:
        """The last second of the shop-local day ``count`` days after ``moment``."""
        return days.end_of_day_after(moment, count, self.zone)

    def end_of_day(self, day: date) -> datetime:
        """The last second of the shop-local ``day``, in UTC."""
        return days.end_of_day(day, self.zone)

    def shop_id(self, conn: Connection) -> int:
        """The shop this process works for: ``shop`` in the settings, else the
        shop its till is in, else the database's first shop."""
        if self._shop_id is None:
            if self.settings.shop:
                found = conn.execute(
                    select(shops.c.id).where(shops.c.name_key == name_key(self.settings.shop.strip()))
                ).scalar()
                if found is None:
                    raise NotFound(
                        code="unknown_shop", phrase="shop_of_config_unknown", shop=self.settings.shop
                    )
                self._shop_id = int(found)
            else:
                self._shop_id = self._till_shop(conn, self.settings.till) or 1
        return self._shop_id

    def shop_of(self, conn: Connection, till: str | None) -> int:
        """The shop of a sale made at ``till``: the till's shop once it is
        registered in one, else this process's shop."""
        if till is not None and till != self.settings.till:
            shop = self._till_shop(conn, till)
            if shop is not None:
                return shop
        return self.shop_id(conn)

    def _till_shop(self, conn: Connection, till: str | None) -> int | None:
        if till is None:
            return None
        now = monotonic()
        cached = self._till_shops.get(till)
        if cached is None or now - cached[1] > TILL_SHOP_SECONDS:
            # Looked up once a minute per till (a till in no shop too): a till
            # moved to another shop by another process sells there within it.
            found = conn.execute(select(tills.c.shop_id).where(tills.c.name == till)).scalar()
            cached = (None if found is None else int(found), now)
            with self._lock:
                self._till_shops[till] = cached
        return cached[0]

    def forget_shops(self) -> None:
        """Look the shops of this process and its tills up again (one was moved)."""
        with self._lock:
            self._shop_id = None
            self._till_shops.clear()

    def current_program(self, conn: Connection, shop: int | None = None) -> tuple[int, Program]:
        """The programme version in force for ``shop`` (this process's shop):
        the newest loaded for it or for the whole chain; a refusal when none is."""
        shop = self.shop_id(conn) if shop is None else shop
        version = conn.execute(select(func.max(program_versions.c.id)).where(versions_for(shop))).scalar()
        program = self.program_or_refuse(conn, version)
        assert version is not None
        return version, program

    def program_or_refuse(self, conn: Connection, version: int | None) -> Program:
        """The programme of ``version``; a clear refusal when none is loaded."""
        if version is None:
            raise Refused(code="no_program", phrase="no_program_yet")
        return self.program(conn, version)

    def program(self, conn: Connection, version: int) -> Program:
        """A programme version by id (versions never change, so they are cached)."""
        cached = self._programs.get(version)
        if cached is not None:
            return cached
        rules = conn.execute(
            select(program_versions.c.rules).where(program_versions.c.id == version)
        ).scalar_one()
        program = Program.from_dict(json.loads(rules))
        with self._lock:
            self._programs[version] = program
        return program

    def cached_program(self, version: int) -> Program | None:
        """A programme version this process already read, without the database."""
        return self._programs.get(version)

    def version_days(self, conn: Connection, current: int) -> list[tuple[str, int]]:
        """``(shop-local day it was loaded, id)`` of every programme version up
        to ``current`` on its line (the chain's versions, and the shop's own if
        ``current`` is a shop's), oldest first (cached per current version)."""
        cached = self._version_days.get(current)
        if cached is not None:
            return cached
        owner = select(program_versions.c.shop_id).where(program_versions.c.id == current).scalar_subquery()
        days = [
            (self.day_of(created), vid)
            for vid, created in conn.execute(
                select(program_versions.c.id, program_versions.c.created_at)
                .where(
                    program_versions.c.id <= current,
                    versions_for(owner),
                )
                .order_by(program_versions.c.id)
            )
        ]
        with self._lock:
            self._version_days[current] = days
        return days

    def claim_secret(self, conn: Connection) -> bytes:
        if self._claim_secret is None:
            value = conn.execute(
                select(settings.c.value).where(settings.c.key == "claim_secret")
            ).scalar_one()
            self._claim_secret = bytes.fromhex(value)
        return self._claim_secret

    def prepared(self, name: str, build: Callable[[], ClauseElement]) -> db.Prepared:
        """The statement ``build()`` makes, compiled once for this database."""
        statement = self._prepared.get(name)
        if statement is None:
            statement = db.Prepared(build(), self.engine.dialect)
            with self._lock:
                self._prepared[name] = statement
        return statement

    def close(self) -> None:
        with self._writer_lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None
            if self._queue is not None:
                self._queue.close()
            if self._wal is not None:
                self._wal.close()
        with self._lock:
            idle, self._pg_idle = self._pg_idle, []
        for conn in idle:
            conn.close()
        self.engine.dispose()
