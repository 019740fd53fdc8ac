"""A till that keeps selling while the central database is out of reach.

A till of a chain writes to the chain's PostgreSQL over the network. When it
cannot reach it, the sale is not lost and the queue does not stop: the sale
goes, with its idempotency key and its moment, into a SQLite file on the
till (the outbox), and the cashier sees it wait. When the database answers
again, the waiting sales are replayed in the order they were made, each with
its own key and time, so each is recorded exactly once and earns what the
rules in force at its moment gave, even if the till died between the
database's commit and the outbox's note of it.

The outbox is written with ``synchronous=FULL``: a sale the cashier saw
queued survives a crash or a power cut of the till.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DBAPIError

from . import db
from .domain.errors import StampdeskError, Unreachable
from .results import CheckoutResult, CouponInfo, MilestoneInfo, Result
from .services import checkout
from .store import Store

# A key is the same sale only from the same till (``scope``: the till's
# name, "" for none): one outbox may keep the sales of several tills (a
# server's API clients).
_SALES = """
CREATE TABLE IF NOT EXISTS sales (
    seq INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    scope TEXT NOT NULL DEFAULT '',
    card TEXT,
    amount TEXT NOT NULL,
    items TEXT NOT NULL,
    at TEXT NOT NULL,
    given_at INTEGER NOT NULL,
    till TEXT,
    queued_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'waiting',
    checkout_id INTEGER,
    error_code TEXT,
    error TEXT,
    done_at TEXT,
    UNIQUE (scope, key)
)"""
_SCHEMA = f"""
{_SALES};
CREATE INDEX IF NOT EXISTS ix_sales_waiting ON sales (seq) WHERE status = 'waiting';
CREATE TABLE IF NOT EXISTS facts (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class QueuedSale:
    """A sale waiting in the outbox, as the cashier made it."""

    seq: int
    key: str
    card: str | None
    amount: Decimal
    items: tuple[dict[str, Any], ...]
    at: datetime
    given_at: bool  # the till gave the time (a sale for history), not "now"
    till: str | None


@dataclass(frozen=True)
class OfflineSale(Result):
    """A sale kept in the till's outbox until the database answers: what the
    cashier is told instead of the stamps (the same fields as a checkout
    result, the unknown ones empty)."""

    key: str
    card: str | None
    amount: Decimal
    at: datetime
    waiting: int  # sales waiting in this till's outbox, this one included
    checkout: int | None = None
    stamps_added: int | None = None
    balance: int | None = None
    milestones: tuple[MilestoneInfo, ...] = ()
    coupons: tuple[CouponInfo, ...] = ()
    enrol_url: str | None = None
    print_job: int | None = None
    replayed: bool = False
    pending: bool = True


@dataclass(frozen=True)
class Refusal(Result):
    """A queued sale the database refused at its replay (an unknown or
    erased card, an amount above the programme's maximum): the owner must
    look at it; it is not retried."""

    key: str
    card: str | None
    amount: Decimal
    at: datetime
    code: str
    message: str


@dataclass(frozen=True)
class SyncReport(Result):
    """What a replay of the outbox did."""

    sent: int  # recorded now (or found recorded by an earlier attempt)
    refused: int
    waiting: int  # still waiting (the database went away again)
    online: bool
    refusals: tuple[Refusal, ...] = field(default=())


class SaleOutbox:
    """The till's queue of sales for the central database (a SQLite file)."""

    def __init__(self, path: Path | str) -> None:
        self.path = path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        # Two processes of one till opening a new outbox at once: SQLite
        # refuses the switch to WAL of one of them at once (no busy wait
        # there), so it tries again.
        deadline = time.monotonic() + 30
        while True:
            try:
                self._conn.execute("PRAGMA journal_mode=WAL")
                break
            except sqlite3.OperationalError as busy:
                if "locked" not in str(busy) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self._conn.execute("PRAGMA synchronous=FULL")
        self._scope_keys()
        self._conn.executescript(_SCHEMA)

    def _scope_keys(self) -> None:
        """An outbox written when a key was one sale whatever its till: its
        sales are kept, each key now its till's."""

        def columns(conn: sqlite3.Connection) -> list[str]:
            return [row[1] for row in conn.execute("PRAGMA table_info(sales)")]

        present = columns(self._conn)
        if not present or "scope" in present:
            return  # a new outbox, or one already so
        with self._write() as conn:
            names = columns(conn)
            if "scope" in names:
                return  # another process of the till did it meanwhile
            conn.execute("ALTER TABLE sales RENAME TO unscoped_sales")
            conn.execute(_SALES)
            kept = ", ".join(names)
            conn.execute(
                f"INSERT INTO sales (scope, {kept}) SELECT coalesce(till, ''), {kept} FROM unscoped_sales"
            )
            conn.execute("DROP TABLE unscoped_sales")  # and its index, made again on the new table

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def add(
        self,
        *,
        key: str,
        card: str | None,
        amount: Decimal,
        items: tuple[dict[str, Any], ...],
        at: datetime,
        given_at: bool,
        till: str | None,
        scope: str,
    ) -> int:
        """Queue a sale (committed to disk before it returns); its position.
        The same key again from the same till (``scope``) is the same sale:
        it is not queued twice."""
        with self._write() as conn:
            conn.execute(
                "INSERT INTO sales (key, scope, card, amount, items, at, given_at, till, queued_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (scope, key) DO NOTHING",
                (
                    key,
                    scope,
                    card,
                    str(amount),
                    json.dumps(list(items)),
                    at.astimezone(UTC).isoformat(),
                    int(given_at),
                    till,
                    datetime.now(UTC).isoformat(),
                ),
            )
            return int(conn.execute("SELECT count(*) FROM sales WHERE status = 'waiting'").fetchone()[0])

    def waiting(self) -> int:
        with self._lock:
            return int(
                self._conn.execute("SELECT count(*) FROM sales WHERE status = 'waiting'").fetchone()[0]
            )

    def next_waiting(self, limit: int = 100) -> list[QueuedSale]:
        """The oldest waiting sales, in the order they were made."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT seq, key, card, amount, items, at, given_at, till FROM sales "
                "WHERE status = 'waiting' ORDER BY seq LIMIT ?",
                (limit,),
            ).fetchall()
        return [
            QueuedSale(
                seq,
                key,
                card,
                Decimal(amount),
                tuple(json.loads(items)),
                datetime.fromisoformat(at),
                bool(given_at),
                till,
            )
            for seq, key, card, amount, items, at, given_at, till in rows
        ]

    def recorded_many(self, done: list[tuple[int, int]]) -> None:
        """Note sales as recorded in the database (``(seq, checkout id)``), in
        one transaction: a crash before it only means they are sent again,
        and their keys make the database answer with the first result."""
        if not done:
            return
        when = datetime.now(UTC).isoformat()
        with self._write() as conn:
            conn.executemany(
                "UPDATE sales SET status = 'sent', checkout_id = ?, done_at = ? WHERE seq = ?",
                [(checkout_id, when, seq) for seq, checkout_id in done],
            )

    def refused(self, seq: int, code: str, message: str) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE sales SET status = 'refused', error_code = ?, error = ?, done_at = ? WHERE seq = ?",
                (code, message, datetime.now(UTC).isoformat(), seq),
            )

    def refusals(self) -> tuple[Refusal, ...]:
        """The queued sales the database refused, oldest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT key, card, amount, at, error_code, error FROM sales "
                "WHERE status = 'refused' ORDER BY seq"
            ).fetchall()
        return tuple(
            Refusal(key, card, Decimal(amount), datetime.fromisoformat(at), code, message)
            for key, card, amount, at, code, message in rows
        )

    def fact(self, name: str) -> str | None:
        """What the till last learnt from the database (the programme's name
        that heads a receipt printed offline)."""
        with self._lock:
            row = self._conn.execute("SELECT value FROM facts WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def learn(self, name: str, value: str) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO facts (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = ?",
                (name, value, value),
            )

    def close(self) -> None:
        with self._lock:
            self._conn.close()


