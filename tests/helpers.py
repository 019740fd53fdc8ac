"""Test helpers shared by every test module (fixtures live in conftest.py):
paths, a shop clock, opening a shop, and reading a database's whole content
to prove nothing changed."""

from __future__ import annotations

import atexit
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

import stampdesk
from stampdesk import db
from stampdesk.config import Settings
from stampdesk.desk import Desk
from stampdesk.models import metadata

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_PROGRAM = ROOT / "examples" / "program.toml"
# Expiry, status tiers (Gold: 8 visits and 120.00 in 90 days), a surprise at the 4th visit…
LOYALTY_PROGRAM = ROOT / "examples" / "program-loyalty.toml"
REQUIRE_SERVICES = os.environ.get("STAMPDESK_REQUIRE_SERVICES") == "1"
# Where a test run creates its own PostgreSQL database, as the server's administrator.
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# A database to use as it is instead (each test still gets a schema of its own in it).
PG_GIVEN = os.environ.get("STAMPDESK_TEST_PG")
# The run's database is named by its start time, so a run that died without
# dropping it leaves something a later run can recognise as old. The
# ``pg_database`` fixture creates it, and drops it at the end of the run.
PG_TEST_PREFIX = "stampdesk_test_"
PG_RUN_DATABASE = f"{PG_TEST_PREFIX}{int(time.time())}_{uuid.uuid4().hex[:8]}"
# The database PostgreSQL tests use.
PG_BASE = PG_GIVEN or PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_RUN_DATABASE
# The installed command line, run as a shop runs it.
STAMPDESK = Path(sys.executable).parent / "stampdesk"


class Clock:
    """A shop clock the test moves by hand (timezone-aware, UTC)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def service_missing(what: str) -> None:
    """Skip, or fail under STAMPDESK_REQUIRE_SERVICES=1."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required (STAMPDESK_REQUIRE_SERVICES=1) but not available")
    pytest.skip(f"{what} not available")


def postgres_available(url: str) -> bool:
    import sqlalchemy

    try:
        engine = sqlalchemy.create_engine(url, connect_args={"connect_timeout": 5})
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        engine.dispose()
    except Exception:
        return False
    return True


# ----------------------------------------------------------------------
# Databases of the newest schema, without migrating each one
#
# Running the Alembic revisions takes seconds (batch table rebuilds,
# reflection); copying a database that has run them takes milliseconds. A
# test run migrates one SQLite file and one PostgreSQL schema, and every
# test's database is a copy of them with a claim secret of its own, as a
# new shop's would be. tests/test_schema.py still migrates from empty on
# both engines (the ``empty_*`` fixtures).

_sqlite_template: Path | None = None


def _new_claim_secret() -> str:
    return secrets.token_hex(32)


def sqlite_template() -> Path:
    """A SQLite file migrated to the newest schema, made once per test process."""
    global _sqlite_template
    if _sqlite_template is None:
        folder = Path(tempfile.mkdtemp(prefix="stampdesk-template-"))
        atexit.register(shutil.rmtree, folder, True)
        path = folder / "template.db"
        engine = db.make_engine(f"sqlite:///{path}")
        db.upgrade(engine)
        engine.dispose()  # the last connection closing folds the WAL into the file
        assert not path.with_name(path.name + "-wal").exists()
        _sqlite_template = path
    return _sqlite_template


def migrated_sqlite(path: Path) -> str:
    """A new SQLite file at ``path`` with the newest schema and no programme,
    as ``stampdesk init`` leaves it; its URL."""
    if path.exists():
        raise FileExistsError(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(sqlite_template(), path)
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute("UPDATE settings SET value = ? WHERE key = 'claim_secret'", (_new_claim_secret(),))
    finally:
        conn.close()
    return f"sqlite:///{path}"


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for another database)."""
    if not url.startswith("sqlite:///"):
        return None
    return Path(url.removeprefix("sqlite:///").split("?", 1)[0]).expanduser()


def pg_template_script(database_url: str) -> str:
    """The SQL that makes a schema of the newest revision in the PostgreSQL
    database ``database_url``, as a template: ``{schema}`` and
    ``{claim_secret}`` are to be filled in (see ``migrated_pg_schema``).
    Migrates a schema of its own once, dumps it with pg_dump and drops it."""
    import sqlalchemy
    from sqlalchemy.engine import make_url

    schema = f"t_template_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        try:
            engine = db.make_engine(f"{database_url}?options=-csearch_path%3D{schema}")
            db.upgrade(engine)
            with engine.connect() as conn:
                secret = conn.exec_driver_sql(
                    "SELECT value FROM settings WHERE key = 'claim_secret'"
                ).scalar_one()
            engine.dispose()
            url = make_url(database_url).set(drivername="postgresql")
            dump = subprocess.run(
                [
                    "pg_dump",
                    "--dbname",
                    url.render_as_string(hide_password=False),
                    "--schema",
                    schema,
                    "--inserts",
                    "--no-owner",
                    "--no-privileges",
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    finally:
        admin.dispose()
    # psql's meta-commands (\restrict…) and comments are not SQL; the dump
    # creates the schema itself and empties the search path.
    lines = [
        line
        for line in dump.splitlines()
        if not line.startswith(("\\", "--"))
        and line != f"CREATE SCHEMA {schema};"
        and "set_config('search_path'" not in line
    ]
    script = "\n".join(lines).replace("{", "{{").replace("}", "}}")
    assert secret in script
    script = script.replace(secret, "{claim_secret}")
    return re.sub(rf"\b{schema}\b", "{schema}", script)


def migrated_pg_schema(database_url: str, schema: str, script: str) -> None:
    """Make ``schema`` (which must not exist) in the PostgreSQL database
    ``database_url`` from ``pg_template_script``'s ``script``."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
            conn.exec_driver_sql(script.format(schema=schema, claim_secret=_new_claim_secret()))
    finally:
        engine.dispose()


