"""Engines and transactions for SQLite and PostgreSQL.

SQLite is set up the way a till needs it: WAL (readers never block the
writer), ``synchronous=FULL`` (a committed stamp survives a power cut),
foreign keys on, and write transactions opened with ``BEGIN IMMEDIATE``.
A store's writing connection commits with ``synchronous=NORMAL`` instead
and makes the WAL durable itself once the write lock is released, before
the caller hears of the commit (``WalSync``).
pysqlite's default opens a transaction only at the first write, so two tills
that both read a balance then write it lose stamps; ``BEGIN IMMEDIATE`` takes
the write lock before the read.

A transaction that fails only because of another one running at the same
moment (a PostgreSQL deadlock or serialization failure, a SQLite file still
locked after the busy timeout) was rolled back whole: ``retry_transient``
runs it again, so such a failure never reaches the cashier.
"""

from __future__ import annotations

import logging
import os
import random
import select
import sqlite3
import time
from collections import namedtuple
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.sql import ClauseElement, Insert
from sqlalchemy.sql.compiler import SQLCompiler

from . import models
from .domain.errors import InvalidInput

try:
    import fcntl
except ImportError:  # Windows: SQLite's own busy wait only
    fcntl = None  # type: ignore[assignment]

# The newest Alembic revision in migrations/versions; a test keeps it in step.
SCHEMA_REVISION = "0016"
BUSY_TIMEOUT_MS = 30_000
CONNECT_TIMEOUT_S = 3
# How often a transaction is tried in all, and the pause before the second
# try (doubled at each further one, with jitter so that two tills that met
# do not meet again at once).
RETRY_ATTEMPTS = 5
RETRY_PAUSE_S = 0.01
# PostgreSQL's serialization failure and deadlock: it rolled the transaction
# back and says it may succeed if run again.
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01"})