RETRY_SECONDS = 5.0  # after a failed attempt, sales go straight to the outbox this long
MARK_EVERY = 200  # replayed sales noted in the outbox per transaction
REPLAY_TOGETHER = 100  # replayed sales per database transaction


class OfflineTill:
    """The checkout path of a till that may lose the database: try it, else
    queue; replay the queue, oldest first, when the database answers."""

    def __init__(self, store: Store, outbox: SaleOutbox) -> None:
        self.store = store
        self.outbox = outbox
        self._retry_at = 0.0  # monotonic: when the sale path tries the database again
        self._sync_lock = threading.Lock()
        self._schema_ready = True
        self._name: str | None = outbox.fact("program_name")

    def went_offline(self) -> None:
        self._retry_at = time.monotonic() + RETRY_SECONDS

    def schema_unreachable(self) -> None:
        """The database was out of reach when the till started: its schema
        is brought up to date before the first replay."""
        self._schema_ready = False
        self.went_offline()

    def checkout(
        self,
        *,
        amount: object,
        card: str | None,
        items: Iterable[object] | None,
        idempotency_key: str | None,
        at: object,
        till: str | None,
        receipt: bool,
    ) -> CheckoutResult | OfflineSale:
        """A sale: recorded in the database, or queued when it is out of reach."""
        till = till or self.store.settings.till
        # Everything that can be checked without the database is checked
        # before anything is written, online or not. A key from the first
        # attempt on: the replay of a sale whose commit reached the database
        # (but not its answer) is then recognised.
        sale = checkout.prepare(
            self.store,
            amount=amount,
            card=card,
            items=items,
            idempotency_key=f"{till or 'till'}-{uuid.uuid4().hex}"
            if idempotency_key is None
            else idempotency_key,
            at=at,
            till=till,
            receipt=receipt,
            made_at=self.store.now() if at is None else None,
        )
        # The older sales go first.
        if time.monotonic() >= self._retry_at and (not self.outbox.waiting() or not self.sync().waiting):
            try:
                result = checkout.record(self.store, sale)
            except Unreachable:
                self.went_offline()
            else:
                self._learn_name(result.program_version)
                return result
        assert sale.key is not None
        position = self.outbox.add(
            key=sale.key,
            card=sale.number,
            amount=sale.value,
            items=tuple(i.to_dict() for i in sale.lines),
            at=sale.moment,
            given_at=at is not None,
            till=sale.till,
            scope=sale.scope,
        )
        return OfflineSale(sale.key, sale.number, sale.value, sale.moment, position)

    @property
    def shop_name(self) -> str:
        """The programme's name, as last seen, for receipts printed offline."""
        return self._name or ""

    def _learn_name(self, version: int) -> None:
        program = self.store.cached_program(version)
        if program is not None and program.name != self._name:
            self.outbox.learn("program_name", program.name)
            self._name = program.name

    def _one_by_one(self, group: list[QueuedSale], marks: list[tuple[int, int]]) -> tuple[int, int]:
        """Replay ``group`` a sale per transaction: (sent, refused)."""
        sent = refused = 0
        for sale in group:
            try:
                result = checkout.checkout(self.store, **_replayed(sale))
            except Unreachable:
                raise
            except StampdeskError as refusal:
                # A refusal wrote nothing: noted at once.
                self.outbox.refused(sale.seq, refusal.code, str(refusal))
                refused += 1
                continue
            marks.append((sale.seq, result.checkout))
            sent += 1
        return sent, refused

    def close(self) -> None:
        self.outbox.close()

    def sync(self) -> SyncReport:
        """Replay the waiting sales in the order they were made; stop at the
        first sign that the database is out of reach again."""
        with self._sync_lock:
            sent = refused = 0
            marks: list[tuple[int, int]] = []
            try:
                if not self._schema_ready and self.outbox.waiting():
                    db.upgrade(self.store.engine)
                    self._schema_ready = True
                while batch := self.outbox.next_waiting(MARK_EVERY):
                    # Many sales a transaction (one commit for each group of
                    # REPLAY_TOGETHER); a group with a refusal is sent again
                    # one sale at a time, so that only the refused one stays out.
                    for start in range(0, len(batch), REPLAY_TOGETHER):
                        group = batch[start : start + REPLAY_TOGETHER]
                        try:
                            results = checkout.replay_batch(self.store, [_replayed(sale) for sale in group])
                        except Unreachable:
                            raise
                        except (StampdeskError, DBAPIError):  # a refusal or a conflict: nothing was written
                            s, r = self._one_by_one(group, marks)
                            sent, refused = sent + s, refused + r
                        else:
                            marks += [(sale.seq, r.checkout) for sale, r in zip(group, results, strict=True)]
                            sent += len(group)
                    self.outbox.recorded_many(marks)
                    marks = []
            except (Unreachable, DBAPIError) as error:
                # What was committed is noted (a sale that is not is only
                # sent again, and its key makes the database answer with the
                # first result).
                self.outbox.recorded_many(marks)
                if not isinstance(error, Unreachable) and not db.unreachable(error):
                    raise  # the schema's upgrade failed for another reason
                self.went_offline()
                return SyncReport(sent, refused, self.outbox.waiting(), False, self.outbox.refusals())
            self._retry_at = 0.0
            return SyncReport(sent, refused, 0, True, self.outbox.refusals())


def _replayed(sale: QueuedSale) -> dict[str, Any]:
    """``checkout``'s arguments for a kept sale: its key, and its moment as
    given (``at``) or as made by the till (``made_at``)."""
    return {
        "amount": sale.amount,
        "card": sale.card,
        "items": sale.items,
        "idempotency_key": sale.key,
        "at": sale.at if sale.given_at else None,
        "made_at": None if sale.given_at else sale.at,
        "till": sale.till,
    }