def make_desk(url: str, clock: Clock, **settings: object) -> Desk:
    """Open the shop at ``url`` (a SQLite file that does not exist yet is
    made with the newest schema first, see ``migrated_sqlite``)."""
    path = _sqlite_file(url)
    if path is not None and not path.exists():
        migrated_sqlite(path)
    values: dict[str, object] = {
        "database": url,
        "timezone": "Europe/Paris",
        "public_url": "https://cafe.example/",
    }
    values.update(settings)
    return stampdesk.connect(settings=Settings(**values), clock=clock)  # type: ignore[arg-type]


def content(desk: Desk) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every stampdesk table, in a stable order."""
    dump: dict[str, list[tuple[Any, ...]]] = {}
    with desk.store.engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows = conn.execute(text(f"SELECT * FROM {table.name}")).all()
            dump[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return dump


def counts(desk: Desk) -> dict[str, int]:
    with desk.store.engine.connect() as conn:
        return {
            t.name: conn.execute(text(f"SELECT count(*) FROM {t.name}")).scalar_one()
            for t in metadata.sorted_tables
        }


@dataclass(frozen=True)
class BuiltWheel:
    """stampdesk's wheel as ``pip wheel`` builds it (the ``built_wheel``
    fixture), and unpacked."""

    names: frozenset[str]  # the files in the wheel
    site: Path  # where it is unpacked: put it on PYTHONPATH to import from it
    wheel: Path  # the .whl file, for pip


def visit_weekly(desk: Desk, clock: Clock, number: str, weeks: int, amount: str = "15.00") -> list[int]:
    """A regular: one sale a week on the card (with examples/program-loyalty.toml,
    8 weeks at 15.00 reach Gold, 4 reach Silver); the sales' ids."""
    sales = []
    for week in range(weeks):
        if week:
            clock.advance(days=7)
        sales.append(desk.checkout(card=number, amount=amount).checkout)
    return sales


def report_history(url: str, **settings: object) -> Desk:
    """The owner's report's constructed history (figures hand-computed in
    tests/test_report.py). February: Ana and Ben enrol and come once each.
    March (the report's period, 1–30): Ana comes twice and uses her cookie;
    Chloé keeps a walk-in receipt's stamp by enrolling with it, buys once,
    and has a sale refunded; two more walk-ins buy without a card. The
    shop's clock ends on 31 March."""
    clock = Clock(datetime(2026, 2, 10, 9, 0, tzinfo=UTC))
    desk = make_desk(url, clock, **settings)
    desk.load_program(EXAMPLE_PROGRAM)
    ana = desk.enrol(name="Ana Martin").number  # 10 Feb
    clock.advance(days=5)
    desk.checkout(card=ana, amount="10.00")  # 15 Feb: 2 stamps → 4, croissant
    clock.advance(days=5)
    ben = desk.enrol(name="Ben Durand").number  # 20 Feb
    clock.advance(days=1)
    desk.checkout(card=ben, amount="5.00")  # 21 Feb
    clock.advance(days=10)  # 3 March
    walk_in = desk.checkout(amount="6.00")  # 1 stamp to claim
    chloe = desk.enrol(name="Chloé Petit", claim=walk_in.claim_token).number  # 2 + 1 → 3: croissant
    clock.advance(days=1)
    desk.checkout(amount="3.00")  # 4 March
    clock.advance(days=1)
    sale = desk.checkout(card=ana, amount="12.00")  # 5 March: 2 stamps → 6: cookie
    clock.advance(days=1)
    desk.checkout(amount="9.00")  # 6 March
    clock.advance(days=4)
    refunded = desk.checkout(card=chloe, amount="20.00")  # 10 March, refunded: counts nowhere
    desk.refund(refunded.checkout)
    clock.advance(days=1)
    desk.checkout(card=chloe, amount="4.00")  # 11 March: 1 stamp
    clock.advance(days=1)
    desk.checkout(card=ana, amount="8.00")  # 12 March: 1 stamp
    cookie = next(c.code for c in sale.coupons if c.milestone == 6)
    desk.redeem(cookie)  # costs the shop 0.45
    clock.advance(days=19)  # 31 March
    return desk


def wait_for_a_lock_wait(url: str, timeout: float = 20) -> None:
    """Until a connection to the PostgreSQL database at ``url`` waits for a lock."""
    wait_for_connections(
        url,
        "datname = current_database() AND wait_event_type = 'Lock'",
        {},
        lambda waiting: waiting > 0,
        timeout,
        "no connection came to wait for a lock",
    )


def wait_for_connections(
    url: str, where: str, params: dict[str, Any], done: Callable[[int], bool], timeout: float, failure: str
) -> None:
    """Until ``done(n)``, n the PostgreSQL connections ``where`` says
    (pg_stat_activity); ``failure`` if it does not come within ``timeout``."""
    import sqlalchemy

    watcher = sqlalchemy.create_engine(url, isolation_level="AUTOCOMMIT")
    deadline = time.monotonic() + timeout
    try:
        with watcher.connect() as conn:
            while time.monotonic() < deadline:
                found = conn.execute(
                    sqlalchemy.text(f"SELECT count(*) FROM pg_stat_activity WHERE {where}"), params
                ).scalar_one()
                if done(found):
                    return
                time.sleep(0.02)
    finally:
        watcher.dispose()
    raise AssertionError(failure)


# The first words of the command line's error line, in the shop's language
# (French by default, English with locale = "en_GB").
ERROR_LINE = ("stampdesk : erreur : ", "stampdesk: error: ")