T = TypeVar("T")
log = logging.getLogger(__name__)


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with stampdesk's connection settings."""
    try:
        parsed = make_url(url)
    except Exception:
        raise InvalidInput(code="invalid_database_url", phrase="database_url", url=url) from None
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        models.use_postgresql()
    if backend == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:"):
            raise InvalidInput(code="invalid_database_url", phrase="database_in_memory")
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        event.listen(engine, "checkin", _sqlite_checkin)
        return engine
    if backend == "postgresql":
        # A till must not hang on a database that stopped answering: after
        # this long it keeps selling offline (see ``offline``).
        connect_args = {} if "connect_timeout" in parsed.query else {"connect_timeout": CONNECT_TIMEOUT_S}
        engine = create_engine(parsed, connect_args=connect_args)
        # Instead of pool_pre_ping's round trip at every checkout: a
        # connection is pinged only when the server sent it something while
        # it sat idle (a server that restarts or drops a connection says so
        # and closes the socket) or when it sat idle for long.
        dialect = engine.dialect

        def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
            if not still_open(dbapi_connection, record.info, dialect):
                # The pool drops this connection and checks out another.
                raise DisconnectionError("the server closed this connection")

        event.listen(engine, "checkout", checkout)
        event.listen(engine, "checkin", _pg_checkin)
        event.listen(engine, "before_cursor_execute", _send_pending_first)
        return engine
    raise InvalidInput(code="invalid_database_url", phrase="database_unsupported", backend=backend)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database URL (None for another engine or a URL
    that does not parse: ``make_engine`` says what is wrong with it)."""
    try:
        parsed = make_url(url)
    except Exception:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser().absolute()


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, record: Any) -> None:
    # Autocommit at the driver level: transactions are begun by _sqlite_on_begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    mode = cursor.execute("PRAGMA journal_mode=WAL").fetchone()
    record.info[WAL] = bool(mode) and str(mode[0]).lower() == "wal"
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # Checkpoint the WAL every ~64 MB instead of every 4 MB. A checkpoint
    # stalls the sale that triggers it, so rarer ones keep the till's p99 low;
    # and a page written by many sales between two checkpoints is copied back
    # once, so there is less to copy in all. The price: a stall of ~0.1 s
    # every few thousand sales, and a WAL file of up to 64 MB (kept, not
    # truncated, so commits overwrite it instead of growing it).
    cursor.execute("PRAGMA wal_autocheckpoint=16000")
    cursor.execute(f"PRAGMA journal_size_limit={128 * 1024 * 1024}")
    cursor.close()


def _sqlite_checkin(dbapi_connection: sqlite3.Connection, record: Any) -> None:
    # A connection that committed without syncing (``WalSync``) goes back
    # to the pool as every other one is: syncing at each commit.
    if record.info.pop(SYNCS_ITSELF, False):
        dbapi_connection.execute("PRAGMA synchronous=FULL")


def _sqlite_on_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get("stampdesk_write")
    statement = "BEGIN IMMEDIATE" if immediate else "BEGIN DEFERRED"
    try:
        # Straight to the driver: this runs before every transaction.
        conn.connection.driver_connection.execute(statement)  # type: ignore[union-attr]
    except sqlite3.Error as error:
        # SQLAlchemy does not wrap what a "begin" listener raises: wrap it as
        # a statement's error would be (a busy file is an OperationalError).
        raise DBAPIError.instance(statement, (), error, sqlite3.Error) from error


def is_transient(error: BaseException) -> bool:
    """Whether ``error`` only says that another transaction was in the way,
    so that running the same transaction again may succeed."""
    cause = error.orig if isinstance(error, DBAPIError) else error
    if isinstance(cause, sqlite3.OperationalError):
        # SQLITE_BUSY and its extended codes: the file stayed locked.
        code = getattr(cause, "sqlite_errorcode", None)
        if code is None:
            return "database is locked" in str(cause)
        return int(code) & 0xFF == sqlite3.SQLITE_BUSY
    return isinstance(error, DBAPIError) and getattr(cause, "sqlstate", None) in TRANSIENT_SQLSTATES


def retry_transient(
    body: Callable[[], T],
    *,
    attempts: int = RETRY_ATTEMPTS,
    pause: float = RETRY_PAUSE_S,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``body()``, run again after a short random pause while it fails with
    a transient error (``is_transient``), ``attempts`` times in all; then
    that error is raised. Any other error is raised at once.

    ``body`` must own its whole transaction (open it, and commit or roll it
    back), so that each attempt starts from what is committed: nothing of a
    failed attempt is left, and an idempotency key it read is read again.
    """
    for attempt in range(1, attempts + 1):
        try:
            return body()
        except Exception as error:
            if attempt >= attempts or not is_transient(error):
                raise
            delay = pause * 2 ** (attempt - 1) * random.uniform(0.5, 1.5)
            log.info(
                "transaction failed (%s), attempt %d of %d; trying again in %.0f ms",
                _first_line(error),
                attempt,
                attempts,
                delay * 1000,
            )
            sleep(delay)
    raise AssertionError("unreachable")


def _first_line(error: BaseException) -> str:
    cause = error.orig if isinstance(error, DBAPIError) else error
    text = str(cause).strip()
    return text.splitlines()[0] if text else type(cause).__name__


# Connection record info: the connection is in WAL mode; it commits with
# synchronous=NORMAL and its writer syncs the WAL (``WalSync``).
WAL = "stampdesk_wal"
SYNCS_ITSELF = "stampdesk_syncs_itself"
_fdatasync: Callable[[int], None] | None = getattr(os, "fdatasync", None)


