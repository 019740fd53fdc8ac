"""Shared fixtures: a real SQLite file and the real PostgreSQL, a shop clock.

PostgreSQL tests skip when no server answers, unless
STAMPDESK_REQUIRE_SERVICES=1 (as in CI), where they fail instead.
Each PostgreSQL test gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import stampdesk
from stampdesk.config import Settings
from stampdesk.desk import Desk

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_PROGRAM = ROOT / "examples" / "program.toml"
REQUIRE_SERVICES = os.environ.get("STAMPDESK_REQUIRE_SERVICES") == "1"
PG_BASE = os.environ.get("STAMPDESK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


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


_pg_checked: bool | None = None


def postgres_available() -> bool:
    global _pg_checked
    if _pg_checked is None:
        import sqlalchemy

        try:
            engine = sqlalchemy.create_engine(PG_BASE)
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
            engine.dispose()
            _pg_checked = True
        except Exception:
            _pg_checked = False
    return _pg_checked


@pytest.fixture(autouse=True)
def hermetic_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user config or data directory of the machine leaks into a test."""
    for var in ("STAMPDESK_DB", "STAMPDESK_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("TZ", "Europe/Paris")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema."""
    if not postgres_available():
        service_missing("PostgreSQL at 127.0.0.1:5432")
    import sqlalchemy

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_BASE}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'shop.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Run the test on a SQLite file, then on PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def clock() -> Clock:
    # A Monday morning in Paris.
    return Clock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))


def make_desk(url: str, clock: Clock, **settings: object) -> Desk:
    values: dict[str, object] = {
        "database": url,
        "timezone": "Europe/Paris",
        "public_url": "https://cafe.example/",
    }
    values.update(settings)
    return stampdesk.connect(settings=Settings(**values), clock=clock)  # type: ignore[arg-type]


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
