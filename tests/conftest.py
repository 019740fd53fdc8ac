"""Shared fixtures: a real SQLite file and the real PostgreSQL, a shop clock.

PostgreSQL tests skip when no server answers, unless
STAMPDESK_REQUIRE_SERVICES=1 (as in CI), where they fail instead.
A test run creates a PostgreSQL database of its own on 127.0.0.1
(``stampdesk_test_<start time>_<random>``) and drops it at the end;
STAMPDESK_TEST_PG names a database to use instead, as it is. Each
PostgreSQL test gets a schema of its own in it, dropped afterwards.
A test's database (``sqlite_url``, ``pg_url``, ``db_url``) is of the newest
schema already, copied from one migrated once per run (helpers.py); the
``empty_*`` fixtures give an empty one, for the tests of migrating.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection

from helpers import (
    EXAMPLE_PROGRAM,
    LOYALTY_PROGRAM,
    PG_ADMIN,
    PG_BASE,
    PG_GIVEN,
    PG_RUN_DATABASE,
    PG_TEST_PREFIX,
    ROOT,
    BuiltWheel,
    Clock,
    make_desk,
    migrated_pg_schema,
    migrated_sqlite,
    pg_template_script,
    postgres_available,
    service_missing,
)
from stampdesk.desk import Desk
from tcp_proxy import CuttableLink


@pytest.fixture(autouse=True)
def hermetic_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user config or data directory of the machine leaks into a test."""
    for var in ("STAMPDESK_DB", "STAMPDESK_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("TZ", "Europe/Paris")


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """``PG_BASE``, the PostgreSQL database of this test run (see the module's docstring)."""
    if PG_GIVEN:
        if not postgres_available(PG_GIVEN):
            service_missing(f"PostgreSQL at {PG_GIVEN} (STAMPDESK_TEST_PG)")
        yield PG_BASE
        return
    if not postgres_available(PG_ADMIN):
        service_missing("PostgreSQL at 127.0.0.1:5432")
    import sqlalchemy

    admin = sqlalchemy.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        _drop_old_test_databases(conn, int(time.time()))
        conn.exec_driver_sql(f"CREATE DATABASE {PG_RUN_DATABASE}")
    try:
        yield PG_BASE
    finally:
        with admin.connect() as conn:
            # FORCE: a till process a test killed may still hold a connection.
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {PG_RUN_DATABASE} WITH (FORCE)")
        admin.dispose()


def _drop_old_test_databases(conn: Connection, now: int) -> None:
    """Databases of runs that died more than a day ago without dropping theirs."""
    pattern = re.compile(rf"{PG_TEST_PREFIX}(\d+)_[0-9a-f]+")
    names = (
        conn.exec_driver_sql(
            "SELECT datname FROM pg_database WHERE datname LIKE %(prefix)s", {"prefix": PG_TEST_PREFIX + "%"}
        )
        .scalars()
        .all()
    )
    for old in names:
        match = pattern.fullmatch(old)
        if match and now - int(match[1]) > 24 * 3600:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {old} WITH (FORCE)")


@pytest.fixture(scope="session")
def pg_template(pg_database: str) -> str | None:
    """The SQL that makes a schema of the newest revision (migrated once per
    run); None without pg_dump, when each schema is migrated instead."""
    if shutil.which("pg_dump") is None:
        return None
    return pg_template_script(pg_database)


@pytest.fixture
def empty_pg_url(pg_database: str) -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh, empty schema of the run's database."""
    yield from _pg_schema(pg_database, migrate=False, template=None)


@pytest.fixture
def pg_url(pg_database: str, pg_template: str | None) -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema of the run's
    database, of the newest revision (copied from the run's template)."""
    yield from _pg_schema(pg_database, migrate=True, template=pg_template)


def _pg_schema(pg_database: str, *, migrate: bool, template: str | None) -> Iterator[str]:
    import sqlalchemy

    from stampdesk import db

    schema = f"t_{uuid.uuid4().hex[:12]}"
    url = f"{pg_database}?options=-csearch_path%3D{schema}"
    if template is not None:
        migrated_pg_schema(pg_database, schema, template)
    else:
        admin = sqlalchemy.create_engine(pg_database, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        admin.dispose()
        if migrate:
            engine = db.make_engine(url)
            db.upgrade(engine)
            engine.dispose()
    try:
        yield url
    finally:
        admin = sqlalchemy.create_engine(pg_database, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture
def empty_sqlite_url(tmp_path: Path) -> str:
    """A SQLite file that does not exist yet."""
    return f"sqlite:///{tmp_path / 'shop.db'}"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file of the newest schema (copied from the run's template)."""
    return migrated_sqlite(tmp_path / "shop.db")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Run the test on a SQLite file, then on PostgreSQL (both of the newest schema)."""
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return str(request.getfixturevalue(name))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_db_url(request: pytest.FixtureRequest) -> str:
    """An empty SQLite file, then an empty PostgreSQL schema: for what
    migrates from nothing."""
    name = "empty_sqlite_url" if request.param == "sqlite" else "empty_pg_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def clock() -> Clock:
    # A Monday morning in Paris.
    return Clock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))


@pytest.fixture
def desk(db_url: str, clock: Clock) -> Iterator[Desk]:
    """A shop with the example programme loaded, on SQLite and PostgreSQL."""
    shop = make_desk(db_url, clock)
    shop.load_program(EXAMPLE_PROGRAM)
    yield shop
    shop.close()


@pytest.fixture
def sqlite_desk(sqlite_url: str, clock: Clock) -> Iterator[Desk]:
    shop = make_desk(sqlite_url, clock)
    shop.load_program(EXAMPLE_PROGRAM)
    yield shop
    shop.close()


@pytest.fixture
def loyalty_desk(sqlite_url: str, clock: Clock) -> Iterator[Desk]:
    """A French shop with the full loyalty programme (tiers, expiry, surprises)."""
    shop = make_desk(sqlite_url, clock)
    shop.load_program(LOYALTY_PROGRAM)
    yield shop
    shop.close()


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory: pytest.TempPathFactory) -> BuiltWheel:
    """Built once per run (it takes seconds) for the tests of what ships."""
    folder = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(folder),
            str(ROOT),
        ],
        check=True,
    )
    wheel = next(folder.glob("stampdesk-*.whl"))
    site = folder / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
        return BuiltWheel(frozenset(archive.namelist()), site, wheel)


@pytest.fixture
def link(pg_url: str) -> Iterator[CuttableLink]:
    """A TCP relay on 127.0.0.1 in front of the test's PostgreSQL, which the
    test cuts and restores (a till's network cable)."""
    from sqlalchemy.engine import make_url

    url = make_url(pg_url)
    with CuttableLink((url.host or "127.0.0.1", url.port or 5432)) as relay:
        yield relay