class WalSync:
    """A commit made durable after the write lock is released.

    With ``synchronous=FULL`` SQLite syncs the WAL inside COMMIT, so the
    file's one write lock is held through the disk's flush: about 70 % of a
    sale's hold, and what capped several tills on one file. A connection
    that writes through ``Store.write_on`` commits with
    ``synchronous=NORMAL`` instead (the WAL frames are written, not
    synced), releases the lock, and then syncs the WAL here before its
    caller hears of the commit. The tills' syncs overlap, and one sync
    covers every commit written before it.

    Nothing the cashier was told was recorded can be lost: a sale is
    answered only after the WAL holding it was synced, and the WAL is
    replayed in order, so a power cut can only drop sales that were not yet
    answered, with every sale written after them (SQLite's WAL stays
    consistent with ``synchronous=NORMAL``; a checkpoint still syncs). For
    a fraction of a millisecond, another process may read a sale not yet
    synced; a power cut at that instant takes back what it read.

    Only where the engine keeps the file in WAL mode and the system has
    ``fdatasync``; elsewhere every commit syncs as before.
    """

    def __init__(self, database: str) -> None:
        self._path = f"{Path(database).expanduser().absolute()}-wal"
        self._fd: int | None = None
        self._inode: tuple[int, int] | None = None

    @staticmethod
    def commit_unsynced(conn: Connection) -> bool:
        """Have ``conn`` (outside a transaction) commit without syncing, where
        it can be synced here afterwards: whether it does."""
        if _fdatasync is None or not conn.info.get(WAL):
            return False
        if not conn.info.get(SYNCS_ITSELF):
            conn.connection.driver_connection.execute("PRAGMA synchronous=NORMAL")  # type: ignore[union-attr]
            conn.info[SYNCS_ITSELF] = True
        return True

    def sync(self) -> None:
        """Sync the WAL: every commit written to it so far is durable."""
        assert _fdatasync is not None
        # The WAL file can be replaced (removed when the last connection to
        # the database closed, then created again): sync the one there now.
        stat = os.stat(self._path)
        inode = (stat.st_dev, stat.st_ino)
        if self._fd is None or inode != self._inode:
            self.close()
            self._fd = os.open(self._path, os.O_RDONLY)
            self._inode = inode
        _fdatasync(self._fd)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class WriterQueue:
    """Processes writing to one SQLite file wait their turn here.

    SQLite lets one writer in at a time; the others wait in its busy
    handler, which sleeps 1, 2, 5 … 100 ms between tries, so with several
    tills on one file a sale could wait for seconds while the file was free
    most of the time. Here they queue on a lock of the file ``<db>-lock``
    instead (``flock``), and the kernel wakes the next one as soon as a
    transaction ends. SQLite's own lock still guards the data: a process
    that does not queue here (the command line, a backup) only waits longer.
    """

    def __init__(self, database: str) -> None:
        self._path = f"{Path(database).expanduser()}-lock"
        self._fd: int | None = None
        self._off = fcntl is None

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Hold the turn to write (callers in one process hold a lock already)."""
        if self._fd is None and not self._off:
            try:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError:  # a read-only directory: SQLite's busy wait then
                self._off = True
        if self._fd is None:
            yield
            return
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


@contextmanager
def write(engine: Engine) -> Iterator[Connection]:
    """A write transaction: committed on success, rolled back on any error."""
    with engine.connect() as conn:
        conn.execution_options(stampdesk_write=True)
        with conn.begin():
            yield conn


@contextmanager
def read(engine: Engine) -> Iterator[Connection]:
    """A read transaction (a consistent snapshot on SQLite WAL)."""
    with engine.connect() as conn, conn.begin():
        yield conn


def schema_revision(conn: Connection) -> str | None:
    """The Alembic revision the database is at, or None if it has no schema."""
    try:
        with conn.begin_nested():
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:
        return None


# SQLSTATE classes that mean "no database to talk to" (as opposed to a
# refusal, a conflict or a serialization failure): connection exceptions,
# and the server shutting down or refusing connections for now.
_UNREACHABLE_STATES = ("08", "57P01", "57P02", "57P03")


def unreachable(error: BaseException) -> bool:
    """Whether ``error`` means the central database could not be reached
    (connection refused or lost, server shutting down), not a refusal."""
    if not isinstance(error, DBAPIError) or not type(error.orig).__module__.startswith("psycopg"):
        return False  # a SQLite file is never out of reach: its errors are real ones
    if error.connection_invalidated:
        return True
    original = error.orig
    state = getattr(original, "sqlstate", None)
    if state is None:
        # psycopg raises OperationalError without a state when it cannot
        # connect at all; the driver's other errors without one are bugs.
        return type(original).__name__ in ("OperationalError", "InterfaceError")
    return str(state).startswith(_UNREACHABLE_STATES)


def migrations_dir() -> Path:
    """Where the Alembic scripts are: inside the installed wheel, or the repo."""
    packaged = Path(__file__).parent / "migrations"
    if (packaged / "env.py").exists():
        return packaged
    repo = Path(__file__).resolve().parents[2] / "migrations"
    if (repo / "env.py").exists():
        return repo
    raise RuntimeError("stampdesk's migrations are missing from this installation")


def upgrade(engine: Engine) -> None:
    """Create or upgrade the schema to the newest revision (Alembic).

    Safe when several processes start at once: the upgrade runs in one write
    transaction (SQLite) or under an advisory lock (PostgreSQL), and does
    nothing when the database is already current.
    """
    with engine.connect() as conn:
        if _current(conn) == SCHEMA_REVISION:
            return
    from alembic import command
    from alembic.config import Config

    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        if sqlite:
            # Batch migrations rebuild a table (copy, drop, rename): with
            # foreign keys enforced, dropping a table that other rows refer
            # to fails. Off for the migration (the pragma cannot change inside
            # a transaction), and every reference checked before it commits.
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        conn.execution_options(stampdesk_write=True)
        try:
            with conn.begin():
                if engine.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(84218421)"))
                if _current(conn) != SCHEMA_REVISION:
                    config = Config()
                    config.set_main_option("script_location", str(migrations_dir()))
                    config.attributes["connection"] = conn
                    command.upgrade(config, "head")
                if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                    raise RuntimeError("the schema upgrade left rows referring to missing rows")
        finally:
            if sqlite:
                conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def _current(conn: Connection) -> str | None:
    if conn.in_transaction():
        return schema_revision(conn)
    with conn.begin():
        return schema_revision(conn)


# ----------------------------------------------------------------------
# PostgreSQL: fewer round trips
#
# A pooled connection is checked without a round trip (``still_open``). A
# write transaction (``Store.write``) runs on a connection in autocommit
# mode and sends its own BEGIN and COMMIT in pipeline mode: BEGIN goes with
# the transaction's first statement, and the statements that return nothing
# (``Prepared.run``) wait on the connection and go with the next statement
# that returns rows, or with COMMIT. A sale is then three to five round
# trips instead of ten to twelve. A statement that fails while it waited
# raises at the next round trip, still inside the transaction, which is
# then rolled back as a whole.

PING_AFTER_IDLE_S = 30.0
_PENDING = "stampdesk_pending"
USED = "stampdesk_used"
_BEGIN = ("BEGIN", None)


def still_open(dbapi_connection: Any, info: dict[Any, Any], dialect: Dialect) -> bool:
    """Whether a PostgreSQL connection that sat idle can be used: it is
    pinged only when the server sent something meanwhile (e.g. the notice
    that it shuts down, and the end of the socket) or after a long idle."""
    if dbapi_connection.closed or dbapi_connection.broken:
        return False
    idle = time.monotonic() - info.get(USED, 0.0)
    if idle < PING_AFTER_IDLE_S and not _readable(dbapi_connection.fileno()):
        return True
    try:
        return bool(dialect.do_ping(dbapi_connection))
    except dialect.loaded_dbapi.Error:
        return False


def _readable(fd: int) -> bool:
    # poll, not select: a busy server may hold file descriptors above 1024.
    if hasattr(select, "poll"):
        waiting = select.poll()
        waiting.register(fd, select.POLLIN)
        return bool(waiting.poll(0))
    return bool(select.select([fd], [], [], 0)[0])


def _pg_checkin(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info[USED] = time.monotonic()


def begin_pipelined(conn: Connection) -> None:
    """Start a write transaction on a PostgreSQL connection in autocommit
    mode: its BEGIN waits to go with the first statement."""
    conn.info[_PENDING] = [_BEGIN]


def commit_pipelined(conn: Connection) -> None:
    """Send what waits and COMMIT, in one round trip; raise if the
    transaction did not commit."""
    pending = conn.info.pop(_PENDING)
    conn.info[USED] = time.monotonic()
    if pending == [_BEGIN]:
        return  # nothing was sent, nothing to commit
    cursor = _send(conn, pending, ("COMMIT", None))
    if cursor.statusmessage != "COMMIT":
        raise DBAPIError("COMMIT", None, RuntimeError(f"the transaction ended in {cursor.statusmessage}"))


def end_pipelined(conn: Connection) -> None:
    """Forget what waits (after an error: the transaction is rolled back)."""
    conn.info.pop(_PENDING, None)
    conn.info[USED] = time.monotonic()


def _send(
    conn: Connection, pending: list[tuple[str, Any]], last: tuple[str, Any] | None, many: bool = False
) -> Any:
    """Send the statements that wait, then ``last``, in one round trip; the
    cursor of ``last``, its rows ready (None without ``last``)."""
    driver = conn.connection.driver_connection
    assert driver is not None
    waiting = driver.cursor()
    cursor = driver.cursor() if last is not None else None
    try:
        with driver.pipeline():
            for sql, args in pending:
                # BEGIN and COMMIT (no args) are not prepared.
                waiting.execute(sql, args, prepare=False if args is None else None)
            pending.clear()
            if last is not None:
                assert cursor is not None
                if many:
                    cursor.executemany(last[0], last[1])
                else:
                    cursor.execute(last[0], last[1], prepare=False if last[1] is None else None)
    except conn.dialect.loaded_dbapi.Error as error:
        if cursor is not None:
            cursor.close()
        sql, args = last or ("-- (statements sent together)", None)
        raise DBAPIError.instance(sql, args, error, conn.dialect.loaded_dbapi.Error) from error
    finally:
        waiting.close()
    return cursor


def _send_pending_first(
    conn: Connection, _cursor: Any, _statement: str, _parameters: Any, _context: Any, _many: bool
) -> None:
    # A statement SQLAlchemy executes itself must run inside the transaction
    # and after the statements that wait: send them first.
    pending = conn.info.get(_PENDING)
    if pending:
        _send(conn, pending, None)


class Prepared:
    """A statement compiled once and run straight on the driver's cursor.

    SQLAlchemy Core builds, hashes and wraps a statement at every execution
    (tens of µs each); a checkout runs a handful of them, so its hot
    statements are compiled once per dialect here and executed by the DBAPI
    cursor inside the same transaction. Parameters still go through the column
    types' bind processors (times become UTC), values are bound, never pasted
    into the SQL, and driver errors are raised as SQLAlchemy's (an
    ``IntegrityError`` stays an ``IntegrityError``).
    """

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        self._lastrowid = False
        if isinstance(statement, Insert) and not statement._returning:
            # New ids: SQLite's lastrowid is free, PostgreSQL needs RETURNING.
            if dialect.name == "sqlite":
                self._lastrowid = True
            else:
                statement = statement.returning(*statement.table.primary_key.columns)  # type: ignore[attr-defined]
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        self.sql = compiled.string
        self._dialect = dialect
        self._postgres = dialect.name == "postgresql"
        self._order = compiled.positiontup  # qmark (SQLite); None for named (psycopg)
        self._processors: dict[str, Callable[[Any], Any]] = {
            name: process for name, process in compiled._bind_processors.items() if callable(process)
        }
        # qmark (SQLite): each position's name and its processor, if any.
        self._plan = (
            None if self._order is None else [(name, self._processors.get(name)) for name in self._order]
        )
        # Values the statement carries itself (such as the 0 of coalesce(x, 0)).
        self._defaults = {name: bind.value for name, bind in compiled.binds.items() if bind.value is not None}
        selected = list(getattr(statement, "selected_columns", ()))
        keys = [c.key for c in selected]
        self._row = namedtuple("Row", keys, rename=True) if keys else None
        # Result types that need converting (times: UTC strings on SQLite).
        processors = [c.type._cached_result_processor(dialect, None) for c in selected]
        self._results = processors if any(processors) else None

    def _args(self, params: dict[str, Any]) -> Any:
        # Runs for every statement of a sale: plain loops, no generators.
        if self._defaults:
            params = {**self._defaults, **params}
        if self._plan is not None:
            args = []
            for name, process in self._plan:
                value = params[name]
                args.append(value if process is None or value is None else process(value))
            return tuple(args)
        # A copy: a statement that waits (``run``) keeps its values until sent.
        out = dict(params)
        processors = self._processors
        for name, process in processors.items():
            value = out.get(name)
            if value is not None:
                out[name] = process(value)
        return out

    def _execute(
        self, conn: Connection, params: dict[str, Any], many: list[dict[str, Any]] | None = None
    ) -> Any:
        pending = conn.info.get(_PENDING) if self._postgres else None
        if pending:
            # BEGIN or statements wait: they go in the same round trip.
            if many is None:
                return _send(conn, pending, (self.sql, self._args(params)))
            return _send(conn, pending, (self.sql, [self._args(p) for p in many]), many=True)
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            if many is None:
                args = self._args(params)
                cursor.execute(self.sql, args)
            else:
                args = [self._args(p) for p in many]
                cursor.executemany(self.sql, args)
        except self._dialect.loaded_dbapi.Error as error:
            cursor.close()
            raise DBAPIError.instance(self.sql, args, error, self._dialect.loaded_dbapi.Error) from error
        return cursor

    def run(self, conn: Connection, **params: Any) -> None:
        """Execute a statement that returns nothing (in a pipelined
        PostgreSQL transaction, it waits to go with the next round trip)."""
        pending = conn.info.get(_PENDING) if self._postgres else None
        if pending is not None:
            pending.append((self.sql, self._args(params)))
            return
        self._execute(conn, params).close()

    def run_many(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        """Execute once per parameter set (one driver call; in a pipelined
        PostgreSQL transaction, they wait to go with the next round trip)."""
        pending = conn.info.get(_PENDING) if self._postgres else None
        if pending is not None:
            pending.extend((self.sql, self._args(p)) for p in rows)
            return
        self._execute(conn, {}, many=rows).close()

    def count(self, conn: Connection, **params: Any) -> int:
        """Execute now (what waits goes first); the number of rows it changed."""
        cursor = self._execute(conn, params)
        changed = cursor.rowcount
        cursor.close()
        return int(changed)

    def insert(self, conn: Connection, **params: Any) -> int:
        """Insert a row and return its new id."""
        cursor = self._execute(conn, params)
        new_id = cursor.lastrowid if self._lastrowid else cursor.fetchone()[0]
        cursor.close()
        return int(new_id)

    def first(self, conn: Connection, **params: Any) -> Any:
        """The first row (a named tuple of the selected columns), or None."""
        cursor = self._execute(conn, params)
        row = cursor.fetchone()
        cursor.close()
        if row is None or self._row is None:
            return row
        return self._make(row)

    def _make(self, row: Any) -> Any:
        assert self._row is not None
        if self._results is None:
            return self._row(*row)
        return self._row(*(v if p is None else p(v) for p, v in zip(self._results, row, strict=True)))

    def scalar(self, conn: Connection, **params: Any) -> Any:
        """The first column of the first row, or None."""
        cursor = self._execute(conn, params)
        row = cursor.fetchone()
        cursor.close()
        return None if row is None else row[0]

    def all(self, conn: Connection, **params: Any) -> list[Any]:
        cursor = self._execute(conn, params)
        rows = cursor.fetchall()
        cursor.close()
        if self._row is None:
            return list(rows)
        return [self._make(r) for r in rows]
